"""The citizen-facing rating screen of counter 1 against a real server: it greets the
citizen called, asks for a rating when the clerk finishes, and thanks. The clerk's side
is played over HTTP. Started by test_counter_ui.py as a subprocess.

usage: counter_rating_driver.py SERVER_URL SHOTS_DIR REPORT_JSON
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path

from kivy.config import Config

Config.set("graphics", "width", "1024")
Config.set("graphics", "height", "600")

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support.py

import httpx  # noqa: E402
from app_loop import play_beside  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from support import API, kiosk_headers  # noqa: E402

from counter_client.gateway import HttpGateway  # noqa: E402
from counter_client.rating_app import RatingApp  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)
SERVER, SHOTS, REPORT = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])


async def until(what: str, check, timeout: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            await asyncio.sleep(0.2)
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


async def tap(widget) -> None:  # noqa: ANN001
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    await asyncio.sleep(0.05)
    touch.touch_up()
    await asyncio.sleep(0.1)


async def shot(app: RatingApp, name: str) -> None:
    await asyncio.sleep(0.2)
    app.root.export_to_png(str(SHOTS / f"{name}.png"))


async def scenario(app: RatingApp, staff: dict, seen: dict) -> None:
    ids = app.root.ids
    async with httpx.AsyncClient(base_url=SERVER + API, timeout=10) as http:
        await until("the window", lambda: app.view.counter == "1")
        await shot(app, "01-welcome")
        (await http.post("/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers())).raise_for_status()
        for action in ("open", "call-next"):
            (await http.post(f"/counters/1/{action}", headers=staff)).raise_for_status()
        await until("the greeting", lambda: ids.headline.text == "Mời số A001")
        seen["greeting"] = [ids.headline.text, ids.subline.text]
        await shot(app, "02-now-serving")
        for action in ("start", "finish"):
            (await http.post(f"/counters/1/{action}", headers=staff)).raise_for_status()
        await until("the question", lambda: app.view.mode == "ask")
        seen["question"] = [ids.headline.text, ids.subline.text]
        await shot(app, "03-please-rate")
        await tap(ids.satisfied)
        await until("the thanks", lambda: app.view.mode == "thanks")
        seen["thanks"] = [ids.headline.text, ids.subline.text]
        await shot(app, "04-thank-you")

        # The next citizen is not satisfied and says why.
        (await http.post("/tickets", json={"procedure_code": "1.001193"}, headers=kiosk_headers())).raise_for_status()
        for action in ("call-next", "start", "finish"):
            (await http.post(f"/counters/1/{action}", headers=staff)).raise_for_status()
        await until("the question again", lambda: app.view.mode == "ask" and "A002" in ids.subline.text)
        await tap(ids.unsatisfied)
        await until("the reasons", lambda: app.view.mode == "reason")
        await shot(app, "05-why-not-satisfied")
        await tap(ids.reasons.children[-1])  # the first reason
        await until("the thanks again", lambda: app.view.mode == "thanks")
        seen["ratings"] = (await http.get("/ratings", headers=staff)).json()


def main() -> int:
    SHOTS.mkdir(parents=True, exist_ok=True)
    login = httpx.post(f"{SERVER}{API}/auth/login", json={"username": "canbo.tt", "password": "motcua-demo"})
    token = login.json()["token"]
    staff = {"Authorization": f"Bearer {token}"}
    gateway = HttpGateway(SERVER, max_backoff=0.5)
    gateway.client.token = token
    app = RatingApp(gateway, 1)
    seen: dict = {}

    async def play() -> None:
        try:
            await until("the app", lambda: app.root is not None, 30)
            await scenario(app, staff, seen)
        except BaseException as exc:
            seen["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            app.stop()

    play_beside(app, play)
    REPORT.write_text(json.dumps(seen, ensure_ascii=False, default=str), encoding="utf-8")
    return 1 if "error" in seen else 0


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    sys.exit(main())
