"""Sample folders → corpus: decoding, skipping, short files, keywords, and the split."""

import io
import struct
import wave

import numpy as np
import pytest
import soundfile

from gpu.audio.descriptors import describe, describe_batch, tail_pitch_hz
from gpu.corpus.folder import FolderError, SkippedFilesWarning, load_folder
from gpu.corpus.keywords import assign_keywords, filename_words, frequent_words, name_keywords
from gpu.corpus.split import held_out_mask, split
from gpu.corpus.synth import synthesize


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


@pytest.mark.parametrize(
    ("stem", "words"),
    [("kick_hard01", ["kick", "hard"]), ("bd909", ["bd"]), ("808kick", ["kick"]), ("V2x3", [])],
)
def test_filename_words_split_words_glued_to_digits(stem, words):
    assert filename_words(stem) == words


def test_name_keywords_drop_stop_words_rule_keywords_and_rare_words():
    files = [["kick", "wav", "short", "analog", "warm"]] * 5 + [["rare", "analog"]] * 4
    assert name_keywords(files, kits=[""] * 9) == {"analog", "warm"}


def test_name_keywords_drop_words_confined_to_one_kit_when_there_are_several():
    files = [["acme", "warm"]] * 5 + [["zenith", "warm"]] * 5
    kits = ["Acme Kit"] * 5 + ["Zenith"] * 5
    assert name_keywords(files, kits) == {"warm"}
    # One kit: its name cannot be told from a sound word, so it stays.
    assert name_keywords(files[:5], kits[:5]) == {"acme", "warm"}


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


def test_names_add_no_rule_keywords_and_only_words_in_five_files(sample_folder):
    corpus = load_folder(sample_folder)
    # "deep", "house" and "kick" are in five or more names, but the first two are rule
    # keywords (measured, never read from a name), "kick" is a stop word, and "rare" is in
    # only 2 files: every label is measured.
    assert corpus.descriptors is not None
    assert corpus.keywords == assign_keywords(describe_batch(corpus.audio))
    labels = dict(zip(corpus.names, corpus.keywords, strict=True))
    assert "deep" not in labels["Deep_House_Kick_00.wav"]  # 60 Hz is not deep (≤ 42 Hz)
    assert "long" in labels["Deep_House_Kick_00.wav"]  # decay ≈ 1.0 s


def decaying_sine(seconds: float, tau_s: float, hz: float = 55.0, rate: int = 44100):
    t = np.arange(round(rate * seconds)) / rate
    return (0.9 * np.sin(2 * np.pi * hz * t) * np.exp(-t / tau_s))[:, None]  # (frames, 1)


def test_a_folder_of_kits_is_labelled_by_its_audio_and_by_shared_name_words(tmp_path):
    for kit in ("Acme Drums", "Zenith"):
        (tmp_path / kit).mkdir()
        for i in range(3):
            # Named "long" but short (decay ≈ 100 ms), and named "short" but long (≈ 1 s).
            stem = f"{kit.split()[0]}_Analog_Long_BD{i:02d}"
            write_pcm_wav(tmp_path / kit / f"{stem}.wav", decaying_sine(0.3, 0.03), 44100, 2)
            stem = f"{kit.split()[0]}_analog-short-kick_v{i}"
            write_pcm_wav(tmp_path / kit / f"{stem}.wav", decaying_sine(1.5, 0.3), 44100, 2)
    corpus = load_folder(tmp_path)
    for name, words in zip(corpus.names, corpus.keywords, strict=True):
        measured, misnamed = ("short", "long") if "Long" in name else ("long", "short")
        assert measured in words and misnamed not in words, name
        assert words[-1] == "analog", name  # in both kits and in 12 files
    # "acme" and "zenith" are each in 6 files, but of one kit only: they name the kit.
    assert not {"acme", "zenith", "bd", "kick"} & set(corpus.vocabulary)


def test_missing_empty_and_undecodable_folders_are_refused(tmp_path):
    with pytest.raises(FolderError, match="is not a folder"):
        load_folder(tmp_path / "nope")
    with pytest.raises(FolderError, match="holds no audio files"):
        load_folder(tmp_path)
    (tmp_path / "broken_kick.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (tmp_path / "silent_kick.wav").write_bytes(wav_bytes(np.zeros((4410, 1)), "PCM_16"))
    with pytest.raises(
        FolderError,
        match=r"Cannot decode any of the 2 audio files .*broken_kick\.wav.*silent_kick\.wav",
    ):
        load_folder(tmp_path)


def wav_bytes(frames: np.ndarray, subtype: str, rate: int = 44100) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, frames, rate, subtype=subtype, format="WAV")
    return buffer.getvalue()


def test_undecodable_files_are_skipped_and_named_in_one_warning(sample_folder):
    (sample_folder / "broken_kick.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (sample_folder / "not_audio.mp3").write_bytes(b"ID3 but nothing after it")
    (sample_folder / "silent_kick.wav").write_bytes(wav_bytes(np.zeros((4410, 1)), "PCM_16"))
    with pytest.warns(SkippedFilesWarning) as caught:
        corpus = load_folder(sample_folder)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith(f"Skipped 3 of 12 audio files under {sample_folder}: ")
    assert f"Cannot decode {sample_folder / 'broken_kick.wav'}: Error in WAV file" in message
    assert f"Cannot decode {sample_folder / 'not_audio.mp3'}: " in message
    assert f"{sample_folder / 'silent_kick.wav'} holds only silence." in message
    assert corpus.skipped == ["broken_kick.wav", "not_audio.mp3", "silent_kick.wav"]
    assert len(corpus) == 9 and not set(corpus.skipped) & set(corpus.names)


def ogg_in_wave(frames: np.ndarray, rate: int) -> bytes:
    """What LMMS ships: a RIFF/WAVE file whose fmt tag is 0x674F ("Og", Ogg Vorbis mode 1)
    and whose data chunk is a whole Ogg Vorbis file."""
    buffer = io.BytesIO()
    soundfile.write(buffer, frames, rate, format="OGG", subtype="VORBIS")
    ogg = buffer.getvalue()
    fmt = struct.pack("<HHIIHHH", 0x674F, 1, rate, 16000, 1, 16, 0)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(ogg))
    body = b"WAVE" + chunks + ogg + b"\x00" * (len(ogg) & 1)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_an_ogg_stream_in_a_wave_container_is_decoded(tmp_path):
    path = tmp_path / "kick04.ogg"
    path.write_bytes(ogg_in_wave(kick(44100, 1.0), 44100))
    with pytest.raises(soundfile.LibsndfileError):
        soundfile.info(str(path))  # libsndfile alone refuses it
    corpus = load_folder(tmp_path)
    assert corpus.names == ["kick04.ogg"] and corpus.skipped == []
    assert tail_pitch_hz(corpus.audio[0]) == pytest.approx(60.0, rel=0.005)


def test_a_short_file_stays_short_and_silent_after_its_end(tmp_path):
    write_pcm_wav(tmp_path / "click_kick.wav", decaying_sine(0.08, 0.02), 44100, 2)
    audio = load_folder(tmp_path).audio[0]
    end = round(0.08 * 44100)
    assert not audio[end:].any()  # the zero padding carries no DC offset
    assert abs(audio.mean()) < 1e-6
    measured = describe(audio)
    assert measured["decay_ms"] < 100.0  # 30 dB = 69 ms at τ = 20 ms
    assert measured["tail_pitch_hz"] == pytest.approx(55.0, rel=0.02)


def test_padding_in_the_file_is_not_taken_for_sound(tmp_path):
    sound = decaying_sine(0.08, 0.02)
    padded = np.concatenate([sound, np.zeros((44100, 1))])  # a second of digital silence
    write_pcm_wav(tmp_path / "a_padded_kick.wav", padded, 44100, 2)
    write_pcm_wav(tmp_path / "b_kick.wav", sound, 44100, 2)
    corpus = load_folder(tmp_path)
    assert np.array_equal(corpus.audio[0], corpus.audio[1])


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
