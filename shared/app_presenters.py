"""The one shape of the apps' presenters: a core (the app's one state, its services, its
tasks) and one presenter per screen or concern beside it. Each part is an attribute of the
core by its name (`core.dialogs`), and its public methods and properties (the screen's
taps and what the screen asks) are reached by name on the core too, so kv files and tests
need not know which part handles a tap. Two parts may not claim the same name."""

from __future__ import annotations

from typing import Any


def public_names(cls: type, base: type) -> list[str]:
    """The public methods and properties a part class adds to its base class."""
    own = set(vars(base))
    names: list[str] = []
    for klass in cls.__mro__:
        if klass in (base, object):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") or name in own or name in names:
                continue
            if callable(member) or isinstance(member, property):
                names.append(name)
    return names


class PresenterParts:
    """Mixin of an app's core presenter: `add_part`, then parts and taps by name."""

    def add_part(self, name: str, part: object, taps: list[str]) -> None:
        parts: dict[str, object] = self.__dict__.setdefault("parts", {})
        routes: dict[str, object] = self.__dict__.setdefault("_routes", {})
        for tap in [name, *taps]:
            if tap in routes or tap in parts or hasattr(type(self), tap):
                raise TypeError(f"{type(self).__name__}: {tap!r} of {type(part).__name__} is already taken")
        parts[name] = part
        for tap in taps:
            routes[tap] = part

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the core lacks: a part, or a part's tap.
        parts = self.__dict__.get("parts", {})
        if name in parts:
            return parts[name]
        owner = self.__dict__.get("_routes", {}).get(name)
        if owner is None:
            raise AttributeError(f"{type(self).__name__} has no attribute, part or tap {name!r}")
        return getattr(owner, name)
