"""The lobby presenter, without Kivy: what the screen shows and which calls are said."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from display_fixtures import (
    NOON,
    RecordingAnnouncer,
    called,
    counter,
    counter_brief,
    event,
    later,
    queue,
    snapshot,
    ticket,
)

from display.presenter import LobbyPresenter, counter_state_text
from shared.client import StreamState

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def voice() -> RecordingAnnouncer:
    return RecordingAnnouncer()


@pytest.fixture
def clock() -> list:
    return [later(60)]


@pytest.fixture
def presenter(voice: RecordingAnnouncer, clock: list) -> LobbyPresenter:
    p = LobbyPresenter(voice, time_zone=HUE, recent_limit=3, now=lambda: clock[0])
    p.apply_snapshot(snapshot(10))
    return p


def test_nothing_is_shown_before_the_first_snapshot(voice: RecordingAnnouncer) -> None:
    p = LobbyPresenter(voice, time_zone=HUE)
    view = p.view()
    assert not view.ready and view.featured is None and view.counters == ()
    assert p.apply_event(called(1, 7, "A001", 1, NOON)) is False, "no snapshot yet: ask for one"
    assert voice.said == []


def test_first_snapshot_shows_the_site_without_repeating_old_calls(voice: RecordingAnnouncer) -> None:
    earlier = ticket(5, "A005", 1, "called", NOON)
    p = LobbyPresenter(voice, time_zone=HUE, now=lambda: later(30))
    p.apply_snapshot(snapshot(4, counters=[counter(1, current=earlier), counter(2, "closed")],
                              calls=[earlier], queues=[queue(1, "A", 3)], notice=" Nghỉ trưa 11:30 "))
    view = p.view()
    assert view.ready and view.site_name_vi.startswith("Trung tâm")
    assert view.notice == "Nghỉ trưa 11:30"
    assert view.featured is not None and (view.featured.label, view.featured.counter_number) == ("A005", 1)
    assert [(t.number, t.label, t.state) for t in view.counters] == [(1, "A005", "open"), (2, None, "closed")]
    assert [(s.code, s.waiting) for s in view.services] == [("A", 3)]
    assert voice.said == [], "the display (re)started: those calls were already said"


def test_a_call_is_shown_large_on_its_counter_and_queued_for_speech(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    serial = presenter.view().flash_serial
    assert presenter.apply_event(called(11, 7, "A001", 2, later(1), waiting={"1": 4}))
    view = presenter.view()
    assert view.featured is not None and (view.featured.label, view.featured.counter_number) == ("A001", 2)
    assert view.flash_serial > serial, "a new call flashes"
    tile = next(t for t in view.counters if t.number == 2)
    assert (tile.label, tile.ticket_status) == ("A001", "called")
    assert counter_state_text(tile) == ("Mời vào", "Please come")
    assert next(s for s in view.services if s.code == "A").waiting == 4
    assert voice.said == [("A001", 2, 0.0)]


def test_a_burst_of_calls_is_queued_in_the_order_of_the_stream(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    for i in range(10):
        presenter.apply_event(called(11 + i, 100 + i, f"A{i + 1:03d}", 1 + i % 3, later(1 + i / 10)))
    assert [label for label, _ in voice.calls] == [f"A{i:03d}" for i in range(1, 11)]
    view = presenter.view()
    assert view.featured.label == "A010"
    assert [c.label for c in view.recent] == ["A009", "A008", "A007"], "newest first, limited"


def test_a_recall_is_said_again_and_moves_the_ticket_to_the_top(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    presenter.apply_event(called(11, 7, "A001", 1, later(1)))
    presenter.apply_event(called(12, 8, "B001", 2, later(2)))
    presenter.apply_event(called(13, 7, "A001", 1, later(40), recall=1))
    assert voice.calls == [("A001", 1), ("B001", 2), ("A001", 1)]
    view = presenter.view()
    assert view.featured.label == "A001" and view.featured.recall_count == 1
    assert [c.label for c in view.recent] == ["B001"], "one line per ticket"


def test_a_call_replayed_after_a_resync_is_not_said_twice(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    first = called(11, 7, "A001", 1, later(1))
    presenter.apply_event(first)
    presenter.apply_event(first)  # the same event again (same seq)
    replay = dict(first, seq=12)  # the same call under a new seq (e.g. a replaying server)
    presenter.apply_event(replay)
    brief = first["ticket"]
    presenter.apply_snapshot(snapshot(12, counters=[counter(1, current=brief), counter(2), counter(3)],
                                      calls=[brief], taken_at=later(5)))
    assert voice.calls == [("A001", 1)]


def test_calls_missed_while_disconnected_are_said_after_the_resync_with_their_age(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    waiting = ticket(7, "A001", 1, "called", later(10))
    already_served = ticket(8, "B001", 2, "serving", later(5))
    presenter.stream_changed(StreamState.RECONNECTING)
    presenter.apply_snapshot(snapshot(
        15, counters=[counter(1, current=waiting), counter(2, current=already_served), counter(3)],
        calls=[waiting, already_served], taken_at=later(40)))
    presenter.stream_changed(StreamState.LIVE)
    assert voice.said == [("A001", 1, 30.0)], "only the citizen still expected at a counter is called"
    assert presenter.view().featured.label == "A001"


def test_an_old_event_is_ignored_and_an_unknown_one_asks_for_a_reload(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    assert presenter.apply_event(called(9, 7, "A001", 1, later(1))), "already in the snapshot"
    assert voice.said == [] and presenter.view().featured is None
    assert presenter.apply_event(event(11, "CounterMoved")) is False, "a type from a newer server"
    assert presenter.apply_event(event(12, "TicketIssued", ticket_brief=ticket(9, "A009", None, "waiting"),
                                       waiting={"1": 1}))
    assert next(s for s in presenter.view().services if s.code == "A").waiting == 1
    assert presenter.apply_event(event(13, "TicketRated")), "nothing the lobby shows"
    assert presenter.seq == 13


def test_a_notice_posted_by_a_manager_replaces_the_scrolling_line(presenter: LobbyPresenter) -> None:
    posted = event(11, "NoticePosted")
    posted["data"] = {"notice": "  Từ 13:30 tiếp nhận hồ sơ đất đai tại quầy 3. "}
    assert presenter.apply_event(posted)
    assert presenter.view().notice == "Từ 13:30 tiếp nhận hồ sơ đất đai tại quầy 3."
    taken_down = event(12, "NoticePosted")
    taken_down["data"] = {"notice": ""}
    presenter.apply_event(taken_down)
    assert presenter.view().notice == "", "the display then shows its own welcome line"
    assert presenter.apply_event(event(13, "NoticePosted")) is False, "no text given: read the snapshot"


def test_serving_finishing_and_no_show_update_the_counter_grid(
    presenter: LobbyPresenter, voice: RecordingAnnouncer
) -> None:
    presenter.apply_event(called(11, 7, "A001", 1, later(1)))
    serving = ticket(7, "A001", 1, "serving", later(1))
    presenter.apply_event(event(12, "TicketStarted", ticket_brief=serving, counter_brief=counter_brief(1, 7)))
    tile = presenter.view().counters[0]
    assert (tile.label, counter_state_text(tile)) == ("A001", ("Đang phục vụ", "Serving"))

    done = ticket(7, "A001", 1, "done", later(1))
    presenter.apply_event(event(13, "TicketServed", ticket_brief=done, counter_brief=counter_brief(1, None)))
    tile = presenter.view().counters[0]
    assert tile.label is None and counter_state_text(tile) == ("Sẵn sàng", "Ready")
    assert presenter.view().featured.label == "A001", "a served call stays among the recent calls"

    presenter.apply_event(called(14, 8, "A002", 1, later(2)))
    gone = ticket(8, "A002", 1, "no_show", later(2))
    presenter.apply_event(event(15, "TicketNoShow", ticket_brief=gone, counter_brief=counter_brief(1, None)))
    assert [c.label for c in (presenter.view().featured, *presenter.view().recent)] == ["A001"], \
        "as the server's snapshot does, a no-show leaves the list of calls"

    presenter.apply_event(event(16, "CounterPaused", counter_brief=counter_brief(1, None, "paused")))
    assert counter_state_text(presenter.view().counters[0]) == ("Tạm dừng", "Paused")


def test_a_counter_event_about_a_ticket_it_does_not_describe_asks_for_a_reload(
    presenter: LobbyPresenter,
) -> None:
    assert presenter.apply_event(event(11, "CounterOpened", counter_brief=counter_brief(1, 99))) is False
    assert presenter.apply_event(event(12, "CounterOpened", counter_brief=counter_brief(42, None))) is False


def test_the_featured_call_follows_the_voice_while_it_speaks(presenter: LobbyPresenter) -> None:
    presenter.apply_event(called(11, 7, "A001", 1, later(1)))
    presenter.apply_event(called(12, 8, "B001", 2, later(1.2)))
    assert presenter.view().featured.label == "B001"
    serial = presenter.view().flash_serial
    presenter.voice_started("A001", 1)
    view = presenter.view()
    assert view.featured.label == "A001" and view.speaking and view.flash_serial > serial
    assert [c.label for c in view.recent] == ["B001"]
    presenter.voice_finished("A001", 1)
    assert presenter.view().featured.label == "B001" and not presenter.view().speaking


def test_yesterdays_calls_leave_the_screen_at_midnight(presenter: LobbyPresenter, clock: list) -> None:
    presenter.apply_event(called(11, 7, "A001", 1, later(1)))
    assert presenter.view().featured is not None
    clock[0] = NOON + timedelta(hours=12)  # 00:00 in Huế the next day
    assert presenter.view().featured is None and presenter.view().recent == ()


def test_stream_sound_and_problems_are_reported_for_the_markers(voice: RecordingAnnouncer) -> None:
    changes: list[int] = []
    p = LobbyPresenter(voice, time_zone=HUE)
    p.on_change = lambda: changes.append(1)
    p.connection_problem("Mã thiết bị không hợp lệ.", "Invalid device token.")
    assert (p.view().problem_vi, p.view().problem_en) == ("Mã thiết bị không hợp lệ.", "Invalid device token.")
    p.apply_snapshot(snapshot(1))
    assert p.view().problem_vi == "", "a snapshot clears the problem"
    p.stream_changed(StreamState.RECONNECTING)
    p.sound_changed(False)
    view = p.view()
    assert view.stream is StreamState.RECONNECTING and view.sound_ok is False
    assert len(changes) == 4


def test_a_broken_voice_never_breaks_the_screen(presenter: LobbyPresenter) -> None:
    class Broken:
        def announce(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("no engine")

    presenter.announcer = Broken()
    assert presenter.apply_event(called(11, 7, "A001", 1, later(1)))
    assert presenter.view().featured.label == "A001"
