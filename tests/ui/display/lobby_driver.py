"""Runs the real lobby display in its own process for a UI test, and obeys the test.

Started by test_lobby_display_ui.py with SDL_VIDEODRIVER=offscreen and Kivy's dirs in a
temp folder. Commands are JSON lines on stdin; each reply is one stdout line starting
with "@@" (Kivy may print other lines):

    {"cmd": "state"}                      -> what the screen shows, what was queued for speech
    {"cmd": "shot", "path": "x.png"}      -> a screenshot of the whole window
    {"cmd": "texts"}                      -> every visible text: box, font size, role
    {"cmd": "flash", "value": 0.5}        -> hold the call flash at that phase (0..1)
    {"cmd": "quit"}
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

REPLY = "@@"


@dataclass
class RecordingAnnouncer:
    """Notes every call the presenter queues, then hands it to the real voice (if any)."""

    inner: Any = None
    announced: list[list[Any]] = field(default_factory=list)

    def announce(self, label: str, counter_number: int, *, age_seconds: float = 0.0) -> None:
        self.announced.append([label, counter_number, round(age_seconds, 1)])
        if self.inner is not None:
            self.inner.announce(label, counter_number, age_seconds=age_seconds)

    def stop(self) -> None:
        if self.inner is not None:
            self.inner.stop()


def visible_texts(root: Any) -> list[dict[str, Any]]:
    """Every text a person can see: its box in screenshot pixels (top-left origin), its font
    size in pixels and its role (the `role` a kv rule gives a label, if any)."""
    from kivy.uix.label import Label
    from kivy.uix.stencilview import StencilView

    height = root.height
    found = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text.strip():
            continue
        chain, node, clip = [], widget, None
        while node is not None and node is not node.parent:
            chain.append(node)
            if clip is None and node is not widget and isinstance(node, StencilView):
                clip = node
            node = node.parent
        if any(getattr(n, "opacity", 1) <= 0.01 for n in chain):
            continue
        x, y = widget.to_window(widget.x, widget.y)
        left, bottom, right, top = x, y, x + widget.width, y + widget.height
        if clip is not None:
            cx, cy = clip.to_window(clip.x, clip.y)
            left, bottom = max(left, cx), max(bottom, cy)
            right, top = min(right, cx + clip.width), min(top, cy + clip.height)
        left, right = max(left, 0), min(right, root.width)
        if right - left < 2 or top - bottom < 2:
            continue
        found.append({"text": widget.text, "font_px": float(widget.font_size), "left": left,
                      "top": height - top, "width": right - left, "height": top - bottom,
                      "role": getattr(widget, "role", "")})
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--site", default="HUE-TT")
    parser.add_argument("--token", required=True)
    parser.add_argument("--layout", default="landscape")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--voice", choices=("real", "record"), default="record")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from display.runtime import build_runtime, configure_kivy
    from display.settings import load_settings

    overrides: dict[str, Any] = {
        "site": args.site, "server": args.server, "layout": args.layout, "width": width, "height": height,
        "max_backoff_seconds": 1.0, "max_fps": 10, "voice_engine": "espeak-ng", "voice_player": "none", "voice_repeat": 1,
    }
    settings = load_settings(None, overrides, environ={})
    configure_kivy(settings)
    recorder = RecordingAnnouncer()
    runtime = build_runtime(settings, args.token, announcer=None if args.voice == "real" else recorder)
    spoken: list[list[str]] = []
    if args.voice == "real":
        from display.voice import AnnouncementStarted

        recorder.inner = runtime.announcer
        runtime.presenter.announcer = recorder
        runtime.announcer = recorder
        recorder.inner.add_listener(
            lambda e: spoken.append([text for _, text in e.texts]) if isinstance(e, AnnouncementStarted) else None)

    from kivy.animation import Animation
    from kivy.clock import Clock

    app = runtime.app

    def state() -> dict[str, Any]:
        live = runtime.feed.live if runtime.feed else None
        return {
            "ready": app.ready, "screen": app.manager.current, "stream": runtime.presenter.stream.value,
            "reconnecting": app.reconnecting, "sound_missing": app.sound_missing,
            "featured": [app.featured_label, app.featured_counter], "speaking": app.featured_speaking,
            "counters": sorted(list(app.counters) + [{**c, "label": ""} for c in app.offline_counters],
                               key=lambda c: c["number"]), "recent": list(app.recent), "services": list(app.services),
            "notice": app.notice, "problem_vi": app.problem_vi, "problem_en": app.problem_en,
            "site_name_vi": app.site_name_vi, "clock": app.clock_text, "date": app.date_text,
            "announced": recorder.announced, "spoken": spoken, "seq": runtime.presenter.seq,
            "resyncs": live.resyncs if live else 0, "portrait": app.portrait,
        }

    def handle(command: dict[str, Any]) -> None:
        try:
            if command["cmd"] == "state":
                reply: dict[str, Any] = state()
            elif command["cmd"] == "shot":
                # A few frames first: widgets changed by the last update are laid out and
                # their text drawn over the next frames, not at once.
                frames = command.get("frames", 3)
                if frames > 0:
                    Clock.schedule_once(lambda _dt: handle({**command, "frames": frames - 1}), 0)
                    return
                app.root.export_to_png(command["path"])
                reply = {"ok": True, "path": command["path"]}
            elif command["cmd"] == "texts":
                reply = {"texts": visible_texts(app.root)}
            elif command["cmd"] == "flash":
                # Hold the call animation at one point of its flash (0 = rest, 1 = brightest)
                # so a screenshot of every phase can be measured, whatever the machine's speed.
                panel = next(w for w in app.root.walk() if type(w).__name__ == "CallPanel")
                if command.get("start"):
                    app.flash_serial += 1
                Animation.cancel_all(panel)
                panel.flash = float(command["value"])
                reply = {"ok": True}
            elif command["cmd"] == "quit":
                reply = {"ok": True}
                app.stop()
            else:
                reply = {"error": f"unknown command {command['cmd']!r}"}
        except Exception as exc:  # the test reads the reason instead of timing out
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(REPLY + json.dumps(reply, ensure_ascii=False, default=str), flush=True)

    def read_commands() -> None:
        for line in sys.stdin:
            if line.strip():
                command = json.loads(line)
                Clock.schedule_once(lambda _dt, command=command: handle(command))
        Clock.schedule_once(lambda _dt: app.stop())  # the test went away

    threading.Thread(target=read_commands, name="test-commands", daemon=True).start()
    runtime.run()
    return 0


if __name__ == "__main__":
    # `kill -USR1 <pid>` prints every thread's stack to the log: how a hang is diagnosed.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    sys.exit(main())
