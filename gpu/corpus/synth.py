"""A procedural kick synthesizer that turns a seed into a labelled training corpus.

Each kick is the classic analogue recipe, rendered in blocks with NumPy:

    body   = sine (optionally blended toward a triangle) whose frequency falls exponentially,
             f(t) = f_end + (f_start − f_end)·exp(−t/τ_sweep); the phase is the closed-form
             integral 2π·[f_end·t + (f_start − f_end)·τ_sweep·(1 − exp(−t/τ_sweep))]
    amp    = linear attack, hold, exponential decay exp(−t/τ_decay)
             + an optional sub tail on the same oscillator with a slower decay
    click  = a short burst of high-passed white noise with its own exponential decay
    drive  = tanh saturation of body·amp + click (adds odd harmonics)
    noise  = optional faint noise following the amplitude envelope

then `gpu.audio.finish` (2 s, cubic tail fade, zero DC, peak 1.0). Kick i depends only on
(seed, i), so `synthesize(256, s)` is the first 256 kicks of `synthesize(5000, s)`.

Keywords are not taken from the parameters but measured: every kick is described with
`gpu.descriptors` and labelled by the rules in `gpu.corpus.keywords`, so each label is true of
the audio by the same numbers the evaluation checks.
"""

from __future__ import annotations

import numpy as np

from gpu.audio import FADE_END_S, N_SAMPLES, SAMPLE_RATE, finish
from gpu.corpus.corpus import Corpus
from gpu.corpus.keywords import KEYWORD_RULES, assign_keywords
from gpu.descriptors import describe_batch

KEYWORDS: tuple[str, ...] = tuple(rule.keyword for rule in KEYWORD_RULES)

TRAIN_SEED = 0
"""Seed of the shipped model's synthetic training corpus."""
HELD_OUT_SEED = 7_919
"""Seed of the evaluation's held-out corpus: a different stream, never seen in training."""

_BLOCK = 128
FADE_END = round(FADE_END_S * SAMPLE_RATE)  # samples after this are silent in every kick
_CLICK_LEN = 2048
_NOISE_TABLE_LEN = 1 << 18
_MAX_START_HZ = 1200.0

PARAM_NAMES: tuple[str, ...] = (
    "end_hz",
    "start_hz",
    "sweep_ms",
    "attack_ms",
    "hold_ms",
    "decay_ms",
    "sub_level",
    "sub_decay_ms",
    "triangle",
    "click_level",
    "click_hz",
    "click_ms",
    "drive",
    "noise_level",
    "noise_offset",
)


def synthesize(n: int, seed: int = TRAIN_SEED) -> Corpus:
    """n labelled kicks, deterministic in (n, seed); see the module docstring."""
    if n < 0:
        raise ValueError(f"synthesize() needs a count of kicks ≥ 0; got {n}.")
    params = draw_params(n, seed)
    audio = np.zeros((n, N_SAMPLES), dtype=np.float32)
    noise_table = np.random.default_rng([seed, 0x5EED]).standard_normal(_NOISE_TABLE_LEN)
    for start in range(0, n, _BLOCK):
        block = {key: values[start : start + _BLOCK] for key, values in params.items()}
        audio[start : start + _BLOCK] = render(block, noise_table)
    descriptors = describe_batch(audio)
    keywords = assign_keywords(descriptors)
    names = [
        "-".join([f"synth{seed}", f"{i:06d}", *words, "kick"]) for i, words in enumerate(keywords)
    ]
    return Corpus(
        audio=audio, keywords=keywords, names=names, params=params, descriptors=descriptors
    )


def draw_params(n: int, seed: int) -> dict[str, np.ndarray]:
    """Synthesis parameters of kicks 0..n−1; kick i's come from its own stream (seed, i)."""
    rows = [_draw_one(np.random.default_rng([seed, i])) for i in range(n)]
    return {
        key: np.array([row[k] for row in rows], dtype=np.float64)
        for k, key in enumerate(PARAM_NAMES)
    }


def _draw_one(rng: np.random.Generator) -> tuple[float, ...]:
    def log_uniform(lo: float, hi: float) -> float:
        return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))

    end_hz = log_uniform(30.0, 95.0)
    start_hz = min(end_hz * 2.0 ** (rng.uniform(12.0, 48.0) / 12.0), _MAX_START_HZ)
    decay_ms = log_uniform(30.0, 350.0)
    has_sub = rng.uniform() < 0.5
    has_triangle = rng.uniform() < 0.3
    has_click = rng.uniform() < 0.8
    return (
        end_hz,
        start_hz,
        log_uniform(3.0, 40.0),  # sweep_ms
        rng.uniform(0.2, 3.0),  # attack_ms
        rng.uniform(0.0, 50.0),  # hold_ms
        decay_ms,
        rng.uniform(0.1, 0.5) if has_sub else 0.0,  # sub_level
        decay_ms * rng.uniform(1.5, 3.0),  # sub_decay_ms
        rng.uniform(0.2, 1.0) if has_triangle else 0.0,  # triangle
        log_uniform(0.1, 2.0) if has_click else 0.0,  # click_level
        log_uniform(1500.0, 8000.0),  # click_hz (high-pass corner)
        rng.uniform(0.5, 3.0),  # click_ms
        log_uniform(0.5, 60.0),  # drive
        log_uniform(1e-4, 3e-3),  # noise_level
        float(rng.integers(0, _NOISE_TABLE_LEN)),  # noise_offset
    )


def render(params: dict[str, np.ndarray], noise_table: np.ndarray) -> np.ndarray:
    """Kicks (B, 88200) float32 from parameter arrays of length B (one block of kicks).

    float32 throughout: the phase spans < 250 cycles over 1.75 s, so float32 keeps it to
    ~1e-4 rad, and halving the memory traffic halves the render time.
    """
    col = {
        key: np.asarray(values, dtype=np.float32)[:, None]
        for key, values in params.items()
        if key != "noise_offset"
    }
    t = np.arange(FADE_END, dtype=np.float32)[None, :] / np.float32(SAMPLE_RATE)  # silent after

    sweep = col["sweep_ms"] / np.float32(1000.0)
    cycles = np.expm1(-t / sweep)  # (B, T), reused in place below
    cycles *= -(col["start_hz"] - col["end_hz"]) * sweep
    cycles += col["end_hz"] * t
    cycles -= np.floor(cycles)  # phase in cycles, wrapped to [0, 1) (floor is cheaper than mod)
    body = np.sin(np.float32(2.0 * np.pi) * cycles)
    shaped = np.flatnonzero(params["triangle"] > 0)
    if shaped.size:
        shifted = cycles[shaped] + np.float32(0.25)
        tri = 1.0 - 4.0 * np.abs(shifted - np.floor(shifted) - 0.5)
        body[shaped] += col["triangle"][shaped] * (tri - body[shaped])
    del cycles

    attack = col["attack_ms"] / np.float32(1000.0)
    since = t - (attack + col["hold_ms"] / np.float32(1000.0))
    np.maximum(since, 0.0, out=since)
    amp = np.exp(-since / (col["decay_ms"] / np.float32(1000.0)))
    amp += col["sub_level"] * np.exp(-since / (col["sub_decay_ms"] / np.float32(1000.0)))
    amp *= np.minimum(t / attack, np.float32(1.0))
    del since
    kick = body * amp  # (B, T)
    del body

    kick[:, :_CLICK_LEN] += _clicks(params, noise_table).astype(np.float32)
    drive = col["drive"]
    kick *= drive
    np.tanh(kick, out=kick)
    kick /= np.tanh(drive)

    # Tail noise: for each kick a window of the noise table starting at its own offset.
    wrapped = np.concatenate([noise_table, noise_table[:FADE_END]]).astype(np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(wrapped, FADE_END)
    offsets = np.asarray(params["noise_offset"], dtype=np.int64)
    amp *= col["noise_level"]
    amp *= windows[offsets]
    kick += amp
    return finish(kick)


def _clicks(params: dict[str, np.ndarray], noise_table: np.ndarray) -> np.ndarray:
    """High-passed noise bursts (B, _CLICK_LEN), exponentially decaying from t = 0."""
    offsets = np.asarray(params["noise_offset"], dtype=np.int64)[:, None]
    # A stretch of the table far from the tail noise's, so the two layers are independent.
    idx = (offsets + len(noise_table) // 2 + np.arange(_CLICK_LEN)[None, :]) % len(noise_table)
    spectrum = np.fft.rfft(noise_table[idx], axis=1)  # (B, F)
    freqs = np.fft.rfftfreq(_CLICK_LEN, 1.0 / SAMPLE_RATE)[None, :]
    corner = np.asarray(params["click_hz"], dtype=np.float64)[:, None]
    # Second-order high-pass magnitude |H| = (f/fc)² / sqrt(1 + (f/fc)⁴), zero phase.
    ratio = (freqs / corner) ** 2
    burst = np.fft.irfft(spectrum * ratio / np.sqrt(1.0 + ratio**2), _CLICK_LEN, axis=1)
    burst /= np.abs(burst).max(axis=1, keepdims=True) + 1e-12
    t = np.arange(_CLICK_LEN)[None, :] / SAMPLE_RATE
    tau = np.asarray(params["click_ms"], dtype=np.float64)[:, None] / 1000.0
    level = np.asarray(params["click_level"], dtype=np.float64)[:, None]
    return level * burst * np.exp(-t / tau)
