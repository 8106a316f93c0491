// Tune to key on the kick strip: the tail's pitch (detected by the engine once per sample)
// shown as note and cents after tuning, and the key selector that snaps the tail onto the key.
import { formatPitch, hzToMidi, parseKey, snapTune } from "./tune.js";

export class TailPitch {
  constructor(sound, tuneControl) {
    this.sound = sound;
    this.tune = tuneControl;
    this.engine = null;
    this.library = null;
    this.cache = new Map(); // name → Promise of the tail's MIDI pitch (null: none found)
    this.midi = undefined; // the selected kick's; undefined while not known yet
  }

  attach(engine, library) {
    this.engine = engine;
    this.library = library;
  }

  // The kick changed: its pitch is unknown until detected.
  forget() {
    this.midi = undefined;
    this.show();
  }

  pitchOf(name) {
    if (!this.cache.has(name)) {
      const detection = Promise.resolve(this.engine.detectPitch(name)).then(
        (result) => (result?.hz > 0 ? hzToMidi(result.hz) : null),
        (error) => {
          console.warn(`Pitch detection failed for ${name}:`, error);
          return null;
        },
      );
      this.cache.set(name, detection);
    }
    return this.cache.get(name);
  }

  // Detects (once) and shows the tail of `name`; with `snap`, also moves it onto the key.
  async detect(name, { snap = false } = {}) {
    if (!this.engine || !this.library?.has("kick", name)) return;
    const midi = await this.pitchOf(name);
    if (this.sound.get("kick_sample") !== name) return;
    this.midi = midi;
    if (snap) this.snapToKey();
    this.show();
  }

  snapToKey() {
    const pitchClasses = parseKey(document.getElementById("tune-key")?.value);
    if (!pitchClasses || typeof this.midi !== "number") return;
    const { minimum, maximum } = this.tune;
    const tune = snapTune(this.midi, this.sound.get("kick_tune"), pitchClasses, minimum, maximum);
    this.sound.set("kick_tune", tune, "key");
  }

  show() {
    const out = document.getElementById("kick-pitch");
    if (!out) return;
    if (typeof this.midi !== "number") {
      out.textContent = this.midi === null ? "no pitch" : "—";
      out.title = "Detected pitch of the kick's tail";
      return;
    }
    const tune = this.sound.get("kick_tune");
    out.textContent = formatPitch(this.midi + tune);
    out.title = `Tail detected at ${formatPitch(this.midi)}, tuned ${tune} st`;
  }
}
