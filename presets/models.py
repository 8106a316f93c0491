"""Presets: a named snapshot of every control of the sound, owned by a member or shared.

Shared presets (is_shared) are visible to every member and read-only outside the admin. The
shipped "Init" preset belongs to the inactive system user SHARED_PRESETS_USERNAME, created by the
data migration, so the seed's non-null owner and its unique (user, preset_name) stay intact.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from .sound_contract import (
    CONTROLS_BY_FIELD,
    PRESET_NAME_MAX_LENGTH,
    PRESET_VALUE_FIELDS,
    STOCK_KIND_BY_SAMPLE_FIELD,
    init_values,
    stock_names,
)
from .validators import contract_range, validate_preset_name

SHARED_PRESETS_USERNAME = "shared-presets"
INIT_PRESET_NAME = "Init"
SAMPLE_MAX_LENGTH = 64

STOCK_LABELS = {"kicks": "stock kick", "noises": "stock noise", "irs": "stock impulse response"}


def _control(field: str, *, integer: bool = False) -> models.Field:
    control = CONTROLS_BY_FIELD[field]
    field_class = models.IntegerField if integer else models.FloatField
    default = int(control.init) if integer else float(control.init)
    return field_class(default=default, validators=contract_range(field))


class PresetQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> "PresetQuerySet":
        """Shared presets first, then the member's own; each group A–Z (case-insensitive)."""
        mine = Q(user=user) if user.is_authenticated else Q(pk__in=[])
        return self.filter(Q(is_shared=True) | mine).order_by(
            "-is_shared", Lower("preset_name"), "preset_name", "pk"
        )

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> "PresetQuerySet":
        """The presets a member may overwrite or delete: their own, never shared ones."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user, is_shared=False)

    def shared_named(self, name: str) -> "PresetQuerySet":
        return self.filter(is_shared=True, preset_name__iexact=name)


class Preset(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presets"
    )
    preset_name = models.CharField(
        max_length=PRESET_NAME_MAX_LENGTH, validators=[validate_preset_name]
    )
    is_shared = models.BooleanField(
        default=False, help_text="Visible to every member and read-only for them."
    )

    bpm = _control("bpm", integer=True)
    kick_sample = models.CharField(max_length=SAMPLE_MAX_LENGTH)
    kick_len = _control("kick_len")
    kick_dist_amt = _control("kick_dist_amt")
    kick_ott_amt = _control("kick_ott_amt")
    kick_tune = _control("kick_tune")
    noise_sample = models.CharField(max_length=SAMPLE_MAX_LENGTH)
    noise_low_pass_freq = _control("noise_low_pass_freq")
    noise_high_pass_freq = _control("noise_high_pass_freq")
    noise_volume = _control("noise_volume")
    reverb_sample = models.CharField(max_length=SAMPLE_MAX_LENGTH)
    reverb_low_pass_freq = _control("reverb_low_pass_freq")
    reverb_high_pass_freq = _control("reverb_high_pass_freq")
    reverb_volume = _control("reverb_volume")
    master_ott_amt = _control("master_ott_amt")
    master_dist_amt = _control("master_dist_amt")
    master_limiter_amt = _control("master_limiter_amt")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PresetQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "preset_name"], name="presets_unique_name_per_user"
            )
        ]

    def __str__(self) -> str:
        return self.preset_name

    def clean(self) -> None:
        errors = {}
        for field, kind in STOCK_KIND_BY_SAMPLE_FIELD.items():
            value = getattr(self, field)
            if value in stock_names(kind):
                continue
            if field == "kick_sample" and self._is_own_ai_kick(value):
                continue
            allowed = f"a {STOCK_LABELS[kind]}"
            if field == "kick_sample":
                allowed += " or one of your AI kicks"
            errors[field] = ValidationError(f"“{value}” is not {allowed}.", code="unknown_sample")
        if errors:
            raise ValidationError(errors)

    def _is_own_ai_kick(self, name: str) -> bool:
        if not self.user_id:
            return False
        generated_kick = apps.get_model("kickgen", "GeneratedKick")
        return generated_kick.objects.filter(user_id=self.user_id, name=name).exists()

    def values(self) -> dict[str, float | int | str]:
        """Every sound value keyed by its sound-contract field name (what the page applies)."""
        return {field: getattr(self, field) for field in PRESET_VALUE_FIELDS}

    def is_editable_by(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return user.is_authenticated and self.user_id == user.pk and not self.is_shared


def init_preset_defaults() -> dict[str, float | int | str]:
    """Init's values typed as the model stores them (bpm is an integer): handy for new presets."""
    values = init_values()
    values["bpm"] = int(values["bpm"])
    return values
