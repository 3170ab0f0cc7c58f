"""The QR code on the back of a chip ID card (căn cước công dân, CCCD; căn cước from 2024).

The card's QR holds one line, `ID12|old ID9|full name|ddmmyyyy birth|sex|residence|ddmmyyyy
issued`, which a USB 2D scanner types as keystrokes. It is untrusted input: whatever is read
is either a whole, checked `CardData` or a `CardQrError` that says in Vietnamese and English
what is wrong, never half of a card. Tolerated, because real scanners and cards do it:
surrounding spaces and control characters, a trailing `|`, fields left empty, extra fields
of newer cards, a card without the old-ID field, dates written `dd/mm/yyyy`, sex in any case
and with or without its accent, and UTF-8 read as Latin-1 by a scanner set to another
keyboard ("Nguyá»…n" is repaired to "Nguyễn").

The 12-digit personal ID (số định danh cá nhân, Decree 137/2015) is checked for its
structure: a known province code, then a digit for sex and century, then the last two digits
of the birth year, which must agree with the birth date and sex when those are given.

Also here, for the kiosk: the age on a day and whether to offer the elderly priority
(người cao tuổi: 60 or older). Nothing here keeps or prints anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

MAX_QR_CHARS = 600  # a real card's line is ~150 characters; anything far longer is not one
MAX_NAME_CHARS = 100
MAX_ADDRESS_CHARS = 300  # what a dossier's applicant address takes
ELDERLY_AGE = 60

# Province codes of the personal ID (Circular 07/2016/TT-BCA): the 63 provinces as they were
# when the cards were issued; the 2025 merger kept these numbers on every card.
_PROVINCES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 "
    "036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 "
    "074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCE_CODES = frozenset(_PROVINCES.split(" "))
# The 4th digit: sex and century of birth (0/1: 1900s, 2/3: 2000s, ... 8/9: 1800s).
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
MALE, FEMALE = "Nam", "Nữ"
_SEX_WORDS = {"nam": MALE, "male": MALE, "m": MALE, "nu": FEMALE, "nữ": FEMALE, "female": FEMALE, "f": FEMALE}
_ID12 = re.compile(r"[0-9]{12}")
_ID9 = re.compile(r"[0-9]{9}")
_DATE = re.compile(r"([0-9]{2})[/.-]?([0-9]{2})[/.-]?([0-9]{4})")
# A name: letters (any script's, with their marks), spaces, and the few signs names carry.
_NAME_SIGNS = frozenset(" '-.")
# Mojibake: UTF-8 bytes shown as Latin-1/cp1252 characters start with one of these.
_MOJIBAKE = re.compile("[ÃÄÅÆáº»]")


class CardQrError(ValueError):
    """A scan that is not a usable card: `message_vi` and `message_en` say why."""

    def __init__(self, why_vi: str, why_en: str, *, field: str = "") -> None:
        self.field = field
        self.message_vi = f"Không đọc được mã QR trên CCCD: {why_vi} Hãy quét lại hoặc nhập tay."
        self.message_en = f"Unreadable ID card QR: {why_en} Scan again or type it in."
        super().__init__(self.message_en)

    @property
    def message(self) -> str:
        """Both languages, for one line on a screen."""
        return f"{self.message_vi} · {self.message_en}"


@dataclass(frozen=True)
class CardData:
    id_number: str  # 12 digits
    old_id_number: str = ""  # the 9-digit CMND of older cards, or ""
    full_name: str = ""
    birth_date: date | None = None
    sex: str = ""  # "Nam" | "Nữ" | ""
    address: str = ""  # nơi thường trú
    issue_date: date | None = None
    extra_fields: int = 0  # fields past the seventh (newer cards); read, not used

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day) if self.birth_date else None


def parse_card_qr(text: str, *, today: date) -> CardData:
    """The card a scanned line describes, checked whole; CardQrError otherwise."""
    if not isinstance(text, str):
        raise CardQrError("dữ liệu không phải văn bản.", "the data is not text.")
    if len(text) > MAX_QR_CHARS * 4:  # refuse before any work on an absurd input
        raise _too_long()
    line = _clean(_repair_mojibake(text))
    if not line:
        raise CardQrError("không có dữ liệu.", "nothing was read.")
    if len(line) > MAX_QR_CHARS:
        raise _too_long()
    if "|" not in line:
        raise CardQrError("đây không phải mã QR của căn cước (thiếu dấu phân cách |).",
                          "this is not an ID card QR (no | separators).")
    fields = [" ".join(_repair_mojibake(f).split()) for f in line.split("|")]
    while len(fields) > 7 and fields[-1] == "":
        fields.pop()  # a trailing "|"
    if len(fields) == 6:  # one field short: find the birth date to tell which one
        if _looks_like_date(fields[2]) or _is_sex(fields[3]):
            fields.insert(1, "")  # a card whose line has no old-ID field
        elif _looks_like_date(fields[3]) or _is_sex(fields[4]):
            fields.append("")  # a line without the issue date
    if len(fields) < 7:
        raise CardQrError(f"chỉ có {len(fields)} trường, cần 7.", f"only {len(fields)} fields, 7 are needed.")
    id12, id9, name, born, sex, address, issued = fields[:7]
    card = CardData(
        id_number=_id_number(id12),
        old_id_number=_old_id(id9),
        full_name=_name(name),
        birth_date=_date(born, "ngày sinh", "birth date", "birth_date", today),
        sex=_sex(sex),
        address=_address(address),
        issue_date=_date(issued, "ngày cấp", "issue date", "issue_date", today),
        extra_fields=len(fields) - 7,
    )
    _check_consistency(card)
    return card


def _too_long() -> CardQrError:
    return CardQrError(f"dữ liệu quá dài (tối đa {MAX_QR_CHARS} ký tự).",
                       f"too long (at most {MAX_QR_CHARS} characters).")


def _repair_mojibake(text: str) -> str:
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _clean(text: str) -> str:
    """NFC, without control and format characters (a scanner's CR/LF/TAB, a BOM)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()


def _id_number(value: str) -> str:
    compact = value.replace(" ", "")
    if not compact:
        raise CardQrError("thiếu số định danh cá nhân.", "the personal ID number is missing.", field="id_number")
    if not _ID12.fullmatch(compact):
        raise CardQrError("số định danh phải có đúng 12 chữ số.", "the personal ID must be exactly 12 digits.",
                          field="id_number")
    if compact[:3] not in PROVINCE_CODES:
        raise CardQrError(f"mã tỉnh {compact[:3]} của số định danh không tồn tại.",
                          f"province code {compact[:3]} of the ID does not exist.", field="id_number")
    return compact


def _old_id(value: str) -> str:
    if value and not _ID9.fullmatch(value.replace(" ", "")):
        raise CardQrError("số CMND cũ phải có 9 chữ số.", "the old ID (CMND) must have 9 digits.",
                          field="old_id_number")
    return value.replace(" ", "")


def _name(value: str) -> str:
    if len(value) > MAX_NAME_CHARS:
        raise CardQrError(f"họ tên quá dài (tối đa {MAX_NAME_CHARS} ký tự).",
                          f"the name is too long (at most {MAX_NAME_CHARS} characters).", field="full_name")
    if any(not (ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in _NAME_SIGNS) for ch in value):
        raise CardQrError("họ tên có ký tự không hợp lệ.", "the name has characters a name cannot have.",
                          field="full_name")
    return value


def _looks_like_date(value: str) -> bool:
    return _DATE.fullmatch(value) is not None


def _date(value: str, what_vi: str, what_en: str, field: str, today: date) -> date | None:
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if match is None:
        raise CardQrError(f"{what_vi} phải có dạng ngày tháng năm (ddmmyyyy).",
                          f"the {what_en} must be ddmmyyyy.", field=field)
    day, month, year = (int(g) for g in match.groups())
    try:
        result = date(year, month, day)
    except ValueError:
        raise CardQrError(f"{what_vi} {value} không tồn tại.", f"there is no {what_en} {value}.", field=field) from None
    if result > today or result.year < 1880:
        raise CardQrError(f"{what_vi} {result:%d/%m/%Y} không hợp lệ.", f"the {what_en} {result:%d/%m/%Y} is impossible.",
                          field=field)
    return result


def _sex_word(value: str) -> str | None:
    key = unicodedata.normalize("NFC", value).strip().lower()
    folded = "".join(ch for ch in unicodedata.normalize("NFD", key) if unicodedata.category(ch) != "Mn")
    return _SEX_WORDS.get(key) or _SEX_WORDS.get(folded)


def _is_sex(value: str) -> bool:
    return _sex_word(value) is not None


def _sex(value: str) -> str:
    if not value:
        return ""
    sex = _sex_word(value)
    if sex is None:
        raise CardQrError(f"giới tính “{value[:10]}” không rõ (Nam hoặc Nữ).", f"unknown sex {value[:10]!r}.",
                          field="sex")
    return sex


def _address(value: str) -> str:
    if len(value) > MAX_ADDRESS_CHARS:
        raise CardQrError(f"địa chỉ quá dài (tối đa {MAX_ADDRESS_CHARS} ký tự).",
                          f"the address is too long (at most {MAX_ADDRESS_CHARS} characters).", field="address")
    return value


def _check_consistency(card: CardData) -> None:
    digit, year2 = int(card.id_number[3]), int(card.id_number[4:6])
    if card.birth_date is not None:
        born_in = _CENTURY[digit] + year2
        if born_in != card.birth_date.year:
            raise CardQrError(f"số định danh ghi năm sinh {born_in}, khác ngày sinh {card.birth_date:%d/%m/%Y}.",
                              f"the ID says born {born_in}, not {card.birth_date:%d/%m/%Y}.", field="id_number")
        if card.issue_date is not None and card.issue_date < card.birth_date:
            raise CardQrError("ngày cấp trước ngày sinh.", "issued before the holder was born.", field="issue_date")
    if card.sex and card.sex != (MALE if digit % 2 == 0 else FEMALE):
        raise CardQrError("giới tính khác với số định danh.", "the sex does not match the ID number.", field="sex")


# ---- age and the kiosk's elderly priority ----------------------------------------------------
def age_on(birth: date, day: date) -> int:
    """Whole years: a birthday not yet reached this year does not count (29 February
    counts on 1 March in other years)."""
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


@dataclass(frozen=True)
class ElderlyOffer:
    """What the kiosk tells a citizen who scanned their card: offer the elderly priority
    (one tap to accept) or not, and why. The card's data itself is not returned."""

    offer: bool
    age: int | None
    message_vi: str
    message_en: str


def elderly_priority_offer(scanned: str, *, today: date, min_age: int = ELDERLY_AGE) -> ElderlyOffer:
    try:
        card = parse_card_qr(scanned, today=today)
    except CardQrError as exc:
        return ElderlyOffer(False, None, exc.message_vi, exc.message_en)
    age = card.age_on(today)
    if age is None:
        return ElderlyOffer(False, None, "Thẻ không ghi ngày sinh: hãy nhờ cán bộ hướng dẫn nếu ông/bà được ưu tiên.",
                            "The card has no birth date: ask the help desk if you are entitled to priority.")
    if age >= min_age:
        return ElderlyOffer(True, age, f"Ông/bà {age} tuổi được ưu tiên (người cao tuổi). Chạm để nhận số ưu tiên.",
                            f"At {age} you have elderly priority. Tap to take a priority ticket.")
    return ElderlyOffer(False, age, "Ông/bà lấy số thứ tự thông thường.", "Please take an ordinary ticket.")


def card_validity_end(card: CardData) -> date | None:
    """When the card must be renewed (Law on Identification 2023, art. 21): at 25, 40 and
    60 years of age; a card issued within two years before one of these ages lasts to the
    next; one issued at 58 or later lasts for life (None)."""
    if card.birth_date is None or card.issue_date is None:
        return None
    age_at_issue = age_on(card.birth_date, card.issue_date)
    for milestone in (25, 40, 60):
        if age_at_issue < milestone - 2:
            return _birthday(card.birth_date, milestone)
    return None


def _birthday(birth: date, age: int) -> date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February
        return date(birth.year + age, 3, 1)


def format_card_qr(card: CardData) -> str:
    """The line a card's QR holds (for test cards and the demo; the inverse of the parser)."""
    def day(value: date | None) -> str:
        return f"{value:%d%m%Y}" if value else ""
    return "|".join([card.id_number, card.old_id_number, card.full_name, day(card.birth_date), card.sex,
                     card.address, day(card.issue_date)])


# Test cards for the demo and the tests: made-up people (the IDs are well-formed, and a
# 12-digit ID could belong to someone, so these stay out of any real database).
SAMPLE_CARDS = {
    "elderly": CardData("046060012345", "191234567", "Nguyễn Văn Mẫu", date(1960, 5, 12), MALE,
                        "12 Lê Lợi, phường Thuận Hóa, thành phố Huế", date(2021, 4, 20)),
    "young": CardData("046301098765", "", "Trần Thị Thử", date(2001, 11, 3), FEMALE,
                      "45 Nguyễn Huệ, phường Phú Xuân, thành phố Huế", date(2024, 7, 15)),
}
