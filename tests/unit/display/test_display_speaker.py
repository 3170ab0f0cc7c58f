"""The presenter's voice: display.voice's queue behind the Announcer interface, its
events shown on screen (calls said in order, one at a time; no sound is a marker)."""

from __future__ import annotations

import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from display_fixtures import called, later, snapshot

from display.presenter import LobbyPresenter
from display.speaker import SilentAnnouncer, VoiceAnnouncer, voice_to_presenter
from display.voice import PlayerError, VoiceSettings
from display.voice.wav import SPEECH_FORMAT, write_wav


class ShortEngine:
    """A tenth of a second of silence per phrase (and as chime), and the texts it was asked to say."""

    name = "short"

    def __init__(self, folder: Path) -> None:
        self.texts: list[str] = []
        self.chime_path = write_wav(folder / "chime.wav", SPEECH_FORMAT, SPEECH_FORMAT.silence(0.05))

    def synthesize(self, text: str, lang: str, out_path: Path) -> Path:
        self.texts.append(text)
        return write_wav(Path(out_path), SPEECH_FORMAT, SPEECH_FORMAT.silence(0.1))


class Speaker:
    name = "speaker"

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.playing = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def play(self, wav: Path) -> None:
        if self.broken:
            raise PlayerError("no sound card")
        with self.lock:
            self.playing += 1
            self.most_at_once = max(self.most_at_once, self.playing)
        with self.lock:
            self.playing -= 1


def wire(player: Speaker, folder: Path) -> tuple[VoiceAnnouncer, LobbyPresenter, ShortEngine, list]:
    posted: list = []
    lock = threading.Lock()

    def post(callback) -> None:  # noqa: ANN001  (the app hops to Kivy's thread here)
        with lock:
            posted.append(callback)
            callback()

    engine = ShortEngine(folder)
    settings = VoiceSettings(engine="espeak-ng", repeat=1, player="none", gap_seconds=0.0, pause_seconds=0.0)
    voice = VoiceAnnouncer(settings, post, engine=engine, player=player)
    presenter = LobbyPresenter(voice, time_zone=ZoneInfo("Asia/Ho_Chi_Minh"), now=lambda: later(30))
    voice.add_listener(voice_to_presenter(presenter))
    return voice, presenter, engine, posted


def test_calls_from_the_stream_are_said_in_order_one_at_a_time_and_shown_while_said(tmp_path: Path) -> None:
    player = Speaker()
    voice, presenter, engine, posted = wire(player, tmp_path)
    speaking: list[str] = []
    presenter.on_change = lambda: speaking.append(presenter.view().featured.label) \
        if presenter.view().speaking else None
    try:
        presenter.apply_snapshot(snapshot(1))
        for i in range(5):
            presenter.apply_event(called(2 + i, 10 + i, f"A00{i + 1}", 1 + i, later(i)))
        assert voice.queue.wait_idle(10)
    finally:
        voice.stop()
    assert engine.texts == [f"Mời công dân có số thứ tự A, {w} đến quầy số {w}"
                            for w in ("một", "hai", "ba", "bốn", "năm")]
    assert player.most_at_once == 1
    assert speaking == ["A001", "A002", "A003", "A004", "A005"], "the big panel follows the voice"
    assert not presenter.view().speaking and posted


def test_a_missing_sound_device_shows_the_marker_and_calls_still_appear(tmp_path: Path) -> None:
    voice, presenter, _, _ = wire(Speaker(broken=True), tmp_path)
    try:
        presenter.apply_snapshot(snapshot(1))
        presenter.apply_event(called(2, 10, "B007", 3, later(1)))
        assert voice.queue.wait_idle(10)
    finally:
        voice.stop()
    view = presenter.view()
    assert view.sound_ok is False
    assert view.featured.label == "B007"


def test_a_stale_call_is_dropped_not_said(tmp_path: Path) -> None:
    player = Speaker()
    voice, presenter, engine, _ = wire(player, tmp_path)
    try:
        voice.announce("A001", 1, age_seconds=600)
        assert voice.queue.wait_idle(10)
    finally:
        voice.stop()
    assert engine.texts == []


def test_voice_switched_off_says_nothing() -> None:
    silent = SilentAnnouncer()
    silent.announce("A001", 1)
    silent.stop()
