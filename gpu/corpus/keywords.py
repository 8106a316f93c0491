"""Keywords: their measurable meanings (every corpus) and file-name words (sample folders).

Every rule keyword is a test on descriptors from `gpu.audio.descriptors`, so a label is a fact about
the audio and means the same on a synthetic kick and on one from any folder. Each keyword
also names one *defining feature* and the direction in which it should move; the evaluation's
control score asks whether a kick generated with the keyword beats an unconditional kick from
the same seed on that feature (for "house", whose meaning is a register rather than an
extreme, "beats" means "closer to the target").

A folder's kicks may carry file-name words besides (`name_keywords`): words in enough files
that say something about the sound, never a rule keyword, a stop word or a kit's name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

Descriptors = dict[str, np.ndarray]


@dataclass(frozen=True)
class KeywordRule:
    keyword: str
    meaning: str
    feature: str
    direction: int  # +1: a larger feature value is "more" of the keyword; −1: smaller; 0: target
    test: Callable[[Descriptors], np.ndarray]
    target: float | None = None

    def beats(self, with_keyword: np.ndarray, without: np.ndarray) -> np.ndarray:
        """Elementwise: does the feature value with the keyword move the defining way?"""
        if self.direction == 0:
            assert self.target is not None
            distance = np.abs(np.log(with_keyword / self.target))
            return distance < np.abs(np.log(without / self.target))
        return self.direction * (with_keyword - without) > 0


def _between(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (values >= lo) & (values <= hi)


# Thresholds calibrated on real one-shots (v6: the packaged corpus's train split, where v5's,
# set on the first synthesizer, made "hit", "punchy" and "tight" true of almost every kick):
# real kicks decay to −30 dB in 90–340 ms (10th–90th percentile), put 13–68 % of their energy
# in the first 15 ms, sit at 30–66 Hz, and a recording's room puts a median 41 % of the tail's
# energy above 1.5 × its pitch. Each rule's share of that split is in gpu/README.md.
KEYWORD_RULES: tuple[KeywordRule, ...] = (
    KeywordRule(
        "hit",
        "a compact one-shot: decay ≤ 220 ms and transient share ≥ 0.25",
        "decay_ms",
        -1,
        lambda d: (d["decay_ms"] <= 220) & (d["transient_share"] >= 0.25),
    ),
    KeywordRule(
        "house",
        "the house register: tail pitch 36–80 Hz, decay 90–450 ms",
        "tail_pitch_hz",
        0,
        lambda d: _between(d["tail_pitch_hz"], 36, 80) & _between(d["decay_ms"], 90, 450),
        target=58.0,
    ),
    KeywordRule(
        "techno",
        "low, long and driven: tail pitch ≤ 55 Hz, decay ≥ 180 ms, harmonic share ≥ 0.1",
        "harmonic_share",
        +1,
        lambda d: (
            (d["tail_pitch_hz"] <= 55) & (d["decay_ms"] >= 180) & (d["harmonic_share"] >= 0.1)
        ),
    ),
    KeywordRule(
        "deep",
        "low final pitch: tail pitch ≤ 35 Hz",
        "tail_pitch_hz",
        -1,
        lambda d: d["tail_pitch_hz"] <= 35,
    ),
    KeywordRule(
        "sub",
        "a clean low fundamental: tail pitch ≤ 45 Hz and harmonic share ≤ 0.05",
        "tail_pitch_hz",
        -1,
        lambda d: (d["tail_pitch_hz"] <= 45) & (d["harmonic_share"] <= 0.05),
    ),
    KeywordRule(
        "long",
        "slow decay: decay ≥ 270 ms",
        "decay_ms",
        +1,
        lambda d: d["decay_ms"] >= 270,
    ),
    KeywordRule(
        "short",
        "fast decay: decay ≤ 110 ms",
        "decay_ms",
        -1,
        lambda d: d["decay_ms"] <= 110,
    ),
    KeywordRule(
        "punchy",
        "fast, wide pitch drop and strong transient: pitch drop ≥ 20 st, transient share ≥ 0.5",
        "transient_share",
        +1,
        lambda d: (d["pitch_drop_st"] >= 20) & (d["transient_share"] >= 0.5),
    ),
    KeywordRule(
        "soft",
        "weak transient, dark attack: transient share ≤ 0.2 and attack centroid ≤ 130 Hz",
        "transient_share",
        -1,
        lambda d: (d["transient_share"] <= 0.2) & (d["centroid_hz"] <= 130),
    ),
    KeywordRule(
        "distorted",
        "strong harmonics: harmonic share ≥ 0.85",
        "harmonic_share",
        +1,
        lambda d: d["harmonic_share"] >= 0.85,
    ),
    KeywordRule(
        "clean",
        "almost pure fundamental: harmonic share ≤ 0.05",
        "harmonic_share",
        -1,
        lambda d: d["harmonic_share"] <= 0.05,
    ),
    KeywordRule(
        "clicky",
        "bright attack: attack centroid ≥ 180 Hz",
        "centroid_hz",
        +1,
        lambda d: d["centroid_hz"] >= 180,
    ),
    KeywordRule(
        "boomy",
        "a long low tail: decay ≥ 220 ms and tail pitch ≤ 50 Hz",
        "decay_ms",
        +1,
        lambda d: (d["decay_ms"] >= 220) & (d["tail_pitch_hz"] <= 50),
    ),
    KeywordRule(
        "tight",
        "short and firm: decay ≤ 150 ms and transient share ≥ 0.45",
        "decay_ms",
        -1,
        lambda d: (d["decay_ms"] <= 150) & (d["transient_share"] >= 0.45),
    ),
    KeywordRule(
        "hard",
        "driven, with a hard pitch attack: harmonic share ≥ 0.5 and pitch drop ≥ 25 st",
        "harmonic_share",
        +1,
        lambda d: (d["harmonic_share"] >= 0.5) & (d["pitch_drop_st"] >= 25),
    ),
    KeywordRule(
        "industrial",
        "harsh: harmonic share ≥ 0.85 and attack centroid ≥ 180 Hz",
        "centroid_hz",
        +1,
        lambda d: (d["harmonic_share"] >= 0.85) & (d["centroid_hz"] >= 180),
    ),
)

RULES_BY_KEYWORD: dict[str, KeywordRule] = {rule.keyword: rule for rule in KEYWORD_RULES}


def assign_keywords(descriptors: Descriptors) -> list[list[str]]:
    """Every rule's keyword that is true of each kick, in table order."""
    with np.errstate(invalid="ignore"):
        hits = np.stack([rule.test(descriptors) for rule in KEYWORD_RULES], axis=1)  # (N, K)
    return [[KEYWORD_RULES[k].keyword for k in np.flatnonzero(row)] for row in hits]


# --- keywords from file names --------------------------------------------------------------

_SEPARATORS = re.compile(r"[-_\s.]+|\d+")  # digits part words too: kick_hard01, bd909, 808kick
MIN_KEYWORD_COUNT = 5
NAME_STOP_WORDS = frozenset(
    {
        *("kick", "kicks", "bd", "bassdrum", "bass", "drum", "drums"),  # what every file is
        *("sample", "samples", "wav", "wave", "aif", "aiff", "flac", "ogg", "mp3"),  # format
        *("layer", "vel", "velocity"),  # how a kit is built, not how it sounds
    }
)
"""File-name words that name nothing about the sound (single letters such as the "v" of a
velocity layer are dropped anyway)."""


def filename_words(stem: str) -> list[str]:
    """Words of a file name without extension: split on - _ space . and digits, lowercased,
    single characters dropped, each word once, in order of appearance."""
    words: list[str] = []
    for word in _SEPARATORS.split(stem.lower()):
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words


def frequent_words(
    words_per_file: Iterable[list[str]], min_count: int = MIN_KEYWORD_COUNT
) -> set[str]:
    """Words that appear in at least `min_count` files."""
    counts = Counter(word for words in words_per_file for word in set(words))
    return {word for word, count in counts.items() if count >= min_count}


def name_keywords(
    words_per_file: list[list[str]], kits: list[str], min_count: int = MIN_KEYWORD_COUNT
) -> set[str]:
    """The file-name words a folder's kicks are labelled with besides the rule keywords.

    A word is kept when it is in at least `min_count` files, is no stop word, is not a rule
    keyword (those are measured, never read from a name), and — when the folder holds two or
    more kits (`kits[i]` is file i's kit) — appears in more than one kit: a word found in a
    single kit names that kit, not a sound.
    """
    keep = frequent_words(words_per_file, min_count) - NAME_STOP_WORDS - RULES_BY_KEYWORD.keys()
    if len(set(kits)) < 2:
        return keep
    kits_of: dict[str, set[str]] = {}
    for words, kit in zip(words_per_file, kits, strict=True):
        for word in words:
            kits_of.setdefault(word, set()).add(kit)
    return {word for word in keep if len(kits_of[word]) > 1}
