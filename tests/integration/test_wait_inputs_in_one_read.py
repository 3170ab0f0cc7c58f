"""A commit reads what its events' wait figures need (averages, counters serving, open
desks) in one statement. It must give exactly what three separate reads give, in every
state a site goes through: closed, one desk open and free, one busy, one paused, lines with
and without someone waiting, a line with an average and one without."""

from __future__ import annotations

from sqlalchemy import func, select
from support import COUNTER_A, COUNTER_AF, COUNTER_B, Api

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from shared.enums import CounterState


def _averages(conn, site_id: int) -> dict[int, float]:  # noqa: ANN001
    """The reference: the lines' handling averages, read on their own."""
    stats = t.service_stats.c
    return {sid: avg for sid, avg in conn.execute(select(stats.service_id, stats.avg_handling_seconds)
                                                  .where(stats.site_id == site_id)) if avg is not None}


def _serving(conn, site_id: int) -> dict[int, tuple[int, int]]:  # noqa: ANN001
    """The reference: per line, (open counters, configured counters), counted by the database."""
    cs, c = t.counter_services.c, t.counters.c
    out: dict[int, list[int]] = {}
    for service_id, state, n in conn.execute(
            select(cs.service_id, c.state, func.count()).select_from(t.counters.join(t.counter_services,
                                                                                     cs.counter_id == c.id))
            .where(c.site_id == site_id).group_by(cs.service_id, c.state)):
        pair = out.setdefault(service_id, [0, 0])
        pair[1] += n
        if state == CounterState.OPEN.value:
            pair[0] += n
    return {sid: (pair[0], pair[1]) for sid, pair in out.items()}


def _both_ways(wiring) -> list:  # noqa: ANN001
    differences = []
    with wiring.engine.connect() as conn:
        for (site_id,) in conn.exec_driver_sql("SELECT id FROM sites ORDER BY id"):
            averages, serving, (desks, waiting) = repo.site_wait_inputs(conn, site_id)
            separate = (_averages(conn, site_id), _serving(conn, site_id), repo.open_desks(conn, site_id))
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
