"""The identity and payment panel (F2) of the dossier screen against a real server: the ID
card's QR typed in by a USB scanner (keystrokes), a malformed scan refused, a stored copy of
the card reused without a scan, the fee confirmed, the dossier received, its VietQR code
shown (and read back from the screen by zxing-cpp), the fee paid in cash.

usage: counter_identity_driver.py SERVER_URL SHOTS_DIR REPORT_JSON SETTINGS_JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

import httpx  # noqa: E402
from counter_ui_harness import Clerk, run  # noqa: E402
from kivy.core.window import Keyboard, Window  # noqa: E402
from support import API, kiosk_headers  # noqa: E402

from shared.cccd import SAMPLE_CARDS, format_card_qr  # noqa: E402

SERVER = sys.argv[1]
CARD = SAMPLE_CARDS["elderly"]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def an_earlier_visit() -> str:
    """The same citizen came before: their ID card copy was digitized with that dossier."""
    with httpx.Client(base_url=SERVER, timeout=10) as http:
        token = http.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"}).json()
        staff = {"Authorization": f"Bearer {token['token']}"}
        http.post(f"{API}/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers()).raise_for_status()
        for action in ("open", "call-next", "start"):
            http.post(f"{API}/counters/1/{action}", headers=staff).raise_for_status()
        applicant = {"name": CARD.full_name, "id_number": CARD.id_number, "address": CARD.address}
        r = http.post(f"{API}/counters/1/dossiers", headers=staff, json={
            "applicant": applicant, "documents": [{"name": "Bản sao CCCD", "form": "copy", "issue_date": "2021-04-20"}],
            "fee_vnd": 0})
        r.raise_for_status()
        code = r.json()["code"]
        http.post(f"{API}/dossiers/{code}/files", headers=staff, data={"document_index": "0"},
                  files=[("files", ("cccd-2-mat.png", PNG, "image/png"))]).raise_for_status()
        for action in ("finish", "close"):
            http.post(f"{API}/counters/1/{action}", headers=staff).raise_for_status()
        http.post(f"{API}/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers()).raise_for_status()
        return code


async def scanner_types(clerk: Clerk, line: str) -> None:
    """A USB 2D scanner is a keyboard: one character at a time, then Enter."""
    for ch in line:
        Window.dispatch("on_textinput", ch)
    await clerk.frames(1)
    Window.dispatch("on_key_down", Keyboard.keycodes["enter"], 0, None, [])
    Window.dispatch("on_key_up", Keyboard.keycodes["enter"], 0)
    await clerk.frames(3)


async def identity(clerk: Clerk) -> None:
    first_code = an_earlier_visit()
    await clerk.serve_at_counter_1("A002")
    ds = clerk.screen("dossier")
    layer = ds.identity_layer
    await clerk.key("f2")
    await clerk.until("the identity panel", lambda: layer.shown and layer.scan_input.focus)
    await clerk.until("the procedure's fee", lambda: layer.fee_input.text == "0")

    line = format_card_qr(CARD)
    await scanner_types(clerk, line.replace("12051960", "31021960"))  # a misread date
    await clerk.until("the refusal", lambda: "Không đọc được mã QR trên CCCD" in layer.ids.scan_status.text)
    clerk.see("refusal", layer.ids.scan_status.text)
    clerk.see("name_after_refusal", ds.name_input.text)
    await clerk.shot("11-identity-bad-scan")

    await scanner_types(clerk, line)
    await clerk.until("the stored documents", lambda: len(layer.documents_box.children) == 1)
    clerk.see("card", layer.ids.scan_status.text)
    row = layer.documents_box.children[0]
    clerk.see("stored", [row.title, row.detail])
    reuse = next(w for w in row.walk() if getattr(w, "text", "") == "Dùng lại")
    await clerk.tap(reuse)
    await clerk.until("reused", lambda: clerk.app.dossier_view.identity.documents[0]["used"])
    await clerk.type_into(layer.fee_input, "50.000")
    await clerk.tap(layer.ids.confirm_fee)
    await clerk.until("fee confirmed", lambda: "Đã xác nhận" in clerk.app.dossier_view.identity.fee_hint)
    await clerk.shot("12-identity-scanned-and-reuse")
    await clerk.key("f2")
    await clerk.until("the panel closed", lambda: not layer.shown)
    clerk.see("form", [ds.name_input.text, ds.id_input.text, ds.address_input.text])
    clerk.see("documents", [c.title for c in reversed(ds.documents_box.children)])
    await clerk.key("ctrl+enter")
    await clerk.until("received", lambda: clerk.app.dossier_view.stage == "received"
                      and "Giấy tiếp nhận" in ds.ids.notice.text, 30)
    code = clerk.app.dossier_view.code
    clerk.see("dossier_code", code)
    clerk.see("first_code", first_code)
    await clerk.key("f2")
    await clerk.until("the VietQR code", lambda: layer.shown and layer.qr_image.texture is not None)
    shot = await clerk.shot("13-identity-vietqr")
    clerk.see("vietqr_shot", str(shot))
    clerk.see("vietqr", clerk.app.dossier_view.identity.vietqr)
    await clerk.tap(layer.ids.paid_cash)
    await clerk.until("paid", lambda: clerk.app.dossier_view.identity.paid, 20)
    clerk.see("paid_notice", ds.ids.notice.text)
    await clerk.shot("14-identity-paid")
    await clerk.key("escape")
    await clerk.until("the panel closed", lambda: not layer.shown)
    await clerk.key("f4")
    await clerk.until("back at the counter", lambda: clerk.app.root.current == "main"
                      and clerk.main.ids.current_label.text == "")
    await clerk.settled()


if __name__ == "__main__":
    sys.exit(run(identity, server_url=SERVER, shots=Path(sys.argv[2]), report=Path(sys.argv[3]),
                 settings_file=Path(sys.argv[4])))
