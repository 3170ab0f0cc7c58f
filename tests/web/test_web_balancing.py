"""Load-balancing suggestions, as pure rules: when to suggest, and the figures given."""

from __future__ import annotations

from queue_server.web.balancing import ServiceLoad, SiteLoad, suggest

# HUE-TT and HUE-PX are 1.8 km apart (5 min by motorbike); HUE-PV is 10 km away.
TT, PX, PV = (16.4637, 107.5909), (16.4745, 107.5778), (16.5290, 107.6560)


def load(waiting: int, open_counters: int, closed: tuple = (), handling_minutes: float = 6.0) -> ServiceLoad:
    return ServiceLoad(1, "A", "Tư pháp", waiting, open_counters, closed, handling_minutes * 60)


def site(code: str, where: tuple, service: ServiceLoad) -> SiteLoad:
    return SiteLoad(code, code, where[0], where[1], {service.service_id: service})


def test_no_suggestion_while_every_site_is_within_target() -> None:
    assert suggest([site("TT", TT, load(4, 1)), site("PX", PX, load(0, 1))], 30) == []


def test_a_busy_site_is_told_how_many_to_send_to_a_quiet_neighbour() -> None:
    # TT: 20 waiting, 2 counters, 6 min each: 60 min. PX: 1 waiting, 1 counter: 6 min.
    [move] = suggest([site("TT", TT, load(20, 2)), site("PX", PX, load(1, 1))], 30)
    assert (move.kind, move.site_code, move.to_site_code) == ("move", "TT", "PX")
    assert move.wait_now == 60 and move.to_wait_now == 6
    assert move.travel_minutes == 4 and move.distance_km == 1.8
    # k = (60 - 6 - 4) / (3 + 6) = 5.6 -> 5: TT (20-5)*3 = 45 min, PX (1+5)*6 = 36 min (+4 travel)
    assert move.move_count == 5
    assert move.wait_after == 45 and move.to_wait_after == 36


def test_a_neighbour_without_an_open_counter_or_too_far_is_not_suggested() -> None:
    busy = site("TT", TT, load(20, 2))
    assert suggest([busy, site("PX", PX, load(0, 0))], 30) == []
    assert suggest([busy, site("PV", PV, load(0, 1))], 30, max_km=5) == []


def test_a_neighbour_that_would_not_be_clearly_sooner_is_not_suggested() -> None:
    # PX waits 48 min + 4 travel + 10 margin > 60 at TT.
    assert suggest([site("TT", TT, load(20, 2)), site("PX", PX, load(8, 1))], 30) == []


def test_a_closed_counter_set_up_for_the_service_is_suggested_first_when_it_helps_more() -> None:
    suggestions = suggest([site("TT", TT, load(20, 1, closed=((4, 14),))), site("PX", PX, load(2, 1))], 30)
    assert [s.kind for s in suggestions] == ["open_counter", "move"]
    opening = suggestions[0]
    assert (opening.counter_number, opening.counter_id) == (4, 14)
    assert opening.wait_now == 120 and opening.wait_after == 60


def test_people_waiting_where_no_counter_is_open_are_pointed_elsewhere() -> None:
    [move] = suggest([site("TT", TT, load(3, 0)), site("PX", PX, load(0, 1))], 30)
    assert move.wait_now is None and move.move_count == 3
