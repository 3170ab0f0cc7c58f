"""The dossier wire models agree with the domain, and refuse what a clerk could mistype."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from queue_server.domain import dossier as domain
from queue_server.service_layer.dossier_views import legal_time_vi
from queue_server.service_layer.dossiers import DossierRules, canonical_code
from queue_server.settings import Settings
from shared import dossier_protocol as wire


def test_statuses_and_actions_on_the_wire_are_the_domains() -> None:
    # One definition: the domain imports the words the wire speaks.
    assert domain.DossierStatus is wire.DossierStatus
    assert domain.DossierAction is wire.DossierAction
    assert set(wire.STATUS_VI) == set(wire.DossierStatus) == set(wire.STATUS_EN)


@pytest.mark.parametrize(("kind", "number", "stored"), [
    ("citizen_id", "046 186 012 345", "046186012345"),
    ("tax_code", "3301234567", "3301234567"),
    ("tax_code", "3301234567-001", "3301234567-001"),
    ("passport", "c1234567", "C1234567"),
])
def test_id_numbers_are_checked_against_their_kind(kind: str, number: str, stored: str) -> None:
    applicant = wire.ApplicantIn(name="Lê Văn Tám", id_kind=kind, id_number=number)
    assert applicant.id_number == stored


@pytest.mark.parametrize(("kind", "number"), [
    ("citizen_id", "12345"), ("citizen_id", "04618601234X"), ("tax_code", "33012345"), ("passport", "AB-123"),
])
def test_a_mistyped_id_number_is_refused(kind: str, number: str) -> None:
    with pytest.raises(ValidationError):
        wire.ApplicantIn(name="Lê Văn Tám", id_kind=kind, id_number=number)


def test_unknown_fields_and_bad_phones_are_refused() -> None:
    with pytest.raises(ValidationError):
        wire.ApplicantIn(name="A", id_number="046186012345", phone="gọi tôi nhé")
    with pytest.raises(ValidationError):
        wire.ReceiveDossierIn(applicant={"name": "A", "id_number": "046186012345"}, notez="typo")


def test_a_supplement_request_lists_items_and_only_it_does() -> None:
    with pytest.raises(ValidationError):
        wire.DossierTransitionIn(action="request_supplement", note="thiếu")
    with pytest.raises(ValidationError):
        wire.DossierTransitionIn(action="mark_ready", items=[{"what": "x", "reason": "y"}])
    ok = wire.DossierTransitionIn(action="request_supplement", note="thiếu", items=[{"what": "x", "reason": "y"}])
    assert ok.items[0].what == "x"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (5.0, "Ngày làm việc", "05 ngày làm việc"), (30, "Ngày", "30 ngày"), (1, "Giờ", "01 giờ"),
    (3, "Tháng", "03 tháng"), (1, "", ""), (None, "Ngày", ""), (1, "Tuần", ""),
])
def test_the_legal_time_reads_as_the_slip_writes_it(value, unit: str, text: str) -> None:
    assert legal_time_vi(value, unit) == text


@pytest.mark.parametrize("typed", [
    "000.00.01.H57-261123-0042", " 000.00.01.h57-261123-0042 ", "http://127.0.0.1:8000/d/000.00.01.H57-261123-0042",
    "https://motcua.hue.gov.vn/d/000.00.01.H57-261123-0042/?utm=x",
])
def test_a_code_is_read_from_what_a_kiosk_scans_or_a_citizen_types(typed: str) -> None:
    assert canonical_code(typed) == "000.00.01.H57-261123-0042"


def test_rules_come_from_the_settings() -> None:
    rules = DossierRules.from_settings(Settings(environment="test", public_base_url="https://hcc.hue.gov.vn/",
                                                dossier_same_day_cutoff=time(16, 0),
                                                calendar_extra_days_off=[date(2026, 3, 16)]))
    assert rules.lookup_url("X-1") == "https://hcc.hue.gov.vn/d/X-1"
    assert rules.same_day_cutoff == time(16, 0)
    assert rules.calendar.due_date(datetime(2026, 3, 13, 8, 30, tzinfo=UTC), 0, "Ngày làm việc",
                                   same_day_cutoff=rules.same_day_cutoff).isoformat() == "2026-03-13"
    # A day off decided by the government after the holidays package was released.
    assert not rules.calendar.is_working_day(date(2026, 3, 16))
    assert rules.calendar.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 17)
