"""The lobby display's layout, decided once for the Kivy display and the web display.

Both displays draw the same panels, in the same places, with the same words and text sizes:
the Kivy kv rules read the sizes here (times the window's scale), the web page gets them as
CSS custom properties (`css_sizes()`) and its words as JSON (`words()`).

Sizes are pixels of a 1920×1080 screen (issue 14: a 55" TV read from 8 m). No text is
smaller than `DISPLAY_MIN_TEXT_PX`; service names, counter numbers and the called number
have their own larger minimums (shared/look.py); a unit test holds every size to them.

Landscape, left to right:
    header: the center's name (vi, en) | clock and date
    left column:  the call panel (who is called, where), the counters panel below it
    right column: the recent calls strip, the waiting lines below it
    footer: the notice
The counters panel shows open counters as tiles (number, ticket, the services they serve);
closed and paused counters share one line ("Quầy 3, 4, 7 đóng") so open ones get the room.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shared.glossary import (
    CALL_HEADING,
    CALL_SENTENCE,
    COUNTERS,
    RECENT_CALLS,
    WAITING,
    WEEKDAYS_VI,
    Term,
)
from shared.look import (
    DISPLAY_CALLED_NUMBER_PX,
    DISPLAY_COUNTER_NUMBER_PX,
    DISPLAY_MIN_TEXT_PX,
    DISPLAY_SERVICE_NAME_PX,
)
from shared.wait_words import WaitFigure, figure_from, wait_text

DESIGN_LANDSCAPE = (1920, 1080)
DESIGN_PORTRAIT = (1080, 1920)

# Text sizes by role (design px). Roles are also how the legibility checks find texts.
TEXT_PX: Mapping[str, int] = {
    "site_name": 44, "site_name_en": 32, "clock": 72, "date": 32, "status": 32,
    "panel_title": 36,
    "call_heading": 44, "called_number": 240, "call_counter": 88, "call_en": 34,
    "idle_title": 96, "idle_hint": 36,
    "recent_label": 56, "recent_counter": 48, "recent_empty": 36,
    "service_code": 56, "service_name": DISPLAY_SERVICE_NAME_PX, "service_name_en": 32,
    "service_count": 56, "service_wait": 32,
    "counter_number": DISPLAY_COUNTER_NUMBER_PX, "counter_ticket": 64, "counter_services": 32,
    "counter_state": 32, "closed_line": 34,
    "notice": 40, "sound_off": 40,
}
# Minimum each role may shrink to when a long text has to fit (never below the floors).
ROLE_FLOOR_PX: Mapping[str, int] = {
    "called_number": DISPLAY_CALLED_NUMBER_PX, "service_name": DISPLAY_SERVICE_NAME_PX,
    "counter_number": DISPLAY_COUNTER_NUMBER_PX,
}


def floor_px(role: str) -> int:
    return max(DISPLAY_MIN_TEXT_PX, ROLE_FLOOR_PX.get(role, 0))


# Panel geometry (design px and shares of the body).
HEADER_PX = 132
NOTICE_PX = 76
GAP_PX = 16
LEFT_SHARE = 0.46          # the call and counters column, of the body's width
RECENT_PX = 176            # the recent-calls strip above the waiting lines
RECENT_SLOTS = 4           # calls the strip shows (the newest is the call panel's)
CALL_MIN_PX = 470          # the call panel never gets shorter than this
TILE_COLUMNS = 3
TILE_FULL_PX = 206         # counter tile with its services line
TILE_COMPACT_PX = 84       # one line: number and ticket
PANEL_TITLE_PX = 56
CLOSED_LINE_PX = 52
FLASH_BORDER_PX = 14       # the call flash is a border this wide, never the number's colours
FLASH_SECONDS = 8.0

# ---- words (Vietnamese first, English second; the glossary's terms where it has them) ----
TO_COUNTER = Term("đến quầy {counter}", "please go to counter {counter}")
IDLE_TITLE = Term("Xin kính chào", "Welcome")
IDLE_HINT = Term("Vui lòng theo dõi số thứ tự", "Please watch for your number")
NO_CALLS_YET = Term("Chưa có số nào được gọi hôm nay", "No numbers called yet today")
NOBODY_WAITING = Term("Không có ai chờ", "Nobody waiting")
CLOSED = Term("Quầy {numbers} đóng", "Closed")
PAUSED = Term("Quầy {numbers} tạm dừng", "Paused")
ALL_CLOSED = Term("Các quầy đang đóng", "All counters are closed")
SOUND_OFF = Term("Âm thanh đang tắt — chạm để bật", "Sound off — tap to enable")
RECONNECTING = Term("Đang kết nối lại", "Reconnecting")
NO_SOUND = Term("Không có âm thanh", "No sound")
COUNTER_WORD = Term("Quầy", "Counter")
COUNTER_READY = Term("Sẵn sàng", "Ready")  # an open counter with nobody at it


def both(term: Term, **values: object) -> str:
    """"Vietnamese · English" on one line."""
    return f"{term.vi.format(**values)}  ·  {term.en.format(**values)}"


def call_lines(label: str, counter: int | str) -> dict[str, str]:
    """The call panel's words for a call."""
    return {
        "heading": both(CALL_HEADING),
        "number": label,
        "counter": TO_COUNTER.vi.format(counter=counter),
        "english": CALL_SENTENCE.en.format(label=label, counter=counter),
    }


def words() -> dict[str, Any]:
    """Every fixed word of the lobby, for the web display's script (same as the Kivy kv)."""
    return {
        "call_heading": both(CALL_HEADING), "to_counter_vi": TO_COUNTER.vi,
        "call_sentence_en": CALL_SENTENCE.en,
        "idle_title": IDLE_TITLE.vi, "idle_title_en": IDLE_TITLE.en, "idle_hint": IDLE_HINT.vi, "idle_hint_en": IDLE_HINT.en,
        "recent": both(RECENT_CALLS), "no_calls": NO_CALLS_YET.vi, "no_calls_en": NO_CALLS_YET.en,
        "waiting": both(WAITING), "counters": both(COUNTERS), "nobody_waiting": both(NOBODY_WAITING),
        "all_closed": both(ALL_CLOSED), "counter": COUNTER_WORD.vi, "ready": COUNTER_READY.vi,
        "closed": [CLOSED.vi, CLOSED.en], "paused": [PAUSED.vi, PAUSED.en],
        "sound_off": SOUND_OFF.vi, "sound_off_en": SOUND_OFF.en,
        "reconnecting": both(RECONNECTING), "weekdays": list(WEEKDAYS_VI),
        "wait": {"no_counter_open": wait_text(figure_from(None, any_counter_open=False)),
                 "soon": wait_text(figure_from(0, any_counter_open=True)),
                 "minutes": wait_text(WaitFigure(state="minutes", minutes=999)).replace("999", "{n}")},
    }


# ---- counters --------------------------------------------------------------------------
def service_short_name(name_vi: str) -> str:
    """"Tư pháp – Hộ tịch, chứng thực" → "Tư pháp": the words before the first dash, comma
    or colon, which is how staff and citizens call a line."""
    return re.split(r"\s+[–-]\s+|[,:;]", name_vi, maxsplit=1)[0].strip() or name_vi


def counter_services(services: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """A counter named by its services, main service first: "Tư pháp, Công an"."""
    ordered = sorted(services, key=lambda s: (-int(s.get("weight", 1)), s["service_code"]))
    return ", ".join(service_short_name(names.get(s["service_code"], s["service_code"])) for s in ordered)


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def closed_line(closed: Sequence[int], paused: Sequence[int]) -> str:
    """One line for every counter not serving now, Vietnamese then English:
    "Quầy 8 tạm dừng  ·  Quầy 3, 4, 7 đóng  ·  Paused / Closed" ("" when all serve)."""
    vi, en = [], []
    for numbers, term in ((paused, PAUSED), (closed, CLOSED)):
        if numbers:
            vi.append(term.vi.format(numbers=_numbers(numbers)))
            en.append(term.en)
    return "  ·  ".join(vi + [" / ".join(en)]) if vi else ""


def counter_grid(open_count: int) -> tuple[int, int, bool]:
    """(columns, rows, compact) of the open counters' tiles: full tiles (number, ticket,
    services) for up to three open counters, one-line tiles for more."""
    rows = max(1, math.ceil(open_count / TILE_COLUMNS))
    return TILE_COLUMNS, rows, open_count > TILE_COLUMNS


def counters_panel_px(open_count: int) -> int:
    """Design height of the counters panel: a title, the tiles, the closed line."""
    _, rows, compact = counter_grid(open_count)
    tile = TILE_COMPACT_PX if compact else TILE_FULL_PX
    return PANEL_TITLE_PX + rows * tile + (rows - 1) * 10 + CLOSED_LINE_PX + 2 * GAP_PX


# ---- waiting lines -----------------------------------------------------------------------
def line_wait(queue: Mapping[str, Any], line_open: bool) -> tuple[str, str]:
    """The wait words of one waiting line: the server's figure when the snapshot carries one
    (`wait`: {state, minutes, text_vi, text_en}), else the words for its estimate."""
    given = queue.get("wait")
    if isinstance(given, Mapping) and given.get("text_vi"):
        return str(given["text_vi"]), str(given.get("text_en") or "")
    if not line_open:
        figure = figure_from(None, any_counter_open=False)
    elif not queue.get("waiting"):
        return "", ""
    else:
        figure = figure_from(queue.get("estimated_wait_minutes"), any_counter_open=True)
    return wait_text(figure, "vi"), wait_text(figure, "en")


def open_service_codes(counters: Iterable[Mapping[str, Any]]) -> set[str]:
    """Codes of the services some open counter can call now."""
    return {s["service_code"] for c in counters if c.get("state") == "open" for s in c.get("services", ())}


# ---- for the web page ----------------------------------------------------------------------
def css_sizes() -> str:
    """The sizes as CSS custom properties in units of `--u` (one design pixel)."""
    lines = ["  --u: min(calc(100vw / 1920), calc(100vh / 1080));"]
    lines += [f"  --t-{role.replace('_', '-')}: calc({px} * var(--u));" for role, px in TEXT_PX.items()]
    for name, px in (("header", HEADER_PX), ("notice", NOTICE_PX), ("gap", GAP_PX), ("recent", RECENT_PX),
                     ("call-min", CALL_MIN_PX), ("tile-full", TILE_FULL_PX), ("tile-compact", TILE_COMPACT_PX),
                     ("panel-title", PANEL_TITLE_PX), ("closed-line", CLOSED_LINE_PX),
                     ("flash-border", FLASH_BORDER_PX)):
        lines.append(f"  --l-{name}: calc({px} * var(--u));")
    lines.append(f"  --l-left: {LEFT_SHARE * 100:.0f}%;")
    lines.append(f"  --l-tile-columns: {TILE_COLUMNS};")
    portrait = f"  --u: min(calc(100vw / {DESIGN_PORTRAIT[0]}), calc(100vh / {DESIGN_PORTRAIT[1]}));"
    return ":root {\n" + "\n".join(lines) + "\n}\n@media (orientation: portrait) { :root {\n" + portrait + "\n} }\n"
