"""The exact words a call says, for every ticket format the kiosks print."""

from __future__ import annotations

import unicodedata

import pytest

from shared.announcement import (
    DEFAULT_TEMPLATES,
    call_phrase,
    check_template,
    phrase_vocabulary,
    read_label_en,
    read_number_en,
    spoken_tokens,
)

VI = "Mời công dân có số thứ tự {} đến quầy số {}"
EN = "Ticket number {}, please go to counter {}"


@pytest.mark.parametrize(
    ("label", "counter", "ticket_words", "counter_words"),
    [
        ("1023", 5, "một nghìn không trăm hai mươi ba", "năm"),
        ("1005", 1, "một nghìn không trăm linh năm", "một"),
        ("A023", 5, "A, hai mươi ba", "năm"),
        ("A001", 10, "A, một", "mười"),
        ("B105", 15, "Bê, một trăm linh năm", "mười lăm"),
        ("AB012", 21, "A, Bê, mười hai", "hai mươi mốt"),
        ("ĐC120", 24, "Đê, Xê, một trăm hai mươi", "hai mươi bốn"),
        ("9999", 67, "chín nghìn chín trăm chín mươi chín", "sáu mươi bảy"),
        ("2024", "3", "hai nghìn không trăm hai mươi bốn", "ba"),
        ("0", 0, "không", "không"),
    ],
)
def test_vietnamese_call_for_every_ticket_format(
    label: str, counter: int | str, ticket_words: str, counter_words: str
) -> None:
    assert call_phrase(label, counter) == VI.format(ticket_words, counter_words)


@pytest.mark.parametrize(
    ("label", "counter", "ticket_words", "counter_words"),
    [
        ("1023", 5, "one thousand twenty-three", "five"),
        ("A023", 5, "A, twenty-three", "five"),
        ("AB012", 21, "A, B, twelve", "twenty-one"),
        ("Đ105", 12, "D, one hundred five", "twelve"),
        ("9999", 40, "nine thousand nine hundred ninety-nine", "forty"),
        ("A000", 1, "A, zero", "one"),
    ],
)
def test_english_call_for_every_ticket_format(
    label: str, counter: int | str, ticket_words: str, counter_words: str
) -> None:
    assert call_phrase(label, counter, "en") == EN.format(ticket_words, counter_words)


def test_southern_dialect_and_tu_reach_the_phrase() -> None:
    assert call_phrase("1004", 24, dialect="south", four="tư") == VI.format(
        "một ngàn không trăm lẻ bốn", "hai mươi tư"
    )


def test_every_number_up_to_9999_makes_a_clean_nfc_phrase_in_both_languages() -> None:
    for n in range(0, 10_000, 7):
        for lang in ("vi", "en"):
            text = call_phrase(f"A{n:04d}", n % 70, lang)  # type: ignore[arg-type]
            assert unicodedata.is_normalized("NFC", text)
            assert "  " not in text and not any(ch.isdigit() for ch in text), text


def test_custom_template_in_vietnamese_placeholders() -> None:
    template = "Xin mời số thứ tự {số}, đến quầy số {quầy}"
    assert (
        call_phrase("A023", 5, template=template)
        == "Xin mời số thứ tự A, hai mươi ba, đến quầy số năm"
    )


def test_custom_template_in_english_placeholders() -> None:
    template = "Số {ticket} mời đến quầy {counter}"
    assert call_phrase("7", 2, template=template) == "Số bảy mời đến quầy hai"


def test_decomposed_template_comes_out_nfc() -> None:
    nfd = unicodedata.normalize("NFD", DEFAULT_TEMPLATES["vi"])
    text = call_phrase("A023", 5, template=nfd)
    assert text == call_phrase("A023", 5)
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    "template",
    ["Mời {name} đến quầy {quầy}", "Mời đến quầy {quầy}", "Mời {số đến quầy", "Mời {0}"],
)
def test_template_mistakes_fail_loudly(template: str) -> None:
    with pytest.raises(ValueError):
        check_template(template)
    with pytest.raises(ValueError):
        call_phrase("A1", 1, template=template)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        call_phrase("A1", 1, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety-nine"),
        (100, "one hundred"),
        (105, "one hundred five"),
        (1000, "one thousand"),
        (1023, "one thousand twenty-three"),
        (100_001, "one hundred thousand one"),
        (2_000_024, "two million twenty-four"),
    ],
)
def test_english_numbers(n: int, words: str) -> None:
    assert read_number_en(n) == words


def test_english_label_letters_are_followed_by_a_pause() -> None:
    # Without the comma espeak-ng says a lone "A" as the article.
    assert read_label_en("A023") == "A, twenty-three"


def test_spoken_tokens_split_words_and_keep_one_pause_per_mark() -> None:
    assert spoken_tokens("Ticket number A, twenty-three, please go.") == [
        "ticket",
        "number",
        "a",
        ",",
        "twenty",
        "three",
        ",",
        "please",
        "go",
    ]
    assert spoken_tokens("Mời  công dân,, số") == ["mời", "công", "dân", ",", "số"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vocabulary_covers_every_phrase(lang: str) -> None:
    vocabulary = set(phrase_vocabulary(lang))  # type: ignore[arg-type]
    for n in range(0, 3000, 3):
        for label in (f"A{n:03d}", str(n), f"ĐB{n}"):
            tokens = set(spoken_tokens(call_phrase(label, n % 99, lang))) - {","}  # type: ignore[arg-type]
            assert tokens <= vocabulary, tokens - vocabulary


def test_vocabulary_keeps_template_fragments_whole() -> None:
    vocabulary = phrase_vocabulary("vi", ["Xin mời số thứ tự {số}, đến quầy số {quầy}"])
    assert "xin mời số thứ tự" in vocabulary
    assert "đến quầy số" in vocabulary
    assert "xin" in vocabulary
