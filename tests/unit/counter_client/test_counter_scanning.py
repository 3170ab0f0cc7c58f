"""Scans from a watched folder and from SANE's `scanimage` (a stand-in script here)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from counter_client.scanning import SaneScanner, ScanError, ScannerFolderWatcher


def test_the_watcher_offers_only_new_complete_scans_once(tmp_path: Path) -> None:
    (tmp_path / "yesterday.pdf").write_bytes(b"%PDF old")
    watcher = ScannerFolderWatcher(tmp_path)
    (tmp_path / "scan1.pdf").write_bytes(b"%PDF part")
    (tmp_path / "notes.txt").write_text("not a scan")
    assert watcher.poll() == []  # seen once: the scanner may still be writing
    with (tmp_path / "scan1.pdf").open("ab") as f:
        f.write(b" more pages")
    assert watcher.poll() == []  # it grew: still not done
    assert watcher.poll() == [tmp_path / "scan1.pdf"]
    assert watcher.poll() == []


def test_a_missing_scanner_share_is_not_an_error(tmp_path: Path) -> None:
    watcher = ScannerFolderWatcher(tmp_path / "unmounted")
    assert watcher.poll() == []


def _fake_scanimage(folder: Path, body: str) -> str:
    script = folder / "scanimage"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_sane_scan_becomes_a_png_in_the_scans_folder(tmp_path: Path) -> None:
    command = _fake_scanimage(tmp_path, 'for a in "$@"; do case $a in --output-file=*) '
                                        'printf "\\211PNG" > "${a#--output-file=}";; esac; done\n')
    scanner = SaneScanner(tmp_path / "scans", command=command, clock=lambda: 1.5)
    assert scanner.available
    page = asyncio.run(scanner.scan_page())
    assert page == tmp_path / "scans" / "quet-1500.png" and page.read_bytes().startswith(b"\x89PNG")


def test_a_failed_scan_says_why(tmp_path: Path) -> None:
    command = _fake_scanimage(tmp_path, 'echo "scanimage: no SANE devices found" >&2; exit 1\n')
    with pytest.raises(ScanError, match="Không quét được trang: scanimage: no SANE devices found"):
        asyncio.run(SaneScanner(tmp_path / "scans", command=command).scan_page())


def test_without_scanimage_the_scan_button_is_off(tmp_path: Path) -> None:
    scanner = SaneScanner(tmp_path, command=os.fspath(tmp_path / "no-such-scanimage"))
    assert not scanner.available
    with pytest.raises(ScanError, match="chưa cài phần mềm quét"):
        asyncio.run(scanner.scan_page())
