"""Open the monitor's index, a municipality overview and the profiles in headless Chromium.

Offline, as for the report: no console errors or exceptions and no network
request besides the files themselves; every link of a page points at a file
that exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boligeval.disclosure import protect_results
from boligeval.monitor import write_monitor
from tests.test_monitor import PLANS, UNITS, hand_results
from tests.test_report_browser import DevTools, _open, browser  # noqa: F401

pytestmark = pytest.mark.browser

_PROBE = """
(() => JSON.stringify({
  lang: document.documentElement.lang,
  title: document.title,
  links: [...document.querySelectorAll('a')].map(a => a.href),
  tables: document.querySelectorAll('table').length,
}))()
"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_monitor_pages_open_offline_in_chromium(
    browser: DevTools, tmp_path_factory: pytest.TempPathFactory, lang: str  # noqa: F811
) -> None:
    out = tmp_path_factory.mktemp(f"monitor-browser-{lang}")
    write_monitor(protect_results(hand_results()), PLANS, UNITS, out, lang)
    pages = [out / "index.html", out / "municipalities" / "0101.html",
             out / "profiles" / "area" / "A1.html", out / "profiles" / "plan" / "P1.html"]
    for page in pages:
        _open(browser, page.resolve().as_uri())
        probe = json.loads(browser.call(
            "Runtime.evaluate", {"expression": _PROBE, "returnByValue": True})["result"]["value"])
        errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
                  or (e.get("method") == "Log.entryAdded"
                      and e["params"]["entry"].get("level") == "error")]
        assert errors == [], page
        requests = [e["params"]["request"]["url"] for e in browser.events
                    if e.get("method") == "Network.requestWillBeSent"]
        assert [u for u in requests if not u.startswith("file:")] == []
        assert probe["lang"] == lang and probe["title"]
        for link in probe["links"]:
            assert link.startswith("file://") and Path(link[len("file://"):]).is_file(), link
    # The area profile has its indicator table; the too-small plan profile has none.
    _open(browser, pages[3].resolve().as_uri())
    probe = json.loads(browser.call(
        "Runtime.evaluate", {"expression": _PROBE, "returnByValue": True})["result"]["value"])
    assert probe["tables"] == 0
