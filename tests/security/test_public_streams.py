"""The lobby's public streams carry nothing a clerk typed and nothing that ties a dossier to a
ticket: a transfer whose reason names a person and a dossier received at a counter reach
the staff stream whole, and the display's and kiosk's streams (and the display's snapshot)
without the reason, the name, the dossier code or the applicant."""

import sys
from pathlib import Path

from support import API, COUNTER_A, SITE_TT, Api

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "dossiers"))
from dossier_helpers import receive, serve_one  # noqa: E402

REASON = "Chuyển cho anh Trần Văn Bình, CCCD 046186099999, đã hẹn trước"


def _frames_until(ws, type_: str, count: int = 1) -> list[str]:  # noqa: ANN001
    """Raw text frames up to the `count`-th event of `type_`."""
    frames, seen = [], 0
    while seen < count:
        raw = ws.receive_text()
        frames.append(raw)
        if f'"type": "{type_}"' in raw or f'"type":"{type_}"' in raw:
            seen += 1
    return frames


def test_public_streams_carry_no_typed_reason_and_no_dossier_link(api: Api) -> None:
    display = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
    kiosk = demo_device_token(DeviceKind.KIOSK, SITE_TT)
    staff = api.token("canbo.tt")
    with (api.client.websocket_connect(f"{API}/ws/sites/{SITE_TT}", headers={"Authorization": f"Bearer {display}"})
          as tv,
          api.client.websocket_connect(f"{API}/ws/sites/{SITE_TT}", headers={"Authorization": f"Bearer {kiosk}"})
          as lobby_kiosk,
          api.client.websocket_connect(f"{API}/ws/counters/{COUNTER_A}", headers={"Authorization": f"Bearer {staff}"})
          as clerk):
        for ws in (tv, lobby_kiosk, clerk):
            assert ws.receive_json()["kind"] == "hello"
        served = serve_one(api)
        dossier = receive(api)
        moved = api.issue()
        called = api.ok(COUNTER_A, "call-next", {"finish_current": True})
        assert called["label"] == moved["label"]
        r = api.counter(COUNTER_A, "transfer", {"target": "service", "service_id": moved["service_id"],
                                                "reason": REASON})
        assert r.status_code == 200, r.text
        streams = {name: "".join(_frames_until(ws, "TicketTransferred"))
                   for name, ws in (("display", tv), ("kiosk", lobby_kiosk), ("staff", clerk))}
    code = dossier["code"]
    # The staff stream shows the whole story, so the public ones are not quiet by accident.
    assert "Trần Văn Bình" in streams["staff"] and code in streams["staff"]
    for name in ("display", "kiosk"):
        text = streams[name]
        assert '"TicketTransferred"' in text and '"DossierReceived"' in text  # seq stays gap-free
        assert moved["label"] in text  # what the screen shows is still there
        for secret in ("Trần Văn Bình", "046186099999", code, "Nguyễn Thị Hường", "046186012345", "0912 345 678"):
            assert secret not in text, f"{name} stream leaks {secret!r}"
    assert served["label"] in streams["display"]


def test_display_snapshot_shows_no_pause_reason_and_no_clerk_name(api: Api) -> None:
    api.ok(COUNTER_A, "open")
    api.ok(COUNTER_A, "pause", {"reason": "Chị Lan đi họp với ông Trần Văn Bình"})
    tv = api.client.get(f"{API}/sites/{SITE_TT}/snapshot",
                        headers={"Authorization": f"Bearer {demo_device_token(DeviceKind.DISPLAY, SITE_TT)}"})
    clerk = api.client.get(f"{API}/sites/{SITE_TT}/snapshot", headers=api.staff())
    assert "Trần Văn Bình" in clerk.text
    counter = next(c for c in tv.json()["counters"] if c["id"] == COUNTER_A)
    assert counter["state"] == "paused" and counter["pause_reason"] == "" and counter["staff_name"] is None
    assert "Trần Văn Bình" not in tv.text
