"""The dossier code `<agency code>-<YYMMDD>-<NNNN>`, e.g. `000.00.01.H29-260310-0420`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.dossier import (
    DossierCode,
    InvalidDossierCode,
    format_dossier_code,
    parse_dossier_code,
)
from queue_server.domain.errors import Invalid

AGENCY = "000.00.01.H29"
DAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (1, "000.00.01.H29-260310-0001"),
        (420, "000.00.01.H29-260310-0420"),
        (9999, "000.00.01.H29-260310-9999"),
        # Past 9999 the number is written in full: the counter is never blocked.
        (10000, "000.00.01.H29-260310-10000"),
        (999_999, "000.00.01.H29-260310-999999"),
    ],
)
def test_code_reads_agency_day_and_zero_padded_number(number: int, code: str) -> None:
    assert format_dossier_code(AGENCY, DAY, number) == code
    assert parse_dossier_code(code) == DossierCode(AGENCY, DAY, number)
    assert str(parse_dossier_code(code)) == code


@pytest.mark.parametrize(
    ("agency", "day", "number"),
    [
        ("G22", date(2000, 1, 1), 1),
        ("000.00.00.G22", date(2099, 12, 31), 77),
        ("H38.12", date(2028, 2, 29), 5),
    ],
)
def test_parse_inverts_format(agency: str, day: date, number: int) -> None:
    assert parse_dossier_code(format_dossier_code(agency, day, number)) == DossierCode(
        agency, day, number
    )


def test_a_typed_code_is_forgiven_its_spaces_and_case() -> None:
    assert parse_dossier_code("  000.00.01.h29-260310-0420\n") == DossierCode(AGENCY, DAY, 420)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "000.00.01.H29",
        "000.00.01.H29-260310",
        "000.00.01.H29260310-0420",
        "000.00.01.H29-260310-0420-1",
        "-260310-0420",
        "000.00.01.H29-260230-0420",  # 30 February
        "000.00.01.H29-261310-0420",  # month 13
        "000.00.01.H29-260300-0420",  # day 0
        "000.00.01.H29-2603100-0420",
        "000.00.01.H29-26031-0420",
        "000.00.01.H29-260310-420",  # 3 digits
        "000.00.01.H29-260310-00420",  # a second spelling of 420
        "000.00.01.H29-260310-0000",
        "000.00.01.H29-260310-04a0",
        "000.00.01.H29-260310-1000000",
        "000..01.H29-260310-0420",
        "000.00.01.H29.-260310-0420",
        "000.00.01.HĂ9-260310-0420",
        "000 00.01.H29-260310-0420",
    ],
)
def test_invalid_codes_are_refused_with_a_typed_error(bad: str) -> None:
    with pytest.raises(InvalidDossierCode) as caught:
        parse_dossier_code(bad)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, Invalid)
    assert error.code == "invalid_dossier_code"
    assert error.message_vi.startswith("Mã hồ sơ không hợp lệ")
    assert error.message_en.startswith("Invalid dossier code")


@pytest.mark.parametrize(
    "agency", ["000.00.01.h29", "A-B", "", "A..B", ".A", "Ă", "A B", "A" * 41, "000.00.01.H29-"]
)
def test_format_refuses_an_agency_code_outside_the_charset(agency: str) -> None:
    with pytest.raises(InvalidDossierCode):
        format_dossier_code(agency, DAY, 1)


@pytest.mark.parametrize("number", [0, -1, 1_000_000])
def test_format_refuses_numbers_outside_the_day_sequence(number: int) -> None:
    with pytest.raises(InvalidDossierCode):
        format_dossier_code(AGENCY, DAY, number)


def test_format_wants_the_local_business_day_not_a_moment() -> None:
    with pytest.raises(TypeError):
        format_dossier_code(AGENCY, datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("UTC")), 1)
    with pytest.raises(TypeError):
        format_dossier_code(AGENCY, DAY, "0420")  # type: ignore[arg-type]
    with pytest.raises(InvalidDossierCode):
        format_dossier_code(AGENCY, date(2100, 1, 1), 1)
