"""Field validators for presets, driven by the sound contract."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from .sound_contract import CONTROLS_BY_FIELD, PRESET_NAME_MAX_LENGTH


def validate_finite(value: float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("Enter a finite number.", code="not_finite")


def contract_range(field: str) -> list:
    """Finite and inside the control's range, as DESIGN.md's sound contract table says."""
    control = CONTROLS_BY_FIELD[field]
    return [
        validate_finite,
        MinValueValidator(control.minimum),
        MaxValueValidator(control.maximum),
    ]


def validate_preset_name(name: str) -> None:
    """Letters, digits and spaces, 1–32 characters, not only spaces."""
    if not name.strip():
        raise ValidationError("Give the preset a name.", code="blank")
    if len(name) > PRESET_NAME_MAX_LENGTH:
        raise ValidationError(
            f"Preset names are at most {PRESET_NAME_MAX_LENGTH} characters.", code="too_long"
        )
    if not all(ch.isalnum() or ch == " " for ch in name):
        raise ValidationError(
            "Preset names may contain only letters, digits and spaces.", code="characters"
        )
