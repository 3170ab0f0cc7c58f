"""The counter app's screens at one window size (COUNTER_UI_WIDTH × COUNTER_UI_HEIGHT),
each measured for overlapping and clipped text and faint disabled controls
(layout_check.py): login, the counter tiles, a closed counter, a citizen being served,
the transfer dialog, the dossier form filled in with a long address and a phone number
starting with 0. Started by test_counter_ui.py as a subprocess.

usage: counter_layout_driver.py SERVER_URL SHOTS_DIR REPORT_JSON SETTINGS_JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

import httpx  # noqa: E402
from counter_ui_harness import Clerk, run  # noqa: E402
from layout_check import disabled_contrasts, layout_problems  # noqa: E402
from support import API, kiosk_headers  # noqa: E402

SERVER = sys.argv[1]
COUNTER_2 = 2
PHONE = "0912 345 678"
ADDRESS = "Tổ dân phố 7, số 125/4 đường Nguyễn Sinh Cung, phường Vỹ Dạ, thành phố Huế"


async def measure(clerk: Clerk, name: str) -> None:
    await clerk.frames(4)
    root = clerk.app.root
    clerk.report["seen"].setdefault("problems", {})[name] = layout_problems(root)
    clerk.report["seen"].setdefault("disabled", {})[name] = disabled_contrasts(root)
    await clerk.shot(name)


async def screens(clerk: Clerk) -> None:
    httpx.post(f"{SERVER}{API}/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers(),
               timeout=10).raise_for_status()
    login = clerk.screen("login")
    await measure(clerk, "1-login")
    await clerk.type_into(login.username, "canbo.tt")
    await clerk.type_into(login.password, "motcua-demo")
    await clerk.tap(login.ids.login_button)
    await clerk.until("the counter list", lambda: clerk.app.root.current == "pick_counter")
    tiles = {t.counter_id: t for t in clerk.screen("pick_counter").grid.children}
    clerk.see("tile_2", f"{tiles[COUNTER_2].title} | {tiles[COUNTER_2].detail}")
    await measure(clerk, "2-pick-counter")
    await clerk.tap(tiles[COUNTER_2])
    await clerk.until("the main screen", lambda: clerk.app.root.current == "main")
    await clerk.until("the live stream", lambda: clerk.app.main.stream_ok)
    await measure(clerk, "3-counter-closed")
    ids = clerk.main.ids
    await clerk.key("f10")
    await clerk.until("the counter open", lambda: ids.counter_state.text == "Đang mở")
    await clerk.key("f1")
    await clerk.until("A001 called", lambda: ids.current_label.text == "A001")
    await clerk.key("f3")
    await clerk.until("serving", lambda: ids.current_status.text == "Đang phục vụ")
    await measure(clerk, "4-serving")
    await clerk.key("f6")
    await clerk.until("the transfer dialog", lambda: clerk.app.dialog.kind == "transfer")
    await measure(clerk, "5-transfer-dialog")
    await clerk.key("escape")
    await clerk.until("no dialog", lambda: not clerk.app.dialog.kind)
    await clerk.key("f11")
    await clerk.until("the dossier screen", lambda: clerk.app.root.current == "dossier")
    ds = clerk.screen("dossier")
    await clerk.until("the procedure from the ticket", lambda: "1.001193" in ds.ids.procedure.text)
    await measure(clerk, "6-dossier-empty")
    await clerk.type_into(ds.name_input, "Tôn Nữ Thị Hoàng Oanh")
    await clerk.type_into(ds.id_input, "046190004321")
    await clerk.type_into(ds.phone_input, PHONE)
    await clerk.type_into(ds.address_input, ADDRESS)
    ds.address_input.focus = False  # the clerk moves on: the field shows its start again
    await clerk.frames(3)
    clerk.see("phone", ds.phone_input.text)
    clerk.see("phone_scroll_x", ds.phone_input.scroll_x)
    clerk.see("address_scroll_x", ds.address_input.scroll_x)
    await measure(clerk, "7-dossier-filled")


if __name__ == "__main__":
    sys.exit(run(screens, server_url=SERVER, shots=Path(sys.argv[2]), report=Path(sys.argv[3]),
                 settings_file=Path(sys.argv[4])))
