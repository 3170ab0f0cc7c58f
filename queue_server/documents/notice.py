"""What the notices that close a dossier (the refusal, form 03, and the stop notice, form 05)
say alike: who issues them and to whom. `service_layer.form_views._notice_fields` fills
exactly these, with the officer and the two moments each form adds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClosingNotice:
    unit_name: str  # who issues it: the center or the processing agency
    dossier_code: str
    applicant_name: str
    procedure_name: str
    # Keyword-only, so each form's own required fields still follow these four in order.
    governing_body: str = field(default="", kw_only=True)
    place_name: str = field(default="", kw_only=True)
    address: str = field(default="", kw_only=True)
    phone: str = field(default="", kw_only=True)
    email: str = field(default="", kw_only=True)
    signer_title: str = field(default="NGƯỜI TIẾP NHẬN HỒ SƠ", kw_only=True)
    tz: str = field(default="Asia/Ho_Chi_Minh", kw_only=True)
