"""Runs a Kivy app's own loop with a scripted scenario beside it (the UI drivers' shared
ending): the app until it closes, then the scenario's own end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


def play_beside(app: Any, play: Callable[[], Awaitable[None]]) -> None:  # noqa: ANN401 - a Kivy app
    async def both() -> None:
        driver = asyncio.ensure_future(play())
        await app.run_until_closed()
        await driver

    asyncio.run(both())
