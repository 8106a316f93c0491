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
    # Harmonics 2..lock_harmonics also lock to the fundamental's phase (0: none).
    lock_harmonics: int = 0


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
        self,
        spec: torch.Tensor,
        correction: torch.Tensor | None = None,
        magnitude: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(mask, phase), each (B, n_bins, T): the bins within two bins above the fundamental
        take the phase a sinusoid gliding at that fundamental has in a centred Hann-windowed
        STFT, theta(t) - pi k, with theta the running integral of 2 pi f0 hop / sr (phase
        locking, Laroche & Dolson 1999). The kick's note then comes out exactly as written
        in the low band instead of depending on a learned phase.

        ``correction`` (B, T) is added to every hop's advance. With ``lock_harmonics`` = H and
        the frame's ``magnitude`` (B, n_bins, T), every bin whose nearest spectral peak sits on
        harmonic h of the fundamental (2 <= h <= H) takes h * theta - pi k, in the frames where
        the fundamental holds still: a driven kick's overtones move with its fundamental, and
        phases that wander from frame to frame cancel in the overlap-add — energy the network
        would otherwise have to guess back. Bins go with their nearest peak (the peak's "region
        of influence"), not with the nearest multiple of f0, because a symmetric drive leaves
        the even harmonics out and their bins hold the odd ones' skirts."""
        cfg = self.config
        f0 = self.fundamental(spec.detach())  # (B, T)
        advance = f0 * (2 * math.pi * cfg.hop / cfg.sample_rate)
        if correction is not None:
            advance = advance + correction
        theta = torch.cumsum(advance, dim=-1)  # (B, T)
        k = torch.arange(cfg.n_fft // 2 + 1, device=spec.device, dtype=torch.float32)[:, None]
        spacing = cfg.sample_rate / cfg.n_fft
        fundamental = f0[:, None, :]  # (B, 1, T)
        mask = (k * spacing)[None] < fundamental + 2 * spacing  # (B, n_bins, T)
        multiple = torch.ones_like(k)[None]
        if cfg.lock_harmonics > 1 and magnitude is not None:
            peak_hz = self.nearest_peak(magnitude.detach()).float() * spacing  # (B, n_bins, T)
            h = torch.round(peak_hz / fundamental)
            overtone = (peak_hz - h * fundamental).abs() <= spacing
            overtone &= (h >= 2) & (h <= cfg.lock_harmonics) & ~mask
            overtone &= self.steady(f0)[:, None, :]
            mask = mask | overtone
            multiple = torch.where(overtone, h, 1.0)
        return mask, multiple * theta[:, None, :] - math.pi * k[None]

    @staticmethod
    def nearest_peak(magnitude: torch.Tensor) -> torch.Tensor:
        """(B, K, T) -> (B, K, T) int64: per bin, the index of the nearest local maximum of the
        magnitude along the frequency axis (ties to the lower one)."""
        edge = torch.full_like(magnitude[:, :1], -math.inf)
        lower = torch.cat([edge, magnitude[:, :-1]], dim=1)
        upper = torch.cat([magnitude[:, 1:], edge], dim=1)
        is_peak = (magnitude >= lower) & (magnitude > upper)
        n = magnitude.shape[1]
        k = torch.arange(n, device=magnitude.device)[None, :, None].expand_as(magnitude)
        below = torch.where(is_peak, k, -2 * n).cummax(dim=1).values  # last peak at or below
        above = torch.where(is_peak, k, 3 * n).flip(1).cummin(dim=1).values.flip(1)
        return torch.where(k - below <= above - k, below, above)

    @staticmethod
    def steady(f0: torch.Tensor, semitones_per_hop: float = 0.25) -> torch.Tensor:
        """(B, T) bool: frames whose fundamental moves less than ``semitones_per_hop`` to
        the previous and to the next frame (the sweep is over)."""
        step = (12.0 * torch.log2(f0[:, 1:] / f0[:, :-1])).abs() <= semitones_per_hop  # (B, T-1)
        edge = torch.zeros_like(step[:, :1])
        return torch.cat([edge, step], dim=1) & torch.cat([step, edge], dim=1)

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
            mask, locked = self.locked_phase(mel, correction, magnitude)
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
