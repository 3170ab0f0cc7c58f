"""After the counter, in Chromium against a real server holding the demo's month of
dossiers: an agency officer takes a new dossier through the inbox to its result, the
citizen's page follows each step, and the province control room shows the month (its
tables agree with the JSON the API rebuilds from the log) with drill-down and exports.
One server for the module; screenshots under test-artifacts/ui/web/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from support import API, Api, LiveServer, business_day_far_from_now
from web_helpers import DESKTOP, PHONE, Shots, collect_errors, login

from queue_server.bootstrap import bootstrap
from queue_server.demo_dossiers import seed_demo_month
from queue_server.settings import Settings

pytestmark = pytest.mark.slow
OFFICER, HEAD, OTHER = "thuanhoa.canbo", "thuanhoa.lanhdao", "stp.canbo"
GUARDIANSHIP = "1.004837"  # Thủ tục đăng ký giám hộ
DOCS = [{"name": "Tờ khai đăng ký giám hộ", "copies": 1, "form": "original"}]


@pytest.fixture(scope="module")
def demo_server(sqlite_templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("agency-web")
    url = sqlite_templates.new(folder)
    settings = Settings(database_url=url, environment="test", file_storage_dir=folder / "files")
    month = seed_demo_month(lambda clock: bootstrap(settings, clock=clock), datetime.now(UTC))
    assert month and month["dossiers"] > 300
    server = LiveServer(url, extra_env={"MOTCUA_FILE_STORAGE_DIR": str(folder / "files"),
                                        **business_day_far_from_now()})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(demo_server: LiveServer) -> Iterator[Api]:
    with httpx.Client(base_url=demo_server.url, timeout=20) as http:
        yield Api(http)


def _new_dossier(api: Api) -> dict:
    """A citizen registering a guardianship (3 working days, settled by the ward) at HUE-TT
    counter 1, received and forwarded."""
    api.issue(GUARDIANSHIP)
    api.counter(1, "open")  # open already since the demo month: 409 is fine
    called = api.counter(1, "call-next", {"finish_current": True})
    assert called.status_code == 200, called.text
    api.ok(1, "start")
    r = api.client.post(f"{API}/counters/1/dossiers", headers=api.staff(), json={"applicant": {
        "name": "Phan Thị Mỹ Duyên", "id_number": "046190004321", "phone": "0905 111 222",
        "address": "8 Hùng Vương, phường Thuận Hóa, Huế"}, "documents": DOCS})
    assert r.status_code == 201, r.text
    dossier = r.json()
    forwarded = api.client.post(f"{API}/dossiers/{dossier['code']}/forward", json={}, headers=api.staff())
    assert forwarded.status_code == 200, forwarded.text
    return {**forwarded.json(), "lookup_pin": dossier["lookup_pin"]}


def test_an_officer_takes_a_dossier_through_the_inbox_and_the_citizen_follows(
        browser, demo_server: LiveServer, api: Api, shots: Shots, tmp_path: Path) -> None:  # noqa: ANN001
    dossier = _new_dossier(api)
    code = dossier["code"]
    assert dossier["processing_agency_name_vi"] == "Ủy ban nhân dân phường Thuận Hóa"

    page = browser.new_page(viewport=DESKTOP)
    errors = collect_errors(page)
    login(page, demo_server.url, OFFICER)
    assert page.url.endswith("/agency")  # a processor lands in the agency's inbox
    row = page.locator(f"tr[data-code='{code}']")
    assert row.count() == 1 and "Còn" in row.inner_text()
    tabs = {a.get_attribute("data-tab"): a.inner_text() for a in page.locator(".tabs a").all()}
    assert set(tabs) == {"open", "mine", "overdue", "due_soon", "supplement", "done"}
    open_count = int(re.search(r"\d+", tabs["open"]).group())
    assert open_count >= 1
    inbox_json = api.client.get(f"{API}/agency/inbox", headers=api.staff(OFFICER)).json()
    assert inbox_json["counts"]["open"] == open_count  # the page and the API count alike
    shots(page, "agency-inbox", "desktop")

    row.locator("a.code").click()
    assert page.url.endswith(f"/agency/dossiers/{code}")
    assert "Ủy ban nhân dân phường Thuận Hóa" in page.inner_text(".facts")
    page.click("button[data-step=accept]")
    assert "Đã nhận giải quyết" in page.inner_text(".flash.ok")
    assert "Trương Thị Hạnh" in page.inner_text(".facts")  # who accepted holds it
    page.click("summary >> text=Phân công cán bộ")
    page.select_option("select[name=assignee]", OFFICER)
    page.click("button[data-step=assign]")
    assert "Đã phân công" in page.inner_text(".flash.ok")
    scan = tmp_path / "giay-khai-sinh.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
                     b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    page.set_input_files("input[name=files]", str(scan))
    page.fill("form[action$='/result'] input[name=note]", "Đã ký giấy khai sinh")
    page.click("button[data-step=resolve]")
    assert "Đã ghi nhận kết quả" in page.inner_text(".flash.ok")
    assert "giay-khai-sinh.pdf" in page.inner_text("main")
    shots(page, "agency-dossier", "desktop")
    page.click("button[data-step=send_back]")
    assert "Đã chuyển kết quả về Bộ phận Một cửa" in page.inner_text(".flash.ok")
    handoffs = page.inner_text("table.handoffs")
    assert "Trung tâm Phục vụ hành chính công thành phố Huế" in handoffs and "Trước hạn" in handoffs
    slip = page.request.get(f"{demo_server.url}/agency/dossiers/{code}/control-slip.pdf")
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"

    # Another agency's officer is refused the page, the inbox is the processors' only.
    other = browser.new_page(viewport=DESKTOP)
    login(other, demo_server.url, OTHER)
    assert other.goto(f"{demo_server.url}/agency/dossiers/{code}").status == 403
    assert other.goto(f"{demo_server.url}/manager/control").status == 403

    # The citizen's page (the receipt's QR): each step with its date, the result waiting.
    phone = browser.new_page(viewport=PHONE)
    phone_errors = collect_errors(phone)
    phone.goto(f"{demo_server.url}/d/{code}")
    phone.fill("#pin", dossier["lookup_pin"])
    phone.click("button.send")
    steps = [li.get_attribute("data-step") for li in phone.locator("[data-f=history] li").all()]
    assert steps == ["receive", "forward", "accept", "resolve", "send_back"]
    assert "Chuyển đến Ủy ban nhân dân phường Thuận Hóa giải quyết" in phone.inner_text("[data-f=history]")
    ready = phone.inner_text("[data-f=result-ready]")
    assert "mang giấy tiếp nhận hồ sơ" in ready and "Nhận kết quả hồ sơ" in ready
    shots(phone, "dossier-path-ready", "phone")

    phone_inbox = browser.new_page(viewport=PHONE)
    login(phone_inbox, demo_server.url, HEAD)
    shots(phone_inbox, "agency-inbox", "phone")
    assert errors == [] and phone_errors == []


def test_an_apology_shows_its_new_date_on_the_citizen_page(browser, demo_server: LiveServer, api: Api,
                                                           shots: Shots) -> None:  # noqa: ANN001
    # A dossier of the demo month that went late: its agency apologised with a new date.
    late = None
    for agency in ("THUE-HUE", "CA-HUE", "STP", "SXD", "VPDKDD", "SNNMT", "UBND-THUANHOA", "UBND-PHUXUAN"):
        items = api.client.get(f"{API}/control-room/dossiers", headers=api.staff("quanly"),
                               params={"agency_code": agency, "month": _last_month()}).json()["items"]
        late = next((d for d in items if d["apologized"]), None)
        if late:
            break
    assert late is not None, "the demo month has apologies"
    pin = api.client.post(f"{API}/dossiers/{late['code']}/new-pin", headers=api.staff("quanly")).json()["lookup_pin"]
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{demo_server.url}/d/{late['code']}")
    phone.fill("#pin", pin)
    phone.click("button.send")
    new_date = datetime.fromisoformat(late["new_due_date"]).strftime("%d/%m/%Y")
    assert phone.inner_text("[data-f=due]") == new_date
    assert "xin lỗi" in phone.inner_text("[data-f=apology]") and new_date in phone.inner_text("[data-f=apology]")
    assert "hẹn lại ngày " + new_date in phone.inner_text("[data-f=history]")
    shots(phone, "dossier-path-apology", "phone")


def _last_month() -> str:
    first = datetime.now(UTC).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _number(text: str) -> float | None:
    text = text.split()[0].rstrip("%") if text.strip() not in ("", "–") else ""
    return float(text.replace(".", "").replace(",", ".")) if text else None


def test_the_control_room_shows_the_month_as_the_log_rebuilds_it(browser, demo_server: LiveServer, api: Api,
                                                                shots: Shots) -> None:  # noqa: ANN001
    month = _last_month()
    figures = api.client.get(f"{API}/control-room", params={"month": month}, headers=api.staff("quanly")).json()
    page = browser.new_page(viewport=DESKTOP)
    errors = collect_errors(page)
    login(page, demo_server.url)
    page.click("nav a[href='/manager/control']")
    page.goto(f"{demo_server.url}/manager/control?month={month}")
    rows = {tr.locator("td").first.inner_text().strip(): [c.inner_text().strip() for c in tr.locator("td").all()]
            for tr in page.locator("table[data-table=month-agency] tbody tr").all()}
    for line in figures["month"]["by_agency"]:
        cells = rows[line["key"]]
        assert [int(c) for c in cells[1:5]] == [line["received"], line["results"], line["on_time"], line["late"]]
        assert _number(cells[5]) == line["on_time_rate"]
        assert _number(cells[6]) == line["avg_working_days"] and _number(cells[7]) == line["avg_legal_days"]
    total = figures["month"]["total"]
    assert total["received"] > 300 and 70 <= total["on_time_rate"] < 100
    assert page.inner_text("[data-k=received]") == str(total["received"])
    assert page.locator("svg.chart").count() == 3
    board = page.inner_text("table[data-table=board]")
    assert "Ủy ban nhân dân phường Thuận Hóa" in board
    shots(page, "manager-control-room", "desktop")

    # Drill down: an agency's month, one dossier, its control slip.
    page.click("table[data-table=month-agency] a >> text=Công an thành phố Huế")
    listed = page.locator("table.dossiers tbody tr")
    assert listed.count() > 10
    listed.first.locator("a.code").click()
    assert "/manager/dossiers/" in page.url and page.locator("table.handoffs").count() == 1
    slip = page.request.get(page.url + "/control-slip.pdf")
    assert slip.status == 200 and slip.body()[:4] == b"%PDF"
    shots(page, "manager-dossier", "desktop")

    exported = page.request.get(f"{demo_server.url}/manager/control.csv?month={month}").body().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported)))
    province = next(r for r in table if r[0] == "Toàn tỉnh")
    assert int(province[2]) == total["received"] and float(province[6]) == total["on_time_rate"]
    book = page.request.get(f"{demo_server.url}/manager/book.xlsx?site=HUE-TT&from={month}-01&to={month}-28")
    assert book.status == 200 and book.body()[:2] == b"PK"

    phone = browser.new_page(viewport=PHONE)
    login(phone, demo_server.url)
    phone.goto(f"{demo_server.url}/manager/control?month={month}")
    shots(phone, "manager-control-room", "phone")
    page.goto(f"{demo_server.url}/manager/agencies")
    assert page.locator("table[data-table=agencies] tbody tr").count() == 12
    shots(page, "manager-agencies", "desktop")
    assert errors == []


def test_a_dossier_stopped_from_the_web_tells_its_citizen_why(browser, demo_server: LiveServer, api: Api,
                                                             shots: Shots) -> None:  # noqa: ANN001
    # The agency holding a dossier stops it under the law (form 05) from its page.
    held = _new_dossier(api)
    page = browser.new_page(viewport=DESKTOP)
    errors = collect_errors(page)
    login(page, demo_server.url, OFFICER)
    page.goto(f"{demo_server.url}/agency/dossiers/{held['code']}")
    page.click("summary >> text=Dừng giải quyết hồ sơ (mẫu 05)")
    page.select_option("select[name=ground]", "by_law")
    page.fill("textarea[name=reason]", "Việc giám hộ đã được đăng ký tại UBND phường Phú Xuân")
    page.click("button[data-step=stop]")  # no legal basis: refused with the reason why
    assert "căn cứ pháp lý" in page.inner_text(".flash.error")
    page.click("summary >> text=Dừng giải quyết hồ sơ (mẫu 05)")
    page.select_option("select[name=ground]", "by_law")
    page.fill("textarea[name=reason]", "Việc giám hộ đã được đăng ký tại UBND phường Phú Xuân")
    page.fill("input[name=legal_basis]", "Điều 20 Luật Hộ tịch 2014")
    shots(page, "agency-dossier-stop-form", "desktop")
    page.click("button[data-step=stop]")
    assert "Đã dừng giải quyết" in page.inner_text(".flash.ok")
    assert page.locator("summary >> text=Dừng giải quyết hồ sơ (mẫu 05)").count() == 0  # closed now
    notice = page.request.get(f"{demo_server.url}/agency/dossiers/{held['code']}/stop-notice.pdf")
    assert notice.status == 200 and notice.body()[:4] == b"%PDF"
    assert "Thông báo dừng giải quyết (mẫu 05)" in page.inner_text(".forms-links")

    # At the center, a manager records a citizen's withdrawal.
    withdrawn = _new_dossier(api)
    manager = browser.new_page(viewport=DESKTOP)
    login(manager, demo_server.url)
    manager.goto(f"{demo_server.url}/manager/dossiers/{withdrawn['code']}")
    manager.click("summary >> text=Dừng giải quyết hồ sơ (mẫu 05)")
    manager.fill("textarea[name=reason]", "Công dân xin rút hồ sơ")
    manager.click("button[data-step=stop]")
    assert "Đã dừng giải quyết hồ sơ" in manager.inner_text(".flash.ok")
    assert "Đã dừng giải quyết" in manager.inner_text("h1")
    shots(manager, "manager-dossier-stopped", "desktop")

    # The citizen's page says who stopped it, why and on what basis.
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{demo_server.url}/d/{held['code']}")
    phone.fill("#pin", held["lookup_pin"])
    phone.click("button.send")
    stop = phone.inner_text("[data-f=stop]")
    assert "Ủy ban nhân dân phường Thuận Hóa đã dừng giải quyết hồ sơ" in stop
    assert "Việc giám hộ đã được đăng ký tại UBND phường Phú Xuân" in stop and "Điều 20 Luật Hộ tịch 2014" in stop
    assert phone.inner_text("[data-f=status]").startswith("Đã dừng giải quyết")
    assert phone.locator("[data-f=due]").count() == 0  # no appointment to wait for any more
    steps = [li.get_attribute("data-step") for li in phone.locator("[data-f=history] li").all()]
    assert steps[-1] == "stop"
    shots(phone, "dossier-path-stopped", "phone")
    assert errors == []
