"""No surface uses a word the glossary forbids ("vé", "Chủ Nhật", "Mời bạn", "ĐANG MỜI", …).

Scanned: every file a citizen, clerk or manager sees text from — the web templates, scripts
and styles, the kiosk, display and counter client (Python text modules and .kv layouts), the
printed ticket's layout, the PDF builders, the server's messages (every Python module of the
server) — and the texts built at run time: every refused state change, the kiosk's text
table, the printed ticket's wait words. A failure names file:line and the word to use.
"""

from __future__ import annotations

import re
from pathlib import Path

from shared.glossary import FORBIDDEN, forbidden_words

ROOT = Path(__file__).resolve().parents[3]
SURFACES = ("queue_server", "kiosk", "display", "counter_client", "shared")
TEXT_FILES = {".py", ".html", ".js", ".css", ".kv", ".json", ".txt", ".svg", ".csv"}
GLOSSARY = ROOT / "shared" / "glossary.py"  # lists the forbidden words, on purpose


def _surface_files() -> list[Path]:
    return sorted(p for top in SURFACES for p in (ROOT / top).rglob("*")
                  if p.suffix in TEXT_FILES and p.is_file() and p != GLOSSARY and "__pycache__" not in p.parts)


def _scan(paths: list[Path], base: Path = ROOT) -> list[str]:
    """"file:line: 'word' → what to use instead" for every forbidden word in `paths`."""
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found += [f"{path.relative_to(base)}:{number}: {word!r} → {instead}" for word, instead in forbidden_words(line)]
    return found


def test_the_scan_covers_every_surface() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in _surface_files()}
    for must in ("queue_server/web/templates/citizen/ticket.html", "queue_server/web/static/display.js",
                 "queue_server/web/templates/manager/base.html", "kiosk/texts.py", "kiosk/printing/render.py",
                 "display/clock_text.py", "counter_client/presenter.py", "queue_server/documents/receipt_pdf.py",
                 "queue_server/service_layer/handlers.py", "queue_server/domain/ticket_states.py"):
        assert must in files
    assert len(files) > 300


def test_no_surface_file_uses_a_forbidden_word() -> None:
    found = _scan(_surface_files())
    assert not found, "forbidden words (shared/glossary.py FORBIDDEN):\n" + "\n".join(found)


def test_refused_state_changes_never_say_ve() -> None:
    from queue_server.domain.errors import IllegalTransition
    from queue_server.domain.ticket_states import Action, next_status
    from shared.enums import TicketStatus

    messages = []
    for action in Action:
        for status in TicketStatus:
            try:
                next_status(action, status, "A001")
            except IllegalTransition as refused:
                messages.append(refused.message_vi)
    assert messages and [m for m in messages if forbidden_words(m)] == []
    assert any("phiếu số thứ tự" in m for m in messages)


def test_kiosk_texts_and_the_printed_wait_words_are_clean() -> None:
    from kiosk.printing.ticket import sample_printout
    from kiosk.texts import T
    from shared.wait_words import figure_from

    texts = [part for text in T.values() for part in (text.vi, text.en)]
    for figure in (figure_from(None, any_counter_open=False), figure_from(1, any_counter_open=True),
                   figure_from(42, any_counter_open=True)):
        printout = sample_printout(wait=figure)
        texts += [printout.wait_text_vi, printout.wait_text_en]
    assert [t for t in texts if forbidden_words(t)] == []


SAMPLES = ("Không tìm thấy vé.", "Vé này", "Chủ Nhật, 06/12", "Mời bạn đến quầy 3", "ĐANG MỜI",
           "Person with merit", "Get a ticket for this")


def test_the_scan_would_catch_every_forbidden_word_with_its_line(tmp_path: Path) -> None:
    """A scan that cannot fail proves nothing: each word, planted in a file, is reported."""
    planted = tmp_path / "kiosk" / "texts.py"
    planted.parent.mkdir()
    planted.write_text("ok = 'phiếu số thứ tự'\n" + "\n".join(f"x = {s!r}" for s in SAMPLES) + "\n", "utf-8")
    found = _scan([planted], tmp_path)
    assert [line.split(":")[:2] for line in found] == [["kiosk/texts.py", str(n)] for n in range(2, 2 + len(SAMPLES))]
    assert {pattern for pattern in FORBIDDEN if any(re.search(pattern, s) for s in SAMPLES)} == set(FORBIDDEN)
