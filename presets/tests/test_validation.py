"""Every preset field against the sound contract, through the form members submit."""

import math

import pytest
from django.db import IntegrityError, transaction

from kickgen.models import GeneratedKick
from presets.forms import PresetForm
from presets.models import Preset
from presets.sound_contract import CONTROLS, stock_names

pytestmark = pytest.mark.django_db


def form_for(user, body):
    return PresetForm(body, user=user)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.field)
def test_every_control_accepts_both_ends_of_its_range(member, preset_post, control):
    for value in (control.minimum, control.maximum):
        form = form_for(member, preset_post("Edges", **{control.field: value}))
        assert form.is_valid(), form.errors


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.field)
@pytest.mark.parametrize("where", ["below", "above"])
def test_every_control_rejects_values_outside_its_range(member, preset_post, control, where):
    step = max(control.resolution, 1e-3) * 10
    value = control.minimum - step if where == "below" else control.maximum + step
    if control.field == "bpm":
        value = round(value)
    form = form_for(member, preset_post("Outside", **{control.field: value}))
    assert not form.is_valid()
    assert control.field in form.errors


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.field)
@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "loud", "", "1e400"])
def test_every_control_rejects_non_numbers(member, preset_post, control, bad):
    form = form_for(member, preset_post("Bad", **{control.field: bad}))
    assert not form.is_valid()
    assert control.field in form.errors


def test_bpm_must_be_a_whole_number(member, preset_post):
    form = form_for(member, preset_post("Swing", bpm="140.5"))
    assert not form.is_valid()
    assert form.errors["bpm"] == ["Enter a whole number."]


def test_model_validation_rejects_nan_even_without_the_form(member, make_preset):
    preset = make_preset(member, "Direct")
    preset.kick_len = math.nan
    with pytest.raises(Exception) as caught:
        preset.full_clean()
    assert "kick_len" in caught.value.message_dict


@pytest.mark.parametrize(
    "name",
    ["A", "Init 2", "Deep Hall 909", "x" * 32, "Größe", "  Trimmed  "],
)
def test_valid_names(member, preset_post, name):
    form = form_for(member, preset_post(name))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["preset_name"] == name.strip()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 33, "Ensure this value has at most 32 characters (it has 33)."),
        ("kick!", "Preset names may contain only letters, digits and spaces."),
        ("a/b", "Preset names may contain only letters, digits and spaces."),
        ("<script>", "Preset names may contain only letters, digits and spaces."),
        ("tab\there", "Preset names may contain only letters, digits and spaces."),
        ("under_score", "Preset names may contain only letters, digits and spaces."),
    ],
)
def test_invalid_names(member, preset_post, name, message):
    form = form_for(member, preset_post(name))
    assert not form.is_valid()
    assert message in form.errors["preset_name"]


@pytest.mark.parametrize(
    ("field", "kind"),
    [("kick_sample", "kicks"), ("noise_sample", "noises"), ("reverb_sample", "irs")],
)
def test_every_stock_sound_is_accepted(member, preset_post, field, kind):
    for name in stock_names(kind):
        assert form_for(member, preset_post("Stock", **{field: name})).is_valid()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kick_sample", "Not A Kick"),
        ("kick_sample", "Vinyl Crackle"),  # a noise is not a kick
        ("noise_sample", "Warehouse"),
        ("reverb_sample", "Tape Hiss"),
        ("reverb_sample", ""),
        ("kick_sample", "warehouse"),  # names are exact
    ],
)
def test_unknown_or_misplaced_samples_are_rejected(member, preset_post, field, value):
    form = form_for(member, preset_post("Wrong", **{field: value}))
    assert not form.is_valid()
    assert field in form.errors


def _kick(user, name):
    return GeneratedKick.objects.create(
        user=user, name=name, audio_url=f"/media/{name}.wav", storage_path=f"{name}.wav", seed=1
    )


def test_own_ai_kick_is_a_valid_kick_sample(member, preset_post):
    _kick(member, "AI: Burkhard")
    form = form_for(member, preset_post("Mine", kick_sample="AI: Burkhard"))
    assert form.is_valid(), form.errors


def test_another_members_ai_kick_is_rejected(member, other_member, preset_post):
    _kick(other_member, "AI: Greta")
    form = form_for(member, preset_post("Theirs", kick_sample="AI: Greta"))
    assert not form.is_valid()
    assert form.errors["kick_sample"] == [
        "“AI: Greta” is not a stock kick or one of your AI kicks."
    ]


def test_ai_kick_is_not_a_noise(member, preset_post):
    _kick(member, "AI: Burkhard")
    form = form_for(member, preset_post("Mixed", noise_sample="AI: Burkhard"))
    assert not form.is_valid()
    assert "noise_sample" in form.errors


def test_is_shared_and_user_are_not_form_fields(member, other_member, preset_post):
    body = {**preset_post("Sneaky"), "is_shared": "on", "user": str(other_member.pk)}
    form = form_for(member, body)
    assert form.is_valid()
    preset = form.save()
    assert preset.user == member
    assert preset.is_shared is False


def test_shared_preset_names_are_taken(member, preset_post):
    form = form_for(member, preset_post("init"))
    assert not form.is_valid()
    assert form.errors["preset_name"] == [
        "“init” is the name of a shared preset; choose another name."
    ]


def test_database_enforces_one_name_per_member(member, other_member, make_preset):
    make_preset(member, "Twin")
    make_preset(other_member, "Twin")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_preset(member, "Twin")
    assert Preset.objects.filter(preset_name="Twin").count() == 2
