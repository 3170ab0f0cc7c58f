"""Online booking rules that need no database: slots from opening hours, the booking code,
phone and ID numbers as people type them, and the kiosk's check-in window.

A site's opening hours are stored as the seed writes them:
    {"mon-fri": ["07:00-11:30", "13:30-17:00"], "sat": ["07:30-11:30"], "issue_until": ["11:15", "16:30"]}
"issue_until" (when the kiosk stops giving numbers in each period, by position) also
bounds the last slot: a slot must start before it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.errors import Invalid

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# No 0/O, 1/I/L: a code read aloud or copied from a phone by hand survives.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the check-in window passed without a check-in


# ---- opening hours and slots ---------------------------------------------------------------
def _parse_time(hh: str, mm: str) -> time:
    hours, minutes = int(hh), int(mm)
    if hours == 24 and minutes == 0:
        return time.max
    return time(hours, minutes)


def _days_of(key: str) -> list[int]:
    key = key.strip().lower()
    if "-" in key:
        first, _, last = key.partition("-")
        if first in DAY_NAMES and last in DAY_NAMES:
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            return list(range(a, b + 1)) if a <= b else []
        return []
    return [DAY_NAMES.index(key)] if key in DAY_NAMES else []


def opening_periods(hours: dict, weekday: int) -> list[tuple[time, time, time | None]]:
    """(start, end, last slot start bound) of each period a site is open on this weekday."""
    limits = hours.get("issue_until") or []
    for key, periods in hours.items():
        if weekday not in _days_of(key) or not isinstance(periods, list):
            continue
        found = []
        for index, text in enumerate(periods):
            m = _PERIOD.match(str(text))
            if not m:
                continue
            start, end = _parse_time(m[1], m[2]), _parse_time(m[3], m[4])
            limit = None
            if index < len(limits) and re.match(r"^\d{1,2}:\d{2}$", str(limits[index])):
                candidate = _parse_time(*str(limits[index]).split(":"))
                if start < candidate <= end:
                    limit = candidate
            if start < end:
                found.append((start, end, limit))
        return found
    return []


@dataclass(frozen=True)
class SlotRules:
    slot: timedelta
    capacity: int
    horizon_days: int
    checkin_before: timedelta
    checkin_after: timedelta


def slot_starts(hours: dict, day: date, slot: timedelta, tz: ZoneInfo) -> list[datetime]:
    """Every slot start of a day, as aware local times (the caller converts to UTC)."""
    starts: list[datetime] = []
    for start, end, limit in opening_periods(hours, day.weekday()):
        moment = datetime.combine(day, start, tzinfo=tz)
        close = datetime.combine(day, end, tzinfo=tz)
        last = datetime.combine(day, limit, tzinfo=tz) if limit else None
        while moment + slot <= close + timedelta(microseconds=1) and (last is None or moment < last):
            starts.append(moment)
            moment += slot
    return starts


def bookable_days(hours: dict, today: date, rules: SlotRules, calendar: WorkingCalendar) -> list[date]:
    """Days from today to the horizon on which the site opens, public holidays left out.
    A Saturday morning the site opens is bookable: people who work in the week need it most."""
    days = []
    for offset in range(rules.horizon_days + 1):
        d = today + timedelta(days=offset)
        if opening_periods(hours, d.weekday()) and not calendar.is_day_off(d):
            days.append(d)
    return days


# ---- codes, phones, ID numbers ---------------------------------------------------------------
def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD-EFGH: two groups of four are easy to read out and type."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def parse_code(text: str) -> str | None:
    """The stored form of a typed code (case, spaces and dashes do not matter), or None."""
    cleaned = re.sub(r"[\s\-.]", "", text or "").upper()
    if len(cleaned) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in cleaned):
        return cleaned
    return None


def token_in(text: str) -> str | None:
    """The token of a scanned confirmation QR (".../b/<token>"), or None."""
    text = (text or "").strip()
    if "/b/" in text:
        candidate = text.rsplit("/b/", 1)[1].split("?")[0].split("#")[0].strip("/")
        return candidate if _TOKEN.match(candidate) else None
    return None


def normalize_phone(text: str) -> str:
    """+84 and 9-10 national digits: 0912 345 678, 0912.345.678 and +84912345678 are one number."""
    raw = re.sub(r"[\s.\-()]", "", text or "")
    if raw.startswith("+"):
        digits = raw[1:]
        if not digits.startswith("84"):
            raise _bad_phone()
        national = digits[2:]
    elif raw.startswith("0084"):
        national = raw[4:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        raise _bad_phone()
    if national.startswith("0"):
        national = national[1:]  # +84 0912… is a common way of writing it
    if not national.isdigit() or not 9 <= len(national) <= 10 or national[0] == "0":
        raise _bad_phone()
    return "+84" + national


def _bad_phone() -> Invalid:
    return Invalid("Số điện thoại không hợp lệ. Ví dụ: 0912 345 678.",
                   "The phone number is not valid. Example: 0912 345 678.", code="invalid_phone")


def normalize_id_number(text: str) -> str:
    """Căn cước (12 digits), old CMND (9) or a passport number; empty when not given."""
    value = re.sub(r"[\s.\-]", "", text or "").upper()
    if value and not re.fullmatch(r"[A-Z0-9]{6,20}", value):
        raise Invalid("Số giấy tờ tùy thân không hợp lệ (căn cước 12 số, hoặc số hộ chiếu).",
                      "The ID number is not valid (12-digit ID card, or a passport number).",
                      code="invalid_id_number")
    return value


def mask_phone(phone: str) -> str:
    """What a page may show of a phone: 0912 *** 678."""
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{national[:4]} *** {national[-3:]}" if len(national) >= 8 else "***"


# ---- check-in --------------------------------------------------------------------------------
class CheckinTiming(StrEnum):
    TOO_EARLY = "too_early"
    ON_TIME = "on_time"
    TOO_LATE = "too_late"


def checkin_window(slot_start: datetime, rules: SlotRules) -> tuple[datetime, datetime]:
    return slot_start - rules.checkin_before, slot_start + rules.checkin_after


def checkin_timing(slot_start: datetime, now: datetime, rules: SlotRules) -> CheckinTiming:
    opens, closes = checkin_window(slot_start, rules)
    if now < opens:
        return CheckinTiming.TOO_EARLY
    if now > closes:
        return CheckinTiming.TOO_LATE
    return CheckinTiming.ON_TIME
