"""What the presets bar shows: the list, the current preset, prev/next and any pending step.

The bar is one partial (templates/presets/_presets_bar.html, root id "presets-bar"); every
presets view renders it from a `PresetsBar`. The current preset is remembered per session so a
reload keeps it; logging in starts from Init and logging out flushes the session.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from .forms import PresetForm
from .models import INIT_PRESET_NAME, Preset
from .sound_contract import PRESET_VALUE_FIELDS, init_values

CURRENT_SESSION_KEY = "presets.current_id"
# Stored after the current preset was deleted: the sound stays, no preset is current.
NO_CURRENT = 0


@dataclass
class PresetsBar:
    shared: list[Preset]
    own: list[Preset]
    current: Preset | None
    previous: Preset | None = None
    next: Preset | None = None
    # True right after a load: the partial then carries the values for the page to apply.
    loaded: bool = False
    form: PresetForm | None = None
    confirm_overwrite: Preset | None = None
    confirm_delete: Preset | None = None
    notice: str = ""

    @property
    def current_editable(self) -> bool:
        return self.current is not None and not self.current.is_shared

    @property
    def save_values(self) -> list[tuple[str, object]]:
        """Values the save form carries without JS: what was posted, else the current preset's."""
        if self.form is not None and self.form.is_bound:
            return [(name, self.form.data.get(name, "")) for name in PRESET_VALUE_FIELDS]
        values = self.current.values() if self.current else init_values()
        return list(values.items())

    @property
    def save_name(self) -> str:
        if self.form is not None and self.form.is_bound:
            return self.form.data.get("preset_name", "")
        return self.current.preset_name if self.current_editable else ""

    @property
    def error_messages(self) -> list[str]:
        if self.form is None:
            return []
        messages = []
        for name, errors in self.form.errors.items():
            label = "" if name == "__all__" else f"{self.form.fields[name].label}: "
            messages.extend(f"{label}{error}" for error in errors)
        return messages


def remember_current(request: HttpRequest, preset: Preset | None) -> None:
    request.session[CURRENT_SESSION_KEY] = preset.pk if preset else NO_CURRENT


def start_from_init(request: HttpRequest) -> None:
    request.session.pop(CURRENT_SESSION_KEY, None)


def build(request: HttpRequest, **state) -> PresetsBar:
    """One query: every preset the member can see; current defaults to the session's, else Init."""
    presets = list(Preset.objects.visible_to(request.user))
    current_id = request.session.get(CURRENT_SESSION_KEY)
    current = next((p for p in presets if p.pk == current_id), None)
    if current is None and current_id is None:
        current = next(
            (p for p in presets if p.is_shared and p.preset_name == INIT_PRESET_NAME), None
        )
    previous_preset, next_preset = _neighbours(presets, current)
    return PresetsBar(
        shared=[p for p in presets if p.is_shared],
        own=[p for p in presets if not p.is_shared],
        current=current,
        previous=previous_preset,
        next=next_preset,
        **state,
    )


def _neighbours(
    presets: list[Preset], current: Preset | None
) -> tuple[Preset | None, Preset | None]:
    """Prev/next cycle through the whole list; with nothing current they start at either end."""
    if not presets:
        return None, None
    if current is None:
        return presets[-1], presets[0]
    index = presets.index(current)
    return presets[index - 1], presets[(index + 1) % len(presets)]
