"""The counter app: Kivy properties the kv files bind to, and the window's keys.

The presenter holds the state and talks to the server on the same asyncio loop Kivy runs
on (`async_run`), so no network call ever blocks a frame.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.textinput import TextInput

from . import widgets  # noqa: F401 (registers the widget classes for the kv files)
from .commands import key_name
from .documents import DocumentOutput
from .dossier_presenter import DossierPresenter
from .dossier_viewmodel import DossierView, dossier_view
from .gateway import CounterGateway, DossierGateway
from .presenter import CounterPresenter, Phase
from .scanning import SaneScanner, ScannerFolderWatcher
from .screens.dialog import DialogLayer  # noqa: F401 (registers the kv class)
from .screens.dossier import DossierScreen
from .screens.identity import IdentityLayer  # noqa: F401 (registers the kv class)
from .screens.login import LoginScreen
from .screens.main import MainScreen
from .screens.pick_counter import PickCounterScreen
from .settings import CounterSettings, save_settings
from .viewmodel import DialogView, MainView, PickView, dialog_view, main_view, pick_view

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).parent / "kv"
KV_FILES = ("common.kv", "dialog.kv", "login.kv", "pick_counter.kv", "main.kv", "identity.kv", "dossier.kv")
SCANNER_POLL_SECONDS = 2.0
# Keys a focused text box needs for itself; everything else (F-keys, Esc, Enter, arrows,
# Alt+…) is a shortcut even while typing.
TYPING_KEYS = {"backspace", "delete", "home", "end", "left", "right", "spacebar", "tab"}


class CounterApp(App):
    title = "motcua – Quầy tiếp nhận"
    # rebind: kv rules read fields of these (app.main.title) and must follow a new view.
    main = ObjectProperty(MainView(), rebind=True)
    dialog = ObjectProperty(DialogView(), rebind=True)
    pick = ObjectProperty(PickView(), rebind=True)
    dossier_view = ObjectProperty(DossierView(), rebind=True)
    phase = StringProperty(Phase.LOGIN.value)
    busy = BooleanProperty(False)
    login_notice = StringProperty("")
    remembered_username = StringProperty("")
    server_url = StringProperty("")

    def __init__(self, gateway: CounterGateway | DossierGateway, settings: CounterSettings, *, persist: bool = True,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.gateway = gateway
        self.settings = settings
        self.server_url = settings.server_url
        self.remembered_username = settings.username
        self.presenter = CounterPresenter(gateway, settings, on_change=self._schedule_redraw,
                                          save_settings=save_settings if persist else (lambda s: None),
                                          dossier_factory=self._new_dossier)
        self.documents = DocumentOutput(Path(settings.documents_folder), open_after=settings.open_documents,
                                        printer_url=settings.printer_url, paper_mm=settings.paper_mm)
        self._redraw_trigger = Clock.create_trigger(self.redraw, 0)
        self._rating_process: subprocess.Popen | None = None
        self._rating_counter: int | None = None

    # ---- building ------------------------------------------------------------------------
    def build(self) -> ScreenManager:
        for name in KV_FILES:
            Builder.load_file(str(KV_DIR / name))
        Window.clearcolor = (0.93, 0.94, 0.95, 1)
        manager = ScreenManager(transition=NoTransition())
        manager.add_widget(LoginScreen(name=Phase.LOGIN.value))
        manager.add_widget(PickCounterScreen(name=Phase.PICK_COUNTER.value))
        manager.add_widget(MainScreen(name=Phase.MAIN.value))
        manager.add_widget(DossierScreen(name=Phase.DOSSIER.value))
        Window.bind(on_key_down=self._on_key_down)
        # Waiting times keep ticking between server events.
        Clock.schedule_interval(lambda dt: self._schedule_redraw(), 15)
        Clock.schedule_interval(self._poll_scanner, SCANNER_POLL_SECONDS)
        return manager

    def _new_dossier(self, ticket, on_change, on_close) -> DossierPresenter:  # noqa: ANN001
        p, s = self.presenter, self.settings
        folder = Path(s.scanner_folder) if s.scanner_folder else None
        return DossierPresenter(
            self.gateway, self.documents, counter_id=p.counter_id, site_code=p.state.site.code, ticket=ticket,
            receipt_output=s.receipt_output, receipt_page=s.receipt_page, tz=p.tz, on_change=on_change,
            on_close=on_close, watcher=ScannerFolderWatcher(folder) if folder and folder.is_dir() else None,
            scanner=SaneScanner(Path(s.documents_folder) / "quet"))

    def _follow_rating_screen(self) -> None:
        """The citizen-facing rating window follows the counter the clerk works at."""
        counter_id = self.presenter.counter_id if self.presenter.state.phase is not Phase.LOGIN else None
        if not self.settings.rating_screen or counter_id == self._rating_counter:
            return
        self._stop_rating_screen()
        token = getattr(getattr(self.gateway, "client", None), "token", None)
        if counter_id is None or not token:
            return
        env = {**os.environ, "MOTCUA_COUNTER_TOKEN": token,
               "MOTCUA_COUNTER_SETTINGS": str(self.settings.path)}
        command = [sys.executable, "-m", "counter_client.cli", "--rating-screen", "--counter", str(counter_id),
                   "--server", self.settings.server_url]
        try:
            self._rating_process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
            self._rating_counter = counter_id
        except OSError as exc:
            log.warning("rating screen not started: %s", exc)

    def _stop_rating_screen(self) -> None:
        if self._rating_process is not None and self._rating_process.poll() is None:
            self._rating_process.terminate()
        self._rating_process, self._rating_counter = None, None

    def _poll_scanner(self, *_: object) -> None:
        dossier = self.presenter.dossier
        if self.presenter.state.phase is Phase.DOSSIER and dossier is not None and dossier.watcher is not None:
            asyncio.get_running_loop().create_task(dossier.poll_scanner_folder())

    def on_start(self) -> None:
        if self.settings.fullscreen:
            Window.fullscreen = "auto"

    def screen(self, name: str):  # noqa: ANN201
        return self.root.get_screen(name)

    # ---- redrawing -------------------------------------------------------------------------
    def _schedule_redraw(self) -> None:
        self._redraw_trigger()  # many changes in one frame: one redraw

    def redraw(self, *_: object) -> None:
        p = self.presenter
        st = p.state
        self.busy = st.busy is not None
        if st.phase is Phase.LOGIN:
            self.login_notice = st.notice.text_vi if st.notice else ""
            self.remembered_username = p.settings.username
        elif st.phase is Phase.PICK_COUNTER:
            self.pick = pick_view(p)
            self.screen(Phase.PICK_COUNTER.value).show(self.pick)
        elif st.phase is Phase.DOSSIER and p.dossier is not None:
            self.dossier_view = dossier_view(p.dossier)
            self.screen(Phase.DOSSIER.value).show(self.dossier_view)
        else:
            self.main = main_view(p)
            self.dialog = dialog_view(p)
            main = self.screen(Phase.MAIN.value)
            main.show(self.main)
            main.dialog_layer.show(self.dialog)
        if self.root.current != st.phase.value:
            self.root.current = st.phase.value
        self.phase = st.phase.value
        self._follow_rating_screen()

    # ---- keys ------------------------------------------------------------------------------
    def _on_key_down(self, window, key: int, scancode: int, codepoint: str | None,  # noqa: ANN001
                     modifiers: list[str]) -> bool:
        name = window._system_keyboard.keycode_to_string(key) or ""
        typing = any(isinstance(w, TextInput) and w.focus for w in self._text_inputs())
        if typing and "alt" not in modifiers and "ctrl" not in modifiers and (len(name) == 1 or name in TYPING_KEYS):
            return False
        full = key_name(name, modifiers)
        if self.presenter.state.phase is Phase.DOSSIER and self._dossier_screen_key(full):
            return True
        return self.presenter.on_key(full)

    def _dossier_screen_key(self, name: str) -> bool:
        """Keys that only move things on the dossier screen (no server, no state)."""
        chooser = self.screen(Phase.DOSSIER.value).chooser_layer
        dossier = self.presenter.dossier
        if dossier is not None and (name == "f2" or (name == "escape" and dossier.identity.state.shown)):
            (dossier.identity.close if dossier.identity.state.shown else dossier.identity.open)()
            return True
        if chooser.shown and name == "escape":
            chooser.shown = False
            return True
        if name == "ctrl+o" and self.presenter.dossier is not None:
            self.screen(Phase.DOSSIER.value).open_chooser()
            return True
        return chooser.shown  # the file chooser is modal

    def _text_inputs(self) -> list[TextInput]:
        return [w for w in self.root.walk(restrict=False) if isinstance(w, TextInput)] if self.root else []

    # ---- leaving ---------------------------------------------------------------------------
    def logout(self) -> None:
        asyncio.get_running_loop().create_task(self.presenter.logout())

    async def run_until_closed(self) -> None:
        """Run the window, then end the live stream and close connections cleanly."""
        try:
            await self.async_run(async_lib="asyncio")
        finally:
            self._stop_rating_screen()
            await self.presenter.shutdown()
            await self.gateway.aclose()
