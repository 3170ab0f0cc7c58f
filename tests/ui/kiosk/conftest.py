"""Helpers for the kiosk UI tests: a network printer stand-in and the Kivy subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).resolve().parent / "kiosk_ui_driver.py"
ARTIFACTS = ROOT / "test-artifacts" / "ui" / "kiosk"


class CapturingPrinter:
    """A raw TCP "port 9100" printer on 127.0.0.1: keeps each job, closes when the kiosk
    has sent it all (what python-escpos's Network transport and the kiosk wait for)."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="capturing-printer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                job = bytearray()
                while chunk := conn.recv(65536):
                    job += chunk
                self.jobs.append(bytes(job))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._listener.close()


@pytest.fixture
def capturing_printer() -> Iterator[CapturingPrinter]:
    printer = CapturingPrinter()
    yield printer
    printer.stop()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A printer that is switched off: bound, never listening, so connecting is refused."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    yield holder.getsockname()[1]
    holder.close()


class KioskProcess:
    """The kiosk app in its own process (Kivy: one window per process), driven by the
    driver script; `flag`/`go` let the test act (start or stop the server) mid-run."""

    def __init__(self, tmp_path: Path, config: dict[str, Any]) -> None:
        self.out = tmp_path / "run"
        self.out.mkdir(parents=True, exist_ok=True)
        config = {"hard_timeout": 170, **config, "out": str(self.out)}
        config_path = tmp_path / "driver.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "SDL_VIDEODRIVER": "offscreen",
            "SDL_AUDIODRIVER": "dummy",
            "KIVY_NO_ARGS": "1",
            "KIVY_NO_FILELOG": "1",
            "KIVY_HOME": str(home / "kivy"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "HOME": str(home),
        }
        self.log = open(tmp_path / "kiosk.log", "w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), str(config_path)], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def wait_flag(self, name: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not (self.out / f"{name}.flag").exists():
            assert self.proc.poll() is None, f"the kiosk exited before {name}:\n{self.tail()}"
            assert time.monotonic() < deadline, f"the kiosk never reached {name}:\n{self.tail()}"
            time.sleep(0.1)

    def go(self, name: str) -> None:
        (self.out / f"{name}.go").write_text("1")

    def finish(self, timeout: float = 180) -> dict[str, Any]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        results_path = self.out / "results.json"
        assert results_path.exists(), f"the kiosk wrote no results:\n{self.tail()}"
        results = json.loads(results_path.read_text(encoding="utf-8"))
        assert results.get("ok"), f"{results.get('error')}\n{self.tail()}"
        assert self.proc.returncode == 0, self.tail()
        return results

    def tail(self, lines: int = 60) -> str:
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def kiosk_process(tmp_path: Path) -> Iterator[Any]:
    started: list[KioskProcess] = []

    def start(**config: Any) -> KioskProcess:
        process = KioskProcess(tmp_path, config)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
