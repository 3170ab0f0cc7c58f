from queue_server.domain.estimation import (
    DEFAULT_HANDLING_SECONDS,
    Desk,
    DeskShare,
    desk_share,
    estimate_line,
    estimate_wait,
    updated_average,
)
from queue_server.domain.geo import distance_km, sooner_elsewhere, travel_minutes


def test_wait_is_the_people_ahead_and_those_at_the_desks_shared_among_counters() -> None:
    # 10 ahead + the citizens being served (one handling time shared by the 2 desks) = 11 turns.
    assert estimate_wait(10, 300.0, 2).minutes == round(11 * 5 / 2)
    assert estimate_wait(0, 300.0, 2).minutes == round(5 / 2)  # both desks busy: wait for one
    assert estimate_wait(4, None, 1).minutes == round(5 * DEFAULT_HANDLING_SECONDS / 60)


def test_a_free_desk_calls_at_once() -> None:
    free = DeskShare(idle=1, preferred=2.0)
    assert estimate_wait(0, 300.0, 2, free).minutes == 0
    # One goes to the free desk now; the next waits for either desk: 5 minutes shared by 2.
    assert estimate_wait(1, 300.0, 2, free).minutes == round(5 / 2)
    two_free = DeskShare(idle=2, preferred=2.0)
    assert estimate_wait(1, 300.0, 2, two_free).minutes == 0


def test_a_shared_desk_that_prefers_another_busy_line_counts_for_less() -> None:
    a, r = 1, 7
    desks = [Desk(idle=False, weights={a: 2}), Desk(idle=False, weights={r: 2, a: 1})]
    nobody_for_r = desk_share(a, desks, waiting_services={a})
    someone_for_r = desk_share(a, desks, waiting_services={a, r})
    assert nobody_for_r == DeskShare(idle=0, preferred=2.0)
    assert someone_for_r == DeskShare(idle=0, preferred=1.0)
    assert estimate_wait(5, 600.0, 2, someone_for_r).minutes == 6 * 10 / 1
    assert estimate_wait(5, 600.0, 2, nobody_for_r).minutes == 6 * 10 / 2


def test_tied_weights_share_a_desk_and_at_least_half_the_desks_always_count() -> None:
    a, b = 1, 2
    tied = [Desk(idle=True, weights={a: 1, b: 1})]
    assert desk_share(a, tied, {a, b}) == DeskShare(idle=1, preferred=0.5)
    elsewhere = [Desk(idle=False, weights={b: 2, a: 1})] * 4
    share = desk_share(a, elsewhere, {a, b})
    assert share.preferred == 0
    assert estimate_wait(3, 600.0, 4, share).minutes == 4 * 10 / 2  # 2 of the 4 desks, not 0


def test_before_any_desk_opens_the_configured_desks_count_as_busy() -> None:
    assert estimate_line(2, 600.0, 0, 3, None).minutes == 10
    assert estimate_line(2, 600.0, 3, 3, DeskShare(idle=3, preferred=3.0)).minutes == 0


def test_no_counter_serving_means_no_estimate_rather_than_a_wrong_one() -> None:
    assert estimate_wait(3, 300.0, 0).minutes is None


def test_moving_average_follows_recent_handling_times() -> None:
    avg = updated_average(None, 0, 600)
    assert avg == 600
    avg = updated_average(avg, 1, 300)
    assert avg == 450  # the second sample is averaged plainly
    for n in range(2, 40):
        avg = updated_average(avg, n, 300)
    assert 300 <= avg < 310


def test_distance_between_hue_center_and_a_branch_is_about_two_km() -> None:
    assert 1.5 < distance_km(16.4637, 107.5909, 16.4745, 107.5778) < 2.2
    assert distance_km(16.0, 107.0, 16.0, 107.0) == 0
    assert travel_minutes(25) == 60


def test_suggest_another_site_only_when_clearly_sooner() -> None:
    assert sooner_elsewhere(here_wait=60, there_wait=10, travel=10, margin=10)
    assert not sooner_elsewhere(here_wait=25, there_wait=10, travel=10, margin=10)
    assert not sooner_elsewhere(here_wait=60, there_wait=None, travel=1)
    assert sooner_elsewhere(here_wait=None, there_wait=5, travel=5)
