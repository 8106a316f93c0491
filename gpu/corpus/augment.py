"""More kicks from few real ones: the changes a producer makes to a sample in a sampler.

A folder of free kits holds a few hundred real kicks; the model needs more variety around
each of them than that. Every copy after the first of each kick is changed by what a sampler
does to a one-shot, each draw independent and deterministic in (seed, kick, copy):

    pitch       played back 2^(s/12) faster, s uniform in ±3 semitones (pitch and length
                move together, as a sampler's tune knob does), by linear interpolation
    envelope    multiplied by exp(−t/τ), τ log-uniform 80 ms–2 s (an amp envelope's decay)
    saturation  tanh(g·x)/tanh(g), g log-uniform 0.5–2.5 (a soft clipper)
    tilt        x + a·(x − low-passed x), a uniform in ±0.5: brighter or darker attack

then `gpu.audio.output_format.finish`, as every kick. The first copy is the kick itself, unchanged.
"""

from __future__ import annotations

import numpy as np

from gpu.audio.output_format import N_SAMPLES, SAMPLE_RATE, finish
from gpu.corpus.corpus import Corpus

_TILT_CORNER_HZ = 1_000.0


def augment(corpus: Corpus, copies: int, seed: int = 0) -> Corpus:
    """Each kick of ``corpus`` ``copies`` times: itself, then changed copies (see module).
    Keywords are measured again on the changed audio by the caller if it needs them; here
    each copy keeps its source's words and names get a ``~augN`` suffix."""
    if copies < 1:
        raise ValueError(f"augment() needs at least one copy per kick; got {copies}.")
    audio = np.zeros((len(corpus) * copies, N_SAMPLES), dtype=np.float32)
    names: list[str] = []
    keywords: list[list[str]] = []
    for i, kick in enumerate(corpus.audio):
        for copy in range(copies):
            row = i * copies + copy
            if copy == 0:
                audio[row] = kick
            else:
                audio[row] = changed(kick, np.random.default_rng([seed, i, copy]))
            names.append(corpus.names[i] if copy == 0 else f"{corpus.names[i]}~aug{copy}")
            keywords.append(list(corpus.keywords[i]))
    params = {key: np.repeat(np.asarray(values), copies) for key, values in corpus.params.items()}
    return Corpus(audio=audio, keywords=keywords, names=names, params=params)


def changed(kick: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One finished kick (88200,) through a random pitch, envelope, saturation and tilt."""

    def log_uniform(lo: float, hi: float) -> float:
        return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))

    speed = 2.0 ** (rng.uniform(-3.0, 3.0) / 12.0)
    positions = np.arange(N_SAMPLES) * speed
    x = np.interp(positions, np.arange(len(kick)), kick, right=0.0)
    t = np.arange(N_SAMPLES) / SAMPLE_RATE
    x = x * np.exp(-t / (log_uniform(80.0, 2_000.0) / 1_000.0))
    drive = log_uniform(0.5, 2.5)
    x = np.tanh(drive * x) / np.tanh(drive)
    x = x + rng.uniform(-0.5, 0.5) * (x - _low_passed(x))
    return finish(x)


def _low_passed(x: np.ndarray) -> np.ndarray:
    """One-pole low-pass at _TILT_CORNER_HZ, zero phase (forward FFT filter): the tilt's
    dark half. A first-order slope keeps the tilt gentle, as a shelf would be."""
    freqs = np.fft.rfftfreq(2 * len(x), 1.0 / SAMPLE_RATE)
    spectrum = np.fft.rfft(x, 2 * len(x)) / np.sqrt(1.0 + (freqs / _TILT_CORNER_HZ) ** 2)
    return np.fft.irfft(spectrum, 2 * len(x))[: len(x)]
