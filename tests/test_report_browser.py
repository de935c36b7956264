"""report.html in a real headless browser (Debian's chromium): it loads with no console error,
requests nothing over the network, and every chart is visible in a screenshot.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: file
descriptors 3 and 4, NUL-separated JSON), so the test needs no WebSocket client and no extra
Python package, and sees every console message, uncaught exception, log entry (CSP violations,
failed loads) and network request, instead of scraping chromium's stderr.

CI installs it with ``apt-get install -y chromium fonts-dejavu-core``; without a chromium on
PATH the test is skipped, saying so.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conduct_scan.report import write_report
from tests.report_fixtures import archive

CHROMIUM = next(
    (
        path
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (path := shutil.which(name))
    ),
    None,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium on PATH (CI installs it: apt-get install chromium fonts-dejavu-core)",
    ),
]


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # chromium reads commands on fd 3, writes replies on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.stderr = profile / "chromium.log"
        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",  # CI containers run as root
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile / 'user-data'}",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=child_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr.open("wb"),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], remaining)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    log = self.stderr.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"chromium closed the pipe; its log ends:\n{log}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        result: dict[str, Any] = json.loads(message)
        return result

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def load(
    html: Path, profile: Path, width: int = 1280
) -> tuple[DevTools, str, Image.Image, list[dict[str, Any]]]:
    """Open ``html``; return the client, the session, a full-page screenshot and chart boxes."""
    assert CHROMIUM is not None
    browser = DevTools(CHROMIUM, profile)
    target = browser.call("Target.createTarget", {"url": "about:blank"})
    session = browser.call(
        "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
    )["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable", session=session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    browser.call("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    boxes = browser.call(
        "Runtime.evaluate",
        {
            "expression": """JSON.stringify([...document.querySelectorAll('figure.chart svg')]
                .map(svg => { const r = svg.getBoundingClientRect();
                  return {id: svg.closest('figure').id, x: r.x + window.scrollX,
                          y: r.y + window.scrollY, width: r.width, height: r.height}; }))""",
            "returnByValue": True,
        },
        session=session,
    )["result"]["value"]
    metrics = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
    shot = browser.call(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": metrics["width"],
                "height": metrics["height"],
                "scale": 1,
            },
        },
        session=session,
    )
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    return browser, session, image, json.loads(boxes)


def problems(events: list[dict[str, Any]]) -> list[str]:
    """Console errors and warnings, exceptions, error log entries, non-local requests."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in (
            "error",
            "warning",
            "assert",
        ):
            found.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            found.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                found.append(f"network request: {url}")
        elif method == "Network.loadingFailed":
            found.append(f"failed load: {params.get('errorText')}")
    return found


def visible(image: Image.Image, box: dict[str, Any]) -> float:
    """Share of the pixels inside ``box`` that are not (near) white."""
    region = image.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    ).convert("L")
    histogram = region.histogram()
    total = sum(histogram)
    return sum(histogram[:235]) / total if total else 0.0


def coloured(image: Image.Image, box: dict[str, Any]) -> int:
    """Pixels in ``box`` that are clearly coloured (bars, lines), not grey text or axes."""
    region = image.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    return sum(1 for r, g, b in region.get_flattened_data() if max(r, g, b) - min(r, g, b) > 60)


@pytest.mark.parametrize("redact", [False, True], ids=["full", "redacted"])
def test_report_loads_without_errors_and_shows_charts(tmp_path: Path, redact: bool) -> None:
    out = tmp_path / "out"
    archive(out, seed=11, n_accounts=30, n_days=5)
    report = write_report(out, redact=redact, redact_key=b"k" * 32 if redact else None)
    browser, _, image, boxes = load(report / "report.html", tmp_path)
    try:
        found = problems(browser.events)
    finally:
        browser.close()
    image.save(tmp_path / "screenshot.png")
    assert not found, "\n".join(found)
    assert [b["id"] for b in boxes] == [
        "chart-clauses-figure",
        "chart-daily-figure",
        "chart-rates-figure",
        "chart-accounts-figure",
    ]
    for box in boxes:
        assert box["width"] > 300 and box["height"] > 150, box
        assert visible(image, box) > 0.01, f"{box['id']} looks blank"
        assert coloured(image, box) > 500, f"{box['id']} has no coloured marks"


def test_empty_scan_still_renders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    archive(out, seed=1, flag_probability=0.0)
    report = write_report(out, formats=["html"])
    browser, _, image, boxes = load(report / "report.html", tmp_path)
    try:
        found = problems(browser.events)
    finally:
        browser.close()
    assert not found, "\n".join(found)
    assert len(boxes) == 4
    for box in boxes:
        assert visible(image, box) > 0.001, f"{box['id']} shows nothing"


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    """Matched text with markup is shown, not run: no script executes, no element is injected."""
    out = tmp_path / "out"
    archive(out, seed=5)
    report = write_report(out, formats=["html"])
    browser, session, _, _ = load(report / "report.html", tmp_path)
    try:
        counts = browser.call(
            "Runtime.evaluate",
            {
                "expression": "JSON.stringify({scripts: document.scripts.length, "
                "b: document.querySelectorAll('.snippet b').length, "
                "text: document.body.innerText.includes(\"<script>alert('x')</script>\")})",
                "returnByValue": True,
            },
            session=session,
        )["result"]["value"]
        found = problems(browser.events)
    finally:
        browser.close()
    assert json.loads(counts) == {"scripts": 0, "b": 0, "text": True}
    assert not found, "\n".join(found)
