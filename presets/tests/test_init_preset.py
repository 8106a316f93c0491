import pytest

from presets.models import SHARED_PRESETS_USERNAME, Preset
from presets.sound_contract import init_values

pytestmark = pytest.mark.django_db


def test_init_preset_exists_after_migrate_with_the_contract_values(init_preset):
    assert init_preset.is_shared
    assert init_preset.values() == init_values()


def test_init_preset_passes_its_own_validation(init_preset):
    init_preset.full_clean()


def test_init_owner_is_an_inactive_system_user_that_cannot_log_in(init_preset, client):
    owner = init_preset.user
    assert owner.username == SHARED_PRESETS_USERNAME
    assert not owner.is_active
    assert not owner.has_usable_password()
    assert not client.login(username=SHARED_PRESETS_USERNAME, password="")


def test_exactly_one_shared_preset_ships():
    assert list(Preset.objects.filter(is_shared=True).values_list("preset_name", flat=True)) == [
        "Init"
    ]
