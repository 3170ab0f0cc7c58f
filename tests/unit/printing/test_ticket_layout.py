"""The printed ticket's layout: paper width, a big label, wrapped text, Vietnamese glyphs."""

from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageChops

from kiosk.printing.render import (
    MAX_BLOCK_HEIGHT,
    layout_for,
    render_blocks,
    render_label_block,
    render_ticket_image,
)
from kiosk.printing.textlines import Style, draw_lines
from kiosk.printing.ticket import TicketPrintout, sample_printout
from shared.wait_words import figure_from

WIDTHS = [576, 384]

# 1,100 characters, like the longest names in the national catalogue.
LONG_PROCEDURE = (
    "Thủ tục đăng ký kết hôn, đăng ký nhận cha, mẹ, con, đăng ký khai sinh kết hợp nhận "
    "cha, mẹ, con có yếu tố nước ngoài tại khu vực biên giới đối với công dân Việt Nam "
    "thường trú ở khu vực biên giới với công dân nước láng giềng thường trú ở khu vực "
    "biên giới với Việt Nam; "
) * 5
LONG_PROCEDURE = LONG_PROCEDURE[:1100]


def same(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


def ink_box(img: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of printed (black) dots."""
    return ImageChops.invert(img.convert("L")).getbbox()


def text_image(text: str, size: int = 24) -> Image.Image:
    canvas = Image.new("L", (576, 60), 255)
    draw_lines(canvas, [text], Style(size), 4, 10, 566)
    return canvas


@pytest.mark.parametrize("width", WIDTHS)
def test_every_block_is_exactly_as_wide_as_the_paper_and_one_bit(width):
    blocks = render_blocks(sample_printout(), width)
    assert [b.name for b in blocks] == [
        "header",
        "rule",
        "title",
        "label",
        "rule",
        "service",
        "details",
        "qr",
        "instruction",
    ]
    for block in blocks:
        assert block.image.mode == "1"
        assert block.image.width == width
        assert 0 < block.image.height <= MAX_BLOCK_HEIGHT
    assert render_ticket_image(sample_printout(), width).width == width


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_touches_the_edges_of_any_block(width):
    # A 2-dot white frame on every block means no glyph or QR was clipped.
    for block in render_blocks(sample_printout(procedure_name=LONG_PROCEDURE), width):
        left, top, right, bottom = ink_box(block.image)
        assert left >= 2 and top >= 2, block.name
        assert right <= width - 2 and bottom <= block.image.height - 2, block.name


@pytest.mark.parametrize("width", WIDTHS)
def test_label_is_its_own_block_and_fills_most_of_the_width(width):
    blocks = render_blocks(sample_printout(), width)
    label = next(b for b in blocks if b.name == "label")
    assert same(label.image, render_label_block("A023", width))
    left, top, right, bottom = ink_box(label.image)
    assert right - left >= 0.75 * width
    # Far taller than any other text on the ticket (body text is about 24 dots).
    assert bottom - top >= 4 * layout_for(width).procedure.size


def test_long_labels_still_fit_inside_the_margins():
    img = render_label_block("ĐUT123456", 384)
    left, _, right, _ = ink_box(img)
    assert left >= layout_for(384).margin and right <= 384 - layout_for(384).margin


@pytest.mark.parametrize("width", WIDTHS)
def test_a_1100_character_procedure_wraps_and_is_abbreviated(width):
    short = next(b for b in render_blocks(sample_printout(), width) if b.name == "service")
    long = next(
        b
        for b in render_blocks(sample_printout(procedure_name=LONG_PROCEDURE), width)
        if b.name == "service"
    )
    layout = layout_for(width)
    line = layout.procedure.line_height
    # Several lines, but capped: not the ~25 lines the full name would take.
    assert long.image.height >= short.image.height + 3 * line
    assert long.image.height <= short.image.height + layout.procedure_max_lines * line
    left, _, right, _ = ink_box(long.image)
    assert left >= layout.margin - 1 and right <= width - layout.margin + 1


def test_abbreviated_procedure_ends_with_an_ellipsis():
    from kiosk.printing.textlines import ellipsize, wrap

    style = layout_for(576).procedure
    lines = ellipsize(wrap(LONG_PROCEDURE, style, 552), 6, style, 552)
    assert len(lines) == 6
    assert lines[-1].endswith("…")
    assert all(style.font.getlength(x) <= 552 for x in lines)


def test_a_word_longer_than_the_line_is_broken_not_overflowing():
    from kiosk.printing.textlines import wrap

    style = Style(20)
    lines = wrap("x" * 200, style, 300)
    assert len(lines) > 1 and "".join(lines) == "x" * 200
    assert all(style.font.getlength(x) <= 300 for x in lines)


def test_vietnamese_letters_are_drawn_not_replaced_by_question_marks():
    text = "Đăng ký khai sinh"
    replaced = text.encode("cp437", "replace").decode("cp437")  # what a code page would print
    assert replaced != text
    assert not same(text_image(text), text_image(replaced))
    # Each marked letter differs from its bare letter and from a missing-glyph box.
    missing = text_image("\uffff")
    for marked, bare in [
        ("Đ", "D"),
        ("ă", "a"),
        ("ý", "y"),
        ("ạ", "a"),
        ("ễ", "e"),
        ("ự", "u"),
        ("ổ", "o"),
    ]:
        assert not same(text_image(marked), text_image(bare)), marked
        assert not same(text_image(marked), missing), marked


def test_decomposed_input_prints_like_composed_input():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    a = render_blocks(sample_printout(procedure_name=nfd), 576)[5].image
    b = render_blocks(sample_printout(procedure_name="Đăng ký khai sinh"), 576)[5].image
    assert same(a, b)


def test_issue_time_is_printed_in_vietnam_local_time():
    issued = datetime(2026, 3, 5, 10, 5, tzinfo=UTC)  # 17:05 in Hà Nội
    assert sample_printout(issued_at=issued).issued_text == "05/03/2026 17:05"
    late = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)  # past midnight locally
    assert sample_printout(issued_at=late).issued_text == "06/03/2026 00:30"


def test_unknown_wait_reads_as_not_estimated():
    ticket = sample_printout(estimated_wait_minutes=None)
    assert ticket.wait_text_vi == "chưa ước tính được"
    assert ticket.wait_text_en == "not estimated yet"
    assert sample_printout(estimated_wait_minutes=35).wait_text_vi == "khoảng 35 phút"
    assert sample_printout(estimated_wait_minutes=0).wait_text_vi == "Sắp đến lượt"  # never "~0 phút"
    closed = figure_from(None, any_counter_open=False, people_ahead=0)
    assert sample_printout(wait=closed).wait_text_vi == "Chưa có quầy mở"  # the server's figure wins
    details = {w: next(b for b in render_blocks(ticket, w) if b.name == "details") for w in WIDTHS}
    assert all(ink_box(img.image) for img in details.values())


def test_details_change_when_the_numbers_change():
    def details(**kw):
        return next(
            b for b in render_blocks(sample_printout(**kw), 576) if b.name == "details"
        ).image

    assert not same(details(people_ahead=4), details(people_ahead=5))
    assert not same(details(estimated_wait_minutes=20), details(estimated_wait_minutes=None))


def test_notes_are_printed_when_given():
    plain = render_blocks(sample_printout(), 576)[-1].image
    noted = render_blocks(
        sample_printout(printed_note_vi="Mang theo CCCD.", printed_note_en="Bring your ID card."),
        576,
    )[-1].image
    assert noted.height > plain.height


@pytest.mark.parametrize(
    "change",
    [
        {"issued_at": datetime(2026, 3, 5, 8, 15)},
        {"people_ahead": -1},
        {"estimated_wait_minutes": -5},
        {"label": " "},
        {"tracking_url": ""},
    ],
)
def test_impossible_tickets_are_refused(change):
    with pytest.raises(ValueError):
        sample_printout(**change)


def test_native_mode_blocks_leave_out_only_the_qr():
    with_qr = [b.name for b in render_blocks(sample_printout(), 576, include_qr=True)]
    without = [b.name for b in render_blocks(sample_printout(), 576, include_qr=False)]
    assert [n for n in with_qr if n != "qr"] == without


def test_printout_is_immutable():
    ticket = sample_printout()
    assert isinstance(ticket, TicketPrintout)
    with pytest.raises(AttributeError):
        ticket.label = "B001"  # type: ignore[misc]
    assert ticket.issued_at.utcoffset() == timedelta(hours=7)


def test_centred_text_is_balanced_instead_of_leaving_a_lone_word():
    from kiosk.printing.textlines import balanced_wrap, wrap

    style = layout_for(384).procedure
    text = "Quét mã QR để theo dõi lượt của bạn."
    greedy = wrap(text, style, 368)
    balanced = balanced_wrap(text, style, 368)
    assert len(balanced) == len(greedy) == 2
    assert greedy[-1] == "bạn."  # what the eye should not get
    widths = [style.font.getlength(line) for line in balanced]
    assert max(widths) - min(widths) < max(widths) / 2
