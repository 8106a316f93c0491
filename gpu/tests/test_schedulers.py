import itertools
import math

import numpy as np
import pytest
import torch

from gpu.diffusion.schedule import NoiseSchedule, ScheduleConfig, cosine_alphas_cumprod
from gpu.diffusion.solvers import DDIMScheduler, DPMSolverPlusPlus2M, make_scheduler

SCHEDULERS = [DDIMScheduler, DPMSolverPlusPlus2M]


def test_cosine_schedule_matches_closed_form():
    abar = cosine_alphas_cumprod(1000)
    f = lambda t: math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    for t in (0, 10, 500, 900):
        assert abar[t] == pytest.approx(f(t + 1) / f(0), rel=1e-9)
    assert np.all(np.diff(abar) < 0) and abar[-1] > 0
    schedule = NoiseSchedule()
    assert schedule.alphas_cumprod.dtype == torch.float32
    assert torch.allclose(schedule.alphas**2 + schedule.sigmas**2, torch.ones(1000), atol=1e-6)


def test_linear_schedule_and_bad_settings():
    assert NoiseSchedule(ScheduleConfig(kind="linear")).alphas_cumprod[0] == pytest.approx(1 - 1e-4)
    with pytest.raises(ValueError, match="Unknown schedule kind"):
        NoiseSchedule(ScheduleConfig(kind="sigmoid"))
    with pytest.raises(ValueError, match="prediction_type"):
        NoiseSchedule(ScheduleConfig(prediction_type="x0"))


@pytest.mark.parametrize("prediction_type", ["v_prediction", "epsilon"])
def test_target_inverts_to_x0_and_eps(prediction_type):
    schedule = NoiseSchedule(ScheduleConfig(prediction_type=prediction_type))
    x0, eps = torch.randn(4, 3, 5), torch.randn(4, 3, 5)
    # At t = 999 alpha is 0.006: epsilon-prediction's x0 = (x - sigma eps) / alpha amplifies
    # float32 rounding there, which is one reason the shipped model predicts v.
    t = torch.tensor([0, 10, 500, 900])
    x_t = schedule.add_noise(x0, eps, t)
    x0_hat, eps_hat = schedule.to_x0_eps(schedule.target(x0, eps, t), x_t, t)
    assert torch.allclose(x0_hat, x0, atol=1e-3) and torch.allclose(eps_hat, eps, atol=1e-3)


def test_trailing_timesteps_golden():
    scheduler = DDIMScheduler(NoiseSchedule())
    scheduler.set_timesteps(10)
    assert scheduler.timesteps.tolist() == [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]
    scheduler.set_timesteps(4, strength=0.5)
    assert scheduler.timesteps.tolist() == [499, 249]


@pytest.mark.parametrize("cls", SCHEDULERS)
def test_step_before_set_timesteps_raises(cls):
    with pytest.raises(RuntimeError, match="before set_timesteps"):
        cls(NoiseSchedule()).step(torch.zeros(1, 2), 999, torch.zeros(1, 2))


@pytest.mark.parametrize("cls", SCHEDULERS)
def test_out_of_order_timestep_raises(cls):
    scheduler = cls(NoiseSchedule())
    scheduler.set_timesteps(5)
    with pytest.raises(RuntimeError, match="expected the next timestep"):
        scheduler.step(torch.zeros(1, 2), 3, torch.zeros(1, 2))


def test_bad_set_timesteps_arguments():
    scheduler = DDIMScheduler(NoiseSchedule())
    for kwargs in ({"num_steps": 0}, {"num_steps": 1001}, {"num_steps": 5, "strength": 0.0}):
        with pytest.raises(ValueError):
            scheduler.set_timesteps(**kwargs)
    with pytest.raises(ValueError, match="Unknown sampler"):
        make_scheduler("euler", NoiseSchedule())


def _run(scheduler, model, x, steps):
    scheduler.set_timesteps(steps)
    for t in scheduler.timesteps:
        x = scheduler.step(model(x, int(t)), t, x).prev_sample
    return x


@pytest.mark.parametrize("cls", SCHEDULERS)
@pytest.mark.parametrize("steps", [1, 3, 10])
def test_perfect_denoiser_recovers_point_mass(cls, steps):
    """Data = a single point: the exact v-prediction lands on it from any noise."""
    schedule = NoiseSchedule()
    target = torch.tensor([[0.5, -1.25, 2.0]])

    def model(x, t):
        alpha, sigma = schedule.alpha_sigma(torch.tensor([t]), x)
        eps = (x - alpha * target) / sigma
        return alpha * eps - sigma * target

    out = _run(
        cls(schedule), model, torch.randn(1, 3, generator=torch.Generator().manual_seed(0)), steps
    )
    assert torch.allclose(out, target, atol=1e-4)


def _gaussian_model(schedule, mu, s):
    """Exact v-prediction when x0 ~ N(mu, s^2): E[x0 | x_t] is linear in x_t."""

    def model(x, t):
        alpha, sigma = schedule.alpha_sigma(torch.tensor([t]), x)
        var = alpha**2 * s**2 + sigma**2
        x0 = mu + alpha * s**2 * (x - alpha * mu) / var
        eps = (x - alpha * x0) / sigma
        return alpha * eps - sigma * x0

    return model


def test_solvers_follow_the_probability_flow_ode_and_2m_is_more_accurate():
    """For Gaussian data the probability-flow ODE has a closed form:
    x0 = mu + s (x_T - alpha_T mu) / sqrt(alpha_T^2 s^2 + sigma_T^2)."""
    schedule = NoiseSchedule()
    mu, s = 1.5, 0.3
    model = _gaussian_model(schedule, mu, s)
    x_T = torch.randn(256, 1, generator=torch.Generator().manual_seed(1), dtype=torch.float32)
    alpha, sigma = schedule.alpha_sigma(torch.tensor([999]), x_T)
    exact = mu + s * (x_T - alpha * mu) / torch.sqrt(alpha**2 * s**2 + sigma**2)
    err = {}
    for cls in SCHEDULERS:
        for steps in (20, 100):
            out = _run(cls(schedule), model, x_T.clone(), steps)
            err[cls.__name__, steps] = (out - exact).abs().max().item()
    assert err["DPMSolverPlusPlus2M", 100] < 1e-3
    assert err["DDIMScheduler", 100] < 5e-2
    # Second order: at 20 steps DPM-Solver++(2M) is several times closer than DDIM.
    assert err["DPMSolverPlusPlus2M", 20] < err["DDIMScheduler", 20] / 3


def test_ddim_golden_numbers_on_a_linear_toy_model():
    """Regression values for a fixed toy model (v = 0.1 x), 3 DDIM steps from x = 1."""
    scheduler = DDIMScheduler(NoiseSchedule())
    out = _run(scheduler, lambda x, t: 0.1 * x, torch.ones(1, 1, dtype=torch.float32), 3)
    x = 1.0
    ts = [999, 666, 332, -1]
    for t, t_prev in itertools.pairwise(ts):
        abar = float(scheduler.schedule.alphas_cumprod[t])
        a, s = math.sqrt(abar), math.sqrt(1 - abar)
        v = 0.1 * x
        x0, eps = a * x - s * v, s * x + a * v
        abar_p = 1.0 if t_prev < 0 else float(scheduler.schedule.alphas_cumprod[t_prev])
        x = math.sqrt(abar_p) * x0 + math.sqrt(1 - abar_p) * eps
    assert scheduler.timesteps.tolist() == ts[:-1]
    assert out.item() == pytest.approx(x, rel=1e-5)
