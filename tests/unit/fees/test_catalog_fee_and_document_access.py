"""The structured fee read from the catalog's free text, receipt numbering, and the one
policy that says who may read a citizen's stored documents."""

from __future__ import annotations

import csv

import pytest

from queue_server.catalog import DEFAULT_CSV as CATALOG
from queue_server.domain.document_access import (
    PROCESSOR_ROLE,
    ReadContext,
    Reader,
    may_read_citizen_documents,
)
from queue_server.domain.fees import (
    FeeKind,
    format_receipt_number,
    format_vnd,
    parse_catalog_fee,
    receipt_series,
)


@pytest.mark.parametrize("text, kind, amount", [
    ("20,000 VNĐ", FeeKind.AMOUNT, 20_000),
    ("70,000 VNĐ(70.000 đồng/Giấy chứng nhận)", FeeKind.AMOUNT, 70_000),  # the same amount twice
    ("VNĐ(20.000 vnđ /tờ khai)", FeeKind.AMOUNT, 20_000),  # stated in the note only
    ("500,000 Việt Nam Đồng(/hồ sơ)", FeeKind.AMOUNT, 500_000),
    ("25,000 Việt Nam Đồng(25.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2026))", FeeKind.AMOUNT, 25_000),
    ("Miễn phí", FeeKind.FREE, None),
    ("Miễn phí(Không có)", FeeKind.FREE, None),
    ("Miễn phí06 ngày làm việc, kể từ ngày nhận đủ hồ sơ theo quy định", FeeKind.FREE, None),
    # two amounts: which one applies is a manager's call
    ("800,000 Việt Nam Đồng((áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2025))", FeeKind.UNKNOWN, None),
    ("150 VNĐ(150.000 đồng/lần/thẻ.)", FeeKind.UNKNOWN, None),  # 150 and 150.000 disagree
    ("50 VNĐ", FeeKind.UNKNOWN, None),  # thousands written short: not believed
    ("10 USD(10 USD/người)", FeeKind.UNKNOWN, None),
    ("VNĐ(- Lệ phí đăng ký doanh nghiệp: Bằng 50% mức thu lệ phí)", FeeKind.UNKNOWN, None),
    ("Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)", FeeKind.UNKNOWN, None),
    ("Không có thông tin", FeeKind.UNKNOWN, None),
    ("", FeeKind.UNKNOWN, None),
])
def test_a_catalog_fee_text_is_one_amount_free_or_unknown(text, kind, amount):
    fee = parse_catalog_fee(text)
    assert (fee.kind, fee.amount_vnd) == (kind, amount)


def test_the_whole_catalog_reads_without_error_and_most_of_it_is_settled():
    with CATALOG.open(encoding="utf-8") as f:
        fees = [parse_catalog_fee(row["fee_vi"]) for row in csv.DictReader(f)]
    kinds = {k: sum(1 for f in fees if f.kind is k) for k in FeeKind}
    assert sum(kinds.values()) == 1601
    assert kinds[FeeKind.AMOUNT] >= 150 and kinds[FeeKind.FREE] >= 1000
    assert all(f.amount_vnd >= 1000 for f in fees if f.kind is FeeKind.AMOUNT)


def test_money_and_receipt_numbers_read_as_vietnamese_documents_write_them():
    assert format_vnd(1_025_000) == "1.025.000 đồng"
    assert receipt_series("HUE-TT", 2026) == "BL26-HUETT"
    assert format_receipt_number(42) == "0000042"


SITE_A, SITE_B, AGENCY_X, AGENCY_Y = 1, 2, 10, 11


@pytest.mark.parametrize("reader, context, allowed", [
    (Reader(1, "staff", SITE_A), ReadContext(SITE_A), True),  # the receiving site's clerk
    (Reader(1, "manager", SITE_A), ReadContext(SITE_A), True),  # its site manager
    (Reader(1, "staff", SITE_B), ReadContext(SITE_A), False),  # another site
    (Reader(1, "manager", None), ReadContext(SITE_A), False),  # province-wide: no
    (Reader(1, "admin", None), ReadContext(SITE_A, AGENCY_X), False),
    (Reader(1, PROCESSOR_ROLE, None, AGENCY_X), ReadContext(SITE_A, AGENCY_X), True),  # the processing agency
    (Reader(1, PROCESSOR_ROLE, None, AGENCY_Y), ReadContext(SITE_A, AGENCY_X), False),
    (Reader(1, PROCESSOR_ROLE, None, None), ReadContext(SITE_A, None), False),  # no agency on either side
    (Reader(1, "staff", None, AGENCY_X), ReadContext(SITE_A, AGENCY_X), False),  # agency rule is for processors
])
def test_only_the_receiving_site_and_the_processing_agency_may_read(reader, context, allowed):
    assert may_read_citizen_documents(reader, context) is allowed
