"""Sample folders → corpus: decoding, resampling, file-name keywords, and the split."""

import wave

import numpy as np
import pytest
import soundfile

from gpu.corpus.folder import FolderError, load_folder
from gpu.corpus.keywords import filename_words, frequent_words
from gpu.corpus.split import held_out_mask, split
from gpu.corpus.synth import synthesize
from gpu.descriptors import tail_pitch_hz


def kick(rate: int, seconds: float, hz: float = 60.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.8 * np.sin(2 * np.pi * hz * t) * np.exp(-t / 0.3)
    return np.repeat(mono[:, None], channels, axis=1)  # (frames, channels)


def write_pcm_wav(path, frames: np.ndarray, rate: int, bytes_per_sample: int) -> None:
    """PCM WAV through the standard library's writer (16- or 24-bit little-endian)."""
    scale = 2 ** (8 * bytes_per_sample - 1) - 1
    ints = np.round(frames * scale).astype("<i4")  # (frames, channels)
    raw = ints.view(np.uint8).reshape(*ints.shape, 4)[..., :bytes_per_sample].tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(frames.shape[1])
        out.setsampwidth(bytes_per_sample)
        out.setframerate(rate)
        out.writeframes(raw)


@pytest.fixture
def sample_folder(tmp_path):
    for i in range(5):
        write_pcm_wav(tmp_path / f"Deep_House_Kick_{i:02d}.wav", kick(44100, 1.0), 44100, 2)
    write_pcm_wav(tmp_path / "Deep House Kick 24bit A.wav", kick(48000, 3.0, channels=2), 48000, 3)
    soundfile.write(tmp_path / "Rare-Deep.kick.flac", kick(22050, 0.5), 22050)
    soundfile.write(tmp_path / "rare_house_kick.aiff", kick(96000, 1.0), 96000, subtype="PCM_24")
    soundfile.write(tmp_path / "float_house_kick.wav", kick(44100, 2.5), 44100, subtype="FLOAT")
    (tmp_path / "notes.txt").write_text("not audio")
    return tmp_path


def test_filename_words_follow_the_reference_rules():
    assert filename_words("Deep_House-Kick 01.v2 A") == ["deep", "house", "kick"]
    assert filename_words("KICK__kick--Punchy") == ["kick", "punchy"]
    assert filename_words("808") == []


def test_frequent_words_count_files_not_repeats():
    files = [["kick", "deep"]] * 5 + [["kick", "hard", "hard"]] * 4
    assert frequent_words(files, min_count=5) == {"kick", "deep"}


def test_load_folder_decodes_every_format_to_the_kick_format(sample_folder):
    corpus = load_folder(sample_folder)
    assert len(corpus) == 9  # the .txt is not audio
    assert corpus.audio.shape == (9, 88200) and corpus.audio.dtype == np.float32
    assert np.allclose(np.abs(corpus.audio).max(axis=1), 1.0, atol=1e-6)
    assert np.all(corpus.audio[:, int(1.75 * 44100) :] == 0.0)
    assert corpus.names == sorted(corpus.names)
    assert sorted(corpus.params["source_rate"].tolist()) == [22050] + [44100] * 6 + [48000, 96000]


def test_resampled_files_keep_their_pitch(sample_folder):
    corpus = load_folder(sample_folder)
    for name, audio in zip(corpus.names, corpus.audio, strict=True):
        if not name.startswith("Rare-Deep"):  # 0.5 s long: no tail to measure past 0.5 s
            assert tail_pitch_hz(audio) == pytest.approx(60.0, rel=0.005), name


def test_keywords_kept_only_when_in_five_files(sample_folder):
    corpus = load_folder(sample_folder)
    assert corpus.vocabulary == ["deep", "house", "kick"]
    labels = dict(zip(corpus.names, corpus.keywords, strict=True))
    assert labels["Deep_House_Kick_00.wav"] == ["deep", "house", "kick"]
    assert labels["rare_house_kick.aiff"] == ["house", "kick"]  # "rare" is in only 2 files


def test_missing_empty_and_undecodable_folders_are_refused(tmp_path):
    with pytest.raises(FolderError, match="is not a folder"):
        load_folder(tmp_path / "nope")
    with pytest.raises(FolderError, match="holds no audio files"):
        load_folder(tmp_path)
    (tmp_path / "broken_kick.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(FolderError, match=r"Cannot decode .*broken_kick\.wav"):
        load_folder(tmp_path)


def test_split_is_deterministic_disjoint_and_stable_when_kicks_are_added():
    names = [f"kick_{i}" for i in range(2000)]
    mask = held_out_mask(names, 0.1)
    assert 0.08 < mask.mean() < 0.12
    assert np.array_equal(held_out_mask(names[::-1], 0.1), mask[::-1])
    more = held_out_mask([*names, "new_a", "new_b"], 0.1)
    assert np.array_equal(more[:2000], mask)


def test_split_partitions_a_corpus():
    corpus = synthesize(40, seed=5)
    train, held_out = split(corpus, fraction=0.25)
    assert len(train) + len(held_out) == 40
    assert not set(train.names) & set(held_out.names)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        split(corpus, fraction=1.0)


def test_leading_silence_is_cut_so_the_attack_starts_at_zero(tmp_path):
    late = np.concatenate([np.zeros((2205, 1)), kick(44100, 1.0)])  # 50 ms of silence first
    write_pcm_wav(tmp_path / "late_kick.wav", late, 44100, 2)
    write_pcm_wav(tmp_path / "on_time_kick.wav", kick(44100, 1.0), 44100, 2)
    corpus = load_folder(tmp_path)
    assert np.allclose(corpus.audio[0], corpus.audio[1], atol=1e-4)
