"""Benchmark: click 🎨 → the new kick selected, loaded and playing, in Chromium over daphne.

    .venv/bin/python -m kickgen.tests.bench_generation --members 1 --rounds 8
    .venv/bin/python -m kickgen.tests.bench_generation --members 4 --rounds 5

Each member signs up, enters AI Kick Gen mode and, each round, all members click 🎨 at once;
the time is measured inside each page (performance.now()) from the click until window.kwr says
the new AI kick is the sound's kick, loaded in the engine, with the transport playing. Uses the
local generator on gpu/weights (or --weights). Prints the median and every sample.
"""

import argparse
import statistics
import tempfile
from pathlib import Path

from kickwithreverb.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    signup,
    unique_username,
    wait_engine_ready,
)
from playwright.sync_api import sync_playwright

from kickgen.tests.live_server import make_cluster

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "gpu" / "weights"

CLICK = """() => {
  window.kwr.stop();
  window.__bench = { before: window.kwr.sound.get("kick_sample"), t0: performance.now() };
  document.querySelector("[data-kickgen-generate]").click();
}"""
PLAYING = """() => {
  const name = window.kwr.sound.get("kick_sample");
  return name !== window.__bench.before && name.startsWith("AI: ")
    && window.kwr.library.has("kick", name) && window.kwr.playing;
}"""


def member_in_kickgen_mode(context):
    """A new member's page, signed up, engine ready, in AI Kick Gen mode."""
    page = context.new_page()
    signup(page, unique_username("b"))
    wait_engine_ready(page, timeout_ms=30_000)
    page.click("[data-kickgen-enter]")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="at most 10 (the daily limit)")
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kickgen-bench-"))
    cluster = make_cluster(
        workdir, "local", settings_lines=[f"KICKGEN_MODEL_PATH = {args.weights!r}"]
    )
    cluster.start(1)
    samples: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [
                member_in_kickgen_mode(browser.new_context(base_url=cluster.urls[0]))
                for _ in range(args.members)
            ]
            for round_ in range(args.rounds + 1):  # round 0 warms the model up, not counted
                for page in pages:
                    page.evaluate(CLICK)
                for page in pages:
                    page.wait_for_function(PLAYING, timeout=120_000)
                    elapsed = page.evaluate("performance.now() - window.__bench.t0")
                    if round_:
                        samples.append(elapsed)
            browser.close()
    finally:
        cluster.stop()
    print(f"members={args.members} rounds={args.rounds} weights={args.weights}")
    print(f"click→kick-playing median {statistics.median(samples):.0f} ms, "
          f"min {min(samples):.0f}, max {max(samples):.0f} (n={len(samples)})")  # fmt: skip
    print("samples (ms):", " ".join(f"{s:.0f}" for s in samples))


if __name__ == "__main__":
    main()
