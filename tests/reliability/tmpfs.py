"""A small tmpfs to fill up: a real "No space left on device" (mounting needs root)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def used_bytes(where: Path) -> int:
    return shutil.disk_usage(where).used


def set_size(where: Path, size: str) -> None:
    """Remount with another size: larger (the operator frees space) or smaller, down to
    what is used (the disk is made nearly full)."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)
