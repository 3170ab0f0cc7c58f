"""The ticket state machine: which action may move a ticket from which status.

Every change of a ticket goes through `next_status`, so an illegal move is refused in one
place with a message the clerk understands, whatever door the request came through.
"""

from enum import StrEnum

from shared.enums import TicketStatus as S

from .errors import IllegalTransition


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REQUEUE = "requeue"  # a no-show put back in line by the re-queue rule
    TRANSFER = "transfer"
    HOLD = "hold"
    RESUME = "resume"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[Action, S], S] = {
    (Action.CALL, S.WAITING): S.CALLED,
    (Action.CALL, S.NO_SHOW): S.CALLED,  # a latecomer called back by number, with a reason
    (Action.RECALL, S.CALLED): S.CALLED,
    (Action.START, S.CALLED): S.SERVING,
    (Action.FINISH, S.SERVING): S.DONE,
    (Action.NO_SHOW, S.CALLED): S.NO_SHOW,
    (Action.REQUEUE, S.NO_SHOW): S.WAITING,
    (Action.TRANSFER, S.CALLED): S.WAITING,
    (Action.TRANSFER, S.SERVING): S.WAITING,
    (Action.TRANSFER, S.HELD): S.WAITING,
    (Action.TRANSFER, S.WAITING): S.WAITING,  # a manager moving waiting tickets
    (Action.HOLD, S.CALLED): S.HELD,
    (Action.HOLD, S.SERVING): S.HELD,
    (Action.RESUME, S.HELD): S.SERVING,
    (Action.CANCEL, S.WAITING): S.CANCELLED,
    (Action.CANCEL, S.HELD): S.CANCELLED,
}

_STATUS_VI = {
    S.WAITING: "đang chờ",
    S.CALLED: "đã được gọi",
    S.SERVING: "đang được phục vụ",
    S.HELD: "đang tạm giữ",
    S.DONE: "đã hoàn thành",
    S.NO_SHOW: "vắng mặt",
    S.CANCELLED: "đã hủy",
}
_ACTION_VI = {
    Action.CALL: "gọi",
    Action.RECALL: "gọi lại",
    Action.START: "bắt đầu phục vụ",
    Action.FINISH: "kết thúc",
    Action.NO_SHOW: "đánh dấu vắng mặt",
    Action.REQUEUE: "xếp lại hàng",
    Action.TRANSFER: "chuyển",
    Action.HOLD: "tạm giữ",
    Action.RESUME: "tiếp tục",
    Action.CANCEL: "hủy",
}


def next_status(action: Action, current: S, label: str = "") -> S:
    try:
        return TRANSITIONS[(action, current)]
    except KeyError:
        who = f"số {label} " if label else ""
        raise IllegalTransition(
            f"Không thể {_ACTION_VI[action]} {who}vì phiếu số thứ tự {_STATUS_VI[current]}.",
            f"Cannot {action.value} ticket {label or ''} while it is {current.value}.".replace(
                "  ", " "
            ),
            code=f"cannot_{action.value}_{current.value}",
        ) from None
