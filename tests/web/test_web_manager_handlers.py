"""Manager actions (service_layer/manager.py) on SQLite and PostgreSQL: moving waiting
tickets between sites, counter services, opening and closing, notices; each one logged with
the manager who did it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import COUNTER_A, COUNTER_AF, SITE_PX, SITE_TT, Api

from queue_server.adapters import tables as t
from queue_server.domain.errors import Conflict, Invalid
from queue_server.service_layer import manager as m

SERVICE_A, SERVICE_B, SERVICE_C = 1, 2, 3


def _staff_id(wiring, username: str) -> int:  # noqa: ANN001
    with wiring.reader() as uow:
        return uow.conn.execute(select(t.staff.c.id).where(t.staff.c.username == username)).scalar_one()


def _ticket(wiring, ticket_id: int):  # noqa: ANN001, ANN202
    with wiring.reader() as uow:
        return uow.conn.execute(select(t.tickets).where(t.tickets.c.id == ticket_id)).one()


def _events(wiring, type_: str) -> list:  # noqa: ANN001
    with wiring.reader() as uow:
        e = t.ticket_events.c
        return uow.conn.execute(select(t.ticket_events).where(e.type == type_).order_by(e.id)).all()


def _site_id(wiring, code: str) -> int:  # noqa: ANN001
    with wiring.reader() as uow:
        return uow.conn.execute(select(t.sites.c.id).where(t.sites.c.code == code)).scalar_one()


def test_moved_tickets_get_new_labels_and_a_place_from_when_they_can_get_there(api: Api, wiring, clock) -> None:  # noqa: ANN001
    issued = []
    for _ in range(3):
        issued.append(api.issue())
        clock.advance(minutes=1)
    walk_in = api.issue(site=SITE_PX)  # HUE-PX already has A001 today, from someone standing there
    boss = _staff_id(wiring, "quanly")

    result = m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, boss, service_id=SERVICE_A), wiring.uow())

    assert [(x["old_label"], x["label"]) for x in result.moved] == [("A001", "A002"), ("A002", "A003"), ("A003", "A004")]
    assert result.skipped == []
    px = _site_id(wiring, SITE_PX)
    trip = timedelta(minutes=4)  # 1.8 km across Huế
    for before in issued:
        after = _ticket(wiring, before["id"])
        assert after.site_id == px and after.status == "waiting" and after.transfer_count == 1
        assert after.arrived_at == clock.now + trip
    moved = _events(wiring, "TicketTransferred")
    assert len(moved) == 6  # one on each site per ticket: both sites' displays hear of it
    assert {e.staff_id for e in moved} == {boss}
    assert {(e.data["old_label"], e.data["to_site_code"], e.data["by"]) for e in moved} == {
        ("A001", SITE_PX, "manager"), ("A002", SITE_PX, "manager"), ("A003", SITE_PX, "manager")}
    assert api.snapshot(SITE_TT)["queues"][0]["waiting"] == 0
    # The walk-in already there goes first; the moved tickets follow in their old order.
    api.ok(10, "open", user="canbo.px")
    calls = []
    for _ in range(4):
        calls.append(api.ok(10, "call-next", user="canbo.px")["label"])
        api.ok(10, "start", user="canbo.px")
        api.ok(10, "finish", user="canbo.px")
    assert calls == [walk_in["label"], "A002", "A003", "A004"]


def test_moving_selected_tickets_leaves_one_called_meanwhile(api: Api, wiring) -> None:  # noqa: ANN001
    first, second = api.issue(), api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")  # the first is called before the manager presses "move"

    result = m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, _staff_id(wiring, "quanly"),
                                          ticket_ids=(first["id"], second["id"])), wiring.uow())

    assert [x["old_label"] for x in result.moved] == [second["label"]]
    assert result.skipped == [first["label"]]
    assert _ticket(wiring, first["id"]).status == "called"


def test_moving_a_number_of_tickets_moves_the_back_of_the_line(api: Api, wiring, clock) -> None:  # noqa: ANN001
    labels = []
    for _ in range(4):
        labels.append(api.issue()["label"])
        clock.advance(minutes=1)

    result = m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, _staff_id(wiring, "quanly"), service_id=SERVICE_A,
                                          count=2), wiring.uow())

    assert [x["old_label"] for x in result.moved] == labels[2:]
    assert api.snapshot(SITE_TT)["queues"][0]["waiting"] == 2


def test_a_move_the_target_cannot_take_changes_nothing(api: Api, wiring) -> None:  # noqa: ANN001
    ticket = api.issue(procedure=None, service_id=SERVICE_C)  # agriculture: HUE-PX does not offer it
    with pytest.raises(Conflict) as refused:
        m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, _staff_id(wiring, "quanly"), service_id=SERVICE_C),
                       wiring.uow())
    assert refused.value.code == "service_not_offered"
    assert _ticket(wiring, ticket["id"]).label == ticket["label"]
    assert _events(wiring, "TicketTransferred") == []


def test_moving_needs_something_to_move(wiring) -> None:  # noqa: ANN001
    boss = _staff_id(wiring, "quanly")
    with pytest.raises(Invalid):
        m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, boss), wiring.uow())
    with pytest.raises(Conflict) as nothing:
        m.move_tickets(m.MoveTickets(SITE_TT, SITE_PX, boss, service_id=SERVICE_A), wiring.uow())
    assert nothing.value.code == "nothing_to_move"


def test_a_counter_given_another_service_calls_it(api: Api, wiring) -> None:  # noqa: ANN001
    land = api.issue(procedure=None, service_id=SERVICE_B)
    boss = _staff_id(wiring, "quanly")
    m.set_counter_services(m.SetCounterServices(COUNTER_A, boss, {SERVICE_A: 1, SERVICE_B: 3}), wiring.uow())
    api.ok(COUNTER_A, "open")
    assert api.ok(COUNTER_A, "call-next")["label"] == land["label"]
    [changed] = _events(wiring, "CounterServicesChanged")
    assert changed.staff_id == boss and changed.counter_id == COUNTER_A
    help_line = changed.data["before"][1]  # counter 1 also takes the help line (Không rõ thủ tục)
    assert help_line["service_code"] == "H"
    assert changed.data["before"] == [{"service_id": SERVICE_A, "service_code": "A", "weight": 2}, help_line]
    assert changed.data["services"] == [{"service_id": SERVICE_A, "service_code": "A", "weight": 1},
                                        {"service_id": SERVICE_B, "service_code": "B", "weight": 3}]


@pytest.mark.parametrize("weights", [{}, {1: 0}, {1: 10}])
def test_counter_services_refuse_empty_or_out_of_range_weights(wiring, weights: dict) -> None:  # noqa: ANN001
    with pytest.raises(Invalid):
        m.set_counter_services(m.SetCounterServices(COUNTER_A, 1, weights), wiring.uow())


def test_counter_services_refuse_a_service_the_site_does_not_offer(wiring) -> None:  # noqa: ANN001
    px_counter = 10  # HUE-PX counter 1; HUE-PX does not offer C
    with pytest.raises(Conflict):
        m.set_counter_services(m.SetCounterServices(px_counter, _staff_id(wiring, "quanly"), {SERVICE_C: 1}),
                               wiring.uow())


def test_manager_opens_a_counter_without_taking_the_clerks_place(api: Api, wiring) -> None:  # noqa: ANN001
    api.ok(COUNTER_AF, "open")  # the clerk opens it: the counter is theirs
    api.ok(COUNTER_AF, "pause", {"reason": "nghỉ trưa"})
    boss = _staff_id(wiring, "quanly")
    m.set_counter_open(m.SetCounterOpen(COUNTER_AF, boss, True), wiring.uow())
    staff_view = api.client.get(f"/api/v1/sites/{SITE_TT}/snapshot", headers=api.staff()).json()
    counter = staff_view["counters"][1]  # staff see the clerk's name; the lobby display does not
    assert counter["state"] == "open" and counter["staff_name"] == "Nguyễn Văn An"
    opened = _events(wiring, "CounterOpened")[-1]
    assert opened.staff_id == boss and opened.data == {"by": "manager"}


def test_manager_cannot_close_a_counter_in_the_middle_of_a_ticket(api: Api, wiring) -> None:  # noqa: ANN001
    api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    with pytest.raises(Conflict) as busy:
        m.set_counter_open(m.SetCounterOpen(COUNTER_A, _staff_id(wiring, "quanly"), False), wiring.uow())
    assert busy.value.code == "counter_busy"


def test_a_notice_reaches_the_site_snapshot_and_the_log(api: Api, wiring) -> None:  # noqa: ANN001
    boss = _staff_id(wiring, "quanly")
    text = m.post_notice(m.PostNotice(SITE_TT, boss, "  Quầy 3   tạm nghỉ\nđến 14:00 "), wiring.uow())
    assert text == "Quầy 3 tạm nghỉ đến 14:00"
    assert api.snapshot()["site"]["notice"] == text
    [posted] = _events(wiring, "NoticePosted")
    assert posted.staff_id == boss and posted.data == {"notice": text}
    m.post_notice(m.PostNotice(SITE_TT, boss, ""), wiring.uow())
    assert api.snapshot()["site"]["notice"] == ""
    with pytest.raises(Invalid):
        m.post_notice(m.PostNotice(SITE_TT, boss, "x" * 501), wiring.uow())
