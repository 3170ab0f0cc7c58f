"""One vocabulary for every surface: the words a citizen reads or hears, defined once.

Kiosk, displays, citizen pages, manager web, counter client and the server's messages
take these words from here. `FORBIDDEN` lists the words no surface may use (a test
scans every text file a citizen or clerk sees), each with the word to use instead.
Vietnamese first, English second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Term:
    vi: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


# ---- nouns -----------------------------------------------------------------------------
TICKET = Term("phiếu số thứ tự", "ticket")
TICKET_NUMBER = Term("số thứ tự", "ticket number")
COUNTER = Term("quầy", "counter")
PROCEDURE = Term("thủ tục", "procedure")
FIELD = Term("lĩnh vực", "field")
SERVICE_LINE = Term("nhóm dịch vụ", "service")
DOSSIER = Term("hồ sơ", "dossier")
DOSSIER_CODE = Term("mã hồ sơ", "dossier code")
RECEIPT = Term("giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt and appointment slip")
CITIZEN_ADDRESS = Term("Ông/Bà", "you")  # how a citizen is addressed in a sentence

# ---- the product's name on every page header and title ---------------------------------
PRODUCT = "motcua"
CENTER = Term("Trung tâm Phục vụ hành chính công", "Public Administration Service Center")
MANAGER = Term("Quản lý", "Manager")
BOOKING = Term("Đặt lịch hẹn", "Book a visit")

# ---- calls and states ------------------------------------------------------------------
CALL_HEADING = Term("Mời công dân có số", "Now calling")
CALL_SENTENCE = Term("Mời công dân có số {label} đến quầy {counter}",
                     "Ticket {label}, please go to counter {counter}")
RECENT_CALLS = Term("Số vừa gọi", "Recent calls")
WAITING = Term("Đang chờ", "Waiting")
COUNTERS = Term("Các quầy", "Counters")
COUNTER_OPEN = Term("Đang mở", "Open")
COUNTER_CLOSED = Term("Đóng", "Closed")
COUNTER_PAUSED = Term("Tạm dừng", "Paused")
NO_COUNTER_OPEN = Term("Chưa có quầy mở", "No counter open yet")
SOON = Term("Sắp đến lượt", "Almost your turn")
NEXT_IN_LINE = Term("Ông/Bà là người kế tiếp", "You are next")
I_DONT_KNOW = Term("Không rõ thủ tục", "I don't know which procedure")
HELP_DESK = Term("Xin mời đến bàn hướng dẫn", "Please go to the help desk")

# ---- dates -----------------------------------------------------------------------------
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def weekday(day: date, lang: str = "vi") -> str:
    return (WEEKDAYS_EN if lang == "en" else WEEKDAYS_VI)[day.weekday()]


def long_date(day: date, lang: str = "vi") -> str:
    """"Chủ nhật, 06/12/2026" / "Sunday 6 December 2026"."""
    if lang == "en":
        return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{WEEKDAYS_VI[day.weekday()]}, {day:%d/%m/%Y}"


# ---- words no surface may use ------------------------------------------------------------
# pattern -> what to say instead. Patterns match whole Vietnamese syllables (case-sensitive
# where the capital letter is the fault).
FORBIDDEN: dict[str, str] = {
    r"(?<![\w])[Vv]é(?![\w])": "phiếu số thứ tự (not 'vé')",
    r"Chủ Nhật": "Chủ nhật",
    r"(?<![\w])[Mm]ời bạn(?![\w])": "Mời Ông/Bà … / Mời công dân có số …",
    r"ĐANG MỜI": "MỜI CÔNG DÂN CÓ SỐ (CALL_HEADING)",
    r"Person with merit": "People with meritorious service",
    r"Get a ticket for this": "Take a ticket",
}


def forbidden_words(text: str) -> list[tuple[str, str]]:
    """(the offending text, what to use instead) for every forbidden word in `text`."""
    found = []
    for pattern, instead in FORBIDDEN.items():
        for m in re.finditer(pattern, text):
            found.append((m.group(0), instead))
    return found
