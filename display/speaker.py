"""The presenter's `Announcer`, backed by `display.voice` (one queue, calls never overlap).

Voice events arrive on the queue's worker thread; `post` must hand a callable over to the
UI thread (the app passes one built on `Clock.schedule_once`), where the presenter lives.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from display.presenter import LobbyPresenter
from display.voice import (
    AnnouncementDropped,
    AnnouncementFailed,
    AnnouncementFinished,
    AnnouncementStarted,
    Player,
    SoundRestored,
    SoundUnavailable,
    SpeechEngine,
    VoiceEvent,
    VoiceSettings,
    make_announcer,
)

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]
VoiceListener = Callable[[VoiceEvent], None]


class VoiceAnnouncer:
    def __init__(
        self,
        settings: VoiceSettings,
        post: Post,
        *,
        engine: SpeechEngine | None = None,
        player: Player | None = None,
    ) -> None:
        self.post = post
        self._listeners: list[VoiceListener] = []
        self._lock = threading.Lock()
        # The start-up sound probe may report before anyone listens: kept to be replayed.
        self._sound_news: SoundUnavailable | SoundRestored | None = None
        self.queue = make_announcer(settings, on_event=self._on_voice_event, engine=engine, player=player)

    def add_listener(self, listener: VoiceListener) -> None:
        with self._lock:
            self._listeners.append(listener)
            news = self._sound_news
        if news is not None:
            self.post(lambda: listener(news))

    def announce(self, label: str, counter_number: int, *, age_seconds: float = 0.0) -> None:
        # The queue measures age on the monotonic clock: back-date the call by its age.
        self.queue.announce(label, counter_number, enqueued_at=time.monotonic() - age_seconds)

    def stop(self) -> None:
        self.queue.stop()

    def _on_voice_event(self, event: VoiceEvent) -> None:
        with self._lock:
            if isinstance(event, SoundUnavailable | SoundRestored):
                self._sound_news = event
            listeners = list(self._listeners)
        for listener in listeners:
            self.post(lambda listener=listener: listener(event))


class SilentAnnouncer:
    """Voice switched off in the settings: calls are shown, never said."""

    def announce(self, label: str, counter_number: int, *, age_seconds: float = 0.0) -> None:
        log.debug("voice off: %s to counter %s not said", label, counter_number)

    def stop(self) -> None:
        return None


def voice_to_presenter(presenter: LobbyPresenter) -> VoiceListener:
    """A listener that shows on screen what the voice is doing."""

    def listen(event: VoiceEvent) -> None:
        if isinstance(event, AnnouncementStarted):
            presenter.voice_started(event.request.label, event.request.counter)
        elif isinstance(event, AnnouncementFinished | AnnouncementFailed):
            presenter.voice_finished(event.request.label, event.request.counter)
        elif isinstance(event, AnnouncementDropped):
            log.warning("call %s to counter %s not said: %.0f s old when its turn came",
                        event.request.label, event.request.counter, event.age_seconds)
        elif isinstance(event, SoundUnavailable):
            presenter.sound_changed(False)
        elif isinstance(event, SoundRestored):
            presenter.sound_changed(True)

    return listen
