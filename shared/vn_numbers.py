"""Read numbers and ticket labels aloud in Vietnamese, the way a lobby announcer says them.

Why not num2words: it drops "không trăm" (1023 → "một nghìn hai mươi ba"), which a
citizen hears as 1,000 + 23 said sloppily, or worse, as a different ticket.

Rules implemented (standard reading, Ministry-of-Education textbook style):
- 0 "không"; 10 "mười"; 11 "mười một"; 14 "mười bốn"; 15 "mười lăm"; 20 "hai mươi".
- After "mươi" (21..99): 1 → "mốt", 5 → "lăm", 4 → "bốn" or "tư" (setting `four`).
- An empty tens place before a non-zero unit is said "linh" (north) or "lẻ" (south):
  105 "một trăm linh năm".
- Every three-digit group after the first is read in full, including "không trăm":
  1023 "một nghìn không trăm hai mươi ba", 100001 "một trăm nghìn không trăm linh một".
  An all-zero group is skipped: 1000500 "một triệu năm trăm".
- Groups: nghìn (south "ngàn"), triệu, tỷ.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Dialect = Literal["north", "south"]
Four = Literal["bốn", "tư"]

DIALECTS: tuple[str, ...] = ("north", "south")
FOURS: tuple[str, ...] = ("bốn", "tư")
MAX_NUMBER = 999_999_999_999

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

_THOUSAND = {"north": "nghìn", "south": "ngàn"}
_EMPTY_TENS = {"north": "linh", "south": "lẻ"}

# Letter names chosen for TTS, not for a spelling bee: they are what counter staff say
# when calling "B12" ("Bê mười hai"). Multi-syllable names are written as separate
# syllables (no hyphen) so espeak-ng and voice packs read each syllable plainly.
LETTER_NAMES: dict[str, str] = {
    "A": "A",
    "Ă": "Á",
    "Â": "Ớ",
    "B": "Bê",
    "C": "Xê",
    "D": "Dê",
    "Đ": "Đê",
    "E": "E",
    "Ê": "Ê",
    "F": "Ép",
    "G": "Giê",
    "H": "Hát",
    "I": "I",
    "J": "Gi",
    "K": "Ca",
    "L": "E lờ",
    "M": "Em mờ",
    "N": "En nờ",
    "O": "O",
    "Ô": "Ô",
    "Ơ": "Ơ",
    "P": "Pê",
    "Q": "Quy",
    "R": "E rờ",
    "S": "Ét xì",
    "T": "Tê",
    "U": "U",
    "Ư": "Ư",
    "V": "Vê",
    "W": "Vê kép",
    "X": "Ích xì",
    "Y": "I dài",
    "Z": "Dét",
}

# Longer digit runs are not quantities (e.g. a pasted dossier code): say them digit by digit.
_MAX_VALUE_DIGITS = len(str(MAX_NUMBER))
_LABEL_RUN = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)


def read_number(n: int, dialect: Dialect = "north", *, four: Four = "bốn") -> str:
    """Vietnamese words for 0 <= n <= 999_999_999_999 (up to "chín trăm ... tỷ ...")."""
    _check_options(dialect, four)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number expects an int, got {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0..{MAX_NUMBER}")
    if n == 0:
        return DIGIT_WORDS[0]
    return " ".join(_read_positive(n, dialect, four, leading=True))


def read_label(label: str, dialect: Dialect = "north", *, four: Four = "bốn") -> str:
    """Words for a ticket label: letters spelled, digits read as one number.

    "A023" → "A, hai mươi ba"; "1023" → "một nghìn không trăm hai mươi ba";
    "AB012" → "A, Bê, mười hai"; "A000" → "A, không". Separators such as "-" or spaces
    are dropped. Commas make the TTS voice pause between the spelled parts.
    """
    _check_options(dialect, four)
    return ", ".join(label_parts(label, dialect=dialect, four=four))


def label_parts(label: str, *, dialect: Dialect = "north", four: Four = "bốn") -> list[str]:
    """The spoken pieces of a label, one per letter and one per digit run."""
    runs = label_runs(label)
    parts: list[str] = []
    for run in runs:
        if run.isdigit():
            parts.append(_read_digit_run(run, dialect, four))
        else:
            parts.extend(_letter_name(ch, label) for ch in run.upper())
    return parts


def label_runs(label: str) -> list[str]:
    """Split "A-023" into ["A", "023"]: runs of letters and runs of digits; separators dropped."""
    if not isinstance(label, str):
        raise TypeError(f"a ticket label is a str, got {type(label).__name__}")
    text = unicodedata.normalize("NFC", label).strip()
    runs = _LABEL_RUN.findall(text)
    if not runs:
        raise ValueError(f"ticket label {label!r} has no letters or digits")
    return runs


def _read_digit_run(run: str, dialect: Dialect, four: Four) -> str:
    # Non-ASCII digits (e.g. Arabic-Indic) are normalised by int(); that is intended.
    if len(run.lstrip("0")) <= _MAX_VALUE_DIGITS:
        return read_number(int(run), dialect, four=four)
    return " ".join(DIGIT_WORDS[int(d)] for d in run)


def _letter_name(ch: str, label: str) -> str:
    try:
        return LETTER_NAMES[ch]
    except KeyError:
        raise ValueError(
            f"ticket label {label!r} has a letter with no Vietnamese name: {ch!r}"
        ) from None


def _read_positive(n: int, dialect: Dialect, four: Four, *, leading: bool) -> list[str]:
    # Split into tỷ / rest so that "nghìn tỷ" and beyond read naturally by recursion.
    if n >= 1_000_000_000:
        billions, rest = divmod(n, 1_000_000_000)
        words = _read_positive(billions, dialect, four, leading=leading)
        words.append("tỷ")
        if rest:
            words += _read_positive(rest, dialect, four, leading=False)
        return words

    groups = [(n // 1_000_000) % 1000, (n // 1000) % 1000, n % 1000]
    scales = ["triệu", _THOUSAND[dialect], ""]
    words: list[str] = []
    for group, scale in zip(groups, scales, strict=True):
        if group == 0:
            continue
        words += _read_group(group, dialect, four, full=not (leading and not words))
        if scale:
            words.append(scale)
    return words


def _read_group(n: int, dialect: Dialect, four: Four, *, full: bool) -> list[str]:
    """Read 1..999. `full` forces the hundreds ("không trăm") for non-leading groups."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(_EMPTY_TENS[dialect])
            words.append(DIGIT_WORDS[units])
        return words
    if tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGIT_WORDS[units])
        return words
    words += [DIGIT_WORDS[tens], "mươi"]
    if units == 1:
        words.append("mốt")
    elif units == 4:
        words.append(four)
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGIT_WORDS[units])
    return words


def _check_options(dialect: str, four: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
    if four not in FOURS:
        raise ValueError(f"unknown reading of four {four!r}; expected one of {FOURS}")


def number_vocabulary() -> list[str]:
    """Every word read_number/read_label can produce, for recording a voice pack."""
    words = set(DIGIT_WORDS) | {"mười", "mươi", "mốt", "lăm", "tư", "trăm", "triệu", "tỷ"}
    words |= set(_THOUSAND.values()) | set(_EMPTY_TENS.values())
    for name in LETTER_NAMES.values():
        words.update(name.lower().split())
    return sorted(words)
