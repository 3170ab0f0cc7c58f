"""Counter actions: the clerk's buttons. Staff act only on counters of their own site."""

from typing import Annotated

from fastapi import APIRouter, Path

from queue_server.api.deps import CurrentStaff, Principal, WiringDep
from queue_server.bootstrap import Wiring
from queue_server.domain import commands as cmd
from queue_server.domain.errors import Forbidden, NotFound
from queue_server.service_layer import handlers, static_rows, views
from shared.protocol import (
    CallNextIn,
    CallSpecificIn,
    CounterOut,
    CounterSnapshot,
    PauseIn,
    ResumeIn,
    TicketOut,
    TransferIn,
)

router = APIRouter(prefix="/counters", tags=["counters"])
CounterId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _check_access(wiring: Wiring, me: Principal, counter_id: int) -> None:
    # A counter's site never changes: the cached catalog answers without a transaction.
    info = wiring.cache.catalog.get(("counter", counter_id), lambda: None)
    if info is None:
        with wiring.reader() as uow:
            info = static_rows.counter_info(uow, counter_id)
    site_id = info.site_id if info is not None else None
    if site_id is None:
        raise NotFound(f"Không tìm thấy quầy {counter_id}.", f"Counter {counter_id} not found.")
    if not me.may_act_on_site(site_id):
        raise Forbidden("Quầy này thuộc điểm phục vụ khác.", "This counter belongs to another site.")


async def _act(wiring: Wiring, me: Principal, counter_id: int, handler, command):  # noqa: ANN001, ANN202
    def work():  # noqa: ANN202
        _check_access(wiring, me, counter_id)
        return handler(command, wiring.uow())
    return await wiring.run(work)


async def _counter_state(wiring: Wiring, counter_id: int) -> dict:
    return (await wiring.run(views.counter_snapshot, wiring.reader(), counter_id))["counter"]


@router.get("/{counter_id}", response_model=CounterSnapshot)
async def counter_snapshot(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    def read() -> dict:
        _check_access(wiring, me, counter_id)
        return views.counter_snapshot(wiring.reader(), counter_id)
    return await wiring.run(read)


@router.post("/{counter_id}/open", response_model=CounterOut)
async def open_counter(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    await _act(wiring, me, counter_id, handlers.open_counter, cmd.OpenCounter(counter_id, me.staff.id))
    return await _counter_state(wiring, counter_id)


@router.post("/{counter_id}/pause", response_model=CounterOut)
async def pause_counter(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep, body: PauseIn | None = None) -> dict:
    reason = body.reason if body else ""
    await _act(wiring, me, counter_id, handlers.pause_counter, cmd.PauseCounter(counter_id, me.staff.id, reason))
    return await _counter_state(wiring, counter_id)


@router.post("/{counter_id}/close", response_model=CounterOut)
async def close_counter(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    await _act(wiring, me, counter_id, handlers.close_counter, cmd.CloseCounter(counter_id, me.staff.id))
    return await _counter_state(wiring, counter_id)


@router.post("/{counter_id}/call-next", response_model=TicketOut)
async def call_next(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep, body: CallNextIn | None = None) -> dict:
    finish = body.finish_current if body else False
    return await _act(wiring, me, counter_id, handlers.call_next, cmd.CallNext(counter_id, me.staff.id, finish))


@router.post("/{counter_id}/call", response_model=TicketOut)
async def call_specific(counter_id: CounterId, body: CallSpecificIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    command = cmd.CallSpecific(counter_id, me.staff.id, ticket_id=body.ticket_id, reason=body.reason)
    return await _act(wiring, me, counter_id, handlers.call_specific, command)


@router.post("/{counter_id}/recall", response_model=TicketOut)
async def recall(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    return await _act(wiring, me, counter_id, handlers.recall, cmd.Recall(counter_id, me.staff.id))


@router.post("/{counter_id}/start", response_model=TicketOut)
async def start(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    return await _act(wiring, me, counter_id, handlers.start_service, cmd.StartService(counter_id, me.staff.id))


@router.post("/{counter_id}/finish", response_model=TicketOut)
async def finish(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    return await _act(wiring, me, counter_id, handlers.finish_service, cmd.FinishService(counter_id, me.staff.id))


@router.post("/{counter_id}/no-show", response_model=TicketOut)
async def no_show(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    return await _act(wiring, me, counter_id, handlers.mark_no_show, cmd.MarkNoShow(counter_id, me.staff.id))


@router.post("/{counter_id}/hold", response_model=TicketOut)
async def hold(counter_id: CounterId, me: CurrentStaff, wiring: WiringDep) -> dict:
    return await _act(wiring, me, counter_id, handlers.hold_ticket, cmd.HoldTicket(counter_id, me.staff.id))


@router.post("/{counter_id}/resume", response_model=TicketOut)
async def resume(counter_id: CounterId, body: ResumeIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    command = cmd.ResumeTicket(counter_id, me.staff.id, ticket_id=body.ticket_id)
    return await _act(wiring, me, counter_id, handlers.resume_ticket, command)


@router.post("/{counter_id}/transfer", response_model=TicketOut)
async def transfer(counter_id: CounterId, body: TransferIn, me: CurrentStaff, wiring: WiringDep) -> dict:
    command = cmd.Transfer(counter_id, me.staff.id, target=body.target, service_id=body.service_id,
                           to_counter_id=body.counter_id, site_code=body.site_code, reason=body.reason)
    return await _act(wiring, me, counter_id, handlers.transfer, command)
