"""Scenarios: the demo province around Huế (the same sites, counters and weights as
`queue_server/seed.py`, checked by a test) with plausible volumes, and a one-service
site for checking the simulator against queueing theory."""

from __future__ import annotations

from queue_server.simulation.model import CounterSpec, DayShape, Scenario, ServiceProfile, SiteSpec

# Intake takes 5-10 minutes (DOMAIN.md); land dossiers longer, returning a result short.
HUE_SERVICES = {
    "A": ServiceProfile("A", 6.0),  # justice, civil status
    "B": ServiceProfile("B", 11.0),  # land, environment
    "C": ServiceProfile("C", 8.0),  # agriculture
    "D": ServiceProfile("D", 9.0),  # business, tax
    "E": ServiceProfile("E", 9.0),  # construction, transport
    "F": ServiceProfile("F", 6.0),  # police: residence, ID cards
    "R": ServiceProfile("R", 2.5),  # return of results
}
MIX = {"A": 0.30, "B": 0.15, "C": 0.05, "D": 0.13, "E": 0.10, "F": 0.17, "R": 0.10}


def _counters(spec: str) -> tuple[CounterSpec, ...]:
    """"1:A2 2:A2,F1" -> counters with their service weights (the seed's notation)."""
    out = []
    for item in spec.split():
        number, _, services = item.partition(":")
        out.append(CounterSpec(int(number), {s[0]: int(s[1:]) for s in services.split(",")}))
    return tuple(out)


def _mix(offered: str) -> dict[str, float]:
    total = sum(MIX[s] for s in offered)
    return {s: MIX[s] / total for s in offered}


HUE_SITES = (
    SiteSpec("HUE-TT", 16.4637, 107.5909,
             _counters("1:A2 2:A2,F1 3:B2 4:B2,C1 5:C1,D2 6:D2,E1 7:E2,F1 8:F2 9:R2,A1"), 360, _mix("ABCDEFR")),
    SiteSpec("HUE-PX", 16.4745, 107.5778, _counters("1:A2,F1 2:B2,E1 3:D2,A1 4:F2,R1"), 120, _mix("ABDEFR")),
    SiteSpec("HUE-TH", 16.4560, 107.5975, _counters("1:A2,F1 2:B2,E1 3:D2,R1"), 110, _mix("ABDEFR")),
    SiteSpec("HUE-PV", 16.5290, 107.6560, _counters("1:A2,B1,F1,R1 2:B2,A1,F1,R1"), 70, _mix("ABFR")),
)


def hue_province() -> Scenario:
    return Scenario("hue", HUE_SITES, HUE_SERVICES)


def single_queue(arrivals_per_hour: float, mean_service_minutes: float, counters: int, hours: float = 8.0,
                 distribution: str = "exponential") -> Scenario:
    """One site, one service, a constant arrival rate, one long period: the M/M/c queue
    that Erlang C describes exactly (with exponential handling times)."""
    import math

    if distribution == "exponential":
        service = ServiceProfile("A", mean_service_minutes * math.log(2), distribution="exponential")
    else:
        sigma = 0.55
        service = ServiceProfile("A", mean_service_minutes / math.exp(sigma**2 / 2), sigma=sigma)
    start, end = 7 * 60.0, 7 * 60.0 + hours * 60
    site = SiteSpec("ONE", 16.46, 107.59, tuple(CounterSpec(i + 1, {"A": 1}) for i in range(counters)),
                    arrivals_per_hour * hours, {"A": 1.0})
    day = DayShape(periods=((start, end),), issue_until=(end,), arrival_weights=((start, end, 1.0),),
                   opening_burst=0.0, serve_until_empty=True)
    from queue_server.simulation.model import Citizens

    return Scenario("single", (site,), {"A": service}, day=day,
                    citizens=Citizens(priority_share={}, no_show=0.0, day_to_day_sigma=0.0), policy="fifo")
