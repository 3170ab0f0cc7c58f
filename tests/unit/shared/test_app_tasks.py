"""The apps' one task helper: a slot keeps one task of its kind, kept work runs to its end
and its failure is logged, tracked work gives its result, stop cancels everything."""

import asyncio
import logging

import pytest

from shared.app_tasks import AppTasks


def test_a_new_task_in_a_slot_cancels_the_one_it_replaces():
    async def scenario():
        tasks = AppTasks("test")
        started: list[str] = []

        async def search(query: str) -> str:
            started.append(query)
            await asyncio.sleep(0.05)
            return query

        first = tasks.slot("search", lambda: search("khai"))
        await asyncio.sleep(0)
        second = tasks.slot("search", lambda: search("khai sinh"))
        assert tasks.running("search")
        assert await second == "khai sinh"
        assert first.cancelled()
        assert started == ["khai", "khai sinh"]
        assert not tasks.running("search") and not tasks.busy

    asyncio.run(scenario())


def test_a_slot_cancelled_before_it_ran_leaves_no_coroutine_behind(recwarn):
    async def scenario():
        tasks = AppTasks("test")
        task = tasks.slot("detail", lambda: asyncio.sleep(1))
        tasks.cancel("detail")
        await tasks.idle()
        assert task.cancelled() and not tasks.busy

    asyncio.run(scenario())
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_kept_work_runs_to_its_end_and_its_failure_is_logged_not_raised(caplog):
    async def scenario():
        tasks = AppTasks("kiosk")
        done: list[str] = []

        async def report() -> None:
            await asyncio.sleep(0.01)
            done.append("report")

        async def broken() -> None:
            raise RuntimeError("printer driver bug")

        tasks.keep("report", report)
        tasks.keep("print", broken)
        tasks.cancel("report", "print")  # names of kept work are no slots: nothing cancelled
        await tasks.idle()
        assert done == ["report"]

    with caplog.at_level(logging.ERROR, logger="kiosk"):
        asyncio.run(scenario())
    assert "kiosk task print failed" in caplog.text


def test_tracked_work_gives_its_result_or_its_error_to_the_caller():
    async def scenario():
        tasks = AppTasks("counter")

        async def refused() -> None:
            raise PermissionError("401")

        assert await tasks.track(asyncio.sleep(0, result=7)) == 7
        with pytest.raises(PermissionError):
            await tasks.track(refused())

    asyncio.run(scenario())


def test_stop_cancels_every_task_and_waits_for_each():
    async def scenario():
        tasks = AppTasks("display")
        forever = tasks.keep("refresh", lambda: asyncio.sleep(3600))
        slot = tasks.slot("reload", lambda: asyncio.sleep(3600))
        tracked = tasks.track(asyncio.sleep(3600))
        await asyncio.sleep(0)
        await tasks.stop()
        assert forever.cancelled() and slot.cancelled() and tracked.cancelled()
        assert not tasks.busy and not tasks.running("reload")

    asyncio.run(scenario())
