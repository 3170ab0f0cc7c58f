"""Who may read a citizen's stored documents (kho giấy tờ đã số hóa): ONE policy.

A citizen's digitized papers are read for a reason, in the context of one dossier of
theirs: a dossier being received at a counter, or a dossier already received. Only these
may read them:

1. staff of the site that receives (or received) that dossier — any staff member or
   manager whose account belongs to that site;
2. staff of the agency that processes that dossier — accounts with the `processor` role
   whose agency is the dossier's processing agency.

A province-wide account (no site, no agency) may not: seeing everyone's papers is not a
job anyone has. A dossier not yet forwarded has no processing agency, so rule 2 grants
nothing until the center forwards it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity_protocol import ReadPurpose

PROCESSOR_ROLE = "processor"  # processing-agency staff (Role.PROCESSOR)
SITE_ROLES = frozenset({"staff", "manager", "admin"})


PURPOSE_VI = {
    ReadPurpose.RECEPTION: "tiếp nhận hồ sơ",
    ReadPurpose.PROCESSING: "giải quyết hồ sơ",
    ReadPurpose.VERIFICATION: "đối chiếu, xác minh",
}


@dataclass(frozen=True)
class Reader:
    staff_id: int
    role: str
    site_id: int | None
    agency_id: int | None = None  # staff.agency_id of a processor


@dataclass(frozen=True)
class ReadContext:
    """The dossier the read is for (or the reception under way at a counter)."""

    receiving_site_id: int
    processing_agency_id: int | None = None  # dossiers.agency_id


def may_read_citizen_documents(reader: Reader, context: ReadContext) -> bool:
    if reader.role in SITE_ROLES and reader.site_id is not None and reader.site_id == context.receiving_site_id:
        return True
    return (reader.role == PROCESSOR_ROLE and reader.agency_id is not None
            and reader.agency_id == context.processing_agency_id)
