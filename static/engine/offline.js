// offline.js — renders a sound on a fresh engine instance on the calling thread: the exports of
// the page (Engine.renderOffline) and the tests. The parameters are settled before the first
// sample, so an export starts on the sound itself instead of gliding there from Init.
import { Kwr, PARAM_IDS } from "./kwr.js";

const OFFLINE_CHUNK = 4096;

// module: the compiled engine.wasm. sound: {samples: {kick|noise|ir: Map(name → {slot, channels,
// sampleRate})}, selected: {kick|noise|ir: name or null}, params: {field: value}}.
// mode "hit": one kick and its whole reverb tail; mode "loop": `bars` bars of 4 beats at the BPM.
// -> {channels: [left, right], sampleRate}
export async function renderSound(module, sampleRate, sound, { mode = "hit", bars = 4 } = {}) {
  if (mode !== "hit" && mode !== "loop") throw new Error(`Unknown render mode "${mode}": use "hit" or "loop".`);
  if (mode === "loop" && !(Number.isInteger(bars) && bars >= 1 && bars <= 64)) {
    throw new Error("bars must be a whole number from 1 to 64.");
  }
  const engine = new Kwr(await WebAssembly.instantiate(module, {}), sampleRate, OFFLINE_CHUNK);
  for (const kind of Object.keys(sound.samples)) {
    for (const sample of sound.samples[kind].values()) engine.load(kind, sample.slot, sample.channels, sample.sampleRate);
    const name = sound.selected[kind];
    if (name) engine.select(kind, sound.samples[kind].get(name).slot);
  }
  for (const [field, value] of Object.entries(sound.params)) engine.setParam(PARAM_IDS[field], value);
  engine.settle();
  const held = (field) => engine.getParam(PARAM_IDS[field]);
  let frames;
  if (mode === "hit") {
    const kick = sound.selected.kick ? sound.samples.kick.get(sound.selected.kick) : null;
    if (!kick) throw new Error("Select a kick before rendering.");
    const step = (kick.sampleRate / sampleRate) * Math.pow(2, held("kick_tune") / 12);
    const kickFrames = Math.ceil((kick.channels[0].length * held("kick_len")) / step);
    const irSlot = sound.selected.ir ? sound.samples.ir.get(sound.selected.ir).slot : -1;
    const irFrames = irSlot >= 0 ? engine.irFrames(irSlot) : 0;
    frames = kickFrames + irFrames + Math.round(0.25 * sampleRate);
    engine.hit();
  } else {
    frames = Math.round((bars * 4 * 60 * sampleRate) / held("bpm"));
    engine.play();
  }
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let done = 0; done < frames; done += OFFLINE_CHUNK) {
    const n = Math.min(OFFLINE_CHUNK, frames - done);
    engine.process(n);
    const views = engine.outputViews(n);
    left.set(views.left, done);
    right.set(views.right, done);
  }
  return { channels: [left, right], sampleRate };
}
