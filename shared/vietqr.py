"""VietQR: the payment QR every Vietnamese banking app scans (NAPAS's profile of the EMVCo
merchant-presented QR). Built here for the receipt slip, the counter screen and the fee
receipt; read back here for tests and for checking a payload.

A payload is a run of TLV data objects, `ID(2 digits) LENGTH(2 digits) VALUE`:

    00 "01"                          payload format indicator
    01 "12"                          point of initiation: dynamic (this amount, this once)
    38 merchant account information
       00 "A000000727"               NAPAS's GUID
       01 beneficiary organisation
          00 bank BIN (6 digits)     acquirer ID
          01 account number          consumer/merchant account, up to 19 characters
       02 "QRIBFTTA"                 service: inter-bank fund transfer to an account
    53 "704"                         currency (ISO 4217: VND)
    54 amount                        whole dong, digits only
    58 "VN"                          country
    62 additional data
       08 purpose of transaction     up to 25 characters (the dossier code)
    63 CRC                           CRC-16/CCITT-FALSE of everything before it, "6304" included,
                                     four upper-case hex digits

Lengths count characters; the values written here are ASCII (banking apps show the purpose
as sent, and some garble accents), so characters and bytes agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MAX_PURPOSE = 25
MAX_AMOUNT_DIGITS = 13  # EMVCo: up to 13 characters
_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")


class VietQrError(ValueError):
    pass


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQrError(f"tag must be two digits, not {tag!r}")
    if len(value) > 99:
        raise VietQrError(f"value of tag {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def ascii_text(text: str) -> str:
    """Vietnamese without accents (đ → d), other characters dropped: what a transfer's
    description survives as in every bank."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in kept if 32 <= ord(ch) < 127)


def payment_purpose(dossier_code: str) -> str:
    """The transfer description for a dossier: its code when it fits in 25 characters, else
    the code's letters and digits only (a statement import matches either form)."""
    code = ascii_text(dossier_code).strip()
    if len(code) <= MAX_PURPOSE:
        return code
    compact = reference_key(code)
    return compact[-MAX_PURPOSE:]


def reference_key(text: str) -> str:
    """Letters and digits only, upper-case: banks drop or change the punctuation of a
    description, so codes are compared in this form."""
    return "".join(ch for ch in ascii_text(text).upper() if ch.isalnum())


@dataclass(frozen=True)
class Payment:
    bank_bin: str
    account: str
    amount_vnd: int
    purpose: str


def build_payload(payment: Payment) -> str:
    if not _BIN.fullmatch(payment.bank_bin):
        raise VietQrError("the bank BIN must be 6 digits")
    if not _ACCOUNT.fullmatch(payment.account):
        raise VietQrError("the account number must be 1-19 letters or digits")
    if isinstance(payment.amount_vnd, bool) or not isinstance(payment.amount_vnd, int) or payment.amount_vnd <= 0:
        raise VietQrError("the amount must be a positive whole number of dong")
    amount = str(payment.amount_vnd)
    if len(amount) > MAX_AMOUNT_DIGITS:
        raise VietQrError("the amount is too large")
    purpose = ascii_text(payment.purpose).strip()
    if len(purpose) > MAX_PURPOSE:
        raise VietQrError(f"the purpose takes at most {MAX_PURPOSE} characters")
    beneficiary = tlv("00", payment.bank_bin) + tlv("01", payment.account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (tlv("00", "01") + tlv("01", "12") + tlv("38", merchant) + tlv("53", CURRENCY_VND)
            + tlv("54", amount) + tlv("58", COUNTRY_VN))
    if purpose:
        body += tlv("62", tlv("08", purpose))
    body += "6304"
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


# ---- reading a payload back --------------------------------------------------------------
def parse_tlv(text: str) -> dict[str, str]:
    """One level of data objects; a malformed run raises VietQrError."""
    out: dict[str, str] = {}
    i = 0
    while i < len(text):
        if i + 4 > len(text) or not text[i:i + 4].isdigit():
            raise VietQrError(f"malformed data object at {i}")
        tag, length = text[i:i + 2], int(text[i + 2:i + 4])
        value = text[i + 4:i + 4 + length]
        if len(value) != length:
            raise VietQrError(f"data object {tag} is cut short")
        if tag in out:
            raise VietQrError(f"data object {tag} appears twice")
        out[tag] = value
        i += 4 + length
    return out


def crc_ok(payload: str) -> bool:
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return f"{crc16_ccitt(payload[:-4].encode('utf-8')):04X}" == payload[-4:].upper()


def read_payload(payload: str) -> Payment:
    """The payment a VietQR payload asks for, after checking its CRC and NAPAS fields."""
    if not crc_ok(payload):
        raise VietQrError("CRC mismatch")
    root = parse_tlv(payload)
    merchant = parse_tlv(root.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQrError("not a NAPAS (VietQR) payload")
    beneficiary = parse_tlv(merchant.get("01", ""))
    extra = parse_tlv(root.get("62", ""))
    if root.get("53") != CURRENCY_VND or root.get("58") != COUNTRY_VN:
        raise VietQrError("not a payment in dong in Vietnam")
    return Payment(beneficiary.get("00", ""), beneficiary.get("01", ""), int(root.get("54", "0") or 0),
                   extra.get("08", ""))
