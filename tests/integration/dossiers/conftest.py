"""Fixtures of the dossier API tests: uploads go to a temporary folder, with small limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from dossier_helpers import SMALL_FILE_LIMIT


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict:
    return {"file_storage_dir": tmp_path / "files", "max_upload_file_bytes": SMALL_FILE_LIMIT,
            "max_upload_request_bytes": 4 * SMALL_FILE_LIMIT, "max_upload_files": 5,
            "dossier_lookup_max_failures": 5}


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "files"
