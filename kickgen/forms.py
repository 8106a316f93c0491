"""What a member may ask the generator for; everything optional except at least one keyword."""

import math
from dataclasses import dataclass

from django import forms
from kickwithreverb.ids import MAX_ID

from gpu.audio.descriptors import NOTE_NAMES, note_to_hz
from kickgen.generators.protocol import DEFAULT_KEYWORDS, DescriptorRanges

# Kick tails live between C1 (32.7 Hz) and B2 (123.5 Hz).
TAIL_NOTES = tuple(f"{name}{octave}" for octave in (1, 2) for name in NOTE_NAMES)
DECAY_MS_RANGE = (50, 2000)
PUNCH_RANGE = (0.0, 1.0)
PUNCH_STEP = 0.01


@dataclass(frozen=True)
class AskRanges:
    """What the page offers: the form's own bounds narrowed to what the model was trained on
    (its weights' descriptor ranges), so no control offers a value the model refuses."""

    notes: tuple[str, ...] = TAIL_NOTES
    decay_ms: tuple[int, int] = DECAY_MS_RANGE
    punch: tuple[float, float] = PUNCH_RANGE

    @property
    def punch_middle(self) -> float:
        return round((self.punch[0] + self.punch[1]) / 2, 2)

    @classmethod
    def of(cls, model: DescriptorRanges) -> "AskRanges":
        pitch_lo, pitch_hi = model.get("tail_pitch_hz", (0.0, math.inf))
        decay_lo, decay_hi = model.get("decay_ms", DECAY_MS_RANGE)
        punch_lo, punch_hi = model.get("punch", PUNCH_RANGE)
        return cls(
            notes=tuple(n for n in TAIL_NOTES if pitch_lo <= note_to_hz(n) <= pitch_hi),
            decay_ms=(
                max(DECAY_MS_RANGE[0], math.ceil(decay_lo)),
                min(DECAY_MS_RANGE[1], math.floor(decay_hi)),
            ),
            punch=(
                max(PUNCH_RANGE[0], round(math.ceil(punch_lo / PUNCH_STEP) * PUNCH_STEP, 2)),
                min(PUNCH_RANGE[1], round(math.floor(punch_hi / PUNCH_STEP) * PUNCH_STEP, 2)),
            ),
        )


def _bounded(field: type[forms.Field], low: float, high: float, what: str) -> forms.Field:
    """An optional number field whose refusal names the control and what it can be."""
    message = f"{what} can be {low:g}–{high:g} with this model."
    return field(
        required=False,
        min_value=low,
        max_value=high,
        error_messages={"min_value": message, "max_value": message},
    )


class GenerateForm(forms.Form):
    keywords = forms.MultipleChoiceField(required=False)
    seed = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    # One id per click of the page (kickgen.js renews it after each answer): a double submit of
    # the same click makes one job.
    click_id = forms.UUIDField(required=False)

    def __init__(
        self, *args: object, vocabulary: list[str], ranges: AskRanges, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keywords"].choices = [(word, word) for word in vocabulary]
        self.fields["note"] = forms.ChoiceField(
            required=False, choices=[("", "Any note"), *((n, n) for n in ranges.notes)]
        )
        self.fields["decay_ms"] = _bounded(forms.IntegerField, *ranges.decay_ms, "Decay (ms)")
        self.fields["punch"] = _bounded(forms.FloatField, *ranges.punch, "Punch")

    def clean_keywords(self) -> str:
        # Each word once, in the order asked: repeats would overflow the keywords column.
        chosen = list(dict.fromkeys(self.cleaned_data["keywords"]))
        return " ".join(chosen) if chosen else DEFAULT_KEYWORDS

    def first_error(self) -> str:
        for field, errors in self.errors.items():
            if field in {"decay_ms", "punch"}:
                return errors[0]  # says which control and what it can be
            label = "Keywords" if field == "keywords" else self.fields[field].label or field
            return f"{label.replace('_', ' ').capitalize()}: {errors[0]}"
        return ""


class VaryForm(forms.Form):
    kick = forms.IntegerField(min_value=1, max_value=MAX_ID)
    seed = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    click_id = forms.UUIDField(required=False)
