"""Wire models of the oversight endpoints: devices (kiosks, displays) and the audit log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from .enums import DeviceKind


class DeviceOut(BaseModel):
    id: int
    name: str
    kind: DeviceKind
    site_id: int
    site_code: str
    created_at: datetime
    revoked_at: datetime | None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    staff_id: int | None
    username: str
    role: str
    site_id: int | None
    site_code: str | None
    action: str  # "METHOD /route/{template}" or "CLI motcua …"
    target: str  # the route's parameters, e.g. "counter_id=3"
    address: str
    outcome: str  # ok | refused | error
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    total: int
    items: list[AuditEntryOut]
