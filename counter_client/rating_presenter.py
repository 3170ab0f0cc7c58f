"""The citizen-facing rating screen beside the counter, in plain Python (no Kivy).

It follows the counter's stream: when the counter calls someone it greets them with the
number; when the clerk finishes a ticket it asks the citizen to rate the service (three
levels; a reason is offered for "not satisfied"), thanks them, and goes back to waiting.
Every text is Vietnamese first, English second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.app_tasks import AppTasks
from shared.client import ApiError, StreamState
from shared.dossier_protocol import CounterRatingIn, RatingLevel
from shared.enums import EventType

from .gateway import CounterGateway, DossierGateway, Follower

log = logging.getLogger(__name__)


class Mode(StrEnum):
    WELCOME = "welcome"
    ASK = "ask"
    REASON = "reason"
    THANKS = "thanks"


LEVELS: tuple[tuple[RatingLevel, str, str], ...] = (
    (RatingLevel.VERY_SATISFIED, "Rất hài lòng", "Very satisfied"),
    (RatingLevel.SATISFIED, "Hài lòng", "Satisfied"),
    (RatingLevel.UNSATISFIED, "Không hài lòng", "Not satisfied"),
)
REASONS: tuple[tuple[str, str], ...] = (
    ("Phải chờ lâu", "Long wait"),
    ("Thái độ phục vụ chưa tốt", "Staff attitude"),
    ("Hướng dẫn chưa rõ ràng", "Unclear guidance"),
    ("Thủ tục phức tạp", "Complicated procedure"),
)


@dataclass
class RatingState:
    mode: Mode = Mode.WELCOME
    counter_number: int | None = None
    called_label: str = ""  # greeting for the citizen just called
    ticket_id: int | None = None  # the finished ticket being rated
    ticket_label: str = ""
    connected: bool = False
    error: str = ""


class RatingPresenter:
    def __init__(self, gateway: CounterGateway | DossierGateway, counter_id: int, *,
                 on_change: Callable[[], None] = lambda: None, ask_seconds: float = 90.0,
                 thanks_seconds: float = 6.0) -> None:
        self.gateway = gateway
        self.counter_id = counter_id
        self.on_change = on_change
        self.ask_seconds = ask_seconds
        self.thanks_seconds = thanks_seconds
        self.state = RatingState()
        self._follower: Follower | None = None
        self._timer: asyncio.Task | None = None
        self.tasks = AppTasks("counter_client.rating_presenter")

    async def start(self, retry_seconds: float = 3.0) -> None:
        while True:  # the screen may start before the server: wait for it, do not die
            try:
                snapshot = await self.gateway.counter_snapshot(self.counter_id)
                break
            except ApiError as exc:
                self.state.error = "Đang kết nối máy chủ… / Connecting…"
                self.on_change()
                log.info("rating screen waits for the server: %s", exc)
                await asyncio.sleep(retry_seconds)
        self.state.error = ""
        self.state.counter_number = snapshot.counter.number
        self._follower = self.gateway.follow_counter(self.counter_id, snapshot.counter.site_id,
                                                     lambda s: None, self.on_event, self._on_stream)
        self.on_change()

    def stop(self) -> None:
        if self._follower is not None:
            self._follower.stop()
        self._cancel_timer()

    async def idle(self) -> None:
        await self.tasks.idle()


    def _on_stream(self, state: StreamState) -> None:
        self.state.connected = state is StreamState.LIVE
        self.on_change()

    def on_event(self, event: dict[str, Any]) -> None:
        counter = event.get("counter") or {}
        if counter.get("id") != self.counter_id:
            return
        ticket = event.get("ticket") or {}
        kind = event.get("type")
        if kind in (EventType.TICKET_CALLED, EventType.TICKET_RECALLED):
            self._show(Mode.WELCOME, called_label=ticket.get("label", ""))
        elif kind == EventType.TICKET_SERVED:
            self._show(Mode.ASK, ticket_id=ticket.get("id"), ticket_label=ticket.get("label", ""), called_label="")
            self._after(self.ask_seconds, lambda: self._show(Mode.WELCOME))
        elif kind in (EventType.COUNTER_CLOSED, EventType.COUNTER_PAUSED):
            self._show(Mode.WELCOME, called_label="")

    def _show(self, mode: Mode, **changes: Any) -> None:
        self._cancel_timer()
        self.state.mode, self.state.error = mode, ""
        for key, value in changes.items():
            setattr(self.state, key, value)
        self.on_change()

    def _after(self, seconds: float, then: Callable[[], None]) -> None:
        async def wait() -> None:
            await asyncio.sleep(seconds)
            self._timer = None
            then()
        self._timer = self.tasks.track(wait())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ---- the citizen's taps ---------------------------------------------------------------
    def choose(self, level: RatingLevel | str) -> asyncio.Task | None:
        level = RatingLevel(level)
        if self.state.mode is not Mode.ASK:
            return None
        if level is RatingLevel.UNSATISFIED:
            self._show(Mode.REASON)  # keep the ticket; ask why (optional)
            self._after(self.ask_seconds, lambda: self.tasks.track(self._send(level, "")))
            return None
        return self.tasks.track(self._send(level, ""))

    def give_reason(self, index: int | None) -> asyncio.Task | None:
        if self.state.mode is not Mode.REASON:
            return None
        reason = REASONS[index][0] if index is not None else ""
        return self.tasks.track(self._send(RatingLevel.UNSATISFIED, reason))

    async def _send(self, level: RatingLevel, reason: str) -> None:
        ticket_id = self.state.ticket_id
        self._cancel_timer()
        try:
            await self.gateway.rate(self.counter_id, CounterRatingIn(level=level, reason=reason, ticket_id=ticket_id))
        except ApiError as exc:
            if exc.status != 409:  # 409: already rated, e.g. from the phone: thanks all the same
                log.warning("rating not saved: %s", exc)
                self.state.error = "Chưa gửi được đánh giá. / Could not send the rating."
                self.on_change()
                return
        self._show(Mode.THANKS)
        self._after(self.thanks_seconds, lambda: self._show(Mode.WELCOME, ticket_id=None, ticket_label=""))


@dataclass(frozen=True)
class RatingView:
    mode: str = Mode.WELCOME.value
    counter: str = ""
    headline: str = "Xin kính chào quý khách"
    subline: str = "Welcome"
    error: str = ""


def rating_view(p: RatingPresenter) -> RatingView:
    st = p.state
    counter = str(st.counter_number or "")
    if st.mode is Mode.ASK:
        return RatingView(st.mode.value, counter, "Quý khách vui lòng đánh giá mức độ hài lòng",
                          f"Please rate our service · số / ticket {st.ticket_label}", st.error)
    if st.mode is Mode.REASON:
        return RatingView(st.mode.value, counter, "Xin cho biết lý do (không bắt buộc)",
                          "Please tell us why (optional)", st.error)
    if st.mode is Mode.THANKS:
        return RatingView(st.mode.value, counter, "Cảm ơn quý khách!", "Thank you!", st.error)
    if st.called_label:
        return RatingView(st.mode.value, counter, f"Mời số {st.called_label}",
                          f"Now serving {st.called_label}", st.error)
    return RatingView(st.mode.value, counter, error=st.error)
