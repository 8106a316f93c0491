// Tune to key: note names, cents, and the tune value that puts a kick's tail on the nearest
// note of a key. Pure functions; the engine detects the pitch once per sample.
const NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const SCALES = { major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 10] };
const A4_MIDI = 69;
const A4_HZ = 440;

export const hzToMidi = (hz) => A4_MIDI + 12 * Math.log2(hz / A4_HZ);

// MIDI number (may be fractional) → {name: "F1", cents: -12}; octave numbering has A4 = 440 Hz.
export function midiToNote(midi) {
  const nearest = Math.round(midi);
  const cents = Math.round((midi - nearest) * 100);
  const name = NOTE_NAMES[((nearest % 12) + 12) % 12];
  return { name: `${name}${Math.floor(nearest / 12) - 1}`, cents };
}

// "F1 −12c", "A0 +3c", "C2 ±0c".
export function formatPitch(midi) {
  const { name, cents } = midiToNote(midi);
  const sign = cents > 0 ? "+" : cents < 0 ? "−" : "±";
  return `${name} ${sign}${Math.abs(cents)}c`;
}

// "F minor" → the pitch classes of that key, or null for "no key".
export function parseKey(key) {
  if (!key) return null;
  const [root, mode] = key.split(" ");
  const rootClass = NOTE_NAMES.indexOf(root);
  if (rootClass < 0 || !SCALES[mode]) throw new Error(`"${key}" is not a key like "F minor".`);
  return new Set(SCALES[mode].map((step) => (rootClass + step) % 12));
}

// The tune (semitones) that moves the tail from `detectedMidi` (+ `currentTune`) onto the
// nearest note of `pitchClasses`, staying inside [minTune, maxTune].
export function snapTune(detectedMidi, currentTune, pitchClasses, minTune = -12, maxTune = 12) {
  const heard = detectedMidi + currentTune;
  let best = currentTune;
  let bestDistance = Infinity;
  for (let note = Math.floor(heard) - 12; note <= Math.ceil(heard) + 12; note += 1) {
    const tune = note - detectedMidi;
    if (!pitchClasses.has(((note % 12) + 12) % 12) || tune < minTune || tune > maxTune) continue;
    if (Math.abs(note - heard) < bestDistance) {
      bestDistance = Math.abs(note - heard);
      best = tune;
    }
  }
  return best;
}
