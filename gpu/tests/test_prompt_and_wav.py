import io
import wave

import numpy as np
import pytest
import soundfile

from gpu.audio.output_format import N_SAMPLES, finish, tail_envelope
from gpu.audio.wav import read_wav_bytes, to_wav_bytes
from gpu.prompt import PromptError, parse_prompt

VOCAB = ["deep", "hit", "house", "punchy"]


@pytest.mark.parametrize(
    ("prompt", "words"),
    [
        ("hit house", ["hit", "house"]),
        ("  HIT,house ", ["hit", "house"]),
        ("deep-punchy_hit", ["deep", "punchy", "hit"]),
        ("hit hit", ["hit"]),
    ],
)
def test_parse_prompt(prompt, words):
    assert parse_prompt(prompt, VOCAB) == words


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("", "The prompt is empty"),
        ("  , ", "The prompt is empty"),
        ("hit banana", "Unknown keyword 'banana'"),
        ("foo bar", "Unknown keywords 'foo', 'bar'"),
    ],
)
def test_bad_prompts_list_the_vocabulary(prompt, message):
    with pytest.raises(PromptError, match=message) as error:
        parse_prompt(prompt, VOCAB)
    assert "deep, hit, house, punchy" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_finish_gives_the_kick_format():
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((3, 90_000)).astype(np.float32) + 0.5
    out = finish(raw)
    assert out.shape == (3, N_SAMPLES) and out.dtype == np.float32
    assert np.allclose(np.abs(out).max(axis=1), 1.0)
    assert np.abs(out.mean(axis=1)).max() < 1e-6
    assert not out[:, round(1.75 * 44_100) :].any()
    assert finish(np.zeros(10)).shape == (N_SAMPLES,)
    assert not finish(np.full(100, np.nan)).any()
    env = tail_envelope()
    assert env[44_099] == 1.0 and env[round(1.375 * 44_100)] == pytest.approx(0.125, abs=1e-3)


def test_finish_of_a_full_length_kick_removes_dc_along_the_fade_envelope():
    raw = np.random.default_rng(1).standard_normal(N_SAMPLES) + 0.3
    env = tail_envelope().astype(np.float64)
    expected = raw * env
    expected -= expected.mean() / env.mean() * env
    expected /= np.abs(expected).max()
    assert np.allclose(finish(raw.astype(np.float32)), expected, rtol=0, atol=2e-6)


def test_finish_keeps_the_padding_after_a_short_sound_silent():
    t = np.arange(3528) / 44_100  # 80 ms
    raw = np.sin(2 * np.pi * 55.0 * t) * np.exp(-t / 0.02) + 0.05  # with an offset
    out = finish(raw)
    assert not out[3528:].any()  # no DC step in the padding
    assert abs(out.mean()) < 1e-6
    # The offset comes off the loud first half; the second half keeps its waveform.
    half = slice(1764, 3528)
    gain = out[half] @ raw[half] / (raw[half] @ raw[half])
    assert np.abs(out[half] - gain * raw[half]).max() < 1e-6


def test_wav_bytes_16_bit():
    audio = finish(np.sin(np.linspace(0, 400, N_SAMPLES)).astype(np.float32))
    data = to_wav_bytes(audio)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (
            44_100,
            1,
            2,
            88_200,
        )
        assert len(data) == 44 + 2 * N_SAMPLES
    back, rate = read_wav_bytes(data)
    assert rate == 44_100 and np.abs(back - audio).max() < 1e-4


def test_wav_bytes_16_bit_are_symmetric_and_clipped():
    data = to_wav_bytes(np.array([1.0, -1.0, 2.0, -2.0, 0.7 / 32767, np.nan]), sample_rate=8000)
    pcm, rate = soundfile.read(io.BytesIO(data), dtype="int16")
    assert rate == 8000 and pcm.tolist() == [32767, -32767, 32767, -32767, 1, 0]


def test_wav_bytes_float():
    audio = finish(np.sin(np.linspace(0, 400, N_SAMPLES)).astype(np.float32))
    data = to_wav_bytes(audio, float32=True)
    assert data[:4] == b"RIFF" and data[20:22] == b"\x03\x00"  # IEEE float format tag
    assert soundfile.info(io.BytesIO(data)).subtype == "FLOAT"
    back, rate = read_wav_bytes(data)
    assert rate == 44_100 and np.array_equal(back, audio)


def test_reading_averages_channels_of_any_pcm_width():
    left = np.linspace(-0.5, 0.5, 1000)
    frames = np.stack([left, 0.25 * np.ones(1000)], axis=1)  # (N, 2)
    buffer = io.BytesIO()
    soundfile.write(buffer, frames, 48_000, subtype="PCM_24", format="WAV")
    mono, rate = read_wav_bytes(buffer.getvalue())
    assert rate == 48_000 and mono.dtype == np.float32
    assert np.abs(mono - (left + 0.25) / 2).max() < 1e-6


def test_wav_errors():
    with pytest.raises(ValueError, match="one mono kick"):
        to_wav_bytes(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="Not a WAV file libsndfile can decode: Format not"):
        read_wav_bytes(b"hello world, not a wav")
    with pytest.raises(ValueError, match="No 'data' chunk"):
        read_wav_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    flac = io.BytesIO()
    soundfile.write(flac, np.zeros(100), 44_100, format="FLAC")
    with pytest.raises(ValueError, match=r"Not a WAV file: libsndfile reads it as FLAC"):
        read_wav_bytes(flac.getvalue())
