"""The role matrix: who may call which endpoint, read at a glance.

Each principal (column) calls every endpoint (row) once, in the order of the table, and
gets the status the table gives. `ANY` means the call is allowed: the status then depends
on the state of the counter or the ticket (200 or 409), but it is never 401, 403 or 5xx.
A refused call must carry an error code and a Vietnamese message, and must not change the
site (its event seq and waiting counts stay the same).
"""

from __future__ import annotations

from typing import Any

import pytest
from support import API, BIRTH_REGISTRATION, SITE_PX, SITE_TT, Api, display_headers, kiosk_headers

ANY = "any"  # allowed: 2xx or 409 depending on state, never 401/403/5xx

PRINCIPALS = ("anonymous", "kiosk HUE-TT", "display HUE-TT", "staff HUE-TT", "staff HUE-PX", "manager", "admin")
STAFF_LOGIN = {"staff HUE-TT": "canbo.tt", "staff HUE-PX": "canbo.px", "manager": "quanly", "admin": "admin"}

# Rows for the counter actions: a counter of HUE-TT, and one of HUE-PX.
#                 anon kiosk display  tt    px   mgr  admin
TT_COUNTER_READ = (401, 403, 403,     200,  403, 200, 200)
PX_COUNTER_READ = (401, 403, 403,     403,  200, 200, 200)
TT_COUNTER_ACT = (401, 403, 403,      ANY,  403, ANY, ANY)
PX_COUNTER_ACT = (401, 403, 403,      403,  ANY, ANY, ANY)
COUNTER_ACTIONS = ("open", "call-next", "recall", "start", "hold", "resume", "finish", "call", "no-show",
                   "transfer", "pause", "close")

# Placeholders: {ticket}/{token} a waiting ticket of HUE-TT, {other} a second one (to cancel),
# {tt_counter} counter 1 of HUE-TT, {px_counter} counter 1 of HUE-PX.
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                                     anon kiosk display tt   px   mgr  admin
    "GET  /sites":                                       (200, 200, 200,    200, 200, 200, 200),
    "GET  /sites/HUE-TT":                                (200, 200, 200,    200, 200, 200, 200),
    "GET  /sites/HUE-TT/services":                       (200, 200, 200,    200, 200, 200, 200),
    "GET  /fields":                                      (200, 200, 200,    200, 200, 200, 200),
    "GET  /procedures":                                  (200, 200, 200,    200, 200, 200, 200),
    f"GET  /procedures/{BIRTH_REGISTRATION}":            (200, 200, 200,    200, 200, 200, 200),
    f"GET  /procedures/{BIRTH_REGISTRATION}/nearby?site=HUE-TT": (200, 200, 200, 200, 200, 200, 200),
    "GET  /sites/HUE-TT/estimate?service_id={service_a}": (200, 200, 200,   200, 200, 200, 200),
    "GET  /public/tickets/{token}":                      (200, 200, 200,    200, 200, 200, 200),
    "GET  /auth/me":                                     (401, 403, 403,    200, 200, 200, 200),
    "GET  /sites/HUE-TT/snapshot":                       (401, 200, 200,    200, 403, 200, 200),
    "GET  /sites/HUE-PX/snapshot":                       (401, 403, 403,    403, 200, 200, 200),
    "GET  /tickets/{ticket}":                            (401, 403, 403,    200, 403, 200, 200),
    "GET  /counters/{tt_counter}":                       TT_COUNTER_READ,
    "GET  /counters/{px_counter}":                       PX_COUNTER_READ,
    **{f"POST /counters/{{tt_counter}}/{action}": TT_COUNTER_ACT for action in COUNTER_ACTIONS},
    **{f"POST /counters/{{px_counter}}/{action}": PX_COUNTER_ACT for action in COUNTER_ACTIONS},
    "POST /tickets/{other}/cancel":                      (401, 403, 403,    ANY, 403, ANY, ANY),
    "POST /tickets":                                     (401, 201, 403,    403, 403, 403, 403),
    "GET  /audit":                                       (401, 403, 403,    403, 403, 200, 200),
    "GET  /devices":                                     (401, 403, 403,    403, 403, 200, 200),
    "POST /devices/999999/revoke":                       (401, 403, 403,    403, 403, 404, 404),
}

# Sites whose state a principal may change through the rows above; every other site must
# look exactly the same after all its calls.
MAY_WRITE = {
    "anonymous": set(), "kiosk HUE-TT": {SITE_TT}, "display HUE-TT": set(), "staff HUE-TT": {SITE_TT},
    "staff HUE-PX": {SITE_PX}, "manager": {SITE_TT, SITE_PX}, "admin": {SITE_TT, SITE_PX},
}


def _bodies(ticket: dict[str, Any], other: dict[str, Any], service_f: int) -> dict[str, Any]:
    return {
        "pause": {"reason": "Nghỉ giữa giờ"},
        "call": {"ticket_id": other["id"], "reason": "Công dân cao tuổi"},
        "resume": {"ticket_id": ticket["id"]},
        "transfer": {"target": "service", "service_id": service_f},
        "cancel": {"reason": "Công dân không chờ nữa"},
        "tickets": {"procedure_code": BIRTH_REGISTRATION},
    }


def _headers(api: Api, principal: str) -> dict[str, str]:
    if principal == "anonymous":
        return {}
    if principal == "kiosk HUE-TT":
        return kiosk_headers(SITE_TT)
    if principal == "display HUE-TT":
        return display_headers(SITE_TT)
    return api.staff(STAFF_LOGIN[principal])


def _site_state(api: Api, site: str) -> tuple[int, dict[str, int]]:
    snap = api.snapshot(site)
    return snap["seq"], {q["service_code"]: q["waiting"] for q in snap["queues"]}


def _first_counter(api: Api, site: str) -> int:
    return next(c["id"] for c in api.snapshot(site)["counters"] if c["number"] == 1)


def test_the_role_matrix_lists_every_principal_for_every_endpoint() -> None:
    assert all(len(row) == len(PRINCIPALS) for row in MATRIX.values())
    assert set(MAY_WRITE) == set(PRINCIPALS)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_principal_gets_exactly_the_access_the_role_matrix_gives_it(api: Api, principal: str) -> None:
    services = {s["code"]: s["id"] for s in api.client.get(f"{API}/sites/{SITE_TT}/services").json()}
    ticket, other = api.issue(), api.issue()
    places = {
        "ticket": ticket["id"], "other": other["id"], "token": ticket["tracking_token"],
        "tt_counter": _first_counter(api, SITE_TT), "px_counter": _first_counter(api, SITE_PX),
        "service_a": services["A"],
    }
    bodies = _bodies(ticket, other, services["F"])
    headers = _headers(api, principal)
    column = PRINCIPALS.index(principal)
    before = {site: _site_state(api, site) for site in (SITE_TT, SITE_PX)}

    wrong = []
    for row, expectations in MATRIX.items():
        expected = expectations[column]
        method, path = row.split()
        path = path.format(**places)
        body = bodies.get(path.rsplit("/", 1)[-1]) if method == "POST" else None
        r = api.client.request(method, f"{API}{path}", json=body, headers=headers)
        problem = _check(r, expected)
        if problem:
            wrong.append(f"{row} as {principal}: {problem}")
    assert not wrong, "\n".join(wrong)

    for site, state in before.items():
        if site not in MAY_WRITE[principal]:
            assert _site_state(api, site) == state, f"{principal} changed {site} through refused calls"


def _check(r: Any, expected: Any) -> str | None:
    got = r.status_code
    if expected == ANY:
        if got in (401, 403) or got >= 500:
            return f"expected to be allowed, got {got} {r.text[:200]}"
        return None
    if got != expected:
        return f"expected {expected}, got {got} {r.text[:200]}"
    if got in (401, 403):
        body = r.json()
        if not body.get("code") or not str(body.get("message") or "").strip():
            return f"refusal without a code and a message: {r.text[:200]}"
        if body["code"] not in (("unauthorized", "invalid_token") if got == 401 else ("forbidden",)):
            return f"unexpected refusal code {body['code']!r}"
    return None
