"""The server refuses to start wrongly configured, with a message saying what to do."""

import subprocess
import sys

import pytest
from pydantic import ValidationError
from support import ROOT

from queue_server.adapters.db import make_engine
from queue_server.migrations import NotMigrated, ensure_migrated
from queue_server.settings import Settings


def run_motcua(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "shared.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env})


def test_server_refuses_an_unmigrated_database_and_says_what_to_run(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(NotMigrated, match="motcua db upgrade"):
        ensure_migrated(make_engine(url))
    result = run_motcua("server", "--port", "0", env={"MOTCUA_DATABASE_URL": url})
    assert result.returncode == 1
    assert "Run `motcua db upgrade`" in result.stderr


def test_unknown_ordering_policy_stops_start_up() -> None:
    with pytest.raises(ValidationError, match="unknown ordering policy 'lifo'"):
        Settings(ordering_policy="lifo")
    result = run_motcua("server", env={"MOTCUA_ORDERING_POLICY": "lifo"})
    assert result.returncode != 0 and "unknown ordering policy" in result.stderr


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="MOTCUA_SECRET"):
        Settings(environment="production")
    Settings(environment="production", secret="x" * 40)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(time_zone="Mars/Olympus")


def test_db_upgrade_seed_and_accounts_from_the_command_line(tmp_path) -> None:  # noqa: ANN001
    # In a folder that does not exist yet, like `var/` on a new install.
    env = {"MOTCUA_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cli.db'}"}
    upgraded = run_motcua("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = run_motcua("seed", "--demo", env=env, timeout=600)  # a month of visits through the handlers
    assert seeded.returncode == 0 and "catalog: 1601 procedures" in seeded.stdout
    assert "mcd_demo-kiosk-hue-tt" in seeded.stdout
    # The demo's month of dossiers through the agencies, once.
    assert "demo dossiers:" in seeded.stdout and "thuanhoa" in seeded.stdout
    again = run_motcua("seed", "--demo", env=env, timeout=600)
    assert "already present" in again.stdout and "demo dossiers:" not in again.stdout
    notify = run_motcua("dossiers", "notify", env=env)
    assert notify.returncode == 0 and "notices sent" in notify.stdout, notify.stderr
    officer = run_motcua("user", "add", "phuc", "--name", "Ngô Văn Phúc", "--role", "processor", "--agency", "STP",
                         "--password", "mat-khau-dai", env=env)
    assert officer.returncode == 0 and "created processor phuc" in officer.stdout, officer.stderr
    no_agency = run_motcua("user", "add", "phuc2", "--name", "X", "--role", "processor", "--password",
                           "mat-khau-dai", env=env)
    assert no_agency.returncode == 1 and "--agency" in no_agency.stderr
    added = run_motcua("user", "add", "lan", "--name", "Trần Thị Lan", "--role", "staff", "--site", "HUE-PX",
                       "--password", "mat-khau-dai", env=env)
    assert added.returncode == 0 and "created staff lan" in added.stdout
    dup = run_motcua("user", "add", "lan", "--name", "X", "--site", "HUE-PX", "--password", "mat-khau-dai", env=env)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    device = run_motcua("device", "add", "Kiosk sảnh", "--kind", "kiosk", "--site", "HUE-PX", env=env)
    assert device.returncode == 0 and device.stdout.strip().startswith("mcd_")
    bad_site = run_motcua("device", "add", "X", "--kind", "kiosk", "--site", "NOPE", env=env)
    assert bad_site.returncode == 1 and "NOPE" in bad_site.stderr


def test_a_command_whose_extra_is_missing_says_which_pip_install_fixes_it() -> None:
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name.split('.')[0] == 'uvicorn' or name.split('.')[0] == 'fastapi':\n"
        "        raise ModuleNotFoundError(name=name.split('.')[0])\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "sys.modules.pop('fastapi', None)\n"
        "from shared.cli import COMMANDS, main\n"
        "COMMANDS['probe'] = ('fastapi', 'x', 'server', 'test')\n"
        "sys.exit(main(['probe']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "pip install 'motcua[server]'" in result.stderr
