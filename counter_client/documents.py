"""Where printed forms go: the receipt slip and the request to complete a dossier.

PDFs (A5/A4, from the server) are saved in the receipts folder and, by setting, opened in
the desktop's viewer to print. With `receipt_output = "escpos"` the receipt slip goes to
the counter's thermal printer instead (`printer_url`: tcp://HOST:9100 or a device file).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import socket
import subprocess
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlparse

from shared.dossier_protocol import DossierOut

from .receipt_slip import render_slip


class PrinterError(Exception):
    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


class DocumentOutput:
    def __init__(self, folder: Path, *, open_after: bool = True, printer_url: str = "",
                 paper_mm: int = 80) -> None:
        self.folder = folder
        self.open_after = open_after
        self.printer_url = printer_url
        self.paper_mm = paper_mm

    async def save_pdf(self, file_name: str, content: bytes) -> Path:
        path = await asyncio.to_thread(self._write, file_name, content)
        if self.open_after:
            self._open(path)
        return path

    def _write(self, file_name: str, content: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / Path(file_name).name  # a name, never a path from elsewhere
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        os.replace(tmp, path)
        return path

    def _open(self, path: Path) -> None:
        opener = shutil.which("xdg-open")
        if opener is None:
            return
        with contextlib.suppress(OSError):  # no desktop viewer: the file is saved all the same
            subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)

    async def print_slip(self, dossier: DossierOut, pin: str | None, tz: tzinfo) -> None:
        if not self.printer_url:
            raise PrinterError("Chưa cấu hình máy in hóa đơn (printer_url).")
        image = render_slip(dossier, pin, tz, self.paper_mm)
        await asyncio.to_thread(self._send_escpos, image)

    def _send_escpos(self, image) -> None:  # noqa: ANN001 (a PIL image)
        # python-escpos builds the bytes; sending them is ours, so a printer that is off
        # gives a clear message and never leaves a socket open behind it.
        from escpos.printer import Dummy

        with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints notices
            job = Dummy()
            job.image(image, center=False)
            job.cut()
        data = job.output
        target = urlparse(self.printer_url)
        try:
            if target.scheme == "tcp":
                with socket.create_connection((target.hostname, target.port or 9100), timeout=10) as conn:
                    conn.sendall(data)
            elif target.scheme == "file":
                with open(target.path, "wb") as device:
                    device.write(data)
            else:
                raise PrinterError(f"Địa chỉ máy in không hợp lệ: {self.printer_url} (dùng tcp://… hoặc file://…)")
        except OSError as exc:
            raise PrinterError(f"Không in được giấy tiếp nhận: {exc.strerror or exc}. Hãy kiểm tra máy in.") from exc
