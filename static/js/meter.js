// Output level meter: peak in dBFS from the worklet (~30 Hz), with a falling peak hold for the
// eye. `data-peak` always carries the current peak (testable, and read by assistive tech).
const FLOOR_DB = -120;
const SCALE_DB = 60;

export class Meter {
  constructor(el, readout) {
    this.el = el;
    this.readout = readout;
    this.hold = FLOOR_DB;
  }

  update({ peakDb }) {
    const peak = Number.isFinite(peakDb) ? Math.max(FLOOR_DB, peakDb) : FLOOR_DB;
    this.hold = Math.max(peak, this.hold - 1.5);
    this.el.dataset.peak = peak.toFixed(1);
    this.el.setAttribute("aria-valuenow", Math.max(-SCALE_DB, peak).toFixed(0));
    this.el.style.setProperty("--level", Math.max(0, 1 + peak / SCALE_DB).toFixed(3));
    this.el.style.setProperty("--hold", Math.max(0, 1 + this.hold / SCALE_DB).toFixed(3));
    this.el.classList.toggle("clip", peak >= -0.1);
    if (this.readout) {
      this.readout.textContent = this.hold <= -SCALE_DB ? "-inf dB" : `${this.hold.toFixed(1)} dB`;
    }
  }
}
