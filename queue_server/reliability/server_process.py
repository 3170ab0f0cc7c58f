"""A `motcua server` child process that a drill can start, kill -9 and start again."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

_next_in_range = 0


def free_port() -> int:
    """A free TCP port on 127.0.0.1: any the system picks, or one of MOTCUA_TEST_PORTS
    ("18300-18399") when set, so parallel runs on one machine keep to their own ports."""
    global _next_in_range
    span = os.environ.get("MOTCUA_TEST_PORTS", "")
    if span:
        low, high = (int(v) for v in span.split("-"))
        for step in range(high - low + 1):
            port = low + (_next_in_range + step) % (high - low + 1)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _next_in_range = port - low + 1  # the next call offers the next port, not this one again
            return port
        raise RuntimeError(f"no free port in MOTCUA_TEST_PORTS={span}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """For `preexec_fn` (Linux): if the drill or test run itself dies, its servers get
    SIGTERM instead of lingering with a port and a database."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wait_until_healthy(proc: subprocess.Popen, url: str, timeout: float, why_exited: Callable[[], str]) -> None:
    """Until `url`/api/v1/health answers 200; RuntimeError if the process exits first
    (with `why_exited()`, e.g. its log) or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {why_exited()}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer in {timeout:.0f} s")


class ServerProcess:
    def __init__(self, db_url: str, port: int | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"motcua-server-{self.port}.log"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "MOTCUA_DATABASE_URL": self.db_url, "MOTCUA_PUBLIC_BASE_URL": self.url,
               "MOTCUA_KIOSK_TICKET_BURST": "100000", **self.extra_env}
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "server", "--port", str(self.port), "--log-level", "warning"],
                env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
            )
        wait_until_healthy(self.proc, self.url, timeout, lambda: f"see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, transactions in flight die with it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
