"""The ordering policy on generated lines: its sort_key picks what the plain reference of the
rules picks, and its declared heads (what the database and the simulator read instead of
the whole line) always contain that ticket. The database side: tests/integration/ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, target
from ordering_lines import Line, Waiting, depth, lines, reference_next

from queue_server.domain.ordering import Candidate, CounterView, choose, line_heads
from shared.enums import PriorityClass as P

START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
COUNTER = 7


def _heads_in_memory(line: Line, waiting: list[Candidate]) -> list[Candidate]:
    """What claim_candidates reads, over tickets in memory: the policy's heads of each served
    line (tickets not sent to a particular counter), and every ticket sent to this counter."""
    out = [c for c in waiting if c.targeted]
    for service in line.weights:
        ordered = sorted((c for c in waiting if c.service_id == service and not c.targeted),
                         key=lambda c: (c.arrived_at, c.ticket_id))
        buckets: dict[int, list[Candidate]] = {}
        for c in ordered:
            buckets.setdefault(c.rank, []).append(c)
        out += line_heads(line.make_policy().heads, buckets)
    return out


def _play(line: Line) -> tuple[list[int], int]:
    """Call until the clock steps run out; at every call the three choices agree. Returns
    the tickets called and how deep in its line the deepest choice was buried."""
    policy = line.make_policy()
    view = CounterView(COUNTER, line.weights)
    waiting = [w.candidate(i + 1, w.service, START) for i, w in enumerate(line.tickets) if line.visible(w)]
    now, called, deepest = START, [], 0
    for step in line.clock_steps:
        now += timedelta(minutes=step)
        expected = reference_next(line.policy, waiting, line.weights, now, timedelta(minutes=line.max_wait),
                                  timedelta(minutes=line.grace))
        over_all = choose(policy, waiting, view, now)
        over_heads = choose(policy, _heads_in_memory(line, waiting), view, now)
        deepest = max(deepest, depth(expected, waiting))
        assert over_all == expected, f"sort_key disagrees with the rules at {now:%H:%M}"
        assert over_heads == expected, f"the heads miss the policy's choice at {now:%H:%M}"
        if expected is None:
            break
        waiting.remove(expected)
        called.append(expected.ticket_id)
    return called, deepest


@settings(max_examples=300, deadline=None)
@given(lines(policies=("default", "fifo")))
def test_the_policy_follows_its_rules_and_its_heads_always_hold_its_choice(line: Line) -> None:
    target(_play(line)[1], label="choice buried in its line")  # seek the lines that hide it best


def test_the_field_report_line_in_memory() -> None:
    """A walk-in, six appointments checked in 25 minutes early, then an elderly citizen."""
    tickets = (Waiting(0, P.NORMAL, 3, None, None), *[Waiting(0, P.APPOINTMENT, 2, 25, None)] * 6,
               Waiting(0, P.ELDERLY, 1, None, None))
    line = Line(tickets, {0: 1}, (0, 1, 1), "default", 60, 0)
    assert _play(line)[0] == [8, 1, 2]
