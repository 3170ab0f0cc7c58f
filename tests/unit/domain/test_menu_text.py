"""What a citizen reads about a procedure on the kiosk menu, from the raw national catalog:
names without the "Thủ tục " prefix, no placeholder for missing data, short fee texts."""

from __future__ import annotations

import csv

import pytest

from queue_server.catalog import DEFAULT_CSV
from queue_server.catalog_data.names import (
    field_en,
    field_names_en,
    procedure_names_en,
    procedure_short_names_vi,
)
from queue_server.domain.menu_text import (
    SHORT_FEE_MAX,
    clean_fee_text,
    days_text,
    display_name,
    fee_text,
    sort_key,
)


@pytest.mark.parametrize(("raw", "shown"), [
    ("Thủ tục đăng ký khai sinh", "Đăng ký khai sinh"),
    ("Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ("  Đăng ký   thường trú.", "Đăng ký thường trú"),
    (". Đăng ký thuế đối với trường hợp chuyển đổi", "Đăng ký thuế đối với trường hợp chuyển đổi"),
    ("Liên thông thủ tục hành chính về đăng ký khai sinh", "Liên thông thủ tục hành chính về đăng ký khai sinh"),
])
def test_display_name_drops_the_prefix_and_tidies(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_birth_registration_sorts_before_lien_thong_without_its_prefix() -> None:
    names = ["Liên thông thủ tục hành chính về đăng ký khai sinh", "Thủ tục đăng ký khai sinh"]
    assert sorted(names, key=sort_key)[0] == "Thủ tục đăng ký khai sinh"


@pytest.mark.parametrize(("value", "unit", "vi", "en"), [
    (5, "Ngày làm việc", "5 ngày làm việc", "5 working days"),
    (1, "Ngày làm việc", "1 ngày làm việc", "1 working day"),
    (0.5, "Ngày", "0,5 ngày", "0.5 days"),
    (0, "Giờ", "Trong ngày", "Same day"),
    (1, "", None, None),  # "1" of what? left out, never "1 (chưa ghi đơn vị)"
    (None, "Ngày", None, None),
])
def test_processing_time_needs_a_unit(value: float | None, unit: str, vi: str | None, en: str | None) -> None:
    assert days_text(value, unit) == (vi, en)


@pytest.mark.parametrize(("raw", "short_vi", "short_en"), [
    ("Miễn phí", "Miễn phí", "Free"),
    ("Miễn phí(Không quy định)", "Miễn phí", "Free"),
    ("20,000 VNĐ(20.000 đồng/tờ khai)", "20.000 đồng", "20,000 VND"),
    ("Không có thông tin", None, None),
    ("", None, None),
    ("VNĐ", None, None),
    ("50 VNĐ((hồ sơ))", None, None),
    ("10 USD(10 USD/người)", "10 USD", "10 USD"),
    ("Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc trung ương quyết định)",
     "Theo mức HĐND tỉnh quy định", "As set by the provincial council"),
    ("Miễn phí(Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.)", "20.000 – 40.000 đồng",
     "20,000 – 40,000 VND"),
])
def test_fee_short_forms(raw: str, short_vi: str | None, short_en: str | None) -> None:
    fee = fee_text(raw)
    assert (fee.short_vi, fee.short_en) == (short_vi, short_en)


def test_a_managers_fee_wins_and_the_full_text_stays_available() -> None:
    raw = "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định)"
    fee = fee_text(raw, 8000, manager_set=True)
    assert (fee.short_vi, fee.short_en) == ("8.000 đồng", "8,000 VND")
    assert fee.full_vi == "Miễn phí (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định)"
    assert fee_text(raw, None, manager_set=True).short_vi == "Miễn phí"


def test_fee_text_is_parted_where_the_portal_ran_words_together() -> None:
    assert clean_fee_text("Miễn phí(Không)") == "Miễn phí (Không)"
    assert clean_fee_text("Không có thông tin07 ngày làm việc") == "Không có thông tin. 07 ngày làm việc"
    assert clean_fee_text("800,000 VNĐ(/hồ sơ)Phí:  800.000") == "800,000 VNĐ (/hồ sơ) Phí: 800.000"


def test_every_catalog_row_gives_a_short_fee_or_nothing_and_a_named_field() -> None:
    with DEFAULT_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    shorts = [fee_text(r["fee_vi"]).short_vi for r in rows]
    assert all(s is None or (0 < len(s) <= SHORT_FEE_MAX and "Không có thông tin" not in s) for s in shorts)
    assert sum(s is None for s in shorts) < len(rows) / 5  # most fees say something
    assert all(field_en(r["field_vi"]) for r in rows)  # every field has its English name
    assert len(field_names_en()) == len({r["field_vi"].strip() for r in rows})
    assert set(procedure_names_en()) <= {r["code"] for r in rows}
    assert set(procedure_short_names_vi()) <= set(procedure_names_en())
    assert all(8 < len(name) <= 70 for name in procedure_short_names_vi().values())
