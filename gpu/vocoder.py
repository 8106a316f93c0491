"""Inverse-STFT vocoder: log-mel (B, 80, T) -> waveform, no upsampling network at all.

A Vocos-style backbone (Siuzdak 2023, arXiv:2306.00814: ConvNeXt blocks at frame rate, a head
predicting STFT magnitude and phase, then torch.istft) replaces HiFi-GAN's transposed-conv
stack: all work happens at 172 frames/s instead of 44 100 samples/s.

Phase differs from Vocos: instead of an absolute phase per frame, the head predicts each bin's
deviation from its nominal per-hop advance (the phase vocoder's instantaneous frequency,
Flanagan & Golden 1966; Engel et al. 2019 "GANSynth" use it as a representation) and the phase
is its running sum. A kick is a gliding sinusoid, whose phase is the integral of its frequency,
so the network only has to read the local frequency off the mel, which conv layers do well,
and the overlap-add stays consistent from frame to frame by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from gpu.layers import ConvNeXtBlock
from gpu.roles import Vocoder


@dataclass
class VocoderConfig:
    n_channels: int = 99  # spectrogram channels: 80 mel + 19 low-band (gpu.spectral)
    n_fft: int = 1024
    hop: int = 256
    dim: int = 128
    blocks: int = 4
    expansion: int = 3
    kernel: int = 7
    max_log_magnitude: float = 6.0
    # Where the low band sits in the input channels (gpu.spectral): it sets the phase of the
    # bins around the fundamental (see ISTFTVocoder.locked_phase).
    sample_rate: int = 44_100
    n_mels: int = 80
    low_n_fft: int = 4096
    low_first_bin: int = 2
    lock_low_band: bool = True
    # A learned correction to the locked phase, summed over frames like the other bins'
    # deviations: the f0 read from the low band is only right once the sweep has settled, so
    # the attack frames need their own phase advance, and the sum carries it into the tail.
    lock_correction: bool = False


class ISTFTVocoder(Vocoder):
    config_class = VocoderConfig

    def __init__(self, config: VocoderConfig):
        super().__init__(config)
        n_bins = config.n_fft // 2 + 1
        self.embed = nn.Conv1d(
            config.n_channels, config.dim, config.kernel, padding=config.kernel // 2
        )
        self.norm_in = nn.LayerNorm(config.dim)
        self.backbone = nn.Sequential(
            *[
                ConvNeXtBlock(config.dim, config.expansion, config.kernel, 1.0 / config.blocks)
                for _ in range(config.blocks)
            ]
        )
        self.norm_out = nn.LayerNorm(config.dim)
        self.head = nn.Linear(config.dim, 2 * n_bins)
        if config.lock_correction:
            self.lock_head = nn.Linear(config.dim, 1)
            nn.init.zeros_(self.lock_head.weight)  # starts as the plain lock
            nn.init.zeros_(self.lock_head.bias)
        self.register_buffer("window", torch.hann_window(config.n_fft), persistent=False)

    def nominal_phase(self, n_frames: int) -> torch.Tensor:
        """Phase of each bin's centre frequency after t + 1 hops, wrapped exactly with integer
        arithmetic (2*pi*k*hop*(t+1)/n_fft mod 2*pi). (n_bins, T) float32."""
        k = torch.arange(self.config.n_fft // 2 + 1, dtype=torch.int64)[:, None]
        t = torch.arange(1, n_frames + 1, dtype=torch.int64)[None, :]
        cycles = (k * self.config.hop * t) % self.config.n_fft  # (n_bins, T)
        return (cycles.to(torch.float64) * (2 * math.pi / self.config.n_fft)).to(torch.float32)

    def fundamental(self, spec: torch.Tensor) -> torch.Tensor:
        """Fundamental per frame (B, T) in Hz, read from the low-band channels: the strongest
        bin refined by parabolic interpolation of its log magnitude and its neighbours'
        (Smith & Serra 1987, "PARSHL"). No parameters: the note comes from the spectrogram."""
        low = spec[:, self.config.n_mels :]  # (B, n_low, T), log magnitudes
        peak = low.argmax(dim=1).clamp(1, low.shape[1] - 2)  # (B, T)
        a, b, c = (low.gather(1, (peak + d)[:, None]).squeeze(1) for d in (-1, 0, 1))
        curvature = a - 2 * b + c
        offset = torch.where(curvature < -1e-6, 0.5 * (a - c) / curvature.clamp(max=-1e-6), 0.0)
        bins = self.config.low_first_bin + peak + offset.clamp(-0.5, 0.5)
        return bins * (self.config.sample_rate / self.config.low_n_fft)

    def locked_phase(
        self, spec: torch.Tensor, correction: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(mask, phase), each (B, n_bins, T): the bins within two bins above the fundamental
        take the phase a sinusoid gliding at that fundamental has in a centred Hann-windowed
        STFT, theta(t) - pi k, with theta the running integral of 2 pi f0 hop / sr (phase
        locking, Laroche & Dolson 1999). The kick's note then comes out exactly as written
        in the low band instead of depending on a learned phase. ``correction`` (B, T), in
        radians, is added to every hop's advance."""
        cfg = self.config
        f0 = self.fundamental(spec.detach())  # (B, T)
        advance = f0 * (2 * math.pi * cfg.hop / cfg.sample_rate)
        if correction is not None:
            advance = advance + correction
        theta = torch.cumsum(advance, dim=-1)  # (B, T)
        k = torch.arange(cfg.n_fft // 2 + 1, device=spec.device, dtype=torch.float32)[:, None]
        bin_hz = k * (cfg.sample_rate / cfg.n_fft)  # (n_bins, 1)
        mask = bin_hz[None] < f0[:, None, :] + 2 * cfg.sample_rate / cfg.n_fft  # (B, n_bins, T)
        return mask, theta[:, None, :] - math.pi * k[None]

    def spectrum(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-mel (B, M, T) -> (magnitude, phase), each (B, n_bins, T)."""
        h = self.norm_in(self.embed(mel).transpose(1, 2)).transpose(1, 2)  # (B, D, T)
        h = self.norm_out(self.backbone(h).transpose(1, 2))  # (B, T, D)
        log_mag, deviation = self.head(h).transpose(1, 2).chunk(2, dim=1)  # each (B, n_bins, T)
        magnitude = torch.exp(torch.clamp(log_mag, max=self.config.max_log_magnitude))
        advance = math.pi * torch.tanh(deviation)  # deviation from the nominal advance, radians
        phase = self.nominal_phase(mel.shape[-1]).to(mel.device) + torch.cumsum(advance, dim=-1)
        if self.config.lock_low_band:
            correction = (
                math.pi * torch.tanh(self.lock_head(h)).squeeze(-1)  # (B, T)
                if self.config.lock_correction
                else None
            )
            mask, locked = self.locked_phase(mel, correction)
            phase = torch.where(mask, locked, phase)
        return magnitude, phase

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        magnitude, phase = self.spectrum(mel)
        spec = torch.polar(magnitude, phase)  # (B, n_bins, T) complex
        n_samples = (mel.shape[-1] - 1) * self.config.hop
        return torch.istft(
            spec,
            self.config.n_fft,
            self.config.hop,
            window=self.window,
            center=True,
            length=n_samples,
        )  # (B, N)
