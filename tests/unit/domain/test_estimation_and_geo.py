from queue_server.domain.estimation import DEFAULT_HANDLING_SECONDS, estimate_wait, updated_average
from queue_server.domain.geo import distance_km, sooner_elsewhere, travel_minutes


def test_wait_is_people_ahead_shared_among_counters() -> None:
    assert estimate_wait(10, 300.0, 2).minutes == 25
    assert estimate_wait(0, 300.0, 2).minutes == 0
    assert estimate_wait(4, None, 1).minutes == round(4 * DEFAULT_HANDLING_SECONDS / 60)


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
