"""Passwords (argon2) and opaque bearer tokens (stored only as SHA-256 hashes)."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

STAFF_TOKEN_PREFIX = "mcs_"
DEVICE_TOKEN_PREFIX = "mcd_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_tracking_token() -> str:
    """144 random bits: the citizen's phone link; unguessable, reveals nothing."""
    return secrets.token_urlsafe(18)
