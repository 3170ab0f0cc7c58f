"""The web lobby display read from 8 m, in Chromium at 1920×1080: every text at least 32 px
(service names 40, counter numbers 64, the called number 200) and at least 4.5:1 against the
rendered pixels behind it, idle with no calls yet, and in every phase of the call flash."""

from __future__ import annotations

from pathlib import Path

import pytest
from legibility import Report, TextBox, keep_for_docs, measure
from playwright.sync_api import expect
from support import SITE_TT, Api, LiveServer
from web_helpers import CHROMIUM, CHROMIUM_ARGS, FAKE_DEVICES, SHOTS, open_page, wait_until

from queue_server.seed import demo_device_token
from shared.enums import DeviceKind

pytestmark = pytest.mark.slow
TOKEN = demo_device_token(DeviceKind.DISPLAY, SITE_TT)
TV = {"width": 1920, "height": 1080}
FLASH_PHASES = (0.0, 0.15, 0.3, 0.5, 0.75, 0.99)  # 0.15: the brightest moment of a beat

# Every visible text node: its box (padded a little so the ring is background), the computed
# font size, and the role the page gives it with data-role.
TEXTS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('script,style,[hidden]')) continue;
    let visible = true;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) < 0.01) { visible = false; break; }
    }
    if (!visible) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    const clip = el.closest('[data-clip]') || document.documentElement;
    const c = clip.getBoundingClientRect();
    const left = Math.max(r.left - 4, c.left, 0), top = Math.max(r.top - 4, c.top, 0);
    const right = Math.min(r.right + 4, c.right, innerWidth), bottom = Math.min(r.bottom + 4, c.bottom, innerHeight);
    if (right - left < 2 || bottom - top < 2) continue;
    const role = el.closest('[data-role]');
    out.push({text: node.textContent.trim(), font_px: parseFloat(getComputedStyle(el).fontSize),
              left, top, width: right - left, height: bottom - top, role: role ? role.dataset.role : ''});
  }
  return out;
}"""

HOLD_FLASH_JS = """(phase) => {
  for (const a of document.getAnimations()) {
    const t = a.effect.getComputedTiming();
    a.pause();
    a.currentTime = (t.delay || 0) + phase * (isFinite(t.duration) ? t.duration : 0);
  }
}"""


def _measure(page, name: str, report: Report) -> Path:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    boxes = [TextBox(**t) for t in page.evaluate(TEXTS_JS)]
    page.screenshot(path=str(path))
    measure(path, boxes, name.removesuffix(".png"), report)
    return path


def test_every_text_of_the_web_lobby_is_large_and_contrasted_idle_and_through_the_call_flash(
        browser, web_server: LiveServer, server_api: Api) -> None:  # noqa: ANN001
    api = server_api
    for service_id, count in ((1, 4), (2, 2), (4, 3), (6, 1)):
        for _ in range(count):
            api.issue(procedure=None, service_id=service_id)
    for counter_id in (1, 2, 5):  # six of nine counters stay closed
        api.ok(counter_id, "open")

    tv, errors = open_page(browser, f"{web_server.url}/display/{SITE_TT}?token={TOKEN}", TV)
    tv.wait_for_selector("[data-link=live]")
    tv.evaluate("document.fonts.ready")
    # This Chromium runs without --autoplay-policy=no-user-gesture-required: the page says
    # that it cannot speak yet, legibly, until someone touches it.
    expect(tv.locator("[data-sound-off]")).to_be_visible()
    report = Report()
    keep_for_docs(_measure(tv, "display-tv-idle-no-calls.png", report), "web")
    tv.click("[data-sound-off]")
    expect(tv.locator("[data-sound-off]")).to_be_hidden()

    labels = [api.ok(counter_id, "call-next")["label"] for counter_id in (1, 2, 5)]
    expect(tv.locator("[data-now-label]")).to_have_text(labels[-1])
    expect(tv.locator("[data-calls] [data-role=recent_label]")).to_have_count(2)
    for phase in FLASH_PHASES:
        tv.evaluate(HOLD_FLASH_JS, phase)
        shot = _measure(tv, f"display-tv-call-flash-{int(phase * 100):03d}.png", report)
        if phase == 0.15:
            keep_for_docs(shot, "web")

    print(report.summary())
    assert report.failures() == []
    called = report.smallest_of("called_number")
    assert called is not None and called.box.text == labels[-1]
    assert report.smallest_of("service_name") is not None, "the waiting lines name their services"
    assert report.smallest_of("counter_number") is not None, "open counters show their numbers"
    assert errors == []


def test_a_tv_started_with_the_documented_autoplay_flag_speaks_without_a_tap(
        browser, web_server: LiveServer, server_api: Api) -> None:  # noqa: ANN001
    """docs/operations.md: `chromium --kiosk --autoplay-policy=no-user-gesture-required …`."""
    tv_browser = browser.browser_type.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"])
    try:
        context = tv_browser.new_context(viewport=TV)
        context.add_init_script(FAKE_DEVICES)
        tv = context.new_page()
        tv.goto(f"{web_server.url}/display/{SITE_TT}?token={TOKEN}")
        tv.wait_for_selector("[data-link=live]")
        api = server_api
        api.issue()
        api.ok(1, "open")
        label = api.ok(1, "call-next")["label"]
        expect(tv.locator("[data-now-label]")).to_have_text(label)
        wait_until(lambda: any(u["text"].strip() for u in tv.evaluate("window.__spoken")), what="the call said")
        assert tv.is_hidden("[data-sound-off]"), "nobody touched the TV, and it needs no touch"
    finally:
        tv_browser.close()
