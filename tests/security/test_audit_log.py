"""The audit log: every staff, manager and admin action (and every login attempt) leaves
an entry with who, what, when, from where and how it ended, written with the change
itself; nobody can edit or delete it, not even with SQL; managers and admins read it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError
from support import API, COUNTER_A, SITE_PX, SITE_TT, Api, FakeClock, kiosk_headers

from queue_server.adapters import tables as t
from queue_server.app import create_app
from queue_server.seed import DEMO_PASSWORD


def _entries(api: Api, **params: str) -> list[dict]:
    r = api.client.get(f"{API}/audit", params={"limit": 500, **params}, headers=api.staff("admin"))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _px_counter(api: Api) -> int:
    return next(c["id"] for c in api.snapshot(SITE_PX)["counters"] if c["number"] == 1)


def test_counter_actions_are_logged_with_who_what_target_and_outcome(api: Api, clock: FakeClock) -> None:
    api.ok(COUNTER_A, "open")
    assert api.counter(COUNTER_A, "call-next").status_code == 409  # nobody waiting yet
    ticket = api.issue()  # a kiosk: not staff, no entry
    clock.advance(minutes=3)
    api.ok(COUNTER_A, "call-next")
    assert api.counter(_px_counter(api), "open").status_code == 403  # another site's counter

    mine = list(reversed(_entries(api, staff="canbo.tt")))
    actions = [(e["action"], e["target"], e["outcome"]) for e in mine]
    assert actions == [
        ("POST /api/v1/auth/login", "user=canbo.tt", "ok"),
        ("POST /api/v1/counters/{counter_id}/open", f"counter_id={COUNTER_A}", "ok"),
        ("POST /api/v1/counters/{counter_id}/call-next", f"counter_id={COUNTER_A}", "refused"),
        ("POST /api/v1/counters/{counter_id}/call-next", f"counter_id={COUNTER_A}", "ok"),
        ("POST /api/v1/counters/{counter_id}/open", f"counter_id={_px_counter(api)}", "refused"),
    ]
    login, opened, empty, called, foreign = mine
    assert all(e["role"] == "staff" and e["username"] == "canbo.tt" and e["staff_id"] for e in mine)
    assert all(e["address"] == "testclient" and e["site_code"] == SITE_TT for e in mine)
    assert empty["detail"] == {"status": 409, "code": "no_ticket_waiting"}
    assert foreign["detail"] == {"status": 403, "code": "forbidden"}
    assert called["detail"]["tickets"] == [ticket["label"]] and "TicketCalled" in called["detail"]["events"]
    assert called["at"].startswith(clock.now.isoformat()[:16])
    # The kiosk's ticket is in the ticket event log, not in the staff audit log.
    assert not [e for e in _entries(api) if e["action"] == "POST /api/v1/tickets"]


def test_logins_are_logged_whether_they_succeed_or_not_and_whoever_they_name(api: Api) -> None:
    for username, password in (("canbo.px", "sai-mat-khau"), ("ai-do", "doan-mo"), ("canbo.px", "motcua-demo")):
        api.client.post(f"{API}/auth/login", json={"username": username, "password": password})
    logins = [e for e in reversed(_entries(api)) if e["action"] == "POST /api/v1/auth/login"
              and e["username"] in ("canbo.px", "ai-do")]
    assert [(e["username"], e["outcome"], (e["detail"] or {}).get("code")) for e in logins] == [
        ("canbo.px", "refused", "bad_credentials"), ("ai-do", "refused", "bad_credentials"), ("canbo.px", "ok", None)]
    assert logins[0]["staff_id"] == logins[2]["staff_id"] is not None  # a real account: logged against it
    assert logins[1]["staff_id"] is None


def test_an_entry_and_its_change_commit_together(api: Api, wiring) -> None:  # noqa: ANN001
    """A refused action changes nothing and leaves exactly one `refused` entry: never an
    `ok` entry for a change that was rolled back."""
    api.ok(COUNTER_A, "open")
    with wiring.reader() as uow:
        before = uow.conn.execute(select(func.count()).select_from(t.audit_log)).scalar_one()
    assert api.counter(COUNTER_A, "start").status_code == 409  # no ticket at the counter
    with wiring.reader() as uow:
        rows = uow.conn.execute(select(t.audit_log).order_by(t.audit_log.c.id)).all()
    assert len(rows) == before + 1 and rows[-1].outcome == "refused"


def test_the_log_cannot_be_edited_or_deleted_even_with_sql(api: Api, wiring) -> None:  # noqa: ANN001
    api.ok(COUNTER_A, "open")
    for statement in (update(t.audit_log).values(username="someone-else"), delete(t.audit_log)):
        with wiring.engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(statement)
    if wiring.engine.dialect.name == "postgresql":
        with wiring.engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("TRUNCATE audit_log"))
    assert [e["username"] for e in _entries(api, staff="canbo.tt")] == ["canbo.tt", "canbo.tt"]


def test_the_api_offers_no_way_to_change_the_log(api: Api) -> None:
    admin = api.staff("admin")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        r = api.client.request(method, f"{API}/audit", headers=admin)
        assert r.status_code == 405, (method, r.status_code)
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {p: set(ops) for p, ops in paths.items() if "audit" in p} == {"/api/v1/audit": {"get"}}


def test_who_may_read_the_log_and_what_they_see(api: Api, wiring) -> None:  # noqa: ANN001
    from queue_server.domain.account_commands import CreateStaff
    from queue_server.service_layer import accounts
    from shared.enums import Role

    api.ok(COUNTER_A, "open")
    api.ok(_px_counter(api), "open", user="canbo.px")
    accounts.create_staff(CreateStaff("quanly.px", "Quản lý Phú Xuân", DEMO_PASSWORD, Role.MANAGER, SITE_PX),
                          wiring.uow())

    assert api.client.get(f"{API}/audit", headers=api.staff("canbo.tt")).status_code == 403
    assert api.client.get(f"{API}/audit", headers=kiosk_headers()).status_code == 403
    province = api.client.get(f"{API}/audit", headers=api.staff("quanly")).json()["items"]
    assert {e["site_code"] for e in province if e["username"].startswith("canbo")} == {SITE_TT, SITE_PX}
    local = api.client.get(f"{API}/audit", headers=api.staff("quanly.px"))
    assert local.status_code == 200
    assert {e["site_code"] for e in local.json()["items"]} == {SITE_PX}
    assert api.client.get(f"{API}/audit", params={"site_code": SITE_TT},
                          headers=api.staff("quanly.px")).status_code == 403


def test_the_log_filters_by_local_day_and_staff(api: Api, clock: FakeClock) -> None:
    api.ok(COUNTER_A, "open")
    clock.advance(days=1)
    api.token.__self__._tokens.clear()  # log in again on the next day
    api.ok(COUNTER_A, "close")
    first_day, next_day = "2026-11-23", "2026-11-24"  # the FakeClock starts Monday 23 Nov, 09:00 in Việt Nam
    assert [e["action"].rsplit("/", 1)[-1] for e in _entries(api, day=first_day, staff="canbo.tt")] == ["open", "login"]
    assert [e["action"].rsplit("/", 1)[-1] for e in _entries(api, day=next_day, staff="canbo.tt")] == ["close", "login"]
    staff_id = _entries(api, staff="canbo.tt")[0]["staff_id"]
    assert len(_entries(api, staff=str(staff_id))) == 4
    assert _entries(api, staff="nobody") == []
    r = api.client.get(f"{API}/audit", params={"day": "23/11/2026"}, headers=api.staff("admin"))
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


@pytest.fixture
def settings_overrides() -> dict:
    return {"trusted_proxies": ["10.0.0.5"]}


def test_the_address_comes_from_x_forwarded_for_only_through_a_trusted_proxy(wiring) -> None:  # noqa: ANN001
    app = create_app(wiring)
    body = {"username": "canbo.tt", "password": "motcua-demo"}
    forged = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    with TestClient(app, client=("10.0.0.5", 4000)) as proxied, TestClient(app, client=("192.0.2.44", 4000)) as direct:
        assert proxied.post(f"{API}/auth/login", json=body, headers=forged).status_code == 200
        assert direct.post(f"{API}/auth/login", json=body, headers=forged).status_code == 200
        admin = Api(direct)
        addresses = [e["address"] for e in direct.get(f"{API}/audit", params={"staff": "canbo.tt"},
                                                      headers=admin.staff("admin")).json()["items"]]
    # Through the proxy: the address the proxy saw (the rightmost untrusted hop), never what
    # the client wrote further left; directly: the peer, whatever the header says.
    assert addresses == ["192.0.2.44", "198.51.100.7"]


def test_login_throttling_per_address_uses_the_real_client_behind_the_proxy(wiring) -> None:  # noqa: ANN001
    wiring.settings.login_failures_per_address = 2
    app = create_app(wiring)
    with TestClient(app, client=("10.0.0.5", 4000)) as proxied:
        def attempt(client_ip: str, user: str) -> int:
            return proxied.post(f"{API}/auth/login", json={"username": user, "password": "sai"},
                                headers={"X-Forwarded-For": client_ip}).status_code
        assert [attempt("198.51.100.7", u) for u in ("a1", "a2", "a3")] == [401, 401, 429]
        assert attempt("198.51.100.8", "a4") == 401  # another citizen behind the same proxy is not locked out


def test_command_line_account_changes_are_logged_too(wiring, monkeypatch) -> None:  # noqa: ANN001
    from queue_server import cli

    monkeypatch.setattr(cli, "_wiring", lambda: wiring)  # the test's database (and no second engine left open)
    assert cli.user_command(["add", "canbo.moi", "--name", "Trần Mới", "--site", SITE_TT,
                             "--password", "mat-khau-dai"]) == 0
    with wiring.reader() as uow:
        row = uow.conn.execute(select(t.audit_log).order_by(t.audit_log.c.id.desc())).first()
    assert row.action == "CLI motcua user add" and row.username.startswith("cli:") and row.outcome == "ok"
    assert "user=canbo.moi" in row.target and row.address == "local"


def test_staff_reads_of_a_citizens_dossier_are_logged_too(api: Api) -> None:
    api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    api.ok(COUNTER_A, "start")
    body = {"applicant": {"name": "Nguyễn Thị Hường", "id_kind": "citizen_id", "id_number": "046186012345",
                          "phone": "0912 345 678", "address": "12 Lê Lợi, Huế"},
            "documents": [{"name": "Tờ khai đăng ký khai sinh", "copies": 1, "form": "original"}], "notes": ""}
    r = api.client.post(f"{API}/counters/{COUNTER_A}/dossiers", json=body, headers=api.staff())
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert api.client.get(f"{API}/dossiers/{code}", headers=api.staff()).status_code == 200
    assert api.client.get(f"{API}/dossiers/{code}", headers=api.staff("canbo.px")).status_code == 403
    assert api.client.get(f"{API}/dossiers", headers=api.staff()).status_code == 200  # a list: not logged
    reads = [(e["username"], e["target"], e["outcome"]) for e in reversed(_entries(api))
             if e["action"] == "GET /api/v1/dossiers/{code}"]
    assert reads == [("canbo.tt", f"code={code}", "ok"), ("canbo.px", f"code={code}", "refused")]
    received = [e for e in _entries(api) if e["action"] == "POST /api/v1/counters/{counter_id}/dossiers"]
    assert len(received) == 1 and received[0]["outcome"] == "ok"
