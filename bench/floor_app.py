"""How the floors' bare apps are served: the same uvicorn settings as `motcua server` and
the baseline (in a module of its own: importing a floor app builds its database work)."""

from __future__ import annotations

import argparse
import os


def serve(module: str, argv: list[str] | None = None) -> int:
    """`python -m <module> --port N --mode core|raw`: the floor app of `module`."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("core", "raw"), default="core")
    args = parser.parse_args(argv)
    os.environ["MOTCUA_FLOOR_MODE"] = args.mode
    import uvicorn

    # The same settings as `motcua server` and the baseline.
    uvicorn.run(f"{module}:app", host="127.0.0.1", port=args.port, workers=1,
                log_level="warning", ws_per_message_deflate=False, proxy_headers=True)
    return 0
