import numpy as np
import pytest

from gpu.pipeline import KickPipeline, PromptError

N = 88_200


def assert_kick(audio):
    assert audio.shape == (N,) and audio.dtype == np.float32
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() == pytest.approx(1.0, abs=1e-6)
    assert abs(float(audio.mean())) < 1e-3
    assert not audio[round(1.75 * 44_100) :].any()


def test_generate_format_and_determinism(tiny_pipe):
    a = tiny_pipe.generate("hit house", seed=7)
    assert_kick(a)
    assert np.array_equal(a, tiny_pipe.generate("hit house", seed=7))
    assert not np.array_equal(a, tiny_pipe.generate("hit house", seed=8))


def test_conditions_change_the_kick(tiny_pipe):
    base = tiny_pipe.generate("hit", seed=1)
    for kwargs in (
        {"prompt": "deep"},
        {"prompt": "hit", "note": "F1"},
        {"prompt": "hit", "decay_ms": 300.0},
        {"prompt": "hit", "punch": 0.3},
        {"prompt": None},
    ):
        assert not np.array_equal(base, tiny_pipe.generate(seed=1, **kwargs)), kwargs


def test_free_generation_draws_its_condition_from_the_prior(tiny_pipe):
    free = tiny_pipe.generate(None, seed=5, n=2)
    assert np.array_equal(free, tiny_pipe.generate(None, seed=5, n=2))
    drawn = tiny_pipe._drawn_condition(2, 5)
    assert drawn.present.any() and not drawn.keywords.any()
    unconditional = tiny_pipe.generate(None, seed=5, n=2, prior=False)
    assert not np.array_equal(free, unconditional)
    prior, tiny_pipe.prior = tiny_pipe.prior, None
    try:  # weights without a prior sample the unconditional model
        assert np.array_equal(unconditional, tiny_pipe.generate(None, seed=5, n=2))
    finally:
        tiny_pipe.prior = prior
    # Asking for anything (a word, a note) uses exactly what was asked.
    assert not np.array_equal(free[0], tiny_pipe.generate(None, seed=5, note="F1"))


def test_note_as_name_or_hz(tiny_pipe):
    by_name = tiny_pipe.generate("hit", seed=1, note="A1")
    assert np.array_equal(by_name, tiny_pipe.generate("hit", seed=1, note=55.0))


def test_batch_and_progress(tiny_pipe):
    calls = []
    batch = tiny_pipe.generate(
        "hit", seed=3, n=3, steps=5, progress=lambda s, t: calls.append((s, t))
    )
    assert batch.shape == (3, N)
    assert calls == [(i, 5) for i in range(1, 6)]
    for kick in batch:
        assert_kick(kick)
    assert not np.array_equal(batch[0], batch[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": ""}, "The prompt is empty"),
        (
            {"prompt": "hit wobble"},
            "Unknown keyword 'wobble'.*boomy, deep, hit, house, punchy, short",
        ),
        ({"note": "X9"}, "not a note name"),
        ({"note": "C5"}, "outside what this model makes"),
        ({"decay_ms": 5.0}, "Decay 5 ms is outside what this model makes: 100–1500 ms"),
        ({"punch": 2.0}, "Punch 2 is outside what this model makes: 0–0.5"),
        ({"n": 0}, "n must be between"),
        ({"steps": 0}, "steps must be between"),
        ({"cfg_scale": float("nan")}, "cfg_scale"),
    ],
)
def test_bad_requests_raise_prompt_error(tiny_pipe, kwargs, message):
    with pytest.raises(PromptError, match=message):
        tiny_pipe.generate(**{"prompt": "hit", **kwargs})


def test_vary(tiny_pipe):
    kick = tiny_pipe.generate("hit", seed=2)
    variation = tiny_pipe.vary(kick, strength=0.5, seed=4)
    assert_kick(variation)
    assert np.array_equal(variation, tiny_pipe.vary(kick, strength=0.5, seed=4))
    assert not np.array_equal(variation, kick)
    with pytest.raises(PromptError, match="strength"):
        tiny_pipe.vary(kick, strength=0.0)
    with pytest.raises(PromptError, match="one mono kick"):
        tiny_pipe.vary(np.zeros((2, N), dtype=np.float32))


def test_reconstruct_keeps_shape(tiny_pipe):
    batch = tiny_pipe.generate("hit", seed=5, n=2)
    assert tiny_pipe.reconstruct(batch).shape == (2, N)
    assert_kick(tiny_pipe.reconstruct(batch[0]))


def test_wav_bytes_and_vocabulary(tiny_pipe):
    wav = KickPipeline.to_wav_bytes(tiny_pipe.generate("hit", seed=0))
    assert wav[:4] == b"RIFF" and len(wav) == 44 + 2 * N
    assert tiny_pipe.vocabulary == ["boomy", "deep", "hit", "house", "punchy", "short"]


def test_vocabulary_must_match_the_encoder(tiny_weights, tmp_path):
    import shutil

    folder = tmp_path / "w"
    shutil.copytree(tiny_weights, folder)
    (folder / "vocabulary.json").write_text('["hit"]')
    with pytest.raises(ValueError, match=r"vocabulary\.json has 1 words"):
        KickPipeline.from_pretrained(folder)
