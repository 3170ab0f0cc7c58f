"""Helpers for the tests after the counter: forwarding, the agency's steps, the inbox."""

from __future__ import annotations

from typing import Any

from dossier_helpers import at_local, image_bytes
from support import API, Api, FakeClock

OFFICER, HEAD = "thuanhoa.canbo", "thuanhoa.lanhdao"  # UBND phường Thuận Hóa (HUE-TT's commune)
OTHER_AGENCY = "stp.canbo"  # Sở Tư pháp


def at(api: Api, clock: FakeClock, *when: int) -> None:
    """Jump to a local moment; sessions are opened afresh (days pass between the steps)."""
    at_local(clock, *when)
    api._tokens.clear()


def forward(api: Api, code: str, user: str = "canbo.tt", expect: int = 200, **body: Any) -> dict[str, Any]:
    r = api.client.post(f"{API}/dossiers/{code}/forward", json=body, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def step(api: Api, code: str, name: str, user: str = OFFICER, expect: int = 200, **body: Any) -> dict[str, Any]:
    r = api.client.post(f"{API}/agency/dossiers/{code}/steps", json={"step": name, **body}, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def resolve(api: Api, code: str, user: str = OFFICER, expect: int = 200, files: int = 1) -> dict[str, Any]:
    parts = [("files", (f"ket-qua-{i}.png", image_bytes("PNG", color="green"), "image/png")) for i in range(files)]
    r = api.client.post(f"{API}/agency/dossiers/{code}/result", files=parts or None,
                        data={"note": "Đã ký kết quả"}, headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def center_step(api: Api, code: str, action: str, user: str = "canbo.tt", expect: int = 200,
                **body: Any) -> dict[str, Any]:
    r = api.client.post(f"{API}/dossiers/{code}/transitions", json={"action": action, **body},
                        headers=api.staff(user))
    assert r.status_code == expect, r.text
    return r.json()


def inbox(api: Api, user: str = OFFICER, view: str = "open") -> dict[str, Any]:
    r = api.client.get(f"{API}/agency/inbox", params={"view": view}, headers=api.staff(user))
    assert r.status_code == 200, r.text
    return r.json()


def handoff_rows(dossier: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [(h["kind"], h["from_name"], h["to_name"], h["timeliness"]) for h in dossier["handoffs"]]


SUPPLEMENT_ITEMS = [{"what": "Giấy chứng sinh (bản chính)", "reason": "Bản đã nộp là bản chụp, không đọc được"}]
