"""What a member may ask the generator for; everything optional except at least one keyword."""

from django import forms
from kickwithreverb.ids import MAX_ID

from kickgen.generators import DEFAULT_KEYWORDS

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Kick tails live between C1 (32.7 Hz) and B2 (123.5 Hz).
TAIL_NOTES = tuple(f"{name}{octave}" for octave in (1, 2) for name in NOTE_NAMES)
DECAY_MS_RANGE = (50, 2000)
PUNCH_RANGE = (0.0, 1.0)


class GenerateForm(forms.Form):
    keywords = forms.MultipleChoiceField(required=False)
    note = forms.ChoiceField(
        required=False, choices=[("", "Any note"), *((n, n) for n in TAIL_NOTES)]
    )
    decay_ms = forms.IntegerField(
        required=False, min_value=DECAY_MS_RANGE[0], max_value=DECAY_MS_RANGE[1]
    )
    punch = forms.FloatField(required=False, min_value=PUNCH_RANGE[0], max_value=PUNCH_RANGE[1])
    seed = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    # One id per click of the page (kickgen.js renews it after each answer): a double submit of
    # the same click makes one job.
    click_id = forms.UUIDField(required=False)

    def __init__(self, *args: object, vocabulary: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keywords"].choices = [(word, word) for word in vocabulary]

    def clean_keywords(self) -> str:
        # Each word once, in the order asked: repeats would overflow the keywords column.
        chosen = list(dict.fromkeys(self.cleaned_data["keywords"]))
        return " ".join(chosen) if chosen else DEFAULT_KEYWORDS

    def first_error(self) -> str:
        for field, errors in self.errors.items():
            label = "Keywords" if field == "keywords" else self.fields[field].label or field
            return f"{label.replace('_', ' ').capitalize()}: {errors[0]}"
        return ""


class VaryForm(forms.Form):
    kick = forms.IntegerField(min_value=1, max_value=MAX_ID)
    seed = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    click_id = forms.UUIDField(required=False)
