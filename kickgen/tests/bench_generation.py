"""Benchmark: click 🎨 → the new kick selected, loaded and playing, in Chromium over daphne.

    .venv/bin/python -m kickgen.tests.bench_generation --members 1 --rounds 8
    .venv/bin/python -m kickgen.tests.bench_generation --members 4 --rounds 5

Each member signs up, enters AI Kick Gen mode and, each round, all members click 🎨 at once;
the time is measured inside each page (performance.now()) from the click until window.kwr says
the new AI kick is the sound's kick, loaded in the engine, with the transport playing. Uses the
local generator on gpu/weights (or --weights). Prints the median and every sample, and the
median time to each status the page showed (queued, first progress step, done).

Each page checks for itself every few milliseconds and notes the moment its kick plays, then
stops its transport. Waiting on the pages one after another and reading the clock afterwards
would credit every page with the wait for the pages before it; and pages left playing would take
the server's CPU while it still serves the others, which members' own machines never do. With
--keep-playing the measured pages play on (the harder, less realistic load).

On a small machine the members' browsers (each running the audio engine) take most of the CPU
the server needs. --clients http leaves browsers out: each member posts the generate form and
waits on its socket for its kick, then downloads the WAV — the server's part of the journey.
"""

import argparse
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import sync_playwright

from kickgen.tests.live import Member, kickgen_cluster
from testsupport.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    signup,
    unique_username,
    wait_engine_ready,
)
from testsupport.live_server import LiveCluster

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "gpu" / "weights"

CLICK = """(keepPlaying) => {
  window.__bench?.observer.disconnect();
  window.kwr.stop();
  const bench = { before: window.kwr.sound.get("kick_sample"), t0: performance.now(), seen: {} };
  window.__bench = bench;
  const since = () => performance.now() - bench.t0;
  bench.observer = new MutationObserver(() => {
    const status = document.getElementById("kickgen-status");
    if (!status) return;
    const state = status.dataset.state === "running" && status.querySelector("progress")
      ? "progress" : status.dataset.state;
    const shown = Object.keys(bench.seen).length > 0;  // "idle" counts once the job was shown
    if (!(state in bench.seen) && (shown || state !== "idle")) bench.seen[state] = since();
  });
  bench.observer.observe(document.body, { childList: true, subtree: true, attributes: true });
  bench.poll = setInterval(() => {
    const name = window.kwr.sound.get("kick_sample");
    if (name !== bench.before && name.startsWith("AI: ")
        && window.kwr.library.has("kick", name) && window.kwr.playing) {
      bench.playing = since();
      clearInterval(bench.poll);
      if (!keepPlaying) window.kwr.stop();
    }
  }, 2);
  document.querySelector("[data-kickgen-generate]").click();
}"""
PLAYED = "() => window.__bench.playing !== undefined"
PHASES = {"queued": "shown queued", "progress": "first progress step", "idle": "done (idle)"}
SELECTED_URL = re.compile(r'data-url="([^"]+)" selected')


def member_in_kickgen_mode(context):
    """A new member's page, signed up, engine ready, in AI Kick Gen mode."""
    page = context.new_page()
    signup(page, unique_username("b"))
    wait_engine_ready(page, timeout_ms=30_000)
    page.click("[data-kickgen-enter]")
    return page


def server_cpu_s(cluster: LiveCluster) -> float:
    """CPU seconds the cluster's server processes have used (Linux /proc)."""
    ticks = 0
    for process in cluster.processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def browser_rounds(
    cluster: LiveCluster, members: int, rounds: int, keep_playing: bool, warmed: Callable
) -> tuple[list[float], dict[str, list[float]]]:
    samples: list[float] = []
    phases: dict[str, list[float]] = {phase: [] for phase in PHASES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [
            member_in_kickgen_mode(browser.new_context(base_url=cluster.urls[0], bypass_csp=True))
            for _ in range(members)
        ]
        for round_ in range(rounds + 1):  # round 0 warms the model up, not counted
            for page in pages:
                page.evaluate(CLICK, keep_playing)
            for page in pages:
                page.wait_for_function(PLAYED, timeout=120_000)
                elapsed, seen = page.evaluate("[window.__bench.playing, window.__bench.seen]")
                if round_:
                    samples.append(elapsed)
                    for phase in PHASES:
                        if phase in seen:
                            phases[phase].append(seen[phase])
            if not round_:
                warmed()
        browser.close()
    return samples, phases


def http_rounds(cluster: LiveCluster, members: int, rounds: int, warmed: Callable) -> list[float]:
    """Click → own kick pushed over the socket and its WAV downloaded, per member, in ms."""
    clients = [Member(cluster.urls[0], unique_username("h")) for _ in range(members)]
    sockets = [client.socket() for client in clients]
    for socket in sockets:
        socket.recv(timeout=10)  # the state on connect
    together = threading.Barrier(members)

    def click(client: Member, socket) -> float:
        together.wait(timeout=60)
        t0 = time.perf_counter()
        answer = client.generate(keywords=["hit", "house"])
        job = answer.headers["X-Kickgen-Job"]
        while True:
            message = socket.recv(timeout=120)
            if f'data-job="{job}"' not in message:
                continue
            if 'data-state="failed"' in message:
                raise RuntimeError(f"generation failed: {message[:300]}")
            if 'data-state="idle"' in message:
                break
        client.http.get(SELECTED_URL.search(message).group(1)).raise_for_status()
        return (time.perf_counter() - t0) * 1000

    samples: list[float] = []
    try:
        with ThreadPoolExecutor(members) as pool:
            for round_ in range(rounds + 1):  # round 0 warms the model up, not counted
                times = list(pool.map(click, clients, sockets))
                if round_:
                    samples += times
                else:
                    warmed()
    finally:
        for socket in sockets:
            socket.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="at most 10 (the daily limit)")
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--keep-playing", action="store_true", help="measured pages play on")
    parser.add_argument("--clients", choices=("browser", "http"), default="browser")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kickgen-bench-"))
    cluster = kickgen_cluster(
        workdir, "local", settings_lines=[f"KICKGEN_MODEL_PATH = {args.weights!r}"]
    )
    cluster.start(1)
    phases: dict[str, list[float]] = {}
    cpu_at_start = []

    def warmed() -> None:  # the model is loaded: count the server's CPU from here
        cpu_at_start.append(server_cpu_s(cluster))

    try:
        if args.clients == "http":
            samples = http_rounds(cluster, args.members, args.rounds, warmed)
        else:
            samples, phases = browser_rounds(
                cluster, args.members, args.rounds, args.keep_playing, warmed
            )
        server_cpu = server_cpu_s(cluster) - cpu_at_start[0]
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"members={args.members} rounds={args.rounds} weights={args.weights} "
        f"clients={args.clients}{' keep-playing' if args.keep_playing else ''}"
    )
    what = "kick-playing" if args.clients == "browser" else "kick-downloaded"
    print(f"click→{what} median {statistics.median(samples):.0f} ms, "
          f"min {min(samples):.0f}, max {max(samples):.0f} (n={len(samples)})")  # fmt: skip
    print("samples (ms):", " ".join(f"{s:.0f}" for s in samples))
    print(f"  server CPU: {1000 * server_cpu / len(samples):.0f} ms per kick")
    for phase, label in PHASES.items():
        if phases.get(phase):
            print(f"  click→{label}: median {statistics.median(phases[phase]):.0f} ms "
                  f"(n={len(phases[phase])})")  # fmt: skip


if __name__ == "__main__":
    main()
