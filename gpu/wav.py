"""WAV bytes in and out for one mono kick (stdlib ``wave`` for PCM; RIFF by hand for float).

``wave`` only writes integer PCM, so IEEE-float files (format tag 3) get their 44-byte header
from ``struct``; reading accepts 16/24/32-bit PCM and 32-bit float, mono or multi-channel
(channels are averaged).
"""

from __future__ import annotations

import io
import struct
import wave

import numpy as np

from gpu.audio import SAMPLE_RATE

_PCM = 1
_IEEE_FLOAT = 3
_EXTENSIBLE = 0xFFFE


def to_wav_bytes(audio: np.ndarray, sample_rate: int = SAMPLE_RATE, float32: bool = False) -> bytes:
    """Encode one mono kick (N,) as WAV: 16-bit PCM by default, 32-bit float if asked."""
    samples = np.asarray(audio)
    if samples.ndim != 1:
        raise ValueError(f"to_wav_bytes encodes one mono kick of shape (N,), got {samples.shape}.")
    samples = np.clip(np.nan_to_num(samples.astype(np.float32)), -1.0, 1.0)
    if float32:
        data = samples.astype("<f4").tobytes()
        header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        fmt = struct.pack("<HHIIHH", _IEEE_FLOAT, 1, sample_rate, sample_rate * 4, 4, 32)
        return (
            header
            + b"fmt "
            + struct.pack("<I", 16)
            + fmt
            + b"data"
            + struct.pack("<I", len(data))
            + data
        )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.round(samples * 32767.0).astype("<i2").tobytes())
    return buffer.getvalue()


def read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """Decode WAV bytes to (mono float32 (N,), sample_rate). Raises ValueError on anything else."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("Not a WAV file: the RIFF/WAVE header is missing.")
    fmt = None
    payload = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == _EXTENSIBLE and len(body) >= 26:
                # The sub-format GUID at byte 24 starts with the real format tag.
                fmt = (struct.unpack("<H", body[24:26])[0], *fmt[1:])
        elif chunk_id == b"data":
            payload = body
        pos += 8 + size + (size & 1)
    if fmt is None or payload is None:
        raise ValueError("WAV file has no fmt or data chunk.")
    tag, channels, sample_rate, _, _, bits = fmt
    frames = len(payload) // max(1, channels * bits // 8)
    if tag == _IEEE_FLOAT and bits == 32:
        samples = np.frombuffer(payload[: frames * channels * 4], dtype="<f4").astype(np.float32)
    elif bits == 16:
        samples = np.frombuffer(payload[: frames * channels * 2], dtype="<i2") / 32768.0
    elif bits == 24:
        raw = np.frombuffer(payload[: frames * channels * 3], dtype=np.uint8).reshape(-1, 3)
        ints = raw[:, 0].astype(np.int32) | (raw[:, 1].astype(np.int32) << 8)
        ints |= raw[:, 2].astype(np.int32) << 16
        samples = np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)
    elif bits == 32:
        samples = np.frombuffer(payload[: frames * channels * 4], dtype="<i4") / float(1 << 31)
    else:
        raise ValueError(f"Unsupported WAV sample format: tag {tag}, {bits} bits.")
    mono = np.asarray(samples, dtype=np.float32).reshape(frames, channels).mean(axis=1)
    return mono.astype(np.float32), int(sample_rate)
