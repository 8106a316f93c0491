"""A corpus from any folder of kick samples (WAV, AIFF, FLAC, and what else libsndfile reads).

Each file is decoded with soundfile (libsndfile 1.2: PCM 8–32 bit and float WAV/AIFF, FLAC,
OGG, MP3), mixed to mono, resampled to 44.1 kHz with a polyphase filter
(scipy.signal.resample_poly), leading silence (below −60 dB of the peak) is cut so the attack
starts at t = 0, then the kick is finished like every kick: 2.000 s, cubic tail fade, zero
DC, peak 1.0 (`gpu.audio.finish`).

Keywords come from file names the way the reference did it: split on - _ space ., lowercase,
drop numbers and single characters; a word is kept when it appears in at least 5 files of the
folder (each file counts once per word).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from gpu.audio import N_SAMPLES, SAMPLE_RATE, finish
from gpu.corpus.corpus import Corpus
from gpu.corpus.keywords import MIN_KEYWORD_COUNT, filename_words, frequent_words

AUDIO_SUFFIXES = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".ogg", ".mp3"})


class FolderError(ValueError):
    """The folder cannot become a corpus (missing, empty, or a file that cannot be decoded)."""


def load_folder(
    path: str | Path, min_count: int = MIN_KEYWORD_COUNT, recursive: bool = True
) -> Corpus:
    """Every audio file under `path` (sorted by relative path) as a finished, labelled corpus.

    A file that cannot be decoded stops the load with its name in the message, so a broken
    sample library is noticed instead of silently shrinking the corpus.
    """
    root = Path(path)
    if not root.is_dir():
        raise FolderError(f"{root} is not a folder of kick samples.")
    pattern = "**/*" if recursive else "*"
    files = sorted(
        (f for f in root.glob(pattern) if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES),
        key=lambda f: f.relative_to(root).as_posix(),
    )
    if not files:
        raise FolderError(
            f"{root} holds no audio files; expected any of {', '.join(sorted(AUDIO_SUFFIXES))}."
        )

    audio = np.zeros((len(files), N_SAMPLES), dtype=np.float32)
    rates = np.zeros(len(files), dtype=np.int64)
    for i, file in enumerate(files):
        audio[i], rates[i] = read_kick(file)

    words = [filename_words(f.stem) for f in files]
    keep = frequent_words(words, min_count)
    return Corpus(
        audio=audio,
        keywords=[[w for w in file_words if w in keep] for file_words in words],
        names=[f.relative_to(root).as_posix() for f in files],
        params={"source_rate": rates},
    )


def read_kick(path: str | Path) -> tuple[np.ndarray, int]:
    """One file → (finished kick (88200,) float32, the file's own sample rate)."""
    try:
        # Only ~2 s after the onset are kept, so read no more than that from long files.
        info = soundfile.info(str(path))
        frames = min(info.frames, int(np.ceil(2.5 * info.samplerate)) + 64)
        data, rate = soundfile.read(str(path), frames=frames, dtype="float64", always_2d=True)
    except (soundfile.SoundFileError, RuntimeError) as error:
        raise FolderError(f"Cannot decode {path}: {error}") from error
    mono = trim_leading_silence(data.mean(axis=1))  # (frames,)
    if rate != SAMPLE_RATE:
        ratio = Fraction(SAMPLE_RATE, rate).limit_denominator(1000)
        mono = resample_poly(mono, ratio.numerator, ratio.denominator)
    return finish(mono), int(rate)


def trim_leading_silence(audio: np.ndarray, floor_db: float = -60.0) -> np.ndarray:
    """Drop the samples before the first one within `floor_db` of the peak, so every kick's
    attack sits at t = 0 where the descriptors' attack windows look for it."""
    peak = np.abs(audio).max(initial=0.0)
    if peak == 0.0:
        return audio
    onset = int(np.argmax(np.abs(audio) >= peak * 10.0 ** (floor_db / 20.0)))
    return audio[onset:]
