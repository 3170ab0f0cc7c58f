"""Clock and date as the lobby reads them: "09:05", "Thứ Hai, 23/11/2026" (the glossary's
weekday names, "Chủ nhật" included), in the center's time zone."""

from __future__ import annotations

from datetime import datetime, tzinfo

from shared.glossary import long_date


def clock_text(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def date_text(moment: datetime, zone: tzinfo) -> str:
    return long_date(moment.astimezone(zone).date(), "vi")


def date_text_en(moment: datetime, zone: tzinfo) -> str:
    return long_date(moment.astimezone(zone).date(), "en")
