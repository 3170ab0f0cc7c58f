"""Server-side subcommands of `motcua`: server, db, seed, user, device."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from pydantic import ValidationError

from shared.enums import DeviceKind, Role


def _settings():  # noqa: ANN202
    from queue_server.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"motcua: invalid settings (MOTCUA_* environment): {problems}") from None


def _engine(settings):  # noqa: ANN001, ANN202
    from queue_server.adapters.db import make_engine

    return make_engine(settings.database_url)


def _wiring():  # noqa: ANN202
    from queue_server.bootstrap import bootstrap

    return bootstrap(_settings())


def server_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua server", description="Run the queue server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL only)")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    settings = _settings()
    from queue_server.migrations import NotMigrated, ensure_migrated

    engine = _engine(settings)
    try:
        ensure_migrated(engine)
    except NotMigrated as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.workers > 1 and settings.is_sqlite:
        print("motcua: several workers need PostgreSQL (MOTCUA_DATABASE_URL=postgresql://…); "
              "SQLite runs with one.", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(
        "queue_server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        ws_per_message_deflate=False,  # small frames: compression doubled the fan-out cost
        # The app reads X-Forwarded-For itself, from MOTCUA_TRUSTED_PROXIES only
        # (api/client_address.py); uvicorn must not rewrite the peer address first.
        proxy_headers=False,
    )
    return 0


def db_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua db", description="Database migrations.")
    parser.add_argument("action", choices=["upgrade", "current"])
    args = parser.parse_args(argv)
    settings = _settings()
    from queue_server import migrations

    if args.action == "upgrade":
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        migrations.upgrade(settings.database_url)
        print(f"database at migration {migrations.head_revision()}")
    else:
        engine = _engine(settings)
        print(migrations.current_revision(engine) or "none")
        engine.dispose()
    return 0


def seed_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua seed", description="Import the catalog; optionally a demo province.")
    parser.add_argument("--demo", action="store_true", help="also create the demo province (development)")
    parser.add_argument("--csv", help="procedure catalog CSV (default: the national catalog shipped with motcua)")
    args = parser.parse_args(argv)
    settings = _settings()
    from pathlib import Path

    from queue_server.catalog import DEFAULT_CSV, import_catalog
    from queue_server.seed import demo_credentials_text, seed_demo

    engine = _engine(settings)
    with engine.begin() as conn:
        count = import_catalog(conn, Path(args.csv) if args.csv else DEFAULT_CSV)
        created = seed_demo(conn) if args.demo else False
    engine.dispose()
    print(f"catalog: {count} procedures")
    if args.demo:
        print("demo province created" if created else "demo province already present")
        month = _demo_month(settings)
        if month:
            print(f"demo dossiers: {month['dossiers']} dossiers and {month['walk_ins']} walk-in visits over the last "
                  f"month ({month['steps']} steps taken)")
        print(demo_credentials_text(settings.public_base_url))
    return 0


def _demo_month(settings):  # noqa: ANN001, ANN202
    """A month of dossiers through agencies (once, on a database without dossiers)."""
    from datetime import UTC, datetime

    from queue_server.bootstrap import bootstrap
    from queue_server.demo_dossiers import seed_demo_month

    return seed_demo_month(lambda clock: bootstrap(settings, clock=clock), datetime.now(UTC), walk_ins=True)


def user_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua user", description="Staff accounts.")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create a staff, manager or admin account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.STAFF.value)
    add.add_argument("--site", help="site code (required for staff)")
    add.add_argument("--agency", help="processing agency code (required for processors)")
    add.add_argument("--head", action="store_true", help="a processor who heads the agency")
    add.add_argument("--password", help="default: asked for (or MOTCUA_NEW_PASSWORD)")
    args = parser.parse_args(argv)
    import os

    from queue_server.domain.account_commands import CreateStaff
    from queue_server.domain.errors import DomainError
    from queue_server.service_layer import accounts, audit

    password = args.password or os.environ.get("MOTCUA_NEW_PASSWORD") or getpass.getpass("password: ")
    entry = audit.cli_entry("motcua user add")
    entry.target_hint = f"user={args.username} role={args.role} site={args.site or '-'}"
    audit.begin(entry)  # the account and its audit row are written together
    try:
        out = accounts.create_staff(CreateStaff(args.username, args.name, password, Role(args.role), args.site,
                                                args.agency, args.head), _wiring().uow())
    except DomainError as exc:
        print(f"motcua: {exc.message_en} / {exc.message_vi}", file=sys.stderr)
        return 1
    print(f"created {out['role']} {out['username']} (id {out['id']})")
    return 0


def device_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua device", description="Kiosk and display devices.")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="register a device and print its token (shown once)")
    add.add_argument("name")
    add.add_argument("--kind", choices=[k.value for k in DeviceKind], required=True)
    add.add_argument("--site", required=True, help="site code")
    revoke = sub.add_parser("revoke", help="revoke a device token at once (a lost kiosk)")
    revoke.add_argument("device_id", type=int)
    pair = sub.add_parser("pair-display", help="print a one-time link that pairs a browser TV with a display "
                                               "device (open it on the TV within 15 minutes)")
    pair.add_argument("device_id", type=int)
    args = parser.parse_args(argv)
    from queue_server.domain.account_commands import CreateDevice, CreatePairingLink, RevokeDevice
    from queue_server.domain.errors import DomainError
    from queue_server.service_layer import accounts, audit, display_pairing

    entry = audit.cli_entry(f"motcua device {args.action}")
    entry.target_hint = (f"device={args.name} kind={args.kind} site={args.site}" if args.action == "add"
                         else f"device_id={args.device_id}")
    audit.begin(entry)
    try:
        if args.action == "add":
            token = accounts.create_device(CreateDevice(args.name, DeviceKind(args.kind), args.site), _wiring().uow())
            print(token)
        elif args.action == "pair-display":
            link = display_pairing.create_link(CreatePairingLink(args.device_id), _wiring().uow())
            print(link["url"])
        else:
            accounts.revoke_device(RevokeDevice(args.device_id), _wiring().uow())
            print(f"device {args.device_id} revoked")
    except DomainError as exc:
        print(f"motcua: {exc.message_en} / {exc.message_vi}", file=sys.stderr)
        return 1
    return 0


def backup_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua backup", description="Back up the database while it runs.")
    parser.add_argument("--to", required=True, help="backup file (SQLite file, or pg_dump custom format)")
    args = parser.parse_args(argv)
    from pathlib import Path

    from queue_server.backup import BackupError, backup

    try:
        path = backup(_settings().database_url, Path(args.to))
    except BackupError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {path}")
    return 0


def restore_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua restore", description="Restore a backup into an empty database.")
    parser.add_argument("--from", dest="source", required=True, help="backup file written by motcua backup")
    parser.add_argument("--force", action="store_true", help="overwrite a database that already has data")
    args = parser.parse_args(argv)
    from pathlib import Path

    from queue_server.backup import BackupError, restore

    try:
        restore(_settings().database_url, Path(args.source), force=args.force)
    except BackupError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 1
    print("restored; check it with `motcua db current` before starting the server")
    return 0


def documents_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua documents", description="The citizens' stored documents.")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("purge", help="drop stored documents past their retention (the dossiers keep their files)")
    args = parser.parse_args(argv)
    from queue_server.service_layer import audit, citizen_documents

    audit.begin(audit.cli_entry(f"motcua documents {args.action}"))
    removed = citizen_documents.purge_expired(_wiring().uow())
    print(f"{removed} stored documents past their retention removed")
def dossiers_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua dossiers", description="Dossiers after the counter.")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("notify", help="send today's overdue and due-tomorrow notices to agency officers and heads "
                                  "(once per person, day and kind; run it every morning)")
    parser.parse_args(argv)
    from queue_server.domain.dossier_commands import SendNotices
    from queue_server.service_layer.dossier_alerts import make_notifier, send_notices

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    wiring = _wiring()
    out = send_notices(SendNotices(make_notifier(wiring.settings.dossier_notifier)), wiring.uow())
    print(f"{out['day']}: {out['sent']} notices sent, {out['already_sent']} already sent earlier"
          + (f" ({', '.join(out['recipients'])})" if out["recipients"] else ""))
    return 0
