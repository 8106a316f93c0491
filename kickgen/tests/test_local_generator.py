"""The local backend on the real gpu KickPipeline (tiny random-init weights in the real format)."""

import pytest

from gpu.audio.wav import read_wav_bytes
from kickgen.generators.backend import get_generator
from kickgen.generators.local import LocalGenerator
from kickgen.generators.protocol import GenerationRequest
from kickgen.jobs import processing
from kickgen.limits import reserve_generation, usage_for
from kickgen.models import GenerationJob
from testsupport.tiny_weights import write_tiny_weights


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(write_tiny_weights(tmp_path_factory.mktemp("weights")))


@pytest.fixture
def local_backend(settings, weights):
    settings.KICKGEN_BACKEND = "local"
    settings.KICKGEN_MODEL_PATH = weights
    settings.KICKGEN_HUB_REPO = ""
    return get_generator()


def test_vocabulary_before_and_after_loading(settings, weights):
    cold = LocalGenerator(weights)
    words = cold.vocabulary()  # read from vocabulary.json; starts loading in the background
    assert {"hit", "house"} <= set(words)
    assert cold.pipeline().vocabulary == words == cold.vocabulary()


def test_pipeline_loads_once_and_is_shared(local_backend):
    assert isinstance(local_backend, LocalGenerator)
    assert local_backend.pipeline() is local_backend.pipeline()
    assert get_generator() is local_backend
    assert {"hit", "house"} <= set(local_backend.vocabulary())


def test_generate_reports_each_step_and_returns_a_wav(local_backend):
    steps = []
    wav = local_backend.generate(
        GenerationRequest(keywords="hit house", seed=4), lambda s, t: steps.append((s, t))
    )
    audio, rate = read_wav_bytes(wav)
    assert (audio.shape, rate) == ((88200,), 44100)
    assert steps and steps[-1][0] == steps[-1][1] and len(steps) == steps[-1][1]
    again = local_backend.generate(GenerationRequest(keywords="hit house", seed=4), lambda s, t: 0)
    assert again == wav  # the seed makes it reproducible


def test_vary_starts_from_the_source(local_backend):
    source = local_backend.generate(GenerationRequest(keywords="hit", seed=1), lambda s, t: 0)
    steps = []
    varied = local_backend.generate(
        GenerationRequest(keywords="hit", seed=2, source_wav=source),
        lambda s, t: steps.append(s),
    )
    assert read_wav_bytes(varied)[0].shape == (88200,)
    assert varied != source and steps


@pytest.mark.django_db
def test_unknown_keyword_fails_with_the_models_message(local_backend, member, settings):
    job, _ = reserve_generation(member, seed=1, keywords="hit trance")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert "trance" in job.error and "house" in job.error
    assert usage_for(member).today == 0


@pytest.mark.django_db
def test_job_on_the_real_pipeline(local_backend, member, settings):
    job, _ = reserve_generation(member, seed=1, keywords="hit house", note="F1")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.progress_total == job.progress_step > 0
    assert job.kick.name.startswith("AI: ")
