"""What the counter app shows, as plain data: the screen (phase), the clerk, the site and
counter, the live snapshot, the open dialog, notices and alerts. The presenter and its
parts change it; the viewmodel turns it into what the screens draw."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.client import StreamState
from shared.enums import TransferTarget
from shared.protocol import CounterSnapshot, ServiceOut, SiteOut, StaffOut

from .commands import Command


class Phase(StrEnum):
    LOGIN = "login"
    PICK_COUNTER = "pick_counter"
    MAIN = "main"
    DOSSIER = "dossier"  # receiving the current citizen's dossier


AT_COUNTER = (Phase.MAIN, Phase.DOSSIER)


class Dialog(StrEnum):
    NONE = ""
    TRANSFER = "transfer"
    PAUSE = "pause"
    CALL_SPECIFIC = "call_specific"
    CLOSE_CONFIRM = "close_confirm"


class Level(StrEnum):
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    level: Level
    text_vi: str
    text_en: str = ""
    code: str = ""  # the server's error code, when it is an error


@dataclass(frozen=True)
class Alert:
    """Something at the site needs a person: a kiosk that could not print a ticket."""

    key: str
    text_vi: str
    text_en: str
    at: datetime


@dataclass
class DialogState:
    kind: Dialog = Dialog.NONE
    transfer_target: TransferTarget = TransferTarget.SERVICE
    query: str = ""
    selected: int = 0
    reason: str = ""
    nearby: dict[str, dict[str, Any]] = field(default_factory=dict)  # site code -> wait there


@dataclass
class DeskState:
    phase: Phase = Phase.LOGIN
    staff: StaffOut | None = None
    sites: list[SiteOut] = field(default_factory=list)
    site: SiteOut | None = None
    counters: list[dict[str, Any]] = field(default_factory=list)  # of the site, for picking and transfer
    line_names: dict[int, str] = field(default_factory=dict)  # service id -> its name, for counter tiles
    selected_counter_id: int | None = None
    snapshot: CounterSnapshot | None = None
    snapshot_at: float = 0.0  # monotonic time the snapshot arrived (waits keep ticking)
    services: list[ServiceOut] = field(default_factory=list)
    stream: StreamState = StreamState.STOPPED
    busy: Command | str | None = None
    notice: Notice | None = None
    alerts: list[Alert] = field(default_factory=list)
    activity: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    dialog: DialogState = field(default_factory=DialogState)
