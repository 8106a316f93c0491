// The presets bar speaks to the page through events, never through a reload:
// - foundation's views answer a load with `HX-Trigger: {"presetLoaded": {<every preset field>}}`;
//   the page applies every value (knobs, selects, engine).
// - a request from a form that carries the sound's fields (hidden inputs named like the preset
//   fields, or marked `data-preset-values`) gets the current values filled in as it leaves.
const SOUND_FORM = "form[data-preset-values], form[data-sound-form]";

function presetValues(detail) {
  if (detail?.value && typeof detail.value === "object") return detail.value;
  return detail ?? {};
}

function carriesSound(form, fields) {
  if (!form) return false;
  if (form.matches(SOUND_FORM)) return true;
  return fields.some((field) => form.querySelector(`input[name="${field}"]`));
}

function fillInputs(form, values) {
  for (const [field, value] of Object.entries(values)) {
    const input = form.querySelector(`input[name="${field}"]`);
    if (input) input.value = String(value);
  }
}

export function installPresetBridge({ sound, applyPreset, target = document.body }) {
  const fields = Object.keys(sound.snapshot());

  target.addEventListener("presetLoaded", (event) => applyPreset(presetValues(event.detail)));

  target.addEventListener("htmx:configRequest", (event) => {
    const elt = event.detail.elt;
    const form = elt?.tagName === "FORM" ? elt : elt?.closest?.("form");
    if (!carriesSound(form, fields)) return;
    const values = sound.snapshot();
    fillInputs(form, values);
    for (const [field, value] of Object.entries(values)) {
      if (event.detail.formData) event.detail.formData.set(field, String(value));
      else event.detail.parameters[field] = String(value);
    }
  });

  // The same form submitted without htmx (a plain POST) still saves the sound.
  target.addEventListener("submit", (event) => {
    if (carriesSound(event.target, fields)) fillInputs(event.target, sound.snapshot());
  });
}
