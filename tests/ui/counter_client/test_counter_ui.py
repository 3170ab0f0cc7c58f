"""The counter app in a real (offscreen) window against a real server process: a clerk's
day in miniature, driven by touch and keys, with screenshots.

Each scenario runs in its own process (a Kivy window is one per process); the driver
script reports what the screen showed and the test checks it and the server's records.
Screenshots: test-artifacts/ui/counter_client/. With MOTCUA_UPDATE_SCREENSHOTS=1 the
chosen ones are copied to docs/screenshots/counter_client/ for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from support import API, ROOT, Api, LiveServer

HERE = Path(__file__).resolve().parent
SHOTS = ROOT / "test-artifacts" / "ui" / "counter_client"
DOCS = ROOT / "docs" / "screenshots" / "counter_client"
FOR_README = ("01-login", "02-pick-counter", "05-serving", "05b-dossier-form", "05c-dossier-received",
              "06-live-update-and-print-alert", "07-transfer-to-counter", "08-transfer-to-site", "09-held",
              "10-pause-dialog")


def publish(shots: Path, names: tuple[str, ...], prefix: str = "") -> None:
    """With MOTCUA_UPDATE_SCREENSHOTS=1, copy the chosen screenshots next to the README."""
    if not os.environ.get("MOTCUA_UPDATE_SCREENSHOTS"):
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(shots / f"{name}.png", DOCS / f"{prefix}{name}.png")


def kivy_env(tmp: Path, size: tuple[int, int] = (1280, 800)) -> dict[str, str]:
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy", "KIVY_NO_ARGS": "1",
           "KIVY_HOME": str(tmp / "kivy"), "KIVY_NO_FILELOG": "1", "KIVY_CLIPBOARD": "sdl2",
           "XDG_CACHE_HOME": str(tmp / "cache"), "XDG_CONFIG_HOME": str(tmp / "config"),
           "XDG_DATA_HOME": str(tmp / "data"), "COUNTER_UI_WIDTH": str(size[0]), "COUNTER_UI_HEIGHT": str(size[1]),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    env.pop("DISPLAY", None)
    return env


def run_driver(script: str, server: LiveServer, tmp: Path, shots: Path, timeout: float = 240,
               size: tuple[int, int] = (1280, 800)) -> dict:
    report = tmp / "report.json"
    proc = subprocess.run(
        [sys.executable, str(HERE / script), server.url, str(shots), str(report), str(tmp / "counter.json")],
        env=kivy_env(tmp, size), cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    outcome = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    assert proc.returncode == 0, (outcome.get("error") or "no report") + "\n" + proc.stderr[-4000:]
    return outcome


@pytest.mark.slow
def test_a_clerks_day_in_miniature(sqlite_url: str, tmp_path: Path) -> None:
    server = LiveServer(sqlite_url, extra_env={"MOTCUA_FILE_STORAGE_DIR": str(tmp_path / "files")})
    try:
        shots = SHOTS / "day"
        shutil.rmtree(shots, ignore_errors=True)
        seen = run_driver("counter_day_driver.py", server, tmp_path, shots)["seen"]
        with httpx.Client(base_url=server.url) as http:
            api = Api(http)
            tickets = {}
            for ticket_id in range(1, 6):
                r = http.get(f"{API}/tickets/{ticket_id}", headers=api.staff("canbo.tt"))
                tickets[ticket_id] = r.json() if r.status_code == 200 else {"status": f"http {r.status_code}"}
            counter = http.get(f"{API}/counters/2", headers=api.staff("canbo.tt")).json()
            dossier = http.get(f"{API}/dossiers/{seen['dossier_code']}", headers=api.staff("canbo.tt")).json()
    finally:
        server.stop()

    # What the clerk saw
    assert seen["first_called"] == "A003" and seen["first_priority"] == "Ưu tiên: người cao tuổi"
    assert seen["procedure"] == "1.001193 · Thủ tục đăng ký khai sinh"
    assert seen["call_next_while_serving"] == "Xong & gọi tiếp"
    assert seen["no_show_too_early"] == "Hãy gọi lại số A001 ít nhất 1 lần trước khi đánh dấu vắng mặt."
    assert seen["no_show_notice"] == "Số A001 được đánh dấu vắng mặt."
    assert "Ki-ốt không in được phiếu số thứ tự A004 (hết giấy)" in seen["alert"]
    assert seen["transfer_counter_notice"] == "Đã chuyển số A002 đến quầy 9."
    assert seen["site_option"].startswith("Chi nhánh Phú Xuân (HUE-PX) | ")
    assert seen["transfer_site_notice"].startswith("Đã chuyển sang Chi nhánh Phú Xuân: số mới ")
    assert seen["figures"].startswith("Hôm nay: đã phục vụ 2 · vắng mặt 1")

    # The dossier of A003: two scans attached, the receipt slip saved as a PDF
    assert seen["dossier_notice"].startswith(f"Đã số hóa 2 tệp cho hồ sơ {seen['dossier_code']}.")
    assert sorted(a["file_name"] for a in dossier["attachments"]) == ["giay-chung-sinh.pdf", "to-khai.png"]
    assert dossier["applicant"]["name"] == "Trần Thị Mai" and dossier["intake_ticket_label"] == "A003"
    assert [d["name"] for d in dossier["documents"]] == ["Tờ khai theo mẫu", "Giấy chứng sinh"]
    slip = " ".join(PdfReader(seen["receipt"]).pages[0].extract_text().split())
    assert seen["dossier_code"] in slip and "Trần Thị Mai" in slip

    # What the server recorded (ids in issue order: A001, A002, A003, F001, A004)
    assert tickets[3]["status"] == "done" and tickets[5]["status"] == "done"
    assert tickets[1]["status"] == "no_show"
    assert tickets[2]["status"] == "waiting" and tickets[2]["target_counter_id"] == 9
    assert tickets[4]["status"] == "http 403"  # F001 now belongs to HUE-PX, not to this clerk's site
    assert counter["counter"]["state"] == "closed"
    assert counter["figures"]["served_today"] == 2 and counter["figures"]["no_show_today"] == 1

    pictures = sorted(p.stem for p in shots.glob("*.png"))
    assert "zz-failure" not in pictures and set(FOR_README) <= set(pictures)
    publish(shots, FOR_README)


@pytest.mark.slow
def test_the_counter_shows_a_lost_server_and_catches_up_when_it_returns(sqlite_url: str, tmp_path: Path) -> None:
    server = LiveServer(sqlite_url)
    shots = SHOTS / "reconnect"
    shutil.rmtree(shots, ignore_errors=True)
    report = tmp_path / "report.json"
    args = [sys.executable, str(HERE / "counter_reconnect_driver.py"), server.url, str(shots), str(report),
            str(tmp_path / "counter.json")]
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as err, subprocess.Popen(args, env=kivy_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
                                                   stderr=err, text=True) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == "STOP-SERVER":
                    server.stop()
                elif line.strip() == "START-SERVER":
                    server = LiveServer(sqlite_url, port=server.port)
                    with httpx.Client(base_url=server.url) as http:
                        Api(http).issue()  # A001, while the counter is still reconnecting
            proc.wait(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
            server.stop()
    outcome = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    assert proc.returncode == 0, (outcome.get("error") or "no report") + "\n" + errors.read_text()[-4000:]
    seen = outcome["seen"]
    assert seen["banner"].startswith("Mất kết nối máy chủ – đang kết nối lại")
    assert seen["header"] == "Mất kết nối"
    assert seen["notice_while_down"] == "Không kết nối được máy chủ. Đang thử lại…"
    assert seen["called_after_outage"] == "A001"
    publish(shots, ("01-connection-lost",), "reconnect-")


@pytest.mark.slow
def test_the_rating_screen_asks_the_citizen_after_the_clerk_finishes(sqlite_url: str, tmp_path: Path) -> None:
    server = LiveServer(sqlite_url)
    shots = SHOTS / "rating"
    shutil.rmtree(shots, ignore_errors=True)
    report = tmp_path / "report.json"
    try:
        proc = subprocess.run([sys.executable, str(HERE / "counter_rating_driver.py"), server.url, str(shots),
                               str(report)], env=kivy_env(tmp_path), cwd=ROOT, capture_output=True, text=True,
                              timeout=180)
    finally:
        server.stop()
    seen = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    assert proc.returncode == 0, seen.get("error", "no report") + "\n" + proc.stderr[-3000:]
    assert seen["greeting"] == ["Mời số A001", "Now serving A001"]
    assert seen["question"] == ["Quý khách vui lòng đánh giá mức độ hài lòng",
                                "Please rate our service · số / ticket A001"]
    assert seen["thanks"] == ["Cảm ơn quý khách!", "Thank you!"]
    ratings = seen["ratings"]
    assert ratings["total"] == 2
    got = sorted((r["ticket_label"], r["level"], r["reason"], r["source"], r["counter_number"]) for r in ratings["items"])
    assert got == [("A001", "satisfied", "", "counter", 1), ("A002", "unsatisfied", "Phải chờ lâu", "counter", 1)]
    publish(shots, ("03-please-rate", "05-why-not-satisfied"), "rating-")


@pytest.mark.slow
def test_the_identity_panel_fills_from_a_card_scan_reuses_a_document_and_takes_the_fee(sqlite_url: str,
                                                                                        tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    from shared.vietqr import parse_tlv

    bank = {"MOTCUA_PAYMENT_BANK_BIN": "970436", "MOTCUA_PAYMENT_ACCOUNT_NUMBER": "0071000123456",
            "MOTCUA_PAYMENT_ACCOUNT_NAME": "TT PHUC VU HANH CHINH CONG HUE", "MOTCUA_PAYMENT_BANK_NAME": "Vietcombank"}
    server = LiveServer(sqlite_url, extra_env={"MOTCUA_FILE_STORAGE_DIR": str(tmp_path / "files"), **bank})
    shots = SHOTS / "identity"
    shutil.rmtree(shots, ignore_errors=True)
    try:
        seen = run_driver("counter_identity_driver.py", server, tmp_path, shots)["seen"]
        with httpx.Client(base_url=server.url) as http:
            dossier = http.get(f"{API}/dossiers/{seen['dossier_code']}", headers=Api(http).staff("canbo.tt")).json()
    finally:
        server.stop()

    assert "Không đọc được mã QR trên CCCD: ngày sinh 31021960 không tồn tại." in seen["refusal"]
    assert "Unreadable ID card QR" in seen["refusal"] and seen["name_after_refusal"] == ""  # nothing half-filled
    assert seen["card"].splitlines()[:2] == ["Nguyễn Văn Mẫu · 046060012345", "Ngày sinh: 12/05/1960 · Giới tính: Nam"]
    assert seen["stored"][0] == "Bản sao CCCD" and seen["stored"][1].startswith(f"từ hồ sơ {seen['first_code']}")
    assert seen["form"] == ["Nguyễn Văn Mẫu", "046060012345", "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"]
    assert seen["documents"] == ["1. Bản sao CCCD"]
    # What the server kept: the applicant from the card, the copy linked (not re-scanned), the fee paid
    assert dossier["applicant"]["birth_date"] == "1960-05-12" and dossier["applicant"]["sex"] == "Nam"
    assert dossier["documents"][0]["reused_from"] == seen["first_code"]
    assert [a["reused_from"] for a in dossier["attachments"]] == [seen["first_code"]]
    assert (dossier["fee"]["amount_vnd"], dossier["fee"]["status"], dossier["fee"]["method"]) == (50000, "paid", "cash")
    assert seen["paid_notice"].startswith("Đã thu lệ phí 50.000 đồng (tiền mặt), biên lai số BL")
    # The code on the screen is the one a banking app reads
    read = zxingcpp.read_barcodes(Image.open(seen["vietqr_shot"]).convert("L"))
    payloads = [r.text for r in read if r.text.startswith("000201")]
    assert payloads == [seen["vietqr"]]
    assert parse_tlv(parse_tlv(payloads[0])["62"]) == {"08": seen["dossier_code"]}
    publish(shots, ("11-identity-bad-scan", "12-identity-scanned-and-reuse", "13-identity-vietqr", "14-identity-paid"))


@pytest.mark.slow
def test_f6_forwards_the_received_dossier_to_its_agency(sqlite_url: str, tmp_path: Path) -> None:
    server = LiveServer(sqlite_url, extra_env={"MOTCUA_FILE_STORAGE_DIR": str(tmp_path / "files")})
    shots = SHOTS / "forward"
    shutil.rmtree(shots, ignore_errors=True)
    try:
        seen = run_driver("counter_forward_driver.py", server, tmp_path, shots)["seen"]
        with httpx.Client(base_url=server.url) as http:
            dossier = http.get(f"{API}/dossiers/{seen['dossier_code']}", headers=Api(http).staff("canbo.tt")).json()
    finally:
        server.stop()

    ward = "Ủy ban nhân dân phường Thuận Hóa"
    assert seen["button_while_editing"] == [True, 0]  # hidden until the dossier exists
    assert seen["button"] == ["Chuyển cơ quan giải quyết\n[size=14sp]F6[/size]", False]
    assert f"Cơ quan giải quyết: {ward} (chưa chuyển · F6 để chuyển)" in seen["summary_before"]
    assert seen["notice"] in (f"Đã chuyển hồ sơ {seen['dossier_code']} đến {ward} (đúng hạn).",
                              f"Đã chuyển hồ sơ {seen['dossier_code']} đến {ward} (trước hạn).")
    assert "Trạng thái: Đã chuyển cơ quan giải quyết" in seen["summary_after"]
    assert seen["button_after"] is True
    assert "không chuyển được nữa" in seen["again"]
    # What the server recorded: one forward hand-off, from the center to the ward.
    assert dossier["status"] == "forwarded" and dossier["processing_agency_name_vi"] == ward
    assert [(h["kind"], h["to_name"]) for h in dossier["handoffs"]] == [("forward", ward)]
    assert [h["action"] for h in dossier["history"]].count("forward") == 1
    publish(shots, ("15-dossier-forward-ready", "16-dossier-forwarded"))
