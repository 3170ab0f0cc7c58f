"""Ticket labels: how a service's running number becomes the text printed and called.

A service numbers its tickets 1, 2, 3, ... each business day (the *sequence number*,
never reused that day). The printed label maps that onto the service's range, e.g.
prefix "A", 3 digits, range 1..999: 23 -> "A023"; or prefix "", range 1001..1999:
23 -> "1023". Past the end of the range the label wraps to the start: the sequence
number stays unique, only the printed digits repeat (after hundreds of tickets).
"""

import re
from dataclasses import dataclass

_LABEL_RE = re.compile(r"^(?P<prefix>[A-ZĐ]{0,3})(?P<digits>\d{1,6})$")


@dataclass(frozen=True)
class LabelFormat:
    prefix: str = ""
    digits: int = 3
    number_start: int = 1
    number_end: int = 999

    def __post_init__(self) -> None:
        if not 1 <= self.digits <= 6:
            raise ValueError("digits must be between 1 and 6")
        if not 0 <= self.number_start <= self.number_end < 10**self.digits:
            raise ValueError("number range must fit in the digits")
        if self.prefix and not re.fullmatch(r"[A-ZĐ]{1,3}", self.prefix):
            raise ValueError("prefix must be 1 to 3 capital letters")

    @property
    def capacity(self) -> int:
        return self.number_end - self.number_start + 1

    def number_for(self, sequence_number: int) -> int:
        if sequence_number < 1:
            raise ValueError("sequence numbers start at 1")
        return self.number_start + (sequence_number - 1) % self.capacity

    def label_for(self, sequence_number: int) -> str:
        return f"{self.prefix}{self.number_for(sequence_number):0{self.digits}d}"


def split_label(label: str) -> tuple[str, int]:
    """("A", 23) for "A023"; used to read a label aloud."""
    match = _LABEL_RE.match(label.strip().upper())
    if not match:
        raise ValueError(f"not a ticket label: {label!r}")
    return match["prefix"], int(match["digits"])
