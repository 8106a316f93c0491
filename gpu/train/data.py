"""Corpus -> cached arrays under gpu/runs/corpus/<key>/ that every training loop reads.

A corpus is synthetic kicks, a sample folder's train split, or both (the real kicks then
augmented, ``copies`` per kick). Built once per corpus: audio (float16, the part the
spectrogram covers), log-mels (float16), raw conditioning descriptors computed with
``gpu.audio.descriptors`` (log2 tail pitch, log10 decay, transient share; NaN where a kick has
none), keyword multi-hot, the vocabulary, and which rows are real.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gpu.audio.spectral import LogMel, SpectralConfig
from gpu.corpus.augment import augment
from gpu.corpus.corpus import Corpus
from gpu.corpus.folder import load_folder
from gpu.corpus.keywords import KEYWORD_RULES, assign_keywords
from gpu.corpus.split import split
from gpu.corpus.synth import SYNTH_VERSION, TRAIN_SEED, synthesize
from gpu.networks.conditioning import descriptor_row


@dataclass
class CorpusArrays:
    audio: np.ndarray  # (N, n_samples) float16
    mel: np.ndarray  # (N, channels, T) float16: log-mel + low band
    descriptors: np.ndarray  # (N, 3) float32 raw (NaN = absent)
    keywords: np.ndarray  # (N, V) float32 multi-hot
    vocabulary: list[str]
    meta: dict
    real: np.ndarray  # (N,) bool: rows from a real sample folder

    def __len__(self) -> int:
        return len(self.mel)


KEYWORDS = frozenset(rule.keyword for rule in KEYWORD_RULES)


def _load_corpus(synthetic: int | None, data: str | None, copies: int):
    """The corpus and its provenance; with both sources, the synthetic kicks then the real
    train split, each real kick ``copies`` times (gpu.corpus.augment), and a mask of the real
    rows (the descriptor prior is drawn from those)."""
    parts, source = [], {}
    if synthetic is not None:
        parts.append(synthesize(synthetic, seed=TRAIN_SEED))
        source.update({"synthetic": synthetic, "seed": TRAIN_SEED, "synth": SYNTH_VERSION})
    if data is not None:
        train, _ = split(load_folder(data))
        if copies > 1:
            train = augment(train, copies, seed=TRAIN_SEED)
        if synthetic is not None or copies > 1:
            # Changed copies are measured again. A folder's file-name words (its keywords that
            # are no rule's) stay with it when it trains alone; beside synthetic kicks they
            # would be asked for by no one and only shift the condition encoder's inputs.
            named = [
                [] if synthetic is not None else [w for w in words if w not in KEYWORDS]
                for words in train.keywords
            ]
            measured = assign_keywords(train.features())
            train.keywords = [[*m, *n] for m, n in zip(measured, named, strict=True)]
        parts.append(train)
        source.update({"folder": str(Path(data).resolve()), "split": "train", "copies": copies})
    real = np.zeros(sum(len(part) for part in parts), dtype=bool)
    if data is not None:
        real[-len(parts[-1]) :] = True
    return Corpus.concat(parts), source, real


def corpus_key(synthetic: int | None, data: str | None, copies: int = 1) -> str:
    parts = []
    if synthetic is not None:
        parts.append(f"synthetic-v{SYNTH_VERSION}-{synthetic}")
    if data is not None:
        parts.append("folder-" + Path(data).resolve().name + (f"x{copies}" if copies > 1 else ""))
    return "+".join(parts)


def build_or_load(
    root: Path,
    synthetic: int | None,
    data: str | None,
    spectral: SpectralConfig,
    copies: int = 1,
) -> CorpusArrays:
    if synthetic is None and data is None:
        raise SystemExit("Give --data DIR, --synthetic N, or both.")
    folder = root / corpus_key(synthetic, data, copies)
    done = folder / "meta.json"
    if not done.is_file():
        started = time.time()
        # Loaded before the cache folder exists, so a folder that cannot load leaves nothing.
        corpus, source, real = _load_corpus(synthetic, data, copies)
        folder.mkdir(parents=True, exist_ok=True)
        features = corpus.features()
        vocabulary = corpus.vocabulary
        if synthetic is not None:
            vocabulary = sorted(set(vocabulary) | set(KEYWORDS))
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
        np.save(folder / "real.npy", real)
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
    descriptors = np.load(folder / "descriptors.npy")
    real_file = folder / "real.npy"
    return CorpusArrays(
        audio=np.load(folder / "audio.npy", mmap_mode="r"),
        mel=np.load(folder / "mel.npy"),
        descriptors=descriptors,
        keywords=np.load(folder / "keywords.npy"),
        vocabulary=json.loads((folder / "vocabulary.json").read_text()),
        meta=meta,
        real=np.load(real_file) if real_file.is_file() else np.zeros(len(descriptors), bool),
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
