import pytest

from gpu.pipeline import KickPipeline
from testsupport.tiny_weights import write_tiny_weights


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory):
    return write_tiny_weights(tmp_path_factory.mktemp("tiny-weights"))


@pytest.fixture(scope="session")
def tiny_pipe(tiny_weights):
    return KickPipeline.from_pretrained(tiny_weights, threads=1)
