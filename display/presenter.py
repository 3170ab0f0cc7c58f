"""What the lobby display shows and says, as a pure-Python state machine (no Kivy).

The presenter is fed the site snapshot and the stream's events (both from
`shared.client.LiveSite`), the stream state and the voice queue's reports; it keeps the
lobby's picture (calls, counters, waiting lines) and decides which calls to announce.

Rules that keep a lobby from missing or doubling a call:
- A call is identified by (ticket id, called_at). A recall gets a new called_at, so it is
  a new call and is announced again; the same call seen twice (an event replayed after a
  resync, or a snapshot that already holds it) is announced once.
- The first snapshot after start-up announces nothing: those calls were said by the time
  the display (re)started. A later snapshot (a resync after the stream was lost) announces
  the calls it has not seen yet whose ticket still waits at its counter (status "called"),
  with their real age, so the voice queue drops one that is too old.
- Events older than the state shown (seq <= snapshot seq) are ignored; an event the
  presenter does not understand asks for a snapshot reload instead of guessing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from shared.client import StreamState
from shared.enums import CounterState, EventType, TicketStatus
from shared.lobby_layout import COUNTER_READY
from shared.protocol import SiteSnapshot

log = logging.getLogger(__name__)

# Calls the server drops from `recent_calls` once their ticket leaves the counter this way;
# the presenter does the same so a live picture and a resynced one never differ.
_LEAVES_RECENT_CALLS = frozenset({
    EventType.TICKET_NO_SHOW, EventType.TICKET_TRANSFERRED, EventType.TICKET_REQUEUED,
    EventType.TICKET_CANCELLED,
})
_CALL_EVENTS = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})
# Events whose whole effect on the lobby is in their `ticket`, `counter` and `waiting`
# parts. Any other type (a new one, or one with side effects the brief parts do not show,
# like a counter's services changing) is answered with a snapshot reload.
_UNDERSTOOD = frozenset({
    EventType.TICKET_ISSUED, EventType.TICKET_CALLED, EventType.TICKET_RECALLED, EventType.TICKET_STARTED,
    EventType.TICKET_SERVED, EventType.TICKET_NO_SHOW, EventType.TICKET_REQUEUED,
    EventType.TICKET_TRANSFERRED, EventType.TICKET_HELD, EventType.TICKET_RESUMED, EventType.TICKET_CANCELLED,
    EventType.TICKET_PRINT_FAILED, EventType.COUNTER_OPENED, EventType.COUNTER_PAUSED,
    EventType.COUNTER_CLOSED,
})
# Happen at a site but change nothing the lobby shows (plain strings: the display must
# also run against a server older or newer than its own copy of EventType).
_NOT_SHOWN = frozenset({"DossierReceived", "DossierStatusChanged", "DossierFilesAttached", "DossierFeePaid",
                        "TicketRated"})
_NOTICE_POSTED = "NoticePosted"
_MAX_CALLS_KEPT = 50
_MAX_KEYS_KEPT = 2000


class Announcer(Protocol):
    """The voice: queue one call to be said (after those already queued)."""

    def announce(self, label: str, counter_number: int, *, age_seconds: float = 0.0) -> None: ...


CallKey = tuple[int, datetime]


@dataclass(frozen=True)
class Call:
    ticket_id: int
    label: str
    counter_number: int
    called_at: datetime  # aware, UTC
    recall_count: int = 0

    @property
    def key(self) -> CallKey:
        return (self.ticket_id, self.called_at)


@dataclass(frozen=True)
class CounterTile:
    counter_id: int
    number: int
    name: str
    state: str  # CounterState value
    ticket_id: int | None = None
    label: str | None = None
    ticket_status: str | None = None  # TicketStatus value
    services: tuple[tuple[str, int], ...] = ()  # (service code, weight) it calls from


@dataclass(frozen=True)
class ServiceLine:
    service_id: int
    code: str
    name_vi: str
    name_en: str
    waiting: int
    estimated_wait_minutes: int | None = None
    wait: Mapping[str, Any] | None = None  # the server's wait figure, when the snapshot has one


@dataclass(frozen=True)
class LobbyView:
    """Everything the screen needs, in one immutable value."""

    ready: bool
    site_name_vi: str
    site_name_en: str
    notice: str
    featured: Call | None
    speaking: bool  # the featured call is being said right now
    flash_serial: int  # changes whenever the featured call should flash
    recent: tuple[Call, ...]
    counters: tuple[CounterTile, ...]
    services: tuple[ServiceLine, ...]
    stream: StreamState
    sound_ok: bool | None
    problem_vi: str
    problem_en: str


class LobbyPresenter:
    def __init__(
        self,
        announcer: Announcer,
        *,
        time_zone: tzinfo,
        recent_limit: int = 6,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.announcer = announcer
        self.time_zone = time_zone
        self.recent_limit = recent_limit
        self.now = now
        self.on_change: Callable[[], None] = lambda: None
        self.seq = -1
        self.site_name_vi = self.site_name_en = self.notice = ""
        self.site_id: int | None = None
        self.counters: dict[int, CounterTile] = {}
        self.services: dict[int, ServiceLine] = {}
        self.calls: list[Call] = []  # newest first, one per ticket
        self.seen: dict[CallKey, None] = {}  # insertion-ordered set, pruned from the oldest
        self.speaking: CallKey | None = None
        self.flash_serial = 0
        self.stream = StreamState.CONNECTING
        self.sound_ok: bool | None = None
        self.problem_vi = self.problem_en = ""
        self.snapshots = 0

    # ---- inputs from the stream ----------------------------------------------------------
    def apply_snapshot(self, snapshot: SiteSnapshot) -> None:
        first = self.snapshots == 0
        self.snapshots += 1
        self.seq = snapshot.seq
        self.site_id = snapshot.site.id
        self.site_name_vi, self.site_name_en = snapshot.site.name_vi, snapshot.site.name_en
        self.notice = snapshot.site.notice.strip()
        self.problem_vi = self.problem_en = ""
        self.counters = {}
        for c in snapshot.counters:
            ticket = c.current_ticket
            self.counters[c.id] = CounterTile(
                counter_id=c.id, number=c.number, name=c.name, state=c.state.value,
                ticket_id=ticket.id if ticket else None, label=ticket.label if ticket else None,
                ticket_status=ticket.status.value if ticket else None,
                services=tuple((s.service_code, s.weight) for s in c.services),
            )
        self.services = {
            q.service_id: ServiceLine(q.service_id, q.service_code, q.service_name_vi, q.service_name_en,
                                      q.waiting, q.estimated_wait_minutes, _wait_figure(q))
            for q in snapshot.queues
        }
        calls = [
            Call(r.ticket_id, r.label, r.counter_number, _utc(r.called_at), r.recall_count)
            for r in snapshot.recent_calls
        ]
        waiting_at_counter = {
            (tile.ticket_id, tile.number)
            for tile in self.counters.values()
            if tile.ticket_status == TicketStatus.CALLED.value
        }
        taken_at = _utc(snapshot.taken_at)
        missed = [
            call for call in calls
            if call.key not in self.seen and (call.ticket_id, call.counter_number) in waiting_at_counter
        ]
        self.calls = sorted(calls, key=lambda c: c.called_at, reverse=True)
        for call in calls:
            self._mark_seen(call.key)
        if missed and not first:
            # Said oldest first, as they happened; the queue drops the ones too old to matter.
            for call in sorted(missed, key=lambda c: c.called_at):
                log.info("call %s to counter %s found on resync", call.label, call.counter_number)
                self._announce(call, age_seconds=max(0.0, (taken_at - call.called_at).total_seconds()))
            self.flash_serial += 1
        self._changed()

    def apply_event(self, event: Mapping[str, Any]) -> bool:
        """Apply one stream event; False means "not understood: reload the snapshot"."""
        if self.site_id is None:
            return False
        if event.get("site_id") not in (None, self.site_id):
            return True
        seq = event.get("seq", -1)
        if seq <= self.seq:
            return True  # already part of the picture shown
        kind = event.get("type")
        if kind == _NOTICE_POSTED and isinstance((event.get("data") or {}).get("notice"), str):
            self.seq = seq
            self.notice = event["data"]["notice"].strip()
            self._changed()
            return True
        if kind in _NOT_SHOWN:
            self.seq = seq
            return True
        if kind not in _UNDERSTOOD:
            log.info("event type %r not understood by this display: reloading", kind)
            return False
        self.seq = seq
        understood = True
        for service_id, count in (event.get("waiting") or {}).items():
            line = self.services.get(int(service_id))
            if line is not None:
                self.services[line.service_id] = replace(line, waiting=int(count))
        ticket = event.get("ticket")
        if event.get("counter"):
            understood = self._update_counter(event["counter"], ticket)
        if kind in _CALL_EVENTS and ticket and ticket.get("called_at"):
            self._register_call(ticket)
        elif kind in _LEAVES_RECENT_CALLS and ticket:
            self.calls = [c for c in self.calls if c.ticket_id != ticket["id"]]
        self._changed()
        return understood

    def stream_changed(self, state: StreamState) -> None:
        if state is not self.stream:
            self.stream = state
            self._changed()

    def connection_problem(self, message_vi: str, message_en: str) -> None:
        """Why the display has nothing to show yet (wrong token or site, server down)."""
        self.problem_vi, self.problem_en = message_vi, message_en
        self._changed()

    # ---- inputs from the voice ------------------------------------------------------------
    def voice_started(self, label: str, counter_number: int | str) -> None:
        call = self._find_call(label, counter_number)
        self.speaking = call.key if call else None
        if call:
            self.flash_serial += 1
        self._changed()

    def voice_finished(self, label: str, counter_number: int | str) -> None:
        call = self._find_call(label, counter_number)
        if call is None or call.key == self.speaking:
            self.speaking = None
            self._changed()

    def sound_changed(self, available: bool) -> None:
        self.sound_ok = available
        self._changed()

    # ---- output ---------------------------------------------------------------------------
    def view(self) -> LobbyView:
        today = self.now().astimezone(self.time_zone).date()
        # Yesterday's calls are no news to this morning's lobby.
        calls = [c for c in self.calls if c.called_at.astimezone(self.time_zone).date() == today]
        spoken = next((c for c in calls if c.key == self.speaking), None)
        featured = spoken or (calls[0] if calls else None)
        recent = tuple(c for c in calls if featured is None or c.key != featured.key)[: self.recent_limit]
        return LobbyView(
            ready=self.snapshots > 0,
            site_name_vi=self.site_name_vi,
            site_name_en=self.site_name_en,
            notice=self.notice,
            featured=featured,
            speaking=spoken is not None,
            flash_serial=self.flash_serial,
            recent=recent,
            counters=tuple(sorted(self.counters.values(), key=lambda t: t.number)),
            services=tuple(sorted(self.services.values(), key=lambda s: s.code)),
            stream=self.stream,
            sound_ok=self.sound_ok,
            problem_vi=self.problem_vi,
            problem_en=self.problem_en,
        )

    # ---- internals ------------------------------------------------------------------------
    def _update_counter(self, brief: Mapping[str, Any], ticket: Mapping[str, Any] | None) -> bool:
        tile = self.counters.get(brief["id"])
        if tile is None:
            return False  # a counter added since the snapshot
        current = brief.get("current_ticket_id")
        if current is None:
            self.counters[tile.counter_id] = replace(
                tile, state=brief.get("state", tile.state), ticket_id=None, label=None, ticket_status=None)
            return True
        if ticket is not None and ticket.get("id") == current:
            self.counters[tile.counter_id] = replace(
                tile, state=brief.get("state", tile.state), ticket_id=current, label=ticket["label"],
                ticket_status=ticket.get("status"))
            return True
        self.counters[tile.counter_id] = replace(tile, state=brief.get("state", tile.state))
        # A ticket at the counter this event does not describe: only a snapshot knows its label.
        return current == tile.ticket_id

    def _register_call(self, ticket: Mapping[str, Any]) -> None:
        counter_number = ticket.get("counter_number")
        if counter_number is None:
            return
        call = Call(ticket["id"], ticket["label"], int(counter_number), _utc(ticket["called_at"]),
                    int(ticket.get("recall_count") or 0))
        self.calls = [call] + [c for c in self.calls if c.ticket_id != call.ticket_id]
        del self.calls[_MAX_CALLS_KEPT:]
        if call.key in self.seen:
            log.info("call %s to counter %s already announced", call.label, call.counter_number)
            return
        self._mark_seen(call.key)
        self._announce(call, age_seconds=0.0)
        self.flash_serial += 1

    def _announce(self, call: Call, *, age_seconds: float) -> None:
        try:
            self.announcer.announce(call.label, call.counter_number, age_seconds=age_seconds)
        except Exception:
            # The screen must keep working even when the voice is broken.
            log.exception("could not queue the call %s for speech", call.label)

    def _mark_seen(self, key: CallKey) -> None:
        self.seen[key] = None
        while len(self.seen) > _MAX_KEYS_KEPT:
            del self.seen[next(iter(self.seen))]

    def _find_call(self, label: str, counter_number: int | str) -> Call | None:
        return next(
            (c for c in self.calls if c.label == label and str(c.counter_number) == str(counter_number)),
            None,
        )

    def _changed(self) -> None:
        try:
            self.on_change()
        except Exception:
            log.exception("display refresh failed")


def _wait_figure(queue: object) -> Mapping[str, Any] | None:
    """The snapshot's own wait figure of a line ({state, minutes, text_vi, text_en}), if the
    server sends one (shared/lobby_layout.line_wait falls back to the estimate's words)."""
    wait = getattr(queue, "wait", None) or (getattr(queue, "model_extra", None) or {}).get("wait")
    if wait is None:
        return None
    return wait.model_dump() if hasattr(wait, "model_dump") else dict(wait)


def _utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    # The server sends aware UTC times; a naive one (older server, SQLite) is UTC too.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def counter_state_text(tile: CounterTile) -> tuple[str, str]:
    """(Vietnamese, English) words under a counter's number on the screen."""
    if tile.state == CounterState.CLOSED.value:
        return "Đóng", "Closed"
    if tile.state == CounterState.PAUSED.value:
        return "Tạm dừng", "Paused"
    if tile.label is None:
        return COUNTER_READY.vi, COUNTER_READY.en
    if tile.ticket_status == TicketStatus.CALLED.value:
        return "Mời vào", "Please come"
    if tile.ticket_status == TicketStatus.SERVING.value:
        return "Đang phục vụ", "Serving"
    return "", ""


def services_total(lines: Iterable[ServiceLine]) -> int:
    return sum(line.waiting for line in lines)
