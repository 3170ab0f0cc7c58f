"""Bad input never breaks the server: every mistake is a 4xx with an error code and a
Vietnamese message a person can act on, and a refused write leaves the site unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_helpers import QuickLoginApi, assert_refused, site_state
from sqlalchemy import select
from support import (
    API,
    BIRTH_REGISTRATION,
    COUNTER_A,
    SITE_PX,
    SITE_TT,
    Api,
    FakeClock,
    display_headers,
    kiosk_headers,
)

from queue_server.adapters import tables as t
from queue_server.domain.account_commands import RevokeDevice
from queue_server.service_layer.accounts import revoke_device

SITE_PV = "HUE-PV"  # commune point: services A, B, F, R only
BUILDING_PERMIT_LICENCE = "1.013217"  # construction (service E): not received at a commune point
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def api(client: Any, wiring: Any) -> Api:
    return QuickLoginApi(client, wiring)


def post_raw(api: Api, path: str, content: Any, headers: dict[str, str]) -> httpx.Response:
    return api.client.post(f"{API}{path}", content=content, headers={**JSON, **headers})


# ---- malformed bodies ----------------------------------------------------------------------
def test_malformed_json_bodies_are_refused_as_invalid_input_and_issue_nothing(api: Api) -> None:
    before = site_state(api)
    for raw in (b"{not json", b'{"procedure_code": "1.001193"', b"", b"null", b"[1, 2]", b'"1.001193"', b"42"):
        assert_refused(post_raw(api, "/tickets", raw, kiosk_headers()), 422, "invalid_input")
    r = api.client.post(f"{API}/tickets", content=b'{"procedure_code": "1.001193"}',
                        headers={**kiosk_headers(), "Content-Type": "text/plain"})
    assert_refused(r, 422, "invalid_input")
    assert_refused(post_raw(api, f"/counters/{COUNTER_A}/call-next", b"{bad", api.staff()), 422, "invalid_input")
    assert site_state(api) == before


def test_bodies_the_json_parser_chokes_on_are_refused_as_invalid_input_in_vietnamese(api: Api) -> None:
    before = site_state(api)
    for raw in (
        b"[" * 100_000 + b"]" * 100_000,  # nested deeper than the parser's recursion limit
        b'{"procedure_code": "1.00\xff1193"}',  # not UTF-8
        b'{"service_id": 1' + b"0" * 5000 + b"}",  # a number literal too long to convert
    ):
        assert_refused(post_raw(api, "/tickets", raw, kiosk_headers()), (400, 422), "invalid_input")
    assert site_state(api) == before


def test_wrong_types_and_unknown_enum_values_are_refused_naming_the_field(api: Api) -> None:
    before = site_state(api)
    cases = [
        ("/tickets", kiosk_headers(), {"service_id": "abc"}, "service_id"),
        ("/tickets", kiosk_headers(), {"service_id": 1.5}, "service_id"),
        ("/tickets", kiosk_headers(), {"procedure_code": 1001193}, "procedure_code"),
        ("/tickets", kiosk_headers(), {"procedure_code": BIRTH_REGISTRATION, "priority": "vip"}, "priority"),
        (f"/counters/{COUNTER_A}/call-next", api.staff(), {"finish_current": "maybe"}, "finish_current"),
        (f"/counters/{COUNTER_A}/call", api.staff(), {"ticket_id": "first"}, "ticket_id"),
        (f"/counters/{COUNTER_A}/transfer", api.staff(), {"target": "moon"}, "target"),
        (f"/counters/{COUNTER_A}/pause", api.staff(), {"reason": ["lunch"]}, "reason"),
        ("/auth/login", {}, {"username": "canbo.tt", "password": 12345678}, "password"),
    ]
    for path, headers, body, field in cases:
        r = api.client.post(f"{API}{path}", json=body, headers=headers)
        refused = assert_refused(r, 422, "invalid_input")
        assert any(field in e["loc"] for e in refused["errors"]), (path, body, refused)
    assert site_state(api) == before


def test_unknown_fields_are_refused_because_a_typo_must_not_be_silently_ignored(api: Api) -> None:
    before = site_state(api)
    cases = [
        ("/tickets", kiosk_headers(), {"procedure_code": BIRTH_REGISTRATION, "priorty": "elderly"}, "priorty"),
        ("/auth/login", {}, {"username": "canbo.tt", "password": "motcua-demo", "remember": True}, "remember"),
        (f"/counters/{COUNTER_A}/pause", api.staff(), {"reason": "", "minutes": 15}, "minutes"),
        (f"/counters/{COUNTER_A}/call-next", api.staff(), {"finish": True}, "finish"),
        (f"/counters/{COUNTER_A}/transfer", api.staff(), {"target": "service", "service": 2}, "service"),
    ]
    for path, headers, body, field in cases:
        refused = assert_refused(api.client.post(f"{API}{path}", json=body, headers=headers), 422, "invalid_input")
        assert any(e["type"] == "extra_forbidden" and field in e["loc"] for e in refused["errors"]), refused
    assert site_state(api) == before


# ---- sizes ---------------------------------------------------------------------------------
def test_overlong_strings_are_refused_and_not_echoed_back(api: Api) -> None:
    before = site_state(api)
    huge = "1." + "9" * 10_000
    requests = [
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": huge}),
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": BIRTH_REGISTRATION, "site_code": "X" * 41}),
        ("POST", f"/counters/{COUNTER_A}/pause", api.staff(), {"reason": "x" * 201}),
        ("POST", "/auth/login", {}, {"username": "u" * 10_000, "password": "motcua-demo"}),
        ("GET", "/procedures?q=" + "khai sinh " * 30, {}, None),
        ("GET", "/procedures?site=" + "X" * 41, {}, None),
    ]
    for method, path, headers, body in requests:
        r = api.client.request(method, f"{API}{path}", json=body, headers=headers)
        assert_refused(r, 422, "invalid_input")
        assert len(r.content) < 2_000, "the refusal echoes the huge input back"
    assert site_state(api) == before


def test_overlong_codes_in_paths_are_refused_without_echoing_them_back(api: Api) -> None:
    huge = "9" * 10_000
    for path in (f"/procedures/{huge}", f"/procedures/{huge}/nearby?site={SITE_TT}", f"/sites/{huge}",
                 f"/sites/{huge}/services", f"/sites/{huge}/estimate?service_id=1"):
        r = api.client.get(f"{API}{path}")
        assert_refused(r, (404, 422), ("not_found", "invalid_input"))
        assert len(r.content) < 2_000, f"GET {path[:40]}…: a {len(r.content)}-byte reply echoes the input back"


def test_a_body_over_one_megabyte_is_refused_as_too_large_and_issues_nothing(api: Api) -> None:
    before = site_state(api)
    padded = b'{"procedure_code": "1.001193"' + b" " * 1_100_000 + b"}"  # valid JSON, only too big
    assert_refused(post_raw(api, "/tickets", padded, kiosk_headers()), 413, "too_large")
    r = api.client.post(f"{API}/tickets", content=b"{}", headers={**kiosk_headers(), **JSON, "Content-Length": "1e9"})
    assert_refused(r, 413, "too_large")
    assert site_state(api) == before


def test_a_chunked_body_over_one_megabyte_is_refused_as_too_large_too(api: Api) -> None:
    """Without a Content-Length header (chunked upload) the limit must hold all the same."""

    def chunks() -> Iterator[bytes]:  # valid JSON, only too big
        yield b'{"procedure_code": "1.001193"'
        for _ in range(1_200):
            yield b" " * 1_000
        yield b"}"

    before = site_state(api)
    r = api.client.post(f"{API}/tickets", content=chunks(), headers={**kiosk_headers(), **JSON})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    # Refused either way: counted while it streams in (413), or for not declaring its size (411).
    assert_refused(r, (411, 413), ("length_required", "too_large"))
    assert site_state(api) == before


# ---- ids and codes -------------------------------------------------------------------------
def test_impossible_ids_in_paths_are_refused_as_invalid_input(api: Api) -> None:
    staff = api.staff()
    before = site_state(api)
    for bad_id in ("0", "-1", "2147483648", "99999999999999999999", "abc", "1.5", "1e3"):
        for method, path in (("GET", f"/tickets/{bad_id}"), ("POST", f"/tickets/{bad_id}/cancel"),
                             ("GET", f"/counters/{bad_id}"), ("POST", f"/counters/{bad_id}/open"),
                             ("POST", f"/counters/{bad_id}/call-next")):
            body = {"reason": ""} if path.endswith("cancel") else None
            r = api.client.request(method, f"{API}{path}", json=body, headers=staff)
            assert_refused(r, 422, "invalid_input")
    assert site_state(api) == before


def test_impossible_ids_in_bodies_and_queries_are_refused_never_a_server_error(lenient: Api) -> None:
    api = lenient
    staff = api.staff()
    ticket = api.issue()
    api.ok(COUNTER_A, "open")
    before = site_state(api)
    wrong = []
    for too_big in (2**31, 2**63, 2**70):
        cases = [
            ("POST", "/tickets", kiosk_headers(), {"service_id": too_big}),
            ("POST", f"/counters/{COUNTER_A}/call", staff, {"ticket_id": too_big}),
            ("POST", f"/counters/{COUNTER_A}/resume", staff, {"ticket_id": too_big}),
            ("GET", f"/procedures?field_id={too_big}", {}, None),
        ]
        for method, path, headers, body in cases:
            r = api.client.request(method, f"{API}{path}", json=body, headers=headers)
            if path.startswith("/procedures") and r.status_code == 200:
                assert r.json()["total"] == 0  # a filter matching nothing is a fine answer too
            elif r.status_code not in (404, 422):
                wrong.append(f"{method} {path} {body}: {r.status_code} {r.text[:100]}")
            else:
                assert_refused(r, (404, 422), ("not_found", "invalid_input"))
    assert site_state(api) == before

    api.ok(COUNTER_A, "call-next")
    before = site_state(api)
    for body in ({"target": "service", "service_id": 2**31}, {"target": "service", "service_id": 2**63},
                 {"target": "counter", "counter_id": 2**31}, {"target": "counter", "counter_id": 2**63}):
        r = api.counter(COUNTER_A, "transfer", body)
        if r.status_code not in (404, 422):
            wrong.append(f"POST /counters/{COUNTER_A}/transfer {body}: {r.status_code} {r.text[:100]}")
    assert not wrong, "\n".join(wrong)
    assert site_state(api) == before
    assert api.client.get(f"{API}/tickets/{ticket['id']}", headers=staff).json()["status"] == "called"


def test_unknown_ids_and_codes_answer_not_found_with_a_message(api: Api) -> None:
    staff = api.staff()
    before = site_state(api)
    cases = [
        ("GET", "/tickets/999999", staff, None),
        ("POST", "/tickets/999999/cancel", staff, {"reason": ""}),
        ("GET", "/counters/999999", staff, None),
        ("POST", "/counters/999999/open", staff, None),
        ("POST", "/counters/999999/call-next", staff, None),
        ("GET", "/sites/HUE-XX", {}, None),
        ("GET", "/sites/HUE-XX/services", {}, None),
        ("GET", "/sites/HUE-XX/estimate?service_id=1", {}, None),
        ("GET", "/sites/HUE-XX/snapshot", staff, None),
        ("GET", "/sites/HUE-TT/estimate?service_id=999999", {}, None),
        ("GET", "/fields?site=HUE-XX", {}, None),
        ("GET", "/procedures?site=HUE-XX", {}, None),
        ("GET", "/procedures/9.999999", {}, None),
        ("GET", "/procedures/9.999999/nearby?site=HUE-TT", {}, None),
        ("GET", f"/procedures/{BIRTH_REGISTRATION}/nearby?site=HUE-XX", {}, None),
        ("GET", "/public/tickets/AAAAAAAAAAAAAAAAAAAAAAAA", {}, None),
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": "9.999999"}),
        ("POST", "/tickets", kiosk_headers(), {"service_id": 999999}),
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": BIRTH_REGISTRATION, "site_code": "HUE-XX"}),
    ]
    for method, path, headers, body in cases:
        assert_refused(api.client.request(method, f"{API}{path}", json=body, headers=headers), 404, "not_found")
    api.ok(COUNTER_A, "open")
    for action, body in (("call", {"ticket_id": 999999}), ("resume", {"ticket_id": 999999})):
        assert_refused(api.counter(COUNTER_A, action, body), 404, "not_found")
    assert site_state(api)[1] == before[1]


def test_a_procedure_the_commune_point_does_not_receive_is_refused_with_procedure_not_offered(api: Api) -> None:
    before = site_state(api, SITE_PV)
    r = api.client.post(f"{API}/tickets", json={"procedure_code": BUILDING_PERMIT_LICENCE},
                        headers=kiosk_headers(SITE_PV))
    body = assert_refused(r, 409, "procedure_not_offered")
    assert "Phú Vinh" in body["message"]
    # Asked from the city center's kiosk on the citizen's behalf: the same answer.
    r = api.client.post(f"{API}/tickets", json={"procedure_code": BUILDING_PERMIT_LICENCE, "site_code": SITE_PV},
                        headers=kiosk_headers(SITE_TT))
    assert_refused(r, 409, "procedure_not_offered")
    services = {s["code"]: s["id"] for s in api.client.get(f"{API}/sites/{SITE_TT}/services").json()}
    r = api.client.post(f"{API}/tickets", json={"service_id": services["E"]}, headers=kiosk_headers(SITE_PV))
    assert_refused(r, 409, "service_not_offered")
    assert site_state(api, SITE_PV) == before
    # The center does receive it.
    assert api.issue(BUILDING_PERMIT_LICENCE)["service_code"] == "E"


def test_transfer_without_its_target_is_refused_naming_what_is_missing(api: Api) -> None:
    api.issue()
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "call-next")
    before = site_state(api)
    for body in ({"target": "service"}, {"target": "counter"}, {"target": "site"}):
        refused = assert_refused(api.counter(COUNTER_A, "transfer", body), 422, "invalid_input")
        assert "None" not in refused["message"], f"the message does not say what is missing: {refused['message']}"
    assert site_state(api) == before


def test_nul_characters_never_cause_a_server_error_and_are_never_stored(lenient: Api) -> None:
    """PostgreSQL cannot store NUL in text and SQLite can: refusing it up front keeps both alike."""
    api = lenient
    staff = api.staff()
    api.ok(COUNTER_A, "open")
    before = site_state(api)
    cases = [
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": "1.001193\x00"}),
        ("POST", "/tickets", kiosk_headers(), {"procedure_code": BIRTH_REGISTRATION, "site_code": "HUE-TT\x00"}),
        ("POST", f"/counters/{COUNTER_A}/pause", staff, {"reason": "nghỉ\x00trưa"}),
        ("POST", "/auth/login", {}, {"username": "canbo.tt\x00", "password": "motcua-demo"}),
        ("GET", "/procedures?q=khai%00sinh", {}, None),
        ("GET", "/procedures?site=HUE-TT%00", {}, None),
        ("GET", "/fields?site=HUE-TT%00", {}, None),
        ("GET", "/sites/HUE-TT%00", {}, None),
        ("GET", "/procedures/1.001193%00", {}, None),
        ("GET", "/public/tickets/AAAAAAAAAAAAAAAAAAAA%00", {}, None),
    ]
    wrong = []
    for method, path, headers, body in cases:
        r = api.client.request(method, f"{API}{path}", json=body, headers=headers)
        if method == "GET" and r.status_code == 200:
            continue  # a search or lookup that finds nothing is a fine answer
        if not 400 <= r.status_code < 500:
            wrong.append(f"{method} {path} {body!r}: {r.status_code} {r.text[:100]}")
        else:
            assert_refused(r, r.status_code, r.json()["code"])
    assert not wrong, "\n".join(wrong)
    assert site_state(api) == before


# ---- tokens --------------------------------------------------------------------------------
FORGED = ["mcd_forged", "mcs_forged", "Zm9yZ2VkLXRva2Vu", "mcd_demo-kiosk-hue-tt-x", "mcd_DEMO-KIOSK-HUE-TT",
          "mcs_" + "a" * 43, "x" * 1_000, "mcd_" + "k" * 996]


def test_forged_and_malformed_tokens_are_refused_with_401_and_issue_nothing(api: Api) -> None:
    before = site_state(api)
    authorizations = [f"Bearer {token}" for token in FORGED] + ["Bearer ", "Bearer", "Basic Y2FuYm8udHQ6eA==", ""]
    for authorization in authorizations:
        headers = {"Authorization": authorization}
        for method, path, body in (("GET", "/auth/me", None), ("GET", f"/sites/{SITE_TT}/snapshot", None),
                                   ("POST", "/tickets", {"procedure_code": BIRTH_REGISTRATION}),
                                   ("POST", f"/counters/{COUNTER_A}/open", None)):
            r = api.client.request(method, f"{API}{path}", json=body, headers=headers)
            assert_refused(r, 401, ("unauthorized", "invalid_token"))
    assert site_state(api) == before


def test_an_expired_staff_session_is_refused_with_invalid_token(api: Api, clock: FakeClock) -> None:
    r = api.client.post(f"{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    staff = {"Authorization": f"Bearer {r.json()['token']}"}
    assert api.client.get(f"{API}/auth/me", headers=staff).status_code == 200
    clock.advance(hours=11, minutes=59)
    assert api.client.get(f"{API}/auth/me", headers=staff).status_code == 200
    clock.advance(hours=1, minutes=1)
    before = site_state(api)
    body = assert_refused(api.client.get(f"{API}/auth/me", headers=staff), 401, "invalid_token")
    assert "đăng nhập" in body["message"]
    assert_refused(api.client.post(f"{API}/counters/{COUNTER_A}/open", headers=staff), 401, "invalid_token")
    assert site_state(api) == before


def test_a_revoked_device_is_refused_with_invalid_token(api: Api, wiring: Any) -> None:
    with wiring.engine.connect() as conn:
        kiosk_id = conn.execute(
            select(t.devices.c.id).join(t.sites, t.sites.c.id == t.devices.c.site_id)
            .where(t.sites.c.code == SITE_TT, t.devices.c.kind == "kiosk")
        ).scalar_one()
    api.issue()
    revoke_device(RevokeDevice(kiosk_id), wiring.uow())
    before = site_state(api)
    r = api.client.post(f"{API}/tickets", json={"procedure_code": BIRTH_REGISTRATION}, headers=kiosk_headers())
    assert_refused(r, 401, "invalid_token")
    assert_refused(api.client.get(f"{API}/sites/{SITE_TT}/snapshot", headers=kiosk_headers()), 401, "invalid_token")
    assert site_state(api) == before
    # Other devices of the site are not affected.
    assert api.client.get(f"{API}/sites/{SITE_TT}/snapshot", headers=display_headers()).status_code == 200
    assert api.issue(site=SITE_PX)["site_code"] == SITE_PX


# ---- search --------------------------------------------------------------------------------
def search(api: Api, q: str) -> dict[str, Any]:
    r = api.client.get(f"{API}/procedures", params={"q": q, "limit": 200})
    assert r.status_code == 200, (q, r.text[:300])
    body = r.json()
    assert 0 <= len(body["items"]) <= body["total"]
    return body


def test_search_treats_wildcards_and_quotes_as_plain_text(api: Api) -> None:
    everything = api.client.get(f"{API}/procedures", params={"limit": 1}).json()["total"]
    percent = search(api, "%")
    assert 0 < percent["total"] < everything  # a literal "%", not "match anything"
    assert all("%" in p["name_vi"] or p["code"].startswith("%") for p in percent["items"])
    assert search(api, "_")["total"] < everything
    assert search(api, "kh_i sinh")["total"] == 0  # "_" is not "any one character"
    assert search(api, "\\")["total"] < everything
    assert search(api, "'; DROP TABLE procedures; --")["total"] == 0
    assert search(api, '" OR 1=1 --')["total"] == 0
    assert search(api, "Đăng ký khai sinh")["items"][0]["code"] == BIRTH_REGISTRATION
    # And the catalog is still all there.
    assert api.client.get(f"{API}/procedures", params={"limit": 1}).json()["total"] == everything


def test_search_ignores_emoji_next_to_vietnamese_words(api: Api) -> None:
    """A phone keyboard adds emoji; the words typed still say what the citizen wants."""
    plain = search(api, "Đăng ký khai sinh")
    for q in ("Đăng ký khai sinh 👶", "👶 đăng ký khai sinh 🇻🇳", "Đăng ký khai sinh ✅"):
        found = search(api, q)
        assert found["total"] == plain["total"], f"{q!r} finds {found['total']}, without the emoji {plain['total']}"
        assert found["items"][0]["code"] == BIRTH_REGISTRATION
