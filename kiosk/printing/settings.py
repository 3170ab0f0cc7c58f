"""Which printer a kiosk or counter prints to, read from a plain mapping or the environment.

A wrong setting fails when it is read (at start-up), with the offending key named; it
never waits to surface as a blank ticket in front of a citizen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

from kiosk.printing.render import PAPER_DOTS

Connection = Literal["usb", "network", "serial", "cups", "file", "dummy"]
QrMode = Literal["native", "image"]

CONNECTIONS = ("usb", "network", "serial", "cups", "file", "dummy")
QR_MODES = ("native", "image")
ENV_PREFIX = "MOTCUA_PRINTER_"

_TRUE = {"1", "true", "yes", "on", "co", "có"}
_FALSE = {"0", "false", "no", "off", "khong", "không"}


@dataclass(frozen=True)
class PrinterSettings:
    connection: Connection = "dummy"
    # usb
    vendor_id: int | None = None
    product_id: int | None = None
    # network (raw TCP, "JetDirect" port)
    host: str | None = None
    port: int = 9100
    # serial
    device: str | None = None
    baudrate: int = 9600
    # cups
    printer_name: str | None = None
    # file (e.g. /dev/usb/lp0 or a file to inspect)
    path: str | None = None
    # Seconds for any single wait on the printer: connect, send, status reply.
    timeout: float = 5.0
    paper_width_mm: Literal[80, 58] = 80
    # Dots per line when the printer differs from 576/384 (Epson TM-T88: 512 on 80 mm).
    dots: int | None = None
    qr_mode: QrMode = "image"
    cut: bool = True
    # Ask the printer (DLE EOT) whether it is online and has paper, before and after the
    # ticket. Only for printers that answer; a silent printer then fails every ticket.
    status_check: bool = False
    # Network: after sending, wait until the printer closes the connection, which proves
    # it read every byte. Turn off for a printer that keeps connections open.
    confirm_receipt: bool = True

    def __post_init__(self) -> None:
        def bad(key: str, why: str) -> ValueError:
            return ValueError(f"printer setting {key!r}: {why}")

        if self.connection not in CONNECTIONS:
            raise bad("connection", f"must be one of {', '.join(CONNECTIONS)}")
        if self.qr_mode not in QR_MODES:
            raise bad("qr_mode", "must be native or image")
        if self.paper_width_mm not in PAPER_DOTS:
            raise bad("paper_width_mm", "must be 80 or 58")
        if self.dots is not None and (self.dots % 8 or not 256 <= self.dots <= 832):
            raise bad("dots", "must be a multiple of 8 between 256 and 832")
        if not 0 < self.timeout <= 300:
            raise bad("timeout", "must be between 0 and 300 seconds")
        if not 0 < self.port < 65536:
            raise bad("port", "must be a TCP port number")
        if self.baudrate <= 0:
            raise bad("baudrate", "must be positive")
        required = {
            "usb": ("vendor_id", "product_id"),
            "network": ("host",),
            "serial": ("device",),
            "file": ("path",),
        }.get(self.connection, ())
        for key in required:
            if getattr(self, key) in (None, ""):
                raise bad(key, f"is required for a {self.connection} printer")

    @property
    def width_dots(self) -> int:
        return self.dots or PAPER_DOTS[self.paper_width_mm]

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> PrinterSettings:
        """Build from strings (a config file section, env values) or already typed values.

        Unknown keys are refused: a typo like "hots" must not silently print nowhere.
        """
        known = {f.name: f for f in fields(cls)}
        parsed: dict[str, object] = {}
        for raw_key, raw in values.items():
            key = raw_key.strip().lower()
            if key not in known:
                raise ValueError(f"unknown printer setting {raw_key!r}")
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue
            parsed[key] = _convert(key, raw)
        return cls(**parsed)  # type: ignore[arg-type]

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX
    ) -> PrinterSettings:
        """MOTCUA_PRINTER_CONNECTION=network, MOTCUA_PRINTER_HOST=192.168.1.50, ..."""
        env = os.environ if environ is None else environ
        return cls.from_mapping(
            {key[len(prefix) :]: value for key, value in env.items() if key.startswith(prefix)}
        )


def _convert(key: str, raw: object) -> object:
    whole_numbers = ("vendor_id", "product_id", "port", "baudrate", "dots", "paper_width_mm")
    if not isinstance(raw, str):
        if key in whole_numbers and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise ValueError(f"printer setting {key!r}: expected a whole number, got {raw!r}")
        return raw
    text = raw.strip()
    try:
        if key in ("vendor_id", "product_id"):
            # USB ids are written in hex everywhere (lsusb: 0416:5011).
            return int(text, 16)
        if key in whole_numbers:
            return int(text.lower().removesuffix("mm"))
        if key == "timeout":
            return float(text)
    except ValueError:
        raise ValueError(f"printer setting {key!r}: {raw!r} is not a number") from None
    if key in ("cut", "status_check", "confirm_receipt"):
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"printer setting {key!r}: {raw!r} is not yes/no")
    if key in ("connection", "qr_mode"):
        return text.lower()
    return text
