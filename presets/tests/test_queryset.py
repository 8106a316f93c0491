import pytest
from django.contrib.auth.models import AnonymousUser

from presets.models import Preset

pytestmark = pytest.mark.django_db


def names(queryset):
    return [p.preset_name for p in queryset]


def test_visible_to_lists_shared_first_then_own_each_alphabetical(
    member, other_member, make_preset, init_preset
):
    staff = other_member
    make_preset(member, "zulu")
    make_preset(member, "Alpha")
    make_preset(member, "bravo")
    make_preset(staff, "Acid", is_shared=True)
    make_preset(staff, "Hidden")
    assert names(Preset.objects.visible_to(member)) == ["Acid", "Init", "Alpha", "bravo", "zulu"]


def test_guests_see_only_shared_presets(member, make_preset):
    make_preset(member, "Private")
    assert names(Preset.objects.visible_to(AnonymousUser())) == ["Init"]


def test_editable_by_excludes_shared_and_others(member, other_member, make_preset, init_preset):
    own = make_preset(member, "Own")
    make_preset(member, "Marked Shared", is_shared=True)
    make_preset(other_member, "Theirs")
    assert list(Preset.objects.editable_by(member)) == [own]
    assert not Preset.objects.editable_by(AnonymousUser()).exists()
    assert own.is_editable_by(member)
    assert not own.is_editable_by(other_member)
    assert not init_preset.is_editable_by(member)
