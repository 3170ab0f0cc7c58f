"""The same simulated citizens, played against a live server through its real API, on a
compressed clock (`speed` simulated minutes per real minute).

Kiosks issue the day's tickets at their (compressed) arrival times; every counter of the
demo sites loops call-next → start → finish (or recall → no-show for a citizen who does
not come), holding each citizen for their drawn handling time. The run checks what the
pure simulation cannot: every issued ticket called exactly once, none lost, no error
response, under real concurrency. Waits are measured on the simulated clock.

The server's printed estimate is in the server's own (real) minutes, so it is only
comparable to the simulated waits at `speed=1`; faster, only people ahead are kept.
Needs the demo province (`motcua seed --demo`) and its demo credentials.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from queue_server.simulation.engine import draw_citizens
from queue_server.simulation.metrics import WaitStats
from queue_server.simulation.model import Scenario
from shared.client import ApiError, MotcuaClient

DEMO_PASSWORD = "motcua-demo"


@dataclass
class LiveReport:
    issued: int = 0
    called: int = 0
    called_twice: list[int] = field(default_factory=list)
    never_called: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    # (the estimate the server printed, in its own minutes; the simulated wait)
    printed_estimates: list[tuple[int | None, float]] = field(default_factory=list)
    real_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.called_twice or self.never_called or self.errors)

    def stats(self, target: float) -> WaitStats:
        return WaitStats.of(self.waits, target)


async def run_live(base_url: str, scenario: Scenario, *, seed: int | str = 1, day: int = 0, speed: float = 60.0,
                   start_minute: float = 7 * 60, end_minute: float = 8 * 60, poll_seconds: float = 10.0) -> LiveReport:
    import random

    citizens = [c for c in draw_citizens(scenario, random.Random(f"{seed}/{day}"))
                if start_minute <= c.at < end_minute]
    report = LiveReport()
    t0 = time.monotonic()

    def sim_now() -> float:
        return start_minute + (time.monotonic() - t0) * speed / 60.0

    async def sleep_sim(minutes: float) -> None:
        await asyncio.sleep(max(0.0, minutes * 60.0 / speed))

    clients: list[MotcuaClient] = []
    try:
        tickets: dict[int, tuple[object, float, int | None]] = {}  # id -> (citizen, issued at, printed estimate)
        calls: Counter = Counter()
        kiosks, staff, service_ids, counters = {}, {}, {}, []
        for index, site in enumerate(scenario.sites):
            suffix = site.code.split("-")[-1].lower()
            kiosk = MotcuaClient(base_url, f"mcd_demo-kiosk-{site.code.lower()}")
            clerk = MotcuaClient(base_url)
            clients += [kiosk, clerk]
            await clerk.login(f"canbo.{suffix}", DEMO_PASSWORD)
            kiosks[index], staff[index] = kiosk, clerk
            for service in await kiosk.get(f"/sites/{site.code}/services"):
                service_ids[(index, service["code"])] = service["id"]
            snapshot = await clerk.site_snapshot(site.code)
            for counter in snapshot.counters:
                await clerk.counter_action(counter.id, "open")
                counters.append((index, counter.id))
        done_issuing = asyncio.Event()
        t0 = time.monotonic()

        async def kiosk_loop() -> None:
            for citizen in citizens:
                await sleep_sim(citizen.at - sim_now())
                try:
                    out = await kiosks[citizen.site].request(
                        "POST", "/tickets", json_body={"service_id": service_ids[(citizen.site, citizen.service)],
                                                       "priority": citizen.priority.value})
                except ApiError as exc:
                    report.errors.append(f"issue: {exc}")
                    continue
                tickets[out["id"]] = (citizen, sim_now(), out.get("estimated_wait_minutes"))
                report.issued += 1
            done_issuing.set()

        async def counter_loop(site: int, counter_id: int) -> None:
            clerk = staff[site]
            while True:
                try:
                    out = await clerk.counter_action(counter_id, "call-next")
                except ApiError as exc:
                    if exc.code != "no_ticket_waiting":
                        report.errors.append(f"call-next {counter_id}: {exc}")
                        return
                    if done_issuing.is_set() and len(calls) >= len(tickets):
                        return
                    await asyncio.sleep(min(poll_seconds / speed, 0.5))
                    continue
                tid = out["id"]
                calls[tid] += 1
                citizen, issued_at, printed = tickets.get(tid, (None, sim_now(), None))
                report.waits.append(sim_now() - issued_at)
                report.printed_estimates.append((printed, sim_now() - issued_at))
                try:
                    if citizen is not None and citizen.no_show:  # type: ignore[attr-defined]
                        await sleep_sim(scenario.citizens.recall_minutes)
                        await clerk.counter_action(counter_id, "recall")
                        await clerk.counter_action(counter_id, "no-show")
                    else:
                        await clerk.counter_action(counter_id, "start")
                        await sleep_sim(citizen.handling if citizen is not None else 5.0)  # type: ignore[attr-defined]
                        await clerk.counter_action(counter_id, "finish")
                except ApiError as exc:
                    report.errors.append(f"counter {counter_id}: {exc}")
                    return

        await asyncio.gather(kiosk_loop(), *(counter_loop(s, c) for s, c in counters))
        report.real_seconds = time.monotonic() - t0
        report.called = sum(calls.values())
        report.called_twice = [tid for tid, n in calls.items() if n > 1]
        report.never_called = sorted(set(tickets) - set(calls))
        return report
    finally:
        for client in clients:
            await client.aclose()
