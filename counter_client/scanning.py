"""Where scanned pages come from: a folder a network scanner drops files into, and a SANE
scanner through `scanimage` where one is installed. Both hand back file paths; the
dossier presenter uploads them."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .dossier_form import SCAN_TYPES


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int


class ScannerFolderWatcher:
    """Offers files that appear in `folder` after the watch began, once each, and only
    when a scanner has finished writing them (same size and time on two looks)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._before = set(self._listing())  # files already there are not today's scans
        self._pending: dict[Path, _Seen] = {}
        self._offered: set[Path] = set()

    def _listing(self) -> dict[Path, _Seen]:
        out = {}
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.is_file() and Path(entry.name).suffix.lower() in SCAN_TYPES:
                        st = entry.stat()
                        out[Path(entry.path)] = _Seen(st.st_size, st.st_mtime_ns)
        except OSError:
            return {}  # the share is unmounted for a moment: try again at the next look
        return out

    def poll(self) -> list[Path]:
        """New complete files since the last poll, oldest name first. Blocking I/O: call it
        from a worker thread."""
        ready = []
        now = self._listing()
        for path, seen in now.items():
            if path in self._before or path in self._offered:
                continue
            if self._pending.get(path) == seen and seen.size > 0:
                ready.append(path)
                self._offered.add(path)
                self._pending.pop(path, None)
            else:
                self._pending[path] = seen
        return sorted(ready)


class ScanError(Exception):
    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


class SaneScanner:
    """One page from the default SANE device, as a PNG in `folder`."""

    def __init__(self, folder: Path, *, command: str = "scanimage", resolution: int = 300,
                 timeout: float = 120.0, clock: Callable[[], float] = time.time) -> None:
        self.folder = folder
        self.command = command
        self.resolution = resolution
        self.timeout = timeout
        self.clock = clock

    @property
    def available(self) -> bool:
        return shutil.which(self.command) is not None

    async def scan_page(self) -> Path:
        executable = shutil.which(self.command)
        if executable is None:
            raise ScanError("Máy này chưa cài phần mềm quét (scanimage).")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"quet-{int(self.clock() * 1000)}.png"
        proc = await asyncio.create_subprocess_exec(
            executable, "--format=png", f"--resolution={self.resolution}", f"--output-file={target}",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise ScanError("Máy quét không trả lời. Hãy kiểm tra máy quét rồi thử lại.") from None
        if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            detail = err.decode(errors="replace").strip().splitlines()[-1:] if err else []
            raise ScanError("Không quét được trang" + (f": {detail[0]}" if detail else "."))
        return target
