"""The business day a moment belongs to, in the center's local time.

Numbering restarts every business day. The day is decided in local time (Asia/Ho_Chi_Minh),
never UTC: a ticket at 23:59 and one at 00:01 belong to different days, and a server
running in UTC does not start a new day at 07:00 local ("tickets corrupt after 5 pm").
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def business_day(moment: datetime, tz: ZoneInfo, rollover: time = time(0, 0)) -> date:
    if moment.tzinfo is None:
        raise ValueError("business_day needs an aware datetime")
    local = moment.astimezone(tz)
    shift = timedelta(hours=rollover.hour, minutes=rollover.minute)
    return (local - shift).date()


def day_bounds_utc(day: date, tz: ZoneInfo, rollover: time = time(0, 0)) -> tuple[datetime, datetime]:
    """[start, end) of a business day as aware datetimes (for reports and 'today' figures)."""
    start = datetime.combine(day, rollover, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), rollover, tzinfo=tz)
    return start, end
