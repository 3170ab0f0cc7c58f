"""Engines for SQLite (embedded default) and PostgreSQL (several server processes).

SQLite: WAL, one pooled connection, and every write transaction opened with
BEGIN IMMEDIATE so the write lock is taken up front (a deferred BEGIN that reads then
writes fails with "database is locked", which busy_timeout does not retry).
PostgreSQL: psycopg 3, READ COMMITTED, claims with FOR UPDATE SKIP LOCKED.
"""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError

from queue_server.adapters.db_faults import DbFault, classify

READ_ONLY = {"motcua_read_only": True}


def normalize_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float | None = None,
                busy_timeout_ms: int = 30_000) -> Engine:
    """`pool_timeout`: seconds to wait for a free connection (default 10 on PostgreSQL,
    30 on SQLite, whose single connection a command-line tool may hold a while).
    `busy_timeout_ms` (SQLite): how long a statement waits inside SQLite for another
    process's lock; tools wait long, the server 0 (adapters/sqlite_lock waits instead)."""
    url = normalize_url(url)
    if is_sqlite_url(url):
        engine = _sqlite_engine(url, 30.0 if pool_timeout is None else pool_timeout, busy_timeout_ms)
    else:
        engine = _postgres_engine(url, pool_size, pool_timeout)
    event.listen(engine, "handle_error", _replace_read_only_sessions)
    return engine


def _postgres_engine(url: str, pool_size: int, pool_timeout: float | None) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping before every transaction (a round trip each): a dropped connection fails
        # the first statement, the pool drops all older ones, and `Wiring.run` runs the
        # request's work once more (adapters/db_faults.retry_on_disconnect).
        pool_pre_ping=False,
        pool_timeout=10.0 if pool_timeout is None else pool_timeout,
        connect_args={"connect_timeout": 5},
    )


def _replace_read_only_sessions(context: ExceptionContext) -> None:
    """A session that refused a write because it is read-only stays so (PostgreSQL's
    `default_transaction_read_only` applies when a session starts; a SQLite file opened
    while read-only): treat it like a dropped connection. SQLAlchemy then closes it, and
    closes every older pooled connection at its next checkout, so once the database takes
    writes again new sessions can; none is dropped unclosed for the garbage collector."""
    error = context.sqlalchemy_exception
    if isinstance(error, DBAPIError) and classify(error) is DbFault.READ_ONLY:
        context.is_disconnect = True


def ensure_sqlite_folder(url: str) -> None:
    """SQLite creates the database file but not its folder: a new install's `var/` is made here."""
    if not is_sqlite_url(url):
        return
    database = make_url(normalize_url(url)).database
    # "file:…?mode=ro&uri=true" opens an existing file (read-only): nothing to create.
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, pool_timeout: float, busy_timeout_ms: int) -> Engine:
    ensure_sqlite_folder(url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        pool_size=1,
        max_overflow=0,
        pool_timeout=pool_timeout,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        read_only = conn.get_execution_options().get("motcua_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def analyze(engine: Engine) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk change (a restore, a benchmark's
    load): until autovacuum gets to it the planner believes the tables are empty and may
    read a whole line through the wrong partial index. SQLite plans from the query's shape
    alone: nothing to do."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
