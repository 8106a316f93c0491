import pytest
import torch

from gpu.diffusion.guidance import sample
from gpu.diffusion.schedule import NoiseSchedule
from gpu.diffusion.solvers import DDIMScheduler, DPMSolverPlusPlus2M
from gpu.networks.roles import Denoiser


class ToyDenoiser(Denoiser):
    """Deterministic: v = 0.1 x + cond[:, :1] (broadcast); counts its calls and batch sizes."""

    def __init__(self):
        super().__init__(config=None)
        self.batches: list[int] = []

    def forward(self, z, t, cond):
        self.batches.append(z.shape[0])
        return 0.1 * z + cond[:, :1, None]


@pytest.mark.parametrize("cls", [DDIMScheduler, DPMSolverPlusPlus2M])
def test_sample_runs_every_step_reports_progress_and_batches_cfg(cls):
    model = ToyDenoiser()
    scheduler = cls(NoiseSchedule())
    scheduler.set_timesteps(6)
    seen = []
    x = torch.ones(2, 3, 4)
    cond, uncond = torch.ones(2, 5), torch.zeros(2, 5)
    out = sample(model, x, scheduler, cond, uncond, 3.0, progress=lambda s, t: seen.append((s, t)))
    assert seen == [(i, 6) for i in range(1, 7)]
    assert model.batches == [4] * 6  # conditional + unconditional in one forward pass
    again = cls(NoiseSchedule())
    again.set_timesteps(6)
    assert torch.equal(out, sample(ToyDenoiser(), x, again, cond, uncond, 3.0))


def test_guidance_scale_moves_the_result_and_one_skips_the_unconditional_pass():
    outs = {}
    for scale in (1.0, 3.0):
        model = ToyDenoiser()
        scheduler = DDIMScheduler(NoiseSchedule())
        scheduler.set_timesteps(4)
        outs[scale] = sample(
            model, torch.ones(1, 1, 2), scheduler, torch.ones(1, 2), torch.zeros(1, 2), scale
        )
        assert model.batches == [1 if scale == 1.0 else 2] * 4
    assert not torch.allclose(outs[1.0], outs[3.0])


def test_sample_needs_timesteps():
    with pytest.raises(RuntimeError, match="set_timesteps"):
        sample(
            ToyDenoiser(),
            torch.ones(1, 1, 2),
            DDIMScheduler(NoiseSchedule()),
            torch.ones(1, 2),
            torch.zeros(1, 2),
            3.0,
        )


def test_per_row_guidance_equals_each_row_alone_and_skips_unguided_rows():
    scales = torch.tensor([3.0, 1.0, 0.0, 1.0])
    x = torch.randn(4, 3, 4, generator=torch.Generator().manual_seed(0))
    cond = torch.randn(4, 5, generator=torch.Generator().manual_seed(1))
    uncond = torch.zeros(4, 5)
    model = ToyDenoiser()
    scheduler = DPMSolverPlusPlus2M(NoiseSchedule())
    scheduler.set_timesteps(3)
    together = sample(model, x, scheduler, cond, uncond, scales)
    assert model.batches == [4 + 2] * 3  # the two rows at scale 1 run the conditional pass only
    for row, scale in enumerate(scales.tolist()):
        alone = DPMSolverPlusPlus2M(NoiseSchedule())
        alone.set_timesteps(3)
        expected = sample(
            ToyDenoiser(), x[row : row + 1], alone, cond[row : row + 1], uncond[:1], scale
        )
        assert torch.equal(together[row : row + 1], expected), row
