"""A client given several server URLs moves to the next when one cannot be reached."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from shared.client import ApiError, MotcuaClient, ServerUnreachable, parse_server_urls


def test_server_urls_are_read_from_a_list_or_a_comma_separated_string() -> None:
    assert parse_server_urls("http://a:8000/, https://b:8000 ,") == ["http://a:8000", "https://b:8000"]
    assert parse_server_urls(["http://a:8000"]) == ["http://a:8000"]
    with pytest.raises(ValueError, match="must start with http"):
        parse_server_urls("http://a:8000,b:8000")
    with pytest.raises(ValueError, match="no server URL"):
        parse_server_urls(" , ")


class TwoServers:
    """`down` hosts refuse connections; others answer with the host's name."""

    def __init__(self, down: set[str], read_error: set[str] = frozenset()) -> None:
        self.down, self.read_error = down, read_error
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.host)
        if request.url.host in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.host in self.read_error:
            raise httpx.ReadError("connection reset", request=request)
        if request.url.host == "busy":
            return httpx.Response(409, json={"code": "counter_busy", "message": "Quầy bận.", "message_en": "Busy."})
        return httpx.Response(200, json={"host": request.url.host})


def test_a_request_that_cannot_connect_is_tried_on_the_next_server_at_once() -> None:
    servers = TwoServers(down={"a"})

    async def go() -> tuple:
        async with MotcuaClient("http://a:8000,http://b:8000", transport=httpx.MockTransport(servers)) as client:
            first = await client.request("POST", "/tickets", json_body={})
            second = await client.request("GET", "/sites")
            return first, second, client.base_url

    first, second, now_on = asyncio.run(go())
    assert first == {"host": "b"} and second == {"host": "b"} and now_on == "http://b:8000"
    assert servers.seen == ["a", "b", "b"]  # stays on the server that works


def test_a_lost_answer_is_not_retried_but_the_next_request_goes_elsewhere() -> None:
    servers = TwoServers(down=set(), read_error={"a"})

    async def go() -> tuple:
        async with MotcuaClient(["http://a:8000", "http://b:8000"], transport=httpx.MockTransport(servers)) as client:
            with pytest.raises(ServerUnreachable):
                await client.request("POST", "/tickets", json_body={})  # may have been done: not resent
            return await client.request("GET", "/sites")

    assert asyncio.run(go()) == {"host": "b"}
    assert servers.seen == ["a", "b"]


def test_when_every_server_is_down_the_client_says_so_and_refusals_are_not_failovers() -> None:
    async def go(client: MotcuaClient) -> None:
        async with client:
            await client.request("GET", "/sites")

    down = TwoServers(down={"a", "b"})
    with pytest.raises(ServerUnreachable) as lost:
        asyncio.run(go(MotcuaClient("http://a:1,http://b:1", transport=httpx.MockTransport(down))))
    assert lost.value.message.startswith("Không kết nối được") and down.seen == ["a", "b"]
    refusing = TwoServers(down=set())
    client = MotcuaClient("http://busy:1,http://b:1", transport=httpx.MockTransport(refusing))
    with pytest.raises(ApiError) as refused:
        asyncio.run(go(client))
    assert refused.value.code == "counter_busy" and client.base_url == "http://busy:1"
