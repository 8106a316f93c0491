// The current sound: every contract value and the selected sample of each layer. The single
// source of truth the knobs, selects, hotkeys, presets and the engine all follow, so HTMX swaps
// of any element never lose it.
import { controlsByField, normalize, SAMPLE_FIELDS } from "./contract.js";

export class Sound {
  constructor(contract, initial = {}) {
    this.controls = controlsByField(contract);
    this.values = {};
    this.listeners = new Set();
    for (const c of contract.controls) this.values[c.field] = normalize(c, initial[c.field] ?? c.init);
    for (const field of Object.values(SAMPLE_FIELDS)) {
      this.values[field] = initial[field] ?? contract.init[field];
    }
  }

  get(field) {
    if (!(field in this.values)) throw new Error(`"${field}" is not a field of the sound contract.`);
    return this.values[field];
  }

  // Sets one value (clamped and rounded to the contract) and tells listeners when it changed.
  set(field, value, source = null) {
    const control = this.controls.get(field);
    const next = control ? normalize(control, value) : String(value);
    if (!control && !Object.values(SAMPLE_FIELDS).includes(field)) {
      throw new Error(`"${field}" is not a field of the sound contract.`);
    }
    if (this.values[field] === next) return next;
    this.values[field] = next;
    for (const listener of this.listeners) listener(field, next, source);
    return next;
  }

  // Applies many values at once (a preset); unknown keys are ignored.
  assign(values, source = null) {
    for (const field of Object.keys(this.values)) {
      if (values[field] !== undefined && values[field] !== null) this.set(field, values[field], source);
    }
  }

  snapshot() {
    return { ...this.values };
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
