"""A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl from Debian's
packages), so a test may stop and start the database under a running server without
touching the machine's shared PostgreSQL."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from queue_server.reliability.server_process import free_port


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for candidate in reversed(found):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found_initdb = shutil.which("initdb")
    return Path(found_initdb).parent if found_initdb else None


class PrivateCluster:
    def __init__(self) -> None:
        self.bindir = _bindir()
        if self.bindir is None:
            pytest.skip("no initdb binary (Debian's postgresql package) to start a private PostgreSQL")
        self.root = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0  # PostgreSQL refuses to run as root: run as postgres
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "immediate") -> None:
        """immediate: like a crash (no checkpoint, recovery at the next start); fast: a clean stop."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
