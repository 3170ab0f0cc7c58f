"""The lookup PIN printed on the slip: random, stored only as a keyed digest, checked in
constant time."""

from __future__ import annotations

import hmac

import pytest

from queue_server.domain import dossier
from queue_server.domain.dossier import (
    check_lookup_pin,
    format_lookup_pin,
    lookup_pin_digest,
    new_lookup_pin,
)

KEY = b"k" * 32
CODE = "000.00.01.H29-260310-0420"


def stored(pin: str = "482913") -> str:
    return lookup_pin_digest(pin, key=KEY, dossier_code=CODE)


def test_a_new_pin_is_six_random_digits() -> None:
    pins = {new_lookup_pin() for _ in range(200)}
    assert all(len(p) == 6 and p.isascii() and p.isdigit() for p in pins)
    assert len(pins) > 190


def test_a_pin_keeps_its_leading_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier.secrets, "randbelow", lambda n: 42)
    assert new_lookup_pin() == "000042"
    assert format_lookup_pin("000042") == "000 042"


@pytest.mark.parametrize("typed", ["482913", "482 913", " 482-913 ", "４８２９１３"])
def test_the_right_pin_is_accepted_however_it_was_typed(typed: str) -> None:
    assert check_lookup_pin(typed, stored(), key=KEY, dossier_code=CODE)


@pytest.mark.parametrize("typed", ["482914", "48291", "4829130", "", "abcdef", "48291x", "٤٨٢٩١٣"])
def test_a_wrong_or_malformed_pin_is_rejected_without_error(typed: str) -> None:
    assert not check_lookup_pin(typed, stored(), key=KEY, dossier_code=CODE)


def test_a_digest_is_bound_to_its_dossier_and_its_key() -> None:
    assert not check_lookup_pin("482913", stored(), key=KEY, dossier_code=CODE[:-1] + "1")
    assert not check_lookup_pin("482913", stored(), key=b"x" * 32, dossier_code=CODE)
    assert "482913" not in stored()


def test_the_check_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(dossier.hmac, "compare_digest", spy)
    assert check_lookup_pin("482913", stored(), key=KEY, dossier_code=CODE)
    assert not check_lookup_pin("12", stored(), key=KEY, dossier_code=CODE)
    assert len(calls) == 2  # a malformed guess takes the same path
