"""The lobby layout both displays share: sizes above issue 14's floors, one wording, the
closed-counters line, counters named by their services, the wait words of a line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import lobby_layout as L
from shared.glossary import CALL_HEADING, forbidden_words
from shared.look import (
    DISPLAY_CALLED_NUMBER_PX,
    DISPLAY_COUNTER_NUMBER_PX,
    DISPLAY_MIN_TEXT_PX,
    DISPLAY_SERVICE_NAME_PX,
)

ROOT = Path(__file__).resolve().parents[3]
# Every file either display draws its words from.
LOBBY_FILES = [*sorted((ROOT / "display").rglob("*.kv")), *sorted((ROOT / "display").rglob("*.py")),
               ROOT / "queue_server/web/templates/display/display.html", ROOT / "queue_server/web/static/display.js",
               ROOT / "queue_server/web/display.py", ROOT / "shared/lobby_layout.py"]


def test_every_text_size_is_at_least_the_floor_of_its_role() -> None:
    assert min(L.TEXT_PX.values()) >= DISPLAY_MIN_TEXT_PX
    assert L.TEXT_PX["called_number"] >= DISPLAY_CALLED_NUMBER_PX
    assert L.TEXT_PX["service_name"] >= DISPLAY_SERVICE_NAME_PX
    assert L.TEXT_PX["counter_number"] >= DISPLAY_COUNTER_NUMBER_PX
    assert all(L.TEXT_PX[role] >= L.floor_px(role) for role in L.TEXT_PX)


def test_the_web_page_gets_every_size_of_the_kivy_display() -> None:
    css = L.css_sizes()
    for role, px in L.TEXT_PX.items():
        assert f"--t-{role.replace('_', '-')}: calc({px} * var(--u));" in css
    used = set(re.findall(r"var\(--t-([a-z-]+)\)", (ROOT / "queue_server/web/static/display.css").read_text()))
    assert used <= {role.replace("_", "-") for role in L.TEXT_PX}, "the page uses a size the layout does not define"


@pytest.mark.parametrize("path", LOBBY_FILES, ids=lambda p: p.name)
def test_lobby_files_use_only_the_glossarys_words(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert forbidden_words(text) == []
    # One call heading on both displays: the glossary's, never an upper-case variant.
    assert "MỜI CÔNG DÂN" not in text and "ĐANG MỜI" not in text


def test_the_call_reads_as_the_glossary_says() -> None:
    lines = L.call_lines("A012", 3)
    assert lines["heading"] == f"{CALL_HEADING.vi}  ·  {CALL_HEADING.en}"
    assert (lines["number"], lines["counter"]) == ("A012", "đến quầy 3")
    assert lines["english"] == "Ticket A012, please go to counter 3"


def test_closed_and_paused_counters_share_one_line() -> None:
    assert L.closed_line([7, 3, 4], []) == "Quầy 3, 4, 7 đóng  ·  Closed"
    assert L.closed_line([3], [8]) == "Quầy 8 tạm dừng  ·  Quầy 3 đóng  ·  Paused / Closed"
    assert L.closed_line([], []) == ""


def test_counters_are_named_by_their_services_main_service_first() -> None:
    names = {"A": "Tư pháp – Hộ tịch, chứng thực", "F": "Công an: cư trú, căn cước, xuất nhập cảnh",
             "R": "Trả kết quả", "C": "Nông nghiệp, lâm nghiệp, thủy sản"}
    services = [{"service_code": "A", "weight": 1}, {"service_code": "R", "weight": 2}]
    assert L.counter_services(services, names) == "Trả kết quả, Tư pháp"
    assert L.service_short_name(names["F"]) == "Công an"
    assert L.service_short_name(names["C"]) == "Nông nghiệp"


def test_many_open_counters_get_one_line_tiles_and_the_call_panel_keeps_its_room() -> None:
    assert L.counter_grid(3) == (3, 1, False)
    assert L.counter_grid(7) == (3, 3, True)
    body = L.DESIGN_LANDSCAPE[1] - L.HEADER_PX - L.NOTICE_PX - 3 * L.GAP_PX
    # Up to six open counters at 1080p the call panel keeps its full height (with more, it
    # gives up some room and the called number stays at its 200 px floor).
    for open_count in range(7):
        assert body - L.counters_panel_px(open_count) >= L.CALL_MIN_PX, open_count


def test_a_lines_wait_words_come_from_the_server_figure_when_there_is_one() -> None:
    figure = {"state": "minutes", "minutes": 25, "text_vi": "khoảng 25 phút", "text_en": "about 25 min"}
    assert L.line_wait({"waiting": 4, "estimated_wait_minutes": 31, "wait": figure}, True) == \
        ("khoảng 25 phút", "about 25 min")
    assert L.line_wait({"waiting": 4, "estimated_wait_minutes": 31}, True) == ("khoảng 30 phút", "about 30 min")
    assert L.line_wait({"waiting": 2, "estimated_wait_minutes": 1}, True)[0] == "Sắp đến lượt"
    assert L.line_wait({"waiting": 2, "estimated_wait_minutes": 12}, False)[0] == "Chưa có quầy mở"
    assert L.line_wait({"waiting": 0, "estimated_wait_minutes": 0}, True) == ("", "")


def test_the_web_page_gets_the_same_words() -> None:
    words = L.words()
    assert words["wait"] == {"no_counter_open": "Chưa có quầy mở", "soon": "Sắp đến lượt",
                             "minutes": "khoảng {n} phút"}
    assert words["sound_off"] == "Âm thanh đang tắt — chạm để bật"
    assert words["weekdays"][-1] == "Chủ nhật"
    assert forbidden_words(repr(words)) == []
