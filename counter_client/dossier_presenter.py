"""Receiving a dossier for the citizen at the counter, in plain Python (no Kivy).

Two stages: EDIT (procedure, applicant, documents, scans staged) and RECEIVED (the code
and PIN exist; more scans, reprint, request to complete). "Receive" is one keystroke
(Ctrl+Enter): the dossier is created, the staged scans are sent and the receipt slip is
printed, because a dossier is never received without its slip. Once received, F6 forwards
it to its processing agency.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from shared.agency_protocol import ForwardIn
from shared.app_tasks import AppTasks
from shared.client import ApiError
from shared.dossier_protocol import (
    ApplicantIdKind,
    DocumentForm,
    DossierAction,
    DossierOut,
    DossierStatus,
    DossierTransitionIn,
    SupplementItemIn,
    UploadedAttachmentOut,
)
from shared.protocol import ProcedureOut, TicketOut

from .documents import DocumentOutput, PrinterError
from .dossier_form import DossierForm
from .gateway import DossierGateway
from .identity_panel import IdentityPanel
from .scanning import SaneScanner, ScanError, ScannerFolderWatcher

log = logging.getLogger(__name__)
MAX_FILES_PER_UPLOAD = 20
_FORMS = list(DocumentForm)


class Stage(StrEnum):
    EDIT = "edit"
    RECEIVED = "received"


@dataclass
class DossierState:
    form: DossierForm
    stage: Stage = Stage.EDIT
    problems: dict[str, str] = field(default_factory=dict)
    dossier: DossierOut | None = None
    pin: str | None = None
    attachments: list[UploadedAttachmentOut] = field(default_factory=list)
    unsent: list[Path] = field(default_factory=list)  # scans that failed to upload: retry
    scanner_files: list[Path] = field(default_factory=list)  # new in the scanner folder
    procedure_results: list[ProcedureOut] = field(default_factory=list)
    supplement: list[tuple[str, str]] = field(default_factory=list)  # (what, why) being written
    busy: str | None = None
    notice: str = ""
    notice_error: bool = False
    receipt_path: Path | None = None
    supplement_path: Path | None = None
    form_version: int = 0  # bumped when the form changes under the clerk (an ID card scan)


class DossierPresenter:
    def __init__(self, gateway: DossierGateway, output: DocumentOutput, *, counter_id: int, site_code: str,
                 ticket: TicketOut, receipt_output: str, receipt_page: str, tz, on_change: Callable[[], None],
                 on_close: Callable[[bool], None], watcher: ScannerFolderWatcher | None = None,
                 scanner: SaneScanner | None = None) -> None:  # noqa: ANN001 (tz: a tzinfo)
        self.gateway = gateway
        self.output = output
        self.counter_id = counter_id
        self.site_code = site_code
        self.receipt_output = receipt_output
        self.receipt_page = receipt_page
        self.tz = tz
        self.on_change = on_change
        self.on_close = on_close  # called with True when the clerk also finished the ticket
        self.watcher = watcher
        self.scanner = scanner
        self.state = DossierState(DossierForm(
            ticket_id=ticket.id, ticket_label=ticket.label, procedure_code=ticket.procedure_code or "",
            procedure_name=ticket.procedure_name_vi or ""))
        self.tasks = AppTasks("counter_client.dossier_presenter")
        self.identity = IdentityPanel(self)

    # ---- plumbing -----------------------------------------------------------------------
    @property
    def ticket_id(self) -> int:
        return self.state.form.ticket_id


    async def idle(self) -> None:
        await self.tasks.idle()

    def _tell(self, text: str, error: bool = False) -> None:
        self.state.notice, self.state.notice_error = text, error
        self.on_change()

    def _run(self, what: str, work: Callable[[], Coroutine[Any, Any, Any]]) -> asyncio.Task | None:
        if self.state.busy is not None:
            return None
        self.state.busy = what
        self.on_change()

        async def guarded() -> None:
            try:
                await work()
            except ApiError as exc:
                self._tell(exc.message, error=True)
            except (ScanError, PrinterError) as exc:
                self._tell(exc.message_vi, error=True)
            except OSError as exc:
                self._tell(f"Lỗi đọc/ghi tệp: {exc}", error=True)
            finally:
                self.state.busy = None
                self.on_change()
        return self.tasks.track(guarded())

    # ---- the form -----------------------------------------------------------------------
    def set_field(self, name: str, value: str) -> None:
        if name not in ("name", "id_number", "phone", "address", "notes"):
            raise ValueError(name)
        setattr(self.state.form, name, value)
        if self.state.problems.pop(name, None) is not None:
            self._problem_fixed()

    def _problem_fixed(self) -> None:
        if self.state.notice_error and not self.state.problems:
            self._tell("")  # everything pointed out is fixed: the red line goes away

    def set_id_kind(self, kind: ApplicantIdKind | str) -> None:
        self.state.form.id_kind = ApplicantIdKind(kind)
        if self.state.problems.pop("id_number", None) is not None:
            self._problem_fixed()
        self.on_change()

    def add_document(self, name: str) -> bool:
        added = self.state.form.add_document(name)
        if added:
            self.state.problems.pop("documents", None)
            self._problem_fixed()
            self.on_change()
        return added

    def remove_document(self, index: int) -> None:
        form = self.state.form
        if 0 <= index < len(form.documents):
            del form.documents[index]
            form.file_lines = {p: i - (i > index) for p, i in form.file_lines.items() if i != index}
            self.on_change()

    def change_copies(self, index: int, delta: int) -> None:
        line = self.state.form.documents[index]
        line.copies = max(1, min(99, line.copies + delta))
        self.on_change()

    def next_form(self, index: int) -> None:
        line = self.state.form.documents[index]
        line.form = _FORMS[(_FORMS.index(line.form) + 1) % len(_FORMS)]
        self.on_change()

    def search_procedures(self, query: str) -> asyncio.Task:
        async def work() -> None:
            try:
                page = await self.gateway.search_procedures(query, self.site_code, limit=8)
            except ApiError as exc:
                self._tell(exc.message, error=True)
                return
            self.state.procedure_results = page.items
            self.on_change()
        return self.tasks.track(work())

    def choose_procedure(self, index: int) -> None:
        chosen = self.state.procedure_results[index]
        self.state.form.procedure_code, self.state.form.procedure_name = chosen.code, chosen.name_vi
        self.state.procedure_results = []
        self.state.problems.pop("procedure", None)
        self._problem_fixed()
        self.on_change()

    # ---- scans --------------------------------------------------------------------------
    def add_files(self, paths: list[Path]) -> asyncio.Task | None:
        """Staged before receiving; uploaded at once afterwards."""
        if self.state.stage is Stage.RECEIVED:
            return self._run("upload", lambda: self._upload(paths))
        problems = [p for p in (self.state.form.add_file(Path(x)) for x in paths) if p]
        self._tell("; ".join(problems), error=True) if problems else self.on_change()
        return None

    def remove_file(self, index: int) -> None:
        form = self.state.form
        if 0 <= index < len(form.files):
            form.file_lines.pop(form.files.pop(index), None)
            self.on_change()

    def move_file(self, index: int) -> None:
        """Which checklist line a staged scan belongs to: the next line, then none."""
        form = self.state.form
        if not 0 <= index < len(form.files):
            return
        path = form.files[index]
        choices = [i for i, d in enumerate(form.documents) if d.citizen_document_id is None] + [None]
        current = form.file_lines.get(path)
        nxt = choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]
        if nxt is None:
            form.file_lines.pop(path, None)
        else:
            form.file_lines[path] = nxt
        self.on_change()

    async def poll_scanner_folder(self) -> None:
        if self.watcher is None:
            return
        new = await asyncio.to_thread(self.watcher.poll)
        if new:
            self.state.scanner_files.extend(p for p in new if p not in self.state.scanner_files)
            self.on_change()

    def take_scanner_files(self) -> asyncio.Task | None:
        files, self.state.scanner_files = self.state.scanner_files, []
        return self.add_files(files) if files else None

    def scan(self) -> asyncio.Task | None:
        if self.scanner is None or not self.scanner.available:
            self._tell("Máy này chưa cài phần mềm quét (scanimage).", error=True)
            return None

        async def work() -> None:
            page = await self.scanner.scan_page()
            if self.state.stage is Stage.RECEIVED:
                await self._upload([page])
            else:
                self.state.form.add_file(page)
                self._tell(f"Đã quét 1 trang: {page.name}.")
        return self._run("scan", work)

    async def _upload(self, paths: list[Path]) -> None:
        dossier = self.state.dossier
        assert dossier is not None
        paths = list(dict.fromkeys(Path(p) for p in paths))
        lines = self.state.form.file_lines
        # Scans of one checklist line travel together, so the server keeps them as that
        # document of the citizen (reusable next time).
        groups: dict[int | None, list[Path]] = {}
        for path in paths:
            groups.setdefault(lines.get(path), []).append(path)
        batches = [group[i:i + MAX_FILES_PER_UPLOAD] for group in groups.values()
                   for i in range(0, len(group), MAX_FILES_PER_UPLOAD)]
        sent: list[UploadedAttachmentOut] = []
        for position, batch in enumerate(batches):
            files = await asyncio.to_thread(lambda b=batch: [(p.name, p.read_bytes()) for p in b])
            try:
                sent += await self.gateway.upload_files(dossier.code, files, lines.get(batch[0]))
            except ApiError:
                self.state.attachments += sent
                rest = [p for b in batches[position:] for p in b]
                self.state.unsent = list(dict.fromkeys([*self.state.unsent, *rest]))
                raise
        self.state.unsent = [p for p in self.state.unsent if p not in paths]
        self.state.attachments += sent
        again = sum(1 for a in sent if a.already_stored)
        self._tell(f"Đã số hóa {len(sent)} tệp cho hồ sơ {dossier.code}"
                   + (f" ({again} tệp đã có sẵn, không lưu lại)." if again else "."))

    def retry_unsent(self) -> asyncio.Task | None:
        if not self.state.unsent or self.state.stage is not Stage.RECEIVED:
            return None
        return self._run("upload", lambda: self._upload(list(self.state.unsent)))

    # ---- receiving ----------------------------------------------------------------------
    def receive(self) -> asyncio.Task | None:
        if self.state.stage is not Stage.EDIT:
            return None
        request, problems = self.state.form.to_request()
        self.state.problems = problems
        if request is None:
            self._tell("Hồ sơ chưa đủ thông tin: " + " ".join(problems.values()), error=True)
            return None

        async def work() -> None:
            dossier = await self.gateway.receive_dossier(self.counter_id, request)
            self.state.dossier, self.state.pin, self.state.stage = dossier, dossier.lookup_pin, Stage.RECEIVED
            self.identity.received(dossier)
            self._tell(f"Đã tiếp nhận hồ sơ {dossier.code}.")
            if self.state.form.files:
                try:
                    await self._upload(list(self.state.form.files))
                except ApiError as exc:
                    self.state.unsent = list(self.state.form.files)
                    self._tell(f"Hồ sơ {dossier.code} đã tiếp nhận, nhưng chưa gửi được tệp quét "
                               f"({exc.message}). Nhấn Ctrl+U để gửi lại.", error=True)
            await self._print_receipt()
        return self._run("receive", work)

    def print_receipt(self) -> asyncio.Task | None:
        if self.state.dossier is None:
            return None
        return self._run("print", self._print_receipt)

    async def _print_receipt(self) -> None:
        dossier = self.state.dossier
        assert dossier is not None
        notice, error = self.state.notice, self.state.notice_error
        if self.receipt_output == "escpos":
            await self.output.print_slip(dossier, self.state.pin, self.tz)
            done = "Đã in giấy tiếp nhận trên máy in của quầy."
        else:
            content = await self.gateway.receipt_pdf(dossier.code, self.state.pin, self.receipt_page)
            self.state.receipt_path = await self.output.save_pdf(f"giay-tiep-nhan-{dossier.code}.pdf", content)
            done = f"Giấy tiếp nhận: {self.state.receipt_path.name}."
        self._tell(f"{notice} {done}".strip() if not error else notice, error=error)

    # ---- request to complete (form 02) ----------------------------------------------------
    def add_supplement_item(self, what: str, why: str) -> bool:
        what, why = " ".join(what.split()), " ".join(why.split())
        if not what or not why:
            self._tell("Ghi rõ giấy tờ còn thiếu và lý do.", error=True)
            return False
        self.state.supplement.append((what, why))
        self.on_change()
        return True

    def remove_supplement_item(self, index: int) -> None:
        if 0 <= index < len(self.state.supplement):
            del self.state.supplement[index]
            self.on_change()

    def request_supplement(self, note: str = "") -> asyncio.Task | None:
        dossier = self.state.dossier
        if dossier is None or not self.state.supplement:
            self._tell("Hãy liệt kê đầy đủ các giấy tờ cần bổ sung (hướng dẫn một lần).", error=True)
            return None

        async def work() -> None:
            body = DossierTransitionIn(
                action=DossierAction.REQUEST_SUPPLEMENT, note=note or "Hồ sơ cần bổ sung, hoàn thiện.",
                items=[SupplementItemIn(what=w, reason=r) for w, r in self.state.supplement],
                counter_id=self.counter_id)
            self.state.dossier = await self.gateway.change_dossier(dossier.code, body)
            content = await self.gateway.supplement_pdf(dossier.code, self.receipt_page)
            self.state.supplement_path = await self.output.save_pdf(
                f"phieu-yeu-cau-bo-sung-{dossier.code}.pdf", content)
            self._tell(f"Đã lập phiếu yêu cầu bổ sung ({len(self.state.supplement)} mục): "
                       f"{self.state.supplement_path.name}.")
        return self._run("supplement", work)

    # ---- forwarding to the processing agency ------------------------------------------------
    def can_forward(self) -> bool:
        dossier = self.state.dossier
        return dossier is not None and dossier.status is DossierStatus.RECEIVED

    def forward(self) -> asyncio.Task | None:
        """Hand the received dossier to its processing agency (F6): the one the catalog maps
        it to. The server judges the hand-off against the 15:00 rule; the notice says so."""
        dossier = self.state.dossier
        if dossier is None:
            return None
        if not self.can_forward():
            self._tell(f"Hồ sơ {dossier.code} {dossier.status_vi.lower()}: không chuyển được nữa.", error=True)
            return None

        async def work() -> None:
            forwarded = await self.gateway.forward_dossier(dossier.code, ForwardIn())
            self.state.dossier = forwarded
            last = forwarded.handoffs[-1] if forwarded.handoffs else None
            judged = f" ({last.timeliness_vi.lower()})" if last and last.timeliness_vi else ""
            self._tell(f"Đã chuyển hồ sơ {forwarded.code} đến {forwarded.processing_agency_name_vi}{judged}.")
        return self._run("forward", work)

    # ---- leaving --------------------------------------------------------------------------
    def close(self, finish: bool = False) -> None:
        if self.state.busy is None:
            self.on_close(finish)

    def on_key(self, name: str) -> bool:
        actions: dict[str, Callable[[], object]] = {
            "ctrl+enter": self.receive, "ctrl+numpadenter": self.receive, "ctrl+p": self.print_receipt,
            "ctrl+s": self.scan, "ctrl+d": self.take_scanner_files, "ctrl+u": self.retry_unsent,
            "escape": self.close,
        }
        if name == "f6" and self.state.stage is Stage.RECEIVED:
            self.forward()
            return True
        if name == "f4" and self.state.stage is Stage.RECEIVED:
            self.close(finish=True)
            return True
        action = actions.get(name)
        if action is None:
            return False
        action()
        return True
