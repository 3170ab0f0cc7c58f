"""What the screens show, as text, from the presenter's state (no Kivy)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from counter_client.commands import Command
from counter_client.fakes import PASSWORD, FakeGateway
from counter_client.gateway import _ReconnectingTransport
from counter_client.presenter import CounterPresenter
from counter_client.settings import CounterSettings
from counter_client.viewmodel import dialog_view, main_view, pick_view


async def serving(tmp: Path, **settings: object) -> CounterPresenter:
    fake = FakeGateway()
    fake.issue("A", priority="elderly", minutes_ago=14)
    fake.issue("A", minutes_ago=3)
    p = CounterPresenter(fake, CounterSettings(path=tmp / "c.json", **settings))
    await p.login_async("canbo.tt", PASSWORD)
    await p.pick_counter_async(1)
    for key in ("f10", "f1", "f3"):
        p.on_key(key)
        await p.idle()
    return p


def test_the_main_screen_tells_who_is_served_and_who_waits(tmp_path: Path) -> None:
    async def scenario() -> None:
        p = await serving(tmp_path)
        v = main_view(p)
        assert v.title == "Quầy 1 · Trung tâm Phục vụ hành chính công thành phố Huế"
        assert (v.current_label, v.current_status) == ("A001", "Đang phục vụ")
        assert v.current_priority == "Ưu tiên: người cao tuổi"
        assert v.current_procedure == "1.001193 · Thủ tục đăng ký khai sinh"
        assert v.current_timing.startswith("Gọi lúc 09:00")  # local time in Huế, not UTC
        assert v.waiting_summary == "Đang chờ: 1 người · lâu nhất 3 phút"
        assert v.waiting_rows == [{"label": "A002", "detail": "chờ 3 phút", "priority": ""}]
        assert v.buttons["call_next"].text.startswith("Xong & gọi tiếp\n") and v.buttons["call_next"].enabled
        assert "F4" in v.buttons["finish"].text and not v.buttons["recall"].enabled
        assert v.figures == "Hôm nay: đã phục vụ 0 · vắng mặt 0 · trung bình —/lượt"
    asyncio.run(scenario())


def test_the_counter_list_marks_the_remembered_counter_and_who_holds_each(tmp_path: Path) -> None:
    async def scenario() -> None:
        p = await serving(tmp_path, counter_id=1)
        await p.change_counter()
        rows = {r["title"]: r for r in pick_view(p).rows}
        assert rows["Quầy 1"]["remembered"] and rows["Quầy 1"]["detail"] == "Tư pháp\nĐang mở · bạn đang mở"
        assert rows["Quầy 3"]["detail"] == "Đất đai\nĐóng"  # named by its services, not "Dịch vụ B"
        assert pick_view(p).site_rows == []  # staff do not choose their site
    asyncio.run(scenario())


def test_the_transfer_dialog_names_the_ticket_and_the_keys(tmp_path: Path) -> None:
    async def scenario() -> None:
        p = await serving(tmp_path)
        p.press(Command.TRANSFER)
        await p.idle()
        v = dialog_view(p)
        assert v.title == "Chuyển số A001 đến: Dịch vụ khác"
        assert "Alt+C quầy" in v.hint and v.rows[0]["selected"]
        assert v.confirm_text.startswith("Chuyển\n")
    asyncio.run(scenario())


@pytest.mark.parametrize(("error", "retried"), [
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), True),
    (httpx.RemoteProtocolError("peer closed connection without sending complete message body"), False),
])
def test_only_a_request_the_server_never_read_is_sent_again(monkeypatch: pytest.MonkeyPatch,
                                                            error: Exception, retried: bool) -> None:
    calls = []

    async def parent(self, request):  # noqa: ANN001, ANN202
        calls.append(request.url.path)
        if len(calls) == 1:
            raise error
        return httpx.Response(200, json={"ok": True})

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", parent)

    async def send() -> int:
        async with httpx.AsyncClient(transport=_ReconnectingTransport()) as client:
            return (await client.post("http://127.0.0.1:1/api/v1/counters/1/recall")).status_code

    if retried:
        assert asyncio.run(send()) == 200 and len(calls) == 2
    else:
        with pytest.raises(httpx.RemoteProtocolError):
            asyncio.run(send())
        assert len(calls) == 1
