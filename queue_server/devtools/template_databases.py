"""Throw-away PostgreSQL databases, each a `CREATE DATABASE … TEMPLATE` copy of one migrated,
seeded template: the tests and the bench both hand every case a fresh database this way,
because a copy takes a fraction of a second where migrating and seeding takes several.

Every database made here is named `<prefix>_<n>` (the template `<prefix>_tpl`), so no other
database on the server is ever touched; `close()` drops all that are left.
"""

from __future__ import annotations

import queue
import threading


class PostgresCopies:
    """Fresh PostgreSQL databases copied from a template, made through the `admin_url`
    connection (a superuser, or a role allowed to create databases)."""

    def __init__(self, admin_url: str, prefix: str, *, template: str | None = None,
                 drop_in_background: bool = False) -> None:
        """`template`: the name of an existing migrated, seeded database to copy (left in
        place at the end); without it `<prefix>_tpl` is made, seeded and dropped at the end.
        `drop_in_background`: copies are dropped by a thread while the caller goes on
        (PostgreSQL checkpoints on every DROP DATABASE, a second or more on a busy machine,
        and a test suite need not wait for it)."""
        import psycopg

        from queue_server.seed import prepare_demo_database

        self.psycopg = psycopg
        self.admin = admin_url
        self.prefix = prefix
        self.created: list[str] = []
        self._counter = 0
        self._doomed: queue.Queue[str | None] | None = queue.Queue() if drop_in_background else None
        self._dropper: threading.Thread | None = None
        self.drop_failures: list[str] = []
        if template:
            self.template = template
            return
        self.template = f"{prefix}_tpl"
        self.execute(f"DROP DATABASE IF EXISTS {self.template}", f"CREATE DATABASE {self.template}")
        self.created.append(self.template)
        prepare_demo_database(self.url(self.template))

    def url(self, name: str) -> str:
        """The URL of database `name` on the admin connection's server."""
        base, _, _ = self.admin.rpartition("/")
        return f"{base}/{name}"

    def execute(self, *statements: str) -> None:
        """Run statements on the admin connection, outside a transaction (CREATE and DROP
        DATABASE refuse to run inside one)."""
        with self.psycopg.connect(self.admin, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def new(self) -> str:
        name = f"{self.prefix}_{self._counter}"
        self._counter += 1
        self.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.created.append(name)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rpartition("/")[2]
        if name in self.created:
            self.created.remove(name)
        if self._doomed is None or name == self.template:
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        if self._dropper is None:
            self._dropper = threading.Thread(target=self._drop_in_turn, name="drop-test-databases", daemon=True)
            self._dropper.start()
        self._doomed.put(name)

    def _drop_in_turn(self) -> None:
        assert self._doomed is not None
        while (name := self._doomed.get()) is not None:
            try:
                self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except self.psycopg.Error as exc:
                self.drop_failures.append(f"{name}: {exc}")

    def close(self) -> None:
        """Drop every database made here, the copies before their template (after the
        background drops have finished)."""
        if self._dropper is not None and self._doomed is not None:
            self._doomed.put(None)
            self._dropper.join()
            self._dropper = None
        for name in reversed(list(self.created)):
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.created.clear()
