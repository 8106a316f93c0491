"""Measurable qualities of a kick, computed from the audio with NumPy alone.

One definition serves three users: the model is conditioned on these numbers during training,
the evaluation compares generated and held-out kicks with them, and the web app shows a kick's
tail note with `tail_pitch_hz` + `hz_to_note`. Every function takes 44.1 kHz mono float audio.

Features (all computed per kick, batched over rows by `describe_batch`):

| key               | unit | definition                                                        |
|-------------------|------|-------------------------------------------------------------------|
| f0_150ms_hz       | Hz   | YIN fundamental over 100–240 ms (window centred near 150 ms)  (*) |
| tail_pitch_hz     | Hz   | YIN fundamental over 100–390 ms, searched in 25–200 Hz        (*) |
| attack_pitch_hz   | Hz   | zero-crossing rate of the body (low-passed) over 1–11 ms (1–41)   |
| pitch_drop_st     | st   | 12·log2(attack_pitch / tail_pitch)                                |
| decay_ms          | ms   | envelope peak → first fall 30 dB below it (10 ms energy envelope) |
| transient_share   | 0–1  | energy of the first 15 ms / energy of the whole kick ("punch")    |
| harmonic_share    | 0–1  | energy above 1.5 × tail pitch / total, over 80–400 ms (Hann)      |
| centroid_hz       | Hz   | spectral centroid of the attack, first 50 ms ("click/brightness") |

(*) A kick that is silent (60 dB under the peak of its 10 ms energy envelope) before 120 ms
leaves those windows nothing to read: YIN there measures the padding or a noise floor (501 Hz
was seen). Both pitches of such a kick are read where its body is still loud (within 40 dB of
the peak, until `end`): the zero-crossing rate of the low-passed body, the attack pitch's
method, over [end/2, end], or over [1 ms, end] when that half holds fewer than 3 crossings;
NaN outside the search range (25–500 Hz, 25–200 Hz). On synthetic kicks cut to 40–150 ms this
lands a median 40 cents from the body's instantaneous pitch, where YIN over the same few
periods missed by 115–380 cents. Kicks that still sound at 120 ms (over 99 % of the synthetic
corpus) keep the YIN windows.

Pitch follows YIN: de Cheveigné & Kawahara, "YIN, a fundamental frequency estimator for speech
and music", JASA 111(4), 2002 — difference function (eq. 6), cumulative mean normalisation
(eq. 8), absolute threshold (step 4) and parabolic interpolation (step 5).

Kept whole: the eight descriptors share one batched pass (envelope, low-passed body, YIN,
crossing rate) and the short-body rule (*) that changes two of them; split, those private steps
would become a public API whose only user is this table.
"""

from __future__ import annotations

import re

import numpy as np

SAMPLE_RATE = 44100

FEATURES: tuple[str, ...] = (
    "f0_150ms_hz",
    "pitch_drop_st",
    "decay_ms",
    "transient_share",
    "harmonic_share",
    "centroid_hz",
)
"""The six features of the issue's evaluation, in a fixed order (evaluation vectors use it)."""

DESCRIPTOR_KEYS: tuple[str, ...] = (*FEATURES, "tail_pitch_hz", "attack_pitch_hz")
"""Everything `describe` returns."""

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_TO_SHARP = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#", "Cb": "B", "Fb": "E"}
_NOTE_RE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]?)(-?\d)\s*$")

_CHUNK = 128  # rows per vectorised block: bounds memory at ~128 × 88200 × 8 bytes per temporary
_YIN_THRESHOLD = 0.15
_SILENCE_ENERGY = 1e-10
_PITCH_FMIN = 25.0
_F0_WINDOW = (0.100, 500.0)  # YIN head length (s) and highest pitch (Hz) of f0_150ms_hz
_TAIL_WINDOW = (0.250, 200.0)  # the same for tail_pitch_hz
_SHORT_BODY_S = 0.120  # a kick silent before this has a short body (module note (*))
_SILENT_DB = 60.0  # "silent": this far under the peak of the 10 ms energy envelope
_LOUD_DB = 40.0  # "loud": within this of the peak
_ATTACK_END_S = 0.050  # body_cycles trusts every loud hop before this (the sweep)
_STEADY_OCTAVES = 0.15  # and after it only counts within this of their neighbours' line


def describe(audio: np.ndarray, sr: int = SAMPLE_RATE) -> dict[str, float]:
    """Descriptors of one kick (1-D array) as plain floats; see the module table."""
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"describe() takes one kick as a 1-D array; got shape {audio.shape}.")
    batch = describe_batch(audio[None, :], sr)
    return {key: float(values[0]) for key, values in batch.items()}


def describe_batch(audio: np.ndarray, sr: int = SAMPLE_RATE) -> dict[str, np.ndarray]:
    """Descriptors of N kicks, audio (N, T) → {key: (N,) float64}; see the module table.

    Silent rows get NaN pitches and zero for the other features.
    """
    audio = np.asarray(audio)
    if audio.ndim != 2:
        raise ValueError(f"describe_batch() takes audio of shape (N, T); got {audio.shape}.")
    _check_rate(sr)
    bad_rows = int((~np.isfinite(audio)).any(axis=1).sum()) if audio.size else 0
    if bad_rows:
        raise ValueError(f"Descriptors need finite audio; {bad_rows} row(s) hold NaN or inf.")
    min_len = int(0.4 * sr)
    if audio.shape[1] < min_len:
        pad = np.zeros((audio.shape[0], min_len - audio.shape[1]), dtype=audio.dtype)
        audio = np.concatenate([audio, pad], axis=1)
    parts = [_describe_block(audio[i : i + _CHUNK], sr) for i in range(0, len(audio), _CHUNK)]
    if not parts:
        return {key: np.zeros(0) for key in DESCRIPTOR_KEYS}
    return {key: np.concatenate([p[key] for p in parts]) for key in DESCRIPTOR_KEYS}


def tail_pitch_hz(audio: np.ndarray, sr: int = SAMPLE_RATE) -> float:
    """Fundamental of the kick's tail (YIN over 100–390 ms, 25–200 Hz); NaN if unpitched."""
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"tail_pitch_hz() takes one kick as a 1-D array; got {audio.shape}.")
    _check_rate(sr)
    if not np.isfinite(audio).all():
        raise ValueError("tail_pitch_hz() needs finite audio; the kick holds NaN or inf.")
    audio = _pad_to(audio[None, :], int(0.4 * sr))
    return float(_late_pitch(audio, sr, *_TAIL_WINDOW, _short_body_pitch(audio, sr))[0])


def hz_to_note(hz: float) -> tuple[str, int]:
    """Nearest equal-tempered note (A4 = 440 Hz, sharps) and its offset in cents: ("F1", -12)."""
    if not np.isfinite(hz) or hz <= 0:
        raise ValueError(f"A note needs a positive, finite frequency in Hz; got {hz!r}.")
    midi = 69.0 + 12.0 * np.log2(hz / 440.0)
    nearest = round(midi)
    cents = round(100.0 * (midi - nearest))
    return f"{NOTE_NAMES[nearest % 12]}{nearest // 12 - 1}", int(cents)


def note_to_hz(note: str) -> float:
    """Frequency of a note name such as "F1", "F#1" or "Gb1" (A4 = 440 Hz)."""
    match = _NOTE_RE.match(note) if isinstance(note, str) else None
    if match is None:
        raise ValueError(
            f"{note!r} is not a note name; write a letter A–G, an optional # or b, "
            "and an octave digit, e.g. 'F1', 'F#1' or 'Gb1'."
        )
    letter, accidental, octave = match.groups()
    accidental = {"♯": "#", "♭": "b"}.get(accidental, accidental)
    name = letter.upper() + accidental
    octave_shift = 0
    if accidental == "b":
        # Cb belongs to the octave below by pitch (Cb1 = B0).
        octave_shift = -1 if name == "Cb" else 0
        name = _FLAT_TO_SHARP.get(name, name)
    elif name in ("E#", "B#"):
        octave_shift = 1 if name == "B#" else 0
        name = {"E#": "F", "B#": "C"}[name]
    midi = (int(octave) + 1 + octave_shift) * 12 + NOTE_NAMES.index(name)
    return float(440.0 * 2.0 ** ((midi - 69) / 12.0))


def _check_rate(sr: int) -> None:
    if sr < 8000:
        raise ValueError(f"Descriptors need a sample rate of at least 8 kHz; got {sr}.")


def _pad_to(audio: np.ndarray, length: int) -> np.ndarray:
    if audio.shape[1] >= length:
        return audio
    return np.pad(audio, ((0, 0), (0, length - audio.shape[1])))


def _describe_block(audio: np.ndarray, sr: int) -> dict[str, np.ndarray]:
    x = audio.astype(np.float64)  # (B, T)
    energy_total = np.einsum("bt,bt->b", x, x)
    silent = energy_total < _SILENCE_ENERGY

    short_body = _short_body_pitch(x, sr)
    tail = _late_pitch(x, sr, *_TAIL_WINDOW, short_body)
    f0_150 = _late_pitch(x, sr, *_F0_WINDOW, short_body)
    attack = _attack_pitch(x, sr)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = 12.0 * np.log2(attack / tail)
    drop = np.where(np.isfinite(drop), drop, 0.0)

    n_transient = round(0.015 * sr)
    transient_energy = np.einsum("bt,bt->b", x[:, :n_transient], x[:, :n_transient])
    safe_total = np.where(silent, 1.0, energy_total)

    out = {
        "f0_150ms_hz": f0_150,
        "pitch_drop_st": drop,
        "decay_ms": _decay_ms(x, sr),
        "transient_share": transient_energy / safe_total,
        "harmonic_share": _harmonic_share(x, sr, tail),
        "centroid_hz": _attack_centroid(x, sr),
        "tail_pitch_hz": tail,
        "attack_pitch_hz": attack,
    }
    for key in ("decay_ms", "transient_share", "harmonic_share", "centroid_hz", "pitch_drop_st"):
        out[key] = np.where(silent, 0.0, out[key])
    for key in ("f0_150ms_hz", "tail_pitch_hz", "attack_pitch_hz"):
        out[key] = np.where(silent, np.nan, out[key])
    return out


def _late_pitch(
    x: np.ndarray,
    sr: int,
    window_s: float,
    fmax: float,
    short_body: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """YIN from 100 ms on in 25 Hz–fmax, or for a short body its own pitch (module note (*))."""
    yin = _yin(x, sr, start_s=0.100, window_s=window_s, fmin=_PITCH_FMIN, fmax=fmax)
    short, short_hz = short_body
    in_range = (short_hz >= _PITCH_FMIN) & (short_hz <= fmax)
    return np.where(short, np.where(in_range, short_hz, np.nan), yin)


def _short_body_pitch(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are silent before _SHORT_BODY_S, and their zero-crossing pitch (module
    note (*); NaN for the other rows). (B,) bool, (B,) float64."""
    env_db, frame_ms = _envelope_db(x, sr)
    below_peak = env_db.max(axis=1, keepdims=True) - env_db  # (B, frames) dB

    def end_s(floor_db: float) -> np.ndarray:
        last = env_db.shape[1] - 1 - np.argmax((below_peak <= floor_db)[:, ::-1], axis=1)
        # A frame averages the 5 ms either side of it: step back so that a sound that stops
        # abruptly ends where it stops, not where the average lets go of it.
        return np.maximum(last - 5, 0) * frame_ms / 1000.0

    short = end_s(_SILENT_DB) < _SHORT_BODY_S
    hz = np.full(len(x), np.nan)
    rows = np.flatnonzero(short)
    if rows.size:
        loud_end = end_s(_LOUD_DB)[rows]
        body = body_low_passed(x[rows, : round(2 * _SHORT_BODY_S * sr)], sr)
        for row, b, end in zip(rows, body, loud_end, strict=True):
            for start in (end / 2, 0.001):  # the second half, else all of it after 1 ms
                if np.isnan(hz[row]) and start < end:
                    hz[row] = _crossing_rate(b[None, :], sr, start, end)[0]
    return short, hz


def _yin(
    x: np.ndarray, sr: int, start_s: float, window_s: float, fmin: float, fmax: float
) -> np.ndarray:
    """YIN fundamental (Hz) of the segment [start, start + window + 1/fmin) of each row."""
    w = round(window_s * sr)
    tau_min = max(2, int(np.floor(sr / fmax)))
    tau_max = int(np.ceil(sr / fmin))
    start = round(start_s * sr)
    seg = x[:, start : start + w + tau_max + 1]  # (B, W + tau_max + 1)
    seg = _pad_to(seg, w + tau_max + 1)
    head = seg[:, :w]  # (B, W)

    # Difference function d(τ) = Σ_j (x_j − x_{j+τ})², j < W (eq. 6), expanded into the two
    # energies and a cross-correlation computed by FFT; zero padding to n ≥ W + τmax + 1 keeps
    # the circular correlation free of wrap-around for every 0 ≤ τ ≤ τmax.
    n = 1 << int(np.ceil(np.log2(seg.shape[1])))
    cross = np.fft.irfft(np.conj(np.fft.rfft(head, n)) * np.fft.rfft(seg, n), n)
    cross = cross[:, : tau_max + 1]  # (B, τmax + 1)
    sq_cum = np.concatenate([np.zeros((len(seg), 1)), np.cumsum(seg * seg, axis=1)], axis=1)
    energy_head = sq_cum[:, w : w + 1]  # (B, 1)
    taus = np.arange(tau_max + 1)
    energy_shift = sq_cum[:, taus + w] - sq_cum[:, taus]  # (B, τmax + 1)
    diff = np.maximum(energy_head + energy_shift - 2.0 * cross, 0.0)
    diff[:, 0] = 0.0

    # Cumulative mean normalised difference d'(τ) = d(τ)·τ / Σ_{k≤τ} d(k) (eq. 8).
    running = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        cmnd[:, 1:] = np.where(running > 0, diff[:, 1:] * taus[1:] / running, 1.0)

    # Absolute threshold (step 4): the first dip below the threshold, followed down to its
    # local minimum; rows that never dip take the global minimum of the search range.
    search = cmnd[:, tau_min : tau_max + 1]  # (B, S)
    below = search < _YIN_THRESHOLD
    has_dip = below.any(axis=1)
    first = np.argmax(below, axis=1)
    rising = np.concatenate([search[:, 1:] >= search[:, :-1], np.ones((len(seg), 1), bool)], 1)
    after_first = np.arange(search.shape[1])[None, :] >= first[:, None]
    local_min = np.argmax(rising & after_first, axis=1)
    best = np.where(has_dip, local_min, np.argmin(search, axis=1)) + tau_min

    # Parabolic interpolation (step 5) on d'.
    rows = np.arange(len(seg))
    inner = np.clip(best, tau_min + 1, tau_max - 1)
    y0, y1, y2 = cmnd[rows, inner - 1], cmnd[rows, inner], cmnd[rows, inner + 1]
    curvature = y0 - 2.0 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature > 1e-12, 0.5 * (y0 - y2) / curvature, 0.0)
    period = np.where(inner == best, best + np.clip(shift, -1.0, 1.0), best)

    voiced = energy_head[:, 0] > _SILENCE_ENERGY
    return np.where(voiced, sr / period, np.nan)


def body_cycles(
    audio: np.ndarray, hop: int, n_hops: int, sr: int = SAMPLE_RATE, floor_db: float = 40.0
) -> tuple[np.ndarray, np.ndarray]:
    """Cycles the body completes in each hop [t·hop, (t + 1)·hop), and where that is known.

    The body's unwrapped phase is read from the same zero crossings as the attack pitch: the
    k-th crossing of the low-passed signal is k half cycles from the onset (phase 0 at sample
    0, where a kick's body starts), linear between crossings. A hop is trusted (weight 1) when
    it ends before the last crossing, the body's level over it is within ``floor_db`` of its
    loudest hop, and after the attack its count lies on the line through its neighbours'
    (`_steady`); elsewhere (silence, noise floor, a recording's room) the count means nothing.
    This is the vocoder's oscillator target: measured from audio alone, so any sample
    library has it.
    audio (B, N) → (cycles, weight), each (B, n_hops) float32.
    """
    if np.ndim(audio) != 2:
        raise ValueError(f"body_cycles() takes audio of shape (B, N); got {np.shape(audio)}.")
    _check_rate(sr)
    n = n_hops * hop
    cycles = np.zeros((len(audio), n_hops), dtype=np.float32)
    weight = np.zeros((len(audio), n_hops), dtype=np.float32)
    edges = np.arange(n_hops + 1) * hop
    for lo in range(0, len(audio), _CHUNK // 2):
        block = _pad_to(np.asarray(audio[lo : lo + _CHUNK // 2, :n], dtype=np.float64), n)
        body = body_low_passed(block, sr)
        a, b = body[:, :-1], body[:, 1:]
        level = np.sqrt(np.mean(body.reshape(len(body), n_hops, hop) ** 2, axis=2))
        loud = level >= level.max(axis=1, keepdims=True) * 10.0 ** (-floor_db / 20.0)
        for i in range(len(body)):
            at = np.flatnonzero((a[i] < 0) != (b[i] < 0))
            if len(at) < 2:
                continue
            times = at + a[i, at] / (a[i, at] - b[i, at])
            half_cycles = np.arange(1, len(times) + 1)
            phase = np.interp(
                edges, np.concatenate([[0.0], times]), np.concatenate([[0], half_cycles])
            )
            cycles[lo + i] = 0.5 * np.diff(phase)
            weight[lo + i] = loud[i] & (edges[1:] <= times[-1]) & (cycles[lo + i] > 0)
    weight *= _steady(cycles, round(_ATTACK_END_S * sr / hop))
    return cycles, weight


def _steady(cycles: np.ndarray, attack_hops: int) -> np.ndarray:
    """(B, T) bool: False for hops after the attack whose count jumps away from the line
    through its two neighbours (in octaves) by more than _STEADY_OCTAVES. Past the sweep a
    body glides slowly; counts that jump are crossings of a recorded kick's room or shell
    noise once the body has faded (a FluidR3 "Power" kick read 96, 40, 140 Hz in successive
    hops around its 50 Hz body). The attack keeps its counts: a fast sweep bends sharply."""
    with np.errstate(divide="ignore"):
        octaves = np.log2(np.maximum(cycles, 0.0))  # (B, T), -inf where no cycle
    steady = np.ones(cycles.shape, dtype=bool)
    middle = 0.5 * (octaves[:, :-2] + octaves[:, 2:])
    with np.errstate(invalid="ignore"):
        jump = np.abs(octaves[:, 1:-1] - middle)
    steady[:, 1:-1] = jump <= _STEADY_OCTAVES  # NaN (a silent neighbour) is not steady
    steady[:, -1] = False  # no neighbour after it to check against
    steady[:, :attack_hops] = True
    return steady


def body_low_passed(x: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The body, (B, T) → (B, T): raised-cosine low-pass, flat to 1.5 kHz, zero from 3 kHz (a
    soft edge rings less), which removes the click layer's noise but keeps every sign change
    of the body; zero-padded to twice the length, so the ringing does not wrap around."""
    n = x.shape[1]
    n_fft = 2 * n
    spectrum = np.fft.rfft(x, n_fft)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    gain = np.clip((3000.0 - freqs) / 1500.0, 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.fft.irfft(spectrum * gain, n_fft)[:, :n]


def _attack_pitch(x: np.ndarray, sr: int) -> np.ndarray:
    """Mean body frequency over 1–11 ms from zero crossings of the low-passed signal.

    Zero crossings survive saturation (tanh keeps every sign change), and the low-pass removes
    the click layer's noise; crossings are timed to a fraction of a sample by linear
    interpolation and the rate is taken between the first and last one.
    """
    n_seg = min(4096, x.shape[1])
    taper = np.ones(n_seg)
    fade = n_seg // 4
    taper[-fade:] = 0.5 * (1.0 + np.cos(np.pi * np.arange(fade) / fade))
    body = body_low_passed(x[:, :n_seg] * taper, sr)

    short = _crossing_rate(body, sr, 0.001, 0.011)
    # A low start pitch gives too few crossings in 10 ms; those rows widen the window to 40 ms.
    wide = _crossing_rate(body, sr, 0.001, 0.041)
    return np.where(np.isfinite(short), short, wide)


def _crossing_rate(body: np.ndarray, sr: int, start_s: float, stop_s: float) -> np.ndarray:
    """Frequency from fractional zero-crossing times between start and stop; NaN if < 3."""
    lo, hi = round(start_s * sr), round(stop_s * sr)
    seg = body[:, lo : hi + 1]  # (B, S)
    a, b = seg[:, :-1], seg[:, 1:]
    crossing = (a < 0) != (b < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(crossing, a / (a - b), 0.0)
    times = np.arange(seg.shape[1] - 1)[None, :] + frac  # samples from `lo`
    count = crossing.sum(axis=1)
    first_t = np.where(crossing, times, np.inf).min(axis=1)
    last_t = np.where(crossing, times, -np.inf).max(axis=1)
    span = last_t - first_t
    with np.errstate(divide="ignore", invalid="ignore"):
        hz = (count - 1) * sr / (2.0 * span)
    return np.where((count >= 3) & (span > 0), hz, np.nan)


def _envelope_db(x: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """Energy envelope in dB: ~1 ms blocks of summed squares, averaged over 10 blocks."""
    hop = max(1, sr // 1000)
    n_blocks = x.shape[1] // hop
    blocks = x[:, : n_blocks * hop].reshape(len(x), n_blocks, hop)  # (B, blocks, hop)
    block_energy = np.einsum("bkh,bkh->bk", blocks, blocks)
    width = 10
    cum = np.concatenate([np.zeros((len(x), 1)), np.cumsum(block_energy, axis=1)], axis=1)
    lo = np.clip(np.arange(n_blocks) - width // 2, 0, n_blocks)
    hi = np.clip(np.arange(n_blocks) + width // 2, 0, n_blocks)
    mean_sq = (cum[:, hi] - cum[:, lo]) / (width * hop)  # (B, blocks)
    return 10.0 * np.log10(mean_sq + 1e-20), 1000.0 * hop / sr


def _decay_ms(x: np.ndarray, sr: int) -> np.ndarray:
    env_db, frame_ms = _envelope_db(x, sr)
    rows = np.arange(len(x))
    # The peak is the first frame within 1 dB of the maximum, so the ripple of a sustained
    # low note cannot move it to the end of the clip.
    loudest = env_db.max(axis=1)
    peak = np.argmax(env_db >= loudest[:, None] - 1.0, axis=1)
    threshold = loudest - 30.0
    frames = np.arange(env_db.shape[1])[None, :]
    below = (frames > peak[:, None]) & (env_db < threshold[:, None])
    reached = below.any(axis=1)
    cross = np.argmax(below, axis=1)
    # Linear interpolation between the last frame above and the first below the threshold.
    prev_db = env_db[rows, np.maximum(cross - 1, 0)]
    cross_db = env_db[rows, cross]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(prev_db > cross_db, (prev_db - threshold) / (prev_db - cross_db), 0.0)
    frame = np.where(reached, cross - 1 + np.clip(frac, 0.0, 1.0), env_db.shape[1] - 1)
    return (frame - peak) * frame_ms


def _harmonic_share(x: np.ndarray, sr: int, fundamental: np.ndarray) -> np.ndarray:
    start, stop = round(0.080 * sr), round(0.400 * sr)
    seg = x[:, start:stop] * np.hanning(stop - start)
    power = np.abs(np.fft.rfft(seg, axis=1)) ** 2  # (B, F)
    freqs = np.fft.rfftfreq(stop - start, 1.0 / sr)
    edge = np.where(np.isfinite(fundamental), 1.5 * fundamental, np.inf)
    above = (power * (freqs[None, :] > edge[:, None])).sum(axis=1)
    total = power.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, above / total, 0.0)


def _attack_centroid(x: np.ndarray, sr: int) -> np.ndarray:
    n = round(0.050 * sr)
    taper = np.ones(n)
    fade = round(0.020 * sr)
    taper[-fade:] = 0.5 * (1.0 + np.cos(np.pi * np.arange(fade) / fade))
    power = np.abs(np.fft.rfft(x[:, :n] * taper, 4096, axis=1)) ** 2
    freqs = np.fft.rfftfreq(4096, 1.0 / sr)
    total = power.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, power @ freqs / total, 0.0)
