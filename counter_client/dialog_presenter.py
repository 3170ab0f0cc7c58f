"""The counter's dialogs (transfer, pause, call a specific ticket, close): the options,
the search in them, the keys, and the action each submits. A part of the counter
presenter (`desk.dialogs`)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from shared.client import ApiError
from shared.enums import TransferTarget

from .choices import (
    Option,
    counter_options,
    matching,
    service_options,
    site_options,
    waiting_options,
)
from .commands import Command
from .desk_state import Dialog, DialogState, Level
from .texts import PAUSE_REASONS

if TYPE_CHECKING:
    from .presenter import CounterPresenter

log = logging.getLogger(__name__)
_TARGET_KEYS = {"alt+s": TransferTarget.SERVICE, "alt+c": TransferTarget.COUNTER, "alt+t": TransferTarget.SITE}


class DialogPresenter:
    name = "dialogs"

    def __init__(self, desk: CounterPresenter) -> None:
        self.desk = desk

    def open_dialog(self, kind: Dialog) -> asyncio.Task | None:
        self.desk.state.dialog = DialogState(kind=kind)
        self.desk.state.notice = None
        self.desk.changed()
        if kind is Dialog.TRANSFER:
            return self.desk.tasks.track(self._load_transfer_choices())
        return None

    async def _load_transfer_choices(self) -> None:
        """Counter states and the waits at other sites, fresh when the dialog opens."""
        site = self.desk.state.site
        if site is None:
            return
        try:
            await self.desk.session.load_counters()
            ticket = self.desk.current
            if ticket is not None and ticket.procedure_code:
                nearby = await self.desk.gateway.nearby(ticket.procedure_code, site.code)
                self.desk.state.dialog.nearby = {s["site_code"]: s for s in nearby.get("sites", [])}
        except ApiError as exc:
            log.info("transfer choices not refreshed: %s", exc)
        self.desk.changed()

    def close_dialog(self) -> None:
        self.desk.state.dialog = DialogState()
        self.desk.changed()

    def set_query(self, text: str) -> None:
        self.desk.state.dialog.query = text
        self.desk.state.dialog.selected = 0
        self.desk.changed()

    def set_reason(self, text: str) -> None:
        self.desk.state.dialog.reason = text

    def set_transfer_target(self, target: TransferTarget | str) -> None:
        self.desk.state.dialog.transfer_target = TransferTarget(target)
        self.desk.state.dialog.query = ""
        self.desk.state.dialog.selected = 0
        self.desk.changed()

    def select_option(self, index: int) -> None:
        options = self.dialog_options()
        if options:
            self.desk.state.dialog.selected = max(0, min(index, len(options) - 1))
            self.desk.changed()

    def dialog_options(self) -> list[Option]:
        dialog, st = self.desk.state.dialog, self.desk.state
        if dialog.kind is Dialog.PAUSE:
            return [Option(i, vi, en) for i, (vi, en) in enumerate(PAUSE_REASONS)]
        if dialog.kind is Dialog.CALL_SPECIFIC:
            options = waiting_options(st.snapshot, st.services, self.desk.monotonic() - st.snapshot_at)
        elif dialog.kind is not Dialog.TRANSFER:
            return []
        elif dialog.transfer_target is TransferTarget.SERVICE:
            options = service_options(st.services, self.desk.current)
        elif dialog.transfer_target is TransferTarget.COUNTER:
            options = counter_options(st.counters, st.services, self.desk.counter_id)
        else:
            options = site_options(st.sites, st.site.id if st.site else None, dialog.nearby)
        return matching(options, dialog.query)

    def submit_dialog(self, index: int | None = None) -> asyncio.Task | None:
        dialog = self.desk.state.dialog
        if self.desk.state.busy is not None:
            return None
        if dialog.kind is Dialog.CLOSE_CONFIRM:
            return self.desk.act(Command.CLOSE, "close")
        options = self.dialog_options()
        if index is not None:
            dialog.selected = index
        chosen = options[dialog.selected] if 0 <= dialog.selected < len(options) else None
        if dialog.kind is Dialog.PAUSE:
            reason = dialog.reason.strip() or (chosen.title if chosen else "")
            return self.desk.act(Command.PAUSE, "pause", {"reason": reason})
        if chosen is None:
            self.desk.notify(Level.ERROR, "Hãy chọn một mục trong danh sách.", "Choose an item in the list.")
            self.desk.changed()
            return None
        if dialog.kind is Dialog.CALL_SPECIFIC:
            return self.desk.act(Command.CALL_SPECIFIC, "call", {"ticket_id": chosen.id, "reason": dialog.reason.strip()})
        if dialog.kind is Dialog.TRANSFER:
            target = dialog.transfer_target
            body: dict[str, Any] = {"target": target.value, "reason": dialog.reason.strip()}
            body[{TransferTarget.SERVICE: "service_id", TransferTarget.COUNTER: "counter_id",
                  TransferTarget.SITE: "site_code"}[target]] = chosen.id
            return self.desk.act(Command.TRANSFER, "transfer", body)
        return None

    def dialog_key(self, name: str) -> bool:
        dialog = self.desk.state.dialog
        if name == "escape":
            self.close_dialog()
        elif name in ("enter", "numpadenter"):
            self.submit_dialog()
        elif name == "down":
            self.select_option(dialog.selected + 1)
        elif name == "up":
            self.select_option(dialog.selected - 1)
        elif dialog.kind is Dialog.TRANSFER and name in _TARGET_KEYS:
            self.set_transfer_target(_TARGET_KEYS[name])
        elif dialog.kind is Dialog.PAUSE and name in ("1", "2", "3"):
            self.submit_dialog(int(name) - 1)
        else:
            return False
        return True
