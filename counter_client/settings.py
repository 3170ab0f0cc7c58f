"""Where the counter app connects and what it remembers between days.

Layers, later wins: built-in defaults, the settings file (JSON), `MOTCUA_COUNTER_*`
environment variables, command-line options. Only what the clerk chose at the counter
(counter, user name) is written back to the file; a password never is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.client import valid_server_urls

ENV_PREFIX = "MOTCUA_COUNTER_"


def _data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "motcua"


def default_settings_path() -> Path:
    explicit = os.environ.get(ENV_PREFIX + "SETTINGS")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "motcua" / "counter.json"


@dataclass(frozen=True)
class CounterSettings:
    server_url: str = "http://127.0.0.1:8000"
    site_code: str = ""  # empty: the logged-in clerk's own site
    counter_id: int | None = None  # remembered: offered first after login
    username: str = ""  # remembered: pre-filled on the login screen
    fullscreen: bool = False
    time_zone: str = "Asia/Ho_Chi_Minh"  # every time shown at the counter is local time
    # Receipt slip: "pdf" (save and open the PDF) or "escpos" (the counter's receipt printer).
    receipt_output: str = "pdf"
    receipt_page: str = "A5"
    printer_url: str = ""  # e.g. tcp://192.168.1.50:9100 or file:///dev/usb/lp0
    paper_mm: int = 80  # the receipt printer's paper: 80 or 58
    scanner_folder: str = ""  # a folder a network scanner drops files into (watched)
    documents_folder: str = field(default_factory=lambda: str(_data_dir() / "giay-to"))  # PDFs saved here
    open_documents: bool = True  # open each saved PDF in the desktop's viewer, to print it
    rating_screen: bool = False  # show the rating screen on a second, citizen-facing display
    rating_screen_position: str = ""  # "LEFT,TOP" of that window, e.g. "1920,0" right of a 1080p desk screen
    path: Path = field(default_factory=default_settings_path, compare=False)

    def remembered(self, **changes: Any) -> CounterSettings:
        return replace(self, **changes)


_INT_FIELDS = {"counter_id", "paper_mm"}
_BOOL_FIELDS = {"fullscreen", "open_documents", "rating_screen"}
_STORED = [f.name for f in fields(CounterSettings) if f.name != "path"]


def _coerce(name: str, value: Any) -> Any:
    if name in _INT_FIELDS:
        if value in (None, ""):
            return None
        number = int(value)
        if number < 1:
            raise ValueError(f"{name} must be a positive number")
        return number
    if name in _BOOL_FIELDS:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on", "co", "có")
        return bool(value)
    return str(value).strip()


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> CounterSettings:
    env = os.environ if env is None else env
    path = path or default_settings_path()
    values: dict[str, Any] = {}
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read the settings file {path}: {exc}") from exc
        if not isinstance(stored, dict):
            raise SettingsError(f"the settings file {path} must hold a JSON object")
        values.update({k: v for k, v in stored.items() if k in _STORED})
    for name in _STORED:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        coerced = {k: _coerce(k, v) for k, v in values.items()}
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
    settings = CounterSettings(path=path, **coerced)
    if not valid_server_urls(settings.server_url):  # one URL, or several separated by commas
        raise SettingsError(f"server_url must start with http:// or https:// (got {settings.server_url!r})")
    try:
        ZoneInfo(settings.time_zone)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise SettingsError(f"unknown time_zone {settings.time_zone!r}") from exc
    if settings.paper_mm not in (58, 80):
        raise SettingsError("paper_mm must be 58 or 80")
    if settings.receipt_page not in ("A5", "A4"):
        raise SettingsError("receipt_page must be A5 or A4")
    if settings.receipt_output not in ("pdf", "escpos"):
        raise SettingsError("receipt_output must be 'pdf' or 'escpos'")
    return settings


def save_settings(settings: CounterSettings) -> None:
    """Write atomically: a crash mid-write must not leave the counter unable to start."""
    data = {k: v for k, v in asdict(settings).items() if k != "path"}
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings.path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(settings.path)


class SettingsError(ValueError):
    pass
