"""Open report.html in headless Chromium, offline, through the DevTools protocol.

Checks per language: no console errors or exceptions, no network request
other than the file itself, every figure decoded with non-zero size, and
every table-of-contents link points at an existing id. A full-page
screenshot is written next to the report (``screenshot.png``).
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boligeval.disclosure import protect_results
from boligeval.report import write_report
from tests.builders.report_results import META, make_results

pytestmark = pytest.mark.browser

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


class DevTools:
    """A minimal DevTools-protocol client over one flattened page session."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self._conn = connect(ws_url, max_size=None, open_timeout=20)
        self.ws = self._conn.__enter__()
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30
    ) -> dict[str, Any]:
        msg_id = next(self.ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            data = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if data.get("id") == msg_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return dict(data.get("result", {}))
            self.events.append(data)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.monotonic() + timeout
        while True:
            data = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self.events.append(data)
            if data.get("method") == method:
                return data

    def close(self) -> None:
        self._conn.__exit__(None, None, None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if CHROMIUM is None:
        pytest.fail("headless Chromium is required for browser tests (apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--proxy-server=127.0.0.1:9",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("Chromium did not start its DevTools endpoint")
        time.sleep(0.1)
    port, path = port_file.read_text().splitlines()[:2]
    dt = DevTools(f"ws://127.0.0.1:{port}{path}")
    try:
        yield dt
    finally:
        dt.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _open(dt: DevTools, url: str) -> None:
    target = dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    dt.session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    dt.events.clear()
    for domain in ("Page", "Runtime", "Log", "Network"):
        dt.call(f"{domain}.enable")
    dt.call(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    dt.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    dt.call("Page.navigate", {"url": url})
    dt.wait_for("Page.loadEventFired")


_PROBE = """
(() => {
  const figs = [...document.querySelectorAll('figure img')].map(i => {
    const r = i.getBoundingClientRect();
    return {complete: i.complete, nw: i.naturalWidth, nh: i.naturalHeight, w: r.width, h: r.height};
  });
  const links = [...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href'));
  const missing = links.filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1)));
  return JSON.stringify({figs, n_links: links.length, missing, lang: document.documentElement.lang,
                         title: document.title, height: document.documentElement.scrollHeight});
})()
"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_report_opens_offline_in_chromium(
    browser: DevTools, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    paths = write_report(
        protect_results(make_results()),
        tmp_path_factory.mktemp(f"browser-{lang}"),
        lang=lang,
        meta=META,
    )
    url = paths.html.resolve().as_uri()
    _open(browser, url)
    probe = json.loads(
        browser.call("Runtime.evaluate", {"expression": _PROBE, "returnByValue": True})["result"][
            "value"
        ]
    )

    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    errors += [
        e
        for e in browser.events
        if e.get("method") == "Runtime.consoleAPICalled"
        and e["params"].get("type") in ("error", "assert")
    ]
    errors += [
        e
        for e in browser.events
        if e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error"
    ]
    assert errors == []
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []

    assert probe["lang"] == lang
    assert len(probe["figs"]) == 9  # the figures of test_report.FIGURE_KEYS
    for fig in probe["figs"]:
        assert (
            fig["complete"] and fig["nw"] > 0 and fig["nh"] > 0 and fig["w"] > 100 and fig["h"] > 50
        )
    assert probe["n_links"] > 10 and probe["missing"] == []

    shot = browser.call(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": 1280,
                "height": min(probe["height"], 6000),
                "scale": 1,
            },
        },
        timeout=60,
    )
    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    (Path(paths.html).parent / "screenshot.png").write_bytes(png)


_TABLE_PROBE = """
(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  return JSON.stringify([...document.querySelectorAll('.table-wrap')].map(w => {
    const t = w.querySelector('table');
    const style = getComputedStyle(w);
    return {id: w.id, table: t.getBoundingClientRect().width, wrap: w.clientWidth,
            scroll: w.scrollWidth, scrolls: style.overflowX === 'auto' || style.overflowX === 'scroll'};
  }));
})()
"""

# Words of header cells that the browser split over two lines (a word that holds a hyphen
# or a slash may break there, as typesetting does).
_SPLIT_WORDS = r"""
(() => {
  const split = [];
  document.querySelectorAll('thead th').forEach(th => {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\S+/g)) {
        if (/[-\u00ad\u2010-\u2014\/]/.test(m[0])) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(m[0]);
      }
    }
  });
  return JSON.stringify(split);
})()
"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 760])
def test_no_table_is_wider_than_its_container(
    browser: DevTools, tmp_path_factory: pytest.TempPathFactory, width: int
) -> None:
    """Wide tables fit the page at desktop width; in a narrow window they scroll in their frame.

    Header cells wrap between words, never inside one (a header of an 8- or
    9-column table used to break "Husstandsækvivaleret" mid-word).
    """
    paths = write_report(protect_results(make_results()),
                         tmp_path_factory.mktemp(f"wide-{width}"), lang="da", meta=META)
    _open(browser, paths.html.resolve().as_uri())
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    tables = json.loads(
        browser.call("Runtime.evaluate", {"expression": _TABLE_PROBE, "returnByValue": True})[
            "result"]["value"]
    )
    assert len(tables) > 20
    assert any(t["id"].startswith("tab-accounting") for t in tables)
    assert all(t["scrolls"] for t in tables)  # a frame that scrolls: nothing is ever cut off
    too_wide = [t["id"] for t in tables if t["table"] > t["wrap"] + 1 or t["scroll"] > t["wrap"] + 1]
    if width >= 1280:
        assert too_wide == []
    else:
        assert len(too_wide) < len(tables) / 4  # only the widest tables need to scroll
    split = json.loads(
        browser.call("Runtime.evaluate", {"expression": _SPLIT_WORDS, "returnByValue": True})[
            "result"]["value"]
    )
    assert split == []


_PROCESS_PROBE = """
(() => {
  const sec = document.getElementById('sec-process') ||
    [...document.querySelectorAll('section')].find(s => s.id && s.id.includes('process'));
  if (!sec) return JSON.stringify({found: false});
  const heat = [...sec.querySelectorAll('td[class^="heat"]')];
  const shaded = heat.filter(td => getComputedStyle(td).backgroundColor !== 'rgba(0, 0, 0, 0)');
  const wraps = [...sec.querySelectorAll('.table-wrap')].map(w => ({
    table: w.querySelector('table').getBoundingClientRect().width, wrap: w.clientWidth}));
  return JSON.stringify({found: true, tables: sec.querySelectorAll('table').length,
                         heat: heat.length, shaded: shaded.length, wraps});
})()
"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_process_chapter_in_chromium(
    browser: DevTools, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    """The process-evaluation chapter renders offline: tables, a shaded heat map, no overflow."""
    from tests.builders.case_results import case_records

    results = make_results()
    results["survey"] = results["survey"] + case_records()
    paths = write_report(protect_results(results), tmp_path_factory.mktemp(f"process-{lang}"),
                         lang=lang, meta=META)
    _open(browser, paths.html.resolve().as_uri())
    probe = json.loads(browser.call(
        "Runtime.evaluate", {"expression": _PROCESS_PROBE, "returnByValue": True}
    )["result"]["value"])
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    assert errors == []
    assert probe["found"], "no process-evaluation section"
    assert probe["tables"] >= 5
    assert probe["heat"] > 20 and probe["shaded"] > 10
    assert all(w["table"] <= w["wrap"] + 1 for w in probe["wraps"])
