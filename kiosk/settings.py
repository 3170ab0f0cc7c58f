"""The kiosk's settings: read from an INI file, then MOTCUA_KIOSK_* / MOTCUA_PRINTER_*
environment variables (which win), validated at start-up, saved back by the settings screen.

    [kiosk]
    server_url = http://10.0.0.5:8000
    device_token = mcd_...
    site_code = HUE-TT
    idle_timeout = 60          ; seconds without a touch before any screen returns home
    ticket_timeout = 20        ; seconds the printed ticket stays on screen
    language = vi              ; vi or en: the language a new citizen starts in
    settings_pin = 246810      ; or settings_pin_hash (what the settings screen writes)
    fullscreen = yes

    [printer]
    address = network:192.168.1.50:9100   ; or usb:0416:5011, serial:/dev/ttyUSB0@9600,
                                          ; cups:TM-T20, file:/dev/usb/lp0, dummy
    paper_width_mm = 80
    qr_mode = image

Any key of kiosk.printing.PrinterSettings may also be given in [printer] (host, port,
vendor_id, timeout, status_check, ...). A wrong value stops start-up with the key named.
"""

from __future__ import annotations

import configparser
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kiosk.printing.settings import ENV_PREFIX as PRINTER_ENV_PREFIX
from kiosk.printing.settings import PrinterSettings
from shared.client import valid_server_urls

ENV_PREFIX = "MOTCUA_KIOSK_"
LANGUAGES = ("vi", "en")
PIN_HASH_ITERATIONS = 120_000

_TRUE = {"1", "true", "yes", "on", "co", "có"}
_FALSE = {"0", "false", "no", "off", "khong", "không"}


class SettingsError(ValueError):
    """A setting that cannot work; the message names the key."""


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "motcua" / "kiosk.ini"


# ---- printer address: one string an operator can type on the settings screen ------------
def parse_printer_address(address: str) -> dict[str, Any]:
    """"network:192.168.1.50:9100" -> {"connection": "network", "host": ..., "port": 9100}."""
    text = address.strip()
    if not text or text == "dummy":
        return {"connection": "dummy"}
    kind, _, rest = text.partition(":")
    kind = kind.strip().lower()
    rest = rest.strip()

    def bad(why: str) -> SettingsError:
        return SettingsError(f"printer address {address!r}: {why}")

    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if not host:
            raise bad("give network:HOST or network:HOST:PORT")
        out: dict[str, Any] = {"connection": "network", "host": host}
        if port:
            if not port.isdigit():
                raise bad("the port must be a number")
            out["port"] = int(port)
        return out
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        try:
            return {"connection": "usb", "vendor_id": int(vendor, 16), "product_id": int(product, 16)}
        except ValueError:
            raise bad("give usb:VENDOR:PRODUCT in hex, as lsusb shows (usb:0416:5011)") from None
    if kind == "serial":
        device, _, baud = rest.partition("@")
        if not device:
            raise bad("give serial:/dev/ttyUSB0 or serial:/dev/ttyUSB0@9600")
        out = {"connection": "serial", "device": device}
        if baud:
            if not baud.isdigit():
                raise bad("the baud rate must be a number")
            out["baudrate"] = int(baud)
        return out
    if kind == "cups":
        if not rest:
            raise bad("give cups:PRINTER_NAME")
        return {"connection": "cups", "printer_name": rest}
    if kind == "file":
        if not rest:
            raise bad("give file:/dev/usb/lp0 or file:/path/to/ticket.bin")
        return {"connection": "file", "path": rest}
    raise bad("start with network:, usb:, serial:, cups:, file: or dummy")


def printer_address(p: PrinterSettings) -> str:
    """The inverse of parse_printer_address, for showing and saving."""
    if p.connection == "network":
        return f"network:{p.host}:{p.port}"
    if p.connection == "usb":
        return f"usb:{p.vendor_id or 0:04x}:{p.product_id or 0:04x}"
    if p.connection == "serial":
        return f"serial:{p.device}@{p.baudrate}"
    if p.connection == "cups":
        return f"cups:{p.printer_name or ''}"
    if p.connection == "file":
        return f"file:{p.path}"
    return "dummy"


# ---- PIN ---------------------------------------------------------------------------------
def hash_pin(pin: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), PIN_HASH_ITERATIONS).hex()
    return f"pbkdf2${salt}${digest}"


def pin_matches(pin: str, stored_hash: str) -> bool:
    try:
        scheme, salt, _ = stored_hash.split("$")
    except ValueError:
        return False
    return scheme == "pbkdf2" and hmac.compare_digest(hash_pin(pin, salt), stored_hash)


def check_new_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise SettingsError("settings_pin: 4 to 12 digits")


# ---- the settings ------------------------------------------------------------------------
@dataclass(frozen=True)
class KioskSettings:
    server_url: str = "http://127.0.0.1:8000"
    device_token: str = ""
    site_code: str = ""
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    idle_timeout: int = 60
    ticket_timeout: int = 20
    language: str = "vi"
    settings_pin_hash: str = ""
    fullscreen: bool = False
    # Where the settings screen saves; None = cannot save (settings only from environment).
    config_path: Path | None = None

    def __post_init__(self) -> None:
        if not valid_server_urls(self.server_url):  # one URL, or several separated by commas
            raise SettingsError("server_url: must start with http:// or https://")
        if self.language not in LANGUAGES:
            raise SettingsError("language: vi or en")
        if not 10 <= self.idle_timeout <= 3600:
            raise SettingsError("idle_timeout: between 10 and 3600 seconds")
        if not 5 <= self.ticket_timeout <= 600:
            raise SettingsError("ticket_timeout: between 5 and 600 seconds")

    @property
    def configured(self) -> bool:
        """Enough to serve citizens: a server, a device token and a site."""
        return bool(self.device_token and self.site_code)

    @property
    def has_pin(self) -> bool:
        return bool(self.settings_pin_hash)

    def with_values(self, values: Mapping[str, str]) -> KioskSettings:
        """Apply the settings screen's text fields (same keys as the file's)."""
        return _apply(self, dict(values), printer_base=self.printer)


_KIOSK_KEYS = {f.name for f in fields(KioskSettings)} - {"printer", "config_path"}
# Keys accepted in [kiosk] / MOTCUA_KIOSK_* besides the dataclass fields.
_KIOSK_EXTRA = {"settings_pin", "printer", "paper_width", "paper_width_mm", "qr_mode"}


def _as_bool(key: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(f"{key}: {raw!r} is not yes/no")


def _as_int(key: str, raw: str) -> int:
    try:
        return int(raw.strip().lower().removesuffix("s").removesuffix("mm"))
    except ValueError:
        raise SettingsError(f"{key}: {raw!r} is not a whole number") from None


def _apply(base: KioskSettings, values: dict[str, str], printer_base: PrinterSettings,
           printer_values: dict[str, str] | None = None) -> KioskSettings:
    """Layer text values over `base`: kiosk keys, then the printer (address + details)."""
    changes: dict[str, Any] = {}
    printer_map: dict[str, Any] = {}
    for raw_key, raw in values.items():
        key = raw_key.strip().lower()
        if key not in _KIOSK_KEYS | _KIOSK_EXTRA:
            raise SettingsError(f"unknown kiosk setting {raw_key!r}")
        value = raw.strip() if isinstance(raw, str) else raw
        if key in ("idle_timeout", "ticket_timeout"):
            changes[key] = _as_int(key, value)
        elif key == "fullscreen":
            changes[key] = _as_bool(key, value)
        elif key == "language":
            changes[key] = value.lower()
        elif key == "server_url":
            changes[key] = value.rstrip("/")
        elif key == "site_code":
            changes[key] = value.upper()
        elif key == "settings_pin":
            if value:
                check_new_pin(value)
                changes["settings_pin_hash"] = hash_pin(value)
        elif key == "printer":
            printer_map.update(parse_printer_address(value))
        elif key in ("paper_width", "paper_width_mm"):
            printer_map["paper_width_mm"] = _as_int(key, value)
        elif key == "qr_mode":
            printer_map["qr_mode"] = value.lower()
        else:
            changes[key] = value
    merged = {**(printer_values or {})}
    if "address" in merged:
        merged.update(parse_printer_address(str(merged.pop("address"))))
    merged.update(printer_map)
    changes["printer"] = _merge_printer(printer_base, merged)
    try:
        return replace(base, **changes)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


# Where a printer is: reset when the connection changes, so a USB printer keeps no stale host.
_PRINTER_TARGET = ("vendor_id", "product_id", "host", "port", "device", "baudrate", "printer_name", "path")


def _merge_printer(base: PrinterSettings, values: Mapping[str, Any]) -> PrinterSettings:
    if not values:
        return base
    defaults = PrinterSettings()
    current = {f.name: getattr(base, f.name) for f in fields(PrinterSettings)}
    if "connection" in values:
        current.update({k: getattr(defaults, k) for k in _PRINTER_TARGET})
    current.update(values)
    try:
        return PrinterSettings.from_mapping(current)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> KioskSettings:
    """Defaults, then the file (if it exists), then the environment.

    path None: MOTCUA_KIOSK_CONFIG, else ~/.config/motcua/kiosk.ini.
    """
    env = os.environ if environ is None else environ
    if path is None:
        path = Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else default_config_path()
    settings = KioskSettings(config_path=path)
    if path.exists():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise SettingsError(f"{path}: {exc}") from None
        unknown = set(parser.sections()) - {"kiosk", "printer"}
        if unknown:
            raise SettingsError(f"{path}: unknown section [{sorted(unknown)[0]}]")
        kiosk_values = dict(parser["kiosk"]) if parser.has_section("kiosk") else {}
        printer_values = dict(parser["printer"]) if parser.has_section("printer") else {}
        try:
            settings = _apply(settings, kiosk_values, settings.printer, printer_values)
        except SettingsError as exc:
            raise SettingsError(f"{path}: {exc}") from None
    kiosk_env = {
        k[len(ENV_PREFIX):].lower(): v for k, v in env.items()
        if k.startswith(ENV_PREFIX) and k != ENV_PREFIX + "CONFIG"
    }
    printer_env = {k[len(PRINTER_ENV_PREFIX):].lower(): v for k, v in env.items() if k.startswith(PRINTER_ENV_PREFIX)}
    if kiosk_env or printer_env:
        try:
            settings = _apply(settings, kiosk_env, settings.printer, printer_env)
        except SettingsError as exc:
            raise SettingsError(f"environment: {exc}") from None
    return settings


def save_settings(settings: KioskSettings, path: Path | None = None) -> Path:
    """Write the file the settings screen edits (atomically: a power cut keeps the old one)."""
    target = path or settings.config_path or default_config_path()
    p = settings.printer
    parser = configparser.ConfigParser(interpolation=None)
    parser["kiosk"] = {
        "server_url": settings.server_url,
        "device_token": settings.device_token,
        "site_code": settings.site_code,
        "idle_timeout": str(settings.idle_timeout),
        "ticket_timeout": str(settings.ticket_timeout),
        "language": settings.language,
        "fullscreen": "yes" if settings.fullscreen else "no",
    }
    if settings.settings_pin_hash:
        parser["kiosk"]["settings_pin_hash"] = settings.settings_pin_hash
    parser["printer"] = {
        "address": printer_address(p),
        "paper_width_mm": str(p.paper_width_mm),
        "qr_mode": p.qr_mode,
        "timeout": str(p.timeout),
        "cut": "yes" if p.cut else "no",
        "status_check": "yes" if p.status_check else "no",
        "confirm_receipt": "yes" if p.confirm_receipt else "no",
    }
    if p.dots:
        parser["printer"]["dots"] = str(p.dots)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write("# motcua kiosk settings (written by the settings screen)\n")
        parser.write(handle)
    os.replace(temporary, target)
    # The device token is a credential: readable by the kiosk's user only.
    os.chmod(target, 0o600)
    return target
