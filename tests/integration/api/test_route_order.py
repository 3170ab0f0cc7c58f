"""The app includes its route modules flat, the hot ones first (queue_server/app.py). That
is only safe if the order between modules changes nothing: no request may match routes of
two modules, and every route must be the one that serves its own requests (or, within its
module, a route declared before it on purpose)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from queue_server.app import API_PREFIX, create_app
from queue_server.bootstrap import bootstrap
from queue_server.settings import Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('routes')}/routes.db"
    wiring = bootstrap(Settings(database_url=url, environment="test"))
    yield create_app(wiring, check_migrations=False)
    wiring.engine.dispose()


def _routes(app):
    """Every route as (path, methods, kind, endpoint, the object that matches it: the
    included route's context, which knows its prefix)."""
    for top in app.router.routes:
        contexts = top.effective_route_contexts() if isinstance(top, _IncludedRouter) else [top]
        for ctx in contexts:
            route = getattr(ctx, "starlette_route", None) or getattr(ctx, "original_route", ctx)
            path = getattr(ctx, "path", None) or getattr(route, "path", None)
            if path is None:
                continue
            kind = "websocket" if "WebSocket" in type(route).__name__ else "http"
            methods = getattr(ctx, "methods", None) or getattr(route, "methods", None) or {"GET"}
            endpoint = getattr(ctx, "endpoint", None) or getattr(route, "endpoint", None)
            yield path, methods, kind, endpoint, ctx


def _scope(app, kind: str, method: str, path: str) -> dict:
    return {"type": kind, "method": method, "path": path, "root_path": "", "headers": [], "query_string": b"",
            "app": app}


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_request_matches_routes_of_two_modules(app):
    routes = list(_routes(app))
    crossings = []
    for path, methods, kind, _, _ in routes:
        for method in methods:
            scope = _scope(app, kind, method, _sample(path))
            modules = {other_endpoint.__module__ for _, _, other_kind, other_endpoint, route in routes
                       if other_kind == kind and other_endpoint is not None
                       and route.matches(dict(scope))[0] == Match.FULL}
            if len(modules) > 1:
                crossings.append(f"{method} {_sample(path)}: {sorted(modules)}")
    assert crossings == []


def test_every_route_serves_its_own_requests(app):
    """The first full match of each route's sample request is from that route's module."""
    wrong = []
    for path, methods, kind, endpoint, _ in _routes(app):
        for method in methods:
            served = _first_match(app, _scope(app, kind, method, _sample(path)))
            if endpoint is not None and (served is None or served.__module__ != endpoint.__module__):
                wrong.append(f"{method} {path}: served by {served and served.__qualname__}")
    assert wrong == []


def test_the_hot_routes_come_first(app):
    """A call-next, a start, a ticket and a phone page's stream are found among the first
    routes tried, not after a walk through the whole API."""
    hot = [("http", "POST", f"{API_PREFIX}/counters/1/call-next"), ("http", "POST", f"{API_PREFIX}/counters/1/start"),
           ("http", "POST", f"{API_PREFIX}/tickets"), ("websocket", "GET", "/t/1/ws")]
    routes = list(_routes(app))
    tried = {}
    for kind, method, path in hot:
        scope = _scope(app, kind, method, path)
        tried[path] = next(i for i, (*_, matcher) in enumerate(routes) if matcher.matches(dict(scope))[0] == Match.FULL)
    assert max(tried.values()) < 40, tried


def test_web_pages_stay_out_of_the_api_schema(app):
    paths = app.openapi()["paths"]
    assert f"{API_PREFIX}/counters/{{counter_id}}/call-next" in paths
    assert not [p for p in paths if not p.startswith(API_PREFIX) and p != "/metrics"]


def _first_match(app, scope):
    for top in app.router.routes:
        if isinstance(top, _IncludedRouter):
            match, _, route, ctx = top._match(scope)
            while match == Match.FULL and isinstance(route, _IncludedRouter):
                match, _, route, ctx = route._match(scope)
            if match == Match.FULL:
                return getattr(ctx, "endpoint", None) or getattr(route, "endpoint", None)
        elif top.matches(scope)[0] == Match.FULL:
            return getattr(top, "endpoint", None)
    return None
