"""A month of dossiers for the demo province (`motcua seed --demo`), lived through the real
handlers on a moving clock so the log, the hand-offs, the forms and the control room all
tell one true story: citizens take a ticket and hand in a dossier at a counter (most are
scanned there), the center forwards it under the 15:00 rule, the agency accepts, assigns,
sometimes asks for a supplement or refuses (a few citizens withdraw theirs: form 05),
mostly has the result in time, now and then
late (with the apology and a new date, form 04), sends it back, and the citizen collects
it at the return desk with the slip's QR. Dossiers of the last days are still open.

Deterministic for a given start day and seed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from queue_server import demo_visits
from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.file_store import FileStore
from queue_server.bootstrap import Wiring
from queue_server.domain import commands as cmd
from queue_server.domain import dossier_commands as dc
from queue_server.domain.calendar import WorkingCalendar
from queue_server.domain.errors import Conflict
from queue_server.domain.legal_clock import days_left_when_stopped, due_after_restart
from queue_server.seed import AGENCIES
from queue_server.service_layer import agency_work, dossier_stop, handlers
from queue_server.service_layer import dossiers as dossier_handlers
from queue_server.service_layer.agencies import active_agencies, match_agency
from queue_server.service_layer.menu_scope import compute_scope
from shared.enums import DeviceKind, Role

log = logging.getLogger(__name__)

# Dossiers received per working day at each site (a provincial center and its branches).
PER_DAY = {"HUE-TT": 9, "HUE-PX": 4, "HUE-TH": 4, "HUE-PV": 2}
# How often each agency settles a dossier of the demo (the commune committee of the site
# for its commune-level procedures).
AGENCY_WEIGHTS = {"commune": 32, "CA-HUE": 16, "STP": 10, "SXD": 10, "VPDKDD": 10, "SNNMT": 8, "THUE-HUE": 7,
                  "BHXH-HUE": 4, "UBND-HUE": 3}
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Hoài")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến")
STREETS = ("Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Bà Triệu", "Phan Đình Phùng", "Đống Đa",
           "Hai Bà Trưng", "Ngô Quyền", "Điện Biên Phủ")
LATE_REASONS = ("Cần xác minh thông tin với cơ quan khác", "Chờ ý kiến của cơ quan phối hợp",
                "Cán bộ thụ lý nghỉ ốm đột xuất", "Hệ thống cơ sở dữ liệu chuyên ngành gián đoạn")
SUPPLEMENTS = (("Bản sao có chứng thực giấy tờ tùy thân", "Bản đã nộp là bản chụp, không có chứng thực"),
               ("Tờ khai có chữ ký của người yêu cầu", "Tờ khai chưa ký"),
               ("Giấy ủy quyền", "Người nộp không phải người có yêu cầu"))
# Procedures the catalog leaves without an agency that a demo should not send to a ward.
ODD_FOR_A_WARD = ("hải quan", "nhập khẩu", "xuất khẩu")
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
       b"trailer<</Root 1 0 R>>\n%%EOF\n"


class MovingClock:
    """The demo's clock: each step is taken at the moment it is scheduled for."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class Op:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class Plan:
    """One dossier's story, decided up front; its code is known once received."""

    site: str
    procedure: Any
    agency: str
    legal_days: int
    code: str = ""
    stopped: bool = False  # a later step could not be taken (the story ends here)


class DemoMonth:
    def __init__(self, wiring: Wiring, clock: MovingClock, start: date, end: datetime, seed: int,
                 walk_ins: bool = False) -> None:
        self.w, self.clock, self.start, self.end = wiring, clock, start, end
        self.walk_ins = walk_ins
        self.rng = random.Random(seed)
        self.rules = dossier_handlers.DossierRules.from_settings(wiring.settings)
        self.cal: WorkingCalendar = self.rules.calendar
        self.tz = self.rules.tz
        self.ops: list[Op] = []
        self.order = 0
        self.stopped: Counter[str] = Counter()
        self.visits = 0
        with wiring.reader() as uow:
            conn = uow.conn
            self.sites = {r.code: r for r in conn.execute(select(t.sites))}
            self.staff = {r.username: r.id for r in conn.execute(select(t.staff.c.username, t.staff.c.id))}
            self.kiosks = {s.code: conn.execute(select(t.devices.c.id).where(
                t.devices.c.site_id == s.id, t.devices.c.kind == DeviceKind.KIOSK.value)).scalar()
                for s in self.sites.values()}
            self.counters = self._counters(conn)
            self.scopes = {s.code: compute_scope(conn, s.id, s.code) for s in self.sites.values()}
            self.catalog = self._catalog(conn)
            self.pickers = self._visit_pickers(conn)
            self.prefix = {code: prefix for code, *_, prefix in AGENCIES}
            self.agency_ids = dict(conn.execute(select(t.agencies.c.code, t.agencies.c.id)).all())
        store = FileStore(wiring.settings.file_storage_dir, max_file_bytes=wiring.settings.max_upload_file_bytes)
        self.scan = store.put(io.BytesIO(SCAN), shown_name="to-khai.pdf")

    # ---- what the province offers ------------------------------------------------------------
    def _counters(self, conn) -> dict[tuple[str, int], int]:  # noqa: ANN001
        """(site, service id) -> a counter of the site serving it (the first by number)."""
        out: dict[tuple[str, int], int] = {}
        rows = conn.execute(select(t.sites.c.code, t.counters.c.id, t.counter_services.c.service_id)
                            .join(t.counters, t.counters.c.site_id == t.sites.c.id)
                            .join(t.counter_services, t.counter_services.c.counter_id == t.counters.c.id)
                            .order_by(t.counters.c.number)).all()
        for site, counter, service in rows:
            out.setdefault((site, service), counter)
        return out

    def _catalog(self, conn) -> dict[tuple[str, str], list]:  # noqa: ANN001
        """(site, agency code or 'commune') -> procedures in working days (1-15) it offers."""
        agencies = active_agencies(conn)
        rows = conn.execute(select(t.procedures, t.fields.c.name_vi.label("field_name"))
                            .join(t.fields, t.fields.c.id == t.procedures.c.field_id)
                            .where(t.procedures.c.time_unit_vi == "Ngày làm việc", t.procedures.c.time_value >= 1,
                                   t.procedures.c.time_value <= 15).order_by(t.procedures.c.code)).all()
        out: dict[tuple[str, str], list] = defaultdict(list)
        rows.sort(key=lambda p: (-demo_visits.POPULAR.get(p.code, 0), p.code))  # what citizens ask for first
        for site in self.sites.values():
            for p in rows:
                if any(word in p.name_vi.lower() for word in ODD_FOR_A_WARD):
                    continue
                found = match_agency(agencies, p.agency_vi, p.field_name, commune_level=p.commune and not p.provincial,
                                     site_code=site.code)
                service = self.scopes[site.code].lines.get(p.id)
                if found is None or service is None or (site.code, service) not in self.counters:
                    continue
                key = "commune" if found.kind == "commune" else found.code
                if len(out[(site.code, key)]) < 6:
                    out[(site.code, key)].append((p, found.code, service))
        return out

    def _visit_pickers(self, conn) -> dict[str, Any]:  # noqa: ANN001
        """site -> a function drawing its next walk-in visit (demo_visits)."""
        codes = dict(conn.execute(select(t.procedures.c.id, t.procedures.c.code)).all())
        services = conn.execute(select(t.services.c.id, t.services.c.prefix, t.services.c.kind)).all()
        letters = {r.id: r.prefix for r in services}
        help_lines = {r.id for r in services if r.kind == "help"}
        pickers = {}
        for code, site in self.sites.items():
            offered = set(conn.execute(select(t.site_services.c.service_id)
                                       .where(t.site_services.c.site_id == site.id)).scalars())
            received = {codes[pid]: line for pid, line in self.scopes[code].lines.items()
                        if (code, line) in self.counters}
            help_line = next((h for h in help_lines & offered if (code, h) in self.counters), None)
            pickers[code] = demo_visits.visit_picker(self.rng, code, received, letters, help_line)
        return pickers

    # ---- scheduling --------------------------------------------------------------------------
    def at(self, day: date, hh: int, mm: int = 0) -> datetime:
        return datetime.combine(day, time(hh, mm), tzinfo=self.tz)

    def later(self, moment: datetime, minutes: int) -> datetime:
        """`minutes` of office time later: past 16:45, the next working day's morning."""
        moment = moment + timedelta(minutes=minutes)
        local = moment.astimezone(self.tz)
        if local.time() > time(16, 45) or not self.cal.is_working_day(local.date()):
            day = self.cal.next_working_day(local.date())
            moment = self.at(day, 7, 45) + timedelta(minutes=self.rng.randint(0, 90))
        return moment

    def on_day(self, day: date, lo: int = 8, hi: int = 16) -> datetime:
        return self.at(day, self.rng.randint(lo, hi - 1), self.rng.choice((0, 10, 20, 30, 40, 50)))

    def add(self, at: datetime, plan: Plan, step: Callable[[], None]) -> None:
        self.order += 1

        def guarded() -> None:
            if plan.stopped:
                return
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - a demo story that cannot go on just ends
                log.debug("demo dossier %s stopped: %s", plan.code, exc)
                self.stopped[getattr(exc, "code", type(exc).__name__)] += 1
                plan.stopped = True
        self.ops.append(Op(at, self.order, guarded))

    def schedule(self) -> int:
        day, planned = self.start, 0
        while day <= self.end.astimezone(self.tz).date():
            if self.cal.is_working_day(day):
                for site, count in PER_DAY.items():
                    slots = self.rng.sample(range(28), k=min(count, 28))
                    for slot in sorted(slots):
                        when = self.at(day, 7, 40) + timedelta(minutes=20 * slot)
                        plan = self._plan(site)
                        if plan is not None:
                            self._story(plan, when)
                            planned += 1
                    if self.walk_ins:
                        self._schedule_visits(site, day)
            day += timedelta(days=1)
        return planned

    def _schedule_visits(self, site: str, day: date) -> None:
        """The day's walk-ins, ten minutes off the dossier slots so a counter is free."""
        count = demo_visits.PER_DAY.get(site, 0)
        for slot in sorted(self.rng.sample(range(28), k=min(count, 28))):
            when = self.at(day, 7, 50) + timedelta(minutes=20 * slot)
            visit = self.pickers[site]()
            plan = Plan(site, None, "", 0)
            self.add(when, plan, lambda site=site, visit=visit, when=when: self._walk_in(site, visit, when))

    def _plan(self, site: str) -> Plan | None:
        keys = [k for k in AGENCY_WEIGHTS if self.catalog.get((site, k))]
        key = self.rng.choices(keys, weights=[AGENCY_WEIGHTS[k] for k in keys])[0]
        offered = self.catalog[(site, key)]
        procedure, agency, _ = self.rng.choices(offered, weights=[demo_visits.POPULAR.get(p.code, 0) + 1
                                                                  for p, *_ in offered])[0]
        return Plan(site, procedure, agency, int(procedure.time_value))

    # ---- one dossier's story -----------------------------------------------------------------
    def _story(self, plan: Plan, received: datetime) -> None:
        rng = self.rng
        self.add(received, plan, lambda: self._intake(plan, received))
        local = received.astimezone(self.tz)
        if local.time() <= time(15, 0) and rng.random() < 0.9:
            forwarded = received + timedelta(minutes=rng.randint(30, 100))
        else:
            forwarded = self.at(self.cal.next_working_day(local.date()), 8, rng.randint(0, 50))
        if rng.random() < 0.05:  # the courier run was missed: forwarded a day late
            forwarded = self.at(self.cal.next_working_day(forwarded.astimezone(self.tz).date()), 9, 0)
        officer = f"{self.prefix[plan.agency]}.canbo"
        self.add(forwarded, plan, lambda: self._forward(plan))
        accepted = self.later(forwarded, rng.randint(20, 200))
        if rng.random() < 0.3:
            self.add(accepted, plan, lambda: self._step(plan, "assign", f"{self.prefix[plan.agency]}.lanhdao",
                                                         assignee=officer, note="Giao xử lý"))
            accepted += timedelta(minutes=5)
        self.add(accepted, plan, lambda: self._step(plan, "accept", officer))
        due = self.cal.add_working_days(local.date(), plan.legal_days)
        fate = rng.random()
        if fate < 0.03:
            self.add(self.later(accepted, 240), plan, lambda: self._step(
                plan, "refuse", officer, reasons=["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"]))
            return
        if fate < 0.04:  # the citizen withdraws it at the center (form 05)
            self.add(self.later(accepted, 180), plan, lambda: self._withdraw(plan))
            return
        if fate < 0.15:  # a supplement: the clock stops, the citizen comes back days later
            asked = self.later(accepted, rng.randint(60, 480))
            item = rng.choice(SUPPLEMENTS)
            self.add(asked, plan, lambda: self._step(plan, "request_supplement", officer, note="Hồ sơ chưa đầy đủ",
                                                     items=[{"what": item[0], "reason": item[1]}]))
            back = self.at(self.cal.add_working_days(asked.astimezone(self.tz).date(), rng.randint(2, 5)), 9, 30)
            self.add(back, plan, lambda: self._center(plan, "receive_supplement"))
            again = back + timedelta(minutes=rng.randint(30, 90))
            self.add(again, plan, lambda: self._forward(plan))
            self.add(self.later(again, rng.randint(30, 120)), plan, lambda: self._step(plan, "accept", officer))
            left = days_left_when_stopped(self.cal, asked.astimezone(self.tz).date(), due)
            due = due_after_restart(self.cal, back.astimezone(self.tz).date(), left)
        if fate > 0.985:
            return  # forgotten: it will show overdue, with nobody having apologised yet
        if fate > 0.90:  # late: the apology and a new date on the due day, the result after it
            new_due = self.cal.add_working_days(due, rng.randint(2, 3))
            reason = rng.choice(LATE_REASONS)
            self.add(self.at(due, 15, 30), plan, lambda: self._step(plan, "apologize", officer, note=reason,
                                                                    new_due_date=new_due))
            result_day = self.cal.add_working_days(due, rng.randint(1, 2))
        else:
            early = rng.choices((0, 1, 2, 3), weights=(45, 30, 15, 10))[0]
            result_day = due
            for _ in range(early):
                previous = result_day - timedelta(days=1)
                while not self.cal.is_working_day(previous):
                    previous -= timedelta(days=1)
                if previous <= accepted.astimezone(self.tz).date():
                    break
                result_day = previous
        resolved = self.on_day(result_day, 8, 15)
        self.add(resolved, plan, lambda: self._result(plan, officer))
        sent = resolved + timedelta(minutes=rng.randint(20, 90))
        self.add(sent, plan, lambda: self._step(plan, "send_back", officer, note="Chuyển kết quả"))
        if rng.random() < 0.85:
            day = self.cal.add_working_days(sent.astimezone(self.tz).date(), rng.randint(1, 4))
            slot = rng.randint(0, 26)
            collected = self.at(day, 7, 50) + timedelta(minutes=20 * slot)
            self.add(collected, plan, lambda: self._collect(plan, collected))

    # ---- the steps, through the real handlers ------------------------------------------------
    def _uow(self):  # noqa: ANN202
        return self.w.uow()

    def _at(self, moment: datetime) -> None:
        self.clock.now = moment

    def _intake(self, plan: Plan, received: datetime) -> None:
        site = self.sites[plan.site]
        with self.w.reader() as uow:
            service_row = repo.service_for_procedure(uow.conn, site.id, plan.procedure.field_id)
        counter = self.counters[(plan.site, service_row)]
        clerk = self.staff[f"canbo.{plan.site.split('-')[1].lower()}"]
        self._at(received - timedelta(minutes=self.rng.randint(5, 25)))
        ticket = handlers.issue_ticket(cmd.IssueTicket(site.id, self.kiosks[plan.site],
                                                       procedure_code=plan.procedure.code), self._uow())
        self._at(received - timedelta(minutes=2))
        handlers.call_specific(cmd.CallSpecific(counter, clerk, ticket_id=ticket["id"], reason="Demo"), self._uow())
        self._at(received - timedelta(minutes=1))
        handlers.start_service(cmd.StartService(counter, clerk), self._uow())
        self._at(received)
        name = f"{self.rng.choice(SURNAMES)} {self.rng.choice(MIDDLE)} {self.rng.choice(GIVEN)}"
        reply = dossier_handlers.receive_dossier(dc.ReceiveDossier(
            counter_id=counter, staff_id=clerk, procedure_code=plan.procedure.code,
            applicant={"name": name, "id_kind": "citizen_id", "id_number": f"046{self.rng.randint(0, 10**9 - 1):09d}",
                       "phone": f"09{self.rng.randint(0, 10**8 - 1):08d}",
                       "address": f"{self.rng.randint(1, 199)} {self.rng.choice(STREETS)}, thành phố Huế"},
            documents=[{"name": "Tờ khai", "copies": 1, "form": "original"},
                       {"name": "Giấy tờ tùy thân", "copies": 1, "form": "copy"}]), self._uow())
        plan.code = reply["code"]
        if self.rng.random() < 0.88:  # scanned at the counter
            self._at(received + timedelta(minutes=3))
            dossier_handlers.attach_files(dc.AttachFiles(
                plan.code, clerk, [(self.scan, "to-khai.pdf")]), self._uow())
        self._at(received + timedelta(minutes=7))
        handlers.finish_service(cmd.FinishService(counter, clerk), self._uow())
        self._rate(counter, ticket["id"])

    def _walk_in(self, site_code: str, visit: demo_visits.Visit, when: datetime) -> None:
        """A ticket served on the spot: issued, called, served, no dossier."""
        site = self.sites[site_code]
        counter = self.counters[(site_code, visit.service_id)]
        clerk = self.staff[f"canbo.{site_code.split('-')[1].lower()}"]
        self._at(when - timedelta(minutes=self.rng.randint(3, 20)))
        command = (cmd.IssueTicket(site.id, self.kiosks[site_code], procedure_code=visit.procedure_code)
                   if visit.procedure_code else cmd.IssueTicket(site.id, self.kiosks[site_code],
                                                                service_id=visit.service_id))
        ticket = handlers.issue_ticket(command, self._uow())
        self._at(when - timedelta(minutes=1))
        handlers.call_specific(cmd.CallSpecific(counter, clerk, ticket_id=ticket["id"], reason="Demo"), self._uow())
        handlers.start_service(cmd.StartService(counter, clerk), self._uow())
        self._at(when + timedelta(minutes=self.rng.randint(2, 6)))
        handlers.finish_service(cmd.FinishService(counter, clerk), self._uow())
        self._rate(counter, ticket["id"])
        self.visits += 1

    def _rate(self, counter: int, ticket_id: int) -> None:
        if self.rng.random() < 0.55:
            level = self.rng.choices(("very_satisfied", "satisfied", "unsatisfied"), weights=(58, 36, 6))[0]
            dossier_handlers.rate_ticket(dc.RateTicket(level=level, counter_id=counter, ticket_id=ticket_id), self._uow())

    def _forward(self, plan: Plan) -> None:
        clerk = self.staff[f"canbo.{plan.site.split('-')[1].lower()}"]
        agency_work.forward_dossier(dc.ForwardDossier(plan.code, clerk), self._uow())

    def _step(self, plan: Plan, step: str, username: str, **body: Any) -> None:
        agency_work.take_step(dc.AgencyStep(
            code=plan.code, staff_id=self.staff[username], agency_id=self.agency_ids[plan.agency], step=step,
            **body), self._uow())

    def _result(self, plan: Plan, username: str) -> None:
        agency_work.take_step(dc.AgencyStep(
            code=plan.code, staff_id=self.staff[username], agency_id=self.agency_ids[plan.agency], step="resolve",
            note="Đã ký kết quả", files=[(self.scan, "ket-qua.pdf")]), self._uow())

    def _center(self, plan: Plan, action: str) -> None:
        clerk = self.staff[f"canbo.{plan.site.split('-')[1].lower()}"]
        dossier_handlers.change_status(dc.ChangeDossierStatus(
            code=plan.code, staff_id=clerk, action=dossier_handlers.DossierAction(action)), self._uow())

    def _withdraw(self, plan: Plan) -> None:
        clerk = self.staff[f"canbo.{plan.site.split('-')[1].lower()}"]
        dossier_stop.stop_dossier(dc.StopDossier(
            code=plan.code, staff_id=clerk, ground=dossier_stop.WITHDRAWN,
            reason="Công dân có đơn đề nghị dừng giải quyết, rút hồ sơ"), self._uow())

    def _collect(self, plan: Plan, when: datetime) -> None:
        site = self.sites[plan.site]
        clerk = self.staff[f"canbo.{plan.site.split('-')[1].lower()}"]
        with self.w.reader() as uow:
            service = uow.conn.execute(select(t.services.c.id).join(
                t.site_services, t.site_services.c.service_id == t.services.c.id).where(
                t.site_services.c.site_id == site.id, t.services.c.kind == "return")).scalar()
        counter = self.counters[(plan.site, service)]
        self._at(when - timedelta(minutes=8))
        ticket = dossier_handlers.issue_return_ticket(dc.IssueReturnTicket(
            site.id, self.kiosks[plan.site], plan.code), self._uow())
        self._at(when)
        handlers.call_specific(cmd.CallSpecific(counter, clerk, ticket_id=ticket["id"], reason="Demo"), self._uow())
        handlers.start_service(cmd.StartService(counter, clerk), self._uow())
        self._at(when + timedelta(minutes=3))
        dossier_handlers.change_status(dc.ChangeDossierStatus(
            code=plan.code, staff_id=clerk, action=dossier_handlers.DossierAction.RETURN_RESULT, counter_id=counter),
            self._uow())
        handlers.finish_service(cmd.FinishService(counter, clerk), self._uow())
        self._rate(counter, ticket["id"])

    def run(self) -> dict[str, int]:
        planned = self.schedule()
        self._at(datetime.combine(self.start, time(7, 0), tzinfo=self.tz))
        for (site, _), counter in sorted(self.counters.items()):
            clerk = self.staff[f"canbo.{site.split('-')[1].lower()}"]
            with contextlib.suppress(Conflict):  # opened already (it serves two services)
                handlers.open_counter(cmd.OpenCounter(counter, clerk), self._uow())
        done = 0
        for op in sorted(self.ops):
            if op.at > self.end:
                break
            self._at(op.at)
            op.run()
            done += 1
        if self.stopped:
            log.info("demo stories cut short: %s", dict(self.stopped))
        return {"dossiers": planned, "steps": done, "walk_ins": self.visits,
                **{f"stopped_{k}": v for k, v in self.stopped.items()}}


def seed_demo_month(wiring_factory: Callable[[Callable[[], datetime]], Wiring], now: datetime,
                    seed: int = 16, walk_ins: bool = False) -> dict[str, int] | None:
    """The demo's month of dossiers, once: from the first day of last month to `now`.
    `wiring_factory(clock)` builds a wiring on the demo database with that clock."""
    clock = MovingClock(now)
    wiring = wiring_factory(clock)
    try:
        with wiring.reader() as uow:
            if uow.conn.execute(select(func.count()).select_from(t.dossiers)).scalar_one():
                return None
            if not uow.conn.execute(select(t.staff.c.id).where(t.staff.c.role == Role.PROCESSOR.value)).first():
                return None
        local = now.astimezone(wiring.settings.tz)
        start = (local.date().replace(day=1) - timedelta(days=1)).replace(day=1)
        return DemoMonth(wiring, clock, start, now, seed, walk_ins).run()
    finally:
        wiring.engine.dispose()
