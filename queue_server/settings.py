"""All server configuration, from MOTCUA_* environment variables (or a .env file).

Validated once at start-up: a wrong policy name or a placeholder secret in production stops
the server with a message instead of misbehaving in the lobby.
"""

from datetime import date, time, timedelta
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from queue_server.domain.ordering import POLICIES

PLACEHOLDER_SECRET = "change-me-development-only"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/motcua.db"
    secret: str = PLACEHOLDER_SECRET
    time_zone: str = "Asia/Ho_Chi_Minh"
    business_day_rollover: time = time(0, 0)
    public_base_url: str = "http://127.0.0.1:8000"

    ordering_policy: str = "default"
    max_wait_minutes: int = Field(60, ge=1, le=24 * 60)
    no_show_after_recalls: int = Field(1, ge=0, le=10)
    no_show_requeue: Literal["never", "back_of_line", "keep_place"] = "never"
    max_requeues: int = Field(1, ge=0, le=10)
    staff_session_hours: int = Field(12, ge=1, le=24 * 7)
    nearby_max_km: float = Field(30.0, gt=0)
    nearby_margin_minutes: int = Field(10, ge=0)
    # The wait a center promises citizens; the manager's board and reports flag sites above it.
    target_wait_minutes: int = Field(30, ge=1, le=24 * 60)
    max_request_bytes: int = Field(1_000_000, ge=1024)
    # How long a request waits for a free database connection before it is answered
    # 503 "busy, retry" (a burst larger than the pool, or a database that answers slowly).
    db_pool_timeout_seconds: float | None = Field(None, gt=0, le=120)  # default: 10 s, SQLite 30 s
    # SQLite: how long a write waits for a lock another process holds (the CLI, a backup)
    # before it is answered 503 "retry"; the event loop keeps serving meanwhile.
    sqlite_lock_wait_seconds: float = Field(5.0, gt=0, le=60)
    ws_queue_size: int = Field(256, ge=8)
    ws_heartbeat_seconds: float = Field(15.0, gt=0)
    # Open ticket pages (/t/{token}/ws): a family's phones and tabs on one ticket, and a
    # whole lobby behind one carrier-NAT address; beyond them a page is closed with 1013.
    ticket_pages_per_ticket: int = Field(8, ge=1)
    ticket_pages_per_address: int = Field(300, ge=1)
    file_storage_dir: Path = Path("var/files")
    kiosk_tickets_per_minute: float = Field(20.0, gt=0, description="sustained rate per kiosk")
    kiosk_ticket_burst: int = Field(10, ge=1, description="tickets a kiosk may issue back to back")
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    login_failure_window_minutes: int = Field(15, ge=1, le=24 * 60)  # counts are kept a day at most
    # Password hashes (argon2, ~0.2 s of CPU each) run in threads, this many at once per
    # process; up to `password_check_queue` more logins wait their turn, further ones are
    # answered 503 "retry in a second" at once instead of stalling the server.
    password_checks_at_once: int = Field(2, ge=1, le=32)
    password_check_queue: int = Field(8, ge=0, le=10_000)
    # Reverse proxies (addresses or networks, e.g. '["127.0.0.1", "10.0.0.0/24"]') whose
    # X-Forwarded-For is believed; from anyone else the header is ignored, so a client
    # cannot pick the address the audit log and the login throttle see.
    trusted_proxies: list[str] = Field(default_factory=list)
    # /metrics: with a token, scrapers send `Authorization: Bearer <token>`; without one,
    # only a direct, unproxied connection from this machine may read it.
    metrics_token: str = ""

    # ---- dossiers (hồ sơ) ----
    # Digitized files: per file, and per upload request (several scans in one go).
    max_upload_file_bytes: int = Field(20_000_000, ge=1024)
    max_upload_files: int = Field(20, ge=1, le=200)
    max_upload_request_bytes: int = Field(60_000_000, ge=1024)
    # Same-day procedures received after this local time are due the next working day.
    dossier_same_day_cutoff: time = time(15, 0)
    # The government's yearly decisions the `holidays` package may not know yet
    # (JSON lists in the environment, e.g. MOTCUA_CALENDAR_EXTRA_DAYS_OFF='["2027-02-05"]').
    calendar_extra_days_off: list[date] = Field(default_factory=list)
    calendar_extra_working_days: list[date] = Field(default_factory=list)
    # Public lookup (docs/security.md): wrong PINs allowed within the window per dossier
    # code from one client address, per client address over all codes, and per hour from
    # everyone together (the bound on distributed guessing).
    dossier_lookup_max_failures: int = Field(10, ge=1, le=1000)
    dossier_lookup_failures_per_address: int = Field(30, ge=1, le=10_000)
    dossier_lookup_window_minutes: int = Field(15, ge=1, le=24 * 60)
    dossier_lookup_failures_per_hour: int = Field(100, ge=1, le=100_000)
    # A kiosk gives a return-of-results ticket only for a dossier whose result is ready;
    # False where processing is tracked in another system and statuses here lag behind.
    dossier_return_requires_ready: bool = True
    # After the counter (processing agencies). The 15:00 rule: dossiers received up to this
    # local time on a working day are forwarded to their agency that day, later ones by the
    # next working day (a hand-off after that day is late).
    dossier_forward_cutoff: time = time(15, 0)
    # True: the server forwards each dossier to its mapped agency at reception (agencies
    # that work on the digitized dossier); False: the center forwards (API or manager web).
    dossier_forward_on_receipt: bool = False
    # While the citizen completes a dossier the legal clock stops; on receipt of the
    # complete dossier "resume" runs the working days that were left, "restart" gives the
    # whole legal time again (other units than working days always restart).
    dossier_supplement_clock: Literal["resume", "restart"] = "resume"
    # An agency marks a result ready only with the digitized result attached.
    dossier_result_requires_file: bool = True
    # Where overdue and due-tomorrow notices go besides the inbox: "log" (the server log,
    # ready for an SMS or e-mail notifier), or "none".
    dossier_notifier: Literal["log", "none"] = "log"
    # The lines above the receiving unit on printed forms, e.g. "UBND THÀNH PHỐ HUẾ", "Huế".
    documents_governing_body: str = ""
    documents_place_name: str = ""

    # ---- the citizen's document store and fees (issue 17) ----
    # How long a digitized document stays offered for reuse, in days (0: without limit).
    citizen_document_retention_days: int = Field(5 * 365, ge=0, le=100 * 365)
    # The center's bank account for fees paid by VietQR transfer (empty: cash only). The
    # BIN is the bank's 6-digit NAPAS code (e.g. 970436 Vietcombank, 970415 VietinBank).
    payment_bank_bin: str = Field("", pattern=r"^([0-9]{6})?$")
    payment_account_number: str = Field("", pattern=r"^[0-9A-Za-z]{0,19}$")
    payment_account_name: str = Field("", max_length=120)  # printed beside the QR
    payment_bank_name: str = Field("", max_length=120)

    # ---- online booking (đặt lịch hẹn) ----
    # Slots are cut from each site's opening hours on working days; capacity is per site,
    # service and slot (a center with many counters can take more).
    booking_slot_minutes: int = Field(15, ge=5, le=240)
    booking_slot_capacity: int = Field(2, ge=1, le=500)
    booking_horizon_days: int = Field(14, ge=1, le=90)
    # The kiosk accepts the booking code from this long before the slot starts to this long after.
    booking_checkin_before_minutes: int = Field(30, ge=0, le=240)
    booking_checkin_after_minutes: int = Field(15, ge=0, le=240)
    # New bookings one client address may make per hour (a lobby's Wi-Fi shares one
    # address), and one phone number or one ID number per day (cancel and book again).
    booking_creations_per_hour: int = Field(30, ge=1)
    booking_creations_per_phone_per_day: int = Field(4, ge=1)
    booking_creations_per_id_per_day: int = Field(4, ge=1)
    # Wrong code+phone pairs allowed per booking code within the window (lookup, cancel).
    booking_lookup_max_failures: int = Field(10, ge=1, le=1000)
    booking_lookup_window_minutes: int = Field(15, ge=1, le=24 * 60)
    # A checked-in appointment counts as due this long before its slot starts (0: at the start).
    appointment_early_minutes: int = Field(0, ge=0, le=240)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"not an address or network in trusted_proxies: {item!r}") from exc
        return value

    @field_validator("ordering_policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        if value not in POLICIES:
            raise ValueError(f"unknown ordering policy {value!r}; choose one of {sorted(POLICIES)}")
        return value

    @model_validator(mode="after")
    def _real_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (self.secret == PLACEHOLDER_SECRET or len(self.secret) < 32):
            raise ValueError("set MOTCUA_SECRET to a random string of at least 32 characters in production")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(ip_network(item, strict=False) for item in self.trusted_proxies)

    @property
    def max_wait(self) -> timedelta:
        return timedelta(minutes=self.max_wait_minutes)

    @property
    def takes_transfers(self) -> bool:
        return bool(self.payment_bank_bin and self.payment_account_number)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
