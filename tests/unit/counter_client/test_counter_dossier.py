"""Receiving a dossier at the counter, without Kivy: the form, scans, the receipt slip,
the request to complete, and the keys (Ctrl+Enter, Ctrl+P, F4, Esc)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from counter_client.documents import DocumentOutput
from counter_client.dossier_form import DossierForm
from counter_client.dossier_presenter import DossierPresenter, Stage
from counter_client.dossier_viewmodel import dossier_view
from counter_client.fakes import PASSWORD, FakeGateway
from counter_client.presenter import CounterPresenter, Phase
from counter_client.scanning import ScannerFolderWatcher
from counter_client.settings import CounterSettings
from shared.client import ApiError
from shared.dossier_protocol import ApplicantIdKind, DocumentForm, DossierStatus
from shared.enums import TicketStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


class Counter:
    """A counter serving A001 with the dossier screen open."""

    def __init__(self, tmp: Path, receipt_output: str = "pdf") -> None:
        self.tmp = tmp
        self.fake = FakeGateway()
        self.closed: list[bool] = []
        self.desk = CounterPresenter(self.fake, CounterSettings(path=tmp / "c.json"), dossier_factory=self._factory)
        self.receipt_output = receipt_output

    def _factory(self, ticket, on_change, on_close):  # noqa: ANN001, ANN202
        return DossierPresenter(self.fake, DocumentOutput(self.tmp / "receipts", open_after=False),
                                counter_id=self.desk.counter_id, site_code="HUE-TT", ticket=ticket,
                                receipt_output=self.receipt_output, receipt_page="A5", tz=self.desk.tz,
                                on_change=on_change, on_close=on_close,
                                watcher=ScannerFolderWatcher(self.tmp / "scanner"))

    async def serving(self) -> DossierPresenter:
        (self.tmp / "scanner").mkdir(exist_ok=True)
        self.fake.issue("A")
        await self.desk.login_async("canbo.tt", PASSWORD)
        await self.desk.pick_counter_async(1)
        for key in ("f10", "f1", "f3", "f11"):
            self.desk.on_key(key)
            await self.desk.idle()
        assert self.desk.state.phase is Phase.DOSSIER and self.desk.dossier is not None
        return self.desk.dossier

    async def key(self, name: str) -> None:
        self.desk.on_key(name)
        await self.desk.idle()
        if self.desk.dossier:
            await self.desk.dossier.idle()


def fill(d: DossierPresenter) -> None:
    d.set_field("name", "Nguyễn Văn Bình")
    d.set_field("id_number", "0460 9000 1234")
    d.set_field("phone", "0905 123 456")
    d.set_field("address", "12 Lê Lợi, phường Thuận Hóa, Huế")
    d.add_document("Tờ khai đăng ký khai sinh")
    d.add_document("Giấy chứng sinh")


def test_the_form_starts_with_the_tickets_procedure(tmp_path: Path) -> None:
    async def scenario() -> None:
        d = await Counter(tmp_path).serving()
        assert (d.state.form.procedure_code, d.state.form.procedure_name) == ("1.001193", "Thủ tục đăng ký khai sinh")
        assert d.state.form.ticket_label == "A001"
    asyncio.run(scenario())


def test_an_incomplete_form_says_what_is_missing_and_sends_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        d.set_field("id_number", "12345")
        await c.key("ctrl+enter")
        assert set(d.state.problems) == {"name", "documents"}
        d.set_field("name", "Lê Thị Hoa")
        d.add_document("Tờ khai")
        await c.key("ctrl+enter")
        assert d.state.problems == {"id_number": "Số CCCD / định danh cá nhân phải có đúng 12 chữ số."}
        d.set_id_kind(ApplicantIdKind.TAX_CODE)
        d.set_field("id_number", "0101234567-001")
        assert d.state.form.to_request()[1] == {}
        assert not [name for name, _ in c.fake.calls if name == "POST dossier"]
    asyncio.run(scenario())


def test_ctrl_enter_receives_sends_the_staged_scans_and_saves_the_receipt(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        fill(d)
        (tmp_path / "p1.png").write_bytes(PNG)
        (tmp_path / "p2.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        d.add_files([tmp_path / "p1.png", tmp_path / "p2.pdf"])
        await c.key("ctrl+enter")
        assert d.state.stage is Stage.RECEIVED
        sent = next(body for name, body in c.fake.calls if name == "POST dossier")
        assert sent.ticket_id == 1 and sent.applicant.id_number == "046090001234"
        assert [doc.name for doc in sent.documents] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        # Each scan goes with the checklist line it was staged for (the latest line without a
        # scan): the server keeps it as that document of the citizen.
        assert [body for name, body in c.fake.calls if name == "POST files"] == [["p1.png"], ["p2.pdf"]]
        assert [(a.file_name, a.document_index) for a in d.state.attachments] == [("p1.png", 1), ("p2.pdf", 0)]
        receipt = tmp_path / "receipts" / "giay-tiep-nhan-000.00.01.H57-261123-0001.pdf"
        assert receipt.read_bytes().endswith(b"PIN 482913750264")  # the PIN printed once, on the slip
        assert d.state.notice.startswith("Đã số hóa 2 tệp cho hồ sơ 000.00.01.H57-261123-0001")
        assert d.state.notice.endswith("Giấy tiếp nhận: giay-tiep-nhan-000.00.01.H57-261123-0001.pdf.")
    asyncio.run(scenario())


def test_a_file_that_is_not_a_scan_is_refused_before_sending(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        (tmp_path / "virus.exe").write_bytes(b"MZ")
        d.add_files([tmp_path / "virus.exe", tmp_path / "missing.pdf"])
        assert d.state.form.files == []
        assert d.state.notice == "Tệp virus.exe không phải PDF, JPEG, PNG hay TIFF.; Không tìm thấy tệp missing.pdf."
    asyncio.run(scenario())


def test_a_failed_upload_keeps_the_dossier_and_ctrl_u_sends_the_scans_again(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        fill(d)
        (tmp_path / "p1.png").write_bytes(PNG)
        d.add_files([tmp_path / "p1.png"])
        real = c.fake.upload_files

        async def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise ApiError(413, "too_large", "Tệp quá lớn.")
        c.fake.upload_files = broken
        await c.key("ctrl+enter")
        assert d.state.stage is Stage.RECEIVED and d.state.unsent == [tmp_path / "p1.png"]
        assert "chưa gửi được tệp quét (Tệp quá lớn.)" in d.state.notice and d.state.notice_error
        assert (tmp_path / "receipts").is_dir()  # the slip is printed all the same
        c.fake.upload_files = real
        await c.key("ctrl+u")
        assert d.state.unsent == [] and len(d.state.attachments) == 1
    asyncio.run(scenario())


def test_the_same_scan_twice_is_stored_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        fill(d)
        await c.key("ctrl+enter")
        (tmp_path / "a.png").write_bytes(PNG)
        (tmp_path / "b.png").write_bytes(PNG)
        d.add_files([tmp_path / "a.png"])
        await d.idle()
        d.add_files([tmp_path / "b.png"])
        await d.idle()
        assert d.state.notice == "Đã số hóa 1 tệp cho hồ sơ 000.00.01.H57-261123-0001 (1 tệp đã có sẵn, không lưu lại)."
    asyncio.run(scenario())


def test_new_files_in_the_scanner_folder_are_offered_once_complete_and_ctrl_d_attaches_them(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        (tmp_path / "scanner").mkdir()
        (tmp_path / "scanner" / "old.pdf").write_bytes(b"%PDF old")  # there before: not offered
        d = await c.serving()
        fill(d)
        await c.key("ctrl+enter")
        (tmp_path / "scanner" / "scan_0001.pdf").write_bytes(b"%PDF-1.4 page")
        await d.poll_scanner_folder()
        assert d.state.scanner_files == []  # maybe still being written
        await d.poll_scanner_folder()
        assert d.state.scanner_files == [tmp_path / "scanner" / "scan_0001.pdf"]
        await c.key("ctrl+d")
        assert d.state.scanner_files == [] and [a.file_name for a in d.state.attachments] == ["scan_0001.pdf"]
        await d.poll_scanner_folder()
        assert d.state.scanner_files == []
    asyncio.run(scenario())


def test_ctrl_p_reprints_and_the_escpos_setting_uses_the_counters_printer(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path, receipt_output="escpos")
        d = await c.serving()
        printed = []

        async def print_slip(dossier, pin, tz):  # noqa: ANN001, ANN202
            printed.append((dossier.code, pin))
        d.output.print_slip = print_slip
        fill(d)
        await c.key("ctrl+enter")
        await c.key("ctrl+p")
        assert printed == [("000.00.01.H57-261123-0001", "482913750264")] * 2
        assert not [name for name, _ in c.fake.calls if name == "GET receipt"]
        assert d.state.notice.endswith("Đã in giấy tiếp nhận trên máy in của quầy.")
    asyncio.run(scenario())


def test_a_request_to_complete_lists_every_missing_item_and_is_saved_as_a_form(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        fill(d)
        await c.key("ctrl+enter")
        assert d.request_supplement() is None  # nothing listed yet: guide once, in full
        assert not d.add_supplement_item("Giấy chứng sinh", "")
        d.add_supplement_item("Giấy chứng sinh bản chính", "Chỉ nộp bản sao")
        d.add_supplement_item("Giấy đăng ký kết hôn của cha mẹ", "Chưa nộp")
        d.request_supplement()
        await d.idle()
        body = next(b for name, b in c.fake.calls if name == "POST transition")
        assert [(i.what, i.reason) for i in body.items] == [("Giấy chứng sinh bản chính", "Chỉ nộp bản sao"),
                                                          ("Giấy đăng ký kết hôn của cha mẹ", "Chưa nộp")]
        assert d.state.dossier.status is DossierStatus.SUPPLEMENT_REQUESTED
        assert (tmp_path / "receipts" / "phieu-yeu-cau-bo-sung-000.00.01.H57-261123-0001.pdf").is_file()
    asyncio.run(scenario())


def test_changing_the_procedure_by_search(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        await d.search_procedures("ket hon")
        assert [p.name_vi for p in d.state.procedure_results] == ["Thủ tục đăng ký kết hôn"]
        d.choose_procedure(0)
        assert d.state.form.procedure_code == "1.000894" and d.state.procedure_results == []
    asyncio.run(scenario())


def test_documents_lines_count_copies_and_forms() -> None:
    form = DossierForm(ticket_id=1, ticket_label="A001")
    assert form.add_document("  Tờ   khai ")
    assert not form.add_document("Tờ khai")  # no duplicate lines
    form.documents[0].copies = 2
    form.documents[0].form = DocumentForm.CERTIFIED_COPY
    assert form.documents[0].text_vi == "Tờ khai · 2 bản sao có chứng thực"


def test_f4_after_receiving_finishes_the_ticket_and_esc_just_goes_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        await c.key("f4")  # not received yet: F4 is not "finish" here
        assert c.desk.state.phase is Phase.DOSSIER
        fill(d)
        await c.key("ctrl+enter")
        await c.key("f4")
        await c.desk.idle()
        assert c.desk.state.phase is Phase.MAIN
        assert c.fake.tickets[1].status is TicketStatus.DONE
    asyncio.run(scenario())


def test_f6_forwards_the_received_dossier_to_its_agency_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        await c.key("f6")  # nothing received yet: F6 does nothing here
        assert not any(name == "POST forward" for name, _ in c.fake.calls)
        fill(d)
        await c.key("ctrl+enter")
        assert d.can_forward() and dossier_view(d).can_forward
        assert "Cơ quan giải quyết: UBND phường Thuận Hóa (chưa chuyển · F6 để chuyển)" in dossier_view(d).summary
        await c.key("f6")
        assert [b[0] for name, b in c.fake.calls if name == "POST forward"] == [d.state.dossier.code]
        assert d.state.dossier.status is DossierStatus.FORWARDED
        assert d.state.notice == (f"Đã chuyển hồ sơ {d.state.dossier.code} đến UBND phường Thuận Hóa (đúng hạn).")
        view = dossier_view(d)
        assert not view.can_forward and "Trạng thái: Đã chuyển cơ quan giải quyết" in view.summary
        assert "UBND phường Thuận Hóa (đã chuyển lúc" in view.summary
        await c.key("f6")  # a second press sends nothing and says why
        assert sum(1 for name, _ in c.fake.calls if name == "POST forward") == 1
        assert d.state.notice_error and "không chuyển được nữa" in d.state.notice
        assert c.desk.state.phase is Phase.DOSSIER  # F6 is not the main screen's transfer here
    asyncio.run(scenario())


def test_forwarding_a_dossier_with_no_agency_shows_the_servers_reason(tmp_path: Path) -> None:
    async def scenario() -> None:
        c = Counter(tmp_path)
        d = await c.serving()
        await d.search_procedures("chung thuc")
        d.choose_procedure(0)  # a procedure the catalog maps to no agency yet
        fill(d)
        await c.key("ctrl+enter")
        await c.key("f6")
        assert d.state.notice_error and "Chưa xác định được cơ quan giải quyết" in d.state.notice
        assert d.state.dossier.status is DossierStatus.RECEIVED and d.can_forward()
    asyncio.run(scenario())
