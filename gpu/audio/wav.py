"""WAV bytes in and out for one mono kick, through soundfile (libsndfile).

Writing: 16-bit PCM by default (samples scaled by 32767 and rounded, so ±1.0 land on ±32767),
32-bit IEEE float if asked. Reading: any WAV libsndfile decodes (PCM 8–32 bit, float, WAVE
extensible, RF64), channels averaged to mono float32; anything else is a ValueError that says
what libsndfile found.
"""

from __future__ import annotations

import io

import numpy as np
import soundfile

from gpu.audio.output_format import SAMPLE_RATE

_WAV_FORMATS = frozenset({"WAV", "WAVEX", "RF64"})


def to_wav_bytes(audio: np.ndarray, sample_rate: int = SAMPLE_RATE, float32: bool = False) -> bytes:
    """Encode one mono kick (N,) as WAV: 16-bit PCM by default, 32-bit float if asked."""
    samples = np.asarray(audio)
    if samples.ndim != 1:
        raise ValueError(f"to_wav_bytes encodes one mono kick of shape (N,), got {samples.shape}.")
    samples = np.clip(np.nan_to_num(samples.astype(np.float32)), -1.0, 1.0)
    buffer = io.BytesIO()
    if float32:
        soundfile.write(buffer, samples, sample_rate, subtype="FLOAT", format="WAV")
    else:
        # Integers handed to libsndfile are written as they are; its own float conversion
        # scales by 32768 and clips +1.0, which would make the two signs unequal.
        pcm = np.round(samples * 32767.0).astype(np.int16)
        soundfile.write(buffer, pcm, sample_rate, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


def read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """Decode WAV bytes to (mono float32 (N,), sample_rate). Raises ValueError on anything else."""
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as wav:
            if wav.format not in _WAV_FORMATS:
                raise ValueError(f"Not a WAV file: libsndfile reads it as {wav.format_info}.")
            frames = wav.read(dtype="float32", always_2d=True)  # (N, channels)
            rate = wav.samplerate
    except soundfile.LibsndfileError as error:
        raise ValueError(f"Not a WAV file libsndfile can decode: {error.error_string}") from error
    return frames.mean(axis=1, dtype=np.float32), int(rate)
