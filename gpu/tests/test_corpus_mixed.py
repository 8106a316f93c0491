"""Real kicks beside synthetic ones: augmentation, concatenation and the mixed training cache."""

import json

import numpy as np
import pytest
import soundfile

from gpu.audio.descriptors import describe_batch
from gpu.audio.spectral import SpectralConfig
from gpu.corpus.augment import augment, changed
from gpu.corpus.corpus import Corpus
from gpu.corpus.keywords import KEYWORD_RULES
from gpu.corpus.split import held_out_mask
from gpu.corpus.synth import SYNTH_VERSION, synthesize
from gpu.train.data import build_or_load, corpus_key


def real_like(n: int, seed: int = 0) -> Corpus:
    rng = np.random.default_rng(seed)
    t = np.arange(88_200) / 44_100
    audio = np.stack(
        [
            np.sin(2 * np.pi * rng.uniform(40, 70) * t) * np.exp(-t / rng.uniform(0.03, 0.1))
            for _ in range(n)
        ]
    ).astype(np.float32)
    return Corpus(audio=audio, keywords=[["kick"]] * n, names=[f"kit/k{i}.wav" for i in range(n)])


def test_augment_keeps_each_kick_first_then_changed_copies():
    source = real_like(3)
    out = augment(source, copies=4, seed=1)
    assert len(out) == 12 and out.audio.shape == (12, 88_200)
    assert np.array_equal(out.audio[::4], source.audio)
    assert out.names[:5] == ["kit/k0.wav", *(f"kit/k0.wav~aug{i}" for i in (1, 2, 3)), "kit/k1.wav"]
    assert all(not np.allclose(out.audio[i], out.audio[0]) for i in (1, 2, 3))
    again = augment(source, copies=4, seed=1)
    assert np.array_equal(again.audio, out.audio)
    assert not np.array_equal(augment(source, copies=4, seed=2).audio, out.audio)
    with pytest.raises(ValueError, match="at least one copy"):
        augment(source, copies=0)


def test_a_changed_kick_is_a_finished_kick_with_its_pitch_moved_at_most_three_semitones():
    source = real_like(1)
    tail = describe_batch(source.audio)["tail_pitch_hz"][0]
    copies = np.stack([changed(source.audio[0], np.random.default_rng(i)) for i in range(16)])
    assert np.allclose(np.abs(copies).max(axis=1), 1.0, atol=1e-6)
    assert np.all(copies[:, int(1.75 * 44_100) :] == 0.0)
    moved = np.abs(12 * np.log2(describe_batch(copies)["tail_pitch_hz"] / tail))
    assert np.all(moved <= 3.3) and moved.max() > 0.5


def test_concat_keeps_rows_aligned_and_drops_params_not_shared():
    a, b = synthesize(3, seed=1), real_like(2)
    both = Corpus.concat([a, b])
    assert len(both) == 5 and both.names[3] == "kit/k0.wav"
    assert np.array_equal(both.audio[:3], a.audio) and both.keywords[4] == ["kick"]
    assert both.params == {}
    assert both.descriptors is None  # b was never measured
    b.features()
    measured = Corpus.concat([a, b]).descriptors
    assert np.array_equal(
        measured["decay_ms"], np.concatenate([a.features()["decay_ms"], b.features()["decay_ms"]])
    )
    with pytest.raises(ValueError, match="at least one"):
        Corpus.concat([])


@pytest.fixture
def folder(tmp_path):
    kicks = real_like(12, seed=3)
    root = tmp_path / "real"
    (root / "kit").mkdir(parents=True)
    for i, audio in enumerate(kicks.audio):
        soundfile.write(root / "kit" / f"k{i}.wav", audio[:44_100], 44_100)
    return root


def test_mixed_corpus_is_synthetic_then_augmented_real_train_split(tmp_path, folder):
    data = build_or_load(tmp_path / "cache", 6, str(folder), SpectralConfig(), copies=3)
    n_train = int((~held_out_mask([f"kit/k{i}.wav" for i in range(12)])).sum())
    assert len(data) == 6 + 3 * n_train
    assert not data.real[:6].any() and data.real[6:].all()
    assert set(data.vocabulary) == {rule.keyword for rule in KEYWORD_RULES}
    source = data.meta["source"]
    assert source["synthetic"] == 6 and source["synth"] == SYNTH_VERSION
    assert source["copies"] == 3 and source["split"] == "train"
    key = corpus_key(6, str(folder), 3)
    assert key == f"synthetic-v{SYNTH_VERSION}-6+folder-realx3"
    assert json.loads((tmp_path / "cache" / key / "meta.json").read_text())["n"] == len(data)
    # Real rows are labelled by what they measure, not by their file names.
    words = {data.vocabulary[j] for j in np.flatnonzero(data.keywords[6:].sum(axis=0))}
    assert "kick" not in data.vocabulary and "house" in words


def test_a_folder_that_cannot_load_leaves_no_cache_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError):
        build_or_load(tmp_path / "cache", None, str(empty), SpectralConfig())
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_a_folder_alone_keeps_its_file_name_words_on_augmented_copies(tmp_path, folder):
    for i in range(12):
        (folder / "kit" / f"k{i}.wav").rename(folder / "kit" / f"k{i}_boing.wav")
    data = build_or_load(tmp_path / "cache", None, str(folder), SpectralConfig(), copies=2)
    assert "boing" in data.vocabulary
    assert data.keywords[:, data.vocabulary.index("boing")].all()  # every copy
    assert data.real.all()
