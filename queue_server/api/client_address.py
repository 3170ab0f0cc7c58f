"""Who is on the other end: the peer address, or the client a trusted proxy names.

X-Forwarded-For is believed only when the connection comes from a configured proxy
(`MOTCUA_TRUSTED_PROXIES`); then the list is read from the right, skipping our own
proxies, and the first address that is not one of them is the client. Anything a client
wrote further left is ignored, so it cannot choose the address the audit log and the
login throttle see.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.types import Scope

Networks = Sequence[IPv4Network | IPv6Network]


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _header(scope: Scope, name: bytes) -> str:
    values = [v.decode("latin-1") for k, v in scope.get("headers") or () if k.lower() == name]
    return ",".join(values)


def client_address(scope: Scope, networks: Networks) -> str:
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in _header(scope, b"x-forwarded-for").split(",") if h.strip()]
    for hop in reversed(hops):
        if _trusted(hop, networks):
            continue
        try:
            return str(ip_address(hop))
        except ValueError:
            return peer  # a proxy wrote garbage: keep what we know for sure
    return peer


def is_forwarded(scope: Scope) -> bool:
    """Did the request pass through a proxy (which would make a loopback peer meaningless)?"""
    names = {b"x-forwarded-for", b"forwarded", b"x-real-ip"}
    return any(k.lower() in names for k, _ in scope.get("headers") or ())
