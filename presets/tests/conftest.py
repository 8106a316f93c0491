import pytest

from presets.models import INIT_PRESET_NAME, Preset
from presets.sound_contract import init_values


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_cache):
    """allauth's login limit lives in the cache: start each test with a fresh budget."""


@pytest.fixture
def init_preset():
    return Preset.objects.get(is_shared=True, preset_name=INIT_PRESET_NAME)


@pytest.fixture
def make_preset():
    def make(user, name: str, **values) -> Preset:
        return Preset.objects.create(user=user, preset_name=name, **{**init_values(), **values})

    return make


@pytest.fixture
def preset_post():
    """A valid save form body: every sound field at its Init value, plus the given overrides."""

    def body(name: str, **overrides) -> dict[str, str]:
        values = {**init_values(), **overrides}
        return {"preset_name": name, **{field: str(value) for field, value in values.items()}}

    return body
