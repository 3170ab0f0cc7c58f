"""The server goes away in the middle of the morning and comes back: the counter shows it
lost the connection, then catches up by itself (a ticket issued meanwhile appears) and
the clerk carries on. Started by test_counter_ui.py, which stops and restarts the server
when this script asks on stdout ("STOP-SERVER", then "START-SERVER").

usage: counter_reconnect_driver.py SERVER_URL SHOTS_DIR REPORT_JSON SETTINGS_JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

from counter_ui_harness import Clerk, run  # noqa: E402

SERVER = sys.argv[1]


def ask(line: str) -> None:
    print(line, flush=True)


async def outage(clerk: Clerk) -> None:
    p = clerk.presenter
    ids = clerk.main.ids
    await p.login_async("canbo.tt", "motcua-demo")
    await p.pick_counter_async(1)
    await clerk.until("the live stream", lambda: clerk.app.root.current == "main" and p.state.stream == "live")
    await clerk.key("f10")
    await clerk.until("the counter open", lambda: ids.counter_state.text == "Đang mở")
    clerk.expect(not clerk.app.main.waiting_rows, "nobody waiting yet")

    ask("STOP-SERVER")
    await clerk.until("the outage shown", lambda: p.state.stream == "reconnecting" and ids.stream_banner.text, 30)
    clerk.see("banner", ids.stream_banner.text)
    clerk.see("header", ids.stream_state.text)
    await clerk.shot("01-connection-lost")
    await clerk.key("f1")  # the clerk tries anyway: told plainly, nothing breaks
    await clerk.until("the failure explained", lambda: "Không kết nối được máy chủ" in ids.notice.text, 30)
    clerk.see("notice_while_down", ids.notice.text)

    ask("START-SERVER")  # the test restarts it and issues a ticket while we reconnect
    await clerk.until("back live", lambda: p.state.stream == "live" and not ids.stream_banner.text, 60)
    await clerk.until("the ticket issued meanwhile", lambda: [r["label"] for r in clerk.app.main.waiting_rows] == ["A001"])
    await clerk.shot("02-reconnected")
    await clerk.key("f1")
    await clerk.until("A001 called", lambda: ids.current_label.text == "A001")
    clerk.see("called_after_outage", ids.current_label.text)
    await clerk.settled()


if __name__ == "__main__":
    sys.exit(run(outage, server_url=SERVER, shots=Path(sys.argv[2]), report=Path(sys.argv[3]),
                 settings_file=Path(sys.argv[4])))
