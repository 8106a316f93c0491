"""A corpus from any folder of kick samples (WAV, AIFF, FLAC, and what else libsndfile reads).

Each file is decoded with soundfile (libsndfile 1.2: PCM 8–32 bit and float WAV/AIFF, FLAC,
OGG, MP3). A RIFF/WAVE file libsndfile refuses may wrap an Ogg Vorbis stream (format tag
0x674F, "Og", as LMMS ships its drum samples); its data chunk is then decoded as the Ogg file it
is. A file that still cannot be decoded, or that holds only silence, is skipped: all skipped
files are named in one `SkippedFilesWarning` and kept on the corpus (`FolderCorpus.skipped`),
and only a folder where nothing decodes is refused.

Each kick is mixed to mono and cut to the part that sounds (from the first to the last sample
within −60 dB of the peak, so the attack starts at t = 0 where the descriptors' attack windows
look for it, and padding in the file is not taken for sound), resampled to 44.1 kHz with a
polyphase filter (scipy.signal.resample_poly), then finished like every kick: 2.000 s, cubic
tail fade, zero DC, peak 1.0 (`gpu.audio.output_format.finish`, which keeps the padding
after a short kick exactly silent).

Keywords mean what they mean on synthetic kicks: every kick gets the rule keywords its audio
measures (`assign_keywords`), plus the file-name words of `name_keywords` — in at least 5
files, no stop word, and not confined to one kit (the first subfolder) when there are several.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from gpu.audio.descriptors import describe_batch
from gpu.audio.output_format import SAMPLE_RATE, finish
from gpu.corpus.corpus import Corpus
from gpu.corpus.keywords import MIN_KEYWORD_COUNT, assign_keywords, filename_words, name_keywords

AUDIO_SUFFIXES = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".ogg", ".mp3"})
_SILENCE_DB = -60.0


class FolderError(ValueError):
    """The folder, or one file of it, cannot become part of a corpus."""


class SkippedFilesWarning(UserWarning):
    """Some files of a sample folder could not be decoded and are not in the corpus."""


@dataclass
class FolderCorpus(Corpus):
    """A sample folder's corpus; `skipped` names the files left out (relative paths)."""

    skipped: list[str] = field(default_factory=list)


def load_folder(
    path: str | Path, min_count: int = MIN_KEYWORD_COUNT, recursive: bool = True
) -> FolderCorpus:
    """Every decodable audio file under `path` (sorted by relative path) as a finished,
    labelled corpus; see the module docstring for what is skipped and how kicks are labelled.

    The skipped files are named in one warning rather than a log line: the person loading the
    folder can act on it (convert or remove the files), and tests and callers can catch it or
    turn it into an error with the warnings filter.
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

    kicks, rates, loaded, skipped, refusals = [], [], [], [], []
    for file in files:
        try:
            kick, rate = read_kick(file)
        except FolderError as error:
            skipped.append(file.relative_to(root).as_posix())
            refusals.append(str(error))
            continue
        kicks.append(kick)
        rates.append(rate)
        loaded.append(file.relative_to(root))
    if not loaded:
        raise FolderError(
            f"Cannot decode any of the {len(files)} audio files under {root}: " + " ".join(refusals)
        )
    if skipped:
        warnings.warn(
            f"Skipped {len(skipped)} of {len(files)} audio files under {root}: "
            + " ".join(refusals),
            SkippedFilesWarning,
            stacklevel=2,
        )

    audio = np.stack(kicks)  # (N, 88200)
    descriptors = describe_batch(audio)
    words = [filename_words(f.stem) for f in loaded]
    kits = [f.parts[0] if len(f.parts) > 1 else "" for f in loaded]
    keep = name_keywords(words, kits, min_count)
    return FolderCorpus(
        audio=audio,
        keywords=[
            [*measured, *(w for w in file_words if w in keep)]
            for measured, file_words in zip(assign_keywords(descriptors), words, strict=True)
        ],
        names=[f.as_posix() for f in loaded],
        params={"source_rate": np.array(rates, dtype=np.int64)},
        descriptors=descriptors,
        skipped=skipped,
    )


def read_kick(path: str | Path) -> tuple[np.ndarray, int]:
    """One file → (finished kick (88200,) float32, the file's own sample rate).

    Raises FolderError when the file cannot be decoded or holds only silence.
    """
    data, rate = _decode(Path(path))  # (frames, channels)
    mono = trim_silence(np.nan_to_num(data.mean(axis=1), nan=0.0, posinf=0.0, neginf=0.0))
    if not mono.any():
        raise FolderError(f"{path} holds only silence.")
    if rate != SAMPLE_RATE:
        ratio = Fraction(SAMPLE_RATE, rate).limit_denominator(1000)
        mono = resample_poly(mono, ratio.numerator, ratio.denominator)
    return finish(mono), rate


def trim_silence(audio: np.ndarray, floor_db: float = _SILENCE_DB) -> np.ndarray:
    """The span from the first to the last sample within `floor_db` of the peak (all of a
    silent input)."""
    peak = np.abs(audio).max(initial=0.0)
    if peak == 0.0:
        return audio
    loud = np.flatnonzero(np.abs(audio) >= peak * 10.0 ** (floor_db / 20.0))
    return audio[loud[0] : loud[-1] + 1]


def _decode(path: Path) -> tuple[np.ndarray, int]:
    """(frames (T, channels) float64, sample rate) of the first ~2.5 s of a file."""
    try:
        return _read_head(str(path))
    except soundfile.SoundFileError as error:
        refusal = error
    stream = _ogg_in_wave(path)
    if stream is None:
        raise FolderError(f"Cannot decode {path}: {_reason(refusal)}") from refusal
    try:
        # libsndfile tells the Ogg container by its content (soundfile allows a format
        # argument only for headerless RAW data).
        return _read_head(io.BytesIO(stream))
    except soundfile.SoundFileError as error:
        raise FolderError(f"Cannot decode the Ogg stream in {path}: {_reason(error)}") from error


def _reason(error: soundfile.SoundFileError) -> str:
    """libsndfile's own words, without the file name its message starts with."""
    return error.error_string if isinstance(error, soundfile.LibsndfileError) else str(error)


def _read_head(source: str | io.BytesIO) -> tuple[np.ndarray, int]:
    with soundfile.SoundFile(source) as sound:
        # Only ~2 s after the onset are kept, so read no more than that from long files.
        frames = min(sound.frames, int(np.ceil(2.5 * sound.samplerate)) + 64)
        return sound.read(frames, dtype="float64", always_2d=True), int(sound.samplerate)


def _ogg_in_wave(path: Path) -> bytes | None:
    """The payload of a RIFF/WAVE file's data chunk when it is an Ogg stream, else None."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(raw):
        size = int.from_bytes(raw[pos + 4 : pos + 8], "little")
        if raw[pos : pos + 4] == b"data":
            payload = raw[pos + 8 : pos + 8 + size]
            return payload if payload[:4] == b"OggS" else None
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return None
