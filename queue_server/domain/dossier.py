"""A dossier (hồ sơ) once received: its code, its status and the citizen's lookup PIN.

The code reads `<agency code>-<YYMMDD>-<NNNN>`, e.g. `000.00.01.H29-260310-0420`: the
receiving agency's identifier, the local business day, and the day's sequence number.
Past 9999 dossiers in a day the number is written in full (`-10000`): a dossier is never
received without a receipt, so running out of digits must not stop the counter, and a
longer code stays unique. Numbers stop at 999999, far past any real day, so a runaway
sequence fails loudly. Each number has exactly one spelling: zero-padded to four digits,
never more, so looking a code up is a plain string comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.dossier_protocol import (
    LOOKUP_PIN_DIGITS,
    OLD_SLIP_PIN_DIGITS,
    DossierAction,
    DossierStatus,
)

from .errors import IllegalTransition, Invalid

# ---------------------------------------------------------------------------------------
# Dossier code

# Agency identifiers (mã định danh, Decision 20/2020/QĐ-TTg) are dot-separated groups of
# digits and capital letters; "-" is the code's own separator so it cannot appear inside.
_AGENCY_RE = re.compile(r"[0-9A-Z]{1,8}(?:\.[0-9A-Z]{1,8}){0,7}")
_AGENCY_MAX_LEN = 40
_NUMBER_RE = re.compile(r"[0-9]{4}|[1-9][0-9]{4,5}")
DOSSIER_NUMBER_MAX = 999_999


class InvalidDossierCode(Invalid, ValueError):
    code = "invalid_dossier_code"


@dataclass(frozen=True)
class DossierCode:
    agency_code: str
    day: date
    number: int

    def __str__(self) -> str:
        return format_dossier_code(self.agency_code, self.day, self.number)


def format_dossier_code(agency_code: str, day: date, number: int) -> str:
    """`day` is the local business day (never a datetime: UTC would shift it at 17:00)."""
    _check_agency(agency_code, agency_code)
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("day must be a date (the local business day), not a datetime")
    if not 2000 <= day.year <= 2099:
        raise _invalid(f"{day}", "năm ngoài khoảng 2000-2099", "year outside 2000-2099")
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("number must be an int")
    if not 1 <= number <= DOSSIER_NUMBER_MAX:
        raise _invalid(
            str(number),
            f"số thứ tự phải từ 1 đến {DOSSIER_NUMBER_MAX}",
            f"number must be 1..{DOSSIER_NUMBER_MAX}",
        )
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def parse_dossier_code(text: str) -> DossierCode:
    """Read a code typed by a citizen or scanned: surrounding spaces and letter case are
    forgiven; anything else that is not a valid code raises InvalidDossierCode."""
    code = unicodedata.normalize("NFKC", text).strip().upper()
    parts = code.split("-")
    if len(parts) != 3:
        raise _invalid(
            text, "phải có dạng <mã cơ quan>-<YYMMDD>-<NNNN>", "expected <agency>-<YYMMDD>-<NNNN>"
        )
    agency, day_part, number_part = parts
    _check_agency(agency, text)
    if not re.fullmatch(r"[0-9]{6}", day_part):
        raise _invalid(text, "ngày phải gồm 6 chữ số YYMMDD", "the date must be 6 digits YYMMDD")
    try:
        day = date(2000 + int(day_part[:2]), int(day_part[2:4]), int(day_part[4:]))
    except ValueError:
        raise _invalid(text, f"ngày {day_part} không tồn tại", f"no such date {day_part}") from None
    if not _NUMBER_RE.fullmatch(number_part) or int(number_part) == 0:
        raise _invalid(
            text,
            "số thứ tự phải gồm 4 chữ số (từ 0001), hoặc viết đủ khi quá 9999",
            "the number must be 4 digits (from 0001), or written in full past 9999",
        )
    return DossierCode(agency, day, int(number_part))


def _check_agency(agency: str, shown: str) -> None:
    if (
        not isinstance(agency, str)
        or len(agency) > _AGENCY_MAX_LEN
        or not _AGENCY_RE.fullmatch(agency)
    ):
        raise _invalid(
            shown,
            "mã cơ quan chỉ gồm chữ in hoa, chữ số và dấu chấm",
            "the agency code takes capital letters, digits and dots only",
        )


def _invalid(shown: str, why_vi: str, why_en: str) -> InvalidDossierCode:
    return InvalidDossierCode(
        f"Mã hồ sơ không hợp lệ ({shown!r}): {why_vi}.",
        f"Invalid dossier code ({shown!r}): {why_en}.",
    )


# ---------------------------------------------------------------------------------------
# Status: the words (DossierStatus, DossierAction) are shared with the clients; which step
# leads where is the domain's.


# Steps only a processing agency takes; the center's counter endpoint refuses them.
AGENCY_ACTIONS = frozenset({DossierAction.ACCEPT, DossierAction.RESOLVE, DossierAction.SEND_BACK})

_S, _A = DossierStatus, DossierAction
DOSSIER_TRANSITIONS: dict[tuple[DossierAction, DossierStatus], DossierStatus] = {
    (_A.START_PROCESSING, _S.RECEIVED): _S.PROCESSING,
    (_A.REQUEST_SUPPLEMENT, _S.RECEIVED): _S.SUPPLEMENT_REQUESTED,
    (_A.REQUEST_SUPPLEMENT, _S.PROCESSING): _S.SUPPLEMENT_REQUESTED,
    # A supplemented dossier is received afresh: its legal time restarts from then.
    (_A.RECEIVE_SUPPLEMENT, _S.SUPPLEMENT_REQUESTED): _S.RECEIVED,
    (_A.REFUSE, _S.RECEIVED): _S.REFUSED,
    (_A.REFUSE, _S.PROCESSING): _S.REFUSED,
    (_A.MARK_READY, _S.PROCESSING): _S.READY,
    (_A.RETURN_RESULT, _S.READY): _S.RETURNED,
    # After the counter: the agency's part. A supplement it asks for goes back through the
    # center (RECEIVED once the citizen completes it), and is forwarded again from there.
    (_A.FORWARD, _S.RECEIVED): _S.FORWARDED,
    (_A.ACCEPT, _S.FORWARDED): _S.PROCESSING,
    (_A.REQUEST_SUPPLEMENT, _S.FORWARDED): _S.SUPPLEMENT_REQUESTED,
    (_A.REFUSE, _S.FORWARDED): _S.REFUSED,
    (_A.RESOLVE, _S.PROCESSING): _S.RESOLVED,
    (_A.SEND_BACK, _S.RESOLVED): _S.READY,
    # Stopping is possible while no result exists yet, wherever the dossier is.
    (_A.STOP, _S.RECEIVED): _S.STOPPED,
    (_A.STOP, _S.FORWARDED): _S.STOPPED,
    (_A.STOP, _S.PROCESSING): _S.STOPPED,
    (_A.STOP, _S.SUPPLEMENT_REQUESTED): _S.STOPPED,
}
FINAL_DOSSIER_STATUSES = frozenset({_S.RETURNED, _S.REFUSED, _S.STOPPED})
# Only these run against the legal time: a dossier waiting for the citizen's supplement
# has its clock stopped, and a result waiting at the center is no longer late. A result
# still at the agency (RESOLVED) is: the citizen collects it at the center.
CLOCK_RUNNING = frozenset({_S.RECEIVED, _S.FORWARDED, _S.PROCESSING, _S.RESOLVED})

_STATUS_VI = {
    _S.RECEIVED: "đã tiếp nhận",
    _S.FORWARDED: "đã chuyển cơ quan giải quyết",
    _S.PROCESSING: "đang giải quyết",
    _S.SUPPLEMENT_REQUESTED: "đang chờ bổ sung",
    _S.RESOLVED: "đã có kết quả tại cơ quan giải quyết",
    _S.READY: "đã có kết quả",
    _S.RETURNED: "đã trả kết quả",
    _S.REFUSED: "đã bị từ chối",
    _S.STOPPED: "đã dừng giải quyết",
}
_ACTION_VI = {
    _A.START_PROCESSING: "chuyển xử lý",
    _A.REQUEST_SUPPLEMENT: "yêu cầu bổ sung",
    _A.RECEIVE_SUPPLEMENT: "nhận bổ sung",
    _A.REFUSE: "từ chối",
    _A.MARK_READY: "ghi nhận có kết quả",
    _A.RETURN_RESULT: "trả kết quả",
    _A.FORWARD: "chuyển cơ quan giải quyết",
    _A.ACCEPT: "nhận giải quyết",
    _A.RESOLVE: "ghi nhận có kết quả",
    _A.SEND_BACK: "chuyển kết quả về Bộ phận Một cửa",
    _A.STOP: "dừng giải quyết",
}


def allowed_actions(current: DossierStatus) -> list[DossierAction]:
    """The steps the dossier may take from `current`, in the table's order."""
    return [action for (action, status) in DOSSIER_TRANSITIONS if status is current]


class IllegalDossierTransition(IllegalTransition):
    code = "illegal_dossier_transition"

    def __init__(
        self, action: DossierAction, current: DossierStatus, dossier_code: str = ""
    ) -> None:
        self.action = action
        self.current = current
        self.allowed = [a.value for a in allowed_actions(current)]
        which = f" {dossier_code}" if dossier_code else ""
        # Name what may be done instead, so the person (or the client) knows the way on.
        if self.allowed:
            allowed_vi = " Có thể: " + ", ".join(_ACTION_VI[DossierAction(a)] for a in self.allowed) + "."
            allowed_en = " Allowed now: " + ", ".join(self.allowed) + "."
        else:
            allowed_vi, allowed_en = " Hồ sơ đã kết thúc.", " The dossier is closed."
        super().__init__(
            f"Không thể {_ACTION_VI[action]} hồ sơ{which} vì hồ sơ {_STATUS_VI[current]}.{allowed_vi}",
            f"Cannot {action.value.replace('_', ' ')} dossier{which} while it is "
            f"{current.value.replace('_', ' ')}.{allowed_en}",
            code=f"dossier_cannot_{action.value}_{current.value}",
        )


def next_dossier_status(
    action: DossierAction, current: DossierStatus, dossier_code: str = ""
) -> DossierStatus:
    try:
        return DOSSIER_TRANSITIONS[(action, current)]
    except KeyError:
        raise IllegalDossierTransition(action, current, dossier_code) from None


def start_processing(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.START_PROCESSING, current, dossier_code)


def request_supplement(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.REQUEST_SUPPLEMENT, current, dossier_code)


def receive_supplement(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.RECEIVE_SUPPLEMENT, current, dossier_code)


def refuse(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.REFUSE, current, dossier_code)


def mark_ready(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.MARK_READY, current, dossier_code)


def return_result(current: DossierStatus, dossier_code: str = "") -> DossierStatus:
    return next_dossier_status(_A.RETURN_RESULT, current, dossier_code)


def is_overdue(
    due: datetime | date | None,
    now: datetime,
    status: DossierStatus,
    *,
    tz: str | ZoneInfo = "Asia/Ho_Chi_Minh",
) -> bool:
    """Late while the legal clock runs: a date is due by the end of that local day, a
    datetime (hour-based procedures) at that moment."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if due is None or status not in CLOCK_RUNNING:
        return False
    if isinstance(due, datetime):
        if due.tzinfo is None:
            raise ValueError("a datetime due must be timezone-aware")
        return now > due
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return now.astimezone(zone).date() > due


# ---------------------------------------------------------------------------------------
# Lookup PIN: the second factor printed on the slip, so a dossier code read over a
# shoulder or guessed from the sequence does not reveal a citizen's dossier.

def new_lookup_pin() -> str:
    return f"{secrets.randbelow(10**LOOKUP_PIN_DIGITS):0{LOOKUP_PIN_DIGITS}d}"


def lookup_pin_digest(pin: str, *, key: bytes, dossier_code: str) -> str:
    """What to store instead of the PIN. Keyed, because short PINs are brute-forced
    in no time from a plain hash; bound to the dossier, so digests cannot be swapped."""
    message = f"{dossier_code}\x00{pin}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def typed_pin(given: str) -> str:
    """What the citizen typed, with the spaces, dashes and full-width digits of phone
    keyboards forgiven."""
    typed = unicodedata.normalize("NFKC", given)
    return "".join(ch for ch in typed if ch not in " -.\t")


def is_old_slip_pin(given: str) -> bool:
    """Six digits: a slip printed before PINs grew to twelve. It opens nothing any more
    (docs/security.md); the counter prints a new PIN."""
    typed = typed_pin(given)
    return len(typed) == OLD_SLIP_PIN_DIGITS and typed.isascii() and typed.isdigit()


def check_lookup_pin(given: str, stored_digest: str, *, key: bytes, dossier_code: str) -> bool:
    """Constant-time check of what the citizen typed; anything but 12 digits is simply a
    mismatch. Callers must still limit attempts (service_layer/attempt_limits.py)."""
    typed = typed_pin(given)
    if len(typed) != LOOKUP_PIN_DIGITS or not typed.isascii() or not typed.isdigit():
        # Still spend the same work, so a malformed guess is not told apart by timing.
        typed = "\x00" * LOOKUP_PIN_DIGITS
    candidate = lookup_pin_digest(typed, key=key, dossier_code=dossier_code)
    return hmac.compare_digest(candidate.encode(), stored_digest.encode())
