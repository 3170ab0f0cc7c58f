"""The citizen-facing rating screen's presenter, on the fake server: greet the citizen
called, ask after the ticket is finished, send the rating, thank, and go back."""

from __future__ import annotations

import asyncio

from counter_client.fakes import FakeGateway
from counter_client.rating_presenter import Mode, RatingPresenter, rating_view
from shared.client import ApiError
from shared.dossier_protocol import RatingLevel


async def started(**timing: float) -> tuple[RatingPresenter, FakeGateway]:
    fake = FakeGateway()
    p = RatingPresenter(fake, 1, **timing)
    await p.start()
    return p, fake


def serve_one(fake: FakeGateway) -> None:
    fake.issue("A")
    counter = fake.counters[1]
    fake._do_open(counter, {})
    fake._do_call_next(counter, {})
    fake._do_start(counter, {})
    fake._do_finish(counter, {})


def test_the_citizen_called_is_greeted_by_number_in_both_languages() -> None:
    async def scenario() -> None:
        p, fake = await started()
        assert rating_view(p).headline == "Xin kính chào quý khách" and rating_view(p).counter == "1"
        fake.issue("A")
        fake._do_open(fake.counters[1], {})
        fake._do_call_next(fake.counters[1], {})
        view = rating_view(p)
        assert (view.headline, view.subline) == ("Mời số A001", "Now serving A001")
    asyncio.run(scenario())


def test_a_finished_ticket_is_rated_with_one_tap_and_thanked() -> None:
    async def scenario() -> None:
        p, fake = await started(thanks_seconds=0.05)
        serve_one(fake)
        assert p.state.mode is Mode.ASK and rating_view(p).subline.endswith("số / ticket A001")
        await p.choose(RatingLevel.SATISFIED)
        rating = next(body for name, body in fake.calls if name == "POST rating")
        assert (rating.level, rating.ticket_id, rating.reason) == (RatingLevel.SATISFIED, 1, "")
        assert rating_view(p).headline == "Cảm ơn quý khách!"
        await asyncio.sleep(0.1)
        assert p.state.mode is Mode.WELCOME
    asyncio.run(scenario())


def test_not_satisfied_asks_why_and_the_reason_travels_with_the_rating() -> None:
    async def scenario() -> None:
        p, fake = await started()
        serve_one(fake)
        assert p.choose("unsatisfied") is None
        assert p.state.mode is Mode.REASON
        await p.give_reason(0)
        rating = next(body for name, body in fake.calls if name == "POST rating")
        assert (rating.level, rating.reason) == (RatingLevel.UNSATISFIED, "Phải chờ lâu")
        p.stop()
    asyncio.run(scenario())


def test_nobody_answering_returns_to_the_welcome_screen() -> None:
    async def scenario() -> None:
        p, fake = await started(ask_seconds=0.05)
        serve_one(fake)
        await asyncio.sleep(0.1)
        assert p.state.mode is Mode.WELCOME
        assert not [name for name, _ in fake.calls if name == "POST rating"]
    asyncio.run(scenario())


def test_other_counters_do_not_disturb_this_screen() -> None:
    async def scenario() -> None:
        p, fake = await started()
        fake.issue("A")
        other = fake.counters[2]
        fake._do_open(other, {})
        fake._do_call_next(other, {})
        assert rating_view(p).headline == "Xin kính chào quý khách"
    asyncio.run(scenario())


def test_a_ticket_already_rated_on_the_phone_is_thanked_anyway() -> None:
    async def scenario() -> None:
        p, fake = await started()
        serve_one(fake)
        fake.fail_next = ApiError(409, "already_rated", "Lượt này đã được đánh giá.")
        await p.choose(RatingLevel.VERY_SATISFIED)
        assert p.state.mode is Mode.THANKS
        p.stop()
    asyncio.run(scenario())
