"""The real-kick metrics on signals with known answers, and a folder's report end to end."""

import numpy as np
import pytest
import soundfile

from gpu.corpus.corpus import Corpus
from gpu.corpus.folder import FolderError
from gpu.corpus.synth import draw_params, render, synthesize
from gpu.evaluation import real_folders, realism

SR = 44100
T = np.arange(88200) / SR


def sine(hz: float) -> np.ndarray:
    return np.sin(2 * np.pi * hz * T)


def kick_like(hz: float, decay_s: float = 0.15) -> np.ndarray:
    """A sine sweeping down from hz + 120 Hz to hz, decaying: the body of a real kick."""
    phase = hz * T + 120 * 0.03 * (1 - np.exp(-T / 0.03))
    return np.exp(-T / decay_s) * np.sin(2 * np.pi * phase)


@pytest.fixture(scope="module")
def kicks():
    return synthesize(24, seed=5)


@pytest.mark.parametrize("hz", [45.0, 55.0, 80.0])
def test_crest_of_a_sine_is_root_two(hz):
    assert realism.body_crest_factor(sine(hz)[None])[0] == pytest.approx(np.sqrt(2), abs=0.04)


@pytest.mark.parametrize("hz", [45.0, 55.0, 80.0])
def test_a_clipped_square_is_square_bodied_and_a_decaying_sine_is_not(hz):
    square, decaying = realism.body_crest_factor(
        np.stack([np.clip(8 * sine(hz), -1, 1), kick_like(hz)])
    )
    assert 1.0 <= square < realism.SQUARE_CREST
    assert decaying > 1.5  # the peak comes early, the RMS averages the fall


def test_crest_leaves_the_attack_click_out_and_low_passes_the_body():
    square = np.clip(8 * sine(55), -1, 1)
    early, late = np.zeros_like(T), np.zeros_like(T)
    early[round(0.001 * SR)] = 5.0  # the attack's click, before the window opens at 5 ms
    late[round(0.02 * SR)] = 5.0  # a click inside the window, 5x the body's peak
    crest = realism.body_crest_factor(np.stack([square, square + early, square + late]))
    assert crest[1] == pytest.approx(crest[0], abs=0.01)
    # The low-pass keeps ~a tenth of an impulse: the crest rises, far less than the ~5.7 the
    # raw window would give.
    assert crest[0] < crest[2] < 2.0


def test_square_share_counts_squares_and_not_silence():
    mix = np.stack([*[np.clip(8 * sine(50), -1, 1)] * 3, *[kick_like(50)] * 5, np.zeros_like(T)])
    crest = realism.body_crest_factor(mix)
    assert np.isnan(crest[-1])
    assert realism.square_share(crest) == pytest.approx(3 / 9)
    assert realism.square_share(np.array([])) == 0.0


def test_crest_refuses_one_dimensional_audio():
    with pytest.raises(ValueError, match=r"shape \(N, T\)"):
        realism.body_crest_factor(sine(50))


def test_frechet_distance_is_zero_for_identical_sets_and_the_squared_shift_for_a_moved_one():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6))
    assert realism.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, -2.0, 0.0, 0.5, 0.0, 3.0])
    # Same covariance: the trace term vanishes and d² is exactly |Δμ|².
    assert realism.frechet_distance(a + shift, a) == pytest.approx(shift @ shift, rel=1e-6)
    distances = [realism.frechet_distance(a + k * shift, a) for k in (0.5, 1.0, 2.0)]
    assert distances == sorted(distances) and distances[0] > 0


def test_frechet_distance_sees_a_change_of_spread_and_survives_singular_covariances():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(500, 3))
    # x against 2x: |μ|² + Tr(Σ + 4Σ − 2·2Σ) = |μ|² + Tr(Σ), about 3 for N(0, I) in 3-D.
    expected = a.mean(axis=0) @ a.mean(axis=0) + np.trace(np.cov(a, rowvar=False))
    assert realism.frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(3.0, rel=0.2)
    # Rank 4 and 6 in 36 dimensions, as a small real half can be: the trace of the root is
    # still Σ√λ over the eigenvalues of Σa·Σb.
    few, other = rng.normal(size=(5, 36)) * 10, rng.normal(size=(7, 36)) + 1
    cov_a, cov_b = np.cov(few, rowvar=False), np.cov(other, rowvar=False)
    root_trace = np.sqrt(np.clip(np.linalg.eigvals(cov_a @ cov_b).real, 0, None)).sum()
    mu = few.mean(axis=0) - other.mean(axis=0)
    expected = mu @ mu + np.trace(cov_a) + np.trace(cov_b) - 2 * root_trace
    assert realism.frechet_distance(few, other) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="at least 2 rows"):
        realism.frechet_distance(a[:1], a)


def test_log_band_summary_places_a_sine_in_its_band_and_reads_gain_in_db():
    summary = realism.log_band_summary(np.stack([sine(60), 0.5 * sine(60)]))
    assert summary.shape == (2, len(realism.SEGMENTS_S) * realism.N_BANDS)
    centres = np.geomspace(*realism.BAND_RANGE_HZ, realism.N_BANDS + 2)[1:-1]
    body = summary[0, realism.N_BANDS : 2 * realism.N_BANDS]
    assert np.argmax(body) == np.argmin(np.abs(np.log(centres / 60)))
    assert summary[0, -1] == pytest.approx(-80.0)  # 16 kHz: nothing there but the floor
    noise = np.random.default_rng(4).standard_normal(len(T))
    levels = realism.log_band_summary(np.stack([noise, 0.5 * noise]))
    assert levels[0] - levels[1] == pytest.approx(np.full(levels.shape[1], 20 * np.log10(2)))


def test_frechet_of_log_bands_tells_low_kicks_from_high_ones():
    rng = np.random.default_rng(3)
    low = np.stack([kick_like(f) for f in rng.uniform(45, 55, 12)])
    low2 = np.stack([kick_like(f) for f in rng.uniform(45, 55, 12)])
    high = np.stack([kick_like(f) for f in rng.uniform(90, 110, 12)])
    a, b, c = (realism.log_band_summary(x) for x in (low, low2, high))
    assert realism.frechet_distance(a, c) > 3 * realism.frechet_distance(a, b)


def test_decay_check_compares_the_median_with_the_reference_iqr():
    reference = np.arange(100.0, 500.0)  # IQR 200–400 ms
    inside = realism.decay_check(np.array([250.0, 300.0, 900.0]), reference)
    assert inside["inside_iqr"] is True and inside["median_ms"] == 300.0
    assert inside["reference_p25_ms"] == pytest.approx(199.75)
    assert inside["reference_p75_ms"] == pytest.approx(399.25)
    outside = realism.decay_check(np.array([50.0, 120.0, 900.0]), reference)
    assert outside["inside_iqr"] is False


def write_folder(path, audio, broken: int = 0):
    path.mkdir(parents=True, exist_ok=True)
    for i, kick in enumerate(audio):
        soundfile.write(path / f"kick-{i:02d}.wav", kick, SR)
    for i in range(broken):
        (path / f"broken-{i}.wav").write_bytes(b"RIFF\0\0\0\0WAVEfmt nonsense")
    return path


def test_load_kicks_names_the_files_it_skips(tmp_path, kicks):
    folder = write_folder(tmp_path / "real", kicks.audio[:4], broken=1)
    said = []
    corpus = real_folders.load_kicks(folder, said.append)
    assert corpus.names == [f"kick-{i:02d}.wav" for i in range(4)]
    assert len(said) == 1 and "broken-0.wav" in said[0]
    with pytest.raises(FolderError, match="Cannot decode"):
        real_folders.load_kicks(write_folder(tmp_path / "bad", [], broken=2))


def test_report_compares_every_set_and_splits_the_folder_for_its_ceiling(kicks):
    real = real_folders.RealFolders(kicks.subset(range(16)), name="real")
    report = real.report(
        {"same": kicks.audio[:16], "squares": np.clip(8 * kicks.audio[16:], -1, 1), "x": "refused"}
    )
    assert report["folder"] == "real" and report["kicks"] == 16
    same, squares = report["sets"]["same"], report["sets"]["squares"]
    assert same["fidelity"] == 0.0 and same["frechet"] == pytest.approx(0.0, abs=1e-6)
    assert same["decay"]["inside_iqr"] is True
    assert squares["square_share"] > 0.5 > report["reference"]["square_share"]
    assert squares["frechet"] > 0.0
    assert report["sets"]["x"] == {"skipped": "refused"}
    ceiling = report["ceiling"]
    assert ceiling["by"].startswith("the folder's two halves")
    at_size = same["at_ceiling_size"]
    assert at_size["kicks"] == ceiling["kicks"]
    assert at_size["reference_kicks"] == 16 - ceiling["kicks"]
    expected = {"kicks", "fidelity", "fidelity_per_feature", "frechet", "square_share", "crest"}
    assert expected | {"decay"} <= set(same) and expected <= set(ceiling)


def test_a_set_that_is_the_first_half_scores_the_ceiling_at_the_ceilings_size(kicks):
    reference = kicks.subset(range(16))
    first, second = real_folders.halves(reference)
    real = real_folders.RealFolders(reference)
    # A set exactly the size of the ceiling's is drawn whole, so it scores the ceiling.
    report = real.report({"halves": reference.audio[first]})
    at_size, ceiling = report["sets"]["halves"]["at_ceiling_size"], report["ceiling"]
    assert at_size["kicks"] == first.sum() and at_size["reference_kicks"] == second.sum()
    assert at_size["fidelity"] == pytest.approx(ceiling["fidelity"])
    assert at_size["frechet"] == pytest.approx(ceiling["frechet"])
    assert at_size["frechet"] > report["sets"]["halves"]["frechet"]  # half a set, more bias


def test_at_ceiling_size_draws_across_a_sorted_folder_not_its_first_kicks(kicks):
    # 8 very short and 8 long kicks, sorted by decay: a folder's first kicks are then a world
    # apart from its last, as kits sorted by path can be.
    params = draw_params(16, seed=5)
    params["decay_ms"] = np.repeat([15.0, 400.0], 8)
    audio = render(params, np.random.default_rng([5, 0x5EED]).standard_normal(1 << 18))
    reference = Corpus(audio=audio, keywords=[[]] * 16, names=[f"k{i:02d}" for i in range(16)])
    low_first = reference.audio[np.argsort(reference.features()["decay_ms"])]
    report = real_folders.RealFolders(reference).report({"sorted": low_first})
    first, second = real_folders.halves(reference)
    lowest = realism.KickSet.of(low_first[: first.sum()])
    lowest_only = realism.compare(lowest, realism.KickSet.of(reference.audio[second]))
    drawn = report["sets"]["sorted"]["at_ceiling_size"]
    assert drawn["fidelity"] < 0.7 * lowest_only["fidelity"], (drawn, lowest_only["fidelity"])


def test_report_takes_a_second_folder_as_its_ceiling_and_refuses_a_tiny_split(kicks):
    two = real_folders.RealFolders(kicks.subset(range(12)), kicks.subset(range(12, 24)))
    assert two.report({})["ceiling"]["by"] == "the second folder against the first"
    assert two.report({})["ceiling"]["kicks"] == 12
    tiny = real_folders.RealFolders(kicks.subset([0, 1]))
    assert "too few" in tiny.report({})["ceiling"]["skipped"]
