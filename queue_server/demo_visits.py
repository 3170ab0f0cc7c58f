"""Walk-in visits of the demo month: the tickets a lobby sees besides the dossiers handed in
(a copy certified on the spot, a question at the desk, a residence registration), so that each
demo site's "most requested" menu comes from a history that looks like a real one.

What citizens ask for is far from uniform: at a one-stop center certified copies and
signatures, civil status (birth, marriage status, marriage) and residence registration make
most of the day. `POPULAR` weighs the common procedures; every other procedure the site
receives shares a thin tail. A site's own mix (`SITE_MIX`) shifts the weights: the commune
point sees more land and farming, less business. Visits go through the real handlers (issue,
call, start, finish) on the demo's moving clock, ten minutes off the dossier slots.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# code -> relative weight (procedures the site does not receive are skipped)
POPULAR = {
    "2.000815": 30, "1.001193": 18, "2.000884": 12, "1.004873": 10, "1.000894": 8, "2.000635": 7,
    "1.000656": 5, "3.000333": 4, "1.004859": 3, "1.001022": 2, "1.004837": 1,  # justice, civil status
    "1.004222": 9, "1.004194": 8, "1.014063": 6, "1.014061": 4, "1.001456": 4, "1.014064": 2,  # police
    "1.013980": 10, "1.012783": 5, "1.013978": 4, "1.012753": 3, "1.013992": 2,  # land
    "1.001612": 7, "1.001570": 2, "1.001266": 2, "1.008504": 2,  # business, tax
    "1.013225": 4, "1.013228": 1,  # construction
    "1.008004": 2, "1.004359": 1,  # farming, fisheries
}
TAIL_WEIGHT = 0.03  # each other procedure the site receives
HELP_SHARE = 0.06  # visits that take the help line ("Không rõ thủ tục")
# Visits a working day (besides the dossiers of demo_dossiers.PER_DAY).
PER_DAY = {"HUE-TT": 16, "HUE-PX": 8, "HUE-TH": 8, "HUE-PV": 5}
# Weight multipliers by line letter.
SITE_MIX = {"HUE-PV": {"B": 2.0, "C": 3.0, "D": 0.3}, "HUE-TH": {"F": 1.5}, "HUE-PX": {"D": 1.5}}


@dataclass(frozen=True)
class Visit:
    procedure_code: str | None  # None: the help line
    service_id: int


def visit_picker(rng: random.Random, site_code: str, received: dict[str, int],
                 letters: dict[int, str], help_line: int | None):  # noqa: ANN201
    """A function drawing the next visit of a site. `received`: procedure code -> line of the
    procedures the site receives; `letters`: line id -> its letter."""
    mix = SITE_MIX.get(site_code, {})
    codes = sorted(received)
    weights = [POPULAR.get(code, TAIL_WEIGHT) * mix.get(letters.get(received[code], ""), 1.0) for code in codes]

    def pick() -> Visit:
        if help_line is not None and rng.random() < HELP_SHARE:
            return Visit(None, help_line)
        code = rng.choices(codes, weights=weights)[0]
        return Visit(code, received[code])
    return pick
