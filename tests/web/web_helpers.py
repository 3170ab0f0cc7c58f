"""Helpers of the browser tests (Debian's Chromium through Playwright)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "ui" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


class Shots:
    """Saves full-page screenshots as test-artifacts/ui/web/<name>-<width>.png."""

    def __init__(self) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def __call__(self, page, name: str, width: str, *, full_page: bool = True) -> Path:  # noqa: ANN001
        path = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


def collect_errors(page) -> list[str]:  # noqa: ANN001
    """Script errors on a page fail the test that opened it."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_page(browser, url: str, viewport: dict[str, int], *, touch: bool = False):  # noqa: ANN001, ANN201
    """A fresh page whose phone and TV devices are the fakes below, opened at `url`; returns
    it and the list its script errors go to."""
    context = browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch)
    context.add_init_script(FAKE_DEVICES)
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(url)
    return page, errors


def login(page, base_url: str, username: str = "quanly", password: str = "motcua-demo") -> None:  # noqa: ANN001
    page.goto(f"{base_url}/manager/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/manager/login'] button[type=submit]")
    page.wait_for_load_state()


# Records what the pages ask of the phone and the TV instead of buzzing or speaking.
FAKE_DEVICES = """
window.__vibrations = [];
navigator.vibrate = function (pattern) { window.__vibrations.push(pattern); return true; };
window.__spoken = [];
(function () {
  var busy = false;
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
    speak: function (u) {
      if (busy) { window.__spoken.push({ text: "OVERLAP", lang: "" }); }
      busy = true;
      window.__spoken.push({ text: u.text, lang: u.lang });
      setTimeout(function () { busy = false; if (u.onend) { u.onend(); } }, 30);
    },
    cancel: function () {}, getVoices: function () { return []; }, addEventListener: function () {}
  }});
})();
"""


def wait_until(check, timeout: float = 10.0, what: str = "condition"):  # noqa: ANN001, ANN201
    """Poll `check()` from Python (page.wait_for_function would need 'unsafe-eval', which the
    pages' Content-Security-Policy rightly forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
