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

With ``harmonics`` > 0 the body is not overlap-added at all. A 1024-point frame spans 23 ms,
and a kick's pitch can sweep from 400 Hz to 50 Hz in 3 ms: overlap-added, the sweep's start
is smeared over the first 10 ms as spurious zero crossings. A harmonic oscillator bank
(Engel et al. 2020, "DDSP") renders the body at the sample rate instead: a frequency per
frame (the low band's f0 times a learned correction, trained against the cycles the true
body completes in each hop, `gpu.audio.descriptors.body_cycles`), linear between frame centres
and integrated exactly into one phase, and a learned amplitude per harmonic per frame,
linear between frames too. The STFT branch keeps everything else (click, noise, overtones
above the bank) and gives up the bins at and below the body's frequency, which the
oscillator owns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from gpu.networks.layers import ConvNeXtBlock
from gpu.networks.roles import Vocoder


@dataclass
class VocoderConfig:
    n_channels: int = 99  # spectrogram channels: 80 mel + 19 low-band (gpu.audio.spectral)
    n_fft: int = 1024
    hop: int = 256
    dim: int = 128
    blocks: int = 4
    expansion: int = 3
    kernel: int = 7
    max_log_magnitude: float = 6.0
    # Where the low band sits in the input channels (gpu.audio.spectral): it sets the phase of the
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
    # Harmonics of the sample-rate body oscillator; 0 renders the body through the STFT.
    harmonics: int = 0
    max_log_amplitude: float = 2.0
    # How far below the strongest low-band bin a subharmonic peak may lie and still be taken
    # as the fundamental (ISTFTVocoder._subharmonic_peak).
    subharmonic_drop_db: float = 20.0
    # Past this time the body's frequency is the low band's alone (ISTFTVocoder.body_hz);
    # 0 keeps the learned correction everywhere (v5).
    correction_ms: float = 0.0


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
        if config.harmonics:
            # Both start neutral: the low band's f0 and a quiet bank.
            self.cycles_head = nn.Linear(config.dim, 1)
            nn.init.zeros_(self.cycles_head.weight)
            nn.init.zeros_(self.cycles_head.bias)
            self.amplitude_head = nn.Linear(config.dim, config.harmonics)
            nn.init.constant_(self.amplitude_head.bias, -6.0)
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
        bin, moved down to a subharmonic of it when one stands out as a peak of its own
        (``_subharmonic_peak``), refined by parabolic interpolation of its log magnitude and
        its neighbours' (Smith & Serra 1987, "PARSHL"). No parameters: the note comes from the
        spectrogram."""
        low = spec[:, self.config.n_mels :]  # (B, n_low, T), log magnitudes
        strongest = low.argmax(dim=1).clamp(1, low.shape[1] - 2)  # (B, T)
        peak = self._subharmonic_peak(low, strongest)
        a, b, c = (low.gather(1, (peak + d)[:, None]).squeeze(1) for d in (-1, 0, 1))
        curvature = a - 2 * b + c
        offset = torch.where(curvature < -1e-6, 0.5 * (a - c) / curvature.clamp(max=-1e-6), 0.0)
        bins = self.config.low_first_bin + peak + offset.clamp(-0.5, 0.5)
        return bins * (self.config.sample_rate / self.config.low_n_fft)

    def _subharmonic_peak(self, low: torch.Tensor, strongest: torch.Tensor) -> torch.Tensor:
        """(B, T) low-band index of the fundamental, given the strongest bin (B, T).

        A driven kick's 2nd or 3rd harmonic can be louder than its fundamental, and the
        strongest bin then plays the body an octave or a twelfth too high and mutes what lies
        below it. So the strongest bin is read as the k-th harmonic (k = 4, 3, 2, lowest
        fundamental first) when, within one bin of its k-th fraction, the band holds a local
        peak no more than ``subharmonic_drop_db`` below it: a subharmonic check in the spirit
        of Hermes 1988 ("Measurement of pitch by subharmonic summation"). A Hann window's
        sidelobes sit 31 dB down, so a lone sinusoid never passes. Only frames whose window
        has left the onset are checked. low (B, n_low, T) is in natural-log magnitude.
        """
        first, n_low = self.config.low_first_bin, low.shape[1]
        drop = self.config.subharmonic_drop_db * (math.log(10.0) / 20.0)
        floor = low.gather(1, strongest[:, None]).squeeze(1) - drop  # (B, T)

        def level(index: torch.Tensor) -> torch.Tensor:  # index (B, T, 3) -> (B, T, 3)
            return low.gather(1, index.transpose(1, 2)).transpose(1, 2)

        chosen = strongest
        spread = torch.tensor([-1, 0, 1], device=low.device)
        for k in (2, 3, 4):  # a lower fundamental that passes overrides a higher one
            target = (strongest + first).to(low.dtype) / k - first  # (B, T) fractional index
            near = (target.round().long()[..., None] + spread).clamp(1, n_low - 2)  # (B, T, 3)
            value = level(near)
            passes = (value >= level(near - 1)) & (value >= level(near + 1))
            passes &= (value >= floor[..., None]) & ((near - target[..., None]).abs() <= 1.0)
            passes &= target[..., None] >= 0.5  # the subharmonic lies inside the band
            best = torch.where(passes, value, torch.full_like(value, -math.inf)).argmax(-1)
            found = near.gather(-1, best[..., None]).squeeze(-1)
            chosen = torch.where(passes.any(-1), found, chosen)
        # A low-band window that still holds the onset (kicks start at sample 0) sees the
        # attack sweep smeared across the band, and its strongest bin is the sweep, not a
        # harmonic; there the learned correction (body_hz) reads the attack.
        settled = torch.arange(low.shape[-1], device=low.device) * self.config.hop
        return torch.where(settled >= self.config.low_n_fft // 2, chosen, strongest)

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
        return self._below(f0), theta[:, None, :] - math.pi * k[None]

    def _features(self, mel: torch.Tensor) -> torch.Tensor:
        """log-mel (B, M, T) -> backbone features (B, T, D)."""
        h = self.norm_in(self.embed(mel).transpose(1, 2)).transpose(1, 2)  # (B, D, T)
        return self.norm_out(self.backbone(h).transpose(1, 2))

    def _stft_branch(
        self, mel: torch.Tensor, h: torch.Tensor, owned_hz: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Complex STFT (B, n_bins, T). Bins below ``owned_hz`` (B, T) plus two bins are left
        to the oscillator (zero magnitude); without it, they lock to the low band's f0."""
        log_mag, deviation = self.head(h).transpose(1, 2).chunk(2, dim=1)  # each (B, n_bins, T)
        magnitude = torch.exp(torch.clamp(log_mag, max=self.config.max_log_magnitude))
        advance = math.pi * torch.tanh(deviation)  # deviation from the nominal advance, radians
        phase = self.nominal_phase(mel.shape[-1]).to(mel.device) + torch.cumsum(advance, dim=-1)
        if owned_hz is not None:
            magnitude = magnitude * ~self._below(owned_hz)
        elif self.config.lock_low_band:
            correction = (
                math.pi * torch.tanh(self.lock_head(h)).squeeze(-1)  # (B, T)
                if self.config.lock_correction
                else None
            )
            mask, locked = self.locked_phase(mel, correction)
            phase = torch.where(mask, locked, phase)
        return torch.polar(magnitude, phase)

    def _below(self, hz: torch.Tensor) -> torch.Tensor:
        """(B, n_bins, T) bool: bins within two bins above ``hz`` (B, T) or below it."""
        cfg = self.config
        k = torch.arange(cfg.n_fft // 2 + 1, device=hz.device, dtype=torch.float32)[:, None]
        bin_hz = k * (cfg.sample_rate / cfg.n_fft)
        return bin_hz[None] < hz[:, None, :] + 2 * cfg.sample_rate / cfg.n_fft

    def body_hz(self, f0: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The body's frequency at each frame centre, (B, T): the low band's f0 (B, T), from
        ``fundamental``, times 2 ** (a learned correction within ±6 octaves), which the
        attack frames need. With ``correction_ms`` set, the correction fades out linearly
        over the frames centred in [correction_ms / 2, correction_ms]: past the sweep the
        body sits in the low band, which resolves it to a fraction of a 10.8 Hz bin, while a
        correction taught by counted crossings follows a recording's room (v6's first
        vocoder run raised real bodies by up to 8 semitones there)."""
        correction = 6.0 * torch.tanh(self.cycles_head(h).squeeze(-1) / 6.0)  # (B, T)
        if self.config.correction_ms:
            centre_ms = torch.arange(h.shape[1], device=h.device) * (
                1000.0 * self.config.hop / self.config.sample_rate
            )
            fade = (2.0 - 2.0 * centre_ms / self.config.correction_ms).clamp(0.0, 1.0)
            correction = correction * fade
        return f0.clamp(min=1.0) * torch.exp2(correction)

    def cycles_per_hop(self, hz: torch.Tensor) -> torch.Tensor:
        """(B, T) frequencies at frame centres -> (B, T - 1) cycles in each hop between them,
        the frequency running linearly from one centre to the next."""
        return 0.5 * (hz[:, :-1] + hz[:, 1:]) * (self.config.hop / self.config.sample_rate)

    def _oscillator(self, h: torch.Tensor, hz: torch.Tensor) -> torch.Tensor:
        """Harmonic bank at the sample rate, (B, (T - 1) * hop). The frequency runs linearly
        between frame centres (so a sweep's first hop starts high instead of at its mean) and
        the phase is its exact integral; amplitudes are linear between frames too."""
        cfg = self.config
        hop = cfg.hop
        hz = hz.detach()  # taught by its own loss only: phase gradients mislead (DDSP)
        cycles = self.cycles_per_hop(hz)  # (B, T - 1)
        n_hops = cycles.shape[-1]
        start = torch.cumsum(cycles, dim=-1) - cycles  # cycles done before each hop
        u = torch.arange(hop, device=h.device, dtype=torch.float32) / hop  # (hop,)
        rise = (hz[:, 1:] - hz[:, :-1]) * (hop / cfg.sample_rate)  # (B, T - 1)
        base = hz[:, :-1] * (hop / cfg.sample_rate)
        phase = start[..., None] + base[..., None] * u + 0.5 * rise[..., None] * u * u
        angle = (2 * math.pi) * (phase - torch.floor(phase))  # (B, T - 1, hop)
        harmonic = torch.arange(1, cfg.harmonics + 1, device=h.device, dtype=torch.float32)
        # Harmonics above Nyquist are silenced per frame, before interpolation.
        below_nyquist = hz[:, None, :] * harmonic[None, :, None] < 0.5 * cfg.sample_rate
        log_amp = self.amplitude_head(h).transpose(1, 2)  # (B, H, T)
        amplitude = torch.exp(torch.clamp(log_amp, max=cfg.max_log_amplitude)) * below_nyquist
        at_start, at_end = amplitude[..., :-1, None], amplitude[..., 1:, None]  # (B, H, T-1, 1)
        # sin(k·angle) by the Chebyshev recurrence sin((k+1)a) = 2 cos a · sin(ka) − sin((k−1)a):
        # one sine and one cosine per sample instead of one sine per harmonic, and every array
        # one harmonic long, which stays in cache.
        twice_cos = 2.0 * torch.cos(angle)
        previous, current = torch.zeros_like(angle), torch.sin(angle)
        from_start = from_end = torch.zeros_like(angle)
        for k in range(cfg.harmonics):
            from_start = torch.addcmul(from_start, at_start[:, k], current)
            from_end = torch.addcmul(from_end, at_end[:, k], current)
            previous, current = current, twice_cos * current - previous
        out = from_start + u * (from_end - from_start)  # amplitudes linear within a hop
        return out.reshape(len(h), n_hops * hop)

    def render(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """log-mel (B, M, T) -> (waveform (B, (T - 1) * hop), log2 of the body's cycles per
        hop (B, T - 1), or None without an oscillator)."""
        cfg = self.config
        h = self._features(mel)
        n_samples = (mel.shape[-1] - 1) * cfg.hop
        hz = owned = None
        if cfg.harmonics:
            f0 = self.fundamental(mel.detach())
            hz = self.body_hz(f0, h)
            owned = torch.maximum(hz.detach(), f0)
        audio = torch.istft(
            self._stft_branch(mel, h, owned),
            cfg.n_fft,
            cfg.hop,
            window=self.window,
            center=True,
            length=n_samples,
        )  # (B, N)
        if hz is None:
            return audio, None
        return audio + self._oscillator(h, hz), torch.log2(self.cycles_per_hop(hz))

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.render(mel)[0]
