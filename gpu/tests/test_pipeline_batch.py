"""KickPipeline.generate_batch: one kick per row, each as generate(**row) makes it alone."""

import numpy as np
import pytest

from gpu.audio.wav import read_wav_bytes
from gpu.pipeline import DEFAULT_WEIGHTS, KickPipeline, PromptError

# Batched kernels sum in another order than a batch of one: the documented bound (measured on
# the shipped weights: 6e-5 at most, 2 steps of the 16-bit WAV).
FLOAT_BOUND = 1e-4
PCM_BOUND_LSB = 3

ROWS = [
    {"prompt": "hit house", "seed": 1, "note": "F1"},
    {"seed": 2},  # generate()'s default prompt
    {"prompt": "deep", "seed": 3, "decay_ms": 400.0},
    {"prompt": None, "seed": 4},  # asks nothing: its own prior draw, no guidance
    {"prompt": "punchy", "seed": 5, "punch": 0.3},
    {"prompt": None, "seed": 6, "note": "A1"},  # a note alone: guided, no keywords
]


def assert_rows_match(pipe, rows, batch, **shared):
    assert batch.shape == (len(rows), 88_200) and batch.dtype == np.float32
    for row, kick in zip(rows, batch, strict=True):
        alone = pipe.generate(**row, **shared)
        assert np.abs(kick - alone).max() <= FLOAT_BOUND, row


def test_each_row_is_the_kick_generate_makes_alone(tiny_pipe):
    assert_rows_match(tiny_pipe, ROWS, tiny_pipe.generate_batch(ROWS))


def test_a_batch_of_one_is_exactly_generate(tiny_pipe):
    for row in ROWS:
        assert np.array_equal(tiny_pipe.generate_batch([row])[0], tiny_pipe.generate(**row))


def test_a_row_does_not_depend_on_its_batch_mates(tiny_pipe):
    forward = tiny_pipe.generate_batch(ROWS)
    backward = tiny_pipe.generate_batch(ROWS[::-1])[::-1]
    assert np.abs(forward - backward).max() <= FLOAT_BOUND
    assert np.array_equal(forward, tiny_pipe.generate_batch(ROWS))  # same batch, same audio
    # Distinct seeds and conditions give distinct kicks: no row copies another's noise.
    assert len({kick.tobytes() for kick in forward}) == len(ROWS)


def test_shared_arguments_apply_to_every_row(tiny_pipe):
    rows = ROWS[:4]
    batch = tiny_pipe.generate_batch(rows, steps=3, cfg_scale=5.0, prior=False)
    assert_rows_match(tiny_pipe, rows, batch, steps=3, cfg_scale=5.0, prior=False)


def test_progress_is_reported_once_per_step_for_the_batch(tiny_pipe):
    calls = []
    tiny_pipe.generate_batch(ROWS[:3], steps=5, progress=lambda s, t: calls.append((s, t)))
    assert calls == [(i, 5) for i in range(1, 6)]


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        ([], PromptError, "A batch holds 1 to 64 kicks, got 0"),
        ([{"seed": 1}] * 65, PromptError, "A batch holds 1 to 64 kicks, got 65"),
        (
            [{"seed": 1}, {"prompt": "hit", "note": "C5"}],
            PromptError,
            "outside what this model makes",
        ),
        ([{"seed": 1}, {"prompt": "wobble"}], PromptError, "Unknown keyword 'wobble'"),
        ([{"seed": 1, "steps": 3}], TypeError, r"rows take .*, not \['steps'\]"),
    ],
)
def test_bad_rows_are_refused_before_any_work(tiny_pipe, rows, error, message):
    calls = []
    with pytest.raises(error, match=message):
        tiny_pipe.generate_batch(rows, progress=lambda s, t: calls.append(s))
    assert calls == []


@pytest.mark.slow
def test_shipped_weights_stay_within_the_bound_in_float_and_in_the_wav():
    pipe = KickPipeline.from_pretrained(DEFAULT_WEIGHTS, threads=1)
    rows = [{**row, "seed": row["seed"] + 10} for row in ROWS[:4]]
    batch = pipe.generate_batch(rows)
    for row, kick in zip(rows, batch, strict=True):
        alone = pipe.generate(**row)
        assert np.abs(kick - alone).max() <= FLOAT_BOUND, row
        pcm_alone = read_wav_bytes(pipe.to_wav_bytes(alone))[0]
        pcm_batch = read_wav_bytes(pipe.to_wav_bytes(kick))[0]
        assert np.abs(pcm_alone - pcm_batch).max() * 32767 <= PCM_BOUND_LSB + 0.5, row
