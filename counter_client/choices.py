"""The lists a dialog offers: services, counters and sites to transfer to, waiting
tickets to call by number. Typed words filter them, accents optional ("ho tich")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.enums import CounterState
from shared.protocol import CounterSnapshot, ServiceOut, SiteOut, TicketOut
from shared.textfold import fold

from .texts import COUNTER_STATE_VI, PRIORITY_VI, minutes_vi


@dataclass(frozen=True)
class Option:
    id: int | str
    title: str
    subtitle: str = ""
    search_text: str = ""


def option(id_: int | str, title: str, subtitle: str = "") -> Option:
    return Option(id_, title, subtitle, fold(f"{title} {subtitle}"))


def matching(options: Iterable[Option], query: str) -> list[Option]:
    words = fold(query).split()
    return [o for o in options if all(w in o.search_text for w in words)]


def service_options(services: list[ServiceOut], current: TicketOut | None) -> list[Option]:
    return [option(s.id, f"{s.code} · {s.name_vi}", s.name_en) for s in services
            if current is None or s.id != current.service_id]


def short_service_name(name_vi: str) -> str:
    """The head of a line's name, what clerks call it: "Tư pháp – Hộ tịch, chứng thực" →
    "Tư pháp", "Công an: cư trú, căn cước…" → "Công an"."""
    return name_vi.split(" – ")[0].split(":")[0].strip() or name_vi


def counter_options(counters: list[dict[str, Any]], services: list[ServiceOut], own_id: int | None) -> list[Option]:
    codes = {s.id: short_service_name(s.name_vi) for s in services}
    out = []
    for c in counters:
        if c["id"] == own_id:
            continue
        served = ", ".join(codes.get(s["service_id"], "?") for s in c["services"])
        state = CounterState(c["state"])
        staff = f" · {c['staff_name']}" if c.get("staff_name") and state is not CounterState.CLOSED else ""
        out.append(option(c["id"], f"Quầy {c['number']} ({served})", f"{COUNTER_STATE_VI[state]}{staff}"))
    return out


def site_options(sites: list[SiteOut], own_site_id: int | None, nearby: dict[str, dict[str, Any]]) -> list[Option]:
    """Other sites; those the server knows to be near come first, with their wait."""
    out = []
    for s in sites:
        if s.id == own_site_id:
            continue
        near = nearby.get(s.code)
        if near is None:
            detail = s.address
        else:
            wait = (near.get("wait") or {}).get("text_vi")  # the server's one figure, in its words
            detail = f"{near['distance_km']:.1f} km · {near['people_waiting']} người chờ" + (f" · {wait}" if wait else "")
        out.append(option(s.code, f"{s.name_vi} ({s.code})", detail))
    out.sort(key=lambda o: (nearby.get(str(o.id)) is None, nearby.get(str(o.id), {}).get("distance_km", 0)))
    return out


def waiting_options(snapshot: CounterSnapshot | None, services: list[ServiceOut], elapsed: float) -> list[Option]:
    if snapshot is None:
        return []
    codes = {s.id: s.code for s in services}
    out = []
    for w in snapshot.waiting:
        mark = f" · ưu tiên: {PRIORITY_VI[w.priority]}" if w.priority != "normal" else ""
        here = " · chuyển đến quầy này" if w.target_counter_id == snapshot.counter.id else ""
        out.append(option(w.id, w.label, f"Dịch vụ {codes.get(w.service_id, '?')} · chờ "
                          f"{minutes_vi(w.wait_seconds + elapsed)}{mark}{here}"))
    return out
