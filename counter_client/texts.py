"""Words the clerk reads: state names, priority classes, what just happened.

Vietnamese first; the English twin is kept beside it for logs and for a colleague who
reads English better.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from shared.enums import CounterState, TicketStatus, TransferTarget
from shared.protocol import TicketOut

from .commands import Command

PRIORITY_VI = {
    "normal": "thường", "elderly": "người cao tuổi", "disability": "người khuyết tật",
    "pregnancy": "phụ nữ mang thai", "merit": "người có công", "child": "có trẻ nhỏ", "appointment": "đặt lịch hẹn",
}
COUNTER_STATE_VI = {CounterState.OPEN: "Đang mở", CounterState.PAUSED: "Tạm nghỉ", CounterState.CLOSED: "Đóng"}
TICKET_STATUS_VI = {
    TicketStatus.CALLED: "Đã gọi – chờ công dân đến quầy",
    TicketStatus.SERVING: "Đang phục vụ",
    TicketStatus.HELD: "Đang tạm giữ",
    TicketStatus.WAITING: "Đang chờ",
    TicketStatus.DONE: "Đã hoàn thành",
    TicketStatus.NO_SHOW: "Vắng mặt",
    TicketStatus.CANCELLED: "Đã hủy",
}
PRINT_ERRORS = {
    "paper_out": ("hết giấy", "out of paper"),
    "offline": ("máy in mất kết nối", "printer offline"),
    "error": ("lỗi máy in", "printer error"),
}
PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("Nghỉ giải lao", "Break"),
    ("Họp", "Meeting"),
    ("Công việc khác", "Other work"),
)


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now().astimezone()


def local_hhmm(value: Any, tz: tzinfo) -> str:
    return parse_time(value).astimezone(tz).strftime("%H:%M")


def duration_vi(seconds: float | None) -> str:
    """"6 phút 20 giây", "1 giờ 5 phút", "45 giây"."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes} phút"
    if minutes:
        return f"{minutes} phút {secs} giây" if secs else f"{minutes} phút"
    return f"{secs} giây"


def minutes_vi(seconds: float) -> str:
    minutes = int(max(0, seconds) // 60)
    return "dưới 1 phút" if minutes < 1 else f"{minutes} phút"


# Commands whose success says only which ticket it was: (Vietnamese, English), {label} filled in.
_DONE_WITH_TICKET: dict[Command, tuple[str, str]] = {
    Command.START: ("Bắt đầu phục vụ số {label}.", "Serving {label}."),
    Command.FINISH: ("Đã hoàn thành số {label}.", "Finished {label}."),
    Command.NO_SHOW: ("Số {label} được đánh dấu vắng mặt.", "{label} marked as no-show."),
    Command.HOLD: ("Đã tạm giữ số {label}. Nhấn Alt+1 để tiếp tục.", "{label} is on hold."),
    Command.RESUME_HELD: ("Tiếp tục phục vụ số {label}.", "Resumed {label}."),
}


def success_text(command: Command, ticket: TicketOut | None, body: dict | None,
                 counter_number: Callable[[int | None], int | str]) -> tuple[str, str]:
    """What to tell the clerk after the server accepted `command`."""
    label = ticket.label if ticket else ""
    body = body or {}
    if command in (Command.CALL_NEXT, Command.CALL_SPECIFIC):
        finished = "Đã kết thúc số trước. " if body.get("finish_current") else ""
        return f"{finished}Đã gọi số {label}.", f"Called {label}."
    if command is Command.RECALL:
        return f"Đã gọi lại số {label} (lần {ticket.recall_count if ticket else '?'}).", f"Recalled {label}."
    if command in _DONE_WITH_TICKET:
        vi, en = _DONE_WITH_TICKET[command]
        return vi.format(label=label), en.format(label=label)
    if command is Command.TRANSFER and ticket is not None:
        target = body.get("target")
        if target == TransferTarget.SERVICE:
            return (f"Đã chuyển số {label} sang dịch vụ {ticket.service_code}.",
                    f"{label} moved to service {ticket.service_code}.")
        if target == TransferTarget.COUNTER:
            number = counter_number(body.get("counter_id"))
            return f"Đã chuyển số {label} đến quầy {number}.", f"{label} sent to counter {number}."
        return (f"Đã chuyển sang {ticket.site_name_vi}: số mới {label}.",
                f"Moved to {ticket.site_code}: new number {label}.")
    if command is Command.OPEN:
        return "Quầy đã mở. Nhấn F1 để gọi số.", "Counter open. Press F1 to call."
    if command is Command.PAUSE:
        return f"Quầy tạm nghỉ: {body.get('reason') or 'không ghi lý do'}.", "Counter paused."
    if command is Command.CLOSE:
        return "Quầy đã đóng.", "Counter closed."
    return "Xong.", "Done."
