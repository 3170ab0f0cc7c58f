"""The rating screen as a Kivy app: one window on the citizen-facing display.

    motcua counter --rating-screen --counter 2     (token in MOTCUA_COUNTER_TOKEN)

The counter app starts it by itself when `rating_screen` is set, with its own session.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout

from . import widgets  # noqa: F401 (registers DeskButton for the kv file)
from .gateway import HttpGateway
from .rating_presenter import REASONS, RatingPresenter, RatingView, rating_view

KV_DIR = Path(__file__).parent / "kv"


class RatingRoot(FloatLayout):
    pass


class RatingApp(App):
    title = "motcua – Đánh giá / Rating"
    view = ObjectProperty(RatingView(), rebind=True)

    def __init__(self, gateway: HttpGateway, counter_id: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.gateway = gateway
        self.presenter = RatingPresenter(gateway, counter_id, on_change=self._changed)
        self._trigger = Clock.create_trigger(self._redraw, 0)

    def build(self) -> RatingRoot:
        Builder.load_file(str(KV_DIR / "common.kv"))
        Builder.load_file(str(KV_DIR / "rating.kv"))
        root = RatingRoot()
        for index, (vi, en) in enumerate(REASONS):
            button = Factory.DeskButton(text=f"{vi}\n[size=17sp]{en}[/size]", tone="neutral", font_size="22sp",
                                        height=96)
            button.bind(on_release=lambda b, i=index: self.presenter.give_reason(i))
            root.ids.reasons.add_widget(button)
        skip = Factory.DeskButton(text="Bỏ qua\n[size=17sp]Skip[/size]", tone="quiet", font_size="22sp", height=96)
        skip.bind(on_release=lambda b: self.presenter.give_reason(None))
        root.ids.reasons.add_widget(skip)
        return root

    def on_start(self) -> None:
        asyncio.get_event_loop().create_task(self.presenter.start())

    def _changed(self) -> None:
        self._trigger()

    def _redraw(self, *_: object) -> None:
        self.view = rating_view(self.presenter)

    async def run_until_closed(self) -> None:
        try:
            await self.async_run(async_lib="asyncio")
        finally:
            self.presenter.stop()
            await self.gateway.aclose()
