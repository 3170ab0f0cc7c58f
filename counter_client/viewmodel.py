"""Everything a screen shows, as ready-made text: built from the presenter's state so the
Kivy files only place it. Pure Python, tested without a window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.client import StreamState
from shared.enums import CounterState, TicketStatus, TransferTarget

from .choices import short_service_name
from .commands import BY_COMMAND, Command, button_text
from .presenter import CounterPresenter, Dialog, Level
from .texts import (
    COUNTER_STATE_VI,
    PRIORITY_VI,
    TICKET_STATUS_VI,
    duration_vi,
    local_hhmm,
    minutes_vi,
)

MAIN_BUTTONS = (Command.CALL_NEXT, Command.RECALL, Command.START, Command.FINISH, Command.NO_SHOW, Command.TRANSFER,
                Command.HOLD, Command.CALL_SPECIFIC, Command.PAUSE, Command.OPEN, Command.DOSSIER, Command.CLOSE)


@dataclass(frozen=True)
class ButtonView:
    text: str
    enabled: bool


@dataclass(frozen=True)
class MainView:
    title: str = ""
    staff_line: str = ""
    counter_state: str = ""
    counter_state_kind: str = "closed"
    current_label: str = ""  # empty: nobody at the counter
    current_status: str = ""
    current_service: str = ""
    current_procedure: str = ""
    current_priority: str = ""
    current_timing: str = ""
    buttons: dict[str, ButtonView] = field(default_factory=dict)
    queue_rows: list[dict[str, Any]] = field(default_factory=list)
    waiting_summary: str = ""
    waiting_rows: list[dict[str, Any]] = field(default_factory=list)
    held_rows: list[dict[str, Any]] = field(default_factory=list)
    figures: str = ""
    stream_text: str = ""
    stream_ok: bool = True
    notice_text: str = ""
    notice_error: bool = False
    alert_text: str = ""
    activity_text: str = ""
    busy: bool = False


@dataclass(frozen=True)
class DialogView:
    kind: str = ""
    title: str = ""
    hint: str = ""
    target: str = ""
    query: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    with_search: bool = True
    with_reason: bool = True
    reason_hint: str = ""
    confirm_text: str = ""
    empty_text: str = ""
    height_ratio: float = 0.86  # of the window: lists need room, a question does not


@dataclass(frozen=True)
class PickView:
    title: str = ""
    staff_line: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    site_rows: list[dict[str, Any]] = field(default_factory=list)
    notice_text: str = ""
    busy: bool = False


def _stream(presenter: CounterPresenter) -> tuple[str, bool]:
    stream = presenter.state.stream
    if stream is StreamState.LIVE:
        return "Trực tuyến", True
    if stream is StreamState.RECONNECTING:
        return "Mất kết nối máy chủ – đang kết nối lại… Màn hình tự cập nhật khi kết nối trở lại.", False
    if stream is StreamState.CONNECTING:
        return "Đang kết nối…", False
    return "", True


def main_view(p: CounterPresenter) -> MainView:
    st = p.state
    snap = st.snapshot
    if snap is None:
        return MainView()
    counter = snap.counter
    site_name = st.site.name_vi if st.site else ""
    state_text = COUNTER_STATE_VI[counter.state]
    if counter.state is CounterState.PAUSED and counter.pause_reason:
        state_text += f" – {counter.pause_reason}"
    elapsed = p.monotonic() - st.snapshot_at
    stream_text, stream_ok = _stream(p)
    return MainView(
        title=f"Quầy {counter.number} · {site_name}",
        staff_line=f"Cán bộ: {st.staff.full_name}" if st.staff else "",
        counter_state=state_text,
        counter_state_kind=counter.state.value,
        **_current(p, elapsed),
        buttons=_buttons(p),
        queue_rows=[{
            "title": f"{q.service_code} · {q.service_name_vi}",
            "waiting": str(q.waiting),
            "priority": f"{q.priority_waiting} ưu tiên" if q.priority_waiting else "",
            "longest": f"lâu nhất {minutes_vi(q.longest_wait_seconds + elapsed)}" if q.waiting else "",
        } for q in snap.queues],
        waiting_summary=_waiting_summary(p, elapsed),
        waiting_rows=[{
            "label": w.label,
            "detail": f"chờ {minutes_vi(w.wait_seconds + elapsed)}{_sent_to(p, w.target_counter_id)}",
            "priority": PRIORITY_VI[w.priority] if w.priority != "normal" else "",
        } for w in snap.waiting],
        held_rows=[{"index": i, "label": t.label,
                    "text": f"Tiếp tục {t.label}\n[size=14sp]ALT+{i + 1}[/size]" if i < 9 else f"Tiếp tục {t.label}",
                    "enabled": p.available(Command.RESUME_HELD)}
                   for i, t in enumerate(snap.held_tickets)],
        figures=(f"Hôm nay: đã phục vụ {snap.figures.served_today} · vắng mặt {snap.figures.no_show_today}"
                 f" · trung bình {duration_vi(snap.figures.average_service_seconds)}/lượt"),
        stream_text=stream_text,
        stream_ok=stream_ok,
        notice_text=st.notice.text_vi if st.notice else "",
        notice_error=bool(st.notice and st.notice.level is Level.ERROR),
        alert_text=_alerts(p),
        activity_text="\n".join(list(st.activity)[:5]),
        busy=st.busy is not None,
    )


def _sent_to(p: CounterPresenter, counter_id: int | None) -> str:
    if counter_id is None:
        return ""
    if counter_id == p.counter_id:
        return " · chuyển đến quầy này"
    number = next((c["number"] for c in p.state.counters if c["id"] == counter_id), "?")
    return f" · đã chuyển cho quầy {number}"


def _current(p: CounterPresenter, elapsed: float) -> dict[str, str]:
    ticket = p.current
    if ticket is None:
        snap = p.state.snapshot
        idle = "Chưa gọi số nào. Nhấn F1 để gọi số tiếp theo."
        if snap is not None and snap.counter.state is CounterState.PAUSED:
            idle = "Quầy đang tạm nghỉ. Nhấn F10 để làm việc lại."
        elif snap is not None and snap.counter.state is CounterState.CLOSED:
            idle = "Quầy chưa mở. Nhấn F10 để mở quầy."
        return {"current_label": "", "current_status": idle, "current_service": "", "current_procedure": "",
                "current_priority": "", "current_timing": ""}
    status = TICKET_STATUS_VI[ticket.status]
    if ticket.status is TicketStatus.CALLED and ticket.recall_count:
        status += f" (đã gọi lại {ticket.recall_count} lần)"
    procedure = ""
    if ticket.procedure_code:
        procedure = f"{ticket.procedure_code} · {ticket.procedure_name_vi or ''}".strip(" ·")
    timing = []
    if ticket.called_at:
        timing.append(f"Gọi lúc {local_hhmm(ticket.called_at, p.tz)}")
    if ticket.started_at:
        timing.append(f"bắt đầu {local_hhmm(ticket.started_at, p.tz)}")
    timing.append(f"lấy số lúc {local_hhmm(ticket.issued_at, p.tz)}")
    return {
        "current_label": ticket.label,
        "current_status": status,
        "current_service": f"{ticket.service_code} · {ticket.service_name_vi}",
        "current_procedure": procedure or "Không ghi thủ tục (lấy số theo dịch vụ)",
        "current_priority": f"Ưu tiên: {PRIORITY_VI[ticket.priority]}" if ticket.priority != "normal" else "",
        "current_timing": " · ".join(timing),
    }


def _buttons(p: CounterPresenter) -> dict[str, ButtonView]:
    out = {}
    serving = p.current is not None and p.current.status is TicketStatus.SERVING
    paused = p.state.snapshot is not None and p.state.snapshot.counter.state is CounterState.PAUSED
    for command in (*MAIN_BUTTONS, Command.DISMISS_ALERT, Command.CHANGE_COUNTER):
        label = BY_COMMAND[command].label_vi
        if command is Command.CALL_NEXT and serving:
            label = "Xong & gọi tiếp"
        elif command is Command.OPEN and paused:
            label = "Làm việc lại"
        out[command.value] = ButtonView(button_text(command, label), p.available(command) and p.state.busy is None)
    return out


def _waiting_summary(p: CounterPresenter, elapsed: float) -> str:
    snap = p.state.snapshot
    assert snap is not None
    total = sum(q.waiting for q in snap.queues)
    priority = sum(q.priority_waiting for q in snap.queues)
    longest = max((q.longest_wait_seconds for q in snap.queues if q.waiting), default=None)
    if not total:
        return "Không có ai đang chờ."
    text = f"Đang chờ: {total} người"
    if priority:
        text += f" ({priority} ưu tiên)"
    if longest is not None:
        text += f" · lâu nhất {minutes_vi(longest + elapsed)}"
    return text


def _alerts(p: CounterPresenter) -> str:
    alerts = p.state.alerts
    if not alerts:
        return ""
    more = f"  (+{len(alerts) - 1} cảnh báo khác)" if len(alerts) > 1 else ""
    return f"Cảnh báo {local_hhmm(alerts[0].at, p.tz)}: {alerts[0].text_vi}{more}"


_TARGET_VI = {TransferTarget.SERVICE: "Dịch vụ khác", TransferTarget.COUNTER: "Quầy khác",
              TransferTarget.SITE: "Điểm phục vụ khác"}


def _confirm(label: str) -> str:
    return f"{label}\n[size=13sp]ENTER[/size]"


def dialog_view(p: CounterPresenter) -> DialogView:
    d = p.state.dialog
    if d.kind is Dialog.NONE:
        return DialogView()
    rows = [{"index": i, "title": o.title, "subtitle": o.subtitle, "selected": i == d.selected}
            for i, o in enumerate(p.dialog_options())]
    keys = "Mũi tên lên/xuống: chọn · Enter: xác nhận · Esc: hủy"
    label = p.current.label if p.current else ""
    if d.kind is Dialog.TRANSFER:
        return DialogView(
            kind=d.kind.value, title=f"Chuyển số {label} đến: {_TARGET_VI[d.transfer_target]}",
            hint=f"{keys} · Alt+S dịch vụ · Alt+C quầy · Alt+T điểm khác", target=d.transfer_target.value,
            query=d.query, rows=rows, reason_hint="Lý do chuyển (không bắt buộc)",
            confirm_text=_confirm("Chuyển"), empty_text="Không có mục nào khớp.")
    if d.kind is Dialog.CALL_SPECIFIC:
        return DialogView(
            kind=d.kind.value, title="Gọi một số cụ thể (không theo thứ tự)", hint=keys, query=d.query, rows=rows,
            reason_hint="Lý do gọi trước (ví dụ: người cao tuổi)", confirm_text=_confirm("Gọi số này"),
            empty_text="Không có số nào đang chờ khớp với tìm kiếm.")
    if d.kind is Dialog.PAUSE:
        return DialogView(
            kind=d.kind.value, title="Tạm nghỉ quầy", hint="Nhấn 1, 2 hoặc 3 · Esc hủy", rows=[
                {**r, "title": f"{r['index'] + 1}. {r['title']}"} for r in rows],
            with_search=False, reason_hint="Hoặc ghi lý do khác", confirm_text=_confirm("Tạm nghỉ"),
            height_ratio=0.64)
    return DialogView(
        kind=d.kind.value, title="Đóng quầy?", hint="Enter đóng quầy · Esc quay lại", with_search=False,
        with_reason=False, confirm_text=_confirm("Đóng quầy"), height_ratio=0.42,
        empty_text="Các số đang tạm giữ (nếu có) sẽ trở lại hàng chờ, giữ nguyên thứ tự.")


def pick_view(p: CounterPresenter) -> PickView:
    st = p.state
    codes = {}
    rows = []
    for c in st.counters:
        served = ", ".join(s["service_code"] for s in c["services"])
        codes[c["id"]] = served
        names = ", ".join(short_service_name(st.line_names.get(s["service_id"], s["service_code"]))
                          for s in c["services"])
        state = CounterState(c["state"])
        who = ""
        if state is not CounterState.CLOSED and c.get("staff_name"):
            mine = st.staff is not None and c.get("staff_id") == st.staff.id
            who = " · bạn đang mở" if mine else f" · {c['staff_name']} đang mở"
        rows.append({
            "id": c["id"], "title": f"Quầy {c['number']}",
            "detail": f"{names}\n{COUNTER_STATE_VI[state]}{who}",
            "selected": c["id"] == st.selected_counter_id,
            "remembered": c["id"] == p.settings.counter_id,
        })
    may_choose_site = st.staff is not None and st.staff.site_id is None
    return PickView(
        title=f"Chọn quầy làm việc · {st.site.name_vi}" if st.site else "Chọn quầy làm việc",
        staff_line=f"Xin chào {st.staff.full_name}. Chọn quầy rồi nhấn Enter." if st.staff else "",
        rows=rows,
        site_rows=[{"code": s.code, "title": s.code, "selected": st.site is not None and s.id == st.site.id}
                   for s in st.sites] if may_choose_site else [],
        notice_text=st.notice.text_vi if st.notice else "",
        busy=st.busy is not None,
    )
