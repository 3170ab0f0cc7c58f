"""The database schema (SQLAlchemy Core). Alembic migrations are written against this.

Times are stored as UTC; `UtcDateTime` hands back aware datetimes on both databases.
"""

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        return None if value is None else value.replace(tzinfo=UTC)


sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("kind", String(16), nullable=False),
    Column("address", String(300), nullable=False, server_default=""),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("opening_hours", JSON, nullable=False),
    Column("agency_code", String(40), nullable=False, server_default=""),
    Column("notice", String(500), nullable=False, server_default=""),
    # Per-site event sequence: every event gets the next number, so clients spot gaps.
    Column("event_seq", Integer, nullable=False, server_default=text("0")),
)

fields = Table(
    "fields",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name_vi", String(200), nullable=False, unique=True),
    Column("name_folded", String(200), nullable=False),
)

procedures = Table(
    "procedures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_vi", Text, nullable=False),
    Column("name_folded", Text, nullable=False),
    Column("field_id", ForeignKey("fields.id"), nullable=False, index=True),
    Column("provincial", Boolean, nullable=False),
    Column("commune", Boolean, nullable=False),
    Column("time_value", Float),
    Column("time_unit_vi", String(40), nullable=False, server_default=""),
    Column("fee_vi", Text, nullable=False, server_default=""),
    Column("agency_vi", Text, nullable=False, server_default=""),
    Column("channels_vi", String(200), nullable=False, server_default=""),
    Column("ministry_slug", String(60), nullable=False, server_default=""),
    Column("decision", String(200), nullable=False, server_default=""),
    Column("source_url", String(300), nullable=False, server_default=""),
)

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("prefix", String(3), nullable=False, server_default=""),
    Column("digits", Integer, nullable=False, server_default=text("3")),
    Column("number_start", Integer, nullable=False, server_default=text("1")),
    Column("number_end", Integer, nullable=False, server_default=text("999")),
    # "queue" for intake, "return" for the return-of-results desk.
    Column("kind", String(16), nullable=False, server_default="queue"),
)

service_fields = Table(
    "service_fields",
    metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("fields.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_service_fields_field", "field_id"),
)

site_services = Table(
    "site_services",
    metadata,
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("site_id", ForeignKey("sites.id"), nullable=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UtcDateTime, nullable=False),
    # Role `processor`: the processing agency the officer works for (not a site), and
    # whether they head it (heads see and are told about every dossier of the agency).
    Column("agency_id", ForeignKey("agencies.id"), nullable=True),
    Column("agency_head", Boolean, nullable=False, server_default=text("false")),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

counters = Table(
    "counters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("state", String(16), nullable=False, server_default="closed"),
    Column("pause_reason", String(200), nullable=False, server_default=""),
    Column("staff_id", ForeignKey("staff.id"), nullable=True),
    Column("current_ticket_id", Integer, nullable=True),
    Column("updated_at", UtcDateTime),
    UniqueConstraint("site_id", "number", name="uq_counters_site_number"),
)

counter_services = Table(
    "counter_services",
    metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("weight", Integer, nullable=False, server_default=text("1")),
)

# One row per (site, service, business day), locked while a number is taken.
# ("counter" means the staff desk in this project, hence the name.)
ticket_sequence = Table(
    "ticket_sequence",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
    Column("business_day", Date, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("procedure_id", ForeignKey("procedures.id"), nullable=True),
    Column("business_day", Date, nullable=False),
    # The service whose sequence gave the number. A ticket transferred to another service
    # of the same site keeps its number (the citizen's paper stays right), so uniqueness
    # is on the numbering service, never on the service the ticket waits in now.
    Column("numbering_service_id", ForeignKey("services.id"), nullable=False),
    Column("sequence_number", Integer, nullable=False),
    Column("label", String(12), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("counter_id", ForeignKey("counters.id"), nullable=True),
    Column("target_counter_id", ForeignKey("counters.id"), nullable=True),
    Column("staff_id", ForeignKey("staff.id"), nullable=True),
    Column("device_id", ForeignKey("devices.id"), nullable=True),
    Column("tracking_token", String(64), nullable=False, unique=True),
    Column("arrived_at", UtcDateTime, nullable=False),  # kept across transfers (fairness)
    Column("issued_at", UtcDateTime, nullable=False),
    Column("appointment_at", UtcDateTime),
    Column("called_at", UtcDateTime),
    Column("first_called_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("recall_count", Integer, nullable=False, server_default=text("0")),
    Column("requeue_count", Integer, nullable=False, server_default=text("0")),
    Column("transfer_count", Integer, nullable=False, server_default=text("0")),
    Column("printed", Boolean, nullable=True),
    # Chosen by the kiosk per citizen request: "try again" after a lost answer sends the
    # same key and gets the ticket already issued, not a second one nobody holds.
    Column("request_key", String(40), nullable=True),
    UniqueConstraint(
        "site_id", "numbering_service_id", "business_day", "sequence_number", name="uq_tickets_number"
    ),
    Index(
        "uq_tickets_device_request",
        "device_id",
        "request_key",
        unique=True,
        sqlite_where=text("request_key IS NOT NULL"),
        postgresql_where=text("request_key IS NOT NULL"),
    ),
    # The claim path: head of each service's line, by rank then arrival, waiting only.
    # `status` is stored too so that counting a line reads the index alone: SQLite does
    # not count a partial index's condition as a column the index holds.
    Index(
        "ix_tickets_waiting_rank",
        "site_id",
        "service_id",
        text("rank DESC"),
        "arrived_at",
        "id",
        "status",
        sqlite_where=text("status = 'waiting'"),
        postgresql_where=text("status = 'waiting'"),
    ),
    Index(
        "ix_tickets_waiting_arrival",
        "site_id",
        "service_id",
        "arrived_at",
        "id",
        sqlite_where=text("status = 'waiting'"),
        postgresql_where=text("status = 'waiting'"),
    ),
    # The newest arrival in a site's line (a new ticket never goes ahead of it, whatever
    # the clock does): one index step instead of a scan of everyone waiting at the site.
    Index(
        "ix_tickets_waiting_site_arrival",
        "site_id",
        "arrived_at",
        sqlite_where=text("status = 'waiting'"),
        postgresql_where=text("status = 'waiting'"),
    ),
    # The appointments of a line (checked in, due or early): the ordering policy's heads
    # over them read this small index, not the whole line's rank index.
    Index(
        "ix_tickets_waiting_appointment",
        "site_id",
        "service_id",
        "arrived_at",
        "id",
        sqlite_where=text("status = 'waiting' AND priority = 'appointment'"),
        postgresql_where=text("status = 'waiting' AND priority = 'appointment'"),
    ),
    Index(
        "ix_tickets_waiting_target",
        "target_counter_id",
        "arrived_at",
        sqlite_where=text("status = 'waiting' AND target_counter_id IS NOT NULL"),
        postgresql_where=text("status = 'waiting' AND target_counter_id IS NOT NULL"),
    ),
    Index("ix_tickets_site_day", "site_id", "business_day"),
    Index("ix_tickets_counter_status", "counter_id", "status"),
)

# Append-only: every report can be rebuilt from it.
ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=True),
    Column("counter_id", ForeignKey("counters.id"), nullable=True),
    Column("staff_id", ForeignKey("staff.id"), nullable=True),
    Column("device_id", ForeignKey("devices.id"), nullable=True),
    Column("data", JSON, nullable=False),
    UniqueConstraint("site_id", "seq", name="uq_ticket_events_site_seq"),
    Index("ix_ticket_events_ticket", "ticket_id"),
    Index("ix_ticket_events_at", "at"),
)

service_stats = Table(
    "service_stats",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
    Column("avg_handling_seconds", Float, nullable=False),
    Column("samples", Integer, nullable=False),
)

# Written as a literal so SQLite can prove the partial indexes above apply (a bound
# parameter would hide the value from its planner and force a table scan).
TICKET_IS_WAITING = tickets.c.status == literal_column("'waiting'")


# ---- processing agencies (cơ quan giải quyết) ------------------------------------------------
# Provincial departments, vertical agencies and commune People's Committees: data, edited
# by an admin. `catalog_terms` are phrases of the catalog's agency text this agency handles;
# `field_names` the fields it takes when the catalog names no agency; `site_codes` the
# sites whose commune-level procedures it settles (a commune People's Committee).
agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("kind", String(16), nullable=False),  # department | vertical | commune | province
    Column("governing_body", String(200), nullable=False, server_default=""),
    Column("catalog_terms", JSON, nullable=False),
    Column("field_names", JSON, nullable=False),
    Column("site_codes", JSON, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", UtcDateTime, nullable=False),
)

# An admin's choice for one procedure, over whatever the catalog text says.
procedure_agencies = Table(
    "procedure_agencies",
    metadata,
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False, index=True),
)


# ---- dossiers (hồ sơ) ----------------------------------------------------------------------
# One row per (agency, business day), locked while a dossier number is taken: the code's
# NNNN counts per receiving agency, whichever of its sites received the dossier.
dossier_sequence = Table(
    "dossier_sequence",
    metadata,
    Column("agency_code", String(40), primary_key=True),
    Column("business_day", Date, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("agency_code", String(40), nullable=False),
    Column("business_day", Date, nullable=False),
    Column("sequence_number", Integer, nullable=False),
    Column("procedure_id", ForeignKey("procedures.id"), nullable=False),
    # The legal time as it stood at reception: a later catalog edit must not move a due date.
    Column("legal_time_value", Float),
    Column("legal_time_unit_vi", String(40), nullable=False, server_default=""),
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_id_kind", String(16), nullable=False),
    Column("applicant_id_number", String(40), nullable=False),
    Column("applicant_phone", String(20), nullable=False, server_default=""),
    Column("applicant_address", String(300), nullable=False, server_default=""),
    Column("applicant_email", String(200), nullable=False, server_default=""),
    Column("applicant_birth_date", Date),  # from the ID card's QR, when scanned or typed
    Column("applicant_sex", String(8), nullable=False, server_default=""),  # "Nam" | "Nữ" | ""
    # The checklist received: name, copies, form; a line satisfied by a stored document
    # also has citizen_document_id and reused_from (the dossier code it was digitized for).
    Column("documents", JSON, nullable=False),
    Column("notes", Text, nullable=False, server_default=""),
    Column("status", String(24), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("received_by", ForeignKey("staff.id"), nullable=False),
    Column("counter_id", ForeignKey("counters.id"), nullable=True),
    Column("due_date", Date),  # local date of the appointment; NULL: written by hand
    Column("due_at", UtcDateTime),  # hour-based procedures only: the exact moment
    Column("lookup_pin_digest", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # After the counter (issue 16): the processing agency (mapped from the catalog at
    # reception, or chosen when forwarding), the officer holding it, the 15:00 rule's
    # forwarding day, the working days left while the clock is stopped for a supplement,
    # and the apology's new appointment (form 04: the dossier counts as late).
    Column("agency_id", ForeignKey("agencies.id"), nullable=True),
    Column("assigned_staff_id", ForeignKey("staff.id"), nullable=True),
    Column("forward_deadline", Date),
    Column("forwarded_at", UtcDateTime),
    Column("clock_days_left", Integer),
    Column("new_due_date", Date),
    Column("apologized_at", UtcDateTime),
    UniqueConstraint("agency_code", "business_day", "sequence_number", name="uq_dossiers_number"),
    Index("ix_dossiers_site_status", "site_id", "status"),
    Index("ix_dossiers_due", "status", "due_date"),
    Index("ix_dossiers_status_agency", "status", "agency_id"),  # the live board reads the index alone
)

# Which tickets a dossier came with: the intake visit, and return-of-results visits.
dossier_tickets = Table(
    "dossier_tickets",
    metadata,
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("purpose", String(16), nullable=False),  # "intake" | "return"
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_dossier_tickets_ticket", "ticket_id"),
)

# The dossier's life, append-only: every step with when, who and why.
dossier_events = Table(
    "dossier_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(24)),
    Column("to_status", String(24), nullable=False),
    Column("staff_id", ForeignKey("staff.id"), nullable=True),
    Column("counter_id", ForeignKey("counters.id"), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("data", JSON, nullable=False),
    Index("ix_dossier_events_dossier", "dossier_id", "at"),
    # The control room reads a month of one kind of step (receptions, results, refusals).
    Index("ix_dossier_events_action_at", "action", "at"),
)

# Every hand-off of a dossier between the center, its agency, an officer and the citizen:
# one row each, append-only (the control slip, form 06, prints them). Names are copied so
# the slip still reads right after an account or agency is renamed.
dossier_handoffs = Table(
    "dossier_handoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(24), nullable=False),  # forward | assign | supplement | ... | return
    Column("from_kind", String(12), nullable=False),  # center | agency | officer | citizen
    Column("from_name", String(200), nullable=False),
    Column("from_staff_id", ForeignKey("staff.id"), nullable=True),
    Column("to_kind", String(12), nullable=False),
    Column("to_name", String(200), nullable=False),
    Column("to_staff_id", ForeignKey("staff.id"), nullable=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("deadline", Date),  # the day it was due by; NULL: nothing to judge against
    Column("timeliness", String(8)),  # early | on_time | late | NULL
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_dossier_handoffs_dossier", "dossier_id", "at"),
)

# The control room's ledger: one typed row per counted step of a dossier (received,
# scanned before it left the center, first asked for a supplement, its result, refused),
# written in the same transaction as the step, append-only. `weight` is +1, or a -1/+1
# pair when the center forwards a dossier to another agency than the one it was counted
# for at reception (the reception moves with it, nothing is rewritten). Results carry the
# judgement made when they happened. Month figures are sums over it, no JSON, no join.
dossier_milestones = Table(
    "dossier_milestones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(12), nullable=False),  # received | digitized | supplement | result | refused
    Column("weight", Integer, nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("received_on", Date, nullable=False),  # the local day the dossier was received
    Column("on_time", Boolean),
    Column("working_days", Integer),
    Column("legal_days", Integer),
    Index("ix_dossier_milestones_received", "kind", "received_on"),
    Index("ix_dossier_milestones_at", "kind", "at"),
)

# What the overdue / due-tomorrow notices told whom, once per officer, day and kind.
dossier_alerts = Table(
    "dossier_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),  # overdue | due_tomorrow
    Column("dossier_codes", JSON, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    UniqueConstraint("staff_id", "day", "kind", name="uq_dossier_alerts_once"),
)

# Digitized content, stored once per distinct bytes under its SHA-256.
stored_files = Table(
    "stored_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
)

dossier_attachments = Table(
    "dossier_attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("sha256", ForeignKey("stored_files.sha256"), nullable=False, index=True),
    Column("file_name", String(200), nullable=False),  # shown to people only, never a path
    Column("document_index", Integer),  # which checklist line the pages belong to, if said
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("uploaded_by", ForeignKey("staff.id"), nullable=False),
    # Linked by reference from the citizen's document store (no re-scan): the dossier the
    # same stored file was first digitized for.
    Column("reused_from_dossier_id", ForeignKey("dossiers.id"), nullable=True),
)

# ---- the citizen's document store (tái sử dụng giấy tờ đã số hóa) ---------------------------
# One row per digitized checklist line of a received dossier, kept against the applicant's
# ID: its pages are that dossier's attachments of that line (stored once by SHA-256).
# Reading these rows is audited (service_layer/citizen_documents.py); `expires_at` is the
# configured retention, after which the row is neither shown nor reused and is purged.
citizen_documents = Table(
    "citizen_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder_id_kind", String(16), nullable=False),
    Column("holder_id_number", String(40), nullable=False),
    Column("kind", String(500), nullable=False),  # the checklist item, e.g. "Bản sao CCCD"
    Column("issue_date", Date),
    Column("valid_until", Date),
    Column("source_dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("source_document_index", Integer, nullable=False),
    Column("site_id", ForeignKey("sites.id"), nullable=False),  # where it was digitized
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),  # NULL: kept without limit
    UniqueConstraint("source_dossier_id", "source_document_index", name="uq_citizen_documents_source"),
    Index("ix_citizen_documents_holder", "holder_id_number", "holder_id_kind"),
    Index("ix_citizen_documents_expires", "expires_at"),
)

# ---- fees and charges (phí, lệ phí) ---------------------------------------------------------
# A manager's structured fee for a procedure; without a row the fee is read from the
# catalog's text (domain/fees.py). amount_vnd NULL: no fee.
procedure_fees = Table(
    "procedure_fees",
    metadata,
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("amount_vnd", BigInteger),
    Column("note", String(300), nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", ForeignKey("staff.id"), nullable=True),
)

# The fee of one dossier, confirmed by the clerk at reception; paid once (cash at the
# counter or a bank transfer), then it has its receipt number. A dossier without a fee has
# no row.
dossier_fees = Table(
    "dossier_fees",
    metadata,
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("catalog_amount_vnd", BigInteger),  # what the procedure's fee said, if one amount
    Column("confirmed_by", ForeignKey("staff.id"), nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # unpaid | paid
    Column("method", String(16)),  # cash | transfer
    Column("paid_at", UtcDateTime),
    Column("paid_by", ForeignKey("staff.id"), nullable=True),
    Column("bank_ref", String(80)),  # the bank's transaction reference, for transfers
    Column("receipt_series", String(24)),
    Column("receipt_number", Integer),
    UniqueConstraint("receipt_series", "receipt_number", name="uq_dossier_fees_receipt"),
    Index("uq_dossier_fees_bank_ref", "bank_ref", unique=True,
          sqlite_where=text("bank_ref IS NOT NULL"), postgresql_where=text("bank_ref IS NOT NULL")),
    Index("ix_dossier_fees_site_paid", "site_id", "paid_at"),
    Index("ix_dossier_fees_status", "status"),
)

# One row per (site, year): the last fee receipt number of that series, locked while a
# number is taken (as dossier and ticket numbers are).
fee_receipt_sequence = Table(
    "fee_receipt_sequence",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

# Failed PIN checks per looked-up code (known or not, so the count itself reveals nothing).
dossier_lookup_failures = Table(
    "dossier_lookup_failures",
    metadata,
    Column("code", String(60), primary_key=True),
    Column("window_started_at", UtcDateTime, nullable=False, index=True),
    Column("failures", Integer, nullable=False),
)

# Satisfaction (đánh giá mức độ hài lòng): one rating per ticket, attached to the counter
# and the staff member who served it.
ticket_ratings = Table(
    "ticket_ratings",
    metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("counter_id", ForeignKey("counters.id"), nullable=True),
    Column("staff_id", ForeignKey("staff.id"), nullable=True),
    Column("level", String(16), nullable=False),
    Column("reason", String(500), nullable=False, server_default=""),
    Column("source", String(16), nullable=False),  # "citizen" (phone page) | "counter" (screen)
    Column("rated_at", UtcDateTime, nullable=False),
    Index("ix_ticket_ratings_site_at", "site_id", "rated_at"),
    Index("ix_ticket_ratings_staff_at", "staff_id", "rated_at"),
)

# The audit log: every staff, manager and admin action, and every login attempt, with who,
# from where and how it ended. Append-only: nothing in the code updates or deletes it, and
# database triggers refuse UPDATE and DELETE (migration 0004). `username` and `role` are
# copied so an entry still reads right after the account changes.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("staff_id", Integer, nullable=True),  # no FK: the log outlives what it mentions
    Column("username", String(64), nullable=False, server_default=""),
    Column("role", String(16), nullable=False, server_default=""),
    Column("site_id", Integer, nullable=True),  # the site acted on (else the actor's site)
    Column("action", String(200), nullable=False),
    Column("target", String(300), nullable=False, server_default=""),
    Column("address", String(64), nullable=False, server_default=""),
    Column("outcome", String(16), nullable=False),  # ok | refused | error
    Column("detail", JSON, nullable=True),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_staff_at", "staff_id", "at"),
    Index("ix_audit_log_site_at", "site_id", "at"),
)

# ---- online booking (đặt lịch hẹn) ---------------------------------------------------------
# One row per (site, service, slot) that has been booked: `booked` only goes up to the
# capacity through a conditional UPDATE on this row, so two people racing for the last
# place cannot both get it (the row lock serialises them; the loser sees the new count).
booking_slots = Table(
    "booking_slots",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
    Column("slot_start", UtcDateTime, primary_key=True),
    Column("booked", Integer, nullable=False),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),  # typed at the kiosk
    Column("token", String(64), nullable=False, unique=True),  # in the QR and the page's URL
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("procedure_id", ForeignKey("procedures.id"), nullable=False),
    Column("slot_start", UtcDateTime, nullable=False),
    Column("slot_day", Date, nullable=False),  # local date of the slot
    Column("full_name", String(200), nullable=False),
    Column("phone", String(16), nullable=False),  # +84…, normalised
    Column("id_number", String(20), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime),
    Column("checked_in_at", UtcDateTime),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=True),
    Column("device_id", ForeignKey("devices.id"), nullable=True),  # the kiosk that checked it in
    Index("ix_bookings_site_slot", "site_id", "slot_start"),
    # One active booking per phone and per ID number, kept by the database itself.
    Index("uq_bookings_active_phone", "phone", unique=True,
          sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
    Index("uq_bookings_active_id_number", "id_number", unique=True,
          sqlite_where=text("status = 'booked' AND id_number != ''"),
          postgresql_where=text("status = 'booked' AND id_number != ''")),
)

# ---- the kiosk menu of a site ------------------------------------------------------------------
# A manager's word on one procedure of a site's kiosk menu; without a row the procedure is
# shown if the site receives it, ordered by the site's ticket history. `hidden`: the kiosk
# neither lists nor issues it; a row that is not hidden adds a procedure the rules left
# out. `position` orders the pinned items. Empty names: the catalog's.
site_menu_items = Table(
    "site_menu_items",
    metadata,
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("pinned", Boolean, nullable=False, server_default=text("false")),
    Column("hidden", Boolean, nullable=False, server_default=text("false")),
    Column("position", Integer, nullable=True),
    Column("name_vi", String(300), nullable=False, server_default=""),
    Column("name_en", String(300), nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", ForeignKey("staff.id"), nullable=True),
)
