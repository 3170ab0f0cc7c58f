"""The background work of an app (kiosk, counter client, lobby display): asyncio tasks on the UI's loop,
kept track of so a screen change can cancel what it no longer needs and closing the app
cancels everything.

Three kinds of task:
- `slot(name, job)`: the only task of its kind; a newer one replaces an older one (a new
  search cancels the one still waiting for its answer);
- `keep(name, job)`: runs to its end whatever the screen does (issuing, printing,
  reporting); its failure is logged, never raised into the loop;
- `track(coro)`: a task whose result the caller awaits (the counter's commands).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]
Job = Callable[[], Coroutine[Any, Any, Any]]


class AppTasks:
    def __init__(self, owner: str, spawn: Spawn | None = None) -> None:
        self.owner = owner  # names the app in the log of a failed task
        self.spawn: Spawn = spawn or asyncio.ensure_future
        self._slots: dict[str, asyncio.Task[Any]] = {}
        self._running: set[asyncio.Task[Any]] = set()

    def slot(self, name: str, job: Job) -> asyncio.Task[Any]:
        """Run job as the only task of its kind, cancelling the one it replaces."""
        self.cancel(name)
        task = self._start(self._logged(name, job))
        self._slots[name] = task
        task.add_done_callback(lambda t: self._slots.pop(name, None) if self._slots.get(name) is t else None)
        return task

    def keep(self, name: str, job: Job) -> asyncio.Task[Any]:
        """Run job to its end whatever the screen does; a failure is logged."""
        return self._start(self._logged(name, job))

    def track(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run coro; its result (or exception) is the caller's."""
        return self._start(coro)

    def running(self, name: str) -> bool:
        """Whether the slot's task is still running."""
        return name in self._slots

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def cancel(self, *names: str) -> None:
        for name in names:
            task = self._slots.pop(name, None)
            if task is not None:
                task.cancel()

    async def idle(self) -> None:
        """Wait until no task runs (tests, and a clean logout)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel every task and wait for each to end."""
        tasks = list(self._running)
        self._slots.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._running.difference_update(tasks)  # their done callbacks may not have run yet

    def _start(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = self.spawn(coro)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _logged(self, name: str, job: Job) -> Any:
        # The coroutine is created here, inside the task: a task cancelled before it ran
        # then leaves no never-awaited coroutine behind.
        try:
            return await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            logging.getLogger(self.owner).exception("%s task %s failed", self.owner, name)
