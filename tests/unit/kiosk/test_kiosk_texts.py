"""What the citizen reads: Vietnamese first, English second, numbers and times that make sense."""

from datetime import UTC, datetime

import pytest

from kiosk.presenter import KioskState, ServerStatus, server_banner
from kiosk.texts import T, clock_text, fee_text, processing_time_text, shorten, wait_text


def test_every_text_exists_in_both_languages_and_formats_alike():
    for key, text in T.items():
        assert text.vi.strip() and text.en.strip(), key
        # The same placeholders on both sides: a translation cannot lose the number.
        assert sorted(_fields(text.vi)) == sorted(_fields(text.en)), key


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_bilingual_text_puts_the_chosen_language_first():
    take = T["take_ticket"]
    assert take.both("vi") == "Lấy số thứ tự / Take a ticket"
    assert take.both("en", "\n") == "Take a ticket\nLấy số thứ tự"


def test_the_clock_shows_vietnam_time_whatever_the_kiosk_zone():
    monday_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 06:30 on Tuesday in Hà Nội
    assert clock_text(monday_utc, "vi") == ("06:30", "Thứ Ba, 24/11/2026")
    assert clock_text(monday_utc, "en") == ("06:30", "Tuesday, 24/11/2026")
    assert clock_text(datetime(2026, 12, 6, 3, 0, tzinfo=UTC), "vi")[1] == "Chủ nhật, 06/12/2026"


@pytest.mark.parametrize("value, unit, lang, expected", [
    (5, "Ngày làm việc", "vi", "5 ngày làm việc"),
    (5, "Ngày làm việc", "en", "5 working days"),
    (1, "Ngày", "en", "1 day"),
    (0.5, "Ngày", "vi", "0,5 ngày"),
    (1, "", "vi", "1 (chưa ghi đơn vị)"),
    (None, "", "en", "Not given"),
])
def test_processing_time_reads_naturally_and_never_guesses_a_unit(value, unit, lang, expected):
    assert processing_time_text(value, unit, lang) == expected


def test_waits_and_fees():
    assert wait_text(None, "vi") == "chưa ước tính được"
    assert wait_text(0, "en") == "Almost your turn"  # never "~0 min"
    assert wait_text(0, "vi") == "Sắp đến lượt"
    assert wait_text(25, "vi") == "khoảng 25 phút"
    assert wait_text(37, "vi") == "khoảng 35 phút"  # no precision the estimate lacks
    assert wait_text(None, "vi", counter_open=False) == "Chưa có quầy mở"
    assert wait_text(5, "en", counter_open=False) == "No counter open yet"
    assert fee_text("Miễn phí", "en") == "Free (miễn phí)"
    assert fee_text("Không có thông tin", "vi") == "Chưa có thông tin"
    assert fee_text("50.000 đồng/lần", "en") == "50.000 đồng/lần"


def test_a_300_character_name_is_cut_at_a_word_with_an_ellipsis():
    name = ("Đăng ký biến động đối với trường hợp thay đổi quyền sử dụng đất, quyền sở hữu tài sản gắn liền "
            "với đất theo thỏa thuận của các thành viên hộ gia đình hoặc của vợ và chồng; ") * 3
    short = shorten(name, 120)
    assert len(short) <= 120 and short.endswith("…")
    assert name.startswith(short[:-1])
    assert short[-2] != " "
    assert shorten("Đăng ký khai sinh", 120) == "Đăng ký khai sinh"


def test_the_banner_says_what_is_wrong_with_the_server_in_both_languages():
    state = KioskState()
    assert server_banner(state).en == "Connecting to the server…"
    state.server = ServerStatus.UNREACHABLE
    assert "máy chủ" in server_banner(state).vi and "Retrying" in server_banner(state).en
    state.server = ServerStatus.UNAUTHORIZED
    assert "not authorised" in server_banner(state).en
    state.server = ServerStatus.ONLINE
    assert server_banner(state) is None


def test_counters_read_as_a_list():
    from kiosk.texts import counters_text

    assert counters_text([9, 1, 2], "vi") == "Quầy 1, 2, 9"
    assert counters_text([9, 1, 2], "en") == "Counters 1, 2, 9"
    assert counters_text([3], "en") == "Counter 3"
    assert counters_text([], "vi") == ""
