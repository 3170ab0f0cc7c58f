"""The dossier screen's identity and payment panel, in plain Python (no Kivy): the chip ID
card scan that fills the applicant in one step, the citizen's reusable stored documents,
and the fee (confirmed before receiving; after it, its VietQR code and "paid").

A scan is all or nothing: a malformed one leaves the form as it was and says why in both
languages. The clerk can still correct every field the scan filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from shared.cccd import CardData, CardQrError, card_validity_end, parse_card_qr
from shared.client import ApiError
from shared.dossier_protocol import ApplicantIdKind, DossierOut, FeeOut
from shared.identity_protocol import CitizenDocumentOut, ProcedureFeeOut, ReadPurpose

if TYPE_CHECKING:
    from .dossier_presenter import DossierPresenter

CARD_COPY = "Bản sao CCCD"  # the checklist line a scanned card's own copy goes under
MAX_FEE_VND = 1_000_000_000_000


@dataclass
class IdentityState:
    shown: bool = False
    card: CardData | None = None
    scan_error: str = ""
    documents: list[CitizenDocumentOut] = field(default_factory=list)
    documents_for: str = ""  # the ID number the list belongs to
    procedure_fee: ProcedureFeeOut | None = None
    fee_text: str = ""  # what the clerk typed
    fee_confirmed: bool = False
    fee_problem: str = ""
    fee: FeeOut | None = None  # after reception
    receipt_name: str = ""  # the saved fee receipt (biên lai)


class IdentityPanel:
    def __init__(self, dossier: DossierPresenter) -> None:
        self.d = dossier
        self.state = IdentityState()

    # ---- showing --------------------------------------------------------------------------
    def open(self) -> None:
        self.state.shown = True
        if self.state.procedure_fee is None or self.state.procedure_fee.procedure_code != self.d.state.form.procedure_code:
            self.load_fee()
        self.d.on_change()

    def close(self) -> None:
        self.state.shown = False
        self.d.on_change()

    # ---- the card ---------------------------------------------------------------------------
    def scanned(self, text: str, today: datetime | None = None) -> bool:
        """A line from the USB scanner (typed into the panel's scan field, then Enter)."""
        day = (today or datetime.now(self.d.tz)).date()
        try:
            card = parse_card_qr(text, today=day)
        except CardQrError as exc:
            self.state.scan_error = exc.message
            self.d._tell(exc.message, error=True)
            return False
        form = self.d.state.form
        form.id_kind, form.id_number = ApplicantIdKind.CITIZEN_ID, card.id_number
        if card.full_name:
            form.name = card.full_name
        if card.address:
            form.address = card.address
        form.birth_date, form.sex = card.birth_date, card.sex
        for name in ("name", "id_number", "address"):
            self.d.state.problems.pop(name, None)
        self.state.card, self.state.scan_error = card, ""
        self.d.state.form_version += 1  # the screen puts the new values in its fields
        self.d._tell(f"Đã điền thông tin từ CCCD của {card.full_name or card.id_number}. Kiểm tra lại và sửa nếu cần. "
                     "· Filled from the ID card; check and correct if needed.")
        self.load_documents()
        return True

    def card_validity(self):  # noqa: ANN201
        return card_validity_end(self.state.card) if self.state.card else None

    # ---- the citizen's stored documents -------------------------------------------------------
    def load_documents(self):  # noqa: ANN201
        form = self.d.state.form
        id_number = form.id_number.replace(" ", "")
        if not id_number:
            self.d._tell("Hãy nhập hoặc quét số giấy tờ của công dân trước.", error=True)
            return None

        async def work() -> None:
            try:
                found = await self.d.gateway.citizen_documents(self.d.counter_id, id_number, form.id_kind.value,
                                                               ReadPurpose.RECEPTION)
            except ApiError as exc:
                self.d._tell(exc.message, error=True)
                return
            self.state.documents, self.state.documents_for = found.items, id_number
            self.d.on_change()
        return self.d.tasks.track(work())

    def reuse(self, index: int) -> bool:
        doc = self.state.documents[index]
        added = self.d.state.form.reuse(doc.id, doc.kind, doc.source_dossier_code, doc.issue_date, doc.valid_until)
        if added:
            self.d.state.problems.pop("documents", None)
            self.d._tell(f"Dùng lại “{doc.kind}” từ hồ sơ {doc.source_dossier_code}: không cần quét lại.")
        return added

    # ---- the fee ----------------------------------------------------------------------------
    def load_fee(self):  # noqa: ANN201
        code = self.d.state.form.procedure_code
        if not code:
            return None

        async def work() -> None:
            try:
                fee = await self.d.gateway.procedure_fee(code)
            except ApiError as exc:
                self.d._tell(exc.message, error=True)
                return
            self.state.procedure_fee = fee
            if not self.state.fee_confirmed:
                self.state.fee_text = str(fee.amount_vnd) if fee.kind == "amount" and fee.amount_vnd else (
                    "0" if fee.kind == "free" else "")
            self.d.on_change()
        return self.d.tasks.track(work())

    def set_fee_text(self, text: str) -> None:
        self.state.fee_text = text
        self.state.fee_confirmed = False
        self.d.state.form.fee_vnd = None

    def confirm_fee(self) -> bool:
        raw = self.state.fee_text.replace(".", "").replace(",", "").replace(" ", "")
        if not raw.isdigit() or int(raw) > MAX_FEE_VND:
            self.state.fee_problem = "Lệ phí là số đồng (0 nếu không thu). · The fee is a whole number of dong."
            self.d.on_change()
            return False
        self.d.state.form.fee_vnd = int(raw)
        self.state.fee_confirmed, self.state.fee_problem = True, ""
        self.d.on_change()
        return True

    def received(self, dossier: DossierOut) -> None:
        self.state.fee = dossier.fee

    def pay(self, method: str):  # noqa: ANN201
        dossier = self.d.state.dossier
        if dossier is None or self.state.fee is None or self.state.fee.status == "paid":
            return None

        async def work() -> None:
            try:
                self.state.fee = await self.d.gateway.pay_fee(dossier.code, method)
            except ApiError as exc:
                if exc.code == "fee_already_paid":
                    self.state.fee = (await self.d.gateway.dossier(dossier.code)).fee
                raise
            content = await self.d.gateway.fee_receipt_pdf(dossier.code, self.d.receipt_page)
            saved = await self.d.output.save_pdf(f"bien-lai-{dossier.code}.pdf", content)
            self.state.receipt_name = saved.name
            self.d._tell(f"Đã thu lệ phí {self.state.fee.amount_text} "
                         f"({'tiền mặt' if method == 'cash' else 'chuyển khoản'}), biên lai số "
                         f"{self.state.fee.receipt_number}: {saved.name}.")
        return self.d._run("pay", work)
