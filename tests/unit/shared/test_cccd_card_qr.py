"""The chip ID card's QR read as untrusted input: a whole, checked card or a clear refusal in
both languages; QR images made and read back with zxing-cpp; a scanner's keystrokes."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.scanner import ScannerBuffer
from shared.cccd import (
    MAX_QR_CHARS,
    SAMPLE_CARDS,
    CardData,
    CardQrError,
    age_on,
    card_validity_end,
    elderly_priority_offer,
    format_card_qr,
    parse_card_qr,
)
from shared.cccd_cli import main as sample_command
from shared.cccd_cli import write_qr_png

TODAY = date(2026, 3, 10)
ELDERLY = SAMPLE_CARDS["elderly"]
LINE = format_card_qr(ELDERLY)


def test_a_card_line_gives_every_field():
    card = parse_card_qr(LINE, today=TODAY)
    assert card == ELDERLY
    assert (card.id_number, card.full_name, card.birth_date, card.sex) == (
        "046060012345", "Nguyễn Văn Mẫu", date(1960, 5, 12), "Nam")
    assert card.address == "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"


@pytest.mark.parametrize("variant, expected", [
    (LINE + "\r\n", ELDERLY),  # the scanner's Enter
    ("  " + LINE + "|", ELDERLY),  # spaces and a trailing separator
    (LINE.replace("12051960", "12/05/1960").replace("20042021", "20-04-2021"), ELDERLY),
    (LINE.replace("|Nam|", "|NAM|"), ELDERLY),
    (LINE + "|Nguyễn Văn Cha|Lê Thị Mẹ", dataclasses.replace(ELDERLY, extra_fields=2)),  # newer cards
    (LINE.replace("|191234567|", "||"), dataclasses.replace(ELDERLY, old_id_number="")),
    (LINE.replace("|191234567|", "|"), dataclasses.replace(ELDERLY, old_id_number="")),  # no old-ID field
    ("046060012345||||||", CardData("046060012345")),  # every other field empty
    # UTF-8 read by a scanner set to a Western keyboard: repaired, not refused
    (LINE.encode("utf-8").decode("latin-1"), ELDERLY),
    (LINE.replace("Nguyễn Văn Mẫu", "Nguyá»…n VÄƒn Máº«u"), ELDERLY),  # the same through cp1252
    ("\ufeff" + LINE.replace("Nguyễn", "Nguye\u0302\u0303n"), ELDERLY),  # BOM, decomposed accents
])
def test_what_real_scanners_and_cards_do_is_tolerated(variant, expected):
    assert parse_card_qr(variant, today=TODAY) == expected


@pytest.mark.parametrize("line, says_vi, says_en", [
    ("", "không có dữ liệu", "nothing was read"),
    ("https://dichvucong.gov.vn/p/home", "không phải mã QR của căn cước", "not an ID card QR"),
    ("ABCD-2345", "không phải mã QR của căn cước", "not an ID card QR"),  # a booking code
    ("046060012345|191234567|Nguyễn Văn Mẫu", "chỉ có 3 trường, cần 7", "only 3 fields"),
    (LINE.replace("046060012345", "04606001234"), "đúng 12 chữ số", "exactly 12 digits"),
    (LINE.replace("046060012345", "04606001234X"), "đúng 12 chữ số", "exactly 12 digits"),
    (LINE.replace("046060012345", "003060012345"), "mã tỉnh 003", "province code 003"),
    (LINE.replace("046060012345", "046070012345"), "năm sinh 1970", "born 1970"),
    (LINE.replace("046060012345", "046160012345"), "giới tính khác", "sex does not match"),
    (LINE.replace("12051960", "31021960"), "ngày sinh 31021960 không tồn tại", "no birth date 31021960"),
    (LINE.replace("12051960", "1960-05-12"), "ngày sinh phải có dạng", "birth date must be ddmmyyyy"),
    (LINE.replace("20042021", "20042031"), "ngày cấp 20/04/2031 không hợp lệ", "issue date 20/04/2031"),
    (LINE.replace("20042021", "20041950"), "ngày cấp trước ngày sinh", "issued before"),
    (LINE.replace("|Nam|", "|X|"), "giới tính “X” không rõ", "unknown sex"),
    (LINE.replace("|191234567|", "|19123|"), "CMND cũ phải có 9 chữ số", "9 digits"),
    (LINE.replace("Nguyễn Văn Mẫu", "Nguyễn <script>"), "họ tên có ký tự không hợp lệ", "name has characters"),
    (LINE.replace("Nguyễn Văn Mẫu", "A" * 101), "họ tên quá dài", "name is too long"),
    (LINE.replace("12 Lê Lợi", "x" * 301), "địa chỉ quá dài", "address is too long"),
    ("046060012345|" + "|" * 700, "quá dài", "too long"),
    ("9" * 5000, "quá dài", "too long"),
])
def test_a_malformed_scan_is_refused_whole_with_a_reason_in_both_languages(line, says_vi, says_en):
    with pytest.raises(CardQrError) as caught:
        parse_card_qr(line, today=TODAY)
    error = caught.value
    assert error.message_vi.startswith("Không đọc được mã QR trên CCCD: ") and says_vi in error.message_vi
    assert error.message_en.startswith("Unreadable ID card QR: ") and says_en in error.message_en
    assert error.message_vi.endswith("Hãy quét lại hoặc nhập tay.")


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=800),
    st.lists(st.text(alphabet=st.characters(blacklist_characters="|"), max_size=40), min_size=1, max_size=12)
    .map("|".join),
    st.builds(lambda i, rest: i + "|" + rest, st.from_regex(r"[0-9]{12}", fullmatch=True), st.text(max_size=200)),
))
def test_any_input_gives_a_whole_checked_card_or_a_refusal_never_a_crash(text):
    try:
        card = parse_card_qr(text, today=TODAY)
    except CardQrError as exc:
        assert exc.message_vi and exc.message_en
        return
    assert len(card.id_number) == 12 and card.id_number.isdigit()
    assert len(card.full_name) <= 100 and len(card.address) <= 300
    assert card.birth_date is None or card.birth_date <= TODAY
    assert card.sex in ("", "Nam", "Nữ")
    assert parse_card_qr(format_card_qr(card), today=TODAY) == dataclasses.replace(card, extra_fields=0)


def test_a_qr_image_of_a_card_reads_back_through_zxing_whatever_its_size(tmp_path: Path):
    for box_size in (3, 8):
        for name, card in SAMPLE_CARDS.items():
            png = write_qr_png(format_card_qr(card), tmp_path / f"{name}-{box_size}.png", box_size=box_size)
            read = zxingcpp.read_barcodes(Image.open(png).convert("L"))
            assert [r.format for r in read] == [zxingcpp.BarcodeFormat.QRCode]
            assert parse_card_qr(read[0].text, today=TODAY) == card


def test_a_photo_of_the_card_qr_turned_and_blurred_still_reads(tmp_path: Path):
    png = write_qr_png(LINE, tmp_path / "card.png")
    photo = Image.open(png).convert("L").rotate(9, expand=True, fillcolor=255).resize((300, 300))
    read = zxingcpp.read_barcodes(photo)
    assert parse_card_qr(read[0].text, today=TODAY) == ELDERLY


def test_a_scanner_typing_the_line_key_by_key_gives_the_same_card():
    now = [100.0]
    buffer = ScannerBuffer(clock=lambda: now[0])
    buffer.feed("x")  # a stray key long before: not part of the scan
    now[0] += 60
    for ch in LINE:
        buffer.feed(ch)
        now[0] += 0.004  # scanners type a character every few milliseconds
    assert parse_card_qr(buffer.enter(), today=TODAY) == ELDERLY


def test_the_sample_command_prints_the_line_and_writes_a_scannable_png(tmp_path: Path, capsys):
    assert sample_command(["--card", "young", "--out", str(tmp_path / "young.png")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == format_card_qr(SAMPLE_CARDS["young"])
    read = zxingcpp.read_barcodes(Image.open(tmp_path / "young.png").convert("L"))
    assert read[0].text == printed[0]


# ---- age, priority, validity -------------------------------------------------------------
@pytest.mark.parametrize("birth, day, age", [
    (date(1966, 3, 10), date(2026, 3, 10), 60),  # the birthday itself counts
    (date(1966, 3, 11), date(2026, 3, 10), 59),
    (date(1964, 2, 29), date(2025, 2, 28), 60),
    (date(1964, 2, 29), date(2025, 3, 1), 61),
])
def test_age_counts_whole_years(birth, day, age):
    assert age_on(birth, day) == age


def test_the_kiosk_offers_elderly_priority_from_60_and_keeps_nothing():
    sixty = dataclasses.replace(ELDERLY, id_number="046066012345", birth_date=date(1966, 3, 10))
    offer = elderly_priority_offer(format_card_qr(sixty), today=TODAY)
    assert offer.offer and offer.age == 60
    assert offer.message_vi.startswith("Ông/bà 60 tuổi được ưu tiên (người cao tuổi)")
    assert set(dataclasses.asdict(offer)) == {"offer", "age", "message_vi", "message_en"}  # no name, no ID
    almost = dataclasses.replace(sixty, birth_date=date(1966, 3, 11))
    assert not elderly_priority_offer(format_card_qr(almost), today=TODAY).offer
    bad = elderly_priority_offer("not a card", today=TODAY)
    assert not bad.offer and bad.message_en.startswith("Unreadable ID card QR")
    undated = elderly_priority_offer("046060012345||Nguyễn Văn Mẫu||Nam||", today=TODAY)
    assert not undated.offer and undated.age is None


@pytest.mark.parametrize("birth, issued, valid_until", [
    (date(2001, 11, 3), date(2024, 7, 15), date(2026, 11, 3)),  # issued at 22: to 25
    (date(2001, 11, 3), date(2024, 12, 1), date(2041, 11, 3)),  # at 23 (within 2 years of 25): to 40
    (date(1980, 1, 1), date(2021, 4, 20), date(2040, 1, 1)),
    (date(1963, 6, 1), date(2021, 7, 1), None),  # at 58: for life
])
def test_a_card_is_valid_until_the_next_renewal_age(birth, issued, valid_until):
    year_digits = f"{birth.year % 100:02d}"
    century = "0" if birth.year < 2000 else "2"
    card = CardData(f"046{century}{year_digits}012345", birth_date=birth, issue_date=issued)
    assert card_validity_end(card) == valid_until


def test_limits_are_those_the_docstring_promises():
    assert MAX_QR_CHARS == 600
