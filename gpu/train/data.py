"""Corpus -> cached arrays under gpu/runs/corpus/<key>/ that every training loop reads.

Built once per corpus: audio (float16, the part the spectrogram covers), log-mels (float16),
raw conditioning descriptors computed with ``gpu.descriptors`` (log2 tail pitch, log10 decay,
transient share; NaN where a kick has none), keyword multi-hot and the vocabulary.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gpu.conditioning import descriptor_row
from gpu.spectral import LogMel, SpectralConfig


@dataclass
class CorpusArrays:
    audio: np.ndarray  # (N, n_samples) float16
    mel: np.ndarray  # (N, channels, T) float16: log-mel + low band
    descriptors: np.ndarray  # (N, 3) float32 raw (NaN = absent)
    keywords: np.ndarray  # (N, V) float32 multi-hot
    vocabulary: list[str]
    meta: dict

    def __len__(self) -> int:
        return len(self.mel)


def _load_corpus(synthetic: int | None, data: str | None):
    if synthetic is not None:
        from gpu.corpus.synth import TRAIN_SEED, synthesize

        return synthesize(synthetic, seed=TRAIN_SEED), {"synthetic": synthetic, "seed": TRAIN_SEED}
    from gpu.corpus.folder import load_folder
    from gpu.corpus.split import split

    train, _ = split(load_folder(data))
    return train, {"folder": str(Path(data).resolve()), "split": "train"}


def corpus_key(synthetic: int | None, data: str | None) -> str:
    if synthetic is not None:
        return f"synthetic-{synthetic}"
    return "folder-" + Path(data).resolve().name


def build_or_load(
    root: Path, synthetic: int | None, data: str | None, spectral: SpectralConfig
) -> CorpusArrays:
    if (synthetic is None) == (data is None):
        raise SystemExit("Give exactly one of --data DIR or --synthetic N.")
    folder = root / corpus_key(synthetic, data)
    done = folder / "meta.json"
    if not done.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.time()
        corpus, source = _load_corpus(synthetic, data)
        features = corpus.features()
        vocabulary = corpus.vocabulary
        index = {word: i for i, word in enumerate(vocabulary)}
        keywords = np.zeros((len(corpus), len(vocabulary)), dtype=np.float32)
        for row, words in enumerate(corpus.keywords):
            keywords[row, [index[w] for w in words]] = 1.0
        descriptors = np.array(
            [
                descriptor_row(p, d, s)
                for p, d, s in zip(
                    features["tail_pitch_hz"],
                    features["decay_ms"],
                    features["transient_share"],
                    strict=True,
                )
            ],
            dtype=np.float32,
        )
        np.save(folder / "audio.npy", corpus.audio[:, : spectral.n_samples].astype(np.float16))
        np.save(folder / "mel.npy", _spectrograms(corpus.audio, spectral))
        np.save(folder / "descriptors.npy", descriptors)
        np.save(folder / "keywords.npy", keywords)
        np.savez(folder / "features.npz", **features)
        (folder / "vocabulary.json").write_text(json.dumps(vocabulary))
        meta = {
            "source": source,
            "n": len(corpus),
            "spectral": spectral.to_dict(),
            "build_s": round(time.time() - started, 1),
        }
        done.write_text(json.dumps(meta, indent=2))
    meta = json.loads(done.read_text())
    if meta["spectral"] != spectral.to_dict():
        # Same kicks, new representation: recompute the spectrograms from the cached audio.
        audio = np.load(folder / "audio.npy", mmap_mode="r")
        np.save(folder / "mel.npy", _spectrograms(audio, spectral))
        meta["spectral"] = spectral.to_dict()
        done.write_text(json.dumps(meta, indent=2))
    return CorpusArrays(
        audio=np.load(folder / "audio.npy", mmap_mode="r"),
        mel=np.load(folder / "mel.npy"),
        descriptors=np.load(folder / "descriptors.npy"),
        keywords=np.load(folder / "keywords.npy"),
        vocabulary=json.loads((folder / "vocabulary.json").read_text()),
        meta=meta,
    )


def _spectrograms(audio: np.ndarray, spectral: SpectralConfig) -> np.ndarray:
    """audio (N, samples) -> float16 (N, channels, frames), in blocks to bound memory."""
    transform = LogMel(spectral)
    out = np.zeros((len(audio), spectral.n_channels, spectral.n_frames), dtype=np.float16)
    with torch.inference_mode():
        for i in range(0, len(audio), 256):
            block = torch.from_numpy(np.asarray(audio[i : i + 256], dtype=np.float32))
            out[i : i + 256] = transform(block).numpy()
    return out


def frame_crops(
    n_frames: int, crop: int, batch: int, rng: np.random.Generator, onset_share: float = 0.5
) -> np.ndarray:
    """Start frames of random crops; ``onset_share`` of them start at 0 so the attack, the
    hardest and most important part of a kick, is seen in every batch. (batch,) int."""
    starts = rng.integers(0, n_frames - crop + 1, size=batch)
    starts[rng.random(batch) < onset_share] = 0
    return starts
