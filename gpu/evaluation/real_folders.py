"""Real folders as the evaluation's reference: `RealFolders` reads one or two folders of real
kicks (`python -m gpu.evaluate --against DIR [--against DIR2]`), computes their ceiling (two
real sources, or one folder's two halves, against each other) and reports every set of kicks
against them with gpu.evaluation.realism's measures; `format_report` writes that report as text.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gpu.corpus.corpus import Corpus
from gpu.corpus.folder import load_folder
from gpu.corpus.split import held_out_mask
from gpu.corpus.synth import TRAIN_SEED, synthesize
from gpu.evaluation.realism import (
    N_BANDS,
    SEGMENTS_S,
    SQUARE_CREST,
    KickSet,
    compare,
    quantiles,
    square_share,
)


def halves(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of a folder's two halves, by a hash of each kick's name (gpu.corpus.split),
    so the ceiling does not depend on file order. A kit's velocity layers fall on both sides,
    so this ceiling is the within-kits floor; for two sources that share no kit, give a
    second folder (the packaged corpus's train split against its held-out one)."""
    mask = held_out_mask(corpus.names, 0.5, salt="kwr-ceiling")
    return ~mask, mask


@dataclass(frozen=True)
class RealFolders:
    """The real reference of `python -m gpu.evaluate --against DIR [--against DIR2]`."""

    reference: Corpus
    second: Corpus | None = None
    name: str = ""

    @classmethod
    def load(cls, folders: list[Path], log: Callable[[str], None] = lambda _: None) -> RealFolders:
        if not 1 <= len(folders) <= 2:
            raise ValueError(f"A real reference is one or two folders; got {len(folders)}.")
        loaded = [load_kicks(folder, log) for folder in folders]
        return cls(loaded[0], loaded[1] if len(loaded) > 1 else None, str(folders[0]))

    def report(
        self,
        sets: dict[str, np.ndarray | str],
        descriptors: dict[str, dict[str, np.ndarray]] | None = None,
    ) -> dict[str, Any]:
        """Each audio set (a str is the reason it was skipped) against the reference folder,
        and the ceiling: the second folder against the first, or without one the reference's
        two halves. `descriptors` spares describing a set whose descriptors are known."""
        descriptors = descriptors or {}
        ref = KickSet.of(self.reference.audio, self.reference.features())
        pair = self._ceiling_pair(ref)
        blocks: dict[str, Any] = {}
        for name, audio in sets.items():
            if isinstance(audio, str):
                blocks[name] = {"skipped": audio}
                continue
            kicks = KickSet.of(audio, descriptors.get(name))
            blocks[name] = compare(kicks, ref)
            if not isinstance(pair, str):
                blocks[name]["at_ceiling_size"] = _at_size(kicks, *pair[:2])
        return {
            "folder": self.name,
            "kicks": len(ref),
            "reference": {
                "square_share": square_share(ref.crest),
                "crest": quantiles(ref.crest),
                "decay_ms": quantiles(ref.decay_ms),
            },
            "frechet_features": f"{len(SEGMENTS_S)} segments × {N_BANDS} log-spaced bands (dB)",
            "square_crest_below": SQUARE_CREST,
            "sets": blocks,
            "ceiling": {"skipped": pair}
            if isinstance(pair, str)
            else {**compare(pair[0], pair[1]), "by": pair[2]},
        }

    def _ceiling_pair(self, ref: KickSet) -> tuple[KickSet, KickSet, str] | str:
        """Two real sources, (kicks, reference, how): the second folder against the first, or
        the first's two halves; a str says why there are none."""
        if self.second is not None:
            second = KickSet.of(self.second.audio, self.second.features())
            return second, ref, "the second folder against the first"
        a, b = halves(self.reference)
        if min(a.sum(), b.sum()) < 2:
            return f"{len(ref)} kicks are too few to split in two"
        return (
            ref.subset(a),
            ref.subset(b),
            f"the folder's two halves ({a.sum()} against {b.sum()})",
        )


def _at_size(kicks: KickSet, ceiling_kicks: KickSet, ceiling_reference: KickSet) -> dict[str, Any]:
    """Fidelity and Fréchet distance of as many kicks as the ceiling has, against the ceiling's
    reference: both figures grow as sets shrink, so only equal sizes compare."""
    size = min(len(kicks), len(ceiling_kicks))
    # A fixed random draw, not the first kicks: a folder is sorted by path, kit by kit.
    rows = np.sort(np.random.default_rng(0).permutation(len(kicks))[:size])
    block = compare(kicks.subset(rows), ceiling_reference)
    return {
        "kicks": size,
        "reference_kicks": len(ceiling_reference),
        "fidelity": block["fidelity"],
        "frechet": block["frechet"],
    }


def source_report(
    source: str, n: int, real: RealFolders, log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """`python -m gpu.evaluate --source synth|DIR`: kicks that need no model against the real
    folder — synthesize(n, TRAIN_SEED), or every kick of a folder. Only the real block: the
    synthesizer against its own held-out stream would say nothing. Seconds, not minutes."""
    started = time.perf_counter()
    if source == "synth":
        log(f"synthesizer: {n} kicks, seed {TRAIN_SEED}")
        kicks, name = synthesize(n, TRAIN_SEED), "synth"
    else:
        kicks, name = load_kicks(source, log), "folder"
    return {
        "source": source,
        "real": real.report({name: kicks.audio}, {name: kicks.features()}),
        "seconds": round(time.perf_counter() - started, 1),
    }


def format_report(report: dict[str, Any]) -> list[str]:
    """The real block as text lines: one row per set, then the ceiling."""
    ref = report["reference"]
    crest, decay = ref["crest"], ref["decay_ms"]
    lines = [
        f"real reference: {report.get('folder', '')} ({report['kicks']} kicks)",
        f"  real body crest: median {crest.get('median', float('nan')):.2f} "
        f"(p10 {crest.get('p10', float('nan')):.2f}, min {crest.get('min', float('nan')):.2f}); "
        f"square-bodied {ref['square_share']:.0%}; decay IQR "
        f"{decay.get('p25', float('nan')):.0f}–{decay.get('p75', float('nan')):.0f} ms",
        f"  {'':<12} {'fidelity':>8} {'fréchet':>8} {'square':>7} {'crest':>6} {'decay':>8}"
        "  (crest and decay: medians)",
    ]
    for name, block in [*report["sets"].items(), ("ceiling", report["ceiling"])]:
        if "skipped" in block:
            lines.append(f"  {name:<12} skipped: {block['skipped']}")
            continue
        inside = "inside" if block["decay"]["inside_iqr"] else "OUTSIDE"
        lines.append(
            f"  {name:<12} {block['fidelity']:>8.3f} {block['frechet']:>8.1f} "
            f"{block['square_share']:>7.0%} {block['crest'].get('median', float('nan')):>6.2f} "
            f"{block['decay']['median_ms']:>5.0f} ms {inside}"
        )
        if "by" in block:
            lines.append(f"  {'':<12} ceiling: {block['by']}")
        if "at_ceiling_size" in block:
            size = block["at_ceiling_size"]
            lines.append(
                f"  {'':<12} {size['fidelity']:>8.3f} {size['frechet']:>8.1f}  at the ceiling's "
                f"sizes ({size['kicks']} against {size['reference_kicks']} kicks)"
            )
    rebuilt = report.get("reconstruction", {})
    if "kicks" in rebuilt:
        lines.append(
            f"  round trip (VAE + vocoder) of the {rebuilt['kicks']} real kicks: tail pitch "
            f"error median {rebuilt['tail_pitch_median_abs_error_st']:.2f} st, body on a "
            f"harmonic in {rebuilt['body_on_a_harmonic']} of {rebuilt['pitched']}, transient "
            f"share error median {rebuilt['transient_share_median_abs_error']:.3f}"
        )
    alone = rebuilt.get("vocoder_alone")
    if alone:
        lines.append(
            f"  {'':<12} the vocoder alone, on their own spectrograms: "
            f"{alone['tail_pitch_median_abs_error_st']:.2f} st, on a harmonic in "
            f"{alone['body_on_a_harmonic']}, transient share "
            f"{alone['transient_share_median_abs_error']:.3f}"
        )
    return lines


# --- reading a folder -------------------------------------------------------------------------


def load_kicks(path: str | Path, log: Callable[[str], None] = lambda _: None) -> Corpus:
    """A folder of kicks as training reads it (`gpu.corpus.folder.load_folder`, which skips
    files it cannot decode and warns); its warnings go to `log`, so a report names them."""
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        corpus = load_folder(path)
    for warning in said:
        log(str(warning.message))
    return corpus
