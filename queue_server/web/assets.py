"""The pages' CSS and JavaScript, served from this package (no build step).

Only files present in `static/` are served; the URL carries a hash of the content so a
phone never keeps yesterday's script after an update, and can cache it for a long time."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from shared.fonts import SCREEN_BOLD, SCREEN_REGULAR

STATIC = Path(__file__).parent / "static"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml"}

router = APIRouter()


@cache
def _files() -> dict[str, tuple[bytes, str, str]]:
    out = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix in TYPES and path.is_file():
            body = path.read_bytes()
            out[path.name] = (body, TYPES[path.suffix], hashlib.sha256(body).hexdigest()[:12])
    return out


def asset_url(name: str) -> str:
    return f"/static/web/{name}?v={_files()[name][2]}"


@router.get("/static/web/{name}")
async def asset(name: str) -> Response:
    found = _files().get(name)
    if found is None:
        return Response("Not found\n", status_code=404, media_type="text/plain")
    body, media_type, digest = found
    return Response(body, media_type=media_type, headers={
        "Cache-Control": "public, max-age=604800, immutable", "ETag": f'"{digest}"',
        "X-Content-Type-Options": "nosniff"})


# The screen font every page may use (shared/look.py names it), under a fixed URL.
_FONTS = {"Roboto-Regular.ttf": SCREEN_REGULAR, "Roboto-Bold.ttf": SCREEN_BOLD}


@cache
def _font(name: str) -> bytes:
    return _FONTS[name].read_bytes()


@router.get("/static/fonts/{name}")
async def font(name: str) -> Response:
    if name not in _FONTS:
        return Response("Not found\n", status_code=404, media_type="text/plain")
    return Response(_font(name), media_type="font/ttf", headers={
        "Cache-Control": "public, max-age=604800", "X-Content-Type-Options": "nosniff"})
