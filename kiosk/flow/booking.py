""""I have a booking": type or scan the code to check in (a ticket with the booking's
priority), and a chip ID card's QR scanned on the way (the elderly priority offer)."""

from __future__ import annotations

from datetime import datetime

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.printing.ticket import LOCAL_ZONE
from kiosk.state import Phase, Target
from kiosk.texts import T, Text
from shared.cccd import MAX_QR_CHARS, elderly_priority_offer
from shared.enums import PriorityClass

BOOKING_CODE_MAX = 12  # 8 characters, with room for a dash or two typed by habit


def looks_like_card(text: str) -> bool:
    """A chip ID card's QR line (12-digit ID, then fields split by "|"), as opposed to a
    booking code or its URL; malformed card lines count, so their error is shown."""
    head = text.split("|", 1)[0].strip()
    return text.count("|") >= 2 and head.isdigit() and 9 <= len(head) <= 12


class BookingPresenter(ScreenPresenter):
    name = "booking"
    screens = (ScreenSpec(Phase.BOOKING, "booking.kv", "BookingScreen"),)

    def open_booking(self) -> None:
        k = self.kiosk
        if k.accepting_taps and k.state.phase is Phase.HOME:
            k.state.booking_code = ""
            k.go(Phase.BOOKING)

    def booking_type(self, text: str) -> None:
        st = self.kiosk.state
        if st.phase is Phase.BOOKING and len(st.booking_code) < BOOKING_CODE_MAX:
            st.booking_code += text.upper()
            self.kiosk.changed()

    def booking_delete(self) -> None:
        st = self.kiosk.state
        if st.phase is Phase.BOOKING and st.booking_code:
            st.booking_code = st.booking_code[:-1]
            self.kiosk.changed()

    def booking_submit(self) -> bool:
        """The "Check in" button; like `confirm`, one tap gives at most one request."""
        st = self.kiosk.state
        if not self.kiosk.accepting_taps or st.phase is not Phase.BOOKING or not st.booking_code.strip():
            return False
        self._check_in(st.booking_code)
        return True

    def scanned(self, text: str) -> bool:
        """A USB scanner typed a whole code (or the confirmation QR's URL) and Enter. Taken
        on the home and booking screens only: elsewhere a stray scan must not issue anything."""
        k, st = self.kiosk, self.kiosk.state
        text = text.strip()
        if not text or len(text) > MAX_QR_CHARS:
            return False
        if looks_like_card(text):
            return self._card_scanned(text)
        if st.phase not in (Phase.HOME, Phase.BOOKING):
            return False
        k.touched()
        if st.phase is Phase.HOME:
            k.history.append(Phase.HOME)
        st.booking_code = text
        self._check_in(text)
        return True

    def _card_scanned(self, text: str) -> bool:
        """A chip ID card's QR: offer the elderly priority to a citizen aged 60 or more. Only
        the offer is kept (no name, no ID); the next citizen starts without it."""
        k, st = self.kiosk, self.kiosk.state
        if st.phase not in (Phase.HOME, Phase.MENU, Phase.PRIORITY):
            return False
        k.touched()
        offer = elderly_priority_offer(text, today=datetime.now(LOCAL_ZONE).date())
        st.card_elderly = offer.offer
        st.card_offer = Text(offer.message_vi, offer.message_en)
        k.changed()
        return True

    def _check_in(self, code: str) -> None:
        k = self.kiosk
        target = Target(T["appointment"].vi, booking_code=code, **k.site_names())
        k.state.target = target
        k.issuing.start_issue(target, PriorityClass.APPOINTMENT)


PRESENTER = BookingPresenter
