"""What the API test modules share: a quick staff login, the shape of a refusal a person
can act on, and the site state a refused write must leave unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select
from support import SITE_TT, Api

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import STAFF_TOKEN_PREFIX, new_token, token_digest


class QuickLoginApi(Api):
    """`Api` whose demo staff sessions are written straight into the database: a real
    /auth/login verifies an argon2 hash (~0.3 s of CPU each) and only the login tests need it."""

    def __init__(self, client: Any, wiring: Any) -> None:
        super().__init__(client)
        self.wiring = wiring

    def token(self, username: str) -> str:
        if username not in self._tokens:
            token, now = new_token(STAFF_TOKEN_PREFIX), self.wiring.clock()
            ttl = timedelta(hours=self.wiring.settings.staff_session_hours)
            with self.wiring.engine.begin() as conn:
                staff_id = conn.execute(select(t.staff.c.id).where(t.staff.c.username == username)).scalar_one()
                conn.execute(insert(t.staff_sessions).values(token_hash=token_digest(token), staff_id=staff_id,
                                                             created_at=now, expires_at=now + ttl))
            self._tokens[username] = token
        return self._tokens[username]


def assert_refused(r: httpx.Response, status: int | tuple[int, ...], code: str | tuple[str, ...]) -> dict[str, Any]:
    """A refusal a person can act on: the status, a machine code, and a Vietnamese message.
    A tuple names the answers that are all right where more than one is."""
    statuses = status if isinstance(status, tuple) else (status,)
    codes = code if isinstance(code, tuple) else (code,)
    assert r.status_code in statuses, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
    body = r.json()
    assert body["code"] in codes, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert body["message"] != body["message_en"], f"the message is not in Vietnamese: {body}"
    return body


def site_state(api: Api, site: str = SITE_TT) -> tuple[int, dict[str, int]]:
    """What a refused write must not change: the site's event seq and its waiting counts."""
    snap = api.snapshot(site)
    return snap["seq"], {q["service_code"]: q["waiting"] for q in snap["queues"]}
