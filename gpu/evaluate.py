"""Evaluate a kick generator against held-out synthetic kicks and real ones: `gpu.evaluate`.

    python -m gpu.evaluate [--weights DIR] [--n 256] [--json]      # the trained pipeline
    python -m gpu.evaluate --against held-out --json                # the metrics' ceiling
    python -m gpu.evaluate --against REAL [--against REAL2] [--only fidelity]  # + real kicks
    python -m gpu.evaluate --source synth --against REAL            # the synthesizer, seconds
    python -m gpu.evaluate --source DIR --against REAL              # a folder of kicks

What each figure means and its target: gpu.evaluation.suite. The last line of `--json` output is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gpu.corpus.split import split
from gpu.corpus.synth import synthesize
from gpu.evaluation.generator import Generator
from gpu.evaluation.real_folders import RealFolders, format_report, load_kicks, source_report
from gpu.evaluation.realism import feature_matrix
from gpu.evaluation.retrieval import RetrievalGenerator
from gpu.evaluation.suite import TARGETS, Settings, evaluate, evaluate_fidelity

POOL_SEED = 104_729  # the retrieval baseline's pool: neither training nor held-out


def _train_record(weights: Path | None) -> dict[str, Any]:
    """The training corpus recorded with the weights (config.json "train"), or {}."""
    if weights is None:
        from gpu.pipeline import DEFAULT_WEIGHTS  # torch only when it is needed

        weights = DEFAULT_WEIGHTS
    config = weights / "config.json"
    try:
        train = json.loads(config.read_text()).get("train", {})
    except (OSError, ValueError):
        return {}
    return train if isinstance(train, dict) else {}


def _train_count(weights: Path | None, default: int) -> int:
    """The synthetic training-set size recorded with the weights, if any."""
    return int(_train_record(weights).get("synthetic", default))


def _real_train_features(weights: Path | None, log: Callable[[str], None]) -> np.ndarray | None:
    """Features of the real kicks the weights were trained on (the recorded folder's train
    split), when that folder is on this machine: novelty must count copies of them too."""
    folder = _train_record(weights).get("folder")
    if not folder or not Path(folder).is_dir():
        return None
    train, _ = split(load_kicks(folder, log))
    log(f"real training kicks for novelty: {len(train)} from {folder}")
    return feature_matrix(train.features())


def _real_folders(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Path]:
    """The folders of real kicks named by --against (none for pipeline or held-out)."""
    against = args.against or ["pipeline"]
    folders: list[Path] = []
    if against not in (["pipeline"], ["held-out"]):
        if len(against) > 2 or {"pipeline", "held-out"} & set(against):
            parser.error("--against takes held-out, or one or two folders of real kicks.")
        folders = [Path(folder) for folder in against]
        for folder in folders:
            if not folder.is_dir():
                parser.error(f"--against {folder}: there is no such folder of kicks.")
    if args.source != "pipeline":
        if not folders:
            parser.error("--source synth or DIR is compared with real kicks: add --against DIR.")
        if args.source != "synth" and not Path(args.source).is_dir():
            parser.error(f"--source {args.source}: neither pipeline, synth nor a folder.")
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.evaluate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--weights", type=Path, default=None, help="weights folder or Hub repo")
    parser.add_argument(
        "--against",
        action="append",
        metavar="held-out|DIR",
        help="held-out: evaluate a retrieval baseline over fresh synthetic kicks; DIR: also "
        "compare with a folder of real kicks (given twice, the second is the ceiling's source)",
    )
    parser.add_argument(
        "--source",
        default="pipeline",
        metavar="pipeline|synth|DIR",
        help="what --against DIR evaluates: the pipeline, synthesize(n) or a folder of kicks",
    )
    parser.add_argument(
        "--only",
        choices=["fidelity"],
        help="fidelity and the real block only: no control, adherence, novelty, reconstruction",
    )
    parser.add_argument("--n", type=int, default=256, help="kicks for fidelity/diversity/novelty")
    parser.add_argument("--control-n", type=int, default=32, help="seed pairs per keyword")
    parser.add_argument("--note-n", type=int, default=12, help="kicks per note C1–B1")
    parser.add_argument("--target-n", type=int, default=64, help="decay and punch requests")
    parser.add_argument("--train-n", type=int, default=None, help="training corpus size")
    parser.add_argument("--steps", type=int, default=None, help="sampler steps (pipeline default)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if min(args.n, args.control_n, args.note_n, args.target_n) < 2:
        parser.error("--n, --control-n, --note-n and --target-n must each be at least 2.")
    folders = _real_folders(parser, args)

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    real = RealFolders.load(folders, log) if folders else None
    if real is not None and args.source != "pipeline":
        result = source_report(args.source, args.n, real, log)
    else:
        result = _evaluate_generator(args, real, log)
    if args.json:
        print(json.dumps(result, default=float))
        return 0
    if "real" in result:
        for line in format_report(result["real"]):
            log(line)
        if "fidelity" in result:
            log("synthetic held-out:")
    keys = (*TARGETS, "artifacts_ok", "decay_median_rel_error", "punch_median_abs_error")
    for key in (k for k in keys if k in result):
        met = result.get("targets_met", {}).get(key)
        mark = "" if met is None else ("  ok" if met else "  MISSED")
        log(f"{key:>26}: {result[key]}{mark}")
    if "reconstruction" in result:
        log(json.dumps(result["reconstruction"]))
    return 0


def _evaluate_generator(
    args: argparse.Namespace, real: RealFolders | None, log: Callable[[str], None]
) -> dict[str, Any]:
    settings = Settings(
        n=args.n,
        control_n=args.control_n,
        note_n=args.note_n,
        target_n=args.target_n,
        train_n=args.train_n or _train_count(args.weights, 5000),
        steps=args.steps,
    )
    baseline = args.against == ["held-out"]
    if baseline:
        log(f"retrieval baseline over {4 * args.n} fresh synthetic kicks (seed {POOL_SEED})")
        generator: Generator = RetrievalGenerator(synthesize(4 * args.n, POOL_SEED))
    else:
        from gpu.pipeline import KickPipeline

        log(f"loading pipeline from {args.weights or 'gpu/weights'}")
        generator = (
            KickPipeline.from_pretrained(str(args.weights))
            if args.weights
            else KickPipeline.from_pretrained()
        )
    if args.only == "fidelity":
        result = evaluate_fidelity(generator, settings, log, real=real)
    else:
        train_features = None
        real_train = None if baseline else _real_train_features(args.weights, log)
        if real_train is not None:
            synthetic = synthesize(settings.train_n, settings.train_seed).features()
            train_features = np.concatenate([feature_matrix(synthetic), real_train])
        result = evaluate(generator, settings, log, train_features, real=real)
    result["generator"] = "held-out" if baseline else str(args.weights or "gpu/weights")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
