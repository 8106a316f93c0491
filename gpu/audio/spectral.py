"""Log-mel spectrogram plus a fine low band, with torch.stft: the representation every network
in gpu/ shares (B, n_mels + n_low, T).

n_fft 1024 / hop 256 at 44.1 kHz gives 5.8 ms frames: the click and the first 50 ms of the
pitch sweep span ~9 frames instead of the reference's single 11.6 ms-hop column smeared into a
180 ms latent cell. ``n_frames`` frames cover (n_frames - 1) * hop samples (1.85 s for 320
frames); everything after 1.75 s is silence in every kick, so nothing audible is dropped.
Frames are centred with zero padding (not reflection) so the onset at sample 0 has no
mirrored pre-echo.

A 1024-point frame resolves 43 Hz, and a kick's note lives at 30–100 Hz: a semitone at 40 Hz is
2.4 Hz, a twentieth of a bin, which the mel's first filters carry only as tiny level ratios.
So ``n_low`` extra channels hold the log magnitude of a 4096-point STFT (10.8 Hz bins, same hop,
same frame centres) from 21.5 Hz up to ~215 Hz: the tail pitch is explicit in the
representation, for the VAE to keep, the diffusion model to control and the vocoder to read.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from gpu.audio.output_format import SAMPLE_RATE


@dataclass(frozen=True)
class SpectralConfig:
    sample_rate: int = SAMPLE_RATE
    n_fft: int = 1024
    hop: int = 256
    n_mels: int = 80
    n_frames: int = 320
    f_min: float = 0.0
    f_max: float = SAMPLE_RATE / 2
    log_floor: float = 1e-5
    low_n_fft: int = 4096
    low_first_bin: int = 2
    n_low: int = 19

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    @property
    def n_channels(self) -> int:
        return self.n_mels + self.n_low

    @property
    def n_samples(self) -> int:
        """Samples represented by ``n_frames`` centred frames."""
        return (self.n_frames - 1) * self.hop

    def to_dict(self) -> dict:
        return asdict(self)


def _hz_to_mel(hz: float | torch.Tensor):
    # HTK mel scale (O'Shaughnessy 1987): near-linear below ~700 Hz, where kick pitch lives.
    if isinstance(hz, torch.Tensor):
        return 2595.0 * torch.log10(1.0 + hz / 700.0)
    return 2595.0 * math.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: torch.Tensor) -> torch.Tensor:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(config: SpectralConfig) -> torch.Tensor:
    """Triangular HTK filters over the STFT bins, unnormalised. (n_mels, n_bins) float32."""
    bins_hz = torch.linspace(0.0, config.sample_rate / 2, config.n_bins, dtype=torch.float64)
    edges = _mel_to_hz(
        torch.linspace(
            _hz_to_mel(config.f_min),
            _hz_to_mel(config.f_max),
            config.n_mels + 2,
            dtype=torch.float64,
        )
    )
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]  # (M, 1)
    rising = (bins_hz[None, :] - lower) / (centre - lower)
    falling = (upper - bins_hz[None, :]) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0.0).to(torch.float32)


class LogMel(nn.Module):
    """audio (B, N) -> [log-mel; log low band] (B, n_mels + n_low, n_frames).

    Pads or crops audio to config.n_samples first."""

    def __init__(self, config: SpectralConfig):
        super().__init__()
        self.config = config
        self.register_buffer("window", torch.hann_window(config.n_fft), persistent=False)
        self.register_buffer("low_window", torch.hann_window(config.low_n_fft), persistent=False)
        self.register_buffer("filters", mel_filterbank(config), persistent=False)

    def _fit(self, audio: torch.Tensor) -> torch.Tensor:
        n = self.config.n_samples
        audio = audio[:, :n]
        if audio.shape[1] < n:
            audio = nn.functional.pad(audio, (0, n - audio.shape[1]))
        return audio

    def _stft(self, audio: torch.Tensor, n_fft: int, window: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(
            audio,
            n_fft,
            self.config.hop,
            window=window,
            center=True,
            pad_mode="constant",
            return_complex=True,
        )  # (B, n_fft / 2 + 1, n_frames)
        return spec.abs()

    def magnitude(self, audio: torch.Tensor) -> torch.Tensor:
        """audio (B, N) -> |STFT| (B, n_bins, n_frames)."""
        return self._stft(self._fit(audio), self.config.n_fft, self.window)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        audio = self._fit(audio)
        mel = torch.matmul(self.filters, self._stft(audio, self.config.n_fft, self.window))
        first = self.config.low_first_bin
        low = self._stft(audio, self.config.low_n_fft, self.low_window)
        low = low[:, first : first + self.config.n_low] / 4.0  # same level as a 1024-point frame
        spec = torch.cat([mel, low], dim=1)  # (B, n_mels + n_low, n_frames)
        return torch.log(torch.clamp(spec, min=self.config.log_floor))
