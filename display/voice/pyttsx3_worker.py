"""One pyttsx3 utterance to a WAV file, in a process of its own.

Run by Pyttsx3Engine as `python pyttsx3_worker.py --voice vi --rate 150 --out F`, with the
text on stdin. Imports nothing from motcua so it runs from its file path alone.

Why a process per utterance (pyttsx3 2.99, espeak driver, measured on the display boxes):
- libespeak-ng is initialised once per process in asynchronous mode and pyttsx3 keeps
  one global synth callback, so engines cannot be re-created or run side by side.
- `runAndWait()` returns before the WAV is written; we wait for "finished-utterance".
- Properties set through `engine.setProperty` are applied inside the run loop, right
  before the loop's own `stop()`, which calls `espeak_Cancel()` while the property
  command is still queued: the rate was silently dropped in about 1 run in 7, and once
  in a while the WAV came out empty. Draining libespeak-ng's queue (`Synchronize`)
  after initialisation and after setting voice and rate made 300 of 300 runs correct.
- A native hang can only be bounded from outside: the parent kills us on timeout.

Exit status: 0 written, 3 utterance not finished in time, 4 bad output, 5 unknown voice,
6 pyttsx3 or libespeak-ng unavailable.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import wave

EXIT_OK, EXIT_TIMEOUT, EXIT_BAD_OUTPUT, EXIT_UNKNOWN_VOICE, EXIT_UNAVAILABLE = 0, 3, 4, 5, 6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", required=True)
    parser.add_argument("--rate", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args(argv)
    text = sys.stdin.buffer.read().decode("utf-8")

    # pyttsx3 print()s "Audio saved to ..."; stdout is not ours to fill.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            import pyttsx3
            from pyttsx3.drivers import _espeak
            from pyttsx3.drivers.espeak import EspeakDriver

            engine = pyttsx3.init("espeak")
        except Exception as exc:  # ImportError, OSError for a missing libespeak-ng, RuntimeError
            print(f"pyttsx3 espeak driver unavailable: {exc!r}", file=sys.stderr)
            return EXIT_UNAVAILABLE

        _espeak.Synchronize()
        try:
            EspeakDriver.setProperty("voice", args.voice)
        except ValueError as exc:
            print(f"unknown voice {args.voice!r}: {exc}", file=sys.stderr)
            return EXIT_UNKNOWN_VOICE
        EspeakDriver.setProperty("rate", args.rate)
        _espeak.Synchronize()

        finished = threading.Event()

        def on_finished(name: object, completed: bool) -> None:
            if completed:
                finished.set()

        engine.connect("finished-utterance", on_finished)
        engine.save_to_file(text, args.out)
        engine.runAndWait()
        if not finished.wait(args.timeout):
            print("pyttsx3 never reported the end of the utterance", file=sys.stderr)
            return EXIT_TIMEOUT
        _espeak.Synchronize()

    return _check_output(args.out)


def _check_output(path: str) -> int:
    try:
        if os.path.getsize(path) == 0:
            raise EOFError("empty file")
        with wave.open(path, "rb") as w:
            if w.getnframes() == 0:
                raise EOFError("no audio frames")
    except (OSError, EOFError, wave.Error) as exc:
        print(f"bad WAV {path}: {exc}", file=sys.stderr)
        return EXIT_BAD_OUTPUT
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
