"""Evaluate a kick generator against held-out synthetic kicks and real ones: `gpu.evaluate`.

    python -m gpu.evaluate [--weights DIR] [--n 256] [--json]      # the trained pipeline
    python -m gpu.evaluate --against held-out --json                # the metrics' ceiling
    python -m gpu.evaluate --against REAL [--against REAL2] [--only fidelity]  # + real kicks
    python -m gpu.evaluate --source synth --against REAL            # the synthesizer, seconds
    python -m gpu.evaluate --source DIR --against REAL              # a folder of kicks

The held-out corpus is `synthesize(n, HELD_OUT_SEED)`, a stream the training corpus
(`TRAIN_SEED`) never contains. Every kick is described with `gpu.descriptors`; distances use
the *evaluation space*: the six FEATURES with Hz and ms quantities on a log10 scale (an octave
or a doubling of decay counts the same everywhere), each column divided by the held-out
standard deviation. Reported, with the issue's targets:

(a) fidelity    per-feature 1-D Wasserstein distance (scipy.stats.wasserstein_distance)
                between n generated and n held-out kicks, divided by the held-out std of
                that feature; `fidelity` is the mean over features (target ≤ 0.2). The
                kicks are what the generator makes with nothing asked (prompt=None; the
                pipeline draws conditions from its descriptor prior); the same for the
                unconditional model is in details.fidelity_unconditional.
(b) control     per keyword: the share of kicks generated with the keyword that beat the
                unconditional kick (prompt=None, prior=False) from the same seed on the
                keyword's defining feature (gpu.corpus.keywords); `control` is the mean
                over keywords (target ≥ 0.9).
(c) diversity   mean pairwise distance among generated kicks ÷ the same among held-out kicks
                (target ≥ 0.8); near-duplicates are pairs whose waveforms have a cosine
                similarity ≥ 0.99 (target 0).
    novelty     share of generated kicks whose nearest training kick is closer than the 1st
                percentile of held-out kicks' nearest-training distances (target ≤ 5%).
(c') adherence  `note_adherence`: share of kicks asked for a note C1…B1 whose measured tail
                pitch lies within ±1 semitone (target ≥ 80%); decay and punch (transient
                share) asked for at held-out quantiles, median absolute errors.
(d) artifacts   no NaN/inf, peak ≤ 1.0, |DC| < 1e-3, last 0.25 s silent (|x| ≤ 1e-5).
(e) reconstruction  through the pipeline's `reconstruct(audio)` (VAE + vocoder) if it has
                one: log-spectral distance and per-feature errors, attack features included.
(r) real        with --against REAL, a folder of real kicks (gpu.corpus.folder; files that
                cannot be decoded are skipped and named): a `real` block beside the figures
                above, headlining the text report. Two sets of n kicks, `free` (prompt=None,
                as in (a)) and `hit_house` (the web app's default prompt), each against the
                folder with gpu.realism's metrics: fidelity as in (a) but scaled by the real
                std, per feature and mean; the Fréchet distance of log-spectral summaries
                (3 time segments × 12 log-spaced bands in dB, FID's formula: Heusel et al.
                2017); the share of square-bodied kicks (body crest factor < 1.3; real kicks'
                medians are 2.3–2.5); whether the median decay lies inside the real 25th–75th
                percentiles. `ceiling` is the same for two real sources: REAL2 against REAL,
                or REAL's two halves (split by a hash of the file names). Both distances
                grow as sets shrink (the Fréchet bias is about Tr Σ / N), so each set also
                reports `at_ceiling_size`: as many of its kicks as the ceiling compares,
                against the ceiling's reference. `--only fidelity` stops after (a) and the
                real block; `--source synth` (synthesize(n, TRAIN_SEED)) or `--source DIR`
                reports the real block alone, for kicks that need no model.

The last line of `--json` output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gpu.corpus.corpus import Corpus
from gpu.corpus.keywords import RULES_BY_KEYWORD
from gpu.corpus.split import split
from gpu.corpus.synth import HELD_OUT_SEED, TRAIN_SEED, synthesize
from gpu.descriptors import FEATURES, describe_batch, note_to_hz
from gpu.realism import (
    RealFolders,
    feature_matrix,
    fidelity,
    format_report,
    load_kicks,
    source_report,
    spread,
)

SAMPLE_RATE = 44100
DEFAULT_PROMPT = "hit house"  # what the web app asks for
NOTES = ("C1", "C#1", "D1", "D#1", "E1", "F1", "F#1", "G1", "G#1", "A1", "A#1", "B1")
POOL_SEED = 104_729  # the retrieval baseline's pool: neither training nor held-out
TARGETS = {
    "fidelity": ("<=", 0.2),
    "control": (">=", 0.9),
    "diversity_ratio": (">=", 0.8),
    "near_duplicates": ("<=", 0),
    "novelty": ("<=", 0.05),
    "note_adherence": (">=", 0.8),
}


class Generator(Protocol):
    """What the evaluation needs of a pipeline (gpu.pipeline.KickPipeline satisfies it)."""

    vocabulary: list[str]

    def generate(self, prompt: str | None = ..., seed: int | None = ..., **kwargs: Any) -> Any: ...


# --- metrics (pure functions of feature matrices / audio) ------------------------------------
# The evaluation space (feature_matrix, spread) and fidelity live in gpu.realism, which the
# real-folder comparison shares.


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))


def mean_pairwise_distance(features: np.ndarray, scale: np.ndarray) -> float:
    """Mean Euclidean distance over distinct pairs of standardised feature vectors."""
    z = features / scale
    n = len(z)
    if n < 2:
        return 0.0
    d = _pairwise(z, z)
    return float(d[np.triu_indices(n, k=1)].mean())


def diversity_ratio(generated: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    scale = spread(reference)
    gen = mean_pairwise_distance(generated, scale)
    ref = mean_pairwise_distance(reference, scale)
    return {"ratio": gen / ref if ref > 0 else 0.0, "generated": gen, "held_out": ref}


def near_duplicate_pairs(audio: np.ndarray, threshold: float = 0.99) -> int:
    """Pairs of kicks whose waveforms have cosine similarity ≥ threshold."""
    x = np.asarray(audio, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1)
    x = x / np.where(norms > 0, norms, 1.0)[:, None]
    cosine = x @ x.T
    return int((cosine[np.triu_indices(len(x), k=1)] >= threshold).sum())


def novelty(
    generated: np.ndarray, held_out: np.ndarray, train: np.ndarray, percentile: float = 1.0
) -> dict[str, float]:
    """Share of generated kicks nearer to a training kick than the held-out kicks' 1st
    percentile of nearest-training distance (memorisation); standardised by held-out std."""
    scale = spread(held_out)
    nearest_gen = _pairwise(generated / scale, train / scale).min(axis=1)
    nearest_ref = _pairwise(held_out / scale, train / scale).min(axis=1)
    threshold = float(np.percentile(nearest_ref, percentile))
    return {
        "share": float((nearest_gen < threshold).mean()),
        "threshold": threshold,
        "median_nearest_generated": float(np.median(nearest_gen)),
        "median_nearest_held_out": float(np.median(nearest_ref)),
    }


def control_share(keyword: str, with_keyword: np.ndarray, unconditional: np.ndarray) -> float:
    """Share of seed-paired kicks where the keyword's defining feature moves the right way."""
    rule = RULES_BY_KEYWORD[keyword]
    return float(np.mean(rule.beats(with_keyword, unconditional)))


def semitone_error(measured_hz: np.ndarray, target_hz: np.ndarray) -> np.ndarray:
    """|12·log2(measured / target)|; an unpitched kick counts as infinitely wrong."""
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.abs(12.0 * np.log2(measured_hz / target_hz))
    return np.where(np.isfinite(error), error, np.inf)


def artifacts(audio: np.ndarray) -> dict[str, Any]:
    """Counts of kicks failing each check; ok when every count is 0."""
    x = np.asarray(audio, dtype=np.float64)
    finite = np.isfinite(x).all(axis=1)
    safe = np.where(np.isfinite(x), x, 0.0)
    tail = safe[:, -int(0.25 * SAMPLE_RATE) :]
    counts = {
        "non_finite": int((~finite).sum()),
        "peak_over_1": int((np.abs(safe).max(axis=1) > 1.0).sum()),
        "dc_over_1e-3": int((np.abs(safe.mean(axis=1)) >= 1e-3).sum()),
        "tail_not_silent": int((np.abs(tail).max(axis=1) > 1e-5).sum()),
        "wrong_length": 0 if x.shape[1] == 2 * SAMPLE_RATE else len(x),
    }
    return {"ok": all(v == 0 for v in counts.values()), "kicks": len(x), **counts}


def log_spectral_distance(a: np.ndarray, b: np.ndarray, n_fft: int = 1024) -> np.ndarray:
    """Per-kick RMS difference of log-magnitude STFTs in dB (hop n_fft/4, Hann)."""
    hop = n_fft // 4
    window = np.hanning(n_fft)

    def log_mag(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=1)[:, ::hop]
        return 20.0 * np.log10(np.abs(np.fft.rfft(frames * window, axis=-1)) + 1e-5)

    diff = log_mag(np.asarray(a, np.float64)) - log_mag(np.asarray(b, np.float64))
    return np.sqrt((diff**2).mean(axis=(1, 2)))


# --- a pipeline-like baseline ----------------------------------------------------------------


class RetrievalGenerator:
    """Answers `generate` by picking kicks from a corpus — the metrics' reference point.

    Keywords filter the pool (all words must be labels of the kick); note/decay_ms/punch pick
    the candidates nearest in standardised descriptor distance; the seed chooses among the
    four best, so different seeds give different kicks and the same seed the same kick.
    """

    def __init__(self, pool: Corpus):
        self.pool = pool
        self.vocabulary = pool.vocabulary
        d = pool.features()
        self._targets = {
            "note": np.log2(np.where(np.isfinite(d["tail_pitch_hz"]), d["tail_pitch_hz"], 1.0)),
            "decay_ms": np.log2(np.maximum(d["decay_ms"], 1.0)),
            "punch": d["transient_share"],
        }
        self._scale = {key: max(float(np.std(v)), 1e-9) for key, v in self._targets.items()}

    def generate(
        self,
        prompt: str | None = None,
        seed: int | None = None,
        note: str | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
        n: int = 1,
        **_: Any,
    ) -> np.ndarray:
        words = set((prompt or "").split())
        unknown = words - set(self.vocabulary)
        if unknown:
            raise ValueError(f"Unknown keywords {sorted(unknown)}; vocabulary: {self.vocabulary}")
        candidates = np.array(
            [i for i, labels in enumerate(self.pool.keywords) if words <= set(labels)], dtype=int
        )
        if candidates.size == 0:
            candidates = np.arange(len(self.pool))
        cost = np.zeros(len(candidates))
        asked = {
            "note": None if note is None else np.log2(note_to_hz(note)),
            "decay_ms": None if decay_ms is None else np.log2(max(decay_ms, 1.0)),
            "punch": punch,
        }
        for key, value in asked.items():
            if value is not None:
                cost += ((self._targets[key][candidates] - value) / self._scale[key]) ** 2
        rng = np.random.default_rng(seed)
        if any(v is not None for v in asked.values()):
            best = candidates[np.argsort(cost, kind="stable")[:4]]
            picks = best[rng.integers(0, len(best), size=n)]
        else:
            picks = candidates[rng.integers(0, len(candidates), size=n)]
        audio = self.pool.audio[picks]
        return audio[0] if n == 1 else audio


# --- driving a generator ---------------------------------------------------------------------


@dataclass
class Settings:
    n: int = 256
    control_n: int = 32
    note_n: int = 12
    target_n: int = 64
    train_n: int = 5000
    train_seed: int = TRAIN_SEED
    seed: int = 20_240_601
    steps: int | None = None
    notes: tuple[str, ...] = NOTES


def describe_kicks(audio: np.ndarray) -> dict[str, np.ndarray]:
    """Descriptors of generated kicks; NaN/inf samples are read as silence here because the
    artifact check counts them separately."""
    return describe_batch(np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0))


def _as_batch(audio: Any, n: int) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float32)
    return x.reshape(n, -1) if x.ndim == 1 else x


class _Caller:
    """Calls generate in batches (seed + offset per batch, so equal seeds pair kick by kick),
    and finds how this generator takes "no keywords"."""

    def __init__(self, generator: Generator, steps: int | None, batch: int = 32):
        self.generator = generator
        self.steps = steps
        self.batch = batch
        self.accepts_no_prompt: bool | None = None
        self.prior_option = False

    def __call__(self, count: int, seed: int, **request: Any) -> np.ndarray:
        if self.steps is not None:
            request["steps"] = self.steps
        out = []
        for start in range(0, count, self.batch):
            size = min(self.batch, count - start)
            out.append(
                _as_batch(self.generator.generate(seed=seed + start, n=size, **request), size)
            )
        return np.concatenate(out)

    def without_keywords(self, count: int, seed: int, **request: Any) -> np.ndarray | None:
        """prompt=None (keywords dropped, descriptors kept), or None if it is refused."""
        if self.accepts_no_prompt is not False:
            try:
                kicks = self(count, seed, prompt=None, **request)
                self.accepts_no_prompt = True
                return kicks
            except (ValueError, TypeError):
                self.accepts_no_prompt = False
        return None

    def free(self, count: int, seed: int) -> np.ndarray:
        """What the generator makes when nothing is asked: prompt=None (KickPipeline draws
        each kick's condition from its descriptor prior), else guidance scale 0."""
        kicks = self.without_keywords(count, seed)
        return kicks if kicks is not None else self(count, seed, prompt="hit", cfg_scale=0.0)

    def unconditional(self, count: int, seed: int) -> np.ndarray:
        """No condition at all: prompt=None with prior=False; a generator without that option
        is unconditional at prompt=None, else at guidance scale 0 (ε = ε_u + 0·(ε_c − ε_u)
        is exactly the unconditional prediction)."""
        if self.accepts_no_prompt is not False:
            try:
                kicks = self(count, seed, prompt=None, prior=False)
                self.prior_option = True
                return kicks
            except (TypeError, ValueError):
                self.prior_option = False
        return self.free(count, seed)

    def descriptor_request(self, count: int, seed: int, **request: Any) -> np.ndarray:
        """Only a descriptor target; the pipeline's default prompt if it needs keywords."""
        kicks = self.without_keywords(count, seed, **request)
        return kicks if kicks is not None else self(count, seed, **request)

    @property
    def unconditional_mode(self) -> str:
        if self.prior_option:
            return "prompt=None, prior=False"
        return "prompt=None" if self.accepts_no_prompt else "cfg_scale=0 (prompt=None refused)"


def evaluate(
    generator: Generator,
    settings: Settings,
    log: Callable[[str], None] = lambda _: None,
    train_features: np.ndarray | None = None,
    real: RealFolders | None = None,
) -> dict[str, Any]:
    """Every metric of the module docstring for one generator; with `real`, the real block."""
    started = time.perf_counter()
    call = _Caller(generator, settings.steps)
    log(f"held-out corpus: {settings.n} kicks, seed {HELD_OUT_SEED}")
    held_out = synthesize(settings.n, HELD_OUT_SEED)
    ref = feature_matrix(held_out.features())
    if train_features is None:
        log(f"training corpus for novelty: {settings.train_n} kicks, seed {settings.train_seed}")
        train_features = feature_matrix(
            synthesize(settings.train_n, settings.train_seed).features()
        )

    log(f"(a, c) {settings.n} kicks with nothing asked, and {settings.n} unconditional ones")
    generated = call.free(settings.n, settings.seed)
    gen = feature_matrix(describe_kicks(generated))
    unconditional = call.unconditional(settings.n, settings.seed)
    all_audio = [generated, unconditional]

    log(f"(b) control: {settings.control_n} seed-paired kicks per keyword")
    base = call.unconditional(settings.control_n, settings.seed + 1_000_000)
    base_d = describe_kicks(base)
    all_audio.append(base)
    per_keyword = {}
    for keyword in [k for k in generator.vocabulary if k in RULES_BY_KEYWORD]:
        kicks = call(settings.control_n, settings.seed + 1_000_000, prompt=keyword)
        all_audio.append(kicks)
        feature = RULES_BY_KEYWORD[keyword].feature
        per_keyword[keyword] = control_share(
            keyword, describe_kicks(kicks)[feature], base_d[feature]
        )
    not_testable = sorted(set(generator.vocabulary) - set(RULES_BY_KEYWORD))

    log(f"(c') note adherence: {settings.note_n} kicks per note C1–B1; decay and punch targets")
    per_note, errors = {}, []
    for k, note in enumerate(settings.notes):
        kicks = call.descriptor_request(
            settings.note_n, settings.seed + 2_000_000 + 1000 * k, note=note
        )
        all_audio.append(kicks)
        err = semitone_error(describe_kicks(kicks)["tail_pitch_hz"], note_to_hz(note))
        per_note[note] = float((err <= 1.0).mean())
        errors.append(err)
    note_errors = np.concatenate(errors)
    held = held_out.features()
    quantiles = np.linspace(0.1, 0.9, settings.target_n)
    decay_targets = np.quantile(held["decay_ms"], quantiles)
    punch_targets = np.quantile(held["transient_share"], quantiles)
    # A pipeline refuses what it was not trained on (PromptError); ask within its ranges,
    # so a held-out set wider than the training corpus measures adherence, not refusals.
    ranges = getattr(generator, "ranges", None) or {}
    if "decay_ms" in ranges:
        decay_targets = np.clip(decay_targets, *ranges["decay_ms"])
    if "punch" in ranges:
        punch_targets = np.clip(punch_targets, *ranges["punch"])
    decay_measured, punch_measured = [], []
    for k in range(settings.target_n):
        kick = call.descriptor_request(
            1, settings.seed + 3_000_000 + k, decay_ms=float(decay_targets[k])
        )
        decay_measured.append(describe_kicks(kick)["decay_ms"][0])
        kick2 = call.descriptor_request(
            1, settings.seed + 4_000_000 + k, punch=float(punch_targets[k])
        )
        punch_measured.append(describe_kicks(kick2)["transient_share"][0])
        all_audio += [kick, kick2]
    decay_err = np.abs(np.array(decay_measured) - decay_targets)
    punch_err = np.abs(np.array(punch_measured) - punch_targets)

    every_kick = np.concatenate(all_audio)
    fid = fidelity(gen, ref)
    div = diversity_ratio(gen, ref)
    nov = novelty(gen, ref, train_features)
    art = artifacts(every_kick)
    control_mean = float(np.mean(list(per_keyword.values()))) if per_keyword else 0.0
    result: dict[str, Any] = {
        "fidelity": fid["mean"],
        "control": control_mean,
        "diversity_ratio": div["ratio"],
        "near_duplicates": near_duplicate_pairs(generated),
        "novelty": nov["share"],
        "note_adherence": float((note_errors <= 1.0).mean()),
        "artifacts_ok": art["ok"],
        "decay_median_abs_error_ms": float(np.median(decay_err)),
        "decay_median_rel_error": float(np.median(decay_err / decay_targets)),
        "punch_median_abs_error": float(np.median(punch_err)),
        "details": {
            "fidelity_per_feature": fid["per_feature"],
            "fidelity_scale": "held-out standard deviation, log10 for Hz and ms features",
            "fidelity_unconditional": fidelity(feature_matrix(describe_kicks(unconditional)), ref),
            "control_per_keyword": per_keyword,
            "control_min": min(per_keyword.values()) if per_keyword else None,
            "control_keywords_without_rule": not_testable,
            "unconditional_by": call.unconditional_mode,
            "diversity": div,
            "held_out_near_duplicates": near_duplicate_pairs(held_out.audio),
            "novelty": nov,
            "note_adherence_per_note": per_note,
            "note_median_abs_error_st": float(np.median(note_errors)),
            "artifacts": art,
            "settings": settings.__dict__,
        },
    }
    result["reconstruction"] = reconstruction(generator, held_out)
    if real is not None:
        result["real"] = against_real(call, generated, settings, real, log)
    result["targets_met"] = {
        key: (result[key] <= bound if op == "<=" else result[key] >= bound)
        for key, (op, bound) in TARGETS.items()
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def evaluate_fidelity(
    generator: Generator,
    settings: Settings,
    log: Callable[[str], None] = lambda _: None,
    real: RealFolders | None = None,
) -> dict[str, Any]:
    """`--only fidelity`: (a) and the real block, without control, adherence, novelty or
    reconstruction — the quick look while tuning."""
    started = time.perf_counter()
    call = _Caller(generator, settings.steps)
    log(f"(a) {settings.n} kicks with nothing asked, against {settings.n} held-out kicks")
    generated = call.free(settings.n, settings.seed)
    ref = feature_matrix(synthesize(settings.n, HELD_OUT_SEED).features())
    fid = fidelity(feature_matrix(describe_kicks(generated)), ref)
    result: dict[str, Any] = {
        "fidelity": fid["mean"],
        "details": {"fidelity_per_feature": fid["per_feature"], "settings": settings.__dict__},
    }
    if real is not None:
        result["real"] = against_real(call, generated, settings, real, log)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def against_real(
    call: _Caller,
    free: np.ndarray,
    settings: Settings,
    real: RealFolders,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The free generation and the web app's default prompt against the real folder."""
    log(f"real: {settings.n} kicks asked for {DEFAULT_PROMPT!r}; both sets against {real.name}")
    try:
        prompted: np.ndarray | str = call(settings.n, settings.seed, prompt=DEFAULT_PROMPT)
    except ValueError as error:  # a generator whose vocabulary lacks the words
        prompted = f"{DEFAULT_PROMPT!r} refused: {error}"
    report = real.report({"free": free, "hit_house": prompted})
    report["reconstruction"] = real_reconstruction(call.generator, real.reference)
    return report


def reconstruction(generator: Generator, held_out: Corpus, count: int = 64) -> dict[str, Any]:
    """(e) VAE + vocoder round trip of held-out kicks, if the generator offers one."""
    reconstruct = getattr(generator, "reconstruct", None)
    if reconstruct is None:
        return {"skipped": f"{type(generator).__name__} has no reconstruct(audio) method"}
    original = held_out.audio[:count]
    rebuilt = _as_batch(reconstruct(original), len(original))
    a, b = held_out.subset(range(len(original))).features(), describe_kicks(rebuilt)
    scale = spread(feature_matrix(held_out.features()))
    diff = np.abs(feature_matrix(a) - feature_matrix(b)) / scale
    return {
        "kicks": len(original),
        "log_spectral_distance_db": float(np.median(log_spectral_distance(original, rebuilt))),
        "feature_error_in_stds": {
            key: float(np.median(diff[:, j])) for j, key in enumerate(FEATURES)
        },
        "tail_pitch_median_abs_error_st": float(
            np.median(semitone_error(b["tail_pitch_hz"], a["tail_pitch_hz"]))
        ),
    }


BODY_LOCK_RATIO = 1.8
"""A round trip whose tail pitch is this many times the original's plays the body on a
harmonic (2nd or 3rd) instead of the fundamental."""


def real_reconstruction(generator: Generator, real: Corpus) -> dict[str, Any]:
    """VAE + vocoder round trip of every kick of a real folder: does the representation keep
    a real kick's note, its body on the fundamental, and its punch? Kicks without a measured
    tail pitch (unpitched in 100–390 ms) count for the transient share only. A generator that
    can also vocode a kick's own spectrogram reports the vocoder alone beside it, which tells
    the vocoder's share of the error from the VAE's."""
    reconstruct = getattr(generator, "reconstruct", None)
    if reconstruct is None:
        return {"skipped": f"{type(generator).__name__} has no reconstruct(audio) method"}
    original = real.features()
    report = {"kicks": len(real), "pitched": int(np.isfinite(original["tail_pitch_hz"]).sum())}
    report |= _round_trip_errors(original, real.audio, reconstruct)
    vocode = getattr(generator, "vocode", None)
    if vocode is not None:
        report["vocoder_alone"] = _round_trip_errors(original, real.audio, vocode)
    return report


def _round_trip_errors(
    original: dict[str, np.ndarray], audio: np.ndarray, rebuild: Callable[[np.ndarray], Any]
) -> dict[str, Any]:
    rebuilt = _as_batch(rebuild(audio), len(audio))
    a, b = original, describe_kicks(rebuilt)
    pitched = np.isfinite(a["tail_pitch_hz"])
    ratio = b["tail_pitch_hz"][pitched] / a["tail_pitch_hz"][pitched]
    return {
        "tail_pitch_median_abs_error_st": float(
            np.median(semitone_error(b["tail_pitch_hz"][pitched], a["tail_pitch_hz"][pitched]))
        ),
        "body_on_a_harmonic": int(np.sum(ratio >= BODY_LOCK_RATIO)),
        "transient_share_median_abs_error": float(
            np.median(np.abs(b["transient_share"] - a["transient_share"]))
        ),
        "log_spectral_distance_db": float(np.median(log_spectral_distance(audio, rebuilt))),
    }


# --- command line ----------------------------------------------------------------------------


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
