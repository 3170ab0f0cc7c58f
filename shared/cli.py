"""The `motcua` command: one entry point, each subcommand loaded only when asked for.

A subcommand whose optional dependencies are not installed says which extra to install,
instead of a traceback.
"""

from __future__ import annotations

import importlib
import sys


def _server(function: str, help_text: str) -> tuple[str, str, str, str]:
    """A subcommand of the server's own command module (it needs the server extra)."""
    return ("queue_server.cli", function, "server", help_text)


# subcommand -> (module, function, extra that provides its dependencies, help)
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "server": _server("server_command", "run the queue server (HTTP + WebSocket)"),
    "db": _server("db_command", "database migrations: `motcua db upgrade`"),
    "seed": _server("seed_command", "import the procedure catalog (and --demo province)"),
    "user": _server("user_command", "staff accounts: `motcua user add`"),
    "device": _server("device_command", "kiosk/display tokens: `motcua device add`"),
    "backup": _server("backup_command", "back up the database while it runs"),
    "documents": _server("documents_command", "citizens' stored documents: `motcua documents purge` (past retention)"),
    "restore": _server("restore_command", "restore a backup into an empty database"),
    "dossiers": _server("dossiers_command", "after the counter: `motcua dossiers notify` (overdue / due-tomorrow notices)"),
    "kiosk": ("kiosk.cli", "main", "kiosk", "the kiosk app: `motcua kiosk [run]`; `motcua kiosk print-sample --to ADDRESS`"),
    "display": ("display.cli", "main", "display", "the lobby display: `motcua display --site HUE-TT`"),
    "counter": ("counter_client.cli", "main", "counter", "the counter staff app: `motcua counter`"),
    "bench": ("bench.cli", "bench_command", "bench", "benchmarks that print figures: `motcua bench --help`"),
    "simulate": ("queue_server.simulation.cli", "simulate_command", "server", "simulate a day of a site: `motcua simulate --help`"),
    "soak": ("queue_server.reliability.soak", "soak_command", "server",
             "kill -9 the server under load for N minutes, then check nothing was lost: `motcua soak --minutes 30`"),
    "fuzz": ("queue_server.devtools.fuzz", "fuzz_command", "test", "fuzz the HTTP API from its schema: `motcua fuzz --examples 200`"),
    "cccd-sample": ("shared.cccd_cli", "main", "counter", "a test ID card's QR as PNG for a demo scan: `motcua cccd-sample --out card.png`"),
    "phrase": ("display.cli", "phrase_command", "display", "the exact call phrase (and WAV): `motcua phrase A023 5`"),
}

# Third-party packages each extra brings; an ImportError naming one of them means the
# extra is missing (an ImportError of our own code is a bug and is re-raised).
EXTRA_PACKAGES = {
    "server": {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "pydantic_settings", "argon2", "jinja2",
               "holidays"},
    "kiosk": {"kivy", "escpos", "qrcode", "PIL"},
    "display": {"kivy", "pyttsx3"},
    "counter": {"kivy", "escpos", "qrcode", "PIL"},
    "bench": {"matplotlib", "pyinstrument"},
    "test": {"schemathesis", "hypothesis"},
}


def usage() -> str:
    lines = ["usage: motcua <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {spec[3]}" for name, spec in COMMANDS.items()]
    lines.append("\n`motcua <command> --help` for a command's options.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"motcua: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, function, extra, _ = COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in EXTRA_PACKAGES.get(extra, set()):
            print(
                f"motcua {name} needs the '{extra}' extra ({missing} is not installed):\n"
                f"    pip install 'motcua[{extra}]'",
                file=sys.stderr,
            )
            return 3
        raise
    return int(getattr(module, function)(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
