// kwr.js — the engine's C ABI (dsp/README.md) wrapped for JavaScript. Shared by the
// AudioWorkletProcessor, the main-thread offline renderer and the node benchmark, so all three
// drive the same wasm the same way.

export const KIND = { kick: 0, noise: 1, ir: 2 };

// Field → engine id; equals Control.engine_id in presets/sound_contract.py (checked by
// dsp/tests/test_contract.py).
export const PARAM_IDS = {
  bpm: 0,
  kick_len: 1,
  kick_dist_amt: 2,
  kick_ott_amt: 3,
  kick_tune: 4,
  noise_low_pass_freq: 5,
  noise_high_pass_freq: 6,
  noise_volume: 7,
  reverb_low_pass_freq: 8,
  reverb_high_pass_freq: 9,
  reverb_volume: 10,
  master_ott_amt: 11,
  master_dist_amt: 12,
  master_limiter_amt: 13,
};

export const STATUS = {
  0: "ok",
  "-1": "unknown sample kind",
  "-2": "sample slot out of range",
  "-3": "sample data is empty, has more than 2 channels or an unusable sample rate",
  "-4": "the engine's memory is full: unload a sample first",
  "-5": "nothing is loaded in that slot",
  "-6": "unknown parameter id",
};

export class EngineError extends Error {}

export class Kwr {
  // instance: a WebAssembly.Instance of engine.wasm (no imports).
  // arenaBytes 0: the engine's default (all stock sounds + 30 AI kicks + reverb state).
  constructor(instance, sampleRate, maxFrames = 4096, arenaBytes = 0) {
    this.x = instance.exports;
    this.memory = this.x.memory;
    this.sampleRate = sampleRate;
    this.handle = this.x.kwr_create(sampleRate, arenaBytes);
    if (!this.handle) throw new EngineError(`The audio engine could not start at ${sampleRate} Hz.`);
    this.maxFrames = maxFrames;
    this.outPtr = this.x.kwr_alloc(this.handle, 8 * maxFrames);
    if (!this.outPtr) throw new EngineError("The audio engine could not reserve its output buffers.");
    this.refreshViews();
  }

  // Typed-array views die when wasm memory grows; take new ones whenever the buffer changed.
  refreshViews() {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.left = new Float32Array(this.buffer, this.outPtr, this.maxFrames);
    this.right = new Float32Array(this.buffer, this.outPtr + 4 * this.maxFrames, this.maxFrames);
    this.outputs = null;
  }

  // The first `frames` samples of both output buffers, kept until the size or the memory changes:
  // the audio thread asks for the same size every quantum and should not allocate.
  outputViews(frames) {
    if (!this.outputs || this.outputs.frames !== frames) {
      this.outputs = { frames, left: this.left.subarray(0, frames), right: this.right.subarray(0, frames) };
    }
    return this.outputs;
  }

  check(status, what) {
    if (status !== 0) throw new EngineError(`${what}: ${STATUS[status] || `error ${status}`}.`);
  }

  // channels: Float32Array[] (1 or 2 of equal length).
  load(kind, slot, channels, sampleRate) {
    const frames = channels[0].length;
    if (!frames || channels.length < 1 || channels.length > 2 || channels.some((c) => c.length !== frames)) {
      throw new EngineError("A sample needs 1 or 2 channels of the same, non-zero length.");
    }
    const ptr = this.x.kwr_alloc(this.handle, 4 * frames * channels.length);
    if (!ptr) this.check(-4, "Loading a sample");
    this.refreshViews();
    channels.forEach((c, i) => this.f32.set(c, ptr / 4 + i * frames));
    this.check(this.x.kwr_load(this.handle, KIND[kind], slot, ptr, channels.length, frames, sampleRate), "Loading a sample");
  }

  unload(kind, slot) {
    this.check(this.x.kwr_unload(this.handle, KIND[kind], slot), "Unloading a sample");
  }

  select(kind, slot) {
    this.check(this.x.kwr_select(this.handle, KIND[kind], slot), "Selecting a sample");
  }

  kickPitch(slot) {
    return this.x.kwr_kick_pitch(this.handle, slot);
  }

  detectPitch(samples, sampleRate) {
    const ptr = this.x.kwr_alloc(this.handle, 4 * samples.length);
    if (!ptr) this.check(-4, "Detecting pitch");
    this.refreshViews();
    this.f32.set(samples, ptr / 4);
    const hz = this.x.kwr_detect_pitch(this.handle, ptr, samples.length, sampleRate);
    this.x.kwr_free(this.handle, ptr);
    return hz;
  }

  setParam(id, value) {
    this.x.kwr_set_param(this.handle, id, value);
  }

  getParam(id) {
    return this.x.kwr_get_param(this.handle, id);
  }

  // Every smoothed parameter jumps to its target (before an offline render's first sample).
  settle() {
    this.x.kwr_settle(this.handle);
  }

  play() {
    this.x.kwr_play(this.handle);
  }

  stop() {
    this.x.kwr_stop(this.handle);
  }

  cue(down) {
    this.x.kwr_cue(this.handle, down ? 1 : 0);
  }

  hit() {
    this.x.kwr_hit(this.handle);
  }

  get playing() {
    return this.x.kwr_playing(this.handle) === 1;
  }

  irFrames(slot) {
    return this.x.kwr_ir_frames(this.handle, slot);
  }

  // Renders `frames` (<= maxFrames) into this.left/this.right (views into wasm memory).
  process(frames) {
    this.x.kwr_process(this.handle, this.outPtr, this.outPtr + 4 * this.maxFrames, frames);
    this.refreshViews();
  }

  // {peakDb, rmsDb} since the previous call.
  readMeter() {
    const ptr = this.x.kwr_meter_read(this.handle);
    this.refreshViews();
    return { peakDb: this.f32[ptr / 4], rmsDb: this.f32[ptr / 4 + 1] };
  }
}
