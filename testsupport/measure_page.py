"""Measures the DAW page's first load: bytes transferred and time until the engine is ready.

    .venv/bin/python -m testsupport.measure_page [--runs 5] [--url http://127.0.0.1:8000]

Without --url it serves the app itself (daphne, production static files: hashed, compressed).
Each run is a fresh browser context (cold cache) in Debian's Chromium. Transfer is what crossed
the wire until the engine was ready and the network went idle (Chromium's encodedDataLength:
headers and compressed bodies). Time-to-ready is `performance.now()` when the page set
`<body data-engine="ready">` (stock sounds rendered and loaded), i.e. milliseconds since
navigation start. Prints one JSON line last: medians, targets, and per-run figures.
"""

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from testsupport.browser import CHROMIUM, CHROMIUM_ARGS
from testsupport.live_server import serve

TARGET_BYTES = 1_000_000
TARGET_READY_MS = 1500


def measure_once(browser, url: str) -> dict:
    context = browser.new_context(bypass_csp=True)  # wait_for_function evaluates a string
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    by_path: dict[str, int] = defaultdict(int)
    cdp.on(
        "Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"])
    )

    def finished(event: dict) -> None:
        path = urlparse(urls.get(event["requestId"], "?")).path
        by_path[path] += int(event["encodedDataLength"])

    cdp.on("Network.loadingFinished", finished)
    page.goto(url)
    page.wait_for_function("document.body.dataset.engine !== 'loading'", timeout=30_000)
    state = page.evaluate("document.body.dataset.engine")
    if state != "ready":
        raise RuntimeError(f"engine state {state!r}: {page.text_content('#loading-message')}")
    ready_ms = page.evaluate("window.kwr.readyMs")
    marks = page.evaluate(
        "Object.fromEntries(performance.getEntriesByType('mark')"
        ".filter((m) => m.name.startsWith('kwr:')).map((m) => [m.name.slice(4), m.startTime]))"
    )
    marks["dom_content_loaded"] = page.evaluate(
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
    )
    page.wait_for_load_state("networkidle")
    context.close()
    return {
        "ready_ms": round(ready_ms, 1),
        "transfer_bytes": sum(by_path.values()),
        "requests": len(by_path),
        "marks_ms": {name: round(ms, 1) for name, ms in sorted(marks.items(), key=lambda m: m[1])},
        "by_path": dict(sorted(by_path.items(), key=lambda item: -item[1])),
    }


def measure_runs(url: str | None, workdir: Path, count: int) -> tuple[list[dict], str]:
    """`count` measured loads of `url`, or of a production server started in `workdir`."""
    server = nullcontext() if url else serve(workdir)
    with server as live, sync_playwright() as playwright:
        url = url or f"{live.url}/"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        measure_once(browser, url)  # warm the server (first request imports views, etc.)
        runs = [measure_once(browser, url) for _ in range(count)]
        browser.close()
    return runs, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="measure a running server instead of starting one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kwr-measure-") as workdir:
        runs, url = measure_runs(args.url, Path(workdir), args.runs)
    for run in runs:
        print(
            f"ready {run['ready_ms']:7.1f} ms  transfer {run['transfer_bytes']:8d} B  "
            f"{run['requests']} requests"
        )
    print("largest transfers:", json.dumps(dict(list(runs[-1]["by_path"].items())[:8])))
    print("milestones of the last run (ms since navigation):", json.dumps(runs[-1]["marks_ms"]))
    summary = {
        "url": url,
        "runs": args.runs,
        "median_ready_ms": statistics.median(r["ready_ms"] for r in runs),
        "max_ready_ms": max(r["ready_ms"] for r in runs),
        "median_transfer_bytes": statistics.median(r["transfer_bytes"] for r in runs),
        "target_ready_ms": TARGET_READY_MS,
        "target_transfer_bytes": TARGET_BYTES,
        "ready_ms": [r["ready_ms"] for r in runs],
        "transfer_bytes": [r["transfer_bytes"] for r in runs],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
