"""A bank statement (CSV) matched to dossier fees: a credit whose description carries a
dossier's code and whose amount is that dossier's fee marks the fee paid by transfer; every
other line is listed with why it was not (partial, overpaid, already paid, duplicate,
unknown), for a person to follow up.

Banks export statements in their own shapes, so columns are found by their header (in
Vietnamese or English, with or without accents), the separator is `,`, `;` or a tab, and
amounts are read whichever way thousands are grouped. Descriptions are compared by their
letters and digits only (banks drop or change punctuation): `HS 00000001H292603100420`
still names `000.00.01.H29-260310-0420`. The whole import is one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from queue_server.adapters import tables as t
from queue_server.domain.dossier_commands import ImportStatement, MarkFeePaid
from queue_server.domain.errors import Invalid
from queue_server.domain.fees import format_vnd
from queue_server.service_layer import fees
from queue_server.service_layer.unit_of_work import UnitOfWork
from shared.vietqr import reference_key

MAX_STATEMENT_BYTES = 1_000_000
MAX_LINES = 20_000
PAID_LOOKBACK = timedelta(days=400)  # paid fees a late statement line may still name
HEADERS = {
    "date": ("ngay giao dich", "ngay hach toan", "ngay", "date", "transaction date", "posting date"),
    "amount": ("so tien ghi co", "ghi co", "so tien", "credit", "amount"),
    "description": ("noi dung giao dich", "noi dung", "dien giai", "mo ta", "description", "details", "narrative"),
    "reference": ("so tham chieu", "ma giao dich", "so giao dich", "so but toan", "reference", "ref",
                  "transaction id"),
}
_AMOUNT = re.compile(r"[+-]?\d{1,3}(?:([.,])\d{3})*(?:[.,]\d{1,2})?|[+-]?\d+(?:[.,]\d{1,2})?")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class StatementLine:
    line: int
    booked_on: date | None
    amount_vnd: int | None  # None: unreadable; negative: a debit
    description: str
    bank_ref: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).lower()
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Mn").split())


def read_amount(text: str) -> int | None:
    """'50,000' '50.000' '50000' '+50.000,00' '50,000 VND' → 50000; anything else None."""
    cleaned = re.sub(r"(?i)vnd|vnđ|đ|\s", "", text or "")
    if not cleaned:
        return None
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        return None
    digits = cleaned
    decimals = re.search(r"[.,]\d{1,2}$", digits)
    grouped = match.group(1)
    if decimals and (grouped is None or decimals.group(0)[0] != grouped):
        digits = digits[: decimals.start()]  # cents: dong have none
    value = int(re.sub(r"[.,+]", "", digits.replace("-", "")))
    return -value if cleaned.startswith("-") else value


def read_date(text: str) -> date | None:
    head = (text or "").strip()[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


def parse_statement(content: bytes) -> list[StatementLine]:
    if len(content) > MAX_STATEMENT_BYTES:
        raise Invalid(f"Tệp sao kê quá lớn (tối đa {MAX_STATEMENT_BYTES // 1_000_000} MB).",
                      f"The statement is too large (at most {MAX_STATEMENT_BYTES // 1_000_000} MB).",
                      code="statement_too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1258", errors="replace")  # Vietnamese Windows exports
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise Invalid("Tệp sao kê trống.", "The statement is empty.", code="statement_empty")
    if len(rows) > MAX_LINES + 1:
        raise Invalid(f"Tối đa {MAX_LINES} dòng mỗi lần nhập.", f"At most {MAX_LINES} lines per import.",
                      code="statement_too_long")
    columns = _columns(rows[0])
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""
        out.append(StatementLine(number, read_date(cell("date")), read_amount(cell("amount")),
                                 " ".join(cell("description").split())[:500], cell("reference")[:80]))
    return out


def _columns(header: list[str]) -> dict[str, int]:
    folded = [_fold(h) for h in header]
    found: dict[str, int] = {}
    for name, words in HEADERS.items():
        for word in words:  # the most specific header name first
            if word in folded:
                found[name] = folded.index(word)
                break
    missing = [n for n in ("amount", "description") if n not in found]
    if missing:
        raise Invalid("Không tìm thấy cột số tiền hoặc nội dung trong dòng tiêu đề của tệp sao kê "
                      "(ví dụ: “Số tiền”, “Nội dung”).",
                      f"The statement's header has no {' or '.join(missing)} column "
                      "(e.g. “Amount”, “Description”).", code="statement_columns")
    return found


def _synthetic_ref(line: StatementLine) -> str:
    """Lines without the bank's reference still get one, so importing the same statement
    twice marks nothing twice."""
    raw = f"{line.booked_on}|{line.amount_vnd}|{line.description}"
    return "stmt-" + hashlib.sha256(raw.encode()).hexdigest()[:24]


def import_statement(c: ImportStatement, uow: UnitOfWork) -> dict[str, Any]:
    lines = parse_statement(c.content)
    staff_id, allowed_site = c.staff_id, c.allowed_site
    with uow:
        conn = uow.conn
        f = t.dossier_fees.c
        recent = uow.now - PAID_LOOKBACK
        stmt = (select(f.dossier_id, f.amount_vnd, f.status, f.bank_ref, t.dossiers.c.code)
                .join(t.dossiers, t.dossiers.c.id == f.dossier_id)
                .where((f.status == fees.UNPAID) | (f.paid_at >= recent)))
        if allowed_site is not None:
            stmt = stmt.where(f.site_id == allowed_site)
        candidates = conn.execute(stmt).all()
        by_key = {reference_key(r.code): r for r in candidates}
        known_refs = {r.bank_ref for r in candidates if r.bank_ref}
        known_refs |= set(conn.execute(select(f.bank_ref).where(f.bank_ref.is_not(None))).scalars())
        status = {r.code: r.status for r in candidates}
        results, paid_total = [], 0
        for line in lines:
            result = _match(line, by_key, known_refs, status)
            if result["outcome"] == "paid":
                fees.mark_paid_in(uow, MarkFeePaid(result["dossier_code"], staff_id, "transfer",
                                                   bank_ref=result["bank_ref"], allowed_site=allowed_site))
                status[result["dossier_code"]] = fees.PAID
                paid_total += line.amount_vnd or 0
            results.append(result)
        counts: dict[str, int] = {}
        for r in results:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        uow.commit()
    return {"lines": results, "counts": counts, "paid_vnd": paid_total}


def _match(line: StatementLine, by_key: dict[str, Any], known_refs: set[str],
           status: dict[str, str]) -> dict[str, Any]:
    ref = line.bank_ref or _synthetic_ref(line)
    base = {"line": line.line, "booked_on": line.booked_on, "amount_vnd": line.amount_vnd,
            "description": line.description, "bank_ref": line.bank_ref}

    def out(outcome: str, vi: str, en: str, row: Any = None) -> dict[str, Any]:
        return {**base, "outcome": outcome, "message_vi": vi, "message_en": en,
                "dossier_code": row.code if row is not None else None,
                "expected_vnd": int(row.amount_vnd) if row is not None else None, "bank_ref": ref}

    if line.amount_vnd is None:
        return out("invalid", "Không đọc được số tiền.", "The amount is unreadable.")
    if line.amount_vnd <= 0:
        return out("skipped", "Không phải khoản tiền vào.", "Not a credit.")
    if ref in known_refs:
        return out("duplicate", "Giao dịch này đã được ghi nhận trước đó.", "This transaction was recorded before.")
    key = reference_key(line.description)
    found = [row for code_key, row in by_key.items() if code_key and code_key in key]
    if len(found) != 1:
        vi = "Không tìm thấy mã hồ sơ trong nội dung chuyển khoản." if not found else \
            "Nội dung có nhiều mã hồ sơ: cần xử lý thủ công."
        en = "No dossier code in the description." if not found else "Several dossier codes: handle by hand."
        return out("unknown", vi, en)
    row = found[0]
    if status.get(row.code) == fees.PAID:
        return out("already_paid", f"Lệ phí hồ sơ {row.code} đã nộp trước đó.", f"Dossier {row.code} was paid before.",
                   row)
    expected = int(row.amount_vnd)
    if line.amount_vnd < expected:
        return out("partial", f"Chuyển thiếu: {format_vnd(line.amount_vnd)} trên {format_vnd(expected)}.",
                   f"Short: {line.amount_vnd} of {expected} dong.", row)
    if line.amount_vnd > expected:
        return out("overpaid", f"Chuyển thừa: {format_vnd(line.amount_vnd)} trên {format_vnd(expected)}.",
                   f"Over: {line.amount_vnd} for {expected} dong.", row)
    known_refs.add(ref)
    return out("paid", f"Đã ghi nhận nộp lệ phí hồ sơ {row.code}.", f"Dossier {row.code} marked paid.", row)
