"""Typed errors of the domain. Each carries a machine-readable code and a message a person
can act on (Vietnamese first, English second); the API maps them to HTTP statuses."""


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message_vi: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state forbids it (HTTP 409)."""

    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class NoTicketWaiting(Conflict):
    code = "no_ticket_waiting"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Invalid(DomainError):
    status = 422
    code = "invalid_input"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message_vi: str, message_en: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message_vi, message_en, code=code)
        self.retry_after = max(1, int(retry_after))


class Busy(TooManyRequests):
    """Too much of one kind of work at once: answered at once with a retry hint (503)."""

    status = 503
    code = "busy"
