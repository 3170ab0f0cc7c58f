"""The clerk's commands and their keyboard shortcuts, shown on the buttons.

One table, so the button text, the key handler and the tests cannot disagree. F-keys are
chosen because they need no focus and no modifier: a clerk can call, recall and finish
with one hand while taking papers with the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    CALL_NEXT = "call_next"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    HOLD = "hold"
    CALL_SPECIFIC = "call_specific"
    PAUSE = "pause"
    OPEN = "open"
    DOSSIER = "dossier"
    CLOSE = "close"
    RESUME_HELD = "resume_held"  # with the held ticket's position: alt+1 .. alt+9
    DISMISS_ALERT = "dismiss_alert"
    CHANGE_COUNTER = "change_counter"


@dataclass(frozen=True)
class CommandSpec:
    command: Command
    key: str  # as Kivy names it: "f1", "escape", "alt+1" ...
    label_vi: str
    label_en: str


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(Command.CALL_NEXT, "f1", "Gọi số tiếp", "Call next"),
    CommandSpec(Command.RECALL, "f2", "Gọi lại", "Recall"),
    CommandSpec(Command.START, "f3", "Bắt đầu", "Start"),
    CommandSpec(Command.FINISH, "f4", "Kết thúc", "Finish"),
    CommandSpec(Command.NO_SHOW, "f5", "Vắng mặt", "No-show"),
    CommandSpec(Command.TRANSFER, "f6", "Chuyển…", "Transfer…"),
    CommandSpec(Command.HOLD, "f7", "Tạm giữ", "Hold"),
    CommandSpec(Command.CALL_SPECIFIC, "f8", "Gọi số…", "Call a number…"),
    CommandSpec(Command.PAUSE, "f9", "Tạm nghỉ…", "Pause…"),
    CommandSpec(Command.OPEN, "f10", "Mở quầy", "Open counter"),
    CommandSpec(Command.DOSSIER, "f11", "Hồ sơ", "Dossier"),
    CommandSpec(Command.CLOSE, "f12", "Đóng quầy", "Close counter"),
    CommandSpec(Command.DISMISS_ALERT, "alt+d", "Đã xử lý", "Dismiss"),
    CommandSpec(Command.CHANGE_COUNTER, "alt+q", "Đổi quầy", "Change counter"),
)

BY_COMMAND = {spec.command: spec for spec in SPECS}
KEYMAP = {spec.key: spec.command for spec in SPECS}
HELD_KEYS = {f"alt+{n}": n - 1 for n in range(1, 10)}  # resume the n-th held ticket


def key_name(key: str, modifiers: frozenset[str] | set[str] | tuple[str, ...] = ()) -> str:
    """"f1" or "alt+1": modifiers that matter for shortcuts, then the key, lower case."""
    mods = [m for m in ("ctrl", "alt") if m in set(modifiers)]
    return "+".join([*mods, key.lower()])


def button_text(command: Command, label_vi: str | None = None) -> str:
    """The caption with its shortcut under it (Kivy markup)."""
    spec = BY_COMMAND[command]
    # the key in the label's own colour: a fixed white would vanish on a disabled button
    return f"{label_vi or spec.label_vi}\n[size=14sp]{spec.key.upper()}[/size]"
