"""The shared look, vocabulary and wait words every surface builds on."""

import pytest

from shared.glossary import FORBIDDEN, forbidden_words, long_date
from shared.look import MIN_TEXT_CONTRAST, PALETTE, TEXT_PAIRS, contrast_ratio
from shared.wait_words import WaitState, figure_from, round_minutes, wait_text


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_every_text_colour_pair_of_the_palette_reads_at_4_5_to_1(fg: str, bg: str) -> None:
    assert contrast_ratio(PALETTE[fg], PALETTE[bg]) >= MIN_TEXT_CONTRAST


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # the call flash the issue measured: amber number on orange
    assert contrast_ratio("#FFD64F", "#CD7048") < 2.6


def test_forbidden_words_are_found_with_their_replacement_and_proper_words_pass() -> None:
    assert [w for w, _ in forbidden_words("Không tìm thấy vé số A001")] == ["vé"]
    assert forbidden_words("Chủ Nhật, 06/12/2026")[0][1] == "Chủ nhật"
    assert forbidden_words("Mời công dân có số A001 đến quầy 3 · phiếu số thứ tự · Chủ nhật") == []
    # "vé" only as a whole syllable: "vẽ", "véc-tơ" style compounds are not tickets
    assert forbidden_words("bản vẽ") == []
    assert len(FORBIDDEN) >= 3


def test_long_date_says_chu_nhat_with_a_small_n() -> None:
    from datetime import date

    assert long_date(date(2026, 12, 6)) == "Chủ nhật, 06/12/2026"
    assert long_date(date(2026, 12, 7), "en") == "Monday 7 December 2026"


def test_wait_words_follow_the_state_never_next_in_line_without_an_open_counter() -> None:
    closed = figure_from(0, any_counter_open=False, people_ahead=0)
    assert closed.state is WaitState.NO_COUNTER_OPEN
    assert wait_text(closed) == "Chưa có quầy mở"
    soon = figure_from(0.4, any_counter_open=True, people_ahead=0)
    assert wait_text(soon) == "Sắp đến lượt" and "0 phút" not in wait_text(soon)
    assert wait_text(figure_from(23, any_counter_open=True)) == "khoảng 25 phút"
    assert wait_text(figure_from(23, any_counter_open=True), "en") == "about 25 min"
    assert wait_text(None) == ""


@pytest.mark.parametrize(("raw", "shown"), [(3, 3), (7.4, 7), (12, 10), (13, 15), (58, 60), (67, 60), (68, 75)])
def test_minutes_are_rounded_to_a_precision_the_estimate_has(raw: float, shown: int) -> None:
    assert round_minutes(raw) == shown
