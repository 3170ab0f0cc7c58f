"""Names for the catalog, written once here rather than on every screen.

- fields_en.csv: every field (lĩnh vực) of procedures_vn.csv in English;
- procedure_names.csv: for the procedures citizens ask for most, a short Vietnamese name
  where the catalog's runs long (one is 1,094 characters) and an English name. A procedure
  without an English name is shown in English as its Vietnamese name with the English field
  ("Đăng ký khai tử lưu động (Civil status)"); a manager may name any item on a site's menu.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from shared.textfold import nfc

FOLDER = Path(__file__).resolve().parent


def _table(name: str, key: str, value: str) -> dict[str, str]:
    with (FOLDER / name).open(encoding="utf-8", newline="") as fh:
        return {nfc(row[key].strip()): nfc(row[value].strip()) for row in csv.DictReader(fh) if row[value].strip()}


@functools.cache
def field_names_en() -> dict[str, str]:
    """Vietnamese field name -> English."""
    return _table("fields_en.csv", "field_vi", "field_en")


@functools.cache
def procedure_names_en() -> dict[str, str]:
    """Procedure code -> English name (the most requested procedures)."""
    return _table("procedure_names.csv", "code", "name_en")


@functools.cache
def procedure_short_names_vi() -> dict[str, str]:
    """Procedure code -> a short Vietnamese name, where the catalog's is too long to read."""
    return _table("procedure_names.csv", "code", "short_vi")


def field_en(field_vi: str) -> str:
    return field_names_en().get(nfc(field_vi.strip()), "")
