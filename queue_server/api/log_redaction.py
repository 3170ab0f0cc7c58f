"""No credential in a log line, whoever writes it (uvicorn's access log, its WebSocket
lines, our own loggers, a library's warning).

Clients no longer put tokens in URLs, but an old kiosk may still send `?token=mcd_…`, a
bookmark may hold it, and a citizen's ticket link carries its key in the path. Log records
are redacted where they are made (a record factory), so no handler or log configuration
can forget it: a `token=` value, any `mcs_`/`mcd_`/`mcp_` token, and the key in a ticket or
pairing path become `…`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "…"
_QUERY_SECRET = re.compile(r"(?i)((?:token|access_token|pin|password)=)[^&\s\"'#]+")
_OUR_TOKENS = re.compile(r"\bmc[sdp]_[A-Za-z0-9_\-]{4,}")
_KEY_IN_PATH = re.compile(r"(/t/|/public/tickets/|/display/pair/)[A-Za-z0-9_\-]{8,}")
_MARKERS = ("token", "pin=", "password=", "mcs_", "mcd_", "mcp_", "/t/", "/public/tickets/", "/display/pair/")


def redact(text: str) -> str:
    if not any(m in text for m in _MARKERS):
        return text  # the common case: one scan, no regex
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    text = _OUR_TOKENS.sub(lambda m: m.group(0)[:4] + REDACTED, text)
    return _KEY_IN_PATH.sub(lambda m: m.group(1) + REDACTED, text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def install() -> None:
    """Wrap the process's log record factory once (idempotent: each worker calls it)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "motcua_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return record

    factory.motcua_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
