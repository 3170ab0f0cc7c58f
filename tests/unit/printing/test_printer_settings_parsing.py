"""Printer settings are read from plain strings and refuse anything they cannot honour."""

import pytest

from kiosk.printing.settings import PrinterSettings


def test_defaults_are_a_dummy_80mm_printer_with_image_qr():
    s = PrinterSettings()
    assert (s.connection, s.paper_width_mm, s.width_dots, s.qr_mode, s.cut) == (
        "dummy",
        80,
        576,
        "image",
        True,
    )


def test_network_printer_from_strings():
    s = PrinterSettings.from_mapping(
        {
            "connection": "Network",
            "host": "192.168.1.50",
            "port": "9101",
            "timeout": "2.5",
            "paper_width_mm": "58mm",
            "qr_mode": "NATIVE",
            "cut": "no",
        }
    )
    assert (s.connection, s.host, s.port, s.timeout) == ("network", "192.168.1.50", 9101, 2.5)
    assert (s.width_dots, s.qr_mode, s.cut) == (384, "native", False)


def test_usb_ids_are_read_as_hex_like_lsusb_prints_them():
    s = PrinterSettings.from_mapping(
        {"connection": "usb", "vendor_id": "0416", "product_id": "0x5011"}
    )
    assert (s.vendor_id, s.product_id) == (0x0416, 0x5011)


def test_environment_variables_with_the_motcua_prefix():
    env = {
        "MOTCUA_PRINTER_CONNECTION": "serial",
        "MOTCUA_PRINTER_DEVICE": "/dev/ttyUSB0",
        "MOTCUA_PRINTER_BAUDRATE": "115200",
        "MOTCUA_PRINTER_STATUS_CHECK": "có",
        "PATH": "/usr/bin",
    }
    s = PrinterSettings.from_env(env)
    assert (s.connection, s.device, s.baudrate, s.status_check) == (
        "serial",
        "/dev/ttyUSB0",
        115200,
        True,
    )


def test_empty_values_fall_back_to_defaults():
    s = PrinterSettings.from_mapping(
        {"connection": "file", "path": "/dev/usb/lp0", "port": "", "dots": None}
    )
    assert s.port == 9100 and s.dots is None


def test_an_odd_printer_width_can_be_given_in_dots():
    assert PrinterSettings(dots=512).width_dots == 512  # Epson TM-T88 on 80 mm paper


@pytest.mark.parametrize(
    "values, key",
    [
        ({"connection": "network"}, "host"),
        ({"connection": "usb", "vendor_id": "0416"}, "product_id"),
        ({"connection": "serial"}, "device"),
        ({"connection": "file"}, "path"),
        ({"connection": "bluetooth"}, "connection"),
        ({"qr_mode": "svg"}, "qr_mode"),
        ({"paper_width_mm": "76"}, "paper_width_mm"),
        ({"dots": "500"}, "dots"),
        ({"timeout": "0"}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"port": "70000"}, "port"),
        ({"cut": "maybe"}, "cut"),
        ({"hots": "10.0.0.5"}, "hots"),
    ],
)
def test_bad_settings_fail_at_start_up_naming_the_key(values, key):
    with pytest.raises(ValueError, match=key):
        PrinterSettings.from_mapping(values)


def test_typed_values_are_accepted_but_not_wrong_types():
    assert (
        PrinterSettings.from_mapping({"connection": "network", "host": "h", "port": 9100}).port
        == 9100
    )
    with pytest.raises(ValueError, match="port"):
        PrinterSettings.from_mapping({"connection": "network", "host": "h", "port": 9100.5})
