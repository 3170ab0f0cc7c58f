"""The floor: the least any server on this stack could spend to issue a ticket.

A bare FastAPI endpoint (like the baseline's: validated body, no auth, no middleware, no
response model) that does only the database work of issuing a ticket on motcua's own
SQLite schema, in one transaction: take the number, insert the ticket, count the line,
take the site's event number, append the event. No catalog lookup, no estimate, no
publish, no audit. Two ways:

- `core`: motcua's own prebuilt SQLAlchemy Core statements (adapters/repository.py),
  on motcua's engine (WAL, synchronous=NORMAL, BEGIN IMMEDIATE);
- `raw`: the same five statements as hand-written SQL on the `sqlite3` module.

Its rate over the baseline's says how much of the baseline a real ticket issue could
reach at best here: the issue target's ceiling. Run:
`MOTCUA_FLOOR_DB=/path/demo.db python -m bench.floor --port 8102 --mode core`.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sqlite3
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel

SITE_ID = 1
app = FastAPI()


def _site_services() -> list[int]:
    """The services the demo's first site offers: tickets rotate over them like the
    issue scenario's procedures do, so the line counts grow as they do there."""
    db = sqlite3.connect(os.environ["MOTCUA_FLOOR_DB"])
    try:
        return [r[0] for r in db.execute("SELECT service_id FROM site_services WHERE site_id = ? ORDER BY 1",
                                         (SITE_ID,))]
    finally:
        db.close()


class Body(BaseModel):
    procedure_code: str | None = None
    request_id: str | None = None


def _core_issue():  # noqa: ANN202
    from queue_server.adapters import repository as repo
    from queue_server.adapters.db import make_engine

    engine = make_engine(f"sqlite:///{os.environ['MOTCUA_FLOOR_DB']}")
    services = itertools.cycle(_site_services())

    def issue(body: Body) -> dict:
        now = datetime.now(UTC)
        service_id = next(services)
        with engine.connect() as conn:
            conn.begin()
            number = repo.take_sequence_number(conn, SITE_ID, service_id, now.date())
            ticket_id = repo.insert_ticket(
                conn, site_id=SITE_ID, service_id=service_id, business_day=now.date(),
                numbering_service_id=service_id, sequence_number=number, label=f"A{number:03d}",
                priority="normal", rank=0, status="waiting", tracking_token=secrets.token_urlsafe(16),
                arrived_at=now, issued_at=now, updated_at=now, request_key=body.request_id,
                recall_count=0, requeue_count=0, transfer_count=0)
            inputs = repo.estimate_inputs(conn, SITE_ID, service_id, 0, now, ticket_id)
            seq = repo.take_event_seqs(conn, SITE_ID, 1)
            repo.insert_events(conn, [{"site_id": SITE_ID, "seq": seq, "type": "TicketIssued", "at": now,
                                       "ticket_id": ticket_id, "counter_id": None, "staff_id": None,
                                       "device_id": None, "data": {}}])
            conn.commit()
        return {"id": ticket_id, "label": f"A{number:03d}", "waiting": inputs.waiting, "seq": seq}

    return issue


_RAW_SQL = (
    "INSERT INTO ticket_sequence (site_id, service_id, business_day, last_number) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (site_id, service_id, business_day) DO UPDATE SET last_number = last_number + 1 "
    "RETURNING last_number",
    "INSERT INTO tickets (site_id, service_id, business_day, numbering_service_id, sequence_number, label, "
    "priority, rank, status, tracking_token, arrived_at, issued_at, updated_at, request_key, recall_count, "
    "requeue_count, transfer_count) VALUES (?, ?, ?, ?, ?, ?, 'normal', 0, 'waiting', ?, ?, ?, ?, ?, 0, 0, 0) "
    "RETURNING id",
    "SELECT count(*) FROM tickets WHERE site_id = ? AND service_id = ? AND status = 'waiting'",
    "UPDATE sites SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq",
    "INSERT INTO ticket_events (site_id, seq, type, at, ticket_id, data) VALUES (?, ?, 'TicketIssued', ?, ?, '{}')",
)


def _raw_issue():  # noqa: ANN202
    db = sqlite3.connect(os.environ["MOTCUA_FLOOR_DB"], isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    number_sql, ticket_sql, count_sql, seq_sql, event_sql = _RAW_SQL
    services = itertools.cycle(_site_services())

    def issue(body: Body) -> dict:
        service_id = next(services)
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        day = now[:10]
        db.execute("BEGIN IMMEDIATE")
        number = db.execute(number_sql, (SITE_ID, service_id, day)).fetchone()[0]
        ticket_id = db.execute(ticket_sql, (SITE_ID, service_id, day, service_id, number, f"A{number:03d}",
                                            secrets.token_urlsafe(16), now, now, now, body.request_id)).fetchone()[0]
        waiting = db.execute(count_sql, (SITE_ID, service_id)).fetchone()[0]
        seq = db.execute(seq_sql, (SITE_ID,)).fetchone()[0]
        db.execute(event_sql, (SITE_ID, seq, now, ticket_id))
        db.execute("COMMIT")
        return {"id": ticket_id, "label": f"A{number:03d}", "waiting": waiting, "seq": seq}

    return issue


_issue = _raw_issue() if os.environ.get("MOTCUA_FLOOR_MODE") == "raw" else (
    _core_issue() if os.environ.get("MOTCUA_FLOOR_DB") else None)


@app.post("/bench/floor", status_code=201)
async def floor(body: Body) -> dict:
    return _issue(body)


@app.get("/bench/health")
async def health() -> dict:
    return {"status": "ok"}


def main(argv: list[str] | None = None) -> int:
    from bench.floor_app import serve

    return serve("bench.floor", argv)


if __name__ == "__main__":
    raise SystemExit(main())
