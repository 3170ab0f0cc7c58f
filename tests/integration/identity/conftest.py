"""Fixtures of the identity, document-store and fee API tests: the dossier helpers, a bank
account for VietQR, uploads in a temporary folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dossiers"))

BANK = {"payment_bank_bin": "970436", "payment_account_number": "0071000123456",
        "payment_account_name": "TT PHUC VU HANH CHINH CONG HUE", "payment_bank_name": "Vietcombank"}


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict:
    return {"file_storage_dir": tmp_path / "files", **BANK}


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "files"
