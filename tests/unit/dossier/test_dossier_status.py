"""The dossier's life: received → processing → ready → returned, with supplement requests
and refusals from received or processing; after the counter, received → forwarded (to the
processing agency) → processing → resolved → ready (sent back to the center); everything
else is refused with a typed error that names the steps allowed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import dossier as d
from queue_server.domain.dossier import DossierAction as A
from queue_server.domain.dossier import DossierStatus as S
from queue_server.domain.dossier import IllegalDossierTransition, is_overdue
from queue_server.domain.errors import Conflict

# The specification, written out independently of the module's table.
LEGAL = {
    (A.START_PROCESSING, S.RECEIVED): S.PROCESSING,
    (A.REQUEST_SUPPLEMENT, S.RECEIVED): S.SUPPLEMENT_REQUESTED,
    (A.REQUEST_SUPPLEMENT, S.PROCESSING): S.SUPPLEMENT_REQUESTED,
    (A.RECEIVE_SUPPLEMENT, S.SUPPLEMENT_REQUESTED): S.RECEIVED,
    (A.REFUSE, S.RECEIVED): S.REFUSED,
    (A.REFUSE, S.PROCESSING): S.REFUSED,
    (A.MARK_READY, S.PROCESSING): S.READY,
    (A.RETURN_RESULT, S.READY): S.RETURNED,
    (A.FORWARD, S.RECEIVED): S.FORWARDED,
    (A.ACCEPT, S.FORWARDED): S.PROCESSING,
    (A.REQUEST_SUPPLEMENT, S.FORWARDED): S.SUPPLEMENT_REQUESTED,
    (A.REFUSE, S.FORWARDED): S.REFUSED,
    (A.RESOLVE, S.PROCESSING): S.RESOLVED,
    (A.SEND_BACK, S.RESOLVED): S.READY,
    # Form 05: stopped (withdrawn by the citizen, or under the law) while no result exists.
    (A.STOP, S.RECEIVED): S.STOPPED,
    (A.STOP, S.FORWARDED): S.STOPPED,
    (A.STOP, S.PROCESSING): S.STOPPED,
    (A.STOP, S.SUPPLEMENT_REQUESTED): S.STOPPED,
}
ILLEGAL = sorted(set(itertools.product(A, S)) - set(LEGAL))
BY_ACTION = {
    A.START_PROCESSING: d.start_processing,
    A.REQUEST_SUPPLEMENT: d.request_supplement,
    A.RECEIVE_SUPPLEMENT: d.receive_supplement,
    A.REFUSE: d.refuse,
    A.MARK_READY: d.mark_ready,
    A.RETURN_RESULT: d.return_result,
    **{a: (lambda current, code="", a=a: d.next_dossier_status(a, current, code))
       for a in (A.FORWARD, A.ACCEPT, A.RESOLVE, A.SEND_BACK, A.STOP)},
}
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("action", "current"), sorted(LEGAL))
def test_legal_transition(action: A, current: S) -> None:
    assert BY_ACTION[action](current) == LEGAL[(action, current)]
    assert d.next_dossier_status(action, current) == LEGAL[(action, current)]


@pytest.mark.parametrize(("action", "current"), ILLEGAL)
def test_illegal_transition_is_refused_with_a_code_and_two_languages(
    action: A, current: S
) -> None:
    with pytest.raises(IllegalDossierTransition) as caught:
        BY_ACTION[action](current, "000.00.01.H29-260310-0420")
    error = caught.value
    assert error.code == f"dossier_cannot_{action.value}_{current.value}"
    assert (error.action, error.current) == (action, current)
    assert isinstance(error, Conflict) and error.status == 409
    assert error.message_vi.startswith("Không thể ")
    assert "000.00.01.H29-260310-0420" in error.message_vi
    assert error.message_en.startswith("Cannot ")
    # The way on is named: the actions the status allows, or that the dossier is closed.
    allowed = sorted(a.value for (a, s) in LEGAL if s is current)
    assert sorted(error.allowed) == allowed
    assert ("Allowed now: " in error.message_en) == bool(allowed)


def test_the_table_is_exactly_the_specification() -> None:
    assert d.DOSSIER_TRANSITIONS == LEGAL
    assert len(ILLEGAL) == len(A) * len(S) - 18


def test_a_supplemented_dossier_goes_round_again_to_its_result() -> None:
    status = S.RECEIVED
    for step in (
        d.start_processing,
        d.request_supplement,
        d.receive_supplement,
        d.start_processing,
        d.mark_ready,
        d.return_result,
    ):
        status = step(status)
    assert status is S.RETURNED


@pytest.mark.parametrize("final", [S.RETURNED, S.REFUSED, S.STOPPED])
def test_nothing_leaves_a_final_status(final: S) -> None:
    assert final in d.FINAL_DOSSIER_STATUSES
    for action in A:
        with pytest.raises(IllegalDossierTransition):
            d.next_dossier_status(action, final)


# --- overdue ---------------------------------------------------------------------------

DUE = date(2026, 3, 13)


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (datetime(2026, 3, 13, 16, 59, tzinfo=VN), False),
        (datetime(2026, 3, 13, 23, 59, 59, tzinfo=VN), False),  # due by the end of the day
        (datetime(2026, 3, 14, 0, 0, tzinfo=VN), True),
        (datetime(2026, 3, 13, 16, 59, tzinfo=UTC), False),  # 23:59 in Hà Nội
        (datetime(2026, 3, 13, 17, 0, tzinfo=UTC), True),  # 00:00 the next day there
    ],
)
def test_a_due_date_is_late_from_the_next_local_day(now: datetime, late: bool) -> None:
    assert is_overdue(DUE, now, S.PROCESSING) is late


def test_an_hour_based_due_is_late_from_that_moment() -> None:
    due = datetime(2026, 3, 16, 17, 0, tzinfo=VN)
    assert not is_overdue(due, datetime(2026, 3, 16, 17, 0, tzinfo=VN), S.RECEIVED)
    assert is_overdue(due, datetime(2026, 3, 16, 17, 1, tzinfo=VN), S.RECEIVED)
    assert is_overdue(due, datetime(2026, 3, 16, 10, 1, tzinfo=UTC), S.RECEIVED)


@pytest.mark.parametrize(
    ("status", "late"),
    [
        (S.RECEIVED, True),
        (S.PROCESSING, True),
        (S.FORWARDED, True),  # with the agency, not yet accepted: the clock runs
        (S.RESOLVED, True),  # the result is still at the agency, not where the citizen collects it
        (S.SUPPLEMENT_REQUESTED, False),  # the clock waits for the citizen
        (S.READY, False),
        (S.RETURNED, False),
        (S.REFUSED, False),
    ],
)
def test_only_a_dossier_still_being_handled_can_be_overdue(status: S, late: bool) -> None:
    assert is_overdue(DUE, datetime(2026, 3, 20, 9, tzinfo=VN), status) is late


def test_no_due_date_is_never_overdue_and_a_naive_now_is_refused() -> None:
    assert not is_overdue(None, datetime(2030, 1, 1, tzinfo=VN), S.PROCESSING)
    with pytest.raises(ValueError):
        is_overdue(DUE, datetime(2026, 3, 20, 9), S.PROCESSING)
