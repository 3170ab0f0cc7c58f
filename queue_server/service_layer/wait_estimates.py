"""Wait estimates for the lines of one site, reading its open desks at most once."""

from __future__ import annotations

from sqlalchemy import Connection

from queue_server.adapters import repository as repo
from queue_server.domain.estimation import Desk, WaitEstimate, desk_share, estimate_line


class SiteDesks:
    """The open desks of a site, read on the first estimate that needs them (none is
    needed while every desk is closed) and shared by the estimates of all its lines."""

    def __init__(self, conn: Connection, site_id: int) -> None:
        self._conn = conn
        self._site_id = site_id
        self._read: tuple[list[Desk], set[int]] | None = None

    def estimate(self, service_id: int, people_ahead: int, handling_seconds: float | None,
                 open_counters: int, configured_counters: int) -> WaitEstimate:
        share = None
        if open_counters > 0:
            if self._read is None:
                self._read = repo.open_desks(self._conn, self._site_id)
            desks, waiting = self._read
            share = desk_share(service_id, desks, waiting)
        return estimate_line(people_ahead, handling_seconds, open_counters, configured_counters, share)
