// The sound contract (presets/sound_contract.py) as the page uses it: knob curves, value
// formatting and the hotkey/arrow step rules. Pure functions, no DOM.

export const SAMPLE_FIELDS = { kick: "kick_sample", noise: "noise_sample", ir: "reverb_sample" };

export function readJson(id, doc = document) {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`The page is missing its #${id} JSON data element.`);
  return JSON.parse(el.textContent);
}

export function controlsByField(contract) {
  return new Map(contract.controls.map((c) => [c.field, c]));
}

export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// Knob travel 0..1 → value. Frequencies are logarithmic, the kick length is power 2
// (50% travel → 0.325 of the sample), everything else linear.
export function fromPosition(c, pos) {
  const p = clamp(pos, 0, 1);
  if (c.curve === "log") return c.minimum * (c.maximum / c.minimum) ** p;
  if (c.curve === "power2") return c.minimum + (c.maximum - c.minimum) * p * p;
  return c.minimum + (c.maximum - c.minimum) * p;
}

export function toPosition(c, value) {
  const v = clamp(value, c.minimum, c.maximum);
  if (c.curve === "log") return Math.log(v / c.minimum) / Math.log(c.maximum / c.minimum);
  const linear = (v - c.minimum) / (c.maximum - c.minimum);
  return c.curve === "power2" ? Math.sqrt(linear) : linear;
}

// Clamp to the range and round to the control's resolution (the engine clamps too; the page
// never shows a value the engine would not hold).
export function normalize(c, value) {
  const number = Number(value);
  if (!Number.isFinite(number)) return c.init;
  const decimals = Math.max(0, Math.ceil(-Math.log10(c.resolution) - 1e-9));
  const rounded = Math.round(clamp(number, c.minimum, c.maximum) / c.resolution) * c.resolution;
  return Number(clamp(rounded, c.minimum, c.maximum).toFixed(decimals));
}

// One hotkey press: "add" steps by ±step, "mul" by ×step up and ×(2 − step) down
// (DESIGN.md: q/w ×0.95/×1.05, e/r ×0.9/×1.1). `scale` makes finer or coarser steps.
export function stepValue(c, value, direction, scale = 1) {
  const factor = direction > 0 ? c.key_step : 2 - c.key_step;
  const next =
    c.key_op === "mul"
      ? normalize(c, value * factor ** scale)
      : normalize(c, value + direction * c.key_step * scale);
  // A fine step smaller than the resolution still moves by one resolution step.
  return next === value ? normalize(c, value + direction * c.resolution) : next;
}

export function describeStep(c) {
  if (c.key_op === "mul") return `×${trim(2 - c.key_step, 2)} / ×${trim(c.key_step, 2)}`;
  return `−${trim(c.key_step, 2)} / +${trim(c.key_step, 2)}`;
}

function trim(number, decimals) {
  return String(Number(number.toFixed(decimals)));
}

// "100 %", "1.20 kHz", "−6.0 dB", "+1.00 st", "1.50 ×", "140 BPM".
export function formatValue(c, value) {
  switch (c.unit) {
    case "%":
      return `${(value * 100).toFixed(c.field === "kick_len" ? 1 : 0)} %`;
    case "Hz":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} kHz` : `${Math.round(value)} Hz`;
    case "dB":
      return `${value.toFixed(1).replace("-", "−")} dB`;
    case "st":
      return `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(value).toFixed(2)} st`;
    case "BPM":
      return `${Math.round(value)} BPM`;
    default:
      return `${value.toFixed(2)} ${c.unit}`;
  }
}
