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
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from kickgen.tests.live_server import PASSWORD, make_cluster

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
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


def sign_up(context, username: str):
    page = context.new_page()
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url("**/")
    page.wait_for_function("document.body.dataset.engine === 'ready'", timeout=30_000)
    page.click("[data-kickgen-enter]")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="at most 10 (the daily limit)")
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kickgen-bench-"))
    cluster = make_cluster(workdir, "local", extra=f"KICKGEN_MODEL_PATH = {args.weights!r}\n")
    cluster.start(1)
    samples: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)  # fmt: skip
            pages = [
                sign_up(browser.new_context(base_url=cluster.urls[0]), f"b{uuid.uuid4().hex[:8]}")
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
