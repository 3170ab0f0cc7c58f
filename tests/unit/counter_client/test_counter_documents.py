"""The counter's printed output without a printer: the thermal receipt slip (text drawn in
a Vietnamese font, the QR a phone reads), the ESC/POS bytes a network printer receives,
and PDFs saved where the clerk finds them."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from counter_client.documents import DocumentOutput, PrinterError
from counter_client.receipt_slip import render_slip, slip_lines
from kiosk.printing.escpos_decode import decode
from shared.dossier_protocol import ApplicantOut, DocumentOut, DossierOut, DossierStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.01.H57-261123-0007"
PIN = "482913750264"


def dossier() -> DossierOut:
    return DossierOut(
        id=7, code=CODE, status=DossierStatus.RECEIVED, status_vi="Đã tiếp nhận", site_code="HUE-TT",
        site_name_vi="Trung tâm Phục vụ hành chính công thành phố Huế", agency_code="000.00.01.H57",
        procedure_code="1.001193", procedure_name_vi="Thủ tục đăng ký khai sinh", legal_time_vi="01 ngày làm việc",
        applicant=ApplicantOut(name="Nguyễn Thị Hương", id_kind="citizen_id", id_number="046190004321",
                               phone="0914222333", address="25 Nguyễn Huệ, Huế", email=""),
        documents=[DocumentOut(name="Tờ khai đăng ký khai sinh", copies=1, form="original"),
                   DocumentOut(name="Giấy chứng sinh", copies=2, form="certified_copy")],
        notes="", received_at=datetime(2026, 11, 23, 8, 5, tzinfo=UTC), received_by_name="Trần Văn Cán Bộ",
        counter_number=2, intake_ticket_id=3, intake_ticket_label="A003", due_date=date(2026, 11, 24), due_at=None,
        overdue=False, attachments=[], history=[], lookup_url=f"http://127.0.0.1:8000/d/{CODE}", lookup_pin=PIN)


def test_the_slip_has_every_field_in_vietnamese_local_time() -> None:
    text = "\n".join(line.text for line in slip_lines(dossier(), PIN, HCM))
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ", "VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {CODE}", "Người nộp: Nguyễn Thị Hương",
                     "Số giấy tờ: 046190004321", "Điện thoại: 0914222333", "Địa chỉ: 25 Nguyễn Huệ, Huế",
                     "Thủ tục: 1.001193 Thủ tục đăng ký khai sinh", "2. Giấy chứng sinh (2 bản sao có chứng thực)",
                     "Tiếp nhận lúc: 15 giờ 05, ngày 23/11/2026", "Hẹn trả kết quả: Ngày 24/11/2026",
                     "Cán bộ tiếp nhận: Trần Văn Cán Bộ", "Mã PIN tra cứu: 4829 1375 0264"):  # in groups of four
        assert expected in text


@pytest.mark.parametrize(("paper", "dots"), [(80, 576), (58, 384)])
def test_the_slip_is_as_wide_as_the_paper_and_its_qr_opens_the_lookup_page(paper: int, dots: int) -> None:
    slip = render_slip(dossier(), PIN, HCM, paper)
    assert slip.mode == "1" and slip.width == dots
    assert [r.text for r in zxingcpp.read_barcodes(slip.convert("L"))] == [f"http://127.0.0.1:8000/d/{CODE}"]


def test_a_network_printer_receives_the_slip_as_raster_images_then_a_cut(tmp_path: Path) -> None:
    received = bytearray()
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def printer() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=printer, daemon=True)
    thread.start()
    import asyncio

    output = DocumentOutput(tmp_path, open_after=False, printer_url=f"tcp://127.0.0.1:{port}")
    asyncio.run(output.print_slip(dossier(), PIN, HCM))
    thread.join(10)
    server.close()
    stream = decode(bytes(received))
    assert stream.ends_with_cut and stream.images
    paper = Image.new("1", (576, sum(i.height for i in stream.images)), 1)
    top = 0
    for image in stream.images:  # long slips are sent in strips: put them back together
        paper.paste(image.image, (0, top))
        top += image.height
    assert [r.text for r in zxingcpp.read_barcodes(paper.convert("L"))] == [f"http://127.0.0.1:8000/d/{CODE}"]


def test_an_unreachable_printer_is_reported_in_vietnamese(tmp_path: Path) -> None:
    import asyncio

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once closed
    output = DocumentOutput(tmp_path, open_after=False, printer_url=f"tcp://127.0.0.1:{port}")
    with pytest.raises(PrinterError, match="Không in được giấy tiếp nhận"):
        asyncio.run(output.print_slip(dossier(), None, HCM))
    with pytest.raises(PrinterError, match="Chưa cấu hình máy in"):
        asyncio.run(DocumentOutput(tmp_path, open_after=False).print_slip(dossier(), None, HCM))


def test_pdfs_are_saved_by_name_only_inside_the_documents_folder(tmp_path: Path) -> None:
    import asyncio

    output = DocumentOutput(tmp_path / "giay-to", open_after=False)
    path = asyncio.run(output.save_pdf("../../etc/giay-tiep-nhan.pdf", b"%PDF-1.4"))
    assert path == tmp_path / "giay-to" / "giay-tiep-nhan.pdf" and path.read_bytes() == b"%PDF-1.4"
    assert not list((tmp_path / "giay-to").glob("*.part"))
