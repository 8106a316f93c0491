import numpy as np
import pytest
import torch

from gpu.audio.spectral import LogMel, SpectralConfig, mel_filterbank
from gpu.diffusion.guidance import guided_output
from gpu.networks.conditioning import Condition, ConditionConfig, ConditionEncoder
from gpu.networks.unet import LatentUNet, UNetConfig
from gpu.networks.vae import MelVAE, VAEConfig
from gpu.networks.vocoder import ISTFTVocoder, VocoderConfig
from gpu.train.loops import _upgraded_vocoder

SPECTRAL = SpectralConfig()


def tiny_unet() -> LatentUNet:
    torch.manual_seed(0)
    unet = LatentUNet(
        UNetConfig(latent_channels=4, channels=[8, 16], emb_dim=32, attention_heads=2)
    )
    with torch.no_grad():
        for p in unet.parameters():
            if p.ndim > 1 and not p.any():
                p.normal_(std=0.1)
    return unet.eval()


def test_log_mel_shape_and_onset_without_pre_echo():
    audio = torch.zeros(2, 88_200)
    audio[:, 0] = 1.0  # a click at the very first sample
    mel = LogMel(SPECTRAL)(audio)
    assert mel.shape == (2, 99, 320)
    assert mel[0, :, 0].max() > mel[0, :, 10].max() + 5  # energy at frame 0, nothing later


def test_mel_filterbank_covers_the_kick_range():
    filters = mel_filterbank(SPECTRAL)
    assert filters.shape == (80, 513)
    assert (filters >= 0).all()
    # Every STFT bin below 200 Hz feeds at least one filter: tail pitch survives the mel.
    low_bins = int(200 / (SPECTRAL.sample_rate / SPECTRAL.n_fft)) + 1
    assert (filters[:, 1:low_bins].sum(dim=0) > 0).all()


def test_vae_shapes_and_deterministic_encode():
    vae = MelVAE(VAEConfig(channels=16, latent_channels=4)).eval()
    mel = torch.randn(3, 99, 320)
    mean, logvar = vae.encode(mel)
    assert mean.shape == logvar.shape == (3, 4, 80)
    assert vae.decode(mean).shape == (3, 99, 320)
    assert torch.equal(vae.encode(mel)[0], mean)
    recon, m, _ = vae(mel[:, :, :128])
    assert recon.shape == (3, 99, 128) and m.shape == (3, 4, 32)


def test_vocoder_length_and_finite_output():
    vocoder = ISTFTVocoder(VocoderConfig(dim=16, blocks=1)).eval()
    audio = vocoder(torch.randn(2, 99, 64))
    assert audio.shape == (2, 63 * 256)
    assert torch.isfinite(audio).all()


def test_vocoder_nominal_phase_is_the_bin_centre_advance():
    vocoder = ISTFTVocoder(VocoderConfig(dim=16, blocks=1))
    phase = vocoder.nominal_phase(5).double()
    k = torch.arange(513, dtype=torch.float64)[:, None]
    t = torch.arange(1, 6, dtype=torch.float64)[None, :]
    expected = 2 * torch.pi * k * 256 * t / 1024
    assert (phase >= 0).all() and (phase < 2 * torch.pi).all()
    assert torch.allclose(
        torch.polar(torch.ones_like(phase), phase),
        torch.polar(torch.ones_like(expected), expected),
        atol=1e-5,
    )


def test_unet_shape_and_condition_changes_output():
    unet = tiny_unet()
    z = torch.randn(2, 4, 80)
    t = torch.tensor([10, 900])
    a = unet(z, t, torch.zeros(2, 32))
    b = unet(z, t, torch.ones(2, 32))
    assert a.shape == z.shape
    assert not torch.allclose(a, b)


def test_cfg_batching_equals_two_passes():
    unet = tiny_unet()
    x = torch.randn(3, 4, 80)
    t = torch.tensor([999, 500, 3])
    cond, uncond = torch.randn(3, 32), torch.randn(3, 32)
    batched = guided_output(unet, x, t, cond, uncond, 3.0)
    out_c, out_u = unet(x, t, cond), unet(x, t, uncond)
    assert torch.allclose(batched, out_u + 3.0 * (out_c - out_u), atol=1e-5)
    assert torch.allclose(guided_output(unet, x, t, cond, uncond, 1.0), out_c)


def test_condition_parts_fall_back_to_their_own_null():
    torch.manual_seed(0)
    encoder = ConditionEncoder(ConditionConfig(vocab_size=5, emb_dim=16))
    with torch.no_grad():
        encoder.null_keywords.normal_()
        encoder.null_descriptors.normal_()
    null = Condition.null(1, 5)
    keywords_only = Condition(
        torch.tensor([[0.0, 1.0, 0, 0, 0]]), torch.zeros(1, 3), torch.zeros(1, 3, dtype=torch.bool)
    )
    absent_value_ignored = Condition(null.keywords, torch.full((1, 3), 7.0), null.present)
    assert torch.allclose(encoder(null), encoder(absent_value_ignored))
    assert not torch.allclose(encoder(null), encoder(keywords_only))
    pitch_a = Condition(
        null.keywords, torch.tensor([[0.0, 0, 0]]), torch.tensor([[True, False, False]])
    )
    pitch_b = Condition(
        null.keywords, torch.tensor([[0.2, 0, 0]]), torch.tensor([[True, False, False]])
    )
    assert not torch.allclose(encoder(pitch_a), encoder(pitch_b))


def test_condition_batch_helpers():
    c = Condition.null(2, 5)
    assert len(c.cat(c)) == 4 and len(c.repeat(3)) == 6


@pytest.mark.parametrize("cls", [MelVAE, ISTFTVocoder, LatentUNet, ConditionEncoder])
def test_config_round_trip(cls):
    net = cls(cls.config_class())
    again = cls.from_config(net.config_dict())
    assert again.config == net.config


def test_vocoder_reads_the_fundamental_from_the_low_band():
    t = torch.arange(88_200) / 44_100
    tone = torch.sin(2 * torch.pi * 47.0 * t)[None]  # (1, N)
    spec = LogMel(SPECTRAL)(tone)
    f0 = ISTFTVocoder(VocoderConfig()).fundamental(spec)  # (1, T)
    assert f0.shape == (1, 320)
    assert torch.allclose(f0[0, 40:280], torch.full((240,), 47.0), atol=0.6)


def test_vocoder_fundamental_does_not_lock_onto_a_louder_harmonic():
    """A driven body whose 3rd harmonic is 6 dB louder than its 47 Hz fundamental (the
    strongest low-band bin is 141 Hz) still reads 47 Hz once the onset has left the window;
    with the subharmonic check off it locks onto the harmonic."""
    t = torch.arange(88_200) / 44_100
    body = 0.5 * torch.sin(2 * torch.pi * 47.0 * t) + torch.sin(2 * torch.pi * 141.0 * t)
    spec = LogMel(SPECTRAL)(body[None])
    checked = ISTFTVocoder(VocoderConfig()).fundamental(spec)
    locked = ISTFTVocoder(VocoderConfig(subharmonic_drop_db=-100.0)).fundamental(spec)
    assert torch.allclose(checked[0, 40:280], torch.full((240,), 47.0), atol=0.6)
    assert torch.allclose(locked[0, 40:280], torch.full((240,), 141.0), atol=1.5)


def test_locked_phase_resynthesises_the_note():
    """True magnitudes + the locked low-band phase (true phase above) keep a 41 Hz tone at
    41 Hz: the phase formula theta(t) - pi k matches torch.stft's centred frames."""
    t = torch.arange(SPECTRAL.n_samples) / 44_100
    tone = (
        torch.sin(2 * torch.pi * 41.0 * t)[None] + 0.3 * torch.sin(2 * torch.pi * 900.0 * t)[None]
    )
    mel = LogMel(SPECTRAL)
    window = torch.hann_window(1024)
    stft = torch.stft(tone, 1024, 256, window=window, center=True, return_complex=True)
    vocoder = ISTFTVocoder(VocoderConfig())
    mask, locked = vocoder.locked_phase(mel(tone))
    assert mask[0, :3, 100].all() and not mask[0, 4:, 100].any()  # bins 0-2 (0-86 Hz) locked
    phase = torch.where(mask, locked, stft.angle())
    out = torch.istft(torch.polar(stft.abs(), phase), 1024, 256, window=window, center=True)
    spectrum = torch.fft.rfft(out[0, 8192:40960] * torch.hann_window(32768))
    peak_hz = spectrum[:100].abs().argmax().item() * 44_100 / 32768
    assert abs(peak_hz - 41.0) < 1.5


def test_locked_phase_correction_starts_at_zero():
    plain = ISTFTVocoder(VocoderConfig(dim=16, blocks=1)).eval()
    corrected = ISTFTVocoder(VocoderConfig(dim=16, blocks=1, lock_correction=True)).eval()
    missing, unexpected = corrected.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and sorted(missing) == ["lock_head.bias", "lock_head.weight"]
    spec = torch.randn(1, 99, 24)
    assert torch.equal(plain(spec), corrected(spec))


def oscillator_vocoder(harmonics: int = 4) -> ISTFTVocoder:
    plain = ISTFTVocoder(VocoderConfig(dim=16, blocks=1, lock_correction=True)).eval()
    return _upgraded_vocoder(plain, harmonics).eval()


def test_oscillator_starts_at_the_low_band_f0_and_quiet():
    vocoder = oscillator_vocoder()
    assert vocoder.config.harmonics == 4 and not vocoder.config.lock_correction
    t = torch.arange(SPECTRAL.n_samples) / 44_100
    spec = LogMel(SPECTRAL)(torch.sin(2 * torch.pi * 47.0 * t)[None])
    with torch.no_grad():
        audio, log_cycles = vocoder.render(spec)
    assert audio.shape == (1, SPECTRAL.n_samples) and log_cycles.shape == (1, 319)
    hz = torch.exp2(log_cycles[0, 40:280]) * 44_100 / 256
    assert torch.allclose(hz, torch.full((240,), 47.0), atol=0.6)
    features = vocoder._features(spec)
    osc = vocoder._oscillator(features, vocoder.body_hz(vocoder.fundamental(spec), features))
    assert osc.abs().max() < 0.02 * vocoder.config.harmonics  # e^-6 per harmonic at most


def test_oscillator_renders_a_glide_at_the_sample_rate():
    """One harmonic at amplitude 1 on a falling pitch: the waveform's zero crossings follow
    the per-hop cycles, including the first hop's, which a 23 ms STFT frame smears."""
    vocoder = oscillator_vocoder(harmonics=2)
    with torch.no_grad():
        vocoder.amplitude_head.weight.zero_()
        vocoder.amplitude_head.bias.copy_(torch.tensor([0.0, -30.0]))  # fundamental only
    frames = 41
    hz = 45.0 * 2.0 ** torch.linspace(3.0, 0.0, frames)[None]  # 360 -> 45 Hz
    with torch.no_grad():
        wave = vocoder._oscillator(torch.zeros(1, frames, 16), hz)[0].numpy()
        cycles = vocoder.cycles_per_hop(hz)[0].numpy()
    assert wave.shape == ((frames - 1) * 256,)
    crossings = np.flatnonzero(np.diff(np.signbit(wave[1:]).astype(int)) != 0).size
    assert abs(crossings - 2 * cycles.sum()) <= 2
    first = np.flatnonzero(np.diff(np.signbit(wave[1:256]).astype(int)) != 0).size
    assert abs(first - 2 * cycles[0]) <= 1
    # Within a hop the frequency runs linearly from one frame's value to the next, and the
    # phase is its integral: a chirp, not a step.
    t = np.arange(256) / 44_100
    f0, f1 = hz[0, 0].item(), hz[0, 1].item()
    chirp = np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / (256 / 44_100) * t * t))
    assert np.allclose(wave[:256], chirp, atol=1e-3)


def test_oscillator_owns_the_bins_at_and_below_the_body():
    vocoder = oscillator_vocoder()
    spec = torch.randn(1, 99, 24) - 2.0
    with torch.no_grad():
        h = vocoder._features(spec)
        owned = torch.full((1, 24), 300.0)
        stft = vocoder._stft_branch(spec, h, owned)
    bins_hz = torch.arange(513) * 44_100 / 1024
    assert not stft[0, bins_hz < 300.0].abs().any()
    assert stft[0, bins_hz > 400.0].abs().min() > 0


def test_body_frequency_correction_fades_out_after_the_attack():
    """correction_ms = 100: frames centred before 50 ms keep the learned correction (here a
    constant half octave), frames from 100 ms on play the low band's f0 exactly."""
    vocoder = oscillator_vocoder()
    gated = ISTFTVocoder(VocoderConfig(**{**vocoder.config.__dict__, "correction_ms": 100.0}))
    gated.load_state_dict(vocoder.state_dict())
    for net in (vocoder, gated):
        torch.nn.init.constant_(net.cycles_head.bias, 0.5)
    f0 = torch.full((1, 40), 50.0)
    features = torch.zeros(1, 40, vocoder.config.dim)
    plain, faded = vocoder.body_hz(f0, features), gated.body_hz(f0, features)
    ms = torch.arange(40) * 256 / 44.1
    assert torch.allclose(plain, torch.full_like(plain, 50.0 * 2**0.5), rtol=1e-3)
    assert torch.allclose(faded[0, ms < 50], plain[0, ms < 50])
    assert torch.equal(faded[0, ms >= 100], f0[0, ms >= 100])
    middle = (ms > 55) & (ms < 95)
    assert ((faded[0, middle] > 50.0) & (faded[0, middle] < plain[0, middle])).all()
