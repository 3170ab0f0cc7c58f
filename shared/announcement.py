"""The words a lobby display says when a ticket is called.

Numbers are written out in words (never digits) so that every speech engine, including a
voice pack of recorded words, says exactly the same thing the display prints.

English reading (chosen to match the Vietnamese call, not digit by digit): letters are
spelled, the digits read as one number, with a comma after each letter because espeak-ng
otherwise says a lone "A" as the article: "Ticket number A, twenty-three, please go to
counter five".
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Literal

from shared.vn_numbers import Dialect, Four, label_parts, label_runs, number_vocabulary

Lang = Literal["vi", "en"]
LANGS: tuple[str, ...] = ("vi", "en")

DEFAULT_TEMPLATES: dict[str, str] = {
    "vi": "Mời công dân có số thứ tự {số} đến quầy số {quầy}",
    "en": "Ticket number {ticket}, please go to counter {counter}",
}

# Both spellings are accepted so a Vietnamese admin can write the template in Vietnamese.
_TICKET_FIELDS = ("số", "ticket")
_COUNTER_FIELDS = ("quầy", "counter")
_FIELDS = frozenset(_TICKET_FIELDS + _COUNTER_FIELDS)

_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"))

_WORD = re.compile(r"[^\W_]+")
_SPOKEN_PAUSE = re.compile(r"[,;:.!?]+")
_SPOKEN_TOKEN = re.compile(r"[^\W_]+|[,;:.!?]+")


def call_phrase(
    label: str,
    counter_number: int | str,
    lang: Lang = "vi",
    dialect: Dialect = "north",
    template: str | None = None,
    *,
    four: Four = "bốn",
) -> str:
    """The call announcement, NFC-normalised, numbers in words.

    >>> call_phrase("A023", 5)
    'Mời công dân có số thứ tự A, hai mươi ba đến quầy số năm'
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    chosen = DEFAULT_TEMPLATES[lang] if template is None else template
    check_template(chosen)
    if lang == "vi":
        ticket = ", ".join(label_parts(label, dialect=dialect, four=four))
        counter = ", ".join(label_parts(str(counter_number), dialect=dialect, four=four))
    else:
        ticket = read_label_en(label)
        counter = read_label_en(str(counter_number))
    values = dict.fromkeys(_TICKET_FIELDS, ticket) | dict.fromkeys(_COUNTER_FIELDS, counter)
    text = nfc(chosen).format_map(values)
    return " ".join(text.split())


def check_template(template: str) -> None:
    """Fail early (at start-up, when settings load) on a template that cannot work."""
    try:
        fields = {
            name for _, name, _, _ in string.Formatter().parse(nfc(template)) if name is not None
        }
    except ValueError as exc:
        raise ValueError(f"announcement template {template!r} is malformed: {exc}") from None
    unknown = fields - _FIELDS
    if unknown:
        raise ValueError(
            f"announcement template {template!r} has unknown placeholders {sorted(unknown)}; "
            f"use {{số}}/{{ticket}} and {{quầy}}/{{counter}}"
        )
    if not fields & set(_TICKET_FIELDS):
        raise ValueError(f"announcement template {template!r} never says the ticket number")


def read_label_en(label: str) -> str:
    """English words for a label: "A023" → "A, twenty-three"; "1023" → "one thousand twenty-three"."""
    pieces: list[str] = []
    for run in label_runs(label):
        if run.isdigit():
            digits = run.lstrip("0") or "0"
            if len(digits) <= 12:
                pieces.append(read_number_en(int(digits)))
            else:
                pieces.append(" ".join(_EN_UNITS[int(d)] for d in run))
        else:
            pieces.extend(_ascii_letter(ch) for ch in run.upper())
    return ", ".join(pieces)


def read_number_en(n: int) -> str:
    """American-style cardinal without "and": 1023 → "one thousand twenty-three"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number_en expects an int, got {type(n).__name__}")
    if not 0 <= n <= 999_999_999_999:
        raise ValueError(f"{n} is outside 0..999999999999")
    if n == 0:
        return "zero"
    words: list[str] = []
    for scale, name in _EN_SCALES:
        if n >= scale:
            words += [_en_below_thousand(n // scale), name]
            n %= scale
    if n:
        words.append(_en_below_thousand(n))
    return " ".join(words)


def _en_below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_EN_UNITS[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_UNITS[units]}" if units else ""))
    elif rest:
        words.append(_EN_UNITS[rest])
    return " ".join(words)


def _ascii_letter(ch: str) -> str:
    # "Đ" has no English name; its base letter is what an English listener expects.
    base = unicodedata.normalize("NFD", "D" if ch == "Đ" else ch)[0]
    if not ("A" <= base <= "Z"):
        raise ValueError(f"letter {ch!r} cannot be spelled in English")
    return base


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def phrase_vocabulary(lang: Lang, templates: list[str] | None = None) -> list[str]:
    """Every word, and every fixed stretch of template text, that call_phrase can say.

    A voice pack records one clip per entry; the fixed stretches ("mời công dân có số thứ
    tự") are recorded whole because a sentence said in one breath sounds far more natural
    than words glued together.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    entries: set[str] = set()
    for template in templates or [DEFAULT_TEMPLATES[lang]]:
        check_template(template)
        for literal, _, _, _ in string.Formatter().parse(nfc(template)):
            for fragment in _SPOKEN_PAUSE.split(literal.lower()):
                words = _WORD.findall(fragment)
                if words:
                    entries.add(" ".join(words))
                    entries.update(words)
    if lang == "vi":
        entries.update(number_vocabulary())
    else:
        entries.update(_EN_UNITS + _EN_TENS[2:] + ["hundred"] + [name for _, name in _EN_SCALES])
        entries.update(chr(c) for c in range(ord("a"), ord("z") + 1))
    return sorted(entries)


def spoken_tokens(text: str) -> list[str]:
    """Lower-case words of a phrase, with "," for every pause mark (how voice packs read text)."""
    tokens: list[str] = []
    for piece in _SPOKEN_TOKEN.findall(nfc(text).lower()):
        if _SPOKEN_PAUSE.fullmatch(piece):
            if tokens and tokens[-1] != ",":
                tokens.append(",")
        else:
            tokens.append(piece)
    while tokens and tokens[-1] == ",":
        tokens.pop()
    return tokens
