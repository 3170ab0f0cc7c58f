"""The technician's corner behind a PIN: five taps on the clock, the PIN pad, and the
settings screen (server, token, site, printer, timeouts), with a test print."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.printing import PrinterError, sample_printout
from kiosk.settings import KioskSettings, SettingsError, pin_matches, printer_address
from kiosk.state import Phase, ServerStatus
from kiosk.texts import T, Text

SECRET_TAPS = 5
SECRET_WINDOW_SECONDS = 4.0
PIN_ATTEMPTS = 5
PIN_LOCK_SECONDS = 300.0
PIN_MAX = 12


class StaffPresenter(ScreenPresenter):
    name = "staff"
    screens = (ScreenSpec(Phase.PIN, "pin.kv", "PinScreen"),
               ScreenSpec(Phase.SETTINGS, "settings.kv", "SettingsScreen"))

    def __init__(self, kiosk: Any) -> None:
        super().__init__(kiosk)
        self._secret_taps: list[float] = []
        self._pin_failures = 0
        self._pin_locked_until = 0.0

    def secret_tap(self) -> None:
        """Five taps on the clock within a few seconds open the PIN pad (staff only)."""
        k = self.kiosk
        if k.state.phase is not Phase.HOME:
            return
        now = k.clock()
        self._secret_taps = [t for t in self._secret_taps if now - t <= SECRET_WINDOW_SECONDS] + [now]
        if len(self._secret_taps) < SECRET_TAPS:
            return
        self._secret_taps.clear()
        if not k.settings.has_pin:
            # Without a PIN the screen opens only to set up a kiosk that cannot serve yet.
            if not k.settings.configured:
                self._open_settings()
            return
        if now < self._pin_locked_until:
            return
        k.state.pin, k.state.pin_error = "", False
        k.go(Phase.PIN)

    def pin_digit(self, digit: str) -> None:
        st = self.kiosk.state
        if st.phase is Phase.PIN and digit.isdigit() and len(st.pin) < PIN_MAX:
            st.pin += digit
            st.pin_error = False
            self.kiosk.changed()

    def pin_delete(self) -> None:
        st = self.kiosk.state
        if st.phase is Phase.PIN and st.pin:
            st.pin = st.pin[:-1]
            self.kiosk.changed()

    def pin_submit(self) -> None:
        k, st = self.kiosk, self.kiosk.state
        if st.phase is not Phase.PIN:
            return
        if pin_matches(st.pin, k.settings.settings_pin_hash):
            self._pin_failures = 0
            self._open_settings()
            return
        self._pin_failures += 1
        st.pin, st.pin_error = "", True
        if self._pin_failures >= PIN_ATTEMPTS:
            self._pin_failures = 0
            self._pin_locked_until = k.clock() + PIN_LOCK_SECONDS
            k.reset_to_home()
            return
        k.changed()

    def _open_settings(self) -> None:
        k = self.kiosk
        k.state.settings_message, k.state.settings_error = None, ""
        k.state.phase = Phase.SETTINGS
        k.history.clear()
        k.changed()

    def settings_values(self) -> dict[str, str]:
        """The settings screen's fields, as text."""
        s = self.kiosk.settings
        return {
            "server_url": s.server_url,
            "device_token": s.device_token,
            "site_code": s.site_code,
            "printer": printer_address(s.printer),
            "paper_width_mm": str(s.printer.paper_width_mm),
            "qr_mode": s.printer.qr_mode,
            "idle_timeout": str(s.idle_timeout),
            "ticket_timeout": str(s.ticket_timeout),
            "language": s.language,
            "settings_pin": "",
        }

    def save_settings(self, values: dict[str, str]) -> bool:
        k, st = self.kiosk, self.kiosk.state
        if st.phase is not Phase.SETTINGS:
            return False
        try:
            new = k.settings.with_values(values)
            k.save_settings_file(new)
        except (SettingsError, OSError) as exc:
            st.settings_error, st.settings_message = str(exc), None
            k.changed()
            return False
        self.reconfigure(new)
        st.settings_error, st.settings_message = "", T["saved"]
        k.changed()
        return True

    def reconfigure(self, settings: KioskSettings) -> None:
        """New server, token, site or printer: reconnect from scratch."""
        k = self.kiosk
        old_api = k.api
        k.tasks.cancel("connect", "browse", "search", "detail", "menu")
        k.settings = settings
        k.api = k.api_factory(settings)
        k.printer = k.printer_factory(settings)
        st = k.state
        st.server, st.server_detail, st.site, st.fields, st.queues = ServerStatus.CONNECTING, None, None, [], []
        st.counts_live = False
        k.tasks.keep("close old client", old_api.aclose)
        k.start()

    def test_print(self) -> None:
        k = self.kiosk
        if k.state.phase is not Phase.SETTINGS:
            return
        site = k.state.site
        overrides: dict[str, Any] = {"issued_at": datetime.now(UTC)}
        if site is not None:
            overrides.update(center_name=k.state.center_name or site.name_vi, site_name=site.name_vi)

        async def run() -> None:
            try:
                await asyncio.to_thread(k.printer.print_ticket, sample_printout(**overrides))
            except PrinterError as exc:
                k.state.settings_message = Text(f"{exc.message_vi} ({exc.detail})", f"{exc.message_en}")
            else:
                k.state.settings_message = T["test_printed"]
            k.changed()

        k.tasks.slot("test_print", run)


PRESENTER = StaffPresenter
