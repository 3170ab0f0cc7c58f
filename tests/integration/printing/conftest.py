"""A network receipt printer stand-in: a raw TCP server on 127.0.0.1 ("port 9100").

It captures what a printer would receive and can misbehave the ways real ones do:
stall, drop the connection mid-ticket, answer status queries (DLE EOT) or stay silent.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

DLE_EOT = b"\x10\x04"
# Replies to DLE EOT 1 (printer status: bit 3 set = offline) and DLE EOT 4 (paper sensor).
STATUS_REPLIES = {
    "ok": {1: b"\x12", 4: b"\x12"},
    "offline": {1: b"\x1a", 4: b"\x12"},
    "paper_out": {1: b"\x12", 4: b"\x72"},
}


class FakeNetworkPrinter:
    """behaviour:
    "print"  read the whole job until the client closes, then close (a real printer)
    "stall"  accept, never read, never close
    "drop"   read `drop_after` bytes, then reset the connection
    status: how it answers DLE EOT queries: "ok", "offline", "paper_out"; None = silent
    """

    def __init__(
        self,
        port: int = 0,
        behaviour: str = "print",
        status: str | None = None,
        drop_after: int = 1000,
    ) -> None:
        self.behaviour = behaviour
        self.status = STATUS_REPLIES[status] if status else None
        self.drop_after = drop_after
        self.jobs: list[bytes] = []
        self.errors: list[BaseException] = []
        self._job_done = threading.Event()
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(4)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                self._conns.append(conn)
                conn.settimeout(0.05)
                if self.behaviour == "print":
                    self._print(conn)
                elif self.behaviour == "drop":
                    self._drop(conn)
                # "stall": keep the connection open and unread until stop()
        except BaseException as exc:  # surfaced by the fixture, not lost in a thread
            self.errors.append(exc)

    def _recv(self, conn: socket.socket) -> bytes | None:
        """A chunk, b"" at end of stream, None when nothing arrived yet."""
        try:
            return conn.recv(65536)
        except TimeoutError:
            return None

    def _print(self, conn: socket.socket) -> None:
        job = bytearray()
        while not self._stop.is_set():
            chunk = self._recv(conn)
            if chunk is None:
                continue
            if not chunk:
                break
            job += chunk
            # A status query is sent alone and then waited on, so it ends its chunk.
            if self.status is not None and chunk[-3:-1] == DLE_EOT and chunk[-1] in self.status:
                conn.sendall(self.status[chunk[-1]])
        conn.close()
        self.jobs.append(bytes(job))
        self._job_done.set()

    def _drop(self, conn: socket.socket) -> None:
        got = 0
        while got < self.drop_after and not self._stop.is_set():
            chunk = self._recv(conn)
            if chunk is None:
                continue
            if not chunk:
                break
            got += len(chunk)
        # Linger 0: close with a reset, as a printer that reboots or crashes mid-job.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def wait_for_job(self, timeout: float = 5.0) -> bytes:
        assert self._job_done.wait(timeout), "the printer received no complete job"
        return self.jobs[-1]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._conns:
            conn.close()
        self._listener.close()


@pytest.fixture
def fake_printer() -> Iterator[Callable[..., FakeNetworkPrinter]]:
    """Factory: fake_printer(port=0, behaviour="print", status=None); port 0 = any free
    port (9100 may be taken on a developer machine)."""
    started: list[FakeNetworkPrinter] = []

    def start(**kwargs: Any) -> FakeNetworkPrinter:
        server = FakeNetworkPrinter(**kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        assert not server.errors, server.errors


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port that is bound but not listening: connecting is refused at once."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    yield holder.getsockname()[1]
    holder.close()
