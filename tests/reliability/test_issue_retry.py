"""A kiosk's retry after a lost answer gets the ticket already issued, not a second one."""

from __future__ import annotations

from support import API, Api, kiosk_headers


def issue(api: Api, key: str, site: str = "HUE-TT"):  # noqa: ANN201
    return api.client.post(f"{API}/tickets", json={"service_id": 1, "request_id": key}, headers=kiosk_headers(site))


def test_the_same_request_key_twice_gives_the_same_ticket_once(api: Api) -> None:
    first = issue(api, "citizen-0001")
    again = issue(api, "citizen-0001")  # the first answer was lost; the citizen taps "try again"
    assert first.status_code == again.status_code == 201
    assert {k: again.json()[k] for k in ("id", "label", "tracking_token")} == \
        {k: first.json()[k] for k in ("id", "label", "tracking_token")}
    assert first.json()["label"] == "A001"
    assert issue(api, "citizen-0002").json()["label"] == "A002"  # the next citizen: the next number
    assert api.issue()["label"] == "A003"  # no key at all: as before
    waiting = {q["service_id"]: q["waiting"] for q in api.snapshot()["queues"]}
    assert waiting[1] == 3
    # Keys are per kiosk: another kiosk's citizen with the same key is someone else.
    other = issue(api, "citizen-0001", site="HUE-PX")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_a_malformed_request_key_is_refused_with_the_usual_422(api: Api) -> None:
    for bad in ("short", "x" * 41, "has space!"):
        r = issue(api, bad)
        assert r.status_code == 422 and r.json()["code"] == "invalid_input"
