"""Vietnamese number reading, pinned number by number: a wrong word here is a citizen
walking to the wrong counter, or never hearing their ticket."""

from __future__ import annotations

import unicodedata

import pytest

from shared.vn_numbers import LETTER_NAMES, number_vocabulary, read_label, read_number

ZERO_TO_THIRTY = {
    0: "không",
    1: "một",
    2: "hai",
    3: "ba",
    4: "bốn",
    5: "năm",
    6: "sáu",
    7: "bảy",
    8: "tám",
    9: "chín",
    10: "mười",
    11: "mười một",
    12: "mười hai",
    13: "mười ba",
    14: "mười bốn",
    15: "mười lăm",
    16: "mười sáu",
    17: "mười bảy",
    18: "mười tám",
    19: "mười chín",
    20: "hai mươi",
    21: "hai mươi mốt",
    22: "hai mươi hai",
    23: "hai mươi ba",
    24: "hai mươi bốn",
    25: "hai mươi lăm",
    26: "hai mươi sáu",
    27: "hai mươi bảy",
    28: "hai mươi tám",
    29: "hai mươi chín",
    30: "ba mươi",
}

HUNDRED_TO_111 = {
    100: "một trăm",
    101: "một trăm linh một",
    102: "một trăm linh hai",
    103: "một trăm linh ba",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    106: "một trăm linh sáu",
    107: "một trăm linh bảy",
    108: "một trăm linh tám",
    109: "một trăm linh chín",
    110: "một trăm mười",
    111: "một trăm mười một",
}

THOUSAND_TO_1025 = {
    1000: "một nghìn",
    1001: "một nghìn không trăm linh một",
    1002: "một nghìn không trăm linh hai",
    1003: "một nghìn không trăm linh ba",
    1004: "một nghìn không trăm linh bốn",
    1005: "một nghìn không trăm linh năm",
    1006: "một nghìn không trăm linh sáu",
    1007: "một nghìn không trăm linh bảy",
    1008: "một nghìn không trăm linh tám",
    1009: "một nghìn không trăm linh chín",
    1010: "một nghìn không trăm mười",
    1011: "một nghìn không trăm mười một",
    1012: "một nghìn không trăm mười hai",
    1013: "một nghìn không trăm mười ba",
    1014: "một nghìn không trăm mười bốn",
    1015: "một nghìn không trăm mười lăm",
    1016: "một nghìn không trăm mười sáu",
    1017: "một nghìn không trăm mười bảy",
    1018: "một nghìn không trăm mười tám",
    1019: "một nghìn không trăm mười chín",
    1020: "một nghìn không trăm hai mươi",
    1021: "một nghìn không trăm hai mươi mốt",
    1022: "một nghìn không trăm hai mươi hai",
    1023: "một nghìn không trăm hai mươi ba",
    1024: "một nghìn không trăm hai mươi bốn",
    1025: "một nghìn không trăm hai mươi lăm",
}

LARGER = {
    2024: "hai nghìn không trăm hai mươi bốn",
    10000: "mười nghìn",
    10005: "mười nghìn không trăm linh năm",
    100001: "một trăm nghìn không trăm linh một",
    215: "hai trăm mười lăm",
    999: "chín trăm chín mươi chín",
    1100: "một nghìn một trăm",
    1500: "một nghìn năm trăm",
    9999: "chín nghìn chín trăm chín mươi chín",
    21000: "hai mươi mốt nghìn",
    25005: "hai mươi lăm nghìn không trăm linh năm",
    1_000_000: "một triệu",
    1_000_500: "một triệu năm trăm",
    1_000_005: "một triệu không trăm linh năm",
    1_005_000: "một triệu không trăm linh năm nghìn",
    2_024_105: "hai triệu không trăm hai mươi bốn nghìn một trăm linh năm",
    999_999_999: "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
    1_000_000_000: "một tỷ",
    1_000_000_005: "một tỷ không trăm linh năm",
}

NORTH = ZERO_TO_THIRTY | HUNDRED_TO_111 | THOUSAND_TO_1025 | LARGER


def southern(text: str) -> str:
    return text.replace("nghìn", "ngàn").replace("linh", "lẻ")


@pytest.mark.parametrize(("n", "words"), sorted(NORTH.items()))
def test_northern_reading(n: int, words: str) -> None:
    assert read_number(n) == words


@pytest.mark.parametrize(("n", "words"), sorted(NORTH.items()))
def test_southern_reading_says_ngan_and_le(n: int, words: str) -> None:
    assert read_number(n, "south") == southern(words)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (105, "một trăm lẻ năm"),
        (1005, "một ngàn không trăm lẻ năm"),
        (1023, "một ngàn không trăm hai mươi ba"),
        (100001, "một trăm ngàn không trăm lẻ một"),
        (10000, "mười ngàn"),
    ],
)
def test_southern_examples_spelled_out(n: int, words: str) -> None:
    assert read_number(n, "south") == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (24, "hai mươi tư"),
        (2024, "hai nghìn không trăm hai mươi tư"),
        (44, "bốn mươi tư"),
        # "tư" only replaces a final four after "mươi": not 4, 14 or 104.
        (4, "bốn"),
        (14, "mười bốn"),
        (104, "một trăm linh bốn"),
        (400, "bốn trăm"),
    ],
)
def test_four_read_as_tu_only_after_muoi(n: int, words: str) -> None:
    assert read_number(n, four="tư") == words


def test_one_is_said_mot_only_after_muoi() -> None:
    assert read_number(31) == "ba mươi mốt"
    assert read_number(11) == "mười một"
    assert read_number(101) == "một trăm linh một"


def test_every_number_up_to_ten_thousand_reads_without_gaps_or_double_spaces() -> None:
    for n in range(10_000):
        words = read_number(n)
        assert words == words.strip() and "  " not in words
        assert unicodedata.is_normalized("NFC", words)
        # A non-leading group always carries its hundreds: the num2words bug.
        if n >= 1000 and 0 < n % 1000 < 100:
            assert "nghìn không trăm" in words, n


@pytest.mark.parametrize("bad", [-1, 10**12, 1.5, "12", True])
def test_rejects_what_is_not_a_count(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        read_number(bad)  # type: ignore[arg-type]


def test_rejects_unknown_dialect_and_four() -> None:
    with pytest.raises(ValueError, match="dialect"):
        read_number(5, "central")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="four"):
        read_number(24, four="4")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("A023", "A, hai mươi ba"),
        ("A001", "A, một"),
        ("A000", "A, không"),
        ("B105", "Bê, một trăm linh năm"),
        ("C015", "Xê, mười lăm"),
        ("D021", "Dê, hai mươi mốt"),
        ("Đ007", "Đê, bảy"),
        ("AB012", "A, Bê, mười hai"),
        ("ĐB999", "Đê, Bê, chín trăm chín mươi chín"),
        ("1023", "một nghìn không trăm hai mươi ba"),
        ("0001", "một"),
        ("0", "không"),
        ("000", "không"),
        ("A", "A"),
        ("a023", "A, hai mươi ba"),
        ("A-023", "A, hai mươi ba"),
        (" A 023 ", "A, hai mươi ba"),
        ("9999", "chín nghìn chín trăm chín mươi chín"),
        ("X1", "Ích xì, một"),
    ],
)
def test_read_label(label: str, words: str) -> None:
    assert read_label(label) == words


def test_read_label_southern() -> None:
    assert read_label("A1005", "south") == "A, một ngàn không trăm lẻ năm"


def test_read_label_accepts_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Đ024")
    assert read_label(decomposed, four="tư") == "Đê, hai mươi tư"


def test_a_very_long_digit_run_is_read_digit_by_digit() -> None:
    assert read_label("0123456789012345") == (
        "không một hai ba bốn năm sáu bảy tám chín không một hai ba bốn năm"
    )


@pytest.mark.parametrize("bad", ["", "   ", "-", "Ñ12"])
def test_read_label_rejects_labels_it_cannot_say(bad: str) -> None:
    with pytest.raises(ValueError):
        read_label(bad)


def test_every_latin_and_vietnamese_capital_has_a_name() -> None:
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZĂÂĐÊÔƠƯ":
        assert LETTER_NAMES[ch], ch
        assert unicodedata.is_normalized("NFC", LETTER_NAMES[ch])


def test_vocabulary_covers_every_word_read_number_says() -> None:
    vocabulary = set(number_vocabulary())
    for n in list(range(0, 2100)) + [10**6 + 4, 10**9 + 24]:
        for dialect in ("north", "south"):
            for four in ("bốn", "tư"):
                assert set(read_number(n, dialect, four=four).split()) <= vocabulary
