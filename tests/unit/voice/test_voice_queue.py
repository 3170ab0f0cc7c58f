"""The call queue on fakes: order, no overlap, stale calls, recalls, repeats, failures."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from display.voice.announcement_queue import (
    AnnouncementDropped,
    AnnouncementFailed,
    AnnouncementFinished,
    AnnouncementQueue,
    AnnouncementStarted,
    SoundRestored,
    SoundUnavailable,
    VoiceEvent,
)
from display.voice.render import AnnouncementRenderer
from display.voice.wav import wav_duration


class EventLog:
    def __init__(self) -> None:
        self.events: list[VoiceEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: VoiceEvent) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def events() -> EventLog:
    return EventLog()


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def make_queue(renderer, player, events, **kwargs) -> AnnouncementQueue:
    kwargs.setdefault("gap_seconds", 0.0)
    return AnnouncementQueue(renderer, player, on_event=events, **kwargs)


def test_burst_of_ten_calls_in_one_second_is_announced_in_order_without_overlap(
    fast_renderer, recording_player, events
) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    labels = [f"A{n:03d}" for n in range(1, 11)]
    for i, label in enumerate(labels):
        queue.announce(label, i + 1)
        time.sleep(0.05)
    assert queue.wait_idle(20)
    assert queue.stop()

    assert [e.request.label for e in events.of(AnnouncementStarted)] == labels
    assert [e.request.label for e in events.of(AnnouncementFinished)] == labels
    plays = sorted(recording_player.plays, key=lambda p: p.started)
    assert len(plays) == 10
    assert recording_player.max_concurrent == 1
    for earlier, later in zip(plays, plays[1:], strict=False):
        assert earlier.ended <= later.started, "two calls overlapped"


def test_calls_from_many_threads_at_once_never_overlap(
    fast_renderer, recording_player, events
) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    threads = [threading.Thread(target=queue.announce, args=(f"B{n}", n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert queue.wait_idle(20)
    queue.stop()
    assert len(recording_player.plays) == 8
    assert recording_player.max_concurrent == 1
    sequences = [e.request.sequence for e in events.of(AnnouncementStarted)]
    assert sequences == sorted(sequences)


def test_each_call_is_the_chime_then_the_phrase_said_repeat_times(
    fake_engine, tiny_chime, recording_player, events
) -> None:
    renderer = AnnouncementRenderer(fake_engine, chime=tiny_chime, pause_seconds=0.01)
    queue = make_queue(renderer, recording_player, events, repeat=3)
    queue.announce("A023", 5)
    assert queue.wait_idle(10)
    queue.stop()

    (play,) = recording_player.plays
    expected = wav_duration(tiny_chime) + 3 * fake_engine.seconds + 2 * 0.01
    assert play.wav_seconds == pytest.approx(expected, abs=0.002)
    # The phrase is synthesised once and repeated, not synthesised three times.
    assert fake_engine.calls == [("Mời công dân có số thứ tự A, hai mươi ba đến quầy số năm", "vi")]
    (started,) = events.of(AnnouncementStarted)
    assert started.texts == (("vi", fake_engine.calls[0][0]),)


def test_english_follows_vietnamese_in_each_repetition(
    fake_engine, tiny_chime, recording_player, events
) -> None:
    renderer = AnnouncementRenderer(
        fake_engine, chime=tiny_chime, pause_seconds=0.01, languages=("vi", "en")
    )
    queue = make_queue(renderer, recording_player, events, repeat=2)
    queue.announce("A023", 5)
    assert queue.wait_idle(10)
    queue.stop()
    assert [lang for _, lang in fake_engine.calls] == ["vi", "en"]
    (play,) = recording_player.plays
    expected = wav_duration(tiny_chime) + 4 * fake_engine.seconds + 3 * 0.01
    assert play.wav_seconds == pytest.approx(expected, abs=0.002)


def test_a_recall_is_announced_again_as_a_new_item(fast_renderer, recording_player, events) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    first = queue.announce("A023", 5)
    queue.announce("A024", 6)
    recall = queue.announce("A023", 5)
    assert queue.wait_idle(10)
    queue.stop()
    assert recall.sequence != first.sequence
    assert [e.request.label for e in events.of(AnnouncementStarted)] == ["A023", "A024", "A023"]
    assert len(recording_player.plays) == 3


def test_a_call_too_old_when_its_turn_comes_is_dropped_and_reported(
    fast_renderer, recording_player, events, caplog
) -> None:
    now = [1000.0]
    recording_player.hold = threading.Event()
    queue = make_queue(
        fast_renderer, recording_player, events, repeat=1, max_age_seconds=60, clock=lambda: now[0]
    )
    queue.announce("A001", 1)
    queue.announce("A002", 2)
    assert wait_for(lambda: events.of(AnnouncementStarted))
    now[0] += 61  # the first call is stuck in the player for over a minute
    queue.announce("A003", 3)  # fresh
    with caplog.at_level(logging.WARNING, logger="display.voice.announcement_queue"):
        recording_player.hold.set()
        assert queue.wait_idle(10)
    queue.stop()

    assert [e.request.label for e in events.of(AnnouncementStarted)] == ["A001", "A003"]
    (dropped,) = events.of(AnnouncementDropped)
    assert dropped.request.label == "A002"
    assert dropped.age_seconds == pytest.approx(61)
    assert "A002" in caplog.text and "dropped" in caplog.text


def test_no_max_age_means_nothing_is_dropped(fast_renderer, recording_player, events) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1, max_age_seconds=None)
    queue.announce("A001", 1, enqueued_at=-1e9)
    assert queue.wait_idle(10)
    queue.stop()
    assert not events.of(AnnouncementDropped)
    assert len(recording_player.plays) == 1


def test_a_synthesis_error_skips_only_that_call(
    fast_renderer, fake_engine, recording_player, events
) -> None:
    fake_engine.fail_on = ("Bê",)
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    queue.announce("B001", 1)
    queue.announce("A002", 2)
    assert queue.wait_idle(10)
    queue.stop()
    (failed,) = events.of(AnnouncementFailed)
    assert failed.request.label == "B001" and "refuses" in failed.error
    assert [e.request.label for e in events.of(AnnouncementStarted)] == ["A002"]


def test_a_label_that_cannot_be_read_is_reported_not_fatal(
    fast_renderer, recording_player, events
) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    queue.announce("???", 1)
    queue.announce("A002", 2)
    assert queue.wait_idle(10)
    queue.stop()
    assert [e.request.label for e in events.of(AnnouncementFailed)] == ["???"]
    assert [e.request.label for e in events.of(AnnouncementStarted)] == ["A002"]


def test_player_failure_reports_no_sound_once_then_recovery(
    fast_renderer, recording_player, events
) -> None:
    recording_player.fail_first = 2
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    for n in range(4):
        queue.announce(f"A00{n}", n)
    assert queue.wait_idle(10)
    queue.stop()
    assert len(events.of(SoundUnavailable)) == 1
    assert "no sound card" in events.of(SoundUnavailable)[0].error
    assert len(events.of(SoundRestored)) == 1
    assert len(events.of(AnnouncementFinished)) == 4
    assert queue.sound_available is True


def test_without_sound_each_call_still_takes_its_full_length(fast_renderer, events) -> None:
    class BrokenPlayer:
        name = "broken"

        def play(self, wav):
            raise OSError("device busy")

    queue = make_queue(fast_renderer, BrokenPlayer(), events, repeat=3)
    started = time.monotonic()
    queue.announce("A001", 1)
    queue.announce("A002", 2)
    assert queue.wait_idle(10)
    elapsed = time.monotonic() - started
    queue.stop()
    total = sum(e.duration_seconds for e in events.of(AnnouncementStarted))
    assert elapsed >= total
    assert queue.sound_available is False


def test_an_event_handler_that_raises_does_not_stop_the_calls(
    fast_renderer, recording_player
) -> None:
    def broken_handler(event):
        raise ValueError("UI is gone")

    queue = AnnouncementQueue(
        fast_renderer, recording_player, repeat=1, gap_seconds=0, on_event=broken_handler
    )
    queue.announce("A001", 1)
    queue.announce("A002", 2)
    assert queue.wait_idle(10)
    queue.stop()
    assert len(recording_player.plays) == 2


def test_stop_finishes_the_current_call_and_discards_the_rest(
    fast_renderer, recording_player, events
) -> None:
    recording_player.hold = threading.Event()
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    for n in range(5):
        queue.announce(f"A00{n}", n)
    time.sleep(0.1)
    threading.Timer(0.2, recording_player.hold.set).start()
    started = time.monotonic()
    assert queue.stop(timeout=5)
    assert time.monotonic() - started < 3
    assert len(recording_player.plays) == 1
    assert recording_player.plays[0].ended > recording_player.plays[0].started + 0.15  # not cut off
    with pytest.raises(RuntimeError, match="stopped"):
        queue.announce("A009", 9)


def test_stop_with_drain_says_everything_first(fast_renderer, recording_player, events) -> None:
    queue = make_queue(fast_renderer, recording_player, events, repeat=1)
    for n in range(4):
        queue.announce(f"A00{n}", n)
    assert queue.stop(drain=True, timeout=10)
    assert len(recording_player.plays) == 4


def test_context_manager_stops_the_worker(fast_renderer, recording_player, events) -> None:
    with make_queue(fast_renderer, recording_player, events) as queue:
        queue.announce("A001", 1)
        assert queue.wait_idle(10)
    assert not queue._thread.is_alive()


def test_repeat_must_be_positive(fast_renderer, recording_player) -> None:
    with pytest.raises(ValueError):
        AnnouncementQueue(fast_renderer, recording_player, repeat=0)


def test_probe_reports_a_missing_sound_device_before_any_call(fast_renderer, events) -> None:
    class BrokenPlayer:
        name = "aplay"

        def play(self, wav):
            raise OSError("audio open error: No such file or directory")

    queue = make_queue(fast_renderer, BrokenPlayer(), events, probe_sound=True)
    assert queue.wait_idle(5)
    queue.stop()
    (unavailable,) = events.of(SoundUnavailable)
    assert unavailable.player == "aplay" and "audio open error" in unavailable.error
    assert not events.of(AnnouncementStarted)
    assert queue.sound_available is False


def test_probe_with_working_sound_is_silent_and_marks_sound_available(
    fast_renderer, recording_player, events
) -> None:
    queue = make_queue(fast_renderer, recording_player, events, probe_sound=True)
    assert queue.wait_idle(5)
    queue.stop()
    assert queue.sound_available is True
    assert not events.events
    assert [round(p.wav_seconds, 2) for p in recording_player.plays] == [0.1]
