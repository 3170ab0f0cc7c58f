"""The route a request matched, as its template ("/api/v1/counters/{counter_id}/open").

Built from the raw path and the matched path parameters (each value put back as its
name), so it does not depend on how the framework nests included routers. Audit entries
and metric labels use it: never a raw value, so the label set stays bounded."""

from __future__ import annotations

from starlette.types import Scope


def route_template(scope: Scope) -> str | None:
    """None when no route matched (a 404 for an unknown path)."""
    if scope.get("route") is None and scope.get("endpoint") is None:
        return None
    path: str = scope.get("path", "")
    params = scope.get("path_params") or {}
    segments = path.split("/")
    for name, value in params.items():
        text = str(value)
        if "/" in text and path.endswith(text):  # a {name:path} parameter: the whole tail
            rest = "/".join(segments)
            return rest[: len(rest) - len(text)] + "{" + name + "}"
        for i in range(len(segments) - 1, -1, -1):
            if segments[i] == text:
                segments[i] = "{" + name + "}"
                break
    return "/".join(segments)
