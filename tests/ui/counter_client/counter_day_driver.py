"""A clerk's day in miniature at counter 2 of HUE-TT (services A and F), against a real
server: log in, pick the counter, open, call, recall, start, finish, no-show, transfer
to another counter and to another site, hold and resume, a kiosk's print failure, pause,
close. Started by test_counter_ui.py as a subprocess; see counter_ui_harness.py.

usage: counter_day_driver.py SERVER_URL SHOTS_DIR REPORT_JSON SETTINGS_JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

import httpx  # noqa: E402
from counter_ui_harness import Clerk, run  # noqa: E402
from support import API, kiosk_headers  # noqa: E402

SERVER = sys.argv[1]
COUNTER_2 = 2


def kiosk_issue(procedure: str | None = "1.001193", **body: object) -> dict:
    payload = {"procedure_code": procedure, **body} if procedure else body
    r = httpx.post(f"{SERVER}{API}/tickets", json=payload, headers=kiosk_headers(), timeout=10)
    r.raise_for_status()
    return r.json()


def police_procedure() -> str:
    r = httpx.get(f"{SERVER}{API}/procedures", params={"q": "cu tru", "site": "HUE-TT", "limit": 50}, timeout=10)
    r.raise_for_status()
    return next(p["code"] for p in r.json()["items"] if p["service_id"] == 6)


def button(clerk: Clerk, command: str):  # noqa: ANN201
    return clerk.main.ids[command]


def scan_files(work: Path) -> tuple[Path, Path]:
    """A page saved by hand (PDF) and a photo the network scanner will drop (PNG)."""
    from PIL import Image, ImageDraw

    (work / "scans").mkdir(exist_ok=True)
    pdf = work / "scans" / "giay-chung-sinh.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    photo = Image.new("RGB", (240, 320), "white")
    ImageDraw.Draw(photo).text((20, 20), "TO KHAI", fill="black")
    png = work / "to-khai.png"
    photo.save(png)
    return pdf, png


async def receive_dossier(clerk: Clerk) -> None:
    """F11 on the citizen being served: the form, two scans, Ctrl+Enter, the slip, F4."""
    work = Path(sys.argv[4]).parent
    pdf, png = scan_files(work)
    await clerk.key("f11")
    await clerk.until("the dossier screen", lambda: clerk.app.root.current == "dossier")
    ds = clerk.screen("dossier")
    await clerk.until("the procedure from the ticket", lambda: "1.001193" in ds.ids.procedure.text)
    await clerk.key("ctrl+enter")  # empty form: the clerk is told what is missing
    await clerk.until("the missing fields", lambda: "Hãy nhập họ tên" in ds.ids.notice.text)
    await clerk.type_into(ds.name_input, "Trần Thị Mai")
    await clerk.type_into(ds.id_input, "046190004321")
    await clerk.type_into(ds.phone_input, "0914 222 333")
    await clerk.type_into(ds.address_input, "25 Nguyễn Huệ, phường Thuận Hóa, Huế")
    tokhai = next(b for b in ds.suggestions_box.children if "Tờ khai theo mẫu" in b.text)
    await clerk.tap(tokhai)
    await clerk.type_into(ds.document_input, "Giấy chứng sinh")
    await clerk.tap(ds.ids.add_document)
    await clerk.until("two documents", lambda: len(ds.documents_box.children) == 2)
    await clerk.key("ctrl+o")
    await clerk.until("the file chooser", lambda: ds.chooser_layer.shown)
    ds.chooser_layer.chooser.path = str(pdf.parent)
    ds.chooser_layer.chooser.selection = [str(pdf)]
    await clerk.frames(3)
    await clerk.shot("05a-dossier-choose-file")
    await clerk.tap(ds.chooser_layer.ids.pick)
    png.rename(work / "scanner" / png.name)  # the network scanner drops a page
    await clerk.until("the scanner's file offered", lambda: "to-khai.png" in clerk.app.dossier_view.scanner_text)
    await clerk.tap(ds.ids.take_scanner_files)
    await clerk.until("two scans staged", lambda: len(ds.files_box.children) == 2)
    await clerk.shot("05b-dossier-form")
    await clerk.key("ctrl+enter")
    await clerk.until("received", lambda: clerk.app.dossier_view.stage == "received"
                      and "Giấy tiếp nhận" in ds.ids.notice.text, 30)
    clerk.see("dossier_code", clerk.app.dossier_view.code)
    clerk.see("dossier_notice", ds.ids.notice.text)
    clerk.see("receipt", str(clerk.presenter.dossier.state.receipt_path))
    await clerk.shot("05c-dossier-received")
    await clerk.key("f4")


async def day(clerk: Clerk) -> None:
    p = clerk.presenter
    main = clerk.main
    ids = main.ids

    # ---- morning: tickets are already waiting ----
    kiosk_issue()  # A001
    kiosk_issue()  # A002
    kiosk_issue(priority="elderly")  # A003, an elderly citizen
    f001 = kiosk_issue(police_procedure())  # F001, police: residence

    login = clerk.screen("login")
    await clerk.type_into(login.username, "canbo.tt")
    await clerk.type_into(login.password, "motcua-demo")
    await clerk.shot("01-login")
    await clerk.tap(login.ids.login_button)
    await clerk.until("the counter list", lambda: clerk.app.root.current == "pick_counter")
    await clerk.shot("02-pick-counter")
    tiles = {t.counter_id: t for t in clerk.screen("pick_counter").grid.children}
    await clerk.tap(tiles[COUNTER_2])
    await clerk.until("the main screen", lambda: clerk.app.root.current == "main")
    await clerk.until("the live stream", lambda: clerk.app.main.stream_ok and p.state.stream == "live")
    clerk.expect(ids.current_label.text == "", "no ticket at a closed counter")
    clerk.expect(button(clerk, "call_next").disabled and not button(clerk, "open").disabled,
                 "a closed counter offers only opening")
    await clerk.shot("03-counter-closed")

    # ---- open (F10) and call (F1): the elderly citizen first ----
    await clerk.key("f10")
    await clerk.until("the counter open", lambda: ids.counter_state.text == "Đang mở")
    await clerk.key("f1")
    await clerk.until("A003 called", lambda: ids.current_label.text == "A003")
    clerk.see("first_called", ids.current_label.text)
    clerk.see("first_priority", clerk.app.main.current_priority)
    clerk.see("procedure", ids.current_procedure.text)
    await clerk.tap(button(clerk, "recall"))  # the button works as well as F2
    await clerk.until("the recall shown", lambda: "gọi lại 1 lần" in ids.current_status.text)
    await clerk.shot("04-called-and-recalled")
    await clerk.key("f3")
    await clerk.until("serving A003", lambda: ids.current_status.text == "Đang phục vụ")
    clerk.see("call_next_while_serving", button(clerk, "call_next").text.split("\n")[0])
    await clerk.shot("05-serving")
    await receive_dossier(clerk)
    await clerk.until("A003 finished", lambda: clerk.app.root.current == "main" and ids.current_label.text == "")
    await clerk.until("figures updated", lambda: "đã phục vụ 1" in ids.figures.text)

    # ---- A001 does not come: recall, then no-show ----
    await clerk.key("f1")
    await clerk.until("A001 called", lambda: ids.current_label.text == "A001")
    await clerk.key("f5")  # too early: the rule says recall first
    await clerk.until("the recall rule", lambda: "gọi lại số A001" in ids.notice.text)
    clerk.see("no_show_too_early", ids.notice.text)
    await clerk.key("f2")
    await clerk.until("A001 recalled", lambda: "gọi lại 1 lần" in ids.current_status.text)
    await clerk.key("f5")
    await clerk.until("A001 no-show", lambda: ids.current_label.text == "")
    clerk.see("no_show_notice", ids.notice.text)
    await clerk.until("no-show counted", lambda: "vắng mặt 1" in ids.figures.text)

    # ---- live: a new citizen arrives while the clerk works; a kiosk runs out of paper ----
    new = kiosk_issue()  # A004
    await clerk.until("A004 in the waiting list", lambda: any(
        r["label"] == "A004" for r in clerk.app.main.waiting_rows))
    r = httpx.post(f"{SERVER}{API}/tickets/{new['id']}/print-result", headers=kiosk_headers(), timeout=10,
                   json={"printed": False, "error_kind": "paper_out", "message": "hết giấy"})
    r.raise_for_status()
    await clerk.until("the print alert", lambda: "A004" in clerk.app.main.alert_text)
    clerk.see("alert", clerk.app.main.alert_text)
    await clerk.shot("06-live-update-and-print-alert")
    await clerk.key("alt+d")
    await clerk.until("the alert dismissed", lambda: not clerk.app.main.alert_text)

    # ---- A002 needs another counter: transfer (F6) to counter 9, found by typing ----
    await clerk.key("f1")
    await clerk.until("A002 called", lambda: ids.current_label.text == "A002")
    await clerk.key("f3")
    await clerk.until("serving A002", lambda: ids.current_status.text == "Đang phục vụ")
    await clerk.key("f6")
    layer = main.dialog_layer
    await clerk.until("the transfer dialog", lambda: clerk.app.dialog.kind == "transfer")
    await clerk.tap(layer.ids.target_counter)
    await clerk.until("the counter list", lambda: clerk.app.dialog.target == "counter")
    await clerk.type_into(layer.search, "quay 9")
    await clerk.until("counter 9 found", lambda: [r["title"] for r in clerk.app.dialog.rows] == ["Quầy 9 (Tư pháp, Trả kết quả)"])
    await clerk.type_into(layer.reason, "Công dân cần nhận kết quả cũ")
    await clerk.shot("07-transfer-to-counter")
    await clerk.tap(layer.ids.confirm)
    await clerk.until("A002 transferred", lambda: ids.current_label.text == "" and not clerk.app.dialog.kind)
    clerk.see("transfer_counter_notice", ids.notice.text)

    # ---- hold (F7) and resume (Alt+1) ----
    await clerk.key("f1")
    await clerk.until("A004 called", lambda: ids.current_label.text == "A004")
    await clerk.key("f3")
    await clerk.until("serving A004", lambda: ids.current_status.text == "Đang phục vụ")
    await clerk.key("f7")
    await clerk.until("A004 held", lambda: ids.current_label.text == "" and len(main.held_box.children) == 1)
    await clerk.shot("09-held")
    await clerk.key("alt+1")
    await clerk.until("A004 resumed", lambda: ids.current_label.text == "A004")
    await clerk.key("f4")
    await clerk.until("A004 finished", lambda: ids.current_label.text == "")
    await clerk.until("two served", lambda: "đã phục vụ 2" in ids.figures.text)

    # ---- F001 is better served at the branch: transfer to another site ----
    await clerk.key("f1")
    await clerk.until("F001 called", lambda: ids.current_label.text == f001["label"])
    await clerk.key("f6")
    await clerk.until("the transfer dialog", lambda: clerk.app.dialog.kind == "transfer")
    await clerk.key("alt+t")
    await clerk.until("the sites", lambda: any("HUE-PX" in r["title"] for r in clerk.app.dialog.rows))
    await clerk.type_into(layer.search, "phu xuan")
    await clerk.until("Phú Xuân found", lambda: len(clerk.app.dialog.rows) == 1)
    clerk.see("site_option", clerk.app.dialog.rows[0]["title"] + " | " + clerk.app.dialog.rows[0]["subtitle"])
    await clerk.shot("08-transfer-to-site")
    await clerk.key("enter")
    await clerk.until("F001 transferred", lambda: ids.current_label.text == "" and not clerk.app.dialog.kind)
    clerk.see("transfer_site_notice", ids.notice.text)

    # ---- a meeting: pause (F9, reason 2), come back (F10), close at the end (F12) ----
    await clerk.key("f9")
    await clerk.until("the pause dialog", lambda: clerk.app.dialog.kind == "pause")
    await clerk.shot("10-pause-dialog")
    await clerk.key("2")
    await clerk.until("paused", lambda: ids.counter_state.text == "Tạm nghỉ – Họp")
    await clerk.shot("11-paused")
    await clerk.key("f10")
    await clerk.until("open again", lambda: ids.counter_state.text == "Đang mở")
    await clerk.key("f12")
    await clerk.until("the close dialog", lambda: clerk.app.dialog.kind == "close_confirm")
    await clerk.key("enter")
    await clerk.until("closed", lambda: ids.counter_state.text == "Đóng")
    clerk.see("figures", ids.figures.text)
    await clerk.shot("12-closed-end-of-day")
    await clerk.settled()


if __name__ == "__main__":
    sys.exit(run(day, server_url=SERVER, shots=Path(sys.argv[2]), report=Path(sys.argv[3]),
                 settings_file=Path(sys.argv[4])))
