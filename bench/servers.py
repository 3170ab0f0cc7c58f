"""Databases and server processes for a benchmark run, and what they cost in memory.

Every scenario gets a fresh copy of a migrated, seeded database (a file copy on SQLite,
`CREATE DATABASE … TEMPLATE` on PostgreSQL), so one scenario's tickets never slow the
next. PostgreSQL databases are throw-away ones named `motcua_bench_<pid>_<n>`; no other
database is touched, and all of ours are dropped at the end.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from queue_server.devtools.template_databases import PostgresCopies
from queue_server.reliability import server_process

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    """A free port; within `MOTCUA_BENCH_PORTS` ("18700-18799") when set, for machines
    where each user keeps to a range."""
    span = os.environ.get("MOTCUA_BENCH_PORTS")
    if not span:
        return server_process.free_port()
    low, _, high = span.partition("-")
    start = int(low) + os.getpid() % (int(high) - int(low) + 1)  # spread parallel runs over the range
    for offset in range(int(high) - int(low) + 1):
        port = int(low) + (start - int(low) + offset) % (int(high) - int(low) + 1)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {span}")


def raise_fd_limit() -> None:
    """Thousands of sockets need more than the usual 1,024 file descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Databases:
    """Hands out fresh databases of one backend from a template made once per run."""

    def __init__(self, backend: str, workdir: Path, *, pg_admin_url: str | None = None,
                 template_url: str | None = None) -> None:
        from queue_server.seed import prepare_demo_database

        self.backend = backend
        self.workdir = workdir
        self.counter = itertools.count()
        if backend == "sqlite":
            if template_url:
                self.template = Path(template_url.removeprefix("sqlite:///"))
            else:
                self.template = workdir / "template.db"
                prepare_demo_database(f"sqlite:///{self.template}")
            return
        admin = pg_admin_url or os.environ.get("MOTCUA_BENCH_PG_URL") or DEFAULT_PG_ADMIN
        self.postgres = PostgresCopies(admin, f"motcua_bench_{os.getpid()}",
                                       template=template_url.rpartition("/")[2] if template_url else None)

    def new(self) -> str:
        n = next(self.counter)
        if self.backend == "sqlite":
            target = self.workdir / f"bench-{n}.db"
            shutil.copy(self.template, target)
            return f"sqlite:///{target}"
        return self.postgres.new()

    def drop(self, url: str) -> None:
        if self.backend == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        self.postgres.drop(url)

    def cpu_probe(self, url: str):  # noqa: ANN201
        """PostgreSQL: a function giving the CPU seconds spent so far by the backends
        serving database `url` (pooled connections live through a measured phase); None
        on SQLite, where the database runs inside the server."""
        if self.backend == "sqlite":
            return None
        name = url.rpartition("/")[2]
        # A backend that ends between two probes takes its CPU time with it: each one's last
        # reading is kept (by pid and start time), so the total never goes back.
        last_seen: dict[tuple[int, int], float] = {}

        def probe() -> float:
            with self.postgres.psycopg.connect(self.postgres.admin, autocommit=True) as conn:
                pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]
            for pid in pids:
                reading = process_cpu(pid)
                if reading is not None:
                    last_seen[(pid, reading[0])] = reading[1]
            return sum(last_seen.values())

        return probe

    def close(self) -> None:
        if self.backend == "postgres":
            self.postgres.close()


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(x) for x in text)
    except OSError:
        return []
    return found


def process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process, the
    kernel): when it nears the core count per second, the machine is the limit."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> tuple[int, float] | None:
    """(start time in ticks, user + system CPU seconds) of one process; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields 14, 15 and 22 of stat (utime, stime, starttime), counted after the name.
    return int(fields[19]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User + system CPU time of a process and its children (server workers)."""
    readings = (process_cpu(p) for p in (process_tree(pid) if children else [pid]))
    return sum(r[1] for r in readings if r is not None)


def rss_bytes(pid: int) -> int:
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


@dataclass
class ServerProcess:
    """`motcua server` or the baseline app, on 127.0.0.1, started and stopped by us."""

    argv: list[str]
    env: dict[str, str]
    health_path: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    log_path: Path | None = None
    cwd: Path = ROOT  # another checkout (e.g. main) to measure its code in the same run

    def start(self, timeout: float = 60) -> ServerProcess:
        self.log_path = self.log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"motcua-bench-{self.port}.log"
        self._log = open(self.log_path, "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([*self.argv, "--port", str(self.port)], cwd=self.cwd, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit)
        self._wait_ready(timeout)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        answered = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                if httpx.get(self.url + self.health_path, timeout=2).status_code == 200:
                    answered += 1
                    # Several workers start one by one: let each of them answer.
                    if answered >= 4 * self.workers:
                        if self.workers > 1:
                            time.sleep(1.0)
                        return
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout} s: {self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return Path(self.log_path).read_text(errors="replace")[-chars:] if self.log_path else ""

    def pids(self) -> list[int]:
        return process_tree(self.proc.pid)

    def worker_pids(self) -> list[int]:
        """The processes that answer requests (the master only supervises with workers>1)."""
        tree = self.pids()
        if self.workers == 1:
            return [self.proc.pid]
        return [p for p in tree if p != self.proc.pid and _is_python_worker(p)]

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                for p in reversed(self.pids()):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(p, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        if self.log_path and not os.environ.get("MOTCUA_BENCH_KEEP_LOGS"):
            self.log_path.unlink(missing_ok=True)


def _is_python_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # multiprocessing's resource tracker is a child too; the workers run spawn_main.
    return b"spawn_main" in cmdline


# The load generator is one kiosk issuing thousands of tickets a second: lift the per-kiosk
# rate limit (a guard against a stuck or abused kiosk, not part of what is measured).
UNLIMITED_KIOSK = {"MOTCUA_KIOSK_TICKETS_PER_MINUTE": "100000000", "MOTCUA_KIOSK_TICKET_BURST": "100000000"}


def motcua_server(db_url: str, workers: int = 1) -> ServerProcess:
    port = free_port()
    env = {**os.environ, "MOTCUA_DATABASE_URL": db_url, "MOTCUA_ENVIRONMENT": "test",
           "MOTCUA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **UNLIMITED_KIOSK}
    argv = [sys.executable, "-m", "shared.cli", "server", "--workers", str(workers), "--log-level", "warning"]
    # Another checkout's server (e.g. the code before a change, for a before/after run
    # with this bench): `python -m` imports from the working directory first.
    root = Path(os.environ.get("MOTCUA_BENCH_SERVER_ROOT") or ROOT)
    return ServerProcess(argv, env, "/api/v1/health", port=port, workers=workers, cwd=root)


def baseline_server(workers: int = 1) -> ServerProcess:
    argv = [sys.executable, "-m", "bench.baseline", "--workers", str(workers)]
    return ServerProcess(argv, dict(os.environ), "/bench/health", workers=workers)


def claim_floor_server(db_url: str, mode: str) -> ServerProcess:
    """bench/claim_floor.py: the least a call-next + start cycle could cost (either database)."""
    env = {**os.environ, "MOTCUA_FLOOR_DB": db_url}
    argv = [sys.executable, "-m", "bench.claim_floor", "--mode", mode]
    return ServerProcess(argv, env, "/bench/health")


def floor_server(db_url: str, mode: str) -> ServerProcess:
    """bench/floor.py on a copy of the demo database: the least a ticket issue could cost."""
    env = {**os.environ, "MOTCUA_FLOOR_DB": db_url.removeprefix("sqlite:///")}
    argv = [sys.executable, "-m", "bench.floor", "--mode", mode]
    return ServerProcess(argv, env, "/bench/health")
