"""`motcua kiosk` starts the app with settings from a file or the environment; a wrong
setting stops it with the key named, before any window opens."""

import subprocess
import sys
from pathlib import Path

import pytest

import kiosk.run
from kiosk import cli

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def started(monkeypatch):
    """Replace the window with a record of what it would have been started with."""
    calls = []
    monkeypatch.setattr(kiosk.run, "run_kiosk", lambda settings, size=None: calls.append((settings, size)) or 0)
    return calls


def test_no_subcommand_starts_the_app_with_the_file_and_environment_settings(tmp_path, monkeypatch, started):
    config = tmp_path / "kiosk.ini"
    config.write_text("[kiosk]\nsite_code = HUE-PX\ndevice_token = mcd_x\n[printer]\naddress = file:/dev/usb/lp0\n",
                      encoding="utf-8")
    monkeypatch.setenv("MOTCUA_KIOSK_CONFIG", str(config))
    monkeypatch.setenv("MOTCUA_KIOSK_SERVER_URL", "http://10.1.2.3:8000")
    assert cli.main([]) == 0
    [(settings, size)] = started
    assert (settings.site_code, settings.server_url, settings.printer.path, size) == (
        "HUE-PX", "http://10.1.2.3:8000", "/dev/usb/lp0", None)


def test_run_takes_a_config_file_a_window_size_and_full_screen(tmp_path, started):
    config = tmp_path / "kiosk.ini"
    config.write_text("[kiosk]\nsite_code = HUE-TT\n", encoding="utf-8")
    assert cli.main(["run", "--config", str(config), "--size", "1080x1920", "--fullscreen"]) == 0
    [(settings, size)] = started
    assert size == (1080, 1920) and settings.fullscreen and settings.config_path == config


def test_bad_settings_or_size_stop_before_the_window(tmp_path, capsys, started):
    config = tmp_path / "kiosk.ini"
    config.write_text("[kiosk]\nidle_timeout = later\n", encoding="utf-8")
    assert cli.main(["run", "--config", str(config)]) == 2
    assert "idle_timeout" in capsys.readouterr().err
    assert cli.main(["run", "--size", "big"]) == 2
    assert started == []


def test_motcua_kiosk_routes_here_and_reports_settings_errors_without_kivy(tmp_path):
    config = tmp_path / "kiosk.ini"
    config.write_text("[printer]\naddress = parallel:LPT1\n", encoding="utf-8")
    code = ("import sys; from shared.cli import main; rc = main(['kiosk', 'run', '--config', sys.argv[1]]);"
            "assert 'kivy' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(config)], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr
    assert "printer address" in result.stderr and "Kiosk settings error" in result.stderr


def test_a_kiosk_without_a_printer_says_so_instead_of_pretending_to_print():
    from kiosk.printing import EscposTicketPrinter, PrinterError, PrinterSettings, sample_printout
    from kiosk.run import printer_for
    from kiosk.settings import KioskSettings

    with pytest.raises(PrinterError) as failure:
        printer_for(KioskSettings()).print_ticket(sample_printout())
    assert failure.value.kind == "offline" and "máy in" in failure.value.message_vi
    network = KioskSettings(printer=PrinterSettings(connection="network", host="10.0.0.9"))
    assert isinstance(printer_for(network), EscposTicketPrinter)
