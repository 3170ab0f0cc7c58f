"""The province control room at scale: a year of 200,000 dossiers on PostgreSQL (bulk
loaded, the same rows and log the handlers write), then the control room read again and
again — the data (live board, the month rebuilt from the event log, due lists), the JSON
endpoint and the HTML page — against the server's /health answered in the same run.

    python -m bench.control_room [--dossiers 200000] [--pg-url postgresql://…/postgres]

A throw-away database `motcua_bench_cr_<pid>` is created and dropped; nothing else is
touched. Prints a table of figures (median and p95 in ms). Not a test: figures, no verdict
beyond the target line it prints (issue 16: under 300 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from queue_server.adapters import tables as t
from queue_server.adapters.db import analyze, make_engine
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.legal_clock import timeliness, working_days_used
from queue_server.service_layer.rules import _VN_HOLIDAYS
from shared.enums import Role

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(holidays=_VN_HOLIDAYS)
CHUNK = 5000
TARGET_MS = 300
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@cache
def due_of(day: date, n: int) -> date:
    return CAL.add_working_days(day, n)


def _moment(day: date, minute_of_day: int) -> datetime:
    return datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=TZ).astimezone(UTC)


class Loader:
    """Writes dossiers as the handlers would: the row, its log, its hand-offs."""

    def __init__(self, conn, count: int, now: datetime, seed: int = 16) -> None:  # noqa: ANN001
        self.conn, self.count, self.now, self.rng = conn, count, now, random.Random(seed)
        sites = conn.execute(select(t.sites.c.id, t.sites.c.agency_code, t.sites.c.name_vi)).all()
        self.sites = [(s.id, s.agency_code, s.name_vi) for s in sites]
        self.agencies = [(a.id, a.name_vi) for a in conn.execute(select(t.agencies.c.id, t.agencies.c.name_vi))]
        self.officers: dict[int, int] = dict(conn.execute(
            select(t.staff.c.agency_id, t.staff.c.id).where(t.staff.c.role == Role.PROCESSOR.value,
                                                            t.staff.c.agency_head.is_(False))).all())
        self.clerk = conn.execute(select(t.staff.c.id).where(t.staff.c.username == "canbo.tt")).scalar_one()
        self.procedures = conn.execute(select(t.procedures.c.id, t.procedures.c.time_value).where(
            t.procedures.c.time_unit_vi == "Ngày làm việc", t.procedures.c.time_value.between(1, 15))
            .limit(300)).all()
        self.rows: dict[str, list[dict]] = {"dossiers": [], "events": [], "handoffs": [], "milestones": []}
        self.next_id = 1
        self.sequence: dict[tuple[str, date], int] = {}

    def flush(self) -> None:
        """Dossiers first: the log and the hand-offs refer to them."""
        for name, table in (("dossiers", t.dossiers), ("events", t.dossier_events), ("handoffs", t.dossier_handoffs),
                            ("milestones", t.dossier_milestones)):
            rows = self.rows[name]
            if rows:
                self.conn.execute(insert(table), rows)
                rows.clear()

    def run(self) -> None:
        start = (self.now.astimezone(TZ) - timedelta(days=365)).date()
        days = [start + timedelta(days=i) for i in range(366) if CAL.is_working_day(start + timedelta(days=i))]
        per_day = self.count / len(days)
        made = 0
        for index, day in enumerate(days):
            quota = int(per_day * (index + 1)) - made
            for _ in range(quota):
                self.dossier(day)
                made += 1
            if len(self.rows["events"]) >= CHUNK:
                self.flush()
        self.flush()

    def dossier(self, day: date) -> None:
        rng = self.rng
        site_id, agency_code, site_name = rng.choice(self.sites)
        agency_id, agency_name = rng.choice(self.agencies)
        procedure_id, legal = rng.choice(self.procedures)
        legal = int(legal)
        number = self.sequence[(agency_code, day)] = self.sequence.get((agency_code, day), 0) + 1
        did = self.next_id
        self.next_id += 1
        received = _moment(day, rng.randint(7 * 60 + 30, 16 * 60 + 30))
        due = due_of(day, legal)
        forwarded = received + timedelta(minutes=rng.randint(20, 120))
        events: list[tuple[datetime, str, str | None, str, dict, str]] = [
            (received, "receive", None, "received", {"due_date": due.isoformat()}, "")]
        if rng.random() < 0.88:
            events.append((received + timedelta(minutes=3), "digitize", "received", "received", {"files": 2}, ""))
        events.append((forwarded, "forward", "received", "forwarded", {"agency_code": str(agency_id)}, ""))
        accepted = forwarded + timedelta(hours=rng.randint(1, 20))
        events.append((accepted, "accept", "forwarded", "processing", {}, ""))
        officer = self.officers.get(agency_id)
        handoffs = [(forwarded, "forward", "center", site_name, "agency", agency_name, day, day),
                    (accepted, "assign", "agency", agency_name, "officer", "Cán bộ", due, accepted.astimezone(TZ).date())]
        stops: list[tuple[date, date]] = []
        status, new_due, apologized = "processing", None, None
        fate = rng.random()
        result_day = due_of(day, max(0, legal - rng.choice((0, 0, 1, 1, 2))))
        if fate < 0.10:  # supplement, resumed a few days later
            asked = accepted + timedelta(hours=2)
            back_day = due_of(asked.astimezone(TZ).date(), rng.randint(2, 5))
            events += [(asked, "request_supplement", "processing", "supplement_requested", {"items": []}, "x"),
                       (_moment(back_day, 9 * 60), "receive_supplement", "supplement_requested", "received", {}, ""),
                       (_moment(back_day, 10 * 60), "forward", "received", "forwarded", {}, ""),
                       (_moment(back_day, 11 * 60), "accept", "forwarded", "processing", {}, "")]
            stops.append((asked.astimezone(TZ).date(), back_day))
            due = due_of(back_day, max(1, legal - 1))
            result_day = due
        if fate > 0.97:
            events.append((accepted + timedelta(days=1), "refuse", "processing", "refused", {
                "reasons": ["Không thuộc thẩm quyền"], "on_time": None}, ""))
            status = "refused"
        elif fate > 0.92:
            new_due = due_of(due, 2)
            apologized = _moment(due, 15 * 60)
            events.append((apologized, "apologize", "processing", "processing",
                           {"new_due_date": new_due.isoformat()}, "Chờ xác minh"))
            result_day = due_of(due, 1)
        resolved = _moment(result_day, rng.randint(8 * 60, 15 * 60))
        if status != "refused" and resolved < self.now:
            judged = timeliness(result_day, due)
            used = working_days_used(CAL, day, result_day, stops)
            settle = {"due_date": due.isoformat(), "timeliness": judged.value,
                      "on_time": judged.value != "late" and apologized is None, "apologized": apologized is not None,
                      "working_days": used, "legal_days": legal}
            events += [(resolved, "resolve", "processing", "resolved", {"result_files": []}, ""),
                       (resolved + timedelta(minutes=40), "send_back", "resolved", "ready", settle, "")]
            handoffs.append((resolved + timedelta(minutes=40), "send_back", "agency", agency_name, "center", site_name,
                             due, result_day))
            status = "ready"
            collected = resolved + timedelta(days=rng.randint(1, 6))
            if collected < self.now and rng.random() < 0.9:
                events.append((collected, "return_result", "ready", "returned", {}, ""))
                status = "returned"
        events = [e for e in events if e[0] <= self.now]
        if not events:
            return
        status = events[-1][3]
        self.rows["dossiers"].append({
            "id": did, "code": f"{agency_code}-{day:%y%m%d}-{number:04d}", "site_id": site_id,
            "agency_code": agency_code, "business_day": day, "sequence_number": number,
            "procedure_id": procedure_id, "legal_time_value": float(legal), "legal_time_unit_vi": "Ngày làm việc",
            "applicant_name": "Nguyễn Văn Khách", "applicant_id_kind": "citizen_id",
            "applicant_id_number": "046190000000", "applicant_phone": "", "applicant_address": "",
            "applicant_email": "", "documents": [], "notes": "", "status": status, "received_at": received,
            "received_by": self.clerk, "counter_id": None, "due_date": due, "due_at": None,
            "lookup_pin_digest": "0" * 64, "updated_at": events[-1][0], "agency_id": agency_id,
            "assigned_staff_id": officer, "forward_deadline": day, "forwarded_at": forwarded,
            "clock_days_left": None, "new_due_date": new_due if apologized and apologized <= self.now else None,
            "apologized_at": apologized if apologized and apologized <= self.now else None})
        for at, action, before, after, data, note in events:
            self.rows["events"].append({"dossier_id": did, "at": at, "action": action, "from_status": before,
                                        "to_status": after, "staff_id": self.clerk, "counter_id": None,
                                        "note": note, "data": data})
        # The ledger rows the handlers write with these steps.
        ledger = {"receive": "received", "digitize": "digitized", "request_supplement": "supplement",
                  "send_back": "result", "refuse": "refused"}
        seen = set()
        for at, action, _, _, data, _ in events:
            kind = ledger.get(action)
            if kind is None or (kind in ("digitized", "supplement") and kind in seen):
                continue
            seen.add(kind)
            self.rows["milestones"].append({
                "dossier_id": did, "at": at, "kind": kind, "weight": 1, "agency_id": agency_id, "site_id": site_id,
                "received_on": day, "on_time": data.get("on_time") if kind == "result" else None,
                "working_days": data.get("working_days") if kind == "result" else None,
                "legal_days": data.get("legal_days") if kind == "result" else None})
        for at, kind, fk, fn, tk, tn, deadline, done in handoffs:
            if at <= self.now:
                judged = timeliness(done, deadline)
                self.rows["handoffs"].append({
                    "dossier_id": did, "at": at, "kind": kind, "from_kind": fk, "from_name": fn, "from_staff_id": None,
                    "to_kind": tk, "to_name": tn, "to_staff_id": None, "agency_id": agency_id, "site_id": site_id,
                    "deadline": deadline, "timeliness": judged.value if judged else None, "note": ""})


def _time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm: plans and caches, as on a server that has been up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.control_room", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=200_000, help="dossiers received over the last year")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg-url", default=os.environ.get("MOTCUA_BENCH_PG_URL", DEFAULT_PG_ADMIN))
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = parser.parse_args(argv)
    import psycopg

    name = f"motcua_bench_cr_{os.getpid()}"
    url = f"{args.pg_url.rpartition('/')[0]}/{name}"
    with psycopg.connect(args.pg_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        return _run(url, args)
    finally:
        if not args.keep:
            with psycopg.connect(args.pg_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            print(f"kept {url}")


def _run(url: str, args: argparse.Namespace) -> int:
    from fastapi.testclient import TestClient

    from queue_server.api.routes.control_room import read_control_room
    from queue_server.app import create_app
    from queue_server.bootstrap import bootstrap
    from queue_server.seed import DEMO_PASSWORD, prepare_demo_database
    from queue_server.settings import Settings

    prepare_demo_database(url)
    now = datetime.now(UTC)
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        Loader(conn, args.dossiers, now).run()
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT max(id) FROM dossiers))")
    analyze(engine)
    # Autovacuum would get there within minutes on a live server; the visibility map it
    # sets lets the live board read its index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("dossiers", "dossier_events", "dossier_milestones", "dossier_handoffs"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    with engine.connect() as conn:
        counts = {name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
                  for name in ("dossiers", "dossier_events", "dossier_handoffs", "dossier_milestones")}
    engine.dispose()
    print(f"loaded {counts} in {time.perf_counter() - started:.0f} s")

    wiring = bootstrap(Settings(database_url=url, environment="test"))
    this_month = now.astimezone(TZ).strftime("%Y-%m")
    last_month = (now.astimezone(TZ).date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    rows = []
    with TestClient(create_app(wiring)) as client:
        token = client.post("/api/v1/auth/login", json={"username": "quanly", "password": DEMO_PASSWORD}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        page = client.get("/manager/login")
        import re

        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        client.post("/manager/login", data={"csrf": csrf, "username": "quanly", "password": DEMO_PASSWORD,
                                            "next": "/manager/control"}, follow_redirects=False)
        baseline = _time(lambda: client.get("/api/v1/health"), args.runs)
        rows.append(("GET /api/v1/health (baseline)", *baseline))
        for month in (last_month, this_month):
            rows.append((f"control room data, month {month}",
                         *_time(lambda m=month: read_control_room(wiring, m), args.runs)))
            rows.append((f"GET /api/v1/control-room?month={month}",
                         *_time(lambda m=month: _ok(client.get("/api/v1/control-room", params={"month": m},
                                                               headers=headers)), args.runs)))
            rows.append((f"GET /manager/control?month={month} (HTML)",
                         *_time(lambda m=month: _ok(client.get("/manager/control", params={"month": m})), args.runs)))
    wiring.engine.dispose()
    print(f"\n{'what':<48} {'median ms':>10} {'p95 ms':>8} {'× health':>9}")
    for what, median, p95 in rows:
        print(f"{what:<48} {median:>10.1f} {p95:>8.1f} {median / baseline[0]:>9.1f}")
    worst = max(p95 for what, _, p95 in rows if "baseline" not in what)
    print(f"\ntarget: under {TARGET_MS} ms for a province with {args.dossiers:,} dossiers a year; "
          f"worst p95 {worst:.0f} ms — {'met' if worst < TARGET_MS else 'NOT met'}")
    return 0


def _ok(response):  # noqa: ANN001, ANN202
    if response.status_code != 200:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return response


if __name__ == "__main__":
    sys.exit(main())
