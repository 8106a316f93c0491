"""The three training loops. Each takes the parsed CLI options, the cached corpus and a Run,
and trains until --steps or --max-minutes, checkpointing every --save-every seconds."""

from __future__ import annotations

import math
from argparse import Namespace
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from gpu.audio.descriptors import body_cycles
from gpu.audio.spectral import SpectralConfig
from gpu.diffusion.schedule import NoiseSchedule, ScheduleConfig
from gpu.networks.conditioning import Condition, ConditionConfig, ConditionEncoder
from gpu.networks.unet import LatentUNet, UNetConfig
from gpu.networks.vae import MelVAE, VAEConfig
from gpu.networks.vocoder import ISTFTVocoder, VocoderConfig
from gpu.train.data import CorpusArrays, frame_crops
from gpu.train.losses import (
    attack_stft_loss,
    cycles_loss,
    gaussian_kl,
    low_band_loss,
    multi_resolution_stft_loss,
)
from gpu.train.state import Run, networks_folder, provenance
from gpu.weights_io.checkpoint import fingerprint, load_network


def _train(args: Namespace, run: Run, networks: dict, optimizer, rng, step_fn, extra=None) -> None:
    """Shared loop: resume, step, log, checkpoint on time and at the end."""
    if args.init is not None:
        extra = {**(extra or {}), "init": provenance(args.init, args.network)}
    if args.resume and run.has_checkpoint():
        run.restore(networks, optimizer, rng)
        print(f"resumed {run.folder} at step {run.step}", flush=True)
    last_save = run.elapsed()
    running: dict[str, float] = {}
    while run.step < args.steps and run.elapsed() < args.max_minutes * 60:
        losses = step_fn()
        run.step += 1
        for key, value in losses.items():
            running[key] = running.get(key, 0.0) + value
        if run.step % args.log_every == 0:
            run.log(**{k: round(v / args.log_every, 5) for k, v in running.items()})
            running = {}
        if run.elapsed() - last_save > args.save_every:
            run.save(networks, optimizer, rng, extra)
            last_save = run.elapsed()
    run.save(networks, optimizer, rng, extra)
    run.log(done=True)


def _adamw(params, lr: float) -> torch.optim.AdamW:
    return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=1e-4)


def _warmup_cosine(optimizer, base_lr: float, step: int, total: int) -> None:
    """Linear warm-up over min(200, total / 20) steps, then cosine decay to 10 %."""
    warmup = max(1, min(200, total // 20))
    scale = min(1.0, (step + 1) / warmup) * (
        0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))
    )
    for group in optimizer.param_groups:
        group["lr"] = base_lr * scale


ATTACK_S = 0.05  # the attack: click, sweep and the descriptors' attack window


def onset_weight(starts: np.ndarray, crop: int, frames: int, weight: float) -> torch.Tensor:
    """(B, 1, crop) loss weights: ``weight`` on the first ``frames`` frames of the crops that
    start at the onset (start 0), 1 elsewhere. The VAE's latent frame spans 23 ms, so an
    unweighted L1 lets the click and the sweep blur into the frames around them, which
    takes the attack's brightness (its spectral centroid) with it."""
    out = torch.ones(len(starts), 1, crop)
    out[torch.from_numpy(np.asarray(starts) == 0), :, :frames] = weight
    return out


def train_vae(args: Namespace, data: CorpusArrays, run: Run, spectral: SpectralConfig) -> None:
    mel_all = torch.from_numpy(data.mel.astype(np.float32))  # (N, M, T)
    config = VAEConfig(
        n_channels=spectral.n_channels,
        channels=args.width or 96,
        mel_mean=round(float(mel_all.mean()), 4),
        mel_std=round(float(mel_all.std()), 4),
    )
    vae = MelVAE(config)
    if args.init is not None:
        vae = load_network(networks_folder(args.init), "vae")  # continue from it
        config = vae.config
    if args.freeze_encoder:
        # The latent space stays exactly as the trained diffusion model knows it; only the
        # way back to a spectrogram improves.
        vae.encoder.requires_grad_(False)
    vae.train().to(args.device)
    optimizer = _adamw([p for p in vae.parameters() if p.requires_grad], args.lr or 1e-3)
    rng = np.random.default_rng(args.seed)
    crop = args.crop or 128
    # The low band carries the note: weigh its reconstruction 4x (mean weight stays 1).
    channel_weight = torch.ones(spectral.n_channels, 1, device=args.device)
    channel_weight[spectral.n_mels :] = 4.0
    channel_weight /= channel_weight.mean()
    attack_frames = round(ATTACK_S * spectral.sample_rate / spectral.hop)

    def step() -> dict:
        _warmup_cosine(optimizer, args.lr or 1e-3, run.step, args.steps)
        rows = rng.integers(0, len(data), size=args.batch)
        starts = frame_crops(spectral.n_frames, crop, args.batch, rng)
        mel = torch.stack([mel_all[r, :, s : s + crop] for r, s in zip(rows, starts, strict=True)])
        mel = mel.to(args.device)  # (B, M, crop)
        # A frozen encoder: decode what the diffusion model was trained on and generates, the
        # posterior mean; sampling around it would teach the decoder to blur.
        recon, mean, logvar = vae(mel, sample=not args.freeze_encoder)
        onset = onset_weight(starts, crop, attack_frames, args.attack_frame_weight)
        weight = channel_weight * onset.to(args.device)  # (B, M, crop)
        l1 = torch.mean(torch.abs(recon - mel) * weight) / weight.mean() / config.mel_std
        kl = gaussian_kl(mean, logvar)
        loss = l1 + args.kl_weight * kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        optimizer.step()
        return {"loss": loss.item(), "l1": l1.item(), "kl": kl.item()}

    _train(args, run, {"vae": vae}, optimizer, rng, step)


# Hops in the first 50 ms, where the body's pitch sweeps.
ATTACK_HOPS = 9
# The 128-point resolution (2.9 ms) resolves the click and the first cycles of the sweep.
VOCODER_RESOLUTIONS = ((128, 32), (256, 64), (1024, 256), (2048, 512))


def train_vocoder(args: Namespace, data: CorpusArrays, run: Run, spectral: SpectralConfig) -> None:
    config = VocoderConfig(
        n_channels=spectral.n_channels,
        n_fft=spectral.n_fft,
        hop=spectral.hop,
        dim=args.width or 64,
        lock_correction=not args.harmonics,
        harmonics=args.harmonics,
    )
    vocoder = ISTFTVocoder(config)
    if args.init is not None:
        trained = load_network(networks_folder(args.init), "vocoder")
        vocoder = _upgraded_vocoder(trained, args.harmonics or trained.config.harmonics)
    cycles, trusted = (
        body_cycles(data.audio, spectral.hop, spectral.n_frames - 1, spectral.sample_rate)
        if vocoder.config.harmonics
        else (None, None)
    )
    if trusted is not None:
        # Zero crossings count a recorded kick's room and shell once its body has faded: on a
        # FluidR3 "Power" kick the trusted hops read 40–140 Hz around a 50 Hz body, and a
        # vocoder taught by them raised real bodies by up to 8 semitones. Real rows weigh
        # --real-cycles-weight in the cycles loss.
        trusted = trusted * np.where(data.real, args.real_cycles_weight, 1.0)[:, None].astype(
            np.float32
        )
    vocoder.train().to(args.device)
    optimizer = _adamw(vocoder.parameters(), args.lr or 1e-3)
    rng = np.random.default_rng(args.seed)
    crop = args.crop or 64
    hop = spectral.hop
    # --on-vae: learn from the VAE's reconstructions, which is what the vocoder hears at
    # generation time (smoother than true spectrograms); targets stay the true audio.
    inputs = data.mel if args.on_vae is None else _vae_reconstructions(Path(args.on_vae), data)

    def step() -> dict:
        _warmup_cosine(optimizer, args.lr or 1e-3, run.step, args.steps)
        rows = rng.integers(0, len(data), size=args.batch)
        starts = frame_crops(spectral.n_frames, crop, args.batch, rng)
        mel = (
            torch.from_numpy(
                np.stack([inputs[r, :, s : s + crop] for r, s in zip(rows, starts, strict=True)])
            )
            .float()
            .to(args.device)
        )  # (B, M, crop)
        length = (crop - 1) * hop
        target = np.zeros((args.batch, length), dtype=np.float32)
        for i, (r, s) in enumerate(zip(rows, starts, strict=True)):
            segment = data.audio[r, s * hop : s * hop + length]
            target[i, : len(segment)] = segment
        target_t = torch.from_numpy(target).to(args.device)  # (B, N)
        audio, log_cycles = vocoder.render(mel)
        stft = multi_resolution_stft_loss(audio, target_t, VOCODER_RESOLUTIONS)
        low = low_band_loss(audio, target_t)
        onset = torch.from_numpy(starts == 0).to(args.device)
        attack = (
            attack_stft_loss(audio[onset], target_t[onset], spectral.sample_rate)
            if bool(onset.any())
            else audio.new_zeros(())
        )
        loss = stft + low + args.attack_weight * attack
        losses = {"stft": stft.item(), "low": low.item(), "attack": attack.item()}
        if log_cycles is not None:
            hops = [(r, slice(s, s + crop - 1)) for r, s in zip(rows, starts, strict=True)]
            true = torch.from_numpy(np.stack([cycles[r, h] for r, h in hops])).to(args.device)
            weight = torch.from_numpy(np.stack([trusted[r, h] for r, h in hops]))
            # The sweep lives in the first hops of onset crops, a few among hundreds.
            weight = (
                weight
                * onset_weight(starts, crop - 1, ATTACK_HOPS, args.attack_cycles_weight)[:, 0]
            )
            pitch = cycles_loss(log_cycles, true, weight.to(args.device))
            loss = loss + args.cycles_weight * pitch
            losses["cycles"] = pitch.item()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vocoder.parameters(), 1.0)
        optimizer.step()
        return {"loss": loss.item(), **losses}

    _train(args, run, {"vocoder": vocoder}, optimizer, rng, step)


def _upgraded_vocoder(trained: ISTFTVocoder, harmonics: int) -> ISTFTVocoder:
    """A trained vocoder to fine-tune, with the parts it lacks added at their neutral start
    (the locked-phase correction, or the body oscillator when ``harmonics`` > 0; their heads
    start at zero or quiet). An oscillator takes over the locked bins, so the lock's
    correction is dropped."""
    config = replace(
        trained.config,
        lock_correction=trained.config.lock_low_band and not harmonics,
        harmonics=harmonics,
    )
    vocoder = ISTFTVocoder(config)
    own = vocoder.state_dict()
    kept = {key: value for key, value in trained.state_dict().items() if key in own}
    missing, _ = vocoder.load_state_dict(kept, strict=False)
    new_heads = ("lock_head.", "cycles_head.", "amplitude_head.")
    if any(not key.startswith(new_heads) for key in missing) or any(
        own[key].shape != value.shape for key, value in kept.items()
    ):
        raise SystemExit(f"Cannot fine-tune this vocoder: {missing} do not match.")
    return vocoder


def _vae_reconstructions(vae_run: Path, data: CorpusArrays) -> np.ndarray:
    """Every corpus spectrogram through the VAE (posterior mean). (N, channels, T) float16."""
    vae = load_network(networks_folder(vae_run), "vae")
    out = np.zeros_like(data.mel)
    with torch.inference_mode():
        for i in range(0, len(data), 128):
            mel = torch.from_numpy(data.mel[i : i + 128].astype(np.float32))
            out[i : i + 128] = vae.decode(vae.encode(mel)[0]).numpy()
    return out


def _encode_latents(vae: MelVAE, data: CorpusArrays) -> np.ndarray:
    out = []
    with torch.inference_mode():
        for i in range(0, len(data), 128):
            mean, _ = vae.encode(torch.from_numpy(data.mel[i : i + 128].astype(np.float32)))
            out.append(mean.numpy())
    return np.concatenate(out)  # (N, C, L)


def _ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters(), strict=True):
            e.lerp_(p, 1.0 - decay)


def train_diffusion(
    args: Namespace, data: CorpusArrays, run: Run, spectral: SpectralConfig
) -> None:
    vae_folder = networks_folder(args.vae)
    vae = load_network(vae_folder, "vae")
    cache = run.folder / "latents.npy"
    if args.resume and cache.is_file() and run.has_checkpoint():
        latents = np.load(cache)
    else:
        latents = _encode_latents(vae, data)
        np.save(cache, latents)
    latent_mean = latents.mean(axis=(0, 2))  # (C,)
    latent_std = latents.std(axis=(0, 2)) + 1e-6
    z_all = torch.from_numpy(
        (latents - latent_mean[None, :, None]) / latent_std[None, :, None]
    ).float()

    raw = data.descriptors  # (N, 3) raw, NaN = absent
    finite = np.isfinite(raw)
    d_mean = [float(np.mean(raw[finite[:, i], i])) for i in range(raw.shape[1])]
    d_std = [float(np.std(raw[finite[:, i], i])) + 1e-6 for i in range(raw.shape[1])]
    cond_config = ConditionConfig(
        vocab_size=len(data.vocabulary),
        emb_dim=args.emb_dim,
        descriptor_mean=d_mean,
        descriptor_std=d_std,
    )
    if args.init is not None:
        # Continue from trained networks (same VAE, so the same latents): fine-tuning.
        source = networks_folder(args.init)
        # A run holds raw and EMA copies; the EMA ones are what gets exported and evaluated.
        ema = "_ema" if (source / "unet_ema.json").is_file() else ""
        unet = load_network(source, f"unet{ema}")
        encoder = load_network(source, f"conditioning{ema}")
        if encoder.config.vocab_size != len(data.vocabulary):
            raise SystemExit(f"{source} was trained on another vocabulary than this corpus.")
        # The encoder standardises requests with the statistics it was built with; training
        # on a new corpus must feed it values standardised the same way.
        d_mean, d_std = encoder.config.descriptor_mean, encoder.config.descriptor_std
    else:
        channels = [int(c) for c in args.channels.split(",")]
        unet = LatentUNet(
            UNetConfig(latent_channels=z_all.shape[1], channels=channels, emb_dim=args.emb_dim)
        )
        encoder = ConditionEncoder(cond_config)
    unet.train()
    encoder.train()
    unet_ema = LatentUNet(unet.config)
    encoder_ema = ConditionEncoder(encoder.config)
    unet_ema.load_state_dict(unet.state_dict())
    encoder_ema.load_state_dict(encoder.state_dict())
    for net in (unet, encoder, unet_ema, encoder_ema):
        net.to(args.device)
    params = [*unet.parameters(), *encoder.parameters()]
    optimizer = _adamw(params, args.lr or 5e-4)
    schedule = NoiseSchedule(ScheduleConfig())
    rng = np.random.default_rng(args.seed)
    desc_std = torch.from_numpy(
        np.where(finite, (np.nan_to_num(raw) - np.array(d_mean)) / np.array(d_std), 0.0)
    ).float()
    present_all = torch.from_numpy(finite)
    keywords_all = torch.from_numpy(data.keywords)

    def ranges() -> dict:
        def span(column: int) -> list[float]:
            values = raw[finite[:, column], column]
            return [float(values.min()), float(values.max())]

        pitch, decay = span(0), span(1)
        return {
            "tail_pitch_hz": [round(2 ** pitch[0], 2), round(2 ** pitch[1], 2)],
            "decay_ms": [round(10 ** decay[0], 1), round(10 ** decay[1], 1)],
            "punch": [round(v, 4) for v in span(2)],
        }

    extra = {
        "latent_mean": latent_mean.round(5).tolist(),
        "latent_std": latent_std.round(5).tolist(),
        "descriptor_ranges": ranges(),
        "vocabulary": data.vocabulary,
        "train": data.meta["source"],
        "vae_encoder": fingerprint(vae.encoder),
        "schedule": schedule.config.to_dict(),
    }

    def step() -> dict:
        _warmup_cosine(optimizer, args.lr or 5e-4, run.step, args.steps)
        rows = torch.from_numpy(rng.integers(0, len(data), size=args.batch))
        z0 = z_all[rows].to(args.device)  # (B, C, L)
        b = len(rows)
        # Independent condition dropout per part, plus whole-condition dropout for CFG.
        drop_all = torch.from_numpy(rng.random(b) < args.p_uncond)
        keep_kw = torch.from_numpy(rng.random(b) >= args.p_drop) & ~drop_all
        keep_desc = torch.from_numpy(rng.random((b, 3)) >= args.p_drop) & ~drop_all[:, None]
        # Each of a kick's words is kept on its own, so a prompt of one or two words means
        # "kicks that are (at least) this", not "kicks labelled with exactly this bag".
        keep_word = torch.from_numpy(rng.random((b, keywords_all.shape[1])) < args.keyword_keep)
        cond = Condition(
            keywords_all[rows] * keep_word.float() * keep_kw[:, None].float(),
            desc_std[rows],
            present_all[rows] & keep_desc,
        ).to(args.device)
        t = torch.from_numpy(rng.integers(0, schedule.num_train_timesteps, size=b))
        noise = torch.randn_like(z0)
        x_t = schedule.add_noise(z0, noise, t)
        prediction = unet(x_t, t.to(args.device), encoder(cond))
        loss = torch.mean((prediction - schedule.target(z0, noise, t)) ** 2)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        decay = min(args.ema, (1 + run.step) / (10 + run.step))
        _ema_update(unet_ema, unet, decay)
        _ema_update(encoder_ema, encoder, decay)
        return {"loss": loss.item()}

    networks = {
        "unet": unet,
        "conditioning": encoder,
        "unet_ema": unet_ema,
        "conditioning_ema": encoder_ema,
    }
    _train(args, run, networks, optimizer, rng, step, extra)
