"""The call-next floor: the least any server on this stack could spend on a claim cycle.

A bare FastAPI endpoint pair (validated path, no auth, middleware, audit or reply model)
doing only a counter's database work on motcua's own schema, like `bench/floor.py` does
for an issue:

- call-next, one write transaction: read the counter with its current ticket, finish that
  ticket, read the ordering policy's candidates (motcua's own claim query), pick the best,
  mark it called, point the counter at it, take two event numbers of the site, append the
  two events (TicketServed, TicketCalled);
- start, one write transaction: read the counter (locked on PostgreSQL), mark its ticket
  serving, take an event number, append the event.

No handling statistics, no waiting counts, no audit row, no publish. Two ways, on either
database (`MOTCUA_FLOOR_DB` is a SQLAlchemy URL):

- `core`: motcua's prebuilt SQLAlchemy Core statements (adapters/repository.py) on an
  engine like motcua's (SQLite: WAL, BEGIN IMMEDIATE; PostgreSQL: psycopg, no pre-ping);
- `raw`: the same work as SQL text on the driver (`sqlite3` or `psycopg`); the claim is
  motcua's claim statement compiled once to its SQL text.

Run: `MOTCUA_FLOOR_DB=sqlite:///demo.db python -m bench.claim_floor --port 8103 --mode raw`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
Work = Callable[[int], dict | None]


def _weights_of(execute_all: Callable[[str, tuple], list], placeholder: str) -> Callable[[int], dict[int, int]]:
    """A counter's services and weights, read once (motcua caches them too)."""
    cache: dict[int, dict[int, int]] = {}

    def weights(counter_id: int) -> dict[int, int]:
        if counter_id not in cache:
            rows = execute_all(f"SELECT service_id, weight FROM counter_services WHERE counter_id = {placeholder}",
                               (counter_id,))
            cache[counter_id] = {r[0]: r[1] for r in rows}
        return cache[counter_id]

    return weights


def _events(site_id: int, last_seq: int, at: Any, items: list[tuple[str, int]], counter_id: int) -> list[dict]:
    first = last_seq - len(items) + 1
    return [{"site_id": site_id, "seq": first + i, "type": kind, "at": at, "ticket_id": tid, "counter_id": counter_id,
             "staff_id": None, "device_id": None, "data": {}} for i, (kind, tid) in enumerate(items)]


# ---- core: motcua's statements --------------------------------------------------------------
def _core(url: str) -> tuple[Work, Work]:
    from sqlalchemy import create_engine

    from queue_server.adapters import repository as repo
    from queue_server.adapters.db import is_sqlite_url, make_engine, normalize_url
    from queue_server.domain.ordering import CounterView, DefaultPolicy, choose

    engine = make_engine(url) if is_sqlite_url(url) else create_engine(normalize_url(url), pool_size=2)
    policy = DefaultPolicy()
    with engine.connect() as conn:  # read once: motcua caches them too
        weights = {cid: repo.counter_weights(conn, cid) for cid in conn.exec_driver_sql("SELECT id FROM counters")
                   .scalars()}

    def call_next(counter_id: int) -> dict | None:
        now = datetime.now(UTC)
        with engine.connect() as conn:
            conn.begin()
            counter, current = repo.counter_and_current_ticket(conn, counter_id)
            items = []
            if current is not None:
                repo.update_ticket(conn, current["id"], current["status"], status="done", finished_at=now,
                                   updated_at=now)
                items.append(("TicketServed", current["id"]))
            served = weights[counter_id]
            rows = {r.id: r for r in repo.claim_candidates(conn, counter["site_id"], counter_id, sorted(served),
                                                           policy.heads)}
            best = choose(policy, [repo.as_candidate(r, counter_id) for r in rows.values()],
                          CounterView(counter_id, served), now)
            if best is None:
                repo.update_counter(conn, counter_id, current_ticket_id=None, updated_at=now)
                conn.commit()
                return None
            row = rows[best.ticket_id]
            repo.update_ticket(conn, row.id, row.status, status="called", counter_id=counter_id, called_at=now,
                               first_called_at=row.first_called_at or now, updated_at=now)
            repo.update_counter(conn, counter_id, current_ticket_id=row.id, updated_at=now)
            items.append(("TicketCalled", row.id))
            last = repo.take_event_seqs(conn, counter["site_id"], len(items))
            repo.insert_events(conn, _events(counter["site_id"], last, now, items, counter_id))
            conn.commit()
        return {"id": row.id, "label": row.label, "seq": last}

    def start(counter_id: int) -> dict | None:
        now = datetime.now(UTC)
        with engine.connect() as conn:
            conn.begin()
            counter, current = repo.counter_and_current_ticket(conn, counter_id)
            repo.update_ticket(conn, current["id"], "called", status="serving", started_at=now, updated_at=now)
            last = repo.take_event_seqs(conn, counter["site_id"], 1)
            repo.insert_events(conn, _events(counter["site_id"], last, now, [("TicketStarted", current["id"])],
                                             counter_id))
            conn.commit()
        return {"id": current["id"], "seq": last}

    return call_next, start


# ---- raw: SQL text on the driver ------------------------------------------------------------
def _claim_sql(dialect_name: str, services: int) -> tuple[str, dict[str, Any]]:
    """motcua's claim statement for `services` services, compiled once: its SQL text and
    its parameters' fixed values (the LIMITs)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from queue_server.adapters.repository import _claim_union
    from queue_server.domain.ordering import DefaultPolicy

    pg = dialect_name == "postgresql"
    dialect = postgresql.psycopg.dialect() if pg else sqlite.dialect(paramstyle="named")
    compiled = _claim_union(DefaultPolicy().heads, services, pg).compile(dialect=dialect)
    return compiled.string, {k: v for k, v in compiled.params.items() if v is not None}


_RAW = {
    "counter": "SELECT c.site_id, c.current_ticket_id, t.status FROM counters c "
               "LEFT JOIN tickets t ON t.id = c.current_ticket_id WHERE c.id = {p}{lock}",
    "finish": "UPDATE tickets SET status = 'done', finished_at = {p}, updated_at = {p} WHERE id = {p} AND status = {p}",
    "call": "UPDATE tickets SET status = 'called', counter_id = {p}, called_at = {p}, "
            "first_called_at = coalesce(first_called_at, {p}), updated_at = {p} WHERE id = {p} AND status = 'waiting'",
    "point": "UPDATE counters SET current_ticket_id = {p}, updated_at = {p} WHERE id = {p}",
    "start": "UPDATE tickets SET status = 'serving', started_at = {p}, updated_at = {p} "
             "WHERE id = {p} AND status = 'called'",
    "seq": "UPDATE sites SET event_seq = event_seq + {p} WHERE id = {p} RETURNING event_seq",
    "event": "({p}, {p}, {p}, {p}, {p}, {p}, '{{}}')",
    "events": "INSERT INTO ticket_events (site_id, seq, type, at, ticket_id, counter_id, data) VALUES ",
}


def _raw(url: str) -> tuple[Work, Work]:
    from queue_server.adapters.db import is_sqlite_url

    if is_sqlite_url(url):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        p, lock, begin, commit = "?", "", "BEGIN IMMEDIATE", "COMMIT"
        dialect = "sqlite"

        def stamp() -> Any:
            return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    else:
        import psycopg

        db = psycopg.connect(url.replace("+psycopg", ""))
        p, lock, begin, commit = "%s", " FOR UPDATE OF c", None, "COMMIT"
        dialect = "postgresql"

        def stamp() -> Any:
            return datetime.now(UTC)

    sql = {k: v.format(p=p, lock=lock) for k, v in _RAW.items()}
    claims: dict[int, tuple[str, dict[str, Any]]] = {}
    weights = _weights_of(lambda q, params: db.execute(q, params).fetchall(), p)
    if begin is None:
        db.commit()

    def run(statement: str, params: tuple) -> Any:
        return db.execute(statement, params)

    def events(site_id: int, at: Any, items: list[tuple[str, int]], counter_id: int) -> int:
        last = run(sql["seq"], (len(items), site_id)).fetchone()[0]
        first = last - len(items) + 1
        params: list[Any] = []
        for i, (kind, tid) in enumerate(items):
            params += [site_id, first + i, kind, at, tid, counter_id]
        run(sql["events"] + ", ".join([sql["event"]] * len(items)), tuple(params))
        return last

    def claim(site_id: int, counter_id: int) -> Any:
        served = sorted(weights(counter_id))
        text, fixed = claims.get(len(served)) or claims.setdefault(len(served), _claim_sql(dialect, len(served)))
        values = {**fixed, "site_id": site_id, "counter_id": counter_id, **{f"s{i}": s for i, s in enumerate(served)}}
        return db.execute(text, values).fetchall()  # rows of the tickets table's columns

    columns = _ticket_columns()

    def call_next(counter_id: int) -> dict | None:
        now = stamp()
        if begin:
            db.execute(begin)
        site_id, current_id, current_status = run(sql["counter"], (counter_id,)).fetchone()
        items = []
        if current_id is not None:
            run(sql["finish"], (now, now, current_id, current_status))
            items.append(("TicketServed", current_id))
        rows = claim(site_id, counter_id)
        if not rows:
            run(sql["point"], (None, now, counter_id))
            db.execute(commit)
            return None
        best = min(rows, key=lambda r: (-r[columns["rank"]], r[columns["arrived_at"]], r[0]))
        run(sql["call"], (counter_id, now, now, now, best[0]))
        run(sql["point"], (best[0], now, counter_id))
        items.append(("TicketCalled", best[0]))
        last = events(site_id, now, items, counter_id)
        db.execute(commit)
        return {"id": best[0], "label": best[columns["label"]], "seq": last}

    def start(counter_id: int) -> dict | None:
        now = stamp()
        if begin:
            db.execute(begin)
        site_id, current_id, _ = run(sql["counter"], (counter_id,)).fetchone()
        run(sql["start"], (now, now, current_id))
        last = events(site_id, now, [("TicketStarted", current_id)], counter_id)
        db.execute(commit)
        return {"id": current_id, "seq": last}

    return call_next, start


def _ticket_columns() -> dict[str, int]:
    from queue_server.adapters import tables as t

    return {c.name: i for i, c in enumerate(t.tickets.c)}


_work: tuple[Work, Work] | None = None
if os.environ.get("MOTCUA_FLOOR_DB"):
    _work = (_raw if os.environ.get("MOTCUA_FLOOR_MODE") == "raw" else _core)(os.environ["MOTCUA_FLOOR_DB"])

@app.post("/bench/floor/counters/{counter_id}/call-next")
async def call_next(counter_id: int) -> Any:
    reply = _work[0](counter_id)
    return JSONResponse({"code": "no_ticket_waiting"}, status_code=409) if reply is None else reply


@app.post("/bench/floor/counters/{counter_id}/start")
async def start(counter_id: int) -> Any:
    return _work[1](counter_id)


@app.get("/bench/health")
async def health() -> dict:
    return {"status": "ok"}


def main(argv: list[str] | None = None) -> int:
    from bench.floor_app import serve

    return serve("bench.claim_floor", argv)


if __name__ == "__main__":
    raise SystemExit(main())
