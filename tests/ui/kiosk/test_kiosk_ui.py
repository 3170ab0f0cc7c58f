"""The real kiosk app, driven by touch in a headless Kivy process against a real server
process and a network printer stand-in: from the home screen to a printed ticket, and
through a server outage and an unplugged printer. Screenshots of every screen, in both
languages, land in test-artifacts/ui/kiosk/."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image, ImageChops
from support import (
    API,
    SITE_TT,
    Api,
    LiveServer,
    book_first_free_slot,
    free_port,
    kiosk_headers,
    open_for_booking_now,
)

from kiosk.printing import render_label_block
from kiosk.printing.escpos_decode import decode
from shared.look import MIN_CONTROL_CONTRAST, MIN_TEXT_CONTRAST

pytestmark = pytest.mark.slow

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "ui" / "kiosk"


def waiting(server: LiveServer, site: str = SITE_TT, service_code: str = "A") -> int:
    with httpx.Client(base_url=server.url) as http:
        snapshot = Api(http).snapshot(site)
    return next(q["waiting"] for q in snapshot["queues"] if q["service_code"] == service_code)


def staff_ticket(server: LiveServer, ticket_id: int) -> dict:
    with httpx.Client(base_url=server.url) as http:
        api = Api(http)
        r = http.get(f"{API}/tickets/{ticket_id}", headers=api.staff("quanly"))  # any site
        assert r.status_code == 200, r.text
        return r.json()


def keep_screenshots(run_dir: Path, name: str) -> list[str]:
    """Copy the run's screenshots to test-artifacts/ui/kiosk/<name>/ for people to look at."""
    target = ARTIFACTS / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shots = sorted(p.name for p in run_dir.glob("*.png"))
    for shot in shots:
        shutil.copy(run_dir / shot, target)
    return shots


MIN_TEXT_PX = 22  # at a 1080-pixel short side: ~4 mm on a 21.5" kiosk panel, read at arm's length


def assert_readable(results: dict, name: str) -> None:
    """Every screenshot measured (measure.py): smallest text, lowest text and control contrast."""
    measures = results["measures"]
    (ARTIFACTS / f"measures-{name}.json").parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"measures-{name}.json").write_text(json.dumps(measures, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")
    for shot, m in measures.items():
        assert m["min_text_px"] >= MIN_TEXT_PX, (shot, m["min_text_px_at"])
        assert m["min_text_contrast"] >= MIN_TEXT_CONTRAST, (shot, m["min_text_contrast_at"])
        assert m["min_control_contrast"] >= MIN_CONTROL_CONTRAST, (shot, m["min_control_contrast_at"])


def same_image(a, b) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def make_a_history(server: LiveServer, procedures: int = 12) -> None:
    """Tickets for twelve procedures the site receives, each asked for a different number of
    times: the site's "most requested" then has ten, in a known order."""
    with httpx.Client(base_url=server.url) as http:
        menu = http.get(f"{API}/sites/{SITE_TT}/menu").json()
        codes = [item["procedure_code"] for group in menu["groups"] for item in group["items"]]
        api = Api(http)
        for rank, code in enumerate(codes[:procedures]):
            for _ in range(procedures + 1 - rank):
                api.issue(code)


def make_a_long_line(server: LiveServer, people: int = 12) -> None:
    """Citizens already waiting for birth registration here: a nearby branch is now sooner."""
    with httpx.Client(base_url=server.url) as http:
        api = Api(http)
        for _ in range(people):
            api.issue()


def paper_of(job: bytes):
    """The ticket as the citizen took it from the printer: its raster images, stacked."""
    images = decode(job).images
    paper = Image.new("1", (576, sum(i.height for i in images)), 1)
    top = 0
    for image in images:
        paper.paste(image.image, (0, top))
        top += image.height
    return paper


def assert_printed(job: bytes, ticket: dict) -> None:
    """The printer got that ticket: its label once, a cut, and a QR a phone reads as its page."""
    stream = decode(job)
    assert stream.ends_with_cut
    assert {image.width_bytes for image in stream.images} == {576 // 8}
    label = render_label_block(ticket["label"], 576)
    assert sum(same_image(image.image, label) for image in stream.images) == 1
    scanned = [r.text for image in stream.images for r in zxingcpp.read_barcodes(image.image.convert("L"))]
    assert scanned == [ticket["url"]]


# Landscape: the site's ten most requested procedures, each from home to a printed ticket by
# touch with its taps counted, "I don't know", then the search; portrait follows the search
# to the kiosk's offer of a sooner site.
@pytest.mark.parametrize("orientation, where", [("landscape", "here"), ("portrait", "there")])
def test_a_citizen_goes_by_touch_from_home_to_one_printed_ticket(sqlite_url, tmp_path, capturing_printer,
                                                                  kiosk_process, orientation, where):
    server = LiveServer(sqlite_url)
    try:
        make_a_history(server)
        make_a_long_line(server)
        with httpx.Client(base_url=server.url) as http:
            menu = http.get(f"{API}/sites/{SITE_TT}/menu", headers=kiosk_headers()).json()
        # Nobody waits at either branch and no desk is open yet, so each is expected to take
        # one handling time per desk for civil status: Thuận Hóa (1.1 km, 3 min away, one
        # desk, 6 min) or Phú Xuân (1.8 km, 4 min away, two desks, 3 min). The kiosk offers
        # the earliest arrival at a counter: Phú Xuân.
        sooner = "HUE-PX"
        before = {site: waiting(server, site) for site in (SITE_TT, sooner)}
        kiosk = kiosk_process(scenario="tour", server_url=server.url, token=kiosk_headers()["Authorization"][7:],
                              site=SITE_TT, size=SIZES[orientation], take_there=where == "there",
                              top_ten=orientation == "landscape", hard_timeout=400,
                              printer=f"network:127.0.0.1:{capturing_printer.port}")
        results = kiosk.finish(timeout=420)

        *menu_tickets, ticket = results["tickets"]
        if orientation == "landscape":
            # Each of the site's top ten: three taps from home to the printed ticket, in the
            # server's order; "I don't know": two.
            top = [item["procedure_code"] for item in menu["top"][:10]]
            assert len(top) == 10
            by_touch = {t["what"]: t["taps"] for t in menu_tickets}
            assert [t["what"] for t in menu_tickets[:10]] == top
            assert all(by_touch[code] <= 3 for code in top), by_touch
            assert by_touch["help"] <= 2
            assert all(taps <= 2 for what, taps in by_touch.items() if what.startswith("group ")), by_touch
            for seen in menu_tickets:
                assert seen["print_state"] == "printed"
                issued = staff_ticket(server, seen["id"])
                assert issued["printed"] is True and issued["site_code"] == SITE_TT
                if seen["what"] in top:
                    assert issued["procedure_code"] == seen["what"]
            (ARTIFACTS / "tap-counts.json").parent.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "tap-counts.json").write_text(json.dumps(by_touch, indent=1), encoding="utf-8")
        else:
            assert menu_tickets == []

        # The search's ticket: a triple tap, then six more taps while the request was on its way: one.
        assert results["issue_requests"] == 1
        issued_at = SITE_TT if where == "here" else sooner
        after = {site: waiting(server, site) for site in (SITE_TT, sooner)}
        assert after[sooner] == before[sooner] + (issued_at == sooner)
        assert ticket["site"] == issued_at
        assert ticket["print_state"] == "printed"
        assert staff_ticket(server, ticket["id"])["printed"] is True

        # The printer got every ticket, once each, in order.
        assert len(capturing_printer.jobs) == len(results["tickets"])
        for job, seen in zip(capturing_printer.jobs, results["tickets"], strict=True):
            assert_printed(job, seen)
            assert seen["url"].startswith(server.url)
        paper_of(capturing_printer.jobs[-1]).save(kiosk.out / f"printed-ticket-{where}.png")
        if menu_tickets:
            paper_of(capturing_printer.jobs[0]).save(kiosk.out / "printed-ticket-top-1.png")

        # Every touch target at least ~15 mm, every text readable; every screen seen in both languages.
        assert results["small_targets"] == []
        assert_readable(results, orientation)
        shots = keep_screenshots(kiosk.out, orientation)
        screens = ["01-home", "02-menu-top", "03-ticket-question", "08-search", "09-detail", "10-priority",
                   "12-ticket", "14-settings"]
        if orientation == "landscape":
            screens += ["04-ticket-printed", "05-help-question", "06-menu-group"]
        for screen in screens:
            assert {f"{screen}-vi.png", f"{screen}-en.png"} <= set(shots), screen
    finally:
        server.stop()


def test_the_kiosk_rides_out_a_server_outage_and_never_hides_a_failed_print(sqlite_url, tmp_path, refused_port,
                                                                            kiosk_process):
    """Also: "Need more time?" before the idle reset, the language kept until then, and rows
    locked (with a spinner) while a slow page loads."""
    port = free_port()
    kiosk = kiosk_process(scenario="outage", server_url=f"http://127.0.0.1:{port}",
                          token=kiosk_headers()["Authorization"][7:], site=SITE_TT, size=SIZES["portrait"],
                          printer=f"network:127.0.0.1:{refused_port}", hard_timeout=300)
    kiosk.wait_flag("start_server")  # the kiosk shows "cannot reach the server" meanwhile
    server = LiveServer(sqlite_url, port=port)
    try:
        kiosk.go("start_server")
        kiosk.wait_flag("stop_server", timeout=200)  # after a ticket whose print failed
        [seen] = json.loads((kiosk.out / "tickets.json").read_text(encoding="utf-8"))
        # The ticket stays valid, and the server knows (and told staff) it did not print.
        deadline = time.monotonic() + 15
        while (ticket := staff_ticket(server, seen["id"]))["printed"] is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the kiosk reports in the background
        assert ticket["printed"] is False and ticket["status"] == "waiting"
        assert ticket["priority"] == "elderly"
    finally:
        server.stop()
    kiosk.go("stop_server")
    kiosk.wait_flag("restart_server")  # the home screen says "go to the help desk" meanwhile
    server = LiveServer(sqlite_url, port=port)
    try:
        kiosk.go("restart_server")
        results = kiosk.finish(timeout=120)
    finally:
        server.stop()
    [ticket] = results["tickets"]
    assert ticket["print_state"] == "failed"
    assert results["issue_requests_total"] == 1  # nothing was issued while the server was gone
    assert 12 <= results["idle_seconds"] <= 20  # 14 s idle, warned from the 7th second
    assert results["small_targets"] == []
    assert_readable(results, "outage")
    shots = keep_screenshots(kiosk.out, "outage")
    for screen in ("21-home-server-unreachable", "23-ticket-print-failed", "24-home-server-gone"):
        assert {f"{screen}-vi.png", f"{screen}-en.png"} <= set(shots), screen
    for screen in ("25-home-back", "26-idle-warning", "27-loading-locked"):
        assert f"{screen}-vi.png" in shots or f"{screen}-en.png" in shots, screen



def test_a_booked_citizen_checks_in_by_typing_the_code_and_by_scanning_the_qr(sqlite_url, capturing_printer,
                                                                              kiosk_process):
    server = LiveServer(sqlite_url, extra_env=open_for_booking_now(sqlite_url))
    try:
        with httpx.Client(base_url=server.url) as http:
            typed = book_first_free_slot(Api(http), "0912 345 678")
            scanned = book_first_free_slot(Api(http), "0988 000 111")
        kiosk = kiosk_process(scenario="booking", server_url=server.url, token=kiosk_headers()["Authorization"][7:],
                              site=SITE_TT, size=SIZES["landscape"], typed_code=typed["code"],
                              scanned_url=scanned["url"], printer=f"network:127.0.0.1:{capturing_printer.port}")
        results = kiosk.finish()
        first, second = results["tickets"]
        for ticket in (first, second):
            assert ticket["print_state"] == "printed"
            assert staff_ticket(server, ticket["id"])["priority"] == "appointment"
        with httpx.Client(base_url=server.url) as http:
            for booking, ticket in ((typed, first), (scanned, second)):
                seen = http.get(f"{API}/public/bookings/{booking['token']}").json()
                assert seen["status"] == "checked_in" and seen["ticket"]["label"] == ticket["label"]
    finally:
        server.stop()
    assert len(capturing_printer.jobs) == 2
    for index, job in enumerate(capturing_printer.jobs):  # what the citizens took from the printer, for eyes
        paper_of(job).save(kiosk.out / f"printed-appointment-{index + 1}.png")
    assert results["small_targets"] == []
    assert_readable(results, "booking")
    shots = keep_screenshots(kiosk.out, "booking")
    for screen in ("31-home", "33-booking-typed", "34-ticket-appointment"):
        assert {f"{screen}-vi.png", f"{screen}-en.png"} <= set(shots), screen
