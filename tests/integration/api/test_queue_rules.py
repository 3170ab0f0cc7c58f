"""Queue rules through the API with a controlled clock: the business day, the wait
estimate, and the no-show re-queue rule."""

from datetime import UTC, datetime

import pytest
from support import API, COUNTER_A, Api, FakeClock


def test_numbering_restarts_at_local_midnight_and_2359_and_0001_never_collide(api: Api, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 23:59 in Hà Nội
    late = [api.issue(), api.issue()]
    clock.now = datetime(2026, 11, 23, 17, 1, tzinfo=UTC)  # 00:01 the next day
    early = api.issue()
    assert [t["label"] for t in late] == ["A001", "A002"]
    assert early["label"] == "A001"  # a new day, a new count, and no unique-key clash
    assert early["people_ahead"] == 2  # yesterday's waiting citizens are still ahead


def test_numbering_does_not_restart_at_utc_midnight(api: Api, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 23, 23, 58, tzinfo=UTC)  # 06:58 local
    first = api.issue()
    clock.now = datetime(2026, 11, 24, 0, 2, tzinfo=UTC)  # 07:02 local, the UTC date changed
    second = api.issue()
    assert (first["label"], second["label"]) == ("A001", "A002")


def test_estimated_wait_learns_from_handling_times(api: Api, clock: FakeClock) -> None:
    api.ok(COUNTER_A, "open")
    for _ in range(3):
        api.issue()
        api.ok(COUNTER_A, "call-next")
        api.ok(COUNTER_A, "start")
        clock.advance(minutes=12)
        api.ok(COUNTER_A, "finish")
    waiting = [api.issue() for _ in range(3)]
    # A justice ticket now takes 12 minutes at the only open counter serving it (1).
    assert [t["people_ahead"] for t in waiting] == [0, 1, 2]
    assert [t["estimated_wait_minutes"] for t in waiting] == [0, 12, 24]
    # What every surface shows: the figure, rounded, never "~0 phút".
    assert [t["wait"]["text_vi"] for t in waiting] == ["Sắp đến lượt", "khoảng 10 phút", "khoảng 25 phút"]
    estimate = api.client.get(f"{API}/sites/HUE-TT/estimate", params={"service_id": 1}).json()
    assert estimate == {"site_code": "HUE-TT", "service_id": 1, "people_waiting": 3,
                        "estimated_wait_minutes": 36, "serving_counters": 1,
                        "wait": {"state": "minutes", "minutes": 35, "people_ahead": 3,
                                 "text_vi": "khoảng 35 phút", "text_en": "about 35 min"}}


class TestNoShowRequeue:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"no_show_requeue": "keep_place", "max_requeues": 1, "no_show_after_recalls": 0}

    def test_a_no_show_goes_back_keeping_its_place_once(self, api: Api, clock: FakeClock) -> None:
        first = api.issue()
        clock.advance(minutes=1)
        second = api.issue()
        api.ok(COUNTER_A, "open")
        assert api.ok(COUNTER_A, "call-next")["id"] == first["id"]
        requeued = api.ok(COUNTER_A, "no-show")
        assert requeued["status"] == "waiting"  # back in line ...
        assert api.ok(COUNTER_A, "call-next")["id"] == first["id"]  # ... ahead of the later ticket
        assert api.ok(COUNTER_A, "no-show")["status"] == "no_show"  # only once
        assert api.ok(COUNTER_A, "call-next")["id"] == second["id"]


def test_by_default_a_no_show_needs_a_recall_first_and_is_final(api: Api) -> None:
    api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    refused = api.counter(COUNTER_A, "no-show")
    assert refused.status_code == 409 and refused.json()["code"] == "recall_first"
    api.ok(COUNTER_A, "recall")
    assert api.ok(COUNTER_A, "no-show")["status"] == "no_show"
