"""Wires a lobby display together and runs it: settings → voice, presenter, feed, Kivy app.

Three threads, each with one job:
- the UI thread (Kivy) owns the presenter and the screen;
- the network thread runs the feed on its own asyncio loop. Not `App.async_run`: there
  the loop gets one turn per frame, and a frame drawn in software (a lobby PC without a
  GPU driver, or a busy one) can take 100-300 ms, so a reconnect + snapshot took seconds;
- the voice thread (display.voice) says the calls one after another.
Whatever the network or the voice report reaches the presenter through `UiInbox`, in the
order it was sent.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from display.feed import SiteFeed
from display.presenter import Announcer, LobbyPresenter
from display.settings import DisplaySettings
from shared.client import MotcuaClient

if TYPE_CHECKING:
    from display.app import DisplayApp

log = logging.getLogger(__name__)


def configure_kivy(settings: DisplaySettings, log_level: str | None = None) -> None:
    """Must run before anything imports kivy.core.window."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our flags are not Kivy's
    from kivy.config import Config

    if log_level is not None:
        Config.set("kivy", "log_level", log_level)
    width, height = settings.window_size()
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if settings.fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if settings.fullscreen else "1")
    # A scrolling line and a flash need no more; the rest of the CPU is the voice's.
    Config.set("graphics", "maxfps", str(settings.max_fps))
    # A TV in a hall: no red multitouch dots from a stray mouse click.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    # Kivy's logger is the root logger: keep the network libraries' chatter out of it.
    for name in ("websockets", "httpx", "httpcore", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)


class UiInbox:
    """Runs callables on the Kivy thread, in the order they were posted, from any thread."""

    def __init__(self) -> None:
        self._pending: collections.deque[Callable[[], None]] = collections.deque()

    def post(self, callback: Callable[[], None]) -> None:
        from kivy.clock import Clock

        self._pending.append(callback)
        Clock.schedule_once(self._drain)

    def _drain(self, _dt: float = 0.0) -> None:
        while self._pending:
            callback = self._pending.popleft()
            try:
                callback()
            except Exception:
                log.exception("display update failed")


class FeedThread:
    """The feed and its HTTP/WebSocket client on their own asyncio loop."""

    def __init__(self, settings: DisplaySettings, token: str, presenter: LobbyPresenter, inbox: UiInbox) -> None:
        self.settings, self.token, self.presenter, self.inbox = settings, token, presenter, inbox
        self.feed: SiteFeed | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="display-network", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._cancel)
        self._thread.join(timeout)

    def _cancel(self) -> None:
        assert self.feed is not None and self._task is not None
        self.feed.stop()
        self._task.cancel()

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        settings = self.settings
        client = MotcuaClient(settings.server, self.token)
        self.feed = SiteFeed(client, settings.site, self.presenter, deliver=self.inbox.post,
                             refresh_seconds=settings.refresh_seconds, max_backoff=settings.max_backoff_seconds)
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._ready.set()
        try:
            await self.feed.run()
        except asyncio.CancelledError:
            pass
        finally:
            await client.aclose()


@dataclass
class DisplayRuntime:
    """The parts of one running display; `run()` blocks until the window closes."""

    settings: DisplaySettings
    presenter: LobbyPresenter
    announcer: Any  # an Announcer, with stop()
    network: FeedThread
    app: DisplayApp

    @property
    def feed(self) -> SiteFeed | None:
        return self.network.feed

    def run(self) -> None:
        self._stop_on_signals()
        self.network.start()
        try:
            self.app.run()
        finally:
            self.network.stop()
            stop = getattr(self.announcer, "stop", None)
            if stop is not None:
                stop()

    def _stop_on_signals(self) -> None:
        """Ctrl+C and systemd's SIGTERM close the display cleanly (the call being said is
        finished, the stream closed). Installed after SDL, which would swallow SIGINT."""
        from kivy.clock import Clock

        def close(_signum: int, _frame: object) -> None:
            Clock.schedule_once(lambda _dt: self.app.stop())

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, close)
            signal.signal(signal.SIGTERM, close)


def build_runtime(
    settings: DisplaySettings,
    token: str,
    *,
    announcer: Announcer | None = None,
) -> DisplayRuntime:
    """`announcer` replaces the voice (tests pass a recorder); configure_kivy() first."""
    from display.app import DisplayApp
    from display.speaker import SilentAnnouncer, VoiceAnnouncer, voice_to_presenter

    inbox = UiInbox()
    voice: VoiceAnnouncer | None = None
    if announcer is None:
        if settings.voice_enabled:
            voice = VoiceAnnouncer(settings.voice, inbox.post)
            announcer = voice
        else:
            announcer = SilentAnnouncer()
    presenter = LobbyPresenter(announcer, time_zone=settings.zone, recent_limit=settings.recent_calls)
    if voice is not None:
        voice.add_listener(voice_to_presenter(presenter))
    network = FeedThread(settings, token, presenter, inbox)
    return DisplayRuntime(settings, presenter, announcer, network, DisplayApp(presenter, settings))


def run_display(settings: DisplaySettings, token: str, *, log_level: str | None = None) -> None:
    configure_kivy(settings, log_level)
    build_runtime(settings, token).run()
