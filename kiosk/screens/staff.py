"""Staff only: the PIN pad and the settings form."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen, escape, size
from kiosk.texts import T
from kiosk.widgets import GREY, INK, KLabel

# Keys of KioskPresenter.settings_values(), in the order shown.
SETTING_KEYS = ("server_url", "device_token", "site_code", "printer", "paper_width_mm", "qr_mode",
                "idle_timeout", "ticket_timeout", "language", "settings_pin")


class PinScreen(KioskScreen):
    def refresh(self, app: Any, state: Any) -> None:
        self.ids.dots.text = " ".join("•" * len(state.pin)) if state.pin else "—"
        self.ids.error.text = T["wrong_pin"].both(state.lang) if state.pin_error else ""


class SettingsScreen(KioskScreen):
    def enter(self, app: Any, state: Any) -> None:
        """Fill the form from the current settings (only on entering: typing is kept)."""
        self.app = app
        form = self.ids.form
        form.clear_widgets()
        self.inputs: dict[str, TextInput] = {}
        values = app.presenter.settings_values()
        for key in SETTING_KEYS:
            row = Factory.SettingRow()
            caption = T[f"setting_{key}"].both(state.lang)
            row.add_widget(KLabel(text=escape(caption), font_size=size(app, 26), color=GREY))
            field = TextInput(text=values[key], multiline=False, font_size=size(app, 32), size_hint_y=None,
                              height=size(app, 76), password=key == "settings_pin", write_tab=False,
                              input_filter="int" if key == "settings_pin" else None)
            self.inputs[key] = field
            row.add_widget(field)
            if key == "printer":
                row.add_widget(KLabel(text=escape(T["setting_printer_hint"](state.lang)), font_size=size(app, 22),
                                      color=GREY))
            row.add_widget(Widget())
            form.add_widget(row)

    def save(self) -> None:
        self.app.presenter.save_settings({key: field.text for key, field in self.inputs.items()})

    def refresh(self, app: Any, state: Any) -> None:
        message = self.ids.message
        if state.settings_error:
            message.color = (0.78, 0.13, 0.13, 1)
            message.text = escape(state.settings_error)
        elif state.settings_message:
            message.color = INK
            message.text = escape(state.settings_message.both(state.lang))
        else:
            message.text = ""
