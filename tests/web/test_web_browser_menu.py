"""The kiosk menu editor in Chromium against a real server: a manager sees the site's
procedures most requested first (from its own tickets), adds one from the full catalog and
pins it, renames it in both languages, moves a pin up, hides one; the kiosk's menu follows
at once, and every edit is in the audit log."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import httpx
import pytest
from support import API, Api, LiveServer
from web_helpers import DESKTOP, ROOT, Shots, collect_errors, login

pytestmark = pytest.mark.slow
DOCS = ROOT / "docs" / "screenshots" / "web"
PORT = 18431  # this helper's range (a fixed port keeps the run away from other servers)
SIGNATURE, MARITAL, BIRTH, DEATH = "2.000884", "1.004873", "1.001193", "1.000656"


@pytest.fixture
def server(sqlite_url: str) -> Iterator[LiveServer]:
    live = LiveServer(sqlite_url, port=PORT, ready_timeout=120)  # a loaded test machine starts slowly
    yield live
    live.stop()


def kiosk_menu_a(api: Api) -> list[dict]:
    groups = api.client.get(f"{API}/sites/HUE-TT/menu").json()["groups"]
    return next(g for g in groups if g["letter"] == "A")["items"]


def row_codes(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all("#menu-group tbody tr", "rows => rows.map(r => r.dataset.code)")


def act(page, code: str, action: str) -> None:  # noqa: ANN001
    page.click(f"[data-code='{code}'] button[data-action='{action}']")
    page.wait_for_load_state()


def test_manager_edits_the_kiosk_menu_and_the_kiosk_follows(server: LiveServer, browser, shots: Shots) -> None:
    with httpx.Client(base_url=server.url, timeout=20) as http:
        api = Api(http)
        for code, times in ((SIGNATURE, 3), (MARITAL, 2), (BIRTH, 1)):
            for _ in range(times):
                api.issue(code)

        page = browser.new_page(viewport={**DESKTOP, "height": 1000})
        errors = collect_errors(page)
        login(page, server.url)
        page.goto(f"{server.url}/manager/sites/HUE-TT")
        page.click("#menu-link")
        page.wait_for_load_state()
        assert row_codes(page)[:3] == [SIGNATURE, MARITAL, BIRTH]
        counts = page.eval_on_selector_all("#menu-group tbody tr td.num:nth-child(3)", "c => c.map(x => x.innerText)")
        assert counts[:4] == ["3", "2", "1", "0"]
        assert "Đăng ký khai sinh" in page.inner_text(f"[data-code='{BIRTH}'] .name-vi")  # no "Thủ tục" prefix

        # From the full catalog: found, added and pinned to the top of its group.
        page.fill("#menu-add input[name=q]", "dang ky khai tu")
        page.click("#menu-add button[type=submit]")
        page.wait_for_load_state()
        act(page, DEATH, "pin")
        assert "Đã ghim" in page.inner_text(".flash")
        assert row_codes(page)[0] == DEATH

        # Renamed in both languages.
        row = page.locator(f"#menu-group tr[data-code='{DEATH}']")
        row.locator("summary").click()
        row.locator("input[name=name_vi]").fill("Khai tử (giấy báo tử)")
        row.locator("input[name=name_en]").fill("Death registration")
        row.locator(".rename button[type=submit]").click()
        page.wait_for_load_state()
        assert page.inner_text(f"#menu-group tr[data-code='{DEATH}'] .name-vi") == "Khai tử (giấy báo tử)"

        # A second pin moved above the first; a hidden item leaves the menu.
        act(page, MARITAL, "pin")
        act(page, MARITAL, "up")
        assert row_codes(page)[:3] == [MARITAL, DEATH, SIGNATURE]
        act(page, BIRTH, "hide")
        hidden = page.eval_on_selector_all("#menu-hidden [data-code]", "p => p.map(x => x.dataset.code)")
        assert BIRTH not in row_codes(page) and hidden == [BIRTH]
        top = page.inner_text("#menu-top")
        assert top.index("tình trạng hôn nhân") < top.index("Khai tử (giấy báo tử)") < top.index("Chứng thực chữ ký")
        shots(page, "manager-kiosk-menu", "desktop", full_page=False)

        # The kiosk reads the same order and names at once.
        kiosk = kiosk_menu_a(api)
        assert [i["procedure_code"] for i in kiosk[:3]] == [MARITAL, DEATH, SIGNATURE]
        assert kiosk[1]["name_vi"] == "Khai tử (giấy báo tử)" and kiosk[1]["name_en"] == "Death registration"
        assert BIRTH not in [i["procedure_code"] for i in kiosk]

        # Every edit is in the audit log, with the item named.
        page.goto(f"{server.url}/manager/audit")
        log = page.inner_text("main")
        assert log.count("/manager/sites/{code}/menu/item") >= 5 and "procedure=1.000656" in log
        assert errors == []
        page.close()
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS"):
        shutil.copy(shots.taken[0], DOCS / "manager-kiosk-menu-desktop.png")
