"""What the dossier screen shows, as ready-made text (pure Python, tested without Kivy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.dossier_protocol import DOCUMENT_FORM_VI, ApplicantIdKind, format_lookup_pin

from .dossier_form import COMMON_DOCUMENTS, ID_KIND_VI
from .dossier_presenter import DossierPresenter, Stage
from .texts import local_hhmm


@dataclass(frozen=True)
class IdentityView:
    """The identity and payment panel: the scanned card, reusable documents, the fee."""

    shown: bool = False
    card_lines: list[str] = field(default_factory=list)
    scan_error: str = ""
    documents_title: str = ""
    documents: list[dict[str, Any]] = field(default_factory=list)
    fee_title: str = ""
    fee_text: str = ""
    fee_hint: str = ""
    fee_problem: str = ""
    can_confirm_fee: bool = False
    paid: bool = False
    can_pay: bool = False
    vietqr: str = ""  # the payload to draw as a QR
    payment_lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DossierView:
    ticket_id: int = 0
    stage: str = Stage.EDIT.value
    title: str = ""
    procedure: str = ""
    id_kinds: list[dict[str, Any]] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    procedure_results: list[dict[str, Any]] = field(default_factory=list)
    files_title: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    scanner_text: str = ""
    can_scan: bool = False
    code: str = ""
    summary: str = ""
    supplement: list[dict[str, Any]] = field(default_factory=list)
    can_forward: bool = False  # received and still at the center: F6 hands it to the agency
    notice: str = ""
    notice_error: bool = False
    busy: bool = False
    busy_text: str = ""
    form_version: int = 0
    identity: IdentityView = field(default_factory=IdentityView)


_BUSY_VI = {"pay": "Đang ghi nhận lệ phí…", "receive": "Đang tiếp nhận và in giấy…", "upload": "Đang gửi tệp số hóa…", "scan": "Đang quét…",
            "print": "Đang in…", "supplement": "Đang lập phiếu yêu cầu bổ sung…",
            "forward": "Đang chuyển hồ sơ đến cơ quan giải quyết…"}


def dossier_view(d: DossierPresenter) -> DossierView:
    st = d.state
    form = st.form
    received = st.stage is Stage.RECEIVED
    files: list[dict[str, Any]]
    if received:
        files = [{"index": i, "title": a.file_name, "detail": _size(a.size) + (" · đã có sẵn" if a.already_stored
                                                                               else ""), "removable": False}
                 for i, a in enumerate(st.attachments)]
        files += [{"index": i, "title": p.name, "detail": "chưa gửi được · Ctrl+U gửi lại", "removable": False}
                  for i, p in enumerate(st.unsent)]
        files_title = f"Tệp đã số hóa ({len(st.attachments)})"
    else:
        files = [{"index": i, "title": p.name, "detail": "sẽ gửi khi tiếp nhận", "removable": True}
                 for i, p in enumerate(form.files)]
        files_title = f"Tệp quét kèm theo ({len(form.files)})"
    return DossierView(
        ticket_id=form.ticket_id,
        stage=st.stage.value,
        title=(f"Hồ sơ {st.dossier.code} · số {form.ticket_label}" if received and st.dossier
               else f"Tiếp nhận hồ sơ · số {form.ticket_label}"),
        procedure=f"{form.procedure_code} · {form.procedure_name}" if form.procedure_code else "Chưa chọn thủ tục",
        id_kinds=[{"kind": k.value, "title": ID_KIND_VI[k], "selected": k is form.id_kind} for k in ApplicantIdKind],
        problems=dict(st.problems),
        documents=[{"index": i, "title": f"{i + 1}. {line.name}", "copies": str(line.copies),
                    "form": DOCUMENT_FORM_VI[line.form]} for i, line in enumerate(form.documents)],
        suggestions=[s for s in COMMON_DOCUMENTS if s not in {line.name for line in form.documents}],
        procedure_results=[{"index": i, "title": f"{p.code} · {p.name_vi}"}
                           for i, p in enumerate(st.procedure_results)],
        files_title=files_title,
        files=files,
        scanner_text=(f"Máy quét vừa gửi {len(st.scanner_files)} tệp: "
                      + ", ".join(p.name for p in st.scanner_files[:3]) + (" …" if len(st.scanner_files) > 3 else "")
                      if st.scanner_files else ""),
        can_scan=d.scanner is not None and d.scanner.available,
        code=st.dossier.code if st.dossier else "",
        summary=_summary(d) if received else "",
        supplement=[{"index": i, "title": f"{i + 1}. {what}", "detail": why}
                    for i, (what, why) in enumerate(st.supplement)],
        can_forward=d.can_forward(),
        notice=st.notice,
        notice_error=st.notice_error,
        busy=st.busy is not None,
        busy_text=_BUSY_VI.get(st.busy or "", ""),
        form_version=st.form_version,
        identity=identity_view(d),
    )


def identity_view(d: DossierPresenter) -> IdentityView:
    panel = d.identity.state
    form = d.state.form
    card = panel.card
    card_lines = []
    if card is not None:
        valid = d.identity.card_validity()
        card_lines = [
            f"{card.full_name or '—'} · {card.id_number}",
            "Ngày sinh: " + (f"{card.birth_date:%d/%m/%Y}" if card.birth_date else "—")
            + (f" · Giới tính: {card.sex}" if card.sex else ""),
            f"Thường trú: {card.address or '—'}",
            "Ngày cấp: " + (f"{card.issue_date:%d/%m/%Y}" if card.issue_date else "—")
            + (f" · Có giá trị đến: {valid:%d/%m/%Y}" if valid else ""),
        ]
    used = {line.citizen_document_id for line in form.documents if line.citizen_document_id}
    documents = [{
        "index": i, "title": doc.kind,
        "detail": " · ".join(part for part in (
            f"từ hồ sơ {doc.source_dossier_code} ({doc.received_at.astimezone(d.tz):%d/%m/%Y})",
            f"cấp {doc.issue_date:%d/%m/%Y}" if doc.issue_date else "",
            ("còn hạn đến " if doc.still_valid else "HẾT HẠN ") + f"{doc.valid_until:%d/%m/%Y}" if doc.valid_until
            else "", f"{len(doc.pages)} trang") if part),
        "used": doc.id in used, "usable": doc.still_valid and d.state.stage is Stage.EDIT,
    } for i, doc in enumerate(panel.documents)]
    fee = panel.fee
    received = d.state.stage is Stage.RECEIVED
    if received:
        title = "Lệ phí của hồ sơ"
        text = fee.amount_text if fee else "Không thu lệ phí"
        hint = (f"Đã nộp ({'tiền mặt' if fee.method == 'cash' else 'chuyển khoản'}) · biên lai {fee.receipt_number}"
                if fee and fee.status == "paid" else "Chưa nộp: quét VietQR hoặc thu tiền mặt" if fee else "")
    else:
        title = "Lệ phí (xác nhận với công dân trước khi tiếp nhận)"
        text = panel.fee_text
        proc = panel.procedure_fee
        hint = ("Đã xác nhận" if panel.fee_confirmed else "Chưa xác nhận") + (
            f" · theo danh mục: {proc.amount_text}" if proc else "")
    payment = []
    if fee is not None and fee.vietqr:
        payment = [f"Số tiền: {fee.amount_text}", f"Nội dung: {fee.payment_purpose}",
                   " · ".join(p for p in (fee.bank_name, fee.account_number, fee.account_name) if p)]
    return IdentityView(
        shown=panel.shown, card_lines=card_lines, scan_error=panel.scan_error,
        documents_title=(f"Giấy tờ đã số hóa của {panel.documents_for} ({len(documents)})" if panel.documents_for
                         else "Giấy tờ đã số hóa (quét CCCD trước)"),
        documents=documents, fee_title=title, fee_text=text, fee_hint=hint, fee_problem=panel.fee_problem,
        can_confirm_fee=not received, paid=bool(fee and fee.status == "paid"),
        can_pay=bool(received and fee and fee.status == "unpaid"), vietqr=fee.vietqr or "" if fee else "",
        payment_lines=payment,
    )


def _summary(d: DossierPresenter) -> str:
    dossier = d.state.dossier
    assert dossier is not None
    if dossier.due_at is not None:
        due = f"{local_hhmm(dossier.due_at, d.tz)} ngày {dossier.due_at.astimezone(d.tz):%d/%m/%Y}"
    elif dossier.due_date is not None:
        due = f"ngày {dossier.due_date:%d/%m/%Y}"
    else:
        due = "theo thông báo của cơ quan giải quyết"
    lines = [
        f"Trạng thái: {dossier.status_vi}",
        f"Thủ tục: {dossier.procedure_code} · {dossier.procedure_name_vi}",
        f"Người nộp: {dossier.applicant.name} · {dossier.applicant.id_number}",
        f"Tiếp nhận lúc {local_hhmm(dossier.received_at, d.tz)} · hẹn trả kết quả {due}"
        + (f" ({dossier.legal_time_vi})" if dossier.legal_time_vi else ""),
        f"Thành phần: {len(dossier.documents)} loại giấy tờ",
    ]
    if dossier.processing_agency_name_vi:
        where = (f"đã chuyển lúc {local_hhmm(dossier.forwarded_at, d.tz)}" if dossier.forwarded_at
                 else "chưa chuyển · F6 để chuyển")
        lines.append(f"Cơ quan giải quyết: {dossier.processing_agency_name_vi} ({where})")
    if d.state.pin:
        lines.append(f"Mã PIN tra cứu (in trên giấy tiếp nhận): {format_lookup_pin(d.state.pin)}")
    return "\n".join(lines)


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, n // 1024)} KB"
