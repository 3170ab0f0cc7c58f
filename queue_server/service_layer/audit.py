"""The audit log: who did what, when, from where, and how it ended.

One place decides what is written. A request that may change something (any method but
GET/HEAD/OPTIONS) gets an `AuditEntry` in a context variable (the `AuditTrail` middleware
sets it); authenticating a staff member fills in who it is. Then:

- the first unit of work that commits during the request writes the entry, outcome `ok`,
  in that very transaction: the change and its audit row exist together or not at all;
- a request that ends refused (4xx, or a web form answered with an error message) or
  failed (5xx) without such a commit gets its entry written on its own as it answers.

Devices and citizens are not identified, so their requests leave no entry here (tickets
have their own event log). Command-line tools open an entry for themselves (`cli_entry`).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert

from queue_server.adapters import tables as t

OK, REFUSED, ERROR = "ok", "refused", "error"


@dataclass
class AuditEntry:
    method: str
    path: str
    address: str
    scope: dict[str, Any] | None = None  # the request's ASGI scope: route template, params
    template_of: Callable[[dict[str, Any]], str | None] | None = None  # scope -> "/counters/{counter_id}"
    staff_id: int | None = None
    username: str = ""
    role: str = ""
    actor_site_id: int | None = None
    target_hint: str = ""
    always: bool = False  # written even when nobody was identified (login attempts)
    refusal_code: str = ""
    written: bool = False
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return self.staff_id is not None or bool(self.username)

    @property
    def action(self) -> str:
        template = self.template_of(self.scope) if self.scope is not None and self.template_of else None
        return f"{self.method} {template or self.path}"[:200]

    @property
    def target(self) -> str:
        params = (self.scope or {}).get("path_params") or {}
        parts = [f"{k}={v}" for k, v in params.items()]
        if self.target_hint:
            parts.append(self.target_hint)
        return ", ".join(parts)[:300]


_current: ContextVar[AuditEntry | None] = ContextVar("motcua_audit", default=None)


def current() -> AuditEntry | None:
    return _current.get()


def begin(entry: AuditEntry):  # noqa: ANN201 - the context variable token
    return _current.set(entry)


def end(token) -> None:  # noqa: ANN001
    _current.reset(token)


def identify(staff: Row) -> None:
    """The caller is this staff member (called where a session is resolved)."""
    entry = _current.get()
    if entry is not None:
        entry.staff_id, entry.username, entry.role = staff.id, staff.username, staff.role
        entry.actor_site_id = staff.site_id


def login_attempt(username: str) -> None:
    """A login is audited whether or not it succeeds, and whoever it names."""
    entry = _current.get()
    if entry is not None:
        entry.always = True
        entry.username = username[:64]
        entry.target_hint = f"user={username[:64]}"


def note_refusal(code: str) -> None:
    entry = _current.get()
    if entry is not None and not entry.refusal_code:
        entry.refusal_code = code[:60]


def cli_entry(command: str) -> AuditEntry:
    """For `motcua user …`, `motcua device …`: the operator's OS account, from this machine."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return AuditEntry(method="CLI", path=command, address="local", username=f"cli:{who}"[:64], role="system",
                      always=True)


def _row(entry: AuditEntry, *, at: datetime, outcome: str, site_id: int | None = None,
         detail: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "at": at, "staff_id": entry.staff_id, "username": entry.username, "role": entry.role,
        "site_id": site_id if site_id is not None else entry.actor_site_id,
        "action": entry.action, "target": entry.target, "address": entry.address[:64], "outcome": outcome,
        "detail": {**entry.detail, **(detail or {})} or None,
    }


def write(conn: Connection, entry: AuditEntry, *, at: datetime, outcome: str, site_id: int | None = None,
          detail: dict[str, Any] | None = None) -> None:
    conn.execute(_INSERT_ENTRY, _row(entry, at=at, outcome=outcome, site_id=site_id, detail=detail))
    entry.written = True


# Built once: every staff action writes one (a statement built per call costs more than
# the insert itself).
_INSERT_ENTRY = insert(t.audit_log)


def write_with_commit(conn: Connection, at: datetime, events: list[dict[str, Any]]) -> None:
    """Called by the unit of work just before it commits a change."""
    row = row_for_commit(at, events)
    if row is not None:
        insert_row(conn, row)
        written()


def insert_row(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(_INSERT_ENTRY, row)


def written() -> None:
    """The row `row_for_commit` gave was written in the transaction about to commit."""
    entry = _current.get()
    if entry is not None:
        entry.written = True


def row_for_commit(at: datetime, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The audit row the request's committing change must carry (None if none is due),
    for a unit of work that writes it in one statement with its events."""
    entry = _current.get()
    if entry is None or entry.written or not (entry.identified or entry.always):
        return None
    labels = sorted({e["ticket"]["label"] for e in events if e.get("ticket") and e["ticket"].get("label")})
    detail: dict[str, Any] = {}
    if events:
        detail["events"] = sorted({e["type"] for e in events})
    if labels:
        detail["tickets"] = labels[:50]
    site_id = events[0]["site_id"] if events else None
    return _row(entry, at=at, outcome=OK, site_id=site_id, detail=detail)
