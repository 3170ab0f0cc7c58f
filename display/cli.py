"""The lobby display's commands.

Usage:
    motcua display --site HUE-TT [--server URL] [--config FILE] [--fullscreen] ...
    python -m display.cli --site HUE-TT ...                # the same, without the entry point
    motcua phrase A023 5 [--lang en] [--wav call.wav]     # what the display says
    python -m display.cli phrase A023 5 ...
    python -m display.cli voice-pack DIR [--engine espeak-ng]

Only `display` opens a window (Kivy is imported when it starts, never by the others).
"""

from __future__ import annotations

import argparse
import logging
import sys
import unicodedata
from pathlib import Path

from display.settings import LAYOUTS, SettingsError, load_settings
from display.voice.engine import SynthesisError, voices_for
from display.voice.espeak import EspeakNgEngine
from display.voice.factory import make_engine
from display.voice.pyttsx3_engine import Pyttsx3Engine
from display.voice.render import AnnouncementRenderer
from display.voice.settings import ENGINE_NAMES, VoiceSettings
from display.voice.voicepack import build_voice_pack
from display.voice.wav import WavError, wav_info
from shared.announcement import LANGS, call_phrase
from shared.vn_numbers import DIALECTS, FOURS


def phrase_command(argv: list[str]) -> int:
    """`motcua phrase LABEL COUNTER`: print the call text; with --wav also write its audio."""
    parser = argparse.ArgumentParser(
        prog="motcua phrase",
        description="Print the announcement for a ticket called to a counter; optionally write it as a WAV.",
    )
    parser.add_argument("label", help="ticket label as printed, e.g. A023 or 1023")
    parser.add_argument("counter", help="counter (quầy) number, e.g. 5")
    parser.add_argument("--lang", choices=LANGS, default="vi")
    parser.add_argument("--dialect", choices=DIALECTS, default="north")
    parser.add_argument(
        "--four",
        type=_four,
        choices=FOURS,
        default="bốn",
        help='a final 4 after "mươi": bốn or tư (ASCII bon/tu accepted)',
    )
    parser.add_argument("--template", help="phrase with {số}/{ticket} and {quầy}/{counter}")
    parser.add_argument("--wav", type=Path, help="write chime + phrase to this WAV file")
    parser.add_argument("--engine", choices=ENGINE_NAMES, default="pyttsx3")
    parser.add_argument(
        "--voice-pack", type=Path, help="voice pack folder (for --engine voicepack)"
    )
    parser.add_argument("--rate", type=int, default=150, help="speech rate, words per minute")
    parser.add_argument("--repeat", type=int, default=1, help="say the phrase this many times")
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args

    try:
        settings = VoiceSettings(
            engine=args.engine,
            dialect=args.dialect,
            four=args.four,
            repeat=args.repeat,
            voice_pack_dir=args.voice_pack,
            rate=args.rate,
            templates={args.lang: args.template} if args.template else {},
        )
        text = call_phrase(
            args.label,
            args.counter,
            args.lang,
            settings.dialect,
            settings.templates.get(args.lang),
            four=settings.four,
        )
    except ValueError as exc:
        print(f"motcua phrase: {exc}", file=sys.stderr)
        return 2
    print(text)
    if args.wav is None:
        return 0

    try:
        engine = make_engine(settings)
        renderer = AnnouncementRenderer(
            engine,
            dialect=settings.dialect,
            four=settings.four,
            languages=(args.lang,),
            templates=settings.templates,
            chime=getattr(engine, "chime_path", None),
        )
        renderer.render(args.label, args.counter, args.wav, repeat=args.repeat)
        info = wav_info(args.wav)
    except (SynthesisError, WavError, OSError) as exc:
        print(f"motcua phrase: cannot write {args.wav}: {exc}", file=sys.stderr)
        return 1
    fmt = info.format
    print(
        f"wrote {args.wav}: {info.duration:.1f} s, {fmt.frame_rate} Hz, {fmt.channels} channel(s), "
        f"{8 * fmt.sample_width}-bit",
        file=sys.stderr,
    )
    return 0


def voice_pack_command(argv: list[str]) -> int:
    """Generate a synthetic voice pack (to be replaced by human recordings, same manifest)."""
    parser = argparse.ArgumentParser(
        prog="motcua voice-pack", description=voice_pack_command.__doc__
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--engine", choices=("pyttsx3", "espeak-ng"), default="espeak-ng")
    parser.add_argument("--dialect", choices=DIALECTS, default="north")
    parser.add_argument("--rate", type=int, default=150)
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    voices = voices_for(args.dialect)
    engine = (EspeakNgEngine if args.engine == "espeak-ng" else Pyttsx3Engine)(voices, args.rate)
    try:
        manifest = build_voice_pack(args.directory, engine)
    except (SynthesisError, WavError, OSError) as exc:
        print(f"motcua voice-pack: {exc}", file=sys.stderr)
        return 1
    print(manifest)
    return 0


def _four(value: str) -> str:
    # Not every display box has a Vietnamese keyboard.
    return {"bon": "bốn", "tu": "tư"}.get(value.lower(), unicodedata.normalize("NFC", value))


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    # argparse exits on --help and on errors; a command function returns its status instead.
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2


def display_command(argv: list[str]) -> int:
    """`motcua display --site CODE`: run the lobby display (settings: file < env < flags)."""
    parser = argparse.ArgumentParser(
        prog="motcua display",
        description="Run the lobby display of a site: calls on screen and aloud, counters, waiting lines.",
        epilog="Every setting also comes from a TOML file (--config, MOTCUA_DISPLAY_CONFIG) or a "
        "MOTCUA_DISPLAY_* variable (e.g. MOTCUA_DISPLAY_VOICE_PLAYER=none); flags win.",
    )
    parser.add_argument("--site", help="site code, e.g. HUE-TT")
    parser.add_argument("--server", help="queue server URL (default http://127.0.0.1:8000)")
    parser.add_argument("--token", help="the display's device token (motcua device add … --kind display)")
    parser.add_argument("--config", type=Path, help="TOML settings file")
    parser.add_argument("--layout", choices=LAYOUTS)
    parser.add_argument("--size", type=_size, help="window size WIDTHxHEIGHT, e.g. 1080x1920")
    parser.add_argument("--fullscreen", action="store_true", default=None)
    parser.add_argument("--recent-calls", type=int, help="how many earlier calls to list")
    parser.add_argument("--voice-engine", choices=ENGINE_NAMES)
    parser.add_argument("--voice-pack", type=Path, help="voice pack folder (--voice-engine voicepack)")
    parser.add_argument("--player", help="aplay, paplay, play, ffplay or none (muted)")
    parser.add_argument("--english", action="store_true", default=None, help="say each call in English too")
    parser.add_argument("--repeat", type=int, help="say each call this many times (default 2)")
    parser.add_argument("--dialect", choices=DIALECTS)
    parser.add_argument("--no-voice", action="store_true", help="show calls without saying them")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    width, height = args.size or (None, None)
    overrides = {
        "site": args.site, "server": args.server, "token": args.token, "layout": args.layout,
        "width": width, "height": height, "fullscreen": args.fullscreen, "recent_calls": args.recent_calls,
        "voice_engine": args.voice_engine, "voice_voice_pack_dir": args.voice_pack,
        "voice_player": args.player, "voice_english": args.english, "voice_repeat": args.repeat,
        "voice_dialect": args.dialect, "voice_enabled": False if args.no_voice else None,
    }
    try:
        settings = load_settings(args.config, overrides)
    except SettingsError as exc:
        print(f"motcua display: {exc}", file=sys.stderr)
        return 2
    token = settings.token
    if not token:
        # Only a server seeded with `motcua seed --demo` accepts it: fine for a demo, and
        # said loudly so no real lobby runs on it by accident.
        token = f"mcd_demo-display-{settings.site.lower()}"
        logging.getLogger("display").warning(
            "no device token given (--token, MOTCUA_DISPLAY_TOKEN): using the demo token %s", token)

    from display.runtime import run_display

    # Kivy's logger becomes the root logger when Kivy loads: it prints our records too.
    run_display(settings, token, log_level=args.log_level)
    return 0


def _size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not WIDTHxHEIGHT, e.g. 1920x1080") from None
    return width, height


COMMANDS = {"phrase": phrase_command, "voice-pack": voice_pack_command, "display": display_command}


def main(argv: list[str] | None = None) -> int:
    """`motcua display …` lands here with the display's own flags; `phrase` and
    `voice-pack` stay reachable as subcommands (`python -m display.cli phrase A023 5`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] and argv[0] in COMMANDS:
        command, rest = COMMANDS[argv[0]], argv[1:]
    else:
        command, rest = display_command, argv
    if command is not display_command:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return command(rest)


if __name__ == "__main__":
    sys.exit(main())
