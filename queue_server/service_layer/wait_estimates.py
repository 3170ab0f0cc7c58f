"""The one wait figure of the server: for a line (what a ticket taken now would wait) and
for a ticket (what it still waits). Every API answer, page, display feed and printed
ticket takes its figure from `wait_figure` here, so they never disagree."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection

from queue_server.adapters import repository as repo
from queue_server.domain.estimation import Desk, DeskShare, WaitEstimate, desk_share, estimate_line
from shared.enums import FINAL_STATUSES, TicketStatus
from shared.wait_words import WaitFigure, WaitShown, WaitState, figure_from


def wait_figure(estimate: WaitEstimate | None, open_counters: int,
                status: str = TicketStatus.WAITING.value) -> WaitFigure:
    """THE figure, from the model's estimate (`estimate_line`). A line's figure is the one
    a ticket issued now would get (everyone waiting is ahead of it); a ticket's counts the
    people called before it. While no counter serving the line is open nobody can say
    ("Chưa có quầy mở", never "next in line"); under a few minutes "Sắp đến lượt"."""
    if status != TicketStatus.WAITING.value or estimate is None:
        state = WaitState.OVER if status in _FINAL else WaitState.CALLED
        return WaitFigure(state=state)
    return figure_from(estimate.minutes, any_counter_open=open_counters > 0, people_ahead=estimate.people_ahead)


_FINAL = {s.value for s in FINAL_STATUSES}


def wait_out(figure: WaitFigure) -> dict[str, Any]:
    """The `wait` object of the API: {state, minutes, people_ahead, text_vi, text_en}."""
    return WaitShown.of(figure).model_dump(mode="json")


class SiteDesks:
    """The open desks of a site, read on the first estimate that needs them (none is
    needed while every desk is closed) and shared by the estimates of all its lines."""

    def __init__(self, conn: Connection | None, site_id: int, *,
                 read: Callable[[int], tuple[list[Desk], set[int]]] | None = None) -> None:
        """`read` (site id -> open desks, lines with someone waiting) instead of `conn`:
        a unit of work's counters repository (`uow.counters.open_desks`)."""
        self._reader = read if read is not None else (lambda site_id: repo.open_desks(conn, site_id))
        self._site_id = site_id
        self._read: tuple[list[Desk], set[int]] | None = None

    def share(self, service_id: int, open_counters: int) -> DeskShare | None:
        if open_counters <= 0:
            return None
        if self._read is None:
            self._read = self._reader(self._site_id)
        desks, waiting = self._read
        return desk_share(service_id, desks, waiting)

    def estimate(self, service_id: int, people_ahead: int, handling_seconds: float | None,
                 open_counters: int, configured_counters: int) -> tuple[WaitEstimate, WaitFigure]:
        """The model's raw estimate (for comparing sites) and the figure every surface shows."""
        estimate = estimate_line(people_ahead, handling_seconds, open_counters, configured_counters,
                                 self.share(service_id, open_counters))
        return estimate, wait_figure(estimate, open_counters)


class LineWaits:
    """The `wait` of some lines of a site, given their waiting counts: what the events of a
    commit carry so displays and kiosks keep the figure right between snapshots.

    Read in two steps so that nothing is read while the commit holds its site's row (see
    UnitOfWork._number_events): `LineWaits(conn, site_id)` reads the averages, the
    counters serving and the open desks in one statement, before the waiting counts are
    known; `of(counts)` then works the figures out with no database."""

    def __init__(self, conn: Connection, site_id: int) -> None:
        self._averages, self._serving, desks = repo.site_wait_inputs(conn, site_id)
        self._desks = SiteDesks(None, site_id, read=lambda _site_id: desks)

    def estimate(self, service_id: int, waiting: int) -> tuple[WaitEstimate, WaitFigure]:
        """The line's raw estimate and its figure, with `waiting` people in it."""
        open_count, configured = self._serving.get(service_id, (0, 0))
        return self._desks.estimate(service_id, waiting, self._averages.get(service_id), open_count, configured)

    def of(self, waiting: Mapping[int, int]) -> dict[int, dict[str, Any]]:
        return {service_id: wait_out(self.estimate(service_id, count)[1]) for service_id, count in waiting.items()}
