"""Calls said one at a time, in order, never overlapping and never cut off.

One worker thread owns the speaker. `announce()` only appends to a FIFO, so any thread
(the UI, a websocket client) may call it during a burst. The worker renders the call,
plays it to the end, waits out the rest of its length if the player returned early (no
sound device, muted), then leaves a short gap before the next call.

Events are delivered by calling `on_event` from the worker thread; a Kivy display must
hop to its UI thread (Clock.schedule_once). An exception in `on_event`, in synthesis or
in the player is logged and the worker goes on with the next call.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from display.voice.player import Player
from display.voice.render import AnnouncementRenderer
from display.voice.wav import SPEECH_FORMAT, wav_duration, write_wav

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallRequest:
    label: str
    counter: int | str
    enqueued_at: float
    sequence: int


@dataclass(frozen=True)
class AnnouncementEvent:
    """What happened to one call: every such event names the call it is about."""

    request: CallRequest


@dataclass(frozen=True)
class AnnouncementStarted(AnnouncementEvent):
    texts: tuple[tuple[str, str], ...]
    duration_seconds: float


@dataclass(frozen=True)
class AnnouncementFinished(AnnouncementEvent):
    pass


@dataclass(frozen=True)
class AnnouncementDropped(AnnouncementEvent):
    """Too old when its turn came (the citizen has most likely been served already)."""

    age_seconds: float


@dataclass(frozen=True)
class AnnouncementFailed(AnnouncementEvent):
    """Speech could not be produced for this call; it was skipped."""

    error: str


@dataclass(frozen=True)
class SoundEvent:
    """News of the sound device: every such event names the player."""

    player: str


@dataclass(frozen=True)
class SoundUnavailable(SoundEvent):
    """The player failed; the display should show "no sound" until SoundRestored."""

    error: str


@dataclass(frozen=True)
class SoundRestored(SoundEvent):
    pass


VoiceEvent = (
    AnnouncementStarted
    | AnnouncementFinished
    | AnnouncementDropped
    | AnnouncementFailed
    | SoundUnavailable
    | SoundRestored
)

_STOP = object()
_PROBE = object()


class AnnouncementQueue:
    def __init__(
        self,
        renderer: AnnouncementRenderer,
        player: Player,
        *,
        repeat: int = 2,
        max_age_seconds: float | None = 120.0,
        gap_seconds: float = 0.8,
        on_event: Callable[[VoiceEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        probe_sound: bool = False,
    ) -> None:
        """`probe_sound` plays a moment of silence first, so a missing sound device is
        reported when the display starts instead of at the first call."""
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        self.renderer = renderer
        self.player = player
        self.repeat = repeat
        self.max_age_seconds = max_age_seconds
        self.gap_seconds = gap_seconds
        self.on_event = on_event
        self.clock = clock
        self._pending: queue.Queue[object] = queue.Queue()
        self._stopping = threading.Event()
        self._accepting = True
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0
        self._sound_available: bool | None = None
        if probe_sound:
            self._unfinished += 1
            self._pending.put(_PROBE)
        self._thread = threading.Thread(target=self._run, name="announcement-queue", daemon=True)
        self._thread.start()

    @property
    def sound_available(self) -> bool | None:
        """None until the player was first used, then whether its last run worked."""
        return self._sound_available

    def announce(
        self, label: str, counter: int | str, *, enqueued_at: float | None = None
    ) -> CallRequest:
        """Queue a call. A recall is simply announced again: it becomes a new item."""
        with self._lock:
            if not self._accepting:
                raise RuntimeError("the announcement queue is stopped")
            request = CallRequest(
                label=label,
                counter=counter,
                enqueued_at=self.clock() if enqueued_at is None else enqueued_at,
                sequence=next(self._sequence),
            )
            self._unfinished += 1
            self._pending.put(request)
        return request

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued call has been said, dropped or failed."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def stop(self, *, drain: bool = False, timeout: float | None = 30.0) -> bool:
        """Stop accepting calls and end the worker; return whether it ended in time.

        Without `drain` the calls still waiting are discarded, but the one being said is
        finished (never cut off mid-sentence). With `drain` every queued call is said first.
        """
        with self._lock:
            self._accepting = False
        if not drain:
            self._stopping.set()
        self._pending.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> AnnouncementQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        while True:
            item = self._pending.get()
            if item is _STOP:
                return
            try:
                if item is _PROBE:
                    self._probe()
                elif not isinstance(item, CallRequest):
                    raise TypeError(f"unexpected queue item {item!r}")
                elif self._stopping.is_set():
                    log.info("voice queue stopping: call %s not announced", item.label)
                else:
                    self._announce(item)
            except Exception:
                # The last line of defence: one bad call must never silence the lobby.
                log.exception("unexpected error in the voice queue on %r", item)
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()

    def _announce(self, request: CallRequest) -> None:
        age = self.clock() - request.enqueued_at
        if self.max_age_seconds is not None and age > self.max_age_seconds:
            log.warning(
                "call %s to counter %s dropped: %.0f s old", request.label, request.counter, age
            )
            self._emit(AnnouncementDropped(request, age))
            return

        fd, name = tempfile.mkstemp(prefix=f"motcua-call-{request.sequence}-", suffix=".wav")
        os.close(fd)
        wav = Path(name)
        try:
            texts = tuple(self.renderer.texts(request.label, request.counter))
            self.renderer.render(request.label, request.counter, wav, repeat=self.repeat)
            duration = wav_duration(wav)
        except Exception as exc:
            log.exception("cannot synthesise call %s to counter %s", request.label, request.counter)
            self._emit(AnnouncementFailed(request, f"{type(exc).__name__}: {exc}"))
            wav.unlink(missing_ok=True)
            return

        self._emit(AnnouncementStarted(request, texts, duration))
        started = time.monotonic()
        try:
            self._play(wav)
        finally:
            wav.unlink(missing_ok=True)
        # Hold the call's slot for its full length even when nothing was heard, so the
        # display's "now calling" highlight keeps the same rhythm with or without sound.
        self._stopping.wait(max(0.0, duration - (time.monotonic() - started)))
        self._emit(AnnouncementFinished(request))
        self._stopping.wait(self.gap_seconds)

    def _probe(self) -> None:
        fd, name = tempfile.mkstemp(prefix="motcua-probe-", suffix=".wav")
        os.close(fd)
        wav = Path(name)
        try:
            write_wav(wav, SPEECH_FORMAT, SPEECH_FORMAT.silence(0.1))
            self._play(wav)
        finally:
            wav.unlink(missing_ok=True)

    def _play(self, wav: Path) -> None:
        """Play and track whether the lobby can hear us; a failure is reported, not raised."""
        try:
            self.player.play(wav)
        except Exception as exc:
            log.warning("player %s failed: %s", self.player.name, exc)
            if self._sound_available is not False:
                self._emit(SoundUnavailable(self.player.name, str(exc)))
            self._sound_available = False
        else:
            if self._sound_available is False:
                self._emit(SoundRestored(self.player.name))
            self._sound_available = True

    def _emit(self, event: VoiceEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("voice event handler failed on %s", type(event).__name__)
