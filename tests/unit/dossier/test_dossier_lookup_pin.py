"""The lookup PIN printed on the slip: random, stored only as a keyed digest, checked in
constant time."""

from __future__ import annotations

import hmac

import pytest

from queue_server.domain import dossier
from queue_server.domain.dossier import (
    check_lookup_pin,
    is_old_slip_pin,
    lookup_pin_digest,
    new_lookup_pin,
)
from shared.dossier_protocol import format_lookup_pin

KEY = b"k" * 32
CODE = "000.00.01.H29-260310-0420"


PIN = "482913750264"


def stored(pin: str = PIN) -> str:
    return lookup_pin_digest(pin, key=KEY, dossier_code=CODE)


def test_a_new_pin_is_twelve_random_digits() -> None:
    pins = {new_lookup_pin() for _ in range(200)}
    assert all(len(p) == 12 and p.isascii() and p.isdigit() for p in pins)
    assert len(pins) == 200


def test_a_pin_keeps_its_leading_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier.secrets, "randbelow", lambda n: 42)
    assert new_lookup_pin() == "000000000042"
    assert format_lookup_pin("000000000042") == "0000 0000 0042"  # printed in groups of four
    assert format_lookup_pin(PIN) == "4829 1375 0264"


@pytest.mark.parametrize("typed", [PIN, "4829 1375 0264", " 4829-1375-0264 ", "４８２９１３７５０２６４"])
def test_the_right_pin_is_accepted_however_it_was_typed(typed: str) -> None:
    assert check_lookup_pin(typed, stored(), key=KEY, dossier_code=CODE)


@pytest.mark.parametrize("typed", ["482913750265", "48291375026", "4829137502640", "", "abcdefabcdef",
                                   "48291375026x", "٤٨٢٩١٣٧٥٠٢٦٤", "482913"])
def test_a_wrong_or_malformed_pin_is_rejected_without_error(typed: str) -> None:
    assert not check_lookup_pin(typed, stored(), key=KEY, dossier_code=CODE)


def test_an_old_slips_six_digits_open_nothing_even_for_a_dossier_that_had_them() -> None:
    assert not check_lookup_pin("482913", stored("482913"), key=KEY, dossier_code=CODE)
    assert is_old_slip_pin("482 913") and not is_old_slip_pin(PIN) and not is_old_slip_pin("48291x")


def test_a_digest_is_bound_to_its_dossier_and_its_key() -> None:
    assert not check_lookup_pin(PIN, stored(), key=KEY, dossier_code=CODE[:-1] + "1")
    assert not check_lookup_pin(PIN, stored(), key=b"x" * 32, dossier_code=CODE)
    assert PIN not in stored()


def test_the_check_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(dossier.hmac, "compare_digest", spy)
    assert check_lookup_pin(PIN, stored(), key=KEY, dossier_code=CODE)
    assert not check_lookup_pin("12", stored(), key=KEY, dossier_code=CODE)
    assert len(calls) == 2  # a malformed guess takes the same path
