"""VietQR payloads: the published example byte for byte, every TLV field and the CRC of what
we build, read back from a QR image by zxing-cpp."""

from __future__ import annotations

import binascii

import pytest
import qrcode
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from shared.vietqr import (
    Payment,
    VietQrError,
    build_payload,
    crc16_ccitt,
    crc_ok,
    parse_tlv,
    payment_purpose,
    read_payload,
    reference_key,
)

# The example published with an open VietQR generator (subiz/vietqr README): 120,000 dong to
# account 0011001932418 at BIN 970415, "ung ho lu lut".
PUBLISHED = ("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
             "530370454061200005802VN62170813ung ho lu lut6304C15C")


def test_the_published_example_is_reproduced_exactly():
    assert build_payload(Payment("970415", "0011001932418", 120000, "ủng hộ lũ lụt")) == PUBLISHED
    assert read_payload(PUBLISHED) == Payment("970415", "0011001932418", 120000, "ung ho lu lut")


def test_the_crc_is_ccitt_false_as_another_implementation_computes_it():
    body = PUBLISHED[:-4].encode()
    assert crc16_ccitt(body) == binascii.crc_hqx(body, 0xFFFF) == 0xC15C
    assert crc16_ccitt(b"123456789") == 0x29B1  # the catalogue check value of CRC-16/CCITT-FALSE


def qr_image_text(payload: str) -> str:
    qr = qrcode.QRCode(box_size=4, border=4)
    qr.add_data(payload)
    image = qr.make_image().get_image().convert("L")
    read = zxingcpp.read_barcodes(image)
    assert [r.format for r in read] == [zxingcpp.BarcodeFormat.QRCode]
    return read[0].text


def test_a_dossier_fee_payload_read_from_its_qr_image_has_every_field():
    code = "000.00.01.H29-260310-0420"
    payload = build_payload(Payment("970436", "0071000123456", 50000, payment_purpose(code)))
    scanned = qr_image_text(payload)
    assert scanned == payload
    root = parse_tlv(scanned)
    assert list(root) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert root["00"] == "01" and root["01"] == "12"
    merchant = parse_tlv(root["38"])
    assert merchant == {"00": "A000000727", "01": "00069704360113" + "0071000123456", "02": "QRIBFTTA"}
    assert parse_tlv(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert (root["53"], root["54"], root["58"]) == ("704", "50000", "VN")
    assert parse_tlv(root["62"]) == {"08": code}
    assert root["63"] == f"{binascii.crc_hqx(scanned[:-4].encode(), 0xFFFF):04X}"


def test_a_changed_character_breaks_the_crc():
    payload = build_payload(Payment("970436", "0071000123456", 50000, "X"))
    tampered = payload.replace("50000", "90000")
    assert crc_ok(payload) and not crc_ok(tampered)
    with pytest.raises(VietQrError, match="CRC"):
        read_payload(tampered)


@pytest.mark.parametrize("payment, problem", [
    (Payment("97043", "1", 1, ""), "BIN"),
    (Payment("970436", "", 1, ""), "account"),
    (Payment("970436", "12-34", 1, ""), "account"),
    (Payment("970436", "1", 0, ""), "positive"),
    (Payment("970436", "1", 10**13, ""), "too large"),
    (Payment("970436", "1", 1, "x" * 26), "25"),
])
def test_what_a_bank_would_refuse_is_refused_here(payment, problem):
    with pytest.raises(VietQrError, match=problem):
        build_payload(payment)


def test_a_long_dossier_code_fits_the_purpose_as_its_letters_and_digits():
    long_code = "000.00.01.H29.ABCDEFGH-260310-0420"
    purpose = payment_purpose(long_code)
    assert len(purpose) <= 25 and reference_key(long_code).endswith(purpose)
    assert reference_key("Chuyen tien 000.00.01.H29-260310-0420 ho so").find(reference_key("000.00.01.H29-260310-0420")) > 0


@given(amount=st.integers(1, 10**12), account=st.from_regex(r"[0-9]{6,19}", fullmatch=True),
       purpose=st.text(max_size=40))
def test_every_payload_built_reads_back_to_what_was_asked(amount, account, purpose):
    wanted = payment_purpose(purpose)
    payload = build_payload(Payment("970418", account, amount, wanted))
    assert read_payload(payload) == Payment("970418", account, amount, wanted.strip())
