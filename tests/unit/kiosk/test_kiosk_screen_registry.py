"""A kiosk screen is one module in kiosk/flow and one kv file: a screen presenter dropped
into the package is found, its taps are reached by name, its view is what its screen
shows, and going home resets it; nothing else is edited."""

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest

import kiosk.flow
from kiosk.flow import presenter_classes
from kiosk.presenter import Phase

DEMO = '''
from dataclasses import dataclass

from kiosk.flow import ScreenPresenter, ScreenSpec
from kiosk.state import Phase


@dataclass(frozen=True)
class QuestionView:
    title: str


class FeedbackPresenter(ScreenPresenter):
    name = "feedback"
    screens = (ScreenSpec("feedback", "feedback.kv", "FeedbackScreen"),)

    def __init__(self, kiosk):
        super().__init__(kiosk)
        self.stars = 0

    def open_feedback(self):
        if self.kiosk.accepting_taps and self.kiosk.state.phase is Phase.HOME:
            self.kiosk.go("feedback")

    def rate(self, stars):
        self.stars = stars
        self.kiosk.changed()

    def view(self, screen):
        return QuestionView(f"{self.stars} sao")

    def reset(self):
        self.stars = 0


PRESENTER = FeedbackPresenter
'''


@pytest.fixture
def demo_screen(tmp_path, monkeypatch):
    """The new module, as a person adding a screen would write it, found by the package."""
    (tmp_path / "zz_feedback.py").write_text(textwrap.dedent(DEMO), encoding="utf-8")
    monkeypatch.setattr(kiosk.flow, "__path__", [*kiosk.flow.__path__, str(tmp_path)])
    yield
    sys.modules.pop("kiosk.flow.zz_feedback", None)


def test_every_screen_spec_names_a_kv_file_that_styles_its_widget():
    kv_dir = Path(kiosk.flow.__file__).parents[1] / "kv"
    specs = [spec for cls in presenter_classes() for spec in cls.screens]
    assert {str(s.name) for s in specs} | {Phase.ISSUE_FAILED} == {p.value for p in Phase}
    for spec in specs:
        text = (kv_dir / spec.kv).read_text(encoding="utf-8")
        assert f"<{spec.widget}>:" in text or f"<{spec.widget}@KioskScreen>:" in text, spec


def test_a_new_screen_module_is_found_and_driven_by_name(make_kiosk, demo_screen):
    async def scenario():
        k = await make_kiosk().started()
        assert "feedback" in [s.name for s in k.p.screens]
        k.p.open_feedback()
        assert k.state.phase == "feedback"
        k.p.rate(4)
        assert k.p.view_of("feedback").title == "4 sao"
        k.p.back()  # the history the core keeps works for it too
        assert k.state.phase is Phase.HOME
        assert k.p.feedback.stars == 0  # going home forgot the citizen's answer
        await k.p.stop()

    asyncio.run(scenario())


def test_two_presenters_cannot_claim_the_same_tap(make_kiosk, demo_screen, monkeypatch):
    import kiosk.flow.zz_feedback as demo

    monkeypatch.setattr(demo.FeedbackPresenter, "confirm", lambda self: None, raising=False)
    with pytest.raises(TypeError, match="confirm"):
        make_kiosk()
