"""What a citizen reads about a procedure on the kiosk menu, made from the raw catalog.

The national catalog's texts were written for a portal, not a touchscreen: 374 names begin
"Thủ tục …" (which sorts "Thủ tục đăng ký khai sinh" after "Liên thông…"), a processing
time may have no unit ("1" of what?), and fees are free text that runs on for paragraphs.
Here:
- the display name drops the "Thủ tục " prefix (for display and for sorting);
- a time without a unit, and a fee the catalog does not state, are left out (None), never
  shown as a placeholder;
- a fee gets a short form of at most `SHORT_FEE_MAX` characters; the cleaned full text
  stays available for whoever asks for it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from queue_server.domain.fees import FeeKind, format_vnd, parse_catalog_fee
from shared.textfold import fold

SHORT_FEE_MAX = 40
_PREFIX = re.compile(r"^\s*thủ\s+tục\s*[:\-–]?\s*", re.IGNORECASE)
_COUNCIL = re.compile(r"hội đồng nhân dân|hđnd", re.IGNORECASE)
_USD = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*USD", re.IGNORECASE)
_AMOUNTS = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d{4,})\s*(?:đồng|vnđ|vnd|đ)(?![a-zà-ỹ])", re.IGNORECASE)
_BARE_CURRENCY = re.compile(r"^\s*\d*\s*(VNĐ|VND|Việt Nam Đồng)(?=\s|\(|$)", re.IGNORECASE)
NO_INFO = "Không có thông tin"


def display_name(name_vi: str) -> str:
    """'Thủ tục đăng ký khai sinh' -> 'Đăng ký khai sinh' (whitespace tidied, final dot dropped)."""
    text = " ".join(unicodedata.normalize("NFC", name_vi or "").split()).lstrip(" .,;:-–")
    stripped = _PREFIX.sub("", text, count=1)
    if stripped and stripped != text:
        text = stripped[0].upper() + stripped[1:]
    return text.rstrip(" .")


def sort_key(name: str) -> str:
    """Accent-free, case-free order on the display name (no "Thủ tục" prefix)."""
    return fold(display_name(name))


# ---- processing time ---------------------------------------------------------------------------
_UNITS = {
    "Ngày làm việc": ("ngày làm việc", "working day", "working days"),
    "Ngày": ("ngày", "day", "days"),
    "Giờ": ("giờ", "hour", "hours"),
    "Tháng": ("tháng", "month", "months"),
}


def days_text(value: float | None, unit_vi: str) -> tuple[str | None, str | None]:
    """('5 ngày làm việc', '5 working days'); (None, None) when the catalog gives no value
    or a value with no unit: a bare number means nothing to a citizen."""
    unit = _UNITS.get((unit_vi or "").strip())
    if value is None or unit is None or value < 0:
        return None, None
    if value == 0:
        return "Trong ngày", "Same day"
    number = int(value) if float(value).is_integer() else value
    vi_number = str(number).replace(".", ",")
    return f"{vi_number} {unit[0]}", f"{number} {unit[1] if number == 1 else unit[2]}"


# ---- fee -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeeText:
    short_vi: str | None  # at most SHORT_FEE_MAX characters; None: the catalog does not say
    short_en: str | None
    full_vi: str | None  # the cleaned catalog text, for "more about the fee"


def clean_fee_text(text: str) -> str:
    """The catalog's fee text with its run-together words parted: 'Miễn phí(Không)' ->
    'Miễn phí (Không)', '20,000 VNĐ(20.000 đồng/tờ khai)' -> '20,000 VNĐ (20.000 đồng/tờ khai)',
    'Không có thông tin07 ngày' -> 'Không có thông tin. 07 ngày'."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"(?<=[^\s(])\(", " (", text)
    text = re.sub(r"\)(?=[^\s).,;:])", ") ", text)
    text = re.sub(rf"^({NO_INFO}|Miễn phí)(?=[0-9A-ZÀ-Ỹ\-+*])", r"\1. ", text)
    text = re.sub(r"\s*\n\s*", "; ", text)
    text = " ".join(text.split())
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    return text.strip(" ;")


def _en_vnd(amount: int) -> str:
    return f"{amount:,} VND"


def fee_text(catalog_text: str, manager_amount: int | None = None, manager_set: bool = False) -> FeeText:
    """The fee as a citizen reads it. A manager's structured fee (procedure_fees) wins;
    otherwise one amount or "free" read from the catalog; otherwise a short honest phrase
    ("set by the provincial council", "from X") with the full text behind it."""
    full = clean_fee_text(catalog_text)
    full_out = full if full and not full.startswith(NO_INFO) else None
    if manager_set:
        if manager_amount is None:
            return FeeText("Miễn phí", "Free", full_out)
        return FeeText(format_vnd(manager_amount), _en_vnd(manager_amount), full_out)
    fee = parse_catalog_fee(catalog_text)
    if fee.kind is FeeKind.AMOUNT and fee.amount_vnd is not None:
        return FeeText(format_vnd(fee.amount_vnd), _en_vnd(fee.amount_vnd), full_out)
    if fee.kind is FeeKind.FREE:
        return FeeText("Miễn phí", "Free", full_out)
    if full_out is None:
        return FeeText(None, None, None)
    usd = _USD.match(full_out)
    if usd:
        return FeeText(f"{usd.group(1)} USD", f"{usd.group(1)} USD", full_out)
    amounts = sorted({int(re.sub(r"[.,]", "", m)) for m in _AMOUNTS.findall(full_out)})
    amounts = [a for a in amounts if a >= 1_000]
    if not amounts and _BARE_CURRENCY.match(full_out):
        return FeeText(None, None, None)  # "VNĐ", "50 VNĐ (hồ sơ)": the portal lost the figure
    if len(amounts) == 1 and not full_out.startswith("Miễn phí"):
        return FeeText(format_vnd(amounts[0]), _en_vnd(amounts[0]), full_out)
    if len(amounts) > 1:
        low, high = amounts[0], amounts[-1]
        vi = f"{format_vnd(low).removesuffix(' đồng')} – {format_vnd(high)}"
        en = f"{low:,} – {high:,} VND"
        if len(vi) > SHORT_FEE_MAX:
            vi, en = f"Từ {format_vnd(low)}", f"From {_en_vnd(low)}"
        return FeeText(vi, en, full_out)
    if _COUNCIL.search(full_out):
        return FeeText("Theo mức HĐND tỉnh quy định", "As set by the provincial council", full_out)
    if len(full_out) <= SHORT_FEE_MAX:
        return FeeText(full_out, None, full_out)
    return FeeText("Theo quy định – hỏi cán bộ", "As regulated – ask the staff", full_out)
