"""Wire models of the web pages' own endpoints (the citizen's live ticket stream)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from .protocol import PublicTicketOut


class MovedFrom(BaseModel):
    """Where the ticket was before a manager or a clerk moved it to another site."""

    label: str
    site_name_vi: str
    site_name_en: str
    at: datetime


class CitizenTicket(PublicTicketOut):
    """The citizen's page state: the public ticket plus where to go. Still nothing personal
    and no internal id: only what the printed ticket already shows."""

    site_latitude: float
    site_longitude: float
    moved_from: MovedFrom | None = None
    final: bool = False  # done or cancelled: the page stops following
    rated: bool = False  # the citizen has rated this visit (a TicketRated event exists)


class CitizenTicketMessage(BaseModel):
    """Sent on `/t/{token}/ws` whenever the citizen's view of the ticket changes."""

    kind: Literal["ticket"] = "ticket"
    ticket: CitizenTicket
