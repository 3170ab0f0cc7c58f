"""Reading the audit log: by local day, staff member and site, newest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from queue_server.adapters import tables as t
from queue_server.service_layer.unit_of_work import UnitOfWork


def day_bounds(day: date, uow: UnitOfWork) -> tuple[datetime, datetime]:
    """The local calendar day (in the server's time zone) as a UTC interval."""
    start = datetime.combine(day, time(0), tzinfo=uow.rules.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=uow.rules.tz).astimezone(UTC)
    return start, end


def list_entries(uow: UnitOfWork, *, site_id: int | None = None, day: date | None = None,
                 staff: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    a = t.audit_log.c
    conditions = []
    if site_id is not None:
        conditions.append(a.site_id == site_id)
    if day is not None:
        start, end = day_bounds(day, uow)
        conditions += [a.at >= start, a.at < end]
    if staff:
        staff = staff.strip()
        by_name = a.username == staff
        conditions.append(or_(by_name, a.staff_id == int(staff)) if staff.isdigit() and len(staff) < 10 else by_name)
    with uow:
        total = uow.conn.execute(select(func.count()).select_from(t.audit_log).where(*conditions)).scalar_one()
        rows = uow.conn.execute(
            select(t.audit_log, t.sites.c.code.label("site_code"))
            .outerjoin(t.sites, t.sites.c.id == a.site_id)
            .where(*conditions).order_by(a.at.desc(), a.id.desc()).limit(limit).offset(offset)
        ).all()
    items = [{"id": r.id, "at": r.at, "staff_id": r.staff_id, "username": r.username, "role": r.role,
              "site_id": r.site_id, "site_code": r.site_code, "action": r.action, "target": r.target,
              "address": r.address, "outcome": r.outcome, "detail": r.detail} for r in rows]
    return {"total": total, "items": items}
