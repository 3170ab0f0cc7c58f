"""Forwarding a received dossier to its processing agency from the dossier screen (F6),
against a real server: the button offers it once the dossier is received, F6 hands it
over, the screen says to whom and whether on time, and the button goes grey.

usage: counter_forward_driver.py SERVER_URL SHOTS_DIR REPORT_JSON SETTINGS_JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

import httpx  # noqa: E402
from counter_ui_harness import Clerk, run  # noqa: E402
from support import API, kiosk_headers  # noqa: E402

SERVER = sys.argv[1]


async def forward(clerk: Clerk) -> None:
    with httpx.Client(base_url=SERVER, timeout=10) as http:
        http.post(f"{API}/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers()).raise_for_status()
    await clerk.serve_at_counter_1("A001")
    ds = clerk.screen("dossier")
    await clerk.type_into(ds.name_input, "Lê Thị Thu")
    await clerk.type_into(ds.id_input, "046190007777")
    await clerk.type_into(ds.address_input, "3 Trần Hưng Đạo, phường Thuận Hóa, Huế")
    tokhai = next(b for b in ds.suggestions_box.children if "Tờ khai theo mẫu" in b.text)
    await clerk.tap(tokhai)
    clerk.see("button_while_editing", [ds.ids.forward.disabled, ds.ids.received_buttons.opacity])
    await clerk.key("ctrl+enter")
    await clerk.until("received", lambda: clerk.app.dossier_view.stage == "received"
                      and "Giấy tiếp nhận" in ds.ids.notice.text, 30)
    clerk.see("dossier_code", clerk.app.dossier_view.code)
    clerk.see("button", [ds.ids.forward.text, ds.ids.forward.disabled])
    clerk.see("summary_before", ds.ids.summary.text)
    await clerk.shot("15-dossier-forward-ready")
    await clerk.key("f6")
    await clerk.until("forwarded", lambda: "Đã chuyển hồ sơ" in ds.ids.notice.text, 20)
    clerk.see("notice", ds.ids.notice.text)
    clerk.see("summary_after", ds.ids.summary.text)
    clerk.see("button_after", ds.ids.forward.disabled)
    await clerk.shot("16-dossier-forwarded")
    await clerk.key("f6")  # again: nothing is sent, the clerk is told why
    await clerk.until("refused", lambda: "không chuyển được nữa" in ds.ids.notice.text)
    clerk.see("again", ds.ids.notice.text)
    await clerk.key("f4")
    await clerk.until("back at the counter", lambda: clerk.app.root.current == "main"
                      and clerk.main.ids.current_label.text == "")
    await clerk.settled()


if __name__ == "__main__":
    sys.exit(run(forward, server_url=SERVER, shots=Path(sys.argv[2]), report=Path(sys.argv[3]),
                 settings_file=Path(sys.argv[4])))
