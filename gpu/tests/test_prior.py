"""The descriptor prior that free generation draws its conditions from."""

import math

import numpy as np
import pytest
import torch

from gpu.diffusion.prior import DescriptorPrior


def identity(raw: torch.Tensor) -> torch.Tensor:
    return raw


def test_draws_are_corpus_rows_with_absent_values_kept_absent():
    rows = torch.tensor([[5.0, 2.5, 0.1], [math.nan, 2.0, 0.3]])
    prior = DescriptorPrior(rows, bandwidth=0.0)
    values, present = prior.draw(200, identity, torch.Generator().manual_seed(0))
    assert values.shape == present.shape == (200, 3)
    pitched = present[:, 0]
    assert 0 < int(pitched.sum()) < 200  # both rows drawn
    assert torch.equal(values[pitched], rows[0].expand(int(pitched.sum()), 3))
    assert (values[~pitched, 0] == 0).all() and present[~pitched, 1:].all()


def test_bandwidth_jitters_present_values_only_and_the_seed_fixes_them():
    rows = torch.tensor([[5.0, 2.5, math.nan]])
    prior = DescriptorPrior(rows, bandwidth=0.1)
    values, present = prior.draw(2000, identity, torch.Generator().manual_seed(1))
    assert values[:, 0].std().item() == pytest.approx(0.1, rel=0.1)
    assert (values[:, 2] == 0).all() and not present[:, 2].any()
    again, _ = prior.draw(2000, identity, torch.Generator().manual_seed(1))
    assert torch.equal(values, again)


def test_default_bandwidth_follows_scotts_rule():
    assert DescriptorPrior(torch.zeros(5000, 3)).bandwidth == pytest.approx(0.296, abs=1e-3)
    assert DescriptorPrior(torch.zeros(10, 3)).bandwidth > 0.7  # few kicks: smoother


def test_save_load_and_subsampling(tmp_path):
    raw = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    prior = DescriptorPrior.from_descriptors(raw, max_rows=20)
    assert prior.rows.shape == (20, 3)
    assert torch.equal(prior.rows, DescriptorPrior.from_descriptors(raw, max_rows=20).rows)
    prior.save(tmp_path)
    assert torch.equal(DescriptorPrior.load(tmp_path).rows, prior.rows)
    with pytest.raises(ValueError, match="needs rows"):
        DescriptorPrior(torch.zeros(0, 3))
