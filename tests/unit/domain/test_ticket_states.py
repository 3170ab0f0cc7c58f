"""Every (action, status) pair: the legal ones move the ticket, the rest are refused."""

import pytest

from queue_server.domain.errors import IllegalTransition
from queue_server.domain.ticket_states import TRANSITIONS, Action, next_status
from shared.enums import TicketStatus as S

LEGAL = {
    (Action.CALL, S.WAITING): S.CALLED,
    (Action.CALL, S.NO_SHOW): S.CALLED,
    (Action.RECALL, S.CALLED): S.CALLED,
    (Action.START, S.CALLED): S.SERVING,
    (Action.FINISH, S.SERVING): S.DONE,
    (Action.NO_SHOW, S.CALLED): S.NO_SHOW,
    (Action.REQUEUE, S.NO_SHOW): S.WAITING,
    (Action.TRANSFER, S.WAITING): S.WAITING,
    (Action.TRANSFER, S.CALLED): S.WAITING,
    (Action.TRANSFER, S.SERVING): S.WAITING,
    (Action.TRANSFER, S.HELD): S.WAITING,
    (Action.HOLD, S.CALLED): S.HELD,
    (Action.HOLD, S.SERVING): S.HELD,
    (Action.RESUME, S.HELD): S.SERVING,
    (Action.CANCEL, S.WAITING): S.CANCELLED,
    (Action.CANCEL, S.HELD): S.CANCELLED,
}
ALL_PAIRS = [(a, s) for a in Action for s in S]


def test_the_table_is_exactly_the_legal_list() -> None:
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("action", "status"), list(LEGAL))
def test_legal_transition_moves_the_ticket(action: Action, status: S) -> None:
    assert next_status(action, status) is LEGAL[(action, status)]


@pytest.mark.parametrize(("action", "status"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transition_is_refused_with_a_code_and_vietnamese_message(action: Action, status: S) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(action, status, "A023")
    assert err.value.status == 409
    assert err.value.code == f"cannot_{action.value}_{status.value}"
    assert "A023" in err.value.message_vi and err.value.message_vi.startswith("Không thể")


def test_finished_tickets_accept_nothing_but_a_latecomer_call() -> None:
    for final in (S.DONE, S.CANCELLED):
        assert not [a for a in Action if (a, final) in LEGAL]
    assert [a for a in Action if (a, S.NO_SHOW) in LEGAL] == [Action.CALL, Action.REQUEUE]
