"""A commit reads what its events' wait figures need (averages, counters serving, open
desks) in one statement. It must give exactly what the three separate reads give, in every
state a site goes through: closed, one desk open and free, one busy, one paused, lines with
and without someone waiting, a line with an average and one without."""

from __future__ import annotations

from support import COUNTER_A, COUNTER_AF, COUNTER_B, Api

from queue_server.adapters import repository as repo


def _both_ways(wiring) -> list:  # noqa: ANN001
    differences = []
    with wiring.engine.connect() as conn:
        for (site_id,) in conn.exec_driver_sql("SELECT id FROM sites ORDER BY id"):
            averages, serving, (desks, waiting) = repo.site_wait_inputs(conn, site_id)
            separate = ({k: v for k, v in repo.site_handling_averages(conn, site_id).items() if v is not None},
                        repo.site_counters_serving(conn, site_id), repo.open_desks(conn, site_id))
            one = (averages, serving, (sorted(map(repr, desks)), waiting))
            three = (separate[0], separate[1], (sorted(map(repr, separate[2][0])), separate[2][1]))
            if one != three:
                differences.append((site_id, one, three))
    return differences


def test_one_read_gives_what_the_three_reads_give(api: Api, wiring) -> None:  # noqa: ANN001
    assert _both_ways(wiring) == []  # every desk closed, nobody waiting
    for _ in range(3):
        api.issue()
    api.ok(COUNTER_A, "open")
    assert _both_ways(wiring) == []  # one desk open and free, a line waiting
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "start")
    api.ok(COUNTER_B, "open")
    assert _both_ways(wiring) == []  # one busy, one free
    api.ok(COUNTER_A, "finish")  # the line gets an average
    api.ok(COUNTER_AF, "open")
    api.ok(COUNTER_AF, "pause", {"reason": "nghỉ trưa"})
    differences = _both_ways(wiring)
    with wiring.engine.connect() as conn:
        averages, serving, (desks, _) = repo.site_wait_inputs(conn, 1)
    assert differences == []
    assert averages and len(desks) == 2 and any(open_ < configured for open_, configured in serving.values())
