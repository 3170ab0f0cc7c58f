"""Clock and date as the lobby reads them: "09:05", "Thứ Hai, 23/11/2026" (Monday 23 Nov 2026)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from shared.glossary import WEEKDAYS_EN, WEEKDAYS_VI  # "Chủ nhật", one spelling everywhere

# Spelled here, not with strftime("%b"): the display PC's locale must not change the screen.
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock_text(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def date_text(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{WEEKDAYS_VI[local.weekday()]}, {local:%d/%m/%Y}"


def date_text_en(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{WEEKDAYS_EN[local.weekday()]} {local.day} {MONTHS_EN[local.month - 1]} {local.year}"
