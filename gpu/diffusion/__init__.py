"""Sampling a latent: the noise schedule (schedule), the deterministic solvers that step through
it (solvers), classifier-free guidance around a denoiser (guidance), and the descriptor prior
that draws a condition when nothing is asked (prior). Depends on gpu.networks' roles only."""
