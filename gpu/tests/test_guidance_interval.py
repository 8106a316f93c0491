"""Keyword guidance from a timestep down (config ``keyword_guidance_from``): at the noisiest
steps only the asked descriptors are guided; below it, the whole condition."""

import numpy as np
import pytest
import torch

from gpu.diffusion.guidance import EarlyGuidance, sample
from gpu.diffusion.solvers import make_scheduler
from gpu.pipeline import KickPipeline
from gpu.tests.test_pipeline_batch import ROWS, assert_rows_match
from testsupport.tiny_weights import write_tiny_weights

FROM = 600


@pytest.fixture(scope="module")
def early_pipe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("early-weights")
    return KickPipeline.from_pretrained(
        write_tiny_weights(folder, keyword_guidance_from=FROM), threads=1
    )


class RecordingDenoiser(torch.nn.Module):
    """Returns zeros and records each call's timesteps and condition embeddings."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, x, t, emb):
        self.calls.append((t.tolist(), emb.clone()))
        return torch.zeros_like(x)


def test_the_early_negative_and_scale_apply_at_and_above_their_timestep(tiny_pipe):
    scheduler = make_scheduler(tiny_pipe.sampler_name, tiny_pipe.schedule)
    scheduler.set_timesteps(4)
    steps = [int(t) for t in scheduler.timesteps]
    boundary = steps[2]  # two steps at or above it
    cond, uncond, early_negative = torch.ones(2, 3), torch.zeros(2, 3), torch.full((2, 3), 5.0)
    early = EarlyGuidance(early_negative, torch.tensor([2.0, 1.0]), boundary)
    denoiser = RecordingDenoiser()
    sample(denoiser, torch.zeros(2, 4, 8), scheduler, cond, uncond, 3.0, early=early)
    assert [t[0] for t, _ in denoiser.calls] == steps
    for (timesteps, emb), t in zip(denoiser.calls, steps, strict=True):
        if t >= boundary:  # row 1's early scale is 1: one pass for it, its negative unused
            assert len(timesteps) == 3 and torch.equal(emb[2:], early_negative[:1])
        else:
            assert len(timesteps) == 4 and torch.equal(emb[2:], uncond)


def test_a_keyword_request_runs_one_pass_at_the_noisy_steps(early_pipe, monkeypatch):
    sizes = []
    forward = early_pipe.unet.forward
    monkeypatch.setattr(
        early_pipe.unet,
        "forward",
        lambda x, t, emb: sizes.append((int(t[0]), len(x))) or forward(x, t, emb),
    )
    early_pipe.generate("hit", seed=1)
    assert sizes and all(n == (1 if t >= FROM else 2) for t, n in sizes), sizes
    assert {n for _, n in sizes} == {1, 2}


def test_only_requests_with_keywords_change(tiny_pipe, early_pipe):
    # Same networks (seed 0): a note alone is guided exactly as before at every step.
    for kwargs in ({"prompt": None, "note": "A1"}, {"prompt": None}):
        assert np.array_equal(
            tiny_pipe.generate(seed=3, **kwargs), early_pipe.generate(seed=3, **kwargs)
        )
    for kwargs in ({"prompt": "hit"}, {"prompt": "deep", "note": "A1"}):
        changed = early_pipe.generate(seed=3, **kwargs)
        assert not np.array_equal(tiny_pipe.generate(seed=3, **kwargs), changed)
        assert np.array_equal(changed, early_pipe.generate(seed=3, **kwargs))


def test_batch_rows_match_generate_alone(early_pipe):
    assert_rows_match(early_pipe, ROWS, early_pipe.generate_batch(ROWS))
    assert_rows_match(
        early_pipe, ROWS[:4], early_pipe.generate_batch(ROWS[:4], cfg_scale=5.0), cfg_scale=5.0
    )
