"""Overdue and due-tomorrow notices: the officer holding each dossier and every head of its
agency are told once a day per kind, through the notifier (the log by default), and the
inbox shows the same lists."""

from __future__ import annotations

import logging

from agency_helpers import HEAD, OFFICER, at, forward, inbox, step
from dossier_helpers import receive, serve_one, set_legal_time
from support import API, Api

from queue_server.domain.dossier_commands import SendNotices
from queue_server.service_layer.dossier_alerts import (
    LogNotifier,
    Notice,
    make_notifier,
    send_notices,
)


class Recorder:
    channel = "test"

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.sent.append(notice)


def test_officers_and_heads_are_told_once_a_day(api: Api, wiring, clock, caplog) -> None:  # noqa: ANN001
    set_legal_time(wiring, 2, "Ngày làm việc")
    at(api, clock, 2026, 3, 9, 9, 0)  # Monday: both due Wednesday 11 March
    serve_one(api)
    late = receive(api)["code"]
    serve_one(api)
    soon = receive(api)["code"]
    for code in (late, soon):
        forward(api, code)
    step(api, late, "accept")  # held by the officer; `soon` waits, unassigned, with the agency
    at(api, clock, 2026, 3, 10, 8, 0)  # Tuesday: both due the next working day
    recorder = Recorder()
    out = send_notices(SendNotices(recorder), wiring.uow())
    told = {(n.username, n.kind): set(n.codes) for n in recorder.sent}
    assert told == {(OFFICER, "due_tomorrow"): {late}, (HEAD, "due_tomorrow"): {late, soon}}
    assert out["sent"] == 2 and out["recipients"] == sorted([HEAD, OFFICER])
    # A second run the same day tells nobody again.
    again = send_notices(SendNotices(recorder), wiring.uow())
    assert again["sent"] == 0 and again["already_sent"] == 2 and len(recorder.sent) == 2

    at(api, clock, 2026, 3, 12, 8, 0)  # Thursday: both overdue; the inbox banner says so too
    caplog.set_level(logging.INFO, logger="motcua.notices")
    r = api.client.post(f"{API}/control-room/notices", headers=api.staff("quanly"))
    assert r.status_code == 200 and r.json()["sent"] == 2
    assert any("thuanhoa.lanhdao" in m and "2 hồ sơ quá hạn" in m for m in caplog.messages)
    assert isinstance(make_notifier("log"), LogNotifier)
    box = inbox(api, user=HEAD, view="overdue")
    assert {d["code"] for d in box["items"]} == {late, soon} and box["counts"]["overdue"] == 2
    mine = inbox(api, user=OFFICER, view="mine")
    assert [d["code"] for d in mine["items"]] == [late]
