"""The evaluation's metrics on distributions with known answers, and the CLI end to end."""

import json

import numpy as np
import pytest
import soundfile

from gpu import evaluate as ev
from gpu.audio.descriptors import FEATURES, describe_batch
from gpu.corpus.keywords import RULES_BY_KEYWORD
from gpu.corpus.synth import synthesize
from gpu.evaluation import suite
from gpu.evaluation.generator import describe_kicks
from gpu.evaluation.metrics import (
    artifacts,
    control_share,
    diversity_ratio,
    log_spectral_distance,
    near_duplicate_pairs,
    novelty,
    semitone_error,
)
from gpu.evaluation.real_folders import RealFolders
from gpu.evaluation.realism import fidelity
from gpu.evaluation.retrieval import RetrievalGenerator
from gpu.evaluation.round_trip import real_reconstruction
from gpu.evaluation.suite import Settings, evaluate, evaluate_fidelity
from gpu.pipeline import DEFAULT_WEIGHTS

RNG = np.random.default_rng(0)
REF = RNG.normal(size=(400, len(FEATURES))) * [1, 2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def pool():
    return synthesize(160, seed=11)


def test_fidelity_is_zero_for_identical_sets_and_one_for_a_one_std_shift():
    assert fidelity(REF, REF)["mean"] == 0.0
    shifted = REF + REF.std(axis=0)
    per = fidelity(shifted, REF)["per_feature"]
    assert set(per) == set(FEATURES)
    assert all(v == pytest.approx(1.0) for v in per.values())


def test_diversity_ratio_one_for_the_same_set_zero_for_a_collapsed_one():
    assert diversity_ratio(REF, REF)["ratio"] == pytest.approx(1.0)
    collapsed = np.repeat(REF[:1], 50, axis=0)
    assert diversity_ratio(collapsed, REF)["ratio"] == 0.0
    half_spread = REF.mean(axis=0) + 0.5 * (REF - REF.mean(axis=0))
    assert diversity_ratio(half_spread, REF)["ratio"] == pytest.approx(0.5)


def test_near_duplicates_are_copies_not_different_kicks(pool):
    distinct = pool.audio[:20]
    assert near_duplicate_pairs(distinct) == 0
    with_copies = np.concatenate([distinct, distinct[:3] * 0.5])  # gain does not hide a copy
    assert near_duplicate_pairs(with_copies) == 3


def test_novelty_flags_memorised_kicks_only():
    train = RNG.normal(size=(300, len(FEATURES)))
    held_out = RNG.normal(size=(200, len(FEATURES)))
    assert novelty(train[:50], held_out, train)["share"] == 1.0  # copies of training kicks
    assert novelty(RNG.normal(size=(200, len(FEATURES))), held_out, train)["share"] < 0.05


def test_control_share_follows_each_keywords_direction():
    low, high = np.array([40.0, 41.0]), np.array([60.0, 61.0])
    assert control_share("deep", low, high) == 1.0  # deep = lower tail pitch
    assert control_share("deep", high, low) == 0.0
    assert control_share("long", np.array([900.0]), np.array([300.0])) == 1.0
    # house is a register: closer to its 58 Hz target beats farther, from either side.
    assert control_share("house", np.array([57.0, 60.0]), np.array([40.0, 90.0])) == 1.0


def test_semitone_error_counts_unpitched_kicks_as_misses():
    err = semitone_error(np.array([55.0, 55.0 * 2 ** (1 / 12), np.nan]), np.array(55.0))
    assert err[0] == 0.0 and err[1] == pytest.approx(1.0) and err[2] == np.inf


def test_artifacts_catch_each_fault(pool):
    clean = pool.audio[:5].copy()
    assert artifacts(clean)["ok"]
    bad = np.repeat(clean[:1], 4, axis=0)
    bad[0, 100] = np.nan
    bad[1, 200] = 1.5
    bad[2] = 0.5 * bad[2] + 0.01  # DC, peak still below 1
    bad[3, -10] = 0.01  # sound in the silent tail
    report = artifacts(bad)
    assert not report["ok"]
    assert report["non_finite"] == 1 and report["peak_over_1"] == 1
    assert report["dc_over_1e-3"] == 1 and report["tail_not_silent"] >= 1


def test_log_spectral_distance_zero_for_identical_audio_and_6_db_for_half_gain():
    noise = RNG.normal(size=(2, 8192))
    assert np.allclose(log_spectral_distance(noise, noise), 0.0)
    assert log_spectral_distance(noise, 0.5 * noise) == pytest.approx(20 * np.log10(2), abs=1e-3)


def test_retrieval_generator_honours_keywords_notes_and_seeds(pool):
    gen = RetrievalGenerator(pool)
    a = gen.generate(prompt="deep", seed=3, n=4)
    assert a.shape == (4, 88200)
    assert np.array_equal(a, gen.generate(prompt="deep", seed=3, n=4))
    deep = {i for i, kw in enumerate(pool.keywords) if "deep" in kw}
    assert all(any(np.array_equal(k, pool.audio[i]) for i in deep) for k in a)
    with pytest.raises(ValueError, match="vocabulary"):
        gen.generate(prompt="banjo")
    tails = describe_batch(gen.generate(note="A1", seed=0, n=8))["tail_pitch_hz"]
    assert (semitone_error(tails, np.array(55.0)) <= 1.0).all()


class PickyPipeline(RetrievalGenerator):
    """Refuses prompt=None like a pipeline that insists on keywords; can reconstruct."""

    def __init__(self, pool):
        super().__init__(pool)
        self.cfg_seen = []

    def generate(self, prompt="hit house", cfg_scale=3.0, **kwargs):
        if prompt is None:
            raise ValueError("Empty prompt; vocabulary: ...")
        self.cfg_seen.append(cfg_scale)
        return super().generate(prompt="" if cfg_scale == 0.0 else prompt, **kwargs)

    def reconstruct(self, audio):
        return audio * 0.5


SMALL = Settings(n=24, control_n=6, note_n=2, target_n=4, train_n=40)


def test_evaluate_reports_every_metric_and_falls_back_to_cfg_zero(pool):
    picky = PickyPipeline(pool)
    result = evaluate(picky, SMALL)
    for key in ("fidelity", "control", "diversity_ratio", "novelty", "note_adherence"):
        assert np.isfinite(result[key])
    assert result["artifacts_ok"] is True
    assert result["details"]["unconditional_by"].startswith("cfg_scale=0")
    assert 0.0 in picky.cfg_seen
    assert set(result["details"]["control_per_keyword"]) == set(pool.vocabulary)
    rec = result["reconstruction"]
    assert rec["kicks"] == 24 and rec["log_spectral_distance_db"] > 1.0
    assert all(v < 1e-6 for v in rec["feature_error_in_stds"].values())  # gain changes no feature


def test_cli_against_held_out_ends_with_one_json_line(capsys):
    code = ev.main(
        [
            "--against",
            "held-out",
            "--n",
            "16",
            "--control-n",
            "4",
            "--note-n",
            "2",
            "--target-n",
            "2",
            "--train-n",
            "40",
            "--json",
        ]
    )
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    required = {
        "fidelity",
        "control",
        "diversity_ratio",
        "novelty",
        "note_adherence",
        "artifacts_ok",
    }
    assert required <= set(result)
    assert result["reconstruction"]["skipped"].startswith("RetrievalGenerator has no")


def test_cli_refuses_tiny_counts(capsys):
    with pytest.raises(SystemExit):
        ev.main(["--against", "held-out", "--n", "1"])
    assert "at least 2" in capsys.readouterr().err


def test_train_count_is_read_from_the_weights_config(tmp_path):
    shipped = json.loads((DEFAULT_WEIGHTS / "config.json").read_text())["train"]["synthetic"]
    assert ev._train_count(None, 5000) == shipped  # no --weights: the shipped folder
    assert ev._train_count(tmp_path, 5000) == 5000
    (tmp_path / "config.json").write_text(json.dumps({"train": {"synthetic": 1234, "seed": 0}}))
    assert ev._train_count(tmp_path, 5000) == 1234


class GlitchyPipeline(RetrievalGenerator):
    """Puts a NaN into every kick asked for the note E1."""

    def generate(self, note=None, **kwargs):
        audio = np.array(super().generate(note=note, **kwargs))
        if note == "E1":
            audio[..., 1000] = np.nan
        return audio


def test_evaluate_survives_nan_kicks_and_reports_them(pool):
    result = evaluate(GlitchyPipeline(pool), SMALL)
    assert result["artifacts_ok"] is False
    assert result["details"]["artifacts"]["non_finite"] == SMALL.note_n


@pytest.mark.slow
def test_evaluate_drives_the_real_pipeline_api(tiny_pipe):
    """The contract's KickPipeline (tiny untrained weights): prompt=None, seeds, n, note,
    decay_ms, punch and reconstruct are all accepted; the numbers themselves mean nothing."""
    settings = Settings(
        n=4, control_n=2, note_n=2, target_n=2, train_n=8, steps=2, notes=("C1", "F#1")
    )
    result = evaluate(tiny_pipe, settings)
    assert result["details"]["unconditional_by"] == "prompt=None, prior=False"
    assert result["reconstruction"]["kicks"] == 4
    testable = [k for k in tiny_pipe.vocabulary if k in RULES_BY_KEYWORD]
    expected_kicks = 2 * 4 + 2 + 2 * len(testable) + 2 * 2 + 2 * 2
    assert result["details"]["artifacts"]["kicks"] == expected_kicks
    assert set(result["details"]["note_adherence_per_note"]) == {"C1", "F#1"}
    assert result["artifacts_ok"] is True


class PriorPipeline(RetrievalGenerator):
    """Takes prior= like KickPipeline and records what each call asked for."""

    def __init__(self, pool):
        super().__init__(pool)
        self.calls = []

    def generate(self, prompt=None, prior=True, n=1, **kwargs):
        self.calls.append((prompt, prior, n))
        return super().generate(prompt=prompt, n=n, **kwargs)


def test_fidelity_uses_free_generation_and_control_the_unconditional_model(pool):
    pipe = PriorPipeline(pool)
    result = evaluate(pipe, SMALL)
    assert result["details"]["unconditional_by"] == "prompt=None, prior=False"
    free = [c for c in pipe.calls if c[0] is None and c[1]]
    unconditional = [c for c in pipe.calls if c[0] is None and not c[1]]
    assert sum(n for *_, n in unconditional) == SMALL.n + SMALL.control_n
    assert sum(n for *_, n in free) >= SMALL.n
    assert 0.0 <= result["details"]["fidelity_unconditional"]["mean"] < 10


# --- against a folder of real kicks -------------------------------------------------------------

REAL_KEYS = {"kicks", "fidelity", "fidelity_per_feature", "frechet", "square_share", "crest"}
DECAY_KEYS = {"median_ms", "reference_p25_ms", "reference_median_ms", "reference_p75_ms"}


def kick_folder(path, seed, n=12):
    path.mkdir(parents=True)
    for i, kick in enumerate(synthesize(n, seed=seed).audio):
        soundfile.write(path / f"kick-{i:02d}.wav", kick, 44100)
    return path


@pytest.fixture(scope="module")
def real_folder(tmp_path_factory):
    """Stands in for real kicks: a dozen WAV files, read back through the folder loader."""
    return kick_folder(tmp_path_factory.mktemp("real") / "kicks", seed=23)


def assert_complete(block, kicks):
    assert block["kicks"] == kicks
    assert REAL_KEYS | {"decay"} <= set(block)
    assert set(block["fidelity_per_feature"]) == set(FEATURES)
    assert DECAY_KEYS | {"inside_iqr"} <= set(block["decay"])
    numbers = [block["fidelity"], block["frechet"], block["square_share"], block["crest"]["median"]]
    assert np.isfinite(numbers).all()


def test_evaluate_against_a_folder_adds_the_real_block_beside_the_synthetic_one(pool, real_folder):
    pipe = PriorPipeline(pool)
    result = evaluate(pipe, SMALL, real=RealFolders.load([real_folder]))
    assert np.isfinite(result["fidelity"]) and result["details"]["control_per_keyword"]
    real = result["real"]
    assert real["folder"] == str(real_folder) and real["kicks"] == 12
    assert set(real["sets"]) == {"free", "hit_house"}
    for block in real["sets"].values():
        assert_complete(block, SMALL.n)
    assert ("hit house", True, SMALL.n) in pipe.calls  # the web app's prompt, as one batch
    assert set(real["ceiling"]) >= REAL_KEYS
    assert real["ceiling"]["by"].startswith("the folder's two halves")
    assert {"square_share", "crest", "decay_ms"} <= set(real["reference"])
    json.loads(json.dumps(result, default=float))


def test_only_fidelity_skips_the_slow_parts_and_says_why_a_prompt_was_refused(
    pool, real_folder, monkeypatch
):
    monkeypatch.setattr(suite, "DEFAULT_PROMPT", "banjo")
    result = evaluate_fidelity(
        RetrievalGenerator(pool), SMALL, real=RealFolders.load([real_folder])
    )
    assert set(result) == {"fidelity", "details", "real", "seconds"}
    assert 0.0 <= result["fidelity"] < 10
    assert_complete(result["real"]["sets"]["free"], SMALL.n)
    assert result["real"]["sets"]["hit_house"]["skipped"].startswith("'banjo' refused")


def test_cli_source_synth_against_a_folder_reports_the_real_block_alone(capsys, real_folder):
    code = ev.main(["--source", "synth", "--against", str(real_folder), "--n", "8", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"source", "real", "seconds"} and result["source"] == "synth"
    assert list(result["real"]["sets"]) == ["synth"]
    assert_complete(result["real"]["sets"]["synth"], 8)


def test_cli_text_report_headlines_a_folder_against_itself_with_a_second_folder_as_ceiling(
    capsys, real_folder, tmp_path
):
    second = kick_folder(tmp_path / "second", seed=29, n=6)
    folder = str(real_folder)
    assert ev.main(["--source", folder, "--against", folder, "--against", str(second)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"real reference: {real_folder} (12 kicks)"
    row = next(line.split() for line in lines if line.strip().startswith("folder"))
    assert row[1:3] == ["0.000", "0.0"]  # fidelity and Fréchet of a folder against itself
    assert row[-1] == "inside"
    assert "ceiling: the second folder against the first" in lines[-1]


def test_cli_only_fidelity_with_the_retrieval_baseline(capsys):
    assert ev.main(["--against", "held-out", "--only", "fidelity", "--n", "8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "control" not in result and "real" not in result
    assert result["generator"] == "held-out" and np.isfinite(result["fidelity"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "synth"], "add --against DIR"),
        (["--against", "/no/such/kicks"], "no such folder of kicks"),
        (["--against", "held-out", "--against", "."], "one or two folders"),
        (["--source", "/no/such/kicks", "--against", "."], "neither pipeline, synth nor a folder"),
    ],
)
def test_cli_refuses_what_it_cannot_compare(capsys, argv, message):
    with pytest.raises(SystemExit):
        ev.main(argv)
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_the_real_block_drives_the_real_pipeline_api(tiny_pipe, real_folder):
    """KickPipeline takes the real block's calls: prompt=None and the default prompt."""
    settings = Settings(n=4, steps=2)
    result = evaluate_fidelity(tiny_pipe, settings, real=RealFolders.load([real_folder]))
    for block in result["real"]["sets"].values():
        assert_complete(block, 4)


class OctaveUpReconstruction(RetrievalGenerator):
    """A round trip that gives every other kick back as a body on its 2nd harmonic (a tone
    at twice its tail pitch) and returns the rest unchanged."""

    def reconstruct(self, audio):
        out = np.array(audio, copy=True)
        t = np.arange(out.shape[1]) / 44_100
        tail = describe_kicks(out)["tail_pitch_hz"]
        for row in range(0, len(out), 2):
            out[row] = np.sin(2 * np.pi * 2 * tail[row] * t) * np.exp(-t / 0.3)
        return out


def test_real_round_trip_counts_bodies_on_a_harmonic(pool, real_folder):
    real = RealFolders.load([real_folder]).reference
    skipped = real_reconstruction(PriorPipeline(pool), real)
    assert skipped["skipped"].endswith("no reconstruct(audio) method")
    result = real_reconstruction(OctaveUpReconstruction(pool), real)
    pitched = np.isfinite(real.features()["tail_pitch_hz"])
    assert result["kicks"] == 12 and result["pitched"] == pitched.sum() >= 10
    assert result["body_on_a_harmonic"] == pitched[::2].sum()
    assert result["tail_pitch_median_abs_error_st"] == pytest.approx(6.0, abs=6.0)
    assert 0.0 <= result["transient_share_median_abs_error"] < 0.5
    assert "vocoder_alone" not in result


class FaithfulVocoder(OctaveUpReconstruction):
    """The octave-up round trip, whose vocoder alone gives every kick back unchanged: the
    harmonic bodies are the VAE's doing."""

    def vocode(self, audio):
        return np.array(audio, copy=True)


def test_real_round_trip_reports_the_vocoder_alone_beside_it(pool, real_folder):
    real = RealFolders.load([real_folder]).reference
    result = real_reconstruction(FaithfulVocoder(pool), real)
    alone = result["vocoder_alone"]
    assert result["body_on_a_harmonic"] > 0 and alone["body_on_a_harmonic"] == 0
    assert alone["tail_pitch_median_abs_error_st"] == alone["transient_share_median_abs_error"] == 0
