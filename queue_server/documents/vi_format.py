"""Dates and times written the way Vietnamese administrative documents write them.

Decree 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero
("ngày 05 tháng 02 năm 2026", "ngày 13 tháng 3 năm 2026") so they cannot be altered.
"""

from datetime import date, datetime

_WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def format_date_vi(d: date) -> str:
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def weekday_vi(d: date) -> str:
    return _WEEKDAYS_VI[d.weekday()]


def format_moment_vi(moment: datetime) -> str:
    """'09 giờ 42 phút, ngày 10 tháng 3 năm 2026' (already in local time)."""
    return f"{moment:%H} giờ {moment:%M} phút, {format_date_vi(moment.date())}"


def format_appointment_vi(due: date) -> str:
    """A due date with its weekday, which citizens plan by: 'thứ Sáu, ngày 13 tháng 3 năm
    2026'; an hour-based due datetime also shows the hour."""
    day = due.date() if isinstance(due, datetime) else due
    text = f"{weekday_vi(day)}, {format_date_vi(day)}"
    if isinstance(due, datetime):
        text = f"{due:%H} giờ {due:%M} phút, {text}"
    return text
