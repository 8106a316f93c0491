import io
import wave

import numpy as np
import pytest

from gpu.audio import N_SAMPLES, finish, tail_envelope
from gpu.prompt import PromptError, parse_prompt
from gpu.wav import read_wav_bytes, to_wav_bytes

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
    back, rate = read_wav_bytes(data)
    assert rate == 44_100 and np.abs(back - audio).max() < 1e-4


def test_wav_bytes_float():
    audio = finish(np.sin(np.linspace(0, 400, N_SAMPLES)).astype(np.float32))
    data = to_wav_bytes(audio, float32=True)
    assert data[:4] == b"RIFF" and data[20:22] == b"\x03\x00" and len(data) == 44 + 4 * N_SAMPLES
    back, rate = read_wav_bytes(data)
    assert rate == 44_100 and np.array_equal(back, audio)


def test_wav_errors():
    with pytest.raises(ValueError, match="one mono kick"):
        to_wav_bytes(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="Not a WAV"):
        read_wav_bytes(b"hello world, not a wav")
