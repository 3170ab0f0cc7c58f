"""Drives the real kiosk app by touch, in its own process (a Kivy window is per process).

    python kiosk_ui_driver.py CONFIG.json

CONFIG: {"scenario": "tour" | "outage" | "booking", "server_url", "token", "site", "size": [w, h],
"printer": "network:127.0.0.1:PORT", "out": DIR (screenshots, results.json, flags)}.
The test (test_kiosk_ui.py) starts servers and printers, runs this, and checks what the
server and the printer received. Here, every step is a touch on a widget found by its
text, and every screen is saved as PNG in both languages.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CONFIG = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
# A stuck UI must fail the test with a traceback, never hang the suite.
faulthandler.dump_traceback_later(CONFIG.get("hard_timeout", 150), exit=True)
OUT = Path(CONFIG["out"])
OUT.mkdir(parents=True, exist_ok=True)

from kiosk.run import make_presenter, prepare_kivy  # noqa: E402

prepare_kivy(tuple(CONFIG["size"]))
from kivy.config import Config  # noqa: E402

# Software GL (llvmpipe) pays for every sample: no multisampling keeps frames cheap.
Config.set("graphics", "multisamples", "0")

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402
from measure import measure_controls, measure_labels  # noqa: E402
from PIL import Image  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.presenter import Phase, PrintState, ServerStatus  # noqa: E402
from kiosk.settings import KioskSettings, hash_pin, parse_printer_address  # noqa: E402
from kiosk.widgets import KButton  # noqa: E402

PIN = "2468"
# 15 mm on a 15.6-inch 1080p panel (141 dpi), the densest screen a kiosk would use.
MIN_TARGET_PX = 84


class DriverError(AssertionError):
    pass


def settings() -> KioskSettings:
    from kiosk.printing import PrinterSettings

    printer = PrinterSettings(**parse_printer_address(CONFIG["printer"]), timeout=2)
    return KioskSettings(server_url=CONFIG["server_url"], device_token=CONFIG["token"], site_code=CONFIG["site"],
                         printer=printer, settings_pin_hash=hash_pin(PIN), idle_timeout=600,
                         config_path=OUT / "kiosk.ini")


app = KioskApp(make_presenter(settings()))
presenter = app.presenter
# The menu stays as loaded for the run: the tickets the tour prints change the site's "most
# requested", and a refresh halfway would reorder the list being counted.
presenter.menu_refresh_seconds = 3600
results: dict[str, Any] = {"screens": [], "tickets": [], "small_targets": [], "notes": []}


def log(line: str) -> None:
    with open(OUT / "driver.log", "a", encoding="utf-8") as f:
        f.write(f"{time.monotonic():.2f} {line}\n")


# ---- finding and touching widgets ------------------------------------------------------
def walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in widget.children:
        yield from walk(child)


def current_screen() -> Any:
    return app.root.ids.sm.current_screen


def visible(widget: Any) -> bool:
    node = widget
    while node is not None and node is not app.root.parent:  # up to the window
        if getattr(node, "opacity", 1) == 0 or getattr(node, "disabled", False):
            return False
        node = node.parent
    return widget.width > 0 and widget.height > 0


def buttons(where: Any = None) -> list[KButton]:
    roots = [where] if where is not None else [current_screen(), app.root.ids.top_bar]
    return [w for root in roots for w in walk(root) if isinstance(w, KButton) and visible(w)]


def shown_text(widget: Any) -> str:
    """A widget's text as a person reads it: without Kivy markup tags."""
    return re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", widget.text).replace("&bl;", "[").replace("&br;", "]")


def button(text: str, where: Any = None) -> KButton:
    """The first visible button whose shown text starts a line with `text`."""
    found = [b for b in buttons(where) if any(line.lower().startswith(text.lower())
                                              for line in shown_text(b).split("\n"))]
    if not found:
        raise DriverError(f"no button {text!r} on {current_screen().name}: "
                          f"{[b.text[:40] for b in buttons(where)]}")
    return found[0]


def tap(widget: Any) -> None:
    x, y = widget.to_window(*widget.center)
    log(f"tap {getattr(widget, 'text', type(widget).__name__)[:30]!r} at {int(x)},{int(y)}"
        f" on {current_screen().name}")
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def swipe(widget: Any, dx: float) -> None:
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x - dx / 2, y)
    touch.touch_down()
    touch.touch_move(x + dx / 2, y)
    touch.touch_up()


async def frames(count: int = 2) -> None:
    """Let Kivy run `count` more frames: the refresh trigger fires, the screen redraws."""
    target = Clock.frames + count
    while Clock.frames < target:
        await asyncio.sleep(0.005)


async def until(predicate: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise DriverError(f"timed out waiting for {what} (phase {presenter.state.phase})")
        await asyncio.sleep(0.02)
    await frames()


async def ready() -> None:
    """Like a person, tap once the new screen is up (the kiosk ignores taps for a moment
    after a screen change, so a double tap cannot press the next screen's button)."""
    if not presenter.accepting_taps:
        await until(lambda: presenter.accepting_taps, "the screen to accept taps")


async def touch(text: str, where: Any = None) -> None:
    await ready()
    tap(button(text, where))
    await frames()


async def touch_exact(line: str) -> None:
    """Tap the button one of whose lines is exactly `line` (a procedure among longer ones)."""
    await ready()
    found = [b for b in buttons() if line in shown_text(b).split("\n")]
    if not found:
        raise DriverError(f"no button reading {line!r} on {current_screen().name}")
    tap(found[0])
    await frames()


def check_targets(name: str) -> None:
    for b in buttons():
        if min(b.width, b.height) < MIN_TARGET_PX:
            results["small_targets"].append(f"{name}: {b.text[:30]!r} {int(b.width)}x{int(b.height)}")


async def grab(path: Path) -> None:
    """Save the next frame as it is drawn. Read in on_flip, before the buffers swap, so it
    is the frame just rendered (HEADLESS.md: a screenshot from a timer may be black)."""
    done = asyncio.get_running_loop().create_future()

    def on_flip(*_args: Any) -> None:
        Window.unbind(on_flip=on_flip)
        width, height = Window.size
        pixels = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
        frame = Image.frombytes("RGB", (width, height), pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        frame.save(path, compress_level=1)
        if not done.done():
            done.set_result(None)

    Window.bind(on_flip=on_flip)
    Window.canvas.ask_update()
    cpu = time.process_time()
    await asyncio.wait_for(done, 10)
    results.setdefault("grab_cpu", 0.0)
    results["grab_cpu"] = round(results["grab_cpu"] + time.process_time() - cpu, 2)


def window_box(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def drawn(widget: Any) -> bool:
    """On screen (disabled or not): nothing above it is transparent, it has a size, and a
    scrolling list it is in shows it whole (what is scrolled away is not on screen)."""
    node = widget
    while node is not None and node is not app.root.parent:
        if getattr(node, "opacity", 1) == 0:
            return False
        if isinstance(node, ScrollView) and node is not widget:
            left, bottom, right, top = window_box(widget)
            v_left, v_bottom, v_right, v_top = window_box(node)
            if left < v_left - 1 or right > v_right + 1 or bottom < v_bottom - 1 or top > v_top + 1:
                return False
        node = node.parent
    return widget.width > 0 and widget.height > 0


def measure(name: str, path: Path) -> None:
    """The smallest text and the lowest contrasts of what was just saved (measure.py)."""
    roots = [current_screen(), app.root.ids.top_bar, app.root.ids.banner]
    if app.idle_warning.parent is not None:
        roots = [app.idle_warning]  # the screen beneath is dimmed on purpose
    widgets = [w for root in roots for w in walk(root) if drawn(w)]
    frame = Image.open(path)
    figures = measure_labels([w for w in widgets if isinstance(w, Label)], frame, name)
    figures |= measure_controls([w for w in widgets if isinstance(w, KButton)], frame, name)
    results.setdefault("measures", {})[path.stem] = figures


async def shot(name: str, both_languages: bool = True) -> None:
    """Save the screen, then (both_languages) switch language by touch, save, switch back."""
    for _ in range(2 if both_languages else 1):
        await frames()
        path = OUT / f"{name}-{presenter.state.lang}.png"
        await grab(path)
        results["screens"].append(path.name)
        check_targets(name)
        measure(name, path)
        if both_languages:
            await touch("English" if presenter.state.lang == "vi" else "Tiếng Việt", app.root.ids.top_bar)
    if both_languages and presenter.state.lang != "vi":
        raise DriverError("language toggle did not come back to Vietnamese")


async def wait_flag(name: str, timeout: float = 60) -> None:
    """Tell the test we reached `name`, then wait for it to say go."""
    (OUT / f"{name}.flag").write_text("1")
    await until(lambda: (OUT / f"{name}.go").exists(), f"the test's go for {name}", timeout)


def slow_issue(seconds: float) -> None:
    """Hold every ticket request for `seconds` before sending it: room to tap during the
    round trip, and to see the "getting your ticket" screen."""
    real = presenter.api.issue_ticket

    async def delayed(body: Any) -> Any:
        results.setdefault("issue_requests", 0)
        results["issue_requests"] += 1
        await asyncio.sleep(seconds)
        return await real(body)

    presenter.api.issue_ticket = delayed


def record_ticket() -> None:
    st = presenter.state
    results["tickets"].append({"id": st.ticket.id, "label": st.ticket.label, "url": st.ticket.tracking_url,
                               "print_state": st.print_state.value, "site": st.ticket.site_code})
    (OUT / "tickets.json").write_text(json.dumps(results["tickets"]), encoding="utf-8")


# ---- scenarios -------------------------------------------------------------------------
class TapCounter:
    """Counts the citizen's taps from the home screen to a printed ticket."""

    def __init__(self) -> None:
        self.taps = 0

    async def touch(self, text: str, where: Any = None) -> None:
        self.taps += 1
        await touch(text, where)

    async def touch_exact(self, line: str) -> None:
        self.taps += 1
        await touch_exact(line)


def menu_line(item: Any) -> str:
    """A menu row's first line as the screen draws it (long names are cut with "…")."""
    from kiosk.texts import shorten

    return shorten(item.name_vi, 150 if app.portrait else 100)


async def printed_ticket(counter: TapCounter, what: str) -> None:
    await until(lambda: presenter.state.phase is Phase.TICKET, f"the ticket for {what}")
    await until(lambda: presenter.state.print_state is not PrintState.PRINTING, f"printing {what}")
    record_ticket()
    results["tickets"][-1].update(what=what, taps=counter.taps)


async def top_ten_by_touch(shoot: bool) -> None:
    """Each of the site's ten most requested procedures: home → "Most requested" → the
    procedure → the big print button, counted."""
    top = presenter.state.menu.top[:10]
    if len(top) < 10:
        raise DriverError(f"the site's menu lists only {len(top)} most requested procedures")
    for index, item in enumerate(top):
        counter = TapCounter()
        await counter.touch("Thường dùng")
        await until(lambda: presenter.state.phase is Phase.MENU, "the most requested")
        if shoot and index == 0:
            await shot("02-menu-top")
        await counter.touch_exact(menu_line(item))
        await until(lambda: presenter.state.phase is Phase.PRIORITY, "the ticket question")
        if shoot and index == 0:
            await shot("03-ticket-question")
        await counter.touch("In phiếu số thứ tự")
        await printed_ticket(counter, item.procedure_code)
        if shoot and index == 0:
            await shot("04-ticket-printed")
        await touch("Xong")
        await until(lambda: presenter.state.phase is Phase.HOME, "home after Done")


async def help_and_groups_by_touch(shoot: bool) -> None:
    """"I don't know" (a help-desk ticket), and every group's first tap."""
    counter = TapCounter()
    await counter.touch("Không rõ thủ tục")
    await until(lambda: presenter.state.phase is Phase.PRIORITY, "the help-desk ticket question")
    if shoot:
        await shot("05-help-question")
    await counter.touch("In phiếu số thứ tự")
    await printed_ticket(counter, "help")
    await touch("Xong")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")
    menu = presenter.state.menu
    direct = next((g for g in menu.groups if g.direct_item is not None), None)
    if direct is not None:  # a group with one procedure: straight to the ticket question
        counter = TapCounter()
        await counter.touch(f"{direct.letter}  {direct.name_vi}" if direct.letter else direct.name_vi)
        await until(lambda: presenter.state.phase is Phase.PRIORITY, "the group's ticket question")
        await counter.touch("In phiếu số thứ tự")
        await printed_ticket(counter, f"group {direct.letter}")
        await touch("Xong")
        await until(lambda: presenter.state.phase is Phase.HOME, "home")
    listed = next((g for g in menu.groups if g.direct_item is None and g.items), None)
    if listed is not None and shoot:
        await touch(f"{listed.letter}  {listed.name_vi}" if listed.letter else listed.name_vi)
        await until(lambda: presenter.state.phase is Phase.MENU, "a group's procedures")
        await shot("06-menu-group")
        await touch("Trang chủ")
        await until(lambda: presenter.state.phase is Phase.HOME, "home")


async def scenario_tour() -> None:
    await until(lambda: presenter.state.counts_live and presenter.state.menu is not None, "the live home screen")
    await shot("01-home")
    if CONFIG.get("top_ten"):
        await top_ten_by_touch(shoot=True)
        await help_and_groups_by_touch(shoot=True)
    else:  # the menu's screens in this orientation, without printing
        await touch("Thường dùng")
        await until(lambda: presenter.state.phase is Phase.MENU, "the most requested")
        await shot("02-menu-top")
        await touch_exact(menu_line(presenter.state.menu.top[0]))
        await until(lambda: presenter.state.phase is Phase.PRIORITY, "the ticket question")
        await shot("03-ticket-question")
        await touch("Trang chủ")
        await until(lambda: presenter.state.phase is Phase.HOME, "home")

    # Search stays, scoped to the site; the catalog by field is reached from the search too.
    await touch("Tìm thủ tục")
    await until(lambda: presenter.state.phase is Phase.SEARCH, "search")
    await shot("07-search-empty", both_languages=False)
    keyboard = current_screen().ids.keyboard
    for letter in "dang ky khai sinh":
        if letter == " ":
            await touch("Dấu cách", keyboard)
        else:
            tap(next(b for b in buttons(keyboard) if b.text == letter.upper()))
            await frames(1)
    await until(lambda: presenter.state.query == "dang ky khai sinh" and not presenter.state.results_loading
                and presenter.state.results, "search results")
    await shot("08-search")
    names = [p.name_vi for p in presenter.state.results]
    if "Thủ tục đăng ký khai sinh" not in names:
        raise DriverError(f"'dang ky khai sinh' did not find the procedure: {names}")

    await touch_exact("Đăng ký khai sinh")
    await until(lambda: presenter.state.phase is Phase.DETAIL and not presenter.state.detail_loading, "detail")
    await shot("09-detail")

    if CONFIG.get("take_there"):  # the line here is long: the kiosk offers a nearby site
        suggestion = presenter.state.suggestion
        if suggestion is None:
            raise DriverError("no nearby site was offered although the line here is long")
        await touch(f"Lấy số tại {suggestion.site_name_vi}")
    else:
        await touch("Lấy số cho thủ tục này")
    await until(lambda: presenter.state.phase is Phase.PRIORITY, "priority question")
    await shot("10-priority")

    slow_issue(1.0)
    await ready()
    no_priority = button("In phiếu số thứ tự")
    tap(no_priority)
    tap(no_priority)
    tap(no_priority)  # a triple tap in one frame
    await until(lambda: presenter.state.phase is Phase.ISSUING, "issuing")
    for _ in range(6):  # and a child mashing the same spot during the round trip
        tap(no_priority)
        await frames(1)
    await shot("11-issuing", both_languages=False)
    await until(lambda: presenter.state.phase is Phase.TICKET, "the ticket")
    await until(lambda: presenter.state.print_state is not PrintState.PRINTING, "printing to finish")
    record_ticket()
    await shot("12-ticket")
    await touch("Xong")
    await until(lambda: presenter.state.phase is Phase.HOME, "home after Done")

    clock = app.root.ids.clock
    for _ in range(5):
        tap(clock)
        await frames(1)
    await until(lambda: presenter.state.phase is Phase.PIN, "the PIN pad")
    for digit in PIN[:2]:
        await touch(digit)
    await shot("13-pin", both_languages=False)
    for digit in PIN[2:]:
        await touch(digit)
    await touch("Đồng ý")
    await until(lambda: presenter.state.phase is Phase.SETTINGS, "settings")
    await shot("14-settings")
    await touch("Trang chủ")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")


def tiles() -> list[Any]:
    return [w for w in walk(current_screen().ids.tiles) if isinstance(w, KButton)]


def group_tile_text(lang: str = "vi") -> str:
    """The first tile of a group that lists procedures (a fresh site has no "most requested")."""
    group = next(g for g in presenter.state.menu.groups if g.items and g.direct_item is None)
    name = group.name_en if lang == "en" and group.name_en else group.name_vi
    return f"{group.letter}  {name}" if group.letter else name


async def idle_warning_by_touch() -> None:
    """"Need more time?" before the screen goes home; "Continue" keeps the screen."""
    import dataclasses

    patient = presenter.settings
    presenter.settings = dataclasses.replace(patient, idle_timeout=14)
    await touch("English", app.root.ids.top_bar)  # the citizen's language, until the session ends
    await touch(group_tile_text("en"))
    await until(lambda: presenter.state.phase is Phase.MENU, "a group's procedures")
    await until(lambda: presenter.state.idle_left is not None, "the idle warning", timeout=20)
    if app.idle_warning.parent is None:
        raise DriverError("the idle warning is not on screen")
    await shot("26-idle-warning", both_languages=False)
    tap(app.idle_warning.ids.go_on)
    await frames(3)
    if presenter.state.phase is not Phase.MENU or app.idle_warning.parent is not None:
        raise DriverError("Continue did not keep the screen")
    await touch("Home")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")
    if presenter.state.lang != "en":
        raise DriverError("Home switched the language back")
    await touch(group_tile_text("en"))
    started = time.monotonic()
    await until(lambda: presenter.state.phase is Phase.HOME, "home after the idle timeout", timeout=25)
    results["idle_seconds"] = round(time.monotonic() - started, 1)
    if presenter.state.lang != "vi":
        raise DriverError("the idle reset kept the last citizen's language")
    presenter.settings = patient


async def loading_lock_by_touch() -> None:
    """A page that loads slowly: its old rows are locked at once, a spinner from 300 ms."""
    await touch("Tìm thủ tục")
    await until(lambda: presenter.state.phase is Phase.SEARCH, "search")
    keyboard = current_screen().ids.keyboard
    for letter in "dang ky":
        if letter == " ":
            await touch("Dấu cách", keyboard)
        else:
            tap(next(b for b in buttons(keyboard) if b.text == letter.upper()))
            await frames(1)
    await until(lambda: not presenter.state.results_loading and presenter.results_pages > 1, "two pages of results")
    real = presenter.api.procedures

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(6.0)  # long enough to photograph the locked rows on a loaded machine
        return await real(*args, **kwargs)

    presenter.api.procedures = slow
    old_rows = [w for w in walk(current_screen().ids.rows) if isinstance(w, KButton)]
    await touch("Trang sau")
    if not current_screen().ids.rows.disabled:
        raise DriverError("the old rows stayed tappable while the next page loads")
    tap(old_rows[0])  # a tap on a row of the page being replaced
    await frames(2)
    if presenter.state.phase is not Phase.SEARCH:
        raise DriverError("a row of the old page opened while the next one loaded")
    await asyncio.sleep(0.45)
    await frames(2)
    if not any(type(w).__name__ == "LoadingSpinner" for w in walk(current_screen())):
        raise DriverError("no spinner 300 ms into a slow page")
    await shot("27-loading-locked", both_languages=False)
    await until(lambda: not presenter.state.results_loading, "the next page")
    presenter.api.procedures = real
    if current_screen().ids.rows.disabled or any(type(w).__name__ == "LoadingSpinner" for w in walk(current_screen())):
        raise DriverError("the rows stayed locked after the page came")
    await touch("Trang chủ")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")


async def scenario_outage() -> None:
    presenter.retry_delays = (0.5, 1.0)  # test pacing: production backs off up to 15 s
    await until(lambda: presenter.state.server is ServerStatus.UNREACHABLE, "the unreachable banner")
    if any(not t.disabled for t in tiles()):
        raise DriverError("a ticket button is active while the server cannot be reached")
    await shot("21-home-server-unreachable")
    await wait_flag("start_server")
    await until(lambda: presenter.state.counts_live and presenter.state.server is ServerStatus.ONLINE
                and presenter.state.menu is not None, "recovery once the server is up", timeout=40)
    await shot("22-home-recovered", both_languages=False)
    await idle_warning_by_touch()
    await loading_lock_by_touch()

    # The printer is unplugged: the citizen still gets the ticket on screen.
    await touch(group_tile_text())
    await until(lambda: presenter.state.phase is Phase.MENU, "a group's procedures")
    await touch_exact(menu_line(presenter.menu_on_page()[0]))
    await until(lambda: presenter.state.phase is Phase.PRIORITY, "priority")
    await touch("Người cao tuổi")
    await until(lambda: presenter.state.phase is Phase.TICKET
                and presenter.state.print_state is PrintState.FAILED, "a failed print", timeout=30)
    record_ticket()
    await shot("23-ticket-print-failed")
    await touch("Xong")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")

    await wait_flag("stop_server")
    await until(lambda: presenter.state.counts_stale and presenter.state.server is ServerStatus.UNREACHABLE,
                "stale counts once the server is gone", timeout=40)
    await frames(3)
    if any(not t.disabled for t in tiles()):
        raise DriverError("a ticket button stayed active with the server gone")
    if "bàn hướng dẫn" not in current_screen().ids.question.text:
        raise DriverError("the home screen does not say to go to the help desk")
    await shot("24-home-server-gone")
    tap(tiles()[0])  # a citizen tries anyway: nothing is issued
    await frames(3)
    if presenter.state.phase is not Phase.HOME:
        raise DriverError("a disabled tile opened a screen")
    await wait_flag("restart_server")
    await until(lambda: presenter.state.server is ServerStatus.ONLINE and presenter.state.counts_live,
                "the kiosk back by itself", timeout=40)
    await frames(3)
    if any(t.disabled for t in tiles()):
        raise DriverError("the tiles stayed disabled after the server came back")
    await shot("25-home-back", both_languages=False)


async def scenario_booking() -> None:
    """'I have a booking': one code typed on the screen's keys, one QR read by a scanner."""
    await until(lambda: presenter.state.counts_live, "the live home screen")
    await shot("31-home")
    await touch("Tôi đã đặt lịch")
    await until(lambda: presenter.state.phase is Phase.BOOKING, "the booking screen")
    await shot("32-booking-empty", both_languages=False)
    keyboard = current_screen().ids.keyboard
    code = CONFIG["typed_code"]
    for ch in code.replace("-", ""):
        tap(next(b for b in buttons(keyboard) if b.text == ch))
        await frames(1)
    await until(lambda: presenter.state.booking_code == code.replace("-", ""), "the typed code")
    await shot("33-booking-typed")
    await touch("Xác nhận lịch hẹn")
    await until(lambda: presenter.state.phase is Phase.TICKET
                and presenter.state.print_state is not PrintState.PRINTING, "the appointment ticket")
    record_ticket()
    await shot("34-ticket-appointment")
    await touch("Xong")
    await until(lambda: presenter.state.phase is Phase.HOME, "home after Done")

    await ready()
    for ch in CONFIG["scanned_url"]:  # the scanner types the QR's URL, then Enter
        Window.dispatch("on_textinput", ch)
    Window.dispatch("on_key_down", 13, 40, None, [])
    await until(lambda: presenter.state.phase is Phase.TICKET
                and presenter.state.print_state is not PrintState.PRINTING, "the scanned appointment ticket")
    record_ticket()
    await touch("Xong")
    await until(lambda: presenter.state.phase is Phase.HOME, "home")


async def script() -> None:
    started = time.monotonic()
    try:
        await until(lambda: app.root is not None, "the window", timeout=30)
        await {"tour": scenario_tour, "outage": scenario_outage, "booking": scenario_booking}[CONFIG["scenario"]]()
        results["ok"] = True
    except BaseException:  # also a cancellation: the test must see why the run stopped
        results["ok"] = False
        results["error"] = traceback.format_exc()
    finally:
        results["seconds"] = round(time.monotonic() - started, 1)
        results["cpu_seconds"] = round(time.process_time(), 1)
        results["frames_drawn"] = Clock.frames_displayed
        results["issue_requests_total"] = presenter.issue_requests
        (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        app.stop()


async def main() -> None:
    await asyncio.gather(app.serve(), script())


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0 if results.get("ok") else 1)
