"""The save form: a name plus every sound value, validated by the model against the contract."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from .models import Preset
from .sound_contract import CONTROLS, PRESET_VALUE_FIELDS

FIELD_LABELS = {
    "preset_name": "Preset name",
    "kick_sample": "Kick sample",
    "noise_sample": "Noise sample",
    "reverb_sample": "Reverb IR",
    **{
        c.field: c.label if c.group == "transport" else f"{c.group.capitalize()} {c.label.lower()}"
        for c in CONTROLS
    },
}


class PresetForm(forms.ModelForm):
    """Never exposes `is_shared` or `user`: members cannot share or reassign presets."""

    class Meta:
        model = Preset
        fields = ["preset_name", *PRESET_VALUE_FIELDS]
        labels = FIELD_LABELS

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The owner takes part in validation: a kick sample may be one of the owner's AI kicks.
        self.instance.user = user

    def clean_preset_name(self) -> str:
        name = self.cleaned_data["preset_name"]
        if Preset.objects.shared_named(name).exists():
            raise forms.ValidationError(
                f"“{name}” is the name of a shared preset; choose another name.",
                code="shared_name",
            )
        return name

    def save_as(self, preset: Preset) -> Preset:
        """Write the validated values onto an existing own preset (the confirmed overwrite)."""
        for field in PRESET_VALUE_FIELDS:
            setattr(preset, field, self.cleaned_data[field])
        preset.save(update_fields=[*PRESET_VALUE_FIELDS, "updated_at"])
        return preset
