"""`python -m gpu.corpus.packaged DIR`: fetch the packages, build the corpus, print a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from gpu.corpus.packaged.build import Summary, build
from gpu.corpus.packaged.debs import fetch, refuse_reserved
from gpu.corpus.packaged.fluidsynth import find_fluidsynth

# Not drawn from: hydrogen-drumkits-effects (no kick instrument), fluid-soundfont-gs (its only
# drum kit is SFX), and fluidr3mono-gm-soundfont / musescore-general-soundfont(-small), lossy
# re-encodings of fonts below whose kicks would sit beside their originals.
PACKAGES = (
    "hydrogen-drumkits",
    "hydrogen-data",
    "lmms-common",
    "fluid-soundfont-gm",
    "musescore-general-soundfont-lossless",
    "timgm6mb-soundfont",
    "csound-soundfont",
    "avldrums.lv2-soundfont",
    "opl3-soundfont",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.corpus.packaged",
        description="Build a real-kick corpus from free Debian packages (no root needed).",
    )
    parser.add_argument("dir", type=Path, help="output folder (downloads are kept in it)")
    parser.add_argument(
        "--held-out",
        type=float,
        default=0.2,
        help="fraction of kit families held out (default 0.2)",
    )
    parser.add_argument(
        "--packages", nargs="+", default=list(PACKAGES), help="Debian packages to draw from"
    )
    parser.add_argument("--no-soundfonts", action="store_true", help="skip rendering GM soundfonts")
    args = parser.parse_args(argv)
    if not 0.0 < args.held_out < 1.0:
        parser.error(f"--held-out must lie strictly between 0 and 1; got {args.held_out}.")
    for package in args.packages:
        refuse_reserved(package)

    root: Path = args.dir.resolve()
    summary = Summary()
    trees = {}
    for package in args.packages:
        tree = fetch(package, root)
        if tree is None:
            summary.skipped.append(f"{package}: apt has no such package")
        else:
            trees[package] = tree
    renderer = None
    if not args.no_soundfonts:
        renderer, why = find_fluidsynth(root)
        if renderer is None:
            summary.skipped.append(f"soundfonts: fluidsynth unavailable, {why}")
    build(root, trees, renderer, args.held_out, summary)
    print(summary.report())
    return 0
