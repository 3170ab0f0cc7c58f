"""Jinja2 rendering with the filters the pages share, and the security headers every page
carries (no inline script runs: state reaches scripts as JSON data blocks)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from queue_server.web.assets import asset_url
from shared import glossary
from shared.look import css_variables
from shared.wait_words import figure_from, wait_text

TEMPLATES = Path(__file__).parent / "templates"


def _minutes(seconds: float | int | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 60:.0f}"


def _hhmm(moment: datetime | str | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%H:%M")


def _day(moment: datetime | date | str | None, tz: ZoneInfo) -> str:
    """dd/mm/yyyy as Vietnamese write dates; a moment is read in the center's time zone."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if isinstance(moment, datetime):
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz).date()
    return moment.strftime("%d/%m/%Y")


def _json_block(value: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no '</script>' breakout)."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    # Vietnamese writes 1.234,5
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def _wait_words(minutes: float | None, lang: str = "vi") -> str:
    """A what-if wait (balancing suggestions) in the words and rounding of the one wait figure."""
    return wait_text(figure_from(minutes, any_counter_open=minutes is not None), lang)


@lru_cache(maxsize=1)
def look_css() -> Markup:
    """The palette tokens and the screen font (Roboto, served from shared/fonts) for a page's
    <style>: pages built on them share one look with the kiosk and the displays."""
    faces = "".join(
        f"@font-face{{font-family:'Roboto';font-weight:{weight};font-display:swap;"
        f"src:url('/static/fonts/{name}') format('truetype')}}\n"
        for name, weight in (("Roboto-Regular.ttf", 400), ("Roboto-Bold.ttf", 700)))
    return Markup(css_variables() + faces)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = asset_url
    env.globals["look_css"] = look_css
    env.globals["glossary"] = glossary
    env.filters["minutes"] = _minutes
    env.filters["json_block"] = _json_block
    env.filters["number"] = _number
    env.filters["wait_words"] = _wait_words
    return env


def render(request: Request, template: str, status: int = 200, *, private: bool = True,
           **context: Any) -> HTMLResponse:
    tz = request.app.state.wiring.settings.tz
    env = environment()
    html = env.get_template(template).render(
        request=request, hhmm=lambda m: _hhmm(m, tz), local_date=lambda m: _day(m, tz), **context,
    )
    response = HTMLResponse(html, status_code=status)
    secure_headers(request, response, private=private)
    return response


def secure_headers(request: Request, response, *, private: bool = True) -> None:  # noqa: ANN001
    host = request.headers.get("host", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' ws://{host} wss://{host}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The citizen's URL carries the ticket's token: never hand it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
