"""Inference: prompt + descriptor targets -> 2 s kick. Imports nothing from the trainer.

    pipe = KickPipeline.from_pretrained("gpu/weights")      # or "org/name" on the Hub
    audio = pipe.generate("hit house", seed=1, note="F1")   # float32 (88200,), 44.1 kHz
    kicks = pipe.generate_batch([{"seed": 1, "note": "F1"}, {"prompt": "deep", "seed": 2}])

Flow: condition (keywords + descriptors) -> DPM-Solver++(2M) over the latent U-Net with
classifier-free guidance -> VAE decoder -> log-mel -> iSTFT vocoder -> ``output_format.finish``.

Kept whole: KickPipeline is the one public class of the model. Its methods (generate, a batch,
vary, reconstruct) share the loaded networks, the condition they build from a request and the
seeded noise; the parts they call live in gpu.audio, gpu.diffusion and gpu.networks.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpu.audio import descriptors
from gpu.audio.output_format import finish
from gpu.audio.spectral import LogMel, SpectralConfig
from gpu.audio.tuning import tune
from gpu.audio.wav import to_wav_bytes
from gpu.diffusion.guidance import EarlyGuidance, sample
from gpu.diffusion.prior import PRIOR_FILE, DescriptorPrior
from gpu.diffusion.schedule import NoiseSchedule, ScheduleConfig
from gpu.diffusion.solvers import make_scheduler
from gpu.networks.conditioning import Condition, ConditionEncoder, descriptor_row
from gpu.networks.roles import Autoencoder, Denoiser, Vocoder
from gpu.prompt import PromptError, parse_prompt
from gpu.weights_io.checkpoint import load_network
from gpu.weights_io.hub import resolve_weights

__all__ = ["DEFAULT_WEIGHTS", "KickPipeline", "PromptError"]

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights"
DEFAULT_PROMPT = "hit house"
MAX_KICKS = 64
# What one row of `generate_batch` may say: the per-kick arguments of `generate`.
ROW_KEYS = frozenset({"prompt", "seed", "note", "decay_ms", "punch"})
Progress = Callable[[int, int], None]


def _seed(seed: int | None) -> int:
    return secrets.randbits(63) if seed is None else int(seed)


def _check_cfg_scale(cfg_scale: float) -> None:
    if not (math.isfinite(cfg_scale) and 0.0 <= cfg_scale <= 20.0):
        raise PromptError(f"cfg_scale must be between 0 and 20, got {cfg_scale}.")


class KickPipeline:
    def __init__(
        self,
        vae: Autoencoder,
        unet: Denoiser,
        vocoder: Vocoder,
        conditioning: ConditionEncoder,
        config: dict,
        vocabulary: list[str],
        device: str | torch.device = "cpu",
        prior: DescriptorPrior | None = None,
    ):
        if len(vocabulary) != conditioning.config.vocab_size:
            raise ValueError(
                f"vocabulary.json has {len(vocabulary)} words but the condition encoder was "
                f"trained on {conditioning.config.vocab_size}."
            )
        self.device = torch.device(device)
        self.vae, self.unet = vae.to(self.device).eval(), unet.to(self.device).eval()
        self.vocoder = vocoder.to(self.device).eval()
        self.conditioning = conditioning.to(self.device).eval()
        self.config = config
        self._vocabulary = list(vocabulary)
        self.spectral = SpectralConfig(**config["spectral"])
        self.mel = LogMel(self.spectral).to(self.device)
        self.schedule = NoiseSchedule(ScheduleConfig(**config["schedule"]))
        self.sampler_name: str = config.get("sampler", "dpm++2m")
        self.default_steps: int = int(config.get("default_steps", 10))
        self.latent_mean = torch.tensor(config["latent_mean"], device=self.device)[None, :, None]
        self.latent_std = torch.tensor(config["latent_std"], device=self.device)[None, :, None]
        self.ranges: dict[str, list[float]] = config["descriptor_ranges"]
        self.prior = prior

    @classmethod
    def from_pretrained(
        cls,
        path_or_hub_repo: str | os.PathLike = DEFAULT_WEIGHTS,
        revision: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        local_files_only: bool | None = None,
        threads: int | None = None,
        device: str | torch.device = "cpu",
    ) -> KickPipeline:
        """Load from a weights folder or a Hub repo id (pinned ``revision``, ``cache_dir``).

        ``threads`` sets torch's intra-op threads for this process (None leaves it alone);
        ``device`` is where the networks run ("cuda" on the Modal worker).
        """
        if threads is not None:
            torch.set_num_threads(threads)
        folder = resolve_weights(path_or_hub_repo, revision, cache_dir, local_files_only)
        config = json.loads((folder / "config.json").read_text())
        vocabulary = json.loads((folder / "vocabulary.json").read_text())
        names = config["networks"]
        return cls(
            load_network(folder, names["vae"]),
            load_network(folder, names["unet"]),
            load_network(folder, names["vocoder"]),
            load_network(folder, names["conditioning"]),
            config,
            vocabulary,
            device,
            DescriptorPrior.load(folder) if (folder / PRIOR_FILE).is_file() else None,
        )

    @property
    def vocabulary(self) -> list[str]:
        return list(self._vocabulary)

    def condition(
        self,
        prompt: str | None,
        note: str | float | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
    ) -> Condition:
        """Build a (1, ...) Condition. prompt None leaves the keywords unconditioned (so does
        a None descriptor); "" or unknown words raise PromptError."""
        keywords = torch.zeros(1, len(self._vocabulary))
        if prompt is not None:
            for word in parse_prompt(prompt, self._vocabulary):
                keywords[0, self._vocabulary.index(word)] = 1.0
        pitch = None if note is None else self._note_hz(note)
        if decay_ms is not None:
            self._check_range("decay_ms", float(decay_ms), "ms", label=f"Decay {decay_ms:g} ms")
        if punch is not None:
            self._check_range("punch", float(punch), "", label=f"Punch {punch:g}")
        raw = torch.tensor([descriptor_row(pitch or 0.0, decay_ms or 0.0, punch)])  # (1, D)
        present = torch.isfinite(raw)
        values = self.conditioning.standardise(torch.nan_to_num(raw, nan=0.0))
        return Condition(keywords, torch.where(present, values, 0.0), present).to(self.device)

    def _note_hz(self, note: str | float) -> float:
        if isinstance(note, str):
            try:
                hz = descriptors.note_to_hz(note.strip())
            except (ValueError, KeyError) as error:
                raise PromptError(
                    f"{note!r} is not a note name; write it like 'F1', 'C#1' or 'Bb0'."
                ) from error
        else:
            hz = float(note)
        self._check_range("tail_pitch_hz", hz, "Hz", label=f"Tail note {note} ({hz:.1f} Hz)")
        return hz

    def _check_range(self, key: str, value: float, unit: str, label: str) -> None:
        """Refuse a target the model never saw, in words a producer reads (the web app shows
        this message as it is)."""
        lo, hi = self.ranges[key]
        if not (math.isfinite(value) and lo <= value <= hi):
            span = f"{lo:g}–{hi:g} {unit}".rstrip()
            raise PromptError(f"{label} is outside what this model makes: {span}.")

    def _seeded_noise(self, n: int, seed: int | None) -> torch.Tensor:
        generator = torch.Generator().manual_seed(_seed(seed))
        shape = (
            n,
            self.unet.config.latent_channels,
            self.spectral.n_frames // self.vae.config.time_downsample,
        )
        # Drawn on the CPU so a seed gives the same kick on every device.
        return torch.randn(shape, generator=generator).to(self.device)  # (n, C, L)

    def _steps(self, steps: int | None) -> int:
        steps = self.default_steps if steps is None else int(steps)
        if not 1 <= steps <= 200:
            raise PromptError(f"steps must be between 1 and 200, got {steps}.")
        return steps

    @torch.inference_mode()
    def _latent_to_audio(self, z: torch.Tensor) -> np.ndarray:
        return self._mel_to_audio(self.vae.decode(z * self.latent_std + self.latent_mean))

    @torch.inference_mode()
    def _mel_to_audio(self, mel: torch.Tensor) -> np.ndarray:
        """Spectrograms (B, M, T) -> finished kicks (B, 88200)."""
        return finish(self.vocoder(mel).float().cpu().numpy())

    @torch.inference_mode()
    def _encode(self, audio: np.ndarray) -> torch.Tensor:
        """audio (B, N) -> standardised latent means (B, C, L)."""
        mean, _ = self.vae.encode(self.mel(torch.from_numpy(audio).to(self.device)))
        return (mean - self.latent_mean) / self.latent_std

    @torch.inference_mode()
    def _denoise(
        self,
        x: torch.Tensor,
        cond: Condition,
        cfg_scale: float,
        scheduler,
        progress: Progress | None,
    ) -> torch.Tensor:
        n = x.shape[0]
        if cond.asks_nothing:
            cfg_scale = 1.0  # nothing asked for: guidance is the identity, skip the second pass
        cond_emb = self.conditioning(cond).expand(n, -1)  # (n, E)
        null = Condition.null(1, len(self._vocabulary)).to(self.device)
        null_emb = self.conditioning(null).expand(n, -1)
        early = self._early_guidance([cond], [cfg_scale], n)
        return sample(self.unet, x, scheduler, cond_emb, null_emb, cfg_scale, progress, early)

    def _early_guidance(
        self, conditions: Sequence[Condition], scales: Sequence[float], n: int
    ) -> EarlyGuidance | None:
        """With ``keyword_guidance_from`` (a training timestep) in the config: at timesteps
        at or above it, guide only the asked descriptors (negative: the keywords alone), so
        the keywords shape the kick once its register is set instead of pushing it to their
        extremes from pure noise. A row that asks no descriptor is unguided there (one pass).
        Conditions (1 or n rows each) pair with ``scales``; -> negatives and scales for n rows.
        """
        start = self.config.get("keyword_guidance_from")
        if start is None:
            return None
        negatives, early_scales = [], []
        for cond, scale in zip(conditions, scales, strict=True):
            alone = Condition(
                cond.keywords, torch.zeros_like(cond.descriptors), torch.zeros_like(cond.present)
            )
            negatives.append(self.conditioning(alone))  # (rows, E)
            early_scales.append(scale if bool(cond.present.any()) else 1.0)
        negative = torch.cat(negatives).expand(n, -1)  # (n, E)
        if len(early_scales) == 1:
            return EarlyGuidance(negative, early_scales[0], int(start))
        return EarlyGuidance(negative, torch.tensor(early_scales), int(start))

    def generate(
        self,
        prompt: str | None = DEFAULT_PROMPT,
        seed: int | None = None,
        steps: int | None = None,
        cfg_scale: float = 3.0,
        progress: Progress | None = None,
        note: str | float | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
        n: int = 1,
        prior: bool = True,
    ) -> np.ndarray:
        """n new kicks -> float32 (88200,) when n == 1 else (n, 88200).

        prompt: keywords from ``vocabulary`` (None: no keyword condition). note: tail pitch
        as a note name ("F1") or Hz; the kick is then tuned to it (gpu.audio.tuning, within 3
        semitones). decay_ms: time to -30 dB. punch: transient energy share
        (0-1). With nothing asked at all, each kick's condition is drawn from the weights'
        descriptor prior (gpu.diffusion.prior) and sampled without guidance; prior=False samples the
        unconditional model instead. Same seed, same arguments, same machine -> same audio.
        """
        if not 1 <= int(n) <= MAX_KICKS:
            raise PromptError(f"n must be between 1 and {MAX_KICKS} kicks, got {n}.")
        _check_cfg_scale(cfg_scale)
        cond = self.condition(prompt, note, decay_ms, punch)
        seed = _seed(seed)
        if prior and self.prior is not None and cond.asks_nothing:
            cond, cfg_scale = self._drawn_condition(int(n), seed), 1.0
        scheduler = make_scheduler(self.sampler_name, self.schedule)
        scheduler.set_timesteps(self._steps(steps))
        z = self._denoise(self._seeded_noise(int(n), seed), cond, cfg_scale, scheduler, progress)
        target = None if note is None else self._note_hz(note)
        audio = np.stack([tune(kick, target) for kick in self._latent_to_audio(z)])
        return audio[0] if n == 1 else audio

    def generate_batch(
        self,
        rows: Sequence[Mapping[str, Any]],
        steps: int | None = None,
        cfg_scale: float = 3.0,
        progress: Progress | None = None,
        prior: bool = True,
    ) -> np.ndarray:
        """One kick per row, all denoised together -> float32 (len(rows), 88200).

        Each row holds the per-kick arguments of ``generate`` (prompt, seed, note, decay_ms,
        punch; missing ones take generate's defaults) and gets its own condition, its own
        seeded noise and, for a row that asks nothing, its own prior draw without guidance;
        steps, cfg_scale and prior are shared. Row i is ``generate(**rows[i], ...)`` up to
        float rounding: the networks' kernels sum in a different order at another batch size,
        which moves samples by ~1e-5 of full scale (test_pipeline_batch bounds it), below
        one step of the 16-bit WAV a kick is stored as. Progress is reported once per step
        for the whole batch. A bad row raises PromptError before any work; callers that must
        fail only that row split the bad ones off with ``refusals`` first.
        """
        rows = list(rows)
        if not 1 <= len(rows) <= MAX_KICKS:
            raise PromptError(f"A batch holds 1 to {MAX_KICKS} kicks, got {len(rows)}.")
        _check_cfg_scale(cfg_scale)
        conditions, scales, noise = [], [], []
        for row in rows:
            unknown = set(row) - ROW_KEYS
            if unknown:
                raise TypeError(
                    f"generate_batch rows take {sorted(ROW_KEYS)}, not {sorted(unknown)}."
                )
            cond = self._row_condition(row)
            seed = _seed(row.get("seed"))
            scale = cfg_scale
            if prior and self.prior is not None and cond.asks_nothing:
                cond, scale = self._drawn_condition(1, seed), 1.0
            elif cond.asks_nothing:
                scale = 1.0  # as in _denoise: nothing asked, guidance is the identity
            conditions.append(cond)
            scales.append(scale)
            noise.append(self._seeded_noise(1, seed))  # (1, C, L), the row's own stream
        scheduler = make_scheduler(self.sampler_name, self.schedule)
        scheduler.set_timesteps(self._steps(steps))
        with torch.inference_mode():
            # Embedded row by row, like a kick alone: the encoder is tiny, and at batch size 1
            # its matmuls round exactly as they do in generate().
            cond_emb = torch.cat([self.conditioning(c) for c in conditions])  # (B, E)
            null = Condition.null(1, len(self._vocabulary)).to(self.device)
            null_emb = self.conditioning(null).expand(len(rows), -1)  # (B, E)
            early = self._early_guidance(conditions, scales, len(rows))
        z = sample(
            self.unet,
            torch.cat(noise),  # (B, C, L)
            scheduler,
            cond_emb,
            null_emb,
            torch.tensor(scales),
            progress,
            early,
        )
        targets = [None if row.get("note") is None else self._note_hz(row["note"]) for row in rows]
        kicks = self._latent_to_audio(z)
        return np.stack([tune(kick, target) for kick, target in zip(kicks, targets, strict=True)])

    def refusals(self, rows: Sequence[Mapping[str, Any]]) -> list[PromptError | None]:
        """For each ``generate_batch`` row, the PromptError it would raise, or None."""
        errors: list[PromptError | None] = []
        for row in rows:
            try:
                self._row_condition(row)
            except PromptError as error:
                errors.append(error)
            else:
                errors.append(None)
        return errors

    def _row_condition(self, row: Mapping[str, Any]) -> Condition:
        return self.condition(
            row.get("prompt", DEFAULT_PROMPT),
            row.get("note"),
            row.get("decay_ms"),
            row.get("punch"),
        )

    def _drawn_condition(self, n: int, seed: int) -> Condition:
        """n conditions drawn from the prior, on a stream of their own: the same seed gives
        the same draws, independent of the seed's noise."""
        stream = int(np.random.SeedSequence([seed, 1]).generate_state(1, np.uint64)[0] >> 1)
        values, present = self.prior.draw(
            n, self.conditioning.standardise, torch.Generator().manual_seed(stream)
        )
        keywords = torch.zeros(n, len(self._vocabulary))
        return Condition(keywords, values, present).to(self.device)

    def vary(
        self,
        audio: np.ndarray,
        strength: float = 0.5,
        seed: int | None = None,
        progress: Progress | None = None,
        steps: int | None = None,
        cfg_scale: float = 3.0,
    ) -> np.ndarray:
        """A variation of one kick (88200,): encode, noise to ``strength`` of the schedule
        (0: the same kick, 1: a new kick), denoise conditioned on the original's own tail
        pitch, decay and punch so the variation stays in shape (SDEdit, Meng et al. 2022),
        and tuned to the original's tail pitch (gpu.audio.tuning) so it stays in key."""
        kick = np.asarray(audio, dtype=np.float32)
        if kick.ndim != 1 or kick.size == 0 or not np.all(np.isfinite(kick)):
            raise PromptError("vary() needs one mono kick: a finite 1-D float array.")
        if not 0.0 < float(strength) <= 1.0:
            raise PromptError(f"strength must be in (0, 1], got {strength}.")
        kick = finish(kick)  # (88200,)
        measured = descriptors.describe_batch(kick[None])
        raw = torch.tensor(
            [
                descriptor_row(
                    float(measured["tail_pitch_hz"][0]),
                    float(measured["decay_ms"][0]),
                    float(measured["transient_share"][0]),
                )
            ]
        )  # (1, D)
        present = torch.isfinite(raw)
        values = self.conditioning.standardise(torch.nan_to_num(raw, nan=0.0))
        cond = Condition(
            torch.zeros(1, len(self._vocabulary)), torch.where(present, values, 0.0), present
        ).to(self.device)
        scheduler = make_scheduler(self.sampler_name, self.schedule)
        scheduler.set_timesteps(self._steps(steps), strength=float(strength))
        z0 = self._encode(kick[None])  # (1, C, L)
        t0 = scheduler.timesteps[:1]
        x = self.schedule.add_noise(z0, self._seeded_noise(1, seed), t0)
        z = self._denoise(x, cond, cfg_scale, scheduler, progress)
        key = float(measured["tail_pitch_hz"][0])
        return tune(self._latent_to_audio(z)[0], key if math.isfinite(key) else None)

    def reconstruct(self, audio: np.ndarray) -> np.ndarray:
        """VAE + vocoder round trip (no diffusion), for evaluating the representation.
        (N,) or (B, N) -> the same leading shape with 88200 samples."""
        return self._in_chunks(audio, lambda chunk: self._latent_to_audio(self._encode(chunk)))

    def vocode(self, audio: np.ndarray) -> np.ndarray:
        """The vocoder alone on each kick's own spectrogram (no VAE): which part of a round
        trip's error the vocoder makes. (N,) or (B, N) -> the same leading shape."""
        return self._in_chunks(
            audio,
            lambda chunk: self._mel_to_audio(self.mel(torch.from_numpy(chunk).to(self.device))),
        )

    @staticmethod
    def _in_chunks(audio: np.ndarray, render: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """``render`` over 32 kicks at a time, bounding memory on long folders."""
        batch = np.atleast_2d(np.asarray(audio, dtype=np.float32))
        out = np.concatenate([render(batch[i : i + 32]) for i in range(0, len(batch), 32)])
        return out[0] if np.asarray(audio).ndim == 1 else out

    @staticmethod
    def to_wav_bytes(audio: np.ndarray, float32: bool = False) -> bytes:
        """One kick (88200,) -> WAV bytes, 44.1 kHz mono, 16-bit PCM (or 32-bit float)."""
        return to_wav_bytes(audio, float32=float32)
