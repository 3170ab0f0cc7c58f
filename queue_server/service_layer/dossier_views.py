"""Read models of dossiers and ratings: replies, the public lookup, lists, and the data
of the printed forms. They query directly and never write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, and_, func, select
from sqlalchemy.orm import aliased

from queue_server.adapters import tables as t
from queue_server.documents import (
    FeeOnSlip,
    ReceiptData,
    ReceivedDocument,
    SupplementItem,
    SupplementRequestData,
)
from queue_server.domain.business_day import day_bounds_utc
from queue_server.domain.calendar import TimeUnit, parse_time_value
from queue_server.domain.dossier import (
    CLOCK_RUNNING,
    DossierStatus,
    InvalidDossierCode,
    is_overdue,
    parse_dossier_code,
)
from queue_server.domain.errors import Conflict, NotFound
from queue_server.service_layer import agency_views
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.dossier_protocol import (
    DOCUMENT_FORM_VI,
    RATING_VI,
    STATUS_EN,
    STATUS_VI,
    DocumentForm,
    RatingLevel,
)

if TYPE_CHECKING:
    from queue_server.service_layer.dossiers import DossierRules

DOWNLOAD_PATH = "/dossiers/{code}/files/{id}"
# Statuses shown to the citizen in the public history (digitizing and PIN changes are not
# steps of their dossier's life).
_STATUS_ACTIONS_HIDDEN = frozenset({"digitize", "new_pin"})


def legal_time_vi(value: float | None, unit: str) -> str:
    """'05 ngày làm việc', as the slip writes a legal time; '' when the catalog has none."""
    try:
        amount, parsed = parse_time_value(value), TimeUnit.parse(unit)
    except ValueError:
        return ""
    if amount is None or parsed is None:
        return ""
    return f"{amount:02d} {parsed.value.lower()}"


def _overdue(row: Row, now: datetime, rules: DossierRules) -> bool:
    # An apology's new date (form 04) is the one the citizen now expects.
    due = getattr(row, "new_due_date", None) or row.due_at or row.due_date
    return is_overdue(due, now, DossierStatus(row.status), tz=rules.tz)


def _dossier_row(conn: Connection, dossier_id: int) -> Row:
    d = t.dossiers.c
    receiver = aliased(t.staff)
    return conn.execute(
        select(
            t.dossiers,
            t.sites.c.code.label("site_code"), t.sites.c.name_vi.label("site_name_vi"),
            t.sites.c.name_en.label("site_name_en"), t.sites.c.address.label("site_address"),
            t.procedures.c.code.label("procedure_code"), t.procedures.c.name_vi.label("procedure_name_vi"),
            receiver.c.full_name.label("received_by_name"), t.counters.c.number.label("counter_number"),
        )
        .join(t.sites, t.sites.c.id == d.site_id)
        .join(t.procedures, t.procedures.c.id == d.procedure_id)
        .join(receiver, receiver.c.id == d.received_by)
        .outerjoin(t.counters, t.counters.c.id == d.counter_id)
        .where(d.id == dossier_id)
    ).one()


def attachments(conn: Connection, code: str, dossier_id: int) -> list[dict[str, Any]]:
    a = t.dossier_attachments.c
    source = aliased(t.dossiers)
    rows = conn.execute(
        select(t.dossier_attachments, t.stored_files.c.size, t.stored_files.c.media_type,
               t.staff.c.full_name.label("uploaded_by_name"), source.c.code.label("reused_from"))
        .join(t.stored_files, t.stored_files.c.sha256 == a.sha256)
        .join(t.staff, t.staff.c.id == a.uploaded_by)
        .outerjoin(source, source.c.id == a.reused_from_dossier_id)
        .where(a.dossier_id == dossier_id)
        .order_by(a.id)
    ).all()
    return [{
        "id": r.id, "sha256": r.sha256, "file_name": r.file_name, "media_type": r.media_type, "size": r.size,
        "document_index": r.document_index, "uploaded_at": r.uploaded_at, "uploaded_by_name": r.uploaded_by_name,
        "download_path": DOWNLOAD_PATH.format(code=code, id=r.id), "reused_from": r.reused_from,
    } for r in rows]


def _history(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    e = t.dossier_events.c
    rows = conn.execute(
        select(t.dossier_events, t.staff.c.full_name.label("staff_name"), t.counters.c.number.label("counter_number"))
        .outerjoin(t.staff, t.staff.c.id == e.staff_id)
        .outerjoin(t.counters, t.counters.c.id == e.counter_id)
        .where(e.dossier_id == dossier_id)
        .order_by(e.at, e.id)
    ).all()
    return [{"at": r.at, "action": r.action, "from_status": r.from_status, "to_status": r.to_status,
             "staff_name": r.staff_name, "counter_number": r.counter_number, "note": r.note, "data": r.data}
            for r in rows]


def _intake_ticket(conn: Connection, dossier_id: int) -> Row | None:
    return conn.execute(
        select(t.tickets.c.id, t.tickets.c.label)
        .join(t.dossier_tickets, t.dossier_tickets.c.ticket_id == t.tickets.c.id)
        .where(t.dossier_tickets.c.dossier_id == dossier_id, t.dossier_tickets.c.purpose == "intake")
    ).first()


def dossier_reply(uow: UnitOfWork, dossier_id: int, rules: DossierRules) -> dict[str, Any]:
    conn = uow.conn
    r = _dossier_row(conn, dossier_id)
    intake = _intake_ticket(conn, dossier_id)
    status = DossierStatus(r.status)
    return {
        "id": r.id, "code": r.code, "status": status.value, "status_vi": STATUS_VI[status],
        "site_code": r.site_code, "site_name_vi": r.site_name_vi, "agency_code": r.agency_code,
        "procedure_code": r.procedure_code, "procedure_name_vi": r.procedure_name_vi,
        "legal_time_vi": legal_time_vi(r.legal_time_value, r.legal_time_unit_vi),
        "applicant": {"name": r.applicant_name, "id_kind": r.applicant_id_kind, "id_number": r.applicant_id_number,
                      "phone": r.applicant_phone, "address": r.applicant_address, "email": r.applicant_email,
                      "birth_date": r.applicant_birth_date, "sex": r.applicant_sex},
        "documents": r.documents, "notes": r.notes, "received_at": r.received_at,
        "received_by_name": r.received_by_name, "counter_number": r.counter_number,
        "intake_ticket_id": intake.id if intake else None, "intake_ticket_label": intake.label if intake else None,
        "due_date": r.due_date, "due_at": r.due_at, "overdue": _overdue(r, uow.now, rules),
        "attachments": attachments(conn, r.code, r.id), "history": _history(conn, r.id),
        "lookup_url": rules.lookup_url(r.code), "fee": _fee(conn, r.id, r.code, rules),
        **agency_views.after_counter(conn, r, rules, uow.now.astimezone(rules.tz).date()),
    }


def _fee(conn: Connection, dossier_id: int, code: str, rules: DossierRules) -> dict[str, Any] | None:
    # Imported here: the fee handlers load dossiers through this module.
    from queue_server.service_layer.fees import fee_view

    return fee_view(conn, dossier_id, code, rules.payment_account)


def dossier_not_found(code: str) -> NotFound:
    return NotFound(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.", code="dossier_not_found")


def canonical_code(text: str) -> str:
    """A code as typed, scanned (the slip's QR holds the lookup URL), in any case."""
    tail = text.strip()
    if "/d/" in tail:
        tail = tail.rsplit("/d/", 1)[1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return str(parse_dossier_code(tail))


def load_dossier(uow: UnitOfWork, code: str, *, for_update: bool = False) -> Row:
    try:
        wanted = canonical_code(code)
    except InvalidDossierCode:
        raise dossier_not_found(code) from None
    stmt = select(t.dossiers).where(t.dossiers.c.code == wanted)
    if for_update and uow.is_postgres:
        stmt = stmt.with_for_update()
    row = uow.conn.execute(stmt).first()
    if row is None:
        raise dossier_not_found(wanted)
    return row


def dossier_site(uow: UnitOfWork, code: str) -> tuple[int, int]:
    """(dossier id, site id) of a code, for access checks before heavier work."""
    row = load_dossier(uow, code)
    return row.id, row.site_id


def get_dossier(uow: UnitOfWork, code: str, rules: DossierRules) -> dict[str, Any]:
    dossier_id, _ = dossier_site(uow, code)
    return dossier_reply(uow, dossier_id, rules)


def list_dossiers(uow: UnitOfWork, rules: DossierRules, *, site_id: int | None, status: str | None,
                  overdue: bool | None, ticket_id: int | None, limit: int, offset: int) -> dict[str, Any]:
    """Newest first. `overdue` filters on the legal clock (received or processing, due
    before today); computed here so it always matches the `overdue` flag of each item."""
    d = t.dossiers.c
    conds = []
    if site_id is not None:
        conds.append(d.site_id == site_id)
    if status is not None:
        conds.append(d.status == status)
    if ticket_id is not None:
        conds.append(d.id.in_(select(t.dossier_tickets.c.dossier_id).where(t.dossier_tickets.c.ticket_id == ticket_id)))
    if overdue is not None:
        today = uow.now.astimezone(rules.tz).date()
        running = d.status.in_([s.value for s in CLOCK_RUNNING])
        due = func.coalesce(d.new_due_date, d.due_date)  # an apology's new date wins, as in `_overdue`
        late = and_(running, due.is_not(None),
                    (due < today) | and_(d.new_due_date.is_(None), d.due_at.is_not(None), d.due_at < uow.now))
        conds.append(late if overdue else ~late)
    conn = uow.conn
    total = conn.execute(select(func.count()).select_from(t.dossiers).where(*conds)).scalar_one()
    counts = (select(t.dossier_attachments.c.dossier_id, func.count().label("n"))
              .group_by(t.dossier_attachments.c.dossier_id).subquery())
    rows = conn.execute(
        select(t.dossiers, t.procedures.c.code.label("procedure_code"), counts.c.n)
        .join(t.procedures, t.procedures.c.id == d.procedure_id)
        .outerjoin(counts, counts.c.dossier_id == d.id)
        .where(*conds).order_by(d.received_at.desc(), d.id.desc()).limit(limit).offset(offset)
    ).all()
    return {"total": total, "items": [{
        "id": r.id, "code": r.code, "status": r.status, "procedure_code": r.procedure_code,
        "applicant_name": r.applicant_name, "received_at": r.received_at, "due_date": r.due_date,
        "due_at": r.due_at, "overdue": _overdue(r, uow.now, rules), "attachment_count": int(r.n or 0),
    } for r in rows]}


def public_dossier(uow: UnitOfWork, dossier_id: int, rules: DossierRules) -> dict[str, Any]:
    r = _dossier_row(uow.conn, dossier_id)
    status = DossierStatus(r.status)
    steps = [h for h in _history(uow.conn, dossier_id) if h["action"] not in _STATUS_ACTIONS_HIDDEN]
    items = latest_supplement_items(uow.conn, dossier_id) if status is DossierStatus.SUPPLEMENT_REQUESTED else []
    return {
        "code": r.code, "status": status.value, "status_vi": STATUS_VI[status], "status_en": STATUS_EN[status],
        "procedure_code": r.procedure_code, "procedure_name_vi": r.procedure_name_vi,
        "site_name_vi": r.site_name_vi, "site_address": r.site_address, "received_at": r.received_at,
        "due_date": r.due_date, "due_at": r.due_at, "overdue": _overdue(r, uow.now, rules),
        "history": [{"at": h["at"], "status": h["to_status"], "status_vi": STATUS_VI[DossierStatus(h["to_status"])]}
                    for h in steps],
        "supplement_items": items,
        **citizen_path(uow.conn, r, steps),
    }


# What each step of the dossier's life says to its citizen (internal hand-offs within the
# agency, scans and PIN changes are not shown).
_CITIZEN_STEP = {
    "receive": ("Tiếp nhận hồ sơ tại {site}", "Received at {site}"),
    "forward": ("Chuyển đến {agency} giải quyết", "Sent to {agency} for processing"),
    "accept": ("{agency} nhận giải quyết hồ sơ", "{agency} started processing"),
    "start_processing": ("Hồ sơ đang được giải quyết", "Being processed"),
    "request_supplement": ("Yêu cầu bổ sung hồ sơ: thời hạn tạm dừng đến khi Ông/Bà nộp đủ",
                           "Missing documents requested: the clock waits until you hand them in"),
    "receive_supplement": ("Đã nhận đủ hồ sơ bổ sung: thời hạn tiếp tục", "Missing documents received: the clock runs again"),
    "apologize": ("{agency} xin lỗi vì chậm trả kết quả, hẹn lại ngày {new_date}",
                  "{agency} apologises for the delay; new date {new_date}"),
    "resolve": ("{agency} đã có kết quả, đang chuyển về nơi trả", "The result is ready and on its way to {site}"),
    "send_back": ("Kết quả đã về {site}: mời Ông/Bà mang giấy tiếp nhận đến nhận",
                  "The result is at {site}: bring your receipt to collect it"),
    "mark_ready": ("Kết quả đã có tại {site}: mời Ông/Bà mang giấy tiếp nhận đến nhận",
                   "The result is at {site}: bring your receipt to collect it"),
    "refuse": ("Hồ sơ bị từ chối giải quyết", "The dossier was refused"),
    "stop": ("{unit} dừng giải quyết hồ sơ", "{unit} stopped processing the dossier"),
    "return_result": ("Đã trả kết quả", "Result collected"),
}


def citizen_path(conn: Connection, r: Row, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Each step in the citizen's words with its date, the apology and its new date, the
    refusal's reasons, the stop notice's reason and basis (form 05), and whether the result waits for them at the center."""
    agency = conn.execute(select(t.agencies.c.name_vi).where(t.agencies.c.id == r.agency_id)).scalar() \
        if r.agency_id else None
    words = {"site": r.site_name_vi, "agency": agency or "Cơ quan giải quyết"}
    path, apology, refusal, stop = [], None, [], None
    for h in steps:
        if h["action"] not in _CITIZEN_STEP:
            continue
        data = h.get("data") or {}
        new_date = data.get("new_due_date")
        shown = {**words, "new_date": date.fromisoformat(new_date).strftime("%d/%m/%Y") if new_date else "",
                 "unit": data.get("unit") or r.site_name_vi}
        vi, en = _CITIZEN_STEP[h["action"]]
        path.append({"at": h["at"], "action": h["action"], "text_vi": vi.format(**shown),
                     "text_en": en.format(**{**shown, "agency": agency or "The agency"})})
        if h["action"] == "apologize":
            apology = {"new_due_date": new_date, "reason": h["note"], "at": h["at"]}
        if h["action"] == "refuse":
            refusal = list(data.get("reasons") or [h["note"]])
        if h["action"] == "stop":
            stop = {"at": h["at"], "unit": shown["unit"], "ground": data.get("ground"),
                    "reason": data.get("reason") or h["note"], "legal_basis": data.get("legal_basis", "")}
    status = DossierStatus(r.status)
    return {"steps": path, "agency_name_vi": agency, "new_due_date": r.new_due_date, "apology": apology,
            "refusal_reasons": refusal, "stop": stop, "result_ready": status is DossierStatus.READY,
            "collect_at": {"name": r.site_name_vi, "address": r.site_address}}


def latest_supplement_items(conn: Connection, dossier_id: int) -> list[dict[str, str]]:
    e = t.dossier_events.c
    data = conn.execute(
        select(e.data).where(e.dossier_id == dossier_id, e.action == "request_supplement")
        .order_by(e.at.desc(), e.id.desc())
    ).scalar()
    return list(data.get("items", [])) if data else []


def attachment_file(uow: UnitOfWork, code: str, attachment_id: int) -> tuple[str, str, str, int]:
    """(sha256, media type, name, site id) of one attachment of a dossier."""
    dossier_id, site_id = dossier_site(uow, code)
    a = t.dossier_attachments.c
    row = uow.conn.execute(
        select(a.sha256, a.file_name, t.stored_files.c.media_type)
        .join(t.stored_files, t.stored_files.c.sha256 == a.sha256)
        .where(a.id == attachment_id, a.dossier_id == dossier_id)
    ).first()
    if row is None:
        raise NotFound(f"Hồ sơ không có tệp số {attachment_id}.", f"The dossier has no file {attachment_id}.")
    return row.sha256, row.media_type, row.file_name, site_id


# ---- printed forms -----------------------------------------------------------------------
def receipt_data(uow: UnitOfWork, code: str, rules: DossierRules, pin: str) -> ReceiptData:
    dossier_id, _ = dossier_site(uow, code)
    r = _dossier_row(uow.conn, dossier_id)
    due: date | datetime | None = r.due_at or r.due_date
    return ReceiptData(
        unit_name=r.site_name_vi, governing_body=rules.governing_body, place_name=rules.place_name,
        dossier_code=r.code, applicant_name=r.applicant_name, applicant_id=r.applicant_id_number,
        phone=r.applicant_phone, email=r.applicant_email, address=r.applicant_address,
        procedure_name=r.procedure_name_vi, procedure_code=r.procedure_code,
        documents=[ReceivedDocument(doc["name"], int(doc.get("copies", 1)),
                                    DOCUMENT_FORM_VI[DocumentForm(doc.get("form", "original"))],
                                    reused_from=doc.get("reused_from") or "")
                   for doc in r.documents],
        received_at=r.received_at, due=due, officer_name=r.received_by_name, lookup_pin=pin,
        lookup_url=rules.lookup_url(r.code), legal_time=legal_time_vi(r.legal_time_value, r.legal_time_unit_vi),
        result_delivery=f"Bộ phận trả kết quả – {r.site_name_vi}", tz=str(rules.tz),
        fee=_receipt_fee(_fee(uow.conn, r.id, r.code, rules)),
    )


def _receipt_fee(fee: dict[str, Any] | None) -> FeeOnSlip | None:
    if fee is None:
        return None
    return FeeOnSlip(amount_text=fee["amount_text"], paid=fee["status"] == "paid",
                     receipt_number=fee["receipt_number"] or "", vietqr=fee["vietqr"] or "",
                     purpose=fee["payment_purpose"], account_text=_account_text(fee))


def _account_text(fee: dict[str, Any]) -> str:
    parts = [fee["bank_name"], fee["account_number"], fee["account_name"]]
    return " · ".join(p for p in parts if p)


def supplement_data(uow: UnitOfWork, code: str, rules: DossierRules, items: list[dict[str, str]],
                    officer_name: str) -> SupplementRequestData:
    dossier_id, _ = dossier_site(uow, code)
    r = _dossier_row(uow.conn, dossier_id)
    if not items:
        items = latest_supplement_items(uow.conn, dossier_id)
    if not items:
        raise Conflict("Chưa có nội dung cần bổ sung: hãy liệt kê các giấy tờ còn thiếu.",
                       "No missing items recorded or given: list what is missing.", code="no_supplement_items")
    return SupplementRequestData(
        unit_name=r.site_name_vi, governing_body=rules.governing_body, place_name=rules.place_name,
        applicant_name=r.applicant_name, procedure_name=r.procedure_name_vi, dossier_code=r.code,
        items=[SupplementItem(i["what"], i.get("reason", "")) for i in items], officer_name=officer_name,
        issued_at=uow.now, address=r.applicant_address, phone=r.applicant_phone, email=r.applicant_email,
        tz=str(rules.tz),
    )


# ---- ratings -----------------------------------------------------------------------------
def ratings_summary(uow: UnitOfWork, site_id: int, day: date) -> dict[str, Any]:
    start, end = day_bounds_utc(day, uow.rules.tz, uow.rules.rollover)
    r = t.ticket_ratings.c
    rows = uow.conn.execute(
        select(t.ticket_ratings, t.tickets.c.label, t.counters.c.number.label("counter_number"),
               t.staff.c.full_name.label("staff_name"), t.services.c.code.label("service_code"))
        .join(t.tickets, t.tickets.c.id == r.ticket_id)
        .join(t.services, t.services.c.id == r.service_id)
        .outerjoin(t.counters, t.counters.c.id == r.counter_id)
        .outerjoin(t.staff, t.staff.c.id == r.staff_id)
        .where(r.site_id == site_id, r.rated_at >= start, r.rated_at < end)
        .order_by(r.rated_at.desc())
    ).all()
    by_level = {level.value: 0 for level in RatingLevel}
    for row in rows:
        by_level[row.level] += 1
    total = len(rows)
    satisfied = by_level[RatingLevel.VERY_SATISFIED] + by_level[RatingLevel.SATISFIED]
    return {
        "total": total, "by_level": by_level,
        "satisfied_percent": round(100 * satisfied / total, 1) if total else None,
        "items": [{"ticket_id": x.ticket_id, "ticket_label": x.label, "level": x.level,
                   "level_vi": RATING_VI[RatingLevel(x.level)], "reason": x.reason, "rated_at": x.rated_at,
                   "source": x.source, "counter_number": x.counter_number, "staff_name": x.staff_name,
                   "service_code": x.service_code} for x in rows],
    }


# ---- replies to the steps, read after their commit ---------------------------------------------
def handle_and_show(handler: Callable[[Any, UnitOfWork], int], command: Any, uow: UnitOfWork,  # noqa: ANN401
                    reader: UnitOfWork) -> dict[str, Any]:
    """Run a dossier step (it returns the dossier's id), then read the dossier as the reply,
    in a fresh snapshot once the step has committed."""
    dossier_id = handler(command, uow)
    with reader:
        return dossier_reply(reader, dossier_id, reader.policies.dossiers)


def show_received(received: dict[str, Any], reader: UnitOfWork) -> dict[str, Any]:
    """The reply to a reception: the dossier, and the lookup PIN shown this once."""
    with reader:
        return {**dossier_reply(reader, received["id"], reader.policies.dossiers),
                "lookup_pin": received["lookup_pin"]}


def show_attached(attached: tuple[int, list[int]], stored: list[Any], reader: UnitOfWork) -> list[dict[str, Any]]:  # noqa: ANN401
    """The reply to a scan: each file's attachment, and whether its bytes were kept already."""
    dossier_id, ids = attached
    with reader:
        code = reader.dossiers.by_id(dossier_id).code
        by_id = {a["id"]: a for a in attachments(reader.conn, code, dossier_id)}
    return [{**by_id[i], "already_stored": s.already_stored} for i, s in zip(ids, stored, strict=True)]


def show_public(dossier_id: int, reader: UnitOfWork) -> dict[str, Any]:
    with reader:
        return public_dossier(reader, dossier_id, reader.policies.dossiers)
