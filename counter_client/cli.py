"""`motcua counter`: start the counter app.

    motcua counter [--server URL] [--site CODE] [--counter ID] [--settings FILE] [--fullscreen]

Settings come from the file (default ~/.config/motcua/counter.json), then MOTCUA_COUNTER_*
variables (SERVER_URL, SITE_CODE, COUNTER_ID, USERNAME, FULLSCREEN, ...), then options.
The counter and user name chosen at the counter are remembered in the file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from .settings import CounterSettings, SettingsError, load_settings

DEFAULT_SIZE = "1366x768"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="motcua counter", description="Phần mềm quầy tiếp nhận (counter app)")
    parser.add_argument("--server", dest="server_url", help="queue server URL, e.g. http://10.0.0.5:8000")
    parser.add_argument("--site", dest="site_code", help="site code (managers and admins; staff use their own)")
    parser.add_argument("--counter", dest="counter_id", type=int, help="counter id to offer first")
    parser.add_argument("--settings", type=Path, help="settings file (JSON)")
    parser.add_argument("--fullscreen", action="store_true", default=None, help="fill the screen")
    parser.add_argument("--size", default=DEFAULT_SIZE, help="window size when not full screen (WIDTHxHEIGHT)")
    parser.add_argument("--show-settings", action="store_true", help="print the resolved settings and exit")
    parser.add_argument("--rating-screen", action="store_true",
                        help="run the citizen-facing rating screen of --counter (session token in "
                             "MOTCUA_COUNTER_TOKEN; the counter app starts it itself when rating_screen is set)")
    return parser.parse_args(argv)


def _prepare_kivy(size: str, position: str = "") -> None:
    # Before Kivy is imported: our options are not Kivy's, and the size is set once.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    width, _, height = size.partition("x")
    Config.set("graphics", "width", str(int(width)))
    Config.set("graphics", "height", str(int(height)))
    if position:
        left, _, top = position.partition(",")
        Config.set("graphics", "position", "custom")
        Config.set("graphics", "left", str(int(left)))
        Config.set("graphics", "top", str(int(top or 0)))
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots on right click
    Config.set("kivy", "exit_on_escape", "0")  # Esc closes dialogs, never the app


def run_app(settings: CounterSettings, size: str = DEFAULT_SIZE) -> None:
    _prepare_kivy(size)
    from .app import CounterApp
    from .gateway import HttpGateway

    app = CounterApp(HttpGateway(settings.server_url), settings)
    asyncio.run(app.run_until_closed())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    overrides = {"server_url": args.server_url, "site_code": args.site_code, "counter_id": args.counter_id,
                 "fullscreen": args.fullscreen}
    try:
        settings = load_settings(args.settings, overrides=overrides)
    except SettingsError as exc:
        print(f"motcua counter: {exc}", file=sys.stderr)
        return 2
    if args.show_settings:
        for key, value in vars(settings).items():
            print(f"{key} = {value}")
        return 0
    if args.rating_screen:
        return run_rating_screen(settings, args.size)
    run_app(settings, args.size)
    return 0


def run_rating_screen(settings: CounterSettings, size: str) -> int:
    token = os.environ.get("MOTCUA_COUNTER_TOKEN", "")
    if not token or settings.counter_id is None:
        print("motcua counter --rating-screen needs --counter ID and a session token in MOTCUA_COUNTER_TOKEN",
              file=sys.stderr)
        return 2
    _prepare_kivy(size if size != DEFAULT_SIZE else "1024x600", settings.rating_screen_position)
    from .gateway import HttpGateway
    from .rating_app import RatingApp

    gateway = HttpGateway(settings.server_url)
    gateway.client.token = token
    app = RatingApp(gateway, settings.counter_id)
    asyncio.run(app.run_until_closed())
    return 0


if __name__ == "__main__":
    sys.exit(main())
