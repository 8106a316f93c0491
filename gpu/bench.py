"""python -m gpu.bench [--json] [--weights DIR] [--threads 2] [--runs 20]

Latency of the shipped pipeline on this machine: median per kick over --runs seeds, a batch of
8, time from process start to the first kick (in a fresh subprocess, imports included), peak
resident memory, and a per-stage split. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from gpu.pipeline import DEFAULT_WEIGHTS, KickPipeline

_FRESH = """
import resource, sys, time
from gpu.pipeline import KickPipeline
pipe = KickPipeline.from_pretrained(sys.argv[1], threads=int(sys.argv[2]))
pipe.generate("hit house", seed=0)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
"""


def fresh_process(weights: Path, threads: int) -> tuple[float, float]:
    """(seconds from spawning a new interpreter to its first finished kick, its peak RSS MB)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _FRESH, str(weights), str(threads)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    if done.returncode != 0:
        raise RuntimeError(f"The fresh process failed to generate a kick:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, float(done.stdout.strip().splitlines()[-1])


def _median_ms(fn, runs: int) -> float:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stages_ms(pipe: KickPipeline, runs: int = 10) -> dict:
    """Median ms of each stage for one kick."""
    cond = pipe.condition("hit house")
    noise = pipe._seeded_noise(1, 0)
    with torch.inference_mode():

        def diffusion(_):
            from gpu.diffusion.solvers import make_scheduler

            scheduler = make_scheduler(pipe.sampler_name, pipe.schedule)
            scheduler.set_timesteps(pipe.default_steps)
            return pipe._denoise(noise, cond, 3.0, scheduler, None)

        z = diffusion(0)
        mel = pipe.vae.decode(z * pipe.latent_std + pipe.latent_mean)
        return {
            "diffusion_ms": round(_median_ms(diffusion, runs), 1),
            "vae_decode_ms": round(_median_ms(lambda _: pipe.vae.decode(z), runs), 1),
            "vocoder_ms": round(_median_ms(lambda _: pipe.vocoder(mel), runs), 1),
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: best on a shared CPU)"
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args(argv)

    load_s, fresh_rss = fresh_process(args.weights, args.threads)
    pipe = KickPipeline.from_pretrained(args.weights, threads=args.threads)
    for seed in range(3):
        pipe.generate("hit house", seed=seed)
    per_kick = _median_ms(lambda i: pipe.generate("hit house", seed=100 + i), args.runs)
    batch8 = _median_ms(
        lambda i: pipe.generate("hit house", seed=200 + i, n=8), max(3, args.runs // 4)
    )
    result = {
        "median_ms_per_kick": round(per_kick, 1),
        "batch8_ms": round(batch8, 1),
        "load_s": round(load_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "fresh_process_peak_rss_mb": round(fresh_rss, 1),
        "steps": pipe.default_steps,
        "sampler": pipe.sampler_name,
        "threads": torch.get_num_threads(),
        "parameters": sum(
            net.n_parameters() for net in (pipe.vae, pipe.unet, pipe.vocoder, pipe.conditioning)
        ),
        **stages_ms(pipe),
    }
    if not args.json:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
