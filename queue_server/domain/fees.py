"""Fees and charges (phí, lệ phí): the structured fee of a procedure read from the catalog's
free text, and the numbering of fee receipts (biên lai).

The national catalog writes fees as free text ("20,000 VNĐ(20.000 đồng/tờ khai)", "Miễn phí",
"800,000 Việt Nam Đồng((áp dụng mức phí 400.000 đồng/hồ sơ …))"). A text is read as one
amount only when it states exactly one amount in dong; as free only when it says "Miễn phí"
and names no amount and no council that sets one; anything else is unknown and a manager
sets it. The portal sometimes writes thousands in short ("50 VNĐ" for 50.000 đồng), so an
amount under 1,000 dong is not believed either.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

MIN_BELIEVED_VND = 1_000
MAX_FEE_VND = 1_000_000_000_000  # far above any fee; bounds typed input


class FeeKind(StrEnum):
    AMOUNT = "amount"  # one amount in dong
    FREE = "free"  # no fee
    UNKNOWN = "unknown"  # the catalog does not say one amount: a manager sets it


@dataclass(frozen=True)
class CatalogFee:
    kind: FeeKind
    amount_vnd: int | None = None

    @property
    def text_vi(self) -> str:
        if self.kind is FeeKind.AMOUNT:
            return format_vnd(self.amount_vnd or 0)
        return "Miễn phí" if self.kind is FeeKind.FREE else "Chưa rõ mức thu"


UNKNOWN = CatalogFee(FeeKind.UNKNOWN)
FREE = CatalogFee(FeeKind.FREE)

_NUMBER = r"(\d{1,3}(?:[.,]\d{3})+|\d+)"
_HEAD = re.compile(rf"^\s*{_NUMBER}?\s*(VNĐ|VND|Việt Nam Đồng|đồng|USD)", re.IGNORECASE)
_IN_TEXT = re.compile(rf"{_NUMBER}\s*(?:đồng|vnđ|vnd|đ|Đ)(?![a-zà-ỹ])", re.IGNORECASE)
_COUNCIL = re.compile(r"hội đồng nhân dân|hđnd", re.IGNORECASE)


def _amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def parse_catalog_fee(text: str) -> CatalogFee:
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text or text.startswith("Không có thông tin"):
        return UNKNOWN
    amounts = {_amount(m.group(1)) for m in _IN_TEXT.finditer(text)}
    if text.startswith("Miễn phí"):
        return FREE if not amounts and not _COUNCIL.search(text) else UNKNOWN
    head = _HEAD.match(text)
    if head is None or head.group(2).upper() == "USD":
        return UNKNOWN
    if head.group(1):
        amounts.add(_amount(head.group(1)))
    if len(amounts) != 1:
        return UNKNOWN
    (amount,) = amounts
    return CatalogFee(FeeKind.AMOUNT, amount) if MIN_BELIEVED_VND <= amount <= MAX_FEE_VND else UNKNOWN


def format_vnd(amount: int) -> str:
    """'50.000 đồng', as Vietnamese documents write money."""
    return f"{amount:,}".replace(",", ".") + " đồng"


# ---- fee receipts (biên lai thu phí, lệ phí) ----------------------------------------------
RECEIPT_FORM = "01BLP0-001"  # mẫu biên lai thu phí, lệ phí (Circular 78/2021/TT-BTC style)


def receipt_series(site_code: str, year: int) -> str:
    """The receipt series (ký hiệu) of a site's year: numbers restart at 1 in each series."""
    clean = re.sub(r"[^0-9A-Z]", "", site_code.upper())[:12] or "SITE"
    return f"BL{year % 100:02d}-{clean}"


def format_receipt_number(number: int) -> str:
    return f"{number:07d}"
