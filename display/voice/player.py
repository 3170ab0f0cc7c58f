"""Play a WAV through an external command, never longer than the sound itself plus a margin.

A lobby PC with a missing or busy sound device must not freeze the call queue: every
player run is bounded (audio duration + `grace_seconds`) and killed with its process
group when it overstays; failures come back as PlayerError for the queue to report.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from display.voice.wav import WavError, wav_duration


class PlayerError(Exception):
    """The sound could not be played (no device, no player program, timeout)."""


@runtime_checkable
class Player(Protocol):
    name: str

    def play(self, wav: Path) -> None:
        """Return when the sound has finished; raise PlayerError if it could not be played."""
        ...


def _aplay(exe: str, wav: Path, device: str | None) -> list[str]:
    return [exe, "-q", *(["-D", device] if device else []), str(wav)]


def _paplay(exe: str, wav: Path, device: str | None) -> list[str]:
    return [exe, *([f"--device={device}"] if device else []), str(wav)]


def _sox_play(exe: str, wav: Path, device: str | None) -> list[str]:
    # sox picks its device from AUDIODEV (see CommandPlayer), not from a flag.
    return [exe, "-q", str(wav)]


def _ffplay(exe: str, wav: Path, device: str | None) -> list[str]:
    return [exe, "-nodisp", "-autoexit", "-loglevel", "error", str(wav)]


PLAYER_COMMANDS: dict[str, tuple[str, Callable[[str, Path, str | None], list[str]]]] = {
    "aplay": ("aplay", _aplay),
    "paplay": ("paplay", _paplay),
    "play": ("play", _sox_play),
    "ffplay": ("ffplay", _ffplay),
}
MUTED_NAMES = ("none", "muted")
PLAYER_NAMES: tuple[str, ...] = (*PLAYER_COMMANDS, *MUTED_NAMES)


class CommandPlayer:
    def __init__(
        self,
        name: str,
        *,
        device: str | None = None,
        grace_seconds: float = 3.0,
        env: Mapping[str, str] | None = None,
        command: Callable[[Path], Sequence[str]] | None = None,
    ) -> None:
        """`command` overrides the argv (tests use it to stand in a hanging player)."""
        if command is None and name not in PLAYER_COMMANDS:
            raise ValueError(f"unknown player {name!r}; expected one of {PLAYER_NAMES}")
        self.name = name
        self.device = device
        self.grace_seconds = grace_seconds
        self.env = dict(os.environ if env is None else env)
        if name == "play" and device:
            self.env["AUDIODEV"] = device
        self._command = command

    def argv(self, wav: Path) -> list[str]:
        if self._command is not None:
            return list(self._command(wav))
        program, build = PLAYER_COMMANDS[self.name]
        exe = shutil.which(program, path=self.env.get("PATH", os.defpath))
        if exe is None:
            raise PlayerError(f"{program} is not installed")
        return build(exe, wav, self.device)

    def play(self, wav: Path) -> None:
        try:
            duration = wav_duration(wav)
        except WavError as exc:
            raise PlayerError(str(exc)) from exc
        timeout = duration + self.grace_seconds
        argv = self.argv(wav)
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=self.env,
                start_new_session=True,
            )
        except OSError as exc:
            raise PlayerError(f"cannot start {argv[0]}: {exc}") from exc
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PlayerError(
                f"{self.name} did not finish within {timeout:.1f} s; killed"
            ) from None
        if proc.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise PlayerError(
                f"{self.name} failed ({proc.returncode}): {detail[-1] if detail else 'no message'}"
            )


class MutedPlayer:
    """Plays nothing. The queue still waits each call's length, so pacing stays the same."""

    name = "none"

    def play(self, wav: Path) -> None:
        return None


def make_player(name: str, *, device: str | None = None, grace_seconds: float = 3.0) -> Player:
    if name in MUTED_NAMES:
        return MutedPlayer()
    return CommandPlayer(name, device=device, grace_seconds=grace_seconds)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
