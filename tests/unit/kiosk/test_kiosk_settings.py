"""Kiosk settings: file, environment (wins), printer address strings, the PIN and the
settings screen, which saves and reconnects."""

import asyncio

import pytest
from kiosk_fakes import PIN

from kiosk.presenter import Phase
from kiosk.printing import PrinterSettings
from kiosk.settings import (
    KioskSettings,
    SettingsError,
    load_settings,
    parse_printer_address,
    pin_matches,
    printer_address,
    save_settings,
)

INI = """
[kiosk]
server_url = http://10.0.0.5:8000/
device_token = mcd_abc
site_code = hue-px
idle_timeout = 45
language = en
settings_pin = 1357

[printer]
address = network:192.168.1.50:9100
paper_width_mm = 58
qr_mode = native
"""


def test_settings_come_from_the_file(tmp_path):
    path = tmp_path / "kiosk.ini"
    path.write_text(INI, encoding="utf-8")
    s = load_settings(path, environ={})
    assert (s.server_url, s.device_token, s.site_code, s.idle_timeout, s.language) == (
        "http://10.0.0.5:8000", "mcd_abc", "HUE-PX", 45, "en")
    assert s.printer == PrinterSettings(connection="network", host="192.168.1.50", port=9100, paper_width_mm=58,
                                        qr_mode="native")
    assert pin_matches("1357", s.settings_pin_hash) and not pin_matches("1358", s.settings_pin_hash)


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "kiosk.ini"
    path.write_text(INI, encoding="utf-8")
    env = {"MOTCUA_KIOSK_SITE_CODE": "HUE-TT", "MOTCUA_KIOSK_PRINTER": "usb:0416:5011",
           "MOTCUA_KIOSK_PAPER_WIDTH": "80", "MOTCUA_PRINTER_TIMEOUT": "3"}
    s = load_settings(path, environ=env)
    assert s.site_code == "HUE-TT"
    assert (s.printer.connection, s.printer.vendor_id, s.printer.product_id, s.printer.host) == (
        "usb", 0x0416, 0x5011, None)  # no stale network host on a USB printer
    assert s.printer.paper_width_mm == 80 and s.printer.timeout == 3 and s.printer.qr_mode == "native"


def test_environment_alone_is_enough(tmp_path):
    s = load_settings(tmp_path / "none.ini", environ={
        "MOTCUA_KIOSK_SERVER_URL": "http://127.0.0.1:8055", "MOTCUA_KIOSK_DEVICE_TOKEN": "mcd_demo-kiosk-hue-tt",
        "MOTCUA_KIOSK_SITE_CODE": "HUE-TT", "MOTCUA_KIOSK_SETTINGS_PIN": "2468"})
    assert s.configured and s.has_pin and s.printer.connection == "dummy"


@pytest.mark.parametrize("text, why", [
    ("[kiosk]\nidle_timeout = soon\n", "idle_timeout"),
    ("[kiosk]\nlanguage = fr\n", "language"),
    ("[kiosk]\nsever_url = http://x\n", "sever_url"),
    ("[printer]\naddress = network:\n", "network"),
    ("[printer]\npaper_width_mm = 76\n", "paper_width_mm"),
    ("[kiosk]\nsettings_pin = 12\n", "settings_pin"),
    ("[kiosk]\nserver_url = 10.0.0.5\n", "server_url"),
    ("[kiosk\n", "kiosk.ini"),
    ("[kisok]\n", "kisok"),
])
def test_a_wrong_setting_stops_start_up_naming_the_key(tmp_path, text, why):
    path = tmp_path / "kiosk.ini"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=why):
        load_settings(path, environ={})


@pytest.mark.parametrize("address", [
    "network:192.168.1.50:9100", "usb:0416:5011", "serial:/dev/ttyUSB0@19200", "cups:TM-T20", "file:/dev/usb/lp0",
    "dummy",
])
def test_printer_addresses_read_back_the_same(address):
    printer = PrinterSettings(**parse_printer_address(address))
    assert printer_address(printer) == address


def test_saved_settings_load_again_and_keep_the_token_private(tmp_path):
    path = tmp_path / "sub" / "kiosk.ini"
    s = KioskSettings(config_path=path).with_values({
        "server_url": "http://10.0.0.5:8000", "device_token": "mcd_secret", "site_code": "HUE-TT",
        "printer": "network:10.0.0.9", "paper_width_mm": "58", "settings_pin": "9999"})
    save_settings(s)
    assert path.stat().st_mode & 0o077 == 0
    again = load_settings(path, environ={})
    assert again.device_token == "mcd_secret" and again.printer == s.printer
    assert pin_matches("9999", again.settings_pin_hash)


def test_the_settings_screen_needs_the_pin_and_locks_after_wrong_attempts(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        for _ in range(4):
            k.p.secret_tap()
        assert k.state.phase is Phase.HOME  # four taps are not enough
        k.clock.advance(10)
        for _ in range(5):
            k.p.secret_tap()
        assert k.state.phase is Phase.PIN
        for _ in range(4):
            for digit in "0000":
                k.p.pin_digit(digit)
            k.p.pin_submit()
            assert k.state.phase is Phase.PIN and k.state.pin_error and k.state.pin == ""
        for digit in "0000":
            k.p.pin_digit(digit)
        k.p.pin_submit()
        assert k.state.phase is Phase.HOME  # fifth wrong PIN: locked out for a while
        for _ in range(5):
            k.p.secret_tap()
        assert k.state.phase is Phase.HOME
        k.clock.advance(301)
        for _ in range(5):
            k.p.secret_tap()
        for digit in PIN:
            k.p.pin_digit(digit)
        k.p.pin_submit()
        assert k.state.phase is Phase.SETTINGS
        await k.p.stop()

    asyncio.run(scenario())


def test_saving_settings_writes_them_and_reconnects(make_kiosk):
    async def scenario():
        k = await make_kiosk().started()
        for _ in range(5):
            k.p.secret_tap()
        for digit in PIN:
            k.p.pin_digit(digit)
        k.p.pin_submit()
        values = k.p.settings_values()
        assert values["site_code"] == "HUE-TT" and values["printer"] == "dummy"
        assert not k.p.save_settings({**values, "idle_timeout": "abc"})
        assert "idle_timeout" in k.state.settings_error and k.saved == []
        assert k.p.save_settings({**values, "printer": "network:127.0.0.1:9100", "language": "en"})
        assert k.saved[-1].printer.host == "127.0.0.1" and k.p.settings.language == "en"
        assert k.state.settings_message.en == "Settings saved"
        await k.until(lambda: k.state.counts_live)  # reconnected
        k.clock.advance(60 * 3)
        k.p.tick()
        assert k.state.phase is Phase.HOME and k.state.lang == "en"
        await k.p.stop()

    asyncio.run(scenario())
