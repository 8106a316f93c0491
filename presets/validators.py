"""Field validators for presets, driven by the sound contract."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from .sound_contract import CONTROLS_BY_FIELD


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
    """Letters, digits and spaces, not only spaces (the field's max_length caps it at 32)."""
    if not name.strip():
        raise ValidationError("Give the preset a name.", code="blank")
    if not all(ch.isalnum() or ch == " " for ch in name):
        raise ValidationError(
            "Preset names may contain only letters, digits and spaces.", code="characters"
        )
