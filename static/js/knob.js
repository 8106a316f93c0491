// The knob: an ARIA slider bound to one contract control. Drag up/down, mouse wheel, arrow
// keys (Shift = fine, PageUp/PageDown = coarse, Home/End = range ends), double-click = Init.
import { formatValue, fromPosition, stepValue, toPosition } from "./contract.js";

const DRAG_PIXELS_FOR_FULL_TRAVEL = 200;
const WHEEL_TRAVEL_PER_PIXEL = 0.0002;

export class Knob {
  // `onInput(value)` is called with the value the producer asked for; the caller decides what
  // the value becomes and reports it back through `show()`.
  constructor(el, control, onInput) {
    this.el = el;
    this.control = control;
    this.onInput = onInput;
    this.value = control.init;
    this.output = el.closest(".knob-control")?.querySelector(".knob-value") ?? null;
    el.addEventListener("pointerdown", (e) => this.startDrag(e));
    el.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    el.addEventListener("keydown", (e) => this.key(e));
    el.addEventListener("dblclick", () => this.onInput(control.init));
  }

  show(value) {
    this.value = value;
    const text = formatValue(this.control, value);
    this.el.setAttribute("aria-valuenow", String(value));
    this.el.setAttribute("aria-valuetext", text);
    this.el.style.setProperty("--pos", toPosition(this.control, value).toFixed(4));
    if (this.output) this.output.textContent = text;
  }

  startDrag(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    this.el.focus();
    this.el.setPointerCapture(event.pointerId);
    const startY = event.clientY;
    const startPos = toPosition(this.control, this.value);
    this.el.classList.add("dragging");
    const move = (e) => {
      const fine = e.shiftKey ? 0.1 : 1;
      const pos = startPos + ((startY - e.clientY) / DRAG_PIXELS_FOR_FULL_TRAVEL) * fine;
      this.onInput(fromPosition(this.control, pos));
    };
    const end = () => {
      this.el.classList.remove("dragging");
      this.el.removeEventListener("pointermove", move);
      this.el.removeEventListener("pointerup", end);
      this.el.removeEventListener("pointercancel", end);
    };
    this.el.addEventListener("pointermove", move);
    this.el.addEventListener("pointerup", end);
    this.el.addEventListener("pointercancel", end);
  }

  wheel(event) {
    event.preventDefault();
    const pixels = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
    const fine = event.shiftKey ? 0.1 : 1;
    const pos = toPosition(this.control, this.value) - pixels * WHEEL_TRAVEL_PER_PIXEL * fine;
    this.onInput(fromPosition(this.control, pos));
  }

  key(event) {
    const c = this.control;
    const scale = event.shiftKey ? 0.1 : 1;
    let next;
    switch (event.key) {
      case "ArrowUp":
      case "ArrowRight":
        next = stepValue(c, this.value, +1, scale);
        break;
      case "ArrowDown":
      case "ArrowLeft":
        next = stepValue(c, this.value, -1, scale);
        break;
      case "PageUp":
        next = stepValue(c, this.value, +1, 10);
        break;
      case "PageDown":
        next = stepValue(c, this.value, -1, 10);
        break;
      case "Home":
        next = c.minimum;
        break;
      case "End":
        next = c.maximum;
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    this.onInput(next);
  }
}

// Binds every unbound knob under `root` (the page, or content HTMX just swapped in).
export function bindKnobs(root, controls, onInput, current) {
  const bound = [];
  for (const el of root.querySelectorAll(".knob[data-field]")) {
    if (el.dataset.bound) continue;
    const control = controls.get(el.dataset.field);
    if (!control) continue;
    el.dataset.bound = "1";
    const knob = new Knob(el, control, (value) => onInput(control.field, value));
    knob.show(current(control.field));
    bound.push(knob);
  }
  return bound;
}
