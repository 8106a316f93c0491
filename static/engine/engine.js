// engine.js — the page's handle on the audio engine (API in /work/coord/CONTRACTS.md).
//
//   const engine = await createEngine(audioContext);
//
// Compiles engine.wasm once, hands the Module to the "kwr-engine" AudioWorkletProcessor and talks
// to it by messages. Keeps a copy of every loaded sample and of the parameters so renderOffline
// can run the same wasm on the main thread with the same sounds and settings (offline.js).
import { KIND, Kwr, PARAM_IDS } from "./kwr.js";
import { renderSound } from "./offline.js";

export { PARAM_IDS };

const MAX_SLOTS = { kick: 64, noise: 16, ir: 32 };
const NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

// {hz, note, cents} for a frequency (A4 = 440 Hz); note null when hz is 0 (no pitch found).
export function describePitch(hz) {
  if (!(hz > 0)) return { hz: 0, note: null, cents: 0 };
  const midi = 69 + 12 * Math.log2(hz / 440);
  const nearest = Math.round(midi);
  return {
    hz,
    note: `${NOTE_NAMES[((nearest % 12) + 12) % 12]}${Math.floor(nearest / 12) - 1}`,
    cents: Math.round((midi - nearest) * 100),
  };
}

function checkKind(kind) {
  if (!(kind in KIND)) throw new Error(`Unknown sample kind "${kind}": use "kick", "noise" or "ir".`);
}

function fieldId(field) {
  const id = PARAM_IDS[field];
  if (id === undefined) throw new Error(`Unknown engine parameter "${field}".`);
  return id;
}

async function compileEngine() {
  const url = new URL("./engine.wasm", import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the audio engine (${url}: HTTP ${response.status}).`);
  if (WebAssembly.compileStreaming && response.headers.get("content-type") === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

class Engine {
  constructor(audioContext, module, node) {
    this.context = audioContext;
    this.module = module;
    this.node = node;
    this.sampleRate = audioContext.sampleRate;
    this.nextId = 1;
    this.pending = new Map();
    this.levelListeners = new Set();
    this.samples = { kick: new Map(), noise: new Map(), ir: new Map() };
    this.selected = { kick: null, noise: null, ir: null };
    this.params = {};
    this.playing = false;
    this.pitchHelper = null;
    node.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(msg) {
    if (msg.type === "reply") {
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(msg.error));
    } else if (msg.type === "level") {
      for (const cb of this.levelListeners) cb({ peakDb: msg.peakDb, rmsDb: msg.rmsDb });
    }
  }

  request(msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.node.port.postMessage({ ...msg, id }, transfer);
    });
  }

  send(msg) {
    this.node.port.postMessage(msg);
  }

  freeSlot(kind) {
    const used = new Set([...this.samples[kind].values()].map((s) => s.slot));
    for (let slot = 0; slot < MAX_SLOTS[kind]; slot++) if (!used.has(slot)) return slot;
    throw new Error(`No free ${kind} slot: unload a sample first.`);
  }

  // channels: Float32Array[] (1 or 2). Loading a name again replaces that sample.
  async loadSample(kind, name, channels, sampleRate) {
    checkKind(kind);
    if (!name) throw new Error("A sample needs a name.");
    if (!Array.isArray(channels) || channels.length < 1 || channels.length > 2) {
      throw new Error("A sample needs 1 or 2 channels (Float32Array).");
    }
    const copies = channels.map((c) => Float32Array.from(c));
    const existing = this.samples[kind].get(name);
    const slot = existing ? existing.slot : this.freeSlot(kind);
    const result = await this.request({ type: "load", kind, slot, channels: copies.map((c) => c.slice()), sampleRate });
    this.samples[kind].set(name, { slot, channels: copies, sampleRate, pitchHz: result ? result.pitchHz : 0 });
  }

  async unloadSample(kind, name) {
    checkKind(kind);
    const sample = this.samples[kind].get(name);
    if (!sample) throw new Error(`No ${kind} named "${name}" is loaded.`);
    await this.request({ type: "unload", kind, slot: sample.slot });
    this.samples[kind].delete(name);
    if (this.selected[kind] === name) this.selected[kind] = null;
  }

  async select(kind, name) {
    checkKind(kind);
    const sample = this.samples[kind].get(name);
    if (!sample) throw new Error(`No ${kind} named "${name}" is loaded.`);
    await this.request({ type: "select", kind, slot: sample.slot });
    this.selected[kind] = name;
  }

  // Fire-and-forget; the engine clamps (read back the held value with getParam).
  setParam(field, value) {
    const id = fieldId(field);
    this.params[field] = Number(value);
    this.send({ type: "param", id, value: Number(value) });
  }

  async getParam(field) {
    const [value] = await this.request({ type: "getParams", ids: [fieldId(field)] });
    return value;
  }

  async getState() {
    const fields = Object.keys(PARAM_IDS);
    const values = await this.request({ type: "getParams", ids: fields.map((f) => PARAM_IDS[f]) });
    const { playing } = await this.request({ type: "state" });
    this.playing = playing;
    const params = {};
    fields.forEach((f, i) => (params[f] = values[i]));
    return { params, selected: { ...this.selected }, playing };
  }

  play() {
    this.playing = true;
    this.send({ type: "play" });
  }

  stop() {
    this.playing = false;
    this.send({ type: "stop" });
  }

  cueDown() {
    this.send({ type: "cue", down: true });
  }

  cueUp() {
    this.send({ type: "cue", down: false });
  }

  // cb({peakDb, rmsDb}) ~30 times a second; returns a function that unsubscribes.
  onLevel(cb) {
    this.levelListeners.add(cb);
    return () => this.levelListeners.delete(cb);
  }

  // mode "hit": one kick and its whole reverb tail; mode "loop": `bars` bars of 4 beats at the
  // current BPM, on a fresh engine instance on this thread with the same samples, selections and
  // parameters, settled before the first sample. -> {channels: [left, right], sampleRate}
  async renderOffline(options = {}) {
    const { params } = await this.getState();
    const sound = { samples: this.samples, selected: this.selected, params };
    return renderSound(this.module, this.sampleRate, sound, options);
  }

  // detectPitch(name) for a loaded kick (computed once, at load) or detectPitch(channels, sampleRate).
  async detectPitch(nameOrChannels, sampleRate) {
    if (typeof nameOrChannels === "string") {
      const kick = this.samples.kick.get(nameOrChannels);
      if (!kick) throw new Error(`No kick named "${nameOrChannels}" is loaded.`);
      return describePitch(kick.pitchHz);
    }
    const channels = nameOrChannels;
    if (!Array.isArray(channels) || !channels.length || !(sampleRate > 0)) {
      throw new Error("detectPitch needs a kick name, or channels and a sample rate.");
    }
    if (!this.pitchHelper) {
      this.pitchHelper = new Kwr(await WebAssembly.instantiate(this.module, {}), this.sampleRate, 128, 16 << 20);
    }
    const mono = channels.length === 1 ? channels[0] : channels[0].map((x, i) => 0.5 * (x + channels[1][i]));
    return describePitch(this.pitchHelper.detectPitch(mono, sampleRate));
  }
}

export async function createEngine(audioContext) {
  const module = await compileEngine();
  await audioContext.audioWorklet.addModule(new URL("./processor.js", import.meta.url));
  const node = new AudioWorkletNode(audioContext, "kwr-engine", {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [2],
    processorOptions: { module },
  });
  await new Promise((resolve, reject) => {
    node.port.onmessage = (event) => {
      if (event.data.type === "ready") resolve();
      else if (event.data.type === "failed") reject(new Error(`The audio engine failed to start: ${event.data.error}`));
    };
    node.onprocessorerror = () => reject(new Error("The audio engine failed to start."));
  });
  node.connect(audioContext.destination);
  return new Engine(audioContext, module, node);
}
