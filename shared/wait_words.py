"""One wait figure, said the same way everywhere.

The server computes a `WaitFigure` for a line (kiosk home, displays, manager) or for one
ticket (kiosk ticket screen, printed ticket, phone page) with one function; every surface
turns it into words here, so the kiosk, the paper, the phone and the TV never disagree.

Rules the words follow (issue 14):
- no counter serving the line is open → "Chưa có quầy mở", never "next in line";
- an estimate under `SOON_MINUTES` (or nobody ahead with a free desk) → "Sắp đến lượt",
  never "~0 phút";
- otherwise "khoảng N phút", N rounded so the figure does not pretend to a precision it
  lacks (to 5 minutes above 10, to 15 above 60).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

SOON_MINUTES = 3


class WaitState(StrEnum):
    NO_COUNTER_OPEN = "no_counter_open"  # nobody can call this line now
    SOON = "soon"                        # called within a few minutes
    MINUTES = "minutes"                  # about `minutes`
    CALLED = "called"                    # the ticket has been called (ticket figures only)
    OVER = "over"                        # served, no-show or cancelled (ticket figures only)


class WaitFigure(BaseModel):
    """The one wait figure of a line or a ticket, as the server computed it."""

    state: WaitState
    minutes: int | None = None       # rounded for display; None unless state is MINUTES
    people_ahead: int | None = None  # for a ticket: people called before it; for a line: waiting


class WaitShown(WaitFigure):
    """A figure with its words, as the API sends it (`wait` on tickets, lines, estimates):
    web pages and displays print `text_vi` / `text_en` as they are."""

    text_vi: str
    text_en: str

    @classmethod
    def of(cls, figure: WaitFigure) -> WaitShown:
        return cls(**figure.model_dump(), text_vi=wait_text(figure, "vi"), text_en=wait_text(figure, "en"))


def round_minutes(minutes: float) -> int:
    """3–10 as is, then to 5 minutes, above 60 to 15 minutes."""
    m = max(0, int(round(minutes)))
    if m <= 10:
        return m
    if m <= 60:
        return int(5 * round(m / 5))
    return int(15 * round(m / 15))


def figure_from(minutes: float | None, *, any_counter_open: bool, people_ahead: int | None = None) -> WaitFigure:
    """The figure for an estimate in minutes (None: nobody can say). Only the server calls
    this, in its one estimate function; surfaces receive the result."""
    if not any_counter_open or minutes is None:
        return WaitFigure(state=WaitState.NO_COUNTER_OPEN, people_ahead=people_ahead)
    if minutes < SOON_MINUTES:
        return WaitFigure(state=WaitState.SOON, people_ahead=people_ahead)
    return WaitFigure(state=WaitState.MINUTES, minutes=round_minutes(minutes), people_ahead=people_ahead)


_WORDS = {
    WaitState.NO_COUNTER_OPEN: ("Chưa có quầy mở", "No counter open yet"),
    WaitState.SOON: ("Sắp đến lượt", "Almost your turn"),
    WaitState.CALLED: ("Đã đến lượt", "It is your turn"),
    WaitState.OVER: ("Đã kết thúc", "Finished"),
}


def wait_text(figure: WaitFigure | None, lang: str = "vi") -> str:
    """The words for a figure: "khoảng 25 phút" / "about 25 min", "Sắp đến lượt", …
    An absent figure (server not reachable) is an empty string: show nothing, not a guess."""
    if figure is None:
        return ""
    if figure.state is WaitState.MINUTES and figure.minutes is not None:
        return f"about {figure.minutes} min" if lang == "en" else f"khoảng {figure.minutes} phút"
    vi, en = _WORDS.get(figure.state, _WORDS[WaitState.NO_COUNTER_OPEN])
    return en if lang == "en" else vi
