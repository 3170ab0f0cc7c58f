"""Who may read a citizen's stored documents (kho giấy tờ đã số hóa): ONE policy.

A citizen's digitized papers are read for a reason, in the context of one dossier of
theirs: a dossier being received at a counter, or a dossier already received. Only these
may read them:

1. staff of the site that receives (or received) that dossier — any staff member or
   manager whose account belongs to that site;
2. staff of the agency that processes that dossier — accounts with the `processor` role
   whose agency is the dossier's processing agency.

A province-wide account (no site, no agency) may not: seeing everyone's papers is not a
job anyone has. Rule 2 is written in full, and waits for the data: processing agencies and
processor accounts come with issue 16 (`agencies`, `dossiers.agency_id`,
`staff.agency_id`); until then `Reader.agency_id` and `ReadContext.processing_agency_id`
are None and rule 2 grants nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity_protocol import ReadPurpose

PROCESSOR_ROLE = "processor"  # issue 16's role for processing-agency staff
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
    agency_id: int | None = None  # issue 16: staff.agency_id of a processor


@dataclass(frozen=True)
class ReadContext:
    """The dossier the read is for (or the reception under way at a counter)."""

    receiving_site_id: int
    processing_agency_id: int | None = None  # issue 16: dossiers.agency_id


def may_read_citizen_documents(reader: Reader, context: ReadContext) -> bool:
    if reader.role in SITE_ROLES and reader.site_id is not None and reader.site_id == context.receiving_site_id:
        return True
    return (reader.role == PROCESSOR_ROLE and reader.agency_id is not None
            and reader.agency_id == context.processing_agency_id)
