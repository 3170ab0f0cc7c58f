"""The role matrix of every endpoint after the counter, read at a glance: agencies (data),
forwarding, the agency's inbox and steps, the forms, the tracking book, the control room,
stopping a dossier (form 05).

Each principal calls every endpoint once, in the table's order. `ANY`: allowed (2xx, or
409 when an earlier row changed the state); never 401, 403 or 5xx. A refusal carries a code
and a Vietnamese message.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from support import API, Api, kiosk_headers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dossiers"))
from dossier_helpers import receive, serve_one, set_legal_time  # noqa: E402

ANY = "any"
PRINCIPALS = ("anonymous", "kiosk HUE-TT", "staff HUE-TT", "staff HUE-PX", "processor (ward)",
              "processor (justice)", "manager", "admin")
LOGIN = {"staff HUE-TT": "canbo.tt", "staff HUE-PX": "canbo.px", "processor (ward)": "thuanhoa.canbo",
         "processor (justice)": "stp.canbo", "manager": "quanly", "admin": "admin"}
MANAGERS = (401, 403, 403, 403, 403, 403, 200, 200)
ADMIN_ONLY = (401, 403, 403, 403, 403, 403, 403, 200)
PROCESSORS = (401, 403, 403, 403, 200, 200, 403, 403)
WARD_ONLY = (401, 403, 403, 403, 200, 403, 403, 403)
TT_READERS = (401, 403, 200, 403, 200, 403, 200, 200)  # a ward dossier received at HUE-TT
PERIOD = "from=2026-11-01&to=2026-11-30"

MATRIX: dict[str, tuple[Any, ...]] = {
    #                                                           anon kiosk tt   px   ward stp  mgr  admin
    "GET  /agencies":                                          (401, 403, 200, 200, 200, 200, 200, 200),
    "GET  /agencies/mapping?site_code=HUE-TT":                 MANAGERS,
    "POST /agencies":                                          (401, 403, 403, 403, 403, 403, 403, 201),
    "PUT  /agencies/STP":                                      ADMIN_ONLY,
    "PUT  /procedures/1.004837/agency":                        ADMIN_ONLY,
    "POST /dossiers/{received}/forward":                       (401, 403, ANY, 403, 403, 403, ANY, ANY),
    "POST /dossiers/forward-due":                              (401, 403, 200, 200, 403, 403, 200, 200),
    "GET  /agency/inbox":                                      PROCESSORS,
    "GET  /agency/officers":                                   PROCESSORS,
    "GET  /agency/dossiers/{forwarded}":                       WARD_ONLY,
    "GET  /agency/dossiers/{forwarded}/files/999999":          (401, 403, 403, 403, 404, 403, 403, 403),
    "POST /agency/dossiers/{forwarded}/steps":                 (401, 403, 403, 403, ANY, 403, 403, 403),
    "POST /agency/dossiers/{forwarded}/result":                (401, 403, 403, 403, 409, 403, 403, 403),
    "GET  /dossiers/{forwarded}/control-slip.pdf":             TT_READERS,
    "GET  /dossiers/{forwarded}/refusal.pdf":                  (401, 403, 409, 403, 409, 403, 409, 409),
    "GET  /dossiers/{forwarded}/apology.pdf":                  (401, 403, 409, 403, 409, 403, 409, 409),
    f"GET  /tracking-book.pdf?{PERIOD}":                       (401, 403, 200, 200, 200, 200, 422, 422),
    f"GET  /tracking-book.xlsx?{PERIOD}&site_code=HUE-TT":     (401, 403, 200, 403, 403, 403, 200, 200),
    f"GET  /tracking-book.pdf?{PERIOD}&agency_code=STP":       (401, 403, 403, 403, 403, 200, 200, 200),
    "GET  /control-room":                                      MANAGERS,
    "GET  /control-room?month=2026-11":                        MANAGERS,
    "GET  /control-room/due":                                  MANAGERS,
    "GET  /control-room/dossiers?agency_code=STP":             MANAGERS,
    "POST /control-room/notices":                              MANAGERS,
    # A processor belongs to no site: the one-stop endpoints are not theirs.
    "GET  /dossiers":                                          (401, 403, 200, 200, 403, 403, 200, 200),
    "GET  /dossiers/{forwarded}":                              (401, 403, 200, 403, 403, 403, 200, 200),
    "POST /dossiers/{forwarded}/transitions":                  (401, 403, 422, 403, 403, 403, 422, 422),
    "GET  /auth/me":                                           (401, 403, 200, 200, 200, 200, 200, 200),
    # Form 05 (last: it closes the dossiers). The receiving site's clerk, the agency holding
    # it and managers may stop one; an agency may not stop what is still at the center.
    "POST /dossiers/{forwarded}/stop":                         (401, 403, ANY, 403, ANY, 403, ANY, ANY),
    "GET  /dossiers/{forwarded}/stop-notice.pdf":              TT_READERS,
    "POST /dossiers/{received}/stop":                          (401, 403, ANY, 403, 409, 403, ANY, ANY),
    "GET  /dossiers/{received}/stop-notice.pdf":               (401, 403, 200, 403, 409, 403, 200, 200),
}


def _bodies(principal: str) -> dict[str, Any]:
    code = "TEST-" + principal.split()[0].upper()
    return {
        "POST /agencies": {"code": code, "name_vi": "Cơ quan thử nghiệm", "kind": "department"},
        "PUT  /agencies/STP": {"code": "STP", "name_vi": "Sở Tư pháp thành phố Huế", "kind": "department",
                               "catalog_terms": ["Sở Tư pháp"]},
        "PUT  /procedures/1.004837/agency": {"agency_code": None},
        "POST /dossiers/{received}/forward": {},
        "POST /dossiers/forward-due": {},
        "POST /agency/dossiers/{forwarded}/steps": {"step": "assign", "assignee": "thuanhoa.canbo"},
        "POST /agency/dossiers/{forwarded}/result": {},
        "POST /dossiers/{forwarded}/transitions": {"action": "accept"},
        "POST /dossiers/{forwarded}/stop": {"ground": "withdrawn", "reason": "Công dân rút hồ sơ"},
        "POST /dossiers/{received}/stop": {"ground": "withdrawn", "reason": "Công dân rút hồ sơ"},
    }


def _headers(api: Api, principal: str) -> dict[str, str]:
    if principal == "anonymous":
        return {}
    if principal == "kiosk HUE-TT":
        return kiosk_headers()
    return api.staff(LOGIN[principal])


def test_every_row_lists_every_principal() -> None:
    assert all(len(row) == len(PRINCIPALS) for row in MATRIX.values())


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_principal_gets_exactly_what_the_matrix_says(api: Api, wiring, principal: str) -> None:
    set_legal_time(wiring, 3, "Ngày làm việc", code="1.004837")
    serve_one(api)
    forwarded = receive(api, procedure_code="1.004837")["code"]
    r = api.client.post(f"{API}/dossiers/{forwarded}/forward", json={}, headers=api.staff())
    assert r.status_code == 200, r.text
    serve_one(api)
    received = receive(api, procedure_code="1.004837")["code"]
    places = {"forwarded": forwarded, "received": received}
    headers = _headers(api, principal)
    column = PRINCIPALS.index(principal)
    bodies = _bodies(principal)
    wrong = []
    for row, expectations in MATRIX.items():
        expected = expectations[column]
        method, path = row.split()
        body = bodies.get(row) if method in ("POST", "PUT") else None
        got = api.client.request(method, f"{API}{path.format(**places)}", json=body, headers=headers)
        problem = _check(got, expected)
        if problem:
            wrong.append(f"{row} as {principal}: {problem}")
    assert not wrong, "\n".join(wrong)


def _check(r: Any, expected: Any) -> str | None:
    got = r.status_code
    if expected == ANY:
        return f"expected to be allowed, got {got} {r.text[:200]}" if got in (401, 403) or got >= 500 else None
    if got != expected:
        return f"expected {expected}, got {got} {r.text[:200]}"
    if got >= 400:
        body = r.json()
        if not body.get("code") or not str(body.get("message") or "").strip():
            return f"refusal without a code and a message: {r.text[:200]}"
    return None
