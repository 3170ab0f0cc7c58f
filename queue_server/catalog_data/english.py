"""English for the catalog, translated once here rather than on every screen.

- fields_en.csv: every field (lĩnh vực) of procedures_vn.csv in English;
- procedure_names_en.csv: English names of the procedures citizens ask for most. A
  procedure without one is shown in English as its Vietnamese name with the English field
  ("Đăng ký khai tử lưu động (Civil status)"), and a manager may name it on the menu.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from shared.textfold import nfc

FOLDER = Path(__file__).resolve().parent


def _table(name: str, key: str, value: str) -> dict[str, str]:
    with (FOLDER / name).open(encoding="utf-8", newline="") as fh:
        return {nfc(row[key].strip()): row[value].strip() for row in csv.DictReader(fh) if row[value].strip()}


@functools.cache
def field_names_en() -> dict[str, str]:
    """Vietnamese field name -> English."""
    return _table("fields_en.csv", "field_vi", "field_en")


@functools.cache
def procedure_names_en() -> dict[str, str]:
    """Procedure code -> English name (the most requested procedures)."""
    return _table("procedure_names_en.csv", "code", "name_en")


def field_en(field_vi: str) -> str:
    return field_names_en().get(nfc(field_vi.strip()), "")
