"""Runs the real counter app in this process (offscreen window) and drives it like a clerk:
taps on widgets, key presses through the window, screenshots of what is on screen.

Imported by the driver scripts that the UI tests start as subprocesses (one Kivy window
per process). Set the SDL/Kivy environment before importing this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from kivy.config import Config

Config.set("graphics", "width", os.environ.get("COUNTER_UI_WIDTH", "1280"))
Config.set("graphics", "height", os.environ.get("COUNTER_UI_HEIGHT", "800"))
Config.set("kivy", "exit_on_escape", "0")
Config.set("kivy", "log_level", "warning")

from app_loop import play_beside  # noqa: E402
from kivy.core.window import Keyboard, Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from counter_client.app import CounterApp  # noqa: E402
from counter_client.gateway import HttpGateway  # noqa: E402
from counter_client.settings import CounterSettings  # noqa: E402

# Kivy routes every library's logging to the console; the HTTP and WebSocket debug lines
# would bury the one line that says why a scenario failed.
logging.getLogger().setLevel(logging.WARNING)


T0 = time.monotonic()


class UiFailure(AssertionError):
    pass


class Clerk:
    """The hands and eyes of a test: tap, press, type, wait, look, photograph."""

    def __init__(self, app: CounterApp, shots: Path) -> None:
        self.app = app
        self.shots = shots
        self.shots.mkdir(parents=True, exist_ok=True)
        self.report: dict[str, Any] = {"screenshots": [], "seen": {}}

    @property
    def presenter(self):  # noqa: ANN201
        return self.app.presenter

    def screen(self, name: str):  # noqa: ANN201
        return self.app.root.get_screen(name)

    @property
    def main(self):  # noqa: ANN201
        return self.screen("main")

    async def frames(self, n: int = 3) -> None:
        for _ in range(n):
            await asyncio.sleep(1 / 30)

    async def until(self, what: str, check: Callable[[], bool], timeout: float = 15) -> None:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                if check():
                    await self.frames(2)
                    if os.environ.get("COUNTER_UI_TRACE"):
                        print(f"{time.monotonic() - started:6.2f}s  {what}  (at {time.monotonic() - T0:.1f})",
                              file=sys.stderr)
                    return
            except (AttributeError, KeyError, IndexError, TypeError):
                pass
            await asyncio.sleep(0.05)
        notice = self.presenter.state.notice
        raise UiFailure(f"timed out waiting for: {what} (notice: {notice})")

    async def settled(self) -> None:
        """Every request answered and the screen redrawn."""
        await self.until("the app to be idle", lambda: self.presenter.state.busy is None
                         and not self.presenter.tasks.busy)
        await self.frames(3)

    async def tap(self, widget: Widget) -> None:
        if widget.disabled:
            raise UiFailure(f"cannot tap a disabled widget: {getattr(widget, 'text', widget)!r}")
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        await self.frames(1)
        touch.touch_up()
        await self.frames(2)

    async def key(self, name: str) -> None:
        *mods, key = name.lower().split("+")
        code = Keyboard.keycodes[key]
        text = key if len(key) == 1 else None
        Window.dispatch("on_key_down", code, 0, text, mods)
        Window.dispatch("on_key_up", code, 0)
        await self.frames(1)

    async def type_into(self, text_input: Widget, text: str) -> None:
        text_input.focus = True
        await self.frames(1)
        text_input.text = ""
        text_input.insert_text(text)
        await self.frames(2)

    async def shot(self, name: str) -> Path:
        await self.frames(4)
        path = self.shots / f"{name}.png"
        started = time.monotonic()
        self.app.root.export_to_png(str(path))
        if os.environ.get("COUNTER_UI_TRACE"):
            print(f"{time.monotonic() - started:6.2f}s  screenshot {name}", file=sys.stderr)
        self.report["screenshots"].append(path.name)
        return path

    async def serve_at_counter_1(self, label: str) -> None:
        """Log in as canbo.tt, open counter 1, call and serve `label`, open its dossier screen."""
        login = self.screen("login")
        await self.type_into(login.username, "canbo.tt")
        await self.type_into(login.password, "motcua-demo")
        await self.tap(login.ids.login_button)
        await self.until("the counter list", lambda: self.app.root.current == "pick_counter")
        tiles = {t.counter_id: t for t in self.screen("pick_counter").grid.children}
        await self.tap(tiles[1])
        await self.until("the main screen", lambda: self.app.root.current == "main")
        for key in ("f10", "f1"):
            await self.key(key)
            await self.settled()
        await self.until(f"{label} called", lambda: self.main.ids.current_label.text == label)
        await self.key("f3")
        await self.settled()
        await self.key("f11")
        await self.until("the dossier screen", lambda: self.app.root.current == "dossier")

    def see(self, key: str, value: Any) -> None:
        """Record what the screen showed, for the test to check after the run."""
        self.report["seen"][key] = value

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            raise UiFailure(message)

    def write_report(self, path: Path) -> None:
        path.write_text(json.dumps(self.report, ensure_ascii=False, indent=2), encoding="utf-8")


def _trace_network(path: Path, app: CounterApp) -> None:
    """Every HTTP and WebSocket step, and the stream's state, in a log next to the shots."""
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f %(name)s %(message)s"))
    for name in ("httpcore", "httpx", "websockets", "shared.client", "counter_client"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        logger.propagate = False
    presenter = app.presenter
    original = presenter._on_stream_state

    def traced(state):  # noqa: ANN001, ANN202
        logging.getLogger("counter_client").info("stream state %s", state)
        original(state)
    presenter._on_stream_state = traced


def run(scenario: Callable[[Clerk], Awaitable[None]], *, server_url: str, shots: Path, report: Path,
        settings_file: Path) -> int:
    """Start the app, play `scenario` against it, stop. Exit code 0 when the scenario passed."""
    work = settings_file.parent
    (work / "scanner").mkdir(exist_ok=True)
    settings = CounterSettings(server_url=server_url, path=settings_file, documents_folder=str(work / "documents"),
                               open_documents=False, scanner_folder=str(work / "scanner"))
    app = CounterApp(HttpGateway(server_url, max_backoff=0.5), settings)
    clerk = Clerk(app, shots)
    if os.environ.get("COUNTER_UI_TRACE"):
        _trace_network(shots / "network.log", app)
    outcome: dict[str, Any] = {}

    async def play() -> None:
        try:
            await clerk.until("the window", lambda: app.root is not None and app.root.current == "login", 30)
            await scenario(clerk)
            outcome["ok"] = True
        except BaseException as exc:
            outcome["error"] = f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(Exception):  # the failure itself is what matters
                await clerk.shot("zz-failure")
        finally:
            app.stop()

    play_beside(app, play)
    if os.environ.get("COUNTER_UI_TRACE"):
        print(f"app closed at {time.monotonic() - T0:.1f}", file=sys.stderr)
    clerk.report["error"] = outcome.get("error")
    clerk.write_report(report)
    if outcome.get("error"):
        print(outcome["error"], file=sys.stderr)
        return 1
    return 0
