// Page glue: builds the sound from the contract, binds knobs, selects, transport, hotkeys and
// presets to it, boots the engine and keeps it in step. Exposes `window.kwr` for the kickgen
// mode and for tests.
import { controlsByField, describeStep, readJson, SAMPLE_FIELDS } from "./contract.js";
import { download, exportFileName, renderWav } from "./export.js";
import { installHotkeys } from "./hotkeys.js";
import { bindKnobs } from "./knob.js";
import { Meter } from "./meter.js";
import { TailPitch } from "./pitch.js";
import { installPresetBridge } from "./presets.js";
import { SampleLibrary } from "./samples.js";
import { Sound } from "./sound.js";
import { renderStock } from "./stock-render.js";
import { drawWaveform } from "./waveform.js";

const ENGINE_URL = new URL("../engine/engine.js", import.meta.url).href;
const WAV_URL = new URL("../engine/wav.js", import.meta.url).href;
const KIND_OF_FIELD = Object.fromEntries(Object.entries(SAMPLE_FIELDS).map(([k, f]) => [f, k]));

const body = document.body;
const contract = readJson("sound-contract");
const controls = controlsByField(contract);
const sound = new Sound(contract, readJson("initial-sound"));
const knobs = new Map();
const pitch = new TailPitch(sound, controls.get("kick_tune"));
let engine = null;
let library = null;
let audioContext = null;
let playing = false;

const byId = (id) => document.getElementById(id);

// ---------------------------------------------------------------- UI that follows the sound

function liveKnobs(field) {
  const list = (knobs.get(field) ?? []).filter((knob) => knob.el.isConnected);
  knobs.set(field, list);
  return list;
}

function bindControls(root) {
  const turned = (field, value) => sound.set(field, value, "knob");
  for (const knob of bindKnobs(root, controls, turned, (field) => sound.get(field))) {
    knobs.set(knob.control.field, [...liveKnobs(knob.control.field), knob]);
  }
  for (const select of root.querySelectorAll("select[data-sample-kind]")) showSample(select);
  const bpm = root.querySelector("#bpm");
  if (bpm && document.activeElement !== bpm) bpm.value = String(sound.get("bpm"));
  for (const cell of root.querySelectorAll("[data-step-for]")) {
    const control = controls.get(cell.dataset.stepFor);
    if (control) cell.textContent = describeStep(control);
  }
}

// Shows the sound's sample; a sample the server did not list (e.g. a kick kept from the AI mode)
// gets a temporary option, dropped again once the select shows another sample.
function showSample(select) {
  const name = sound.get(SAMPLE_FIELDS[select.dataset.sampleKind]);
  for (const option of select.querySelectorAll("option[data-added]")) {
    if (option.value !== name) option.remove();
  }
  if (![...select.options].some((option) => option.value === name)) {
    const option = new Option(name, name);
    option.dataset.added = "";
    select.add(option);
  }
  select.value = name;
}

function showValue(field, value) {
  for (const knob of liveKnobs(field)) knob.show(value);
  if (field === "bpm") {
    const bpm = byId("bpm");
    if (bpm && document.activeElement !== bpm) bpm.value = String(value);
  }
  const kind = KIND_OF_FIELD[field];
  if (kind) {
    for (const select of document.querySelectorAll(`select[data-sample-kind="${kind}"]`)) showSample(select);
  }
  if (field === "kick_len" || field === "kick_sample") scheduleWaveform();
  if (field === "kick_tune") pitch.show();
  if (field === "kick_sample") pitch.forget();
}

let waveformFrame = 0;
function scheduleWaveform() {
  if (waveformFrame) return;
  waveformFrame = requestAnimationFrame(() => {
    waveformFrame = 0;
    const canvas = byId("kick-waveform");
    if (!canvas) return;
    const sample = library?.get("kick", sound.get("kick_sample"));
    drawWaveform(canvas, sample?.channels ?? null, sound.get("kick_len"));
  });
}

// ---------------------------------------------------------------- engine

async function selectInEngine(kind, name) {
  if (!library.has(kind, name)) {
    const option = document.querySelector(`select[data-sample-kind="${kind}"] option[data-url]`
      + `[value="${CSS.escape(name)}"]`);
    if (!option) throw new Error(`No ${kind} sample named "${name}" is available.`);
    await library.loadUrl(kind, name, option.dataset.url);
    if (sound.get(SAMPLE_FIELDS[kind]) !== name) return;
  }
  await engine.select(kind, name);
  if (kind === "kick") {
    scheduleWaveform();
    pitch.detect(name);
  }
}

// A sample that cannot be had (an AI kick whose file is gone) falls back to the layer's Init
// sample, so the engine and the select never disagree.
async function selectOrFallBack(kind, name) {
  try {
    await selectInEngine(kind, name);
  } catch (error) {
    const field = SAMPLE_FIELDS[kind];
    console.error(error);
    if (name !== contract.init[field] && sound.get(field) === name) {
      sound.set(field, contract.init[field], "fallback");
    }
  }
}

function followInEngine(field, value) {
  if (!engine) return;
  const kind = KIND_OF_FIELD[field];
  if (kind) selectOrFallBack(kind, value);
  else engine.setParam(field, value);
}

async function bootEngine() {
  const started = performance.now();
  audioContext = new AudioContext({ latencyHint: "interactive" });
  const stockRendered = renderStock(contract.stock, audioContext.sampleRate).finally(() =>
    performance.mark("kwr:stock"),
  );
  const { createEngine } = await import(ENGINE_URL);
  performance.mark("kwr:modules");
  const [created, stock] = await Promise.all([
    createEngine(audioContext).finally(() => performance.mark("kwr:engine")),
    stockRendered,
  ]);
  library = new SampleLibrary(created, audioContext);
  const groups = [["kick", stock.kicks], ["noise", stock.noises], ["ir", stock.irs]];
  await Promise.all(
    groups.flatMap(([kind, list]) =>
      list.map((s) => library.load(kind, s.name, s.channels, s.sampleRate ?? audioContext.sampleRate)),
    ),
  );
  performance.mark("kwr:samples");
  engine = created;
  window.kwr.engine = engine;
  pitch.attach(engine, library);
  for (const [field, value] of Object.entries(sound.snapshot())) {
    if (!KIND_OF_FIELD[field]) engine.setParam(field, value);
  }
  await Promise.all(
    Object.entries(SAMPLE_FIELDS).map(([kind, field]) => selectOrFallBack(kind, sound.get(field))),
  );
  const meter = new Meter(byId("output-meter"), byId("output-peak"));
  engine.onLevel((level) => meter.update(level));
  performance.mark("kwr:ready");
  window.kwr.readyMs = performance.now();
  window.kwr.bootMs = performance.now() - started;
  body.dataset.engine = "ready";
  body.dispatchEvent(new CustomEvent("kwr:ready", { detail: { engine } }));
  loadUrlKicks(document);
}

// AI kicks listed in a kick select (options with data-url) are fetched into the engine.
function loadUrlKicks(root) {
  if (!library) return;
  for (const option of root.querySelectorAll('select[data-sample-kind="kick"] option[data-url]')) {
    library.loadUrl("kick", option.value, option.dataset.url).catch((error) => console.error(error));
  }
}

function showEngineError(error) {
  console.error(error);
  body.dataset.engine = "error";
  byId("loading-message").textContent = `The audio engine could not start: ${error.message ?? error}`;
  byId("loading-dismiss").hidden = false;
  // Without an engine there is nothing to play or export; the knobs still edit the sound.
  for (const button of document.querySelectorAll("#play, #cue, [data-export]")) button.disabled = true;
}

// ---------------------------------------------------------------- transport

async function resumeAudio() {
  if (audioContext && audioContext.state !== "running") await audioContext.resume();
}

function setPlaying(next) {
  if (!engine) return;
  playing = next;
  const button = byId("play");
  if (button) {
    button.setAttribute("aria-pressed", String(playing));
    button.querySelector(".play-label").textContent = playing ? "STOP" : "PLAY";
  }
  if (playing) resumeAudio().then(() => engine.play());
  else engine.stop();
}

function cueDown() {
  byId("cue")?.classList.add("active");
  if (engine) resumeAudio().then(() => engine.cueDown());
}

function cueUp() {
  byId("cue")?.classList.remove("active");
  engine?.cueUp();
}

// ---------------------------------------------------------------- overlays

function overlayBlocks() {
  const overlay = byId("loading-overlay");
  return body.dataset.engine === "loading" || (overlay && !overlay.hidden && body.dataset.engine === "error");
}

function helpOverlay() {
  return byId("hotkeys-overlay");
}

let focusBeforeHelp = null;
function toggleHelp(open = helpOverlay().hidden) {
  const overlay = helpOverlay();
  if (open === !overlay.hidden) return;
  if (open) focusBeforeHelp = document.activeElement;
  overlay.hidden = !open;
  if (open) {
    overlay.querySelector("button")?.focus();
    return;
  }
  // Back to where the producer was; never to a button, where Space/Enter would click it.
  const previous = focusBeforeHelp;
  if (previous?.isConnected && previous !== document.body && !previous.closest("button")) {
    previous.focus();
  } else {
    document.activeElement?.blur();
  }
}

// ---------------------------------------------------------------- wiring

function applyPreset(values) {
  sound.assign(values, "preset");
}

async function exportClicked(button) {
  if (!engine) return;
  const buttons = document.querySelectorAll("[data-export]");
  for (const b of buttons) b.disabled = true;
  try {
    const { encodeWav } = await import(WAV_URL);
    const mode = button.dataset.export;
    download(await renderWav(engine, encodeWav, mode), exportFileName(mode, sound.snapshot()));
  } catch (error) {
    console.error(error);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

function wire() {
  sound.subscribe(showValue);
  sound.subscribe(followInEngine);

  document.addEventListener("change", (event) => {
    const select = event.target.closest?.("select[data-sample-kind]");
    if (select) {
      sound.set(SAMPLE_FIELDS[select.dataset.sampleKind], select.value, "select");
      if (select.dataset.sampleKind === "kick") pitch.detect(select.value, { snap: true });
    }
    if (event.target.id === "tune-key") pitch.detect(sound.get("kick_sample"), { snap: true });
    if (event.target.id === "bpm") {
      const typed = Number.parseFloat(event.target.value);
      const value = Number.isFinite(typed) ? sound.set("bpm", typed, "bpm-box") : sound.get("bpm");
      event.target.value = String(value);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.id === "bpm" && event.key === "Enter") event.target.blur();
  });
  document.addEventListener("focusout", (event) => {
    if (event.target.id === "bpm") event.target.value = String(sound.get("bpm"));
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest?.("button");
    if (!target) return;
    if (target.id === "play") setPlaying(!playing);
    if (target.matches("[data-hotkeys-toggle]")) toggleHelp();
    if (target.matches("[data-export]")) exportClicked(target);
    if (target.id === "loading-dismiss") byId("loading-overlay").hidden = true;
    // A mouse click leaves no focus on the button, so Space then plays instead of re-clicking.
    if (event.detail > 0 && !target.closest("#hotkeys-overlay")) target.blur();
  });
  document.addEventListener("pointerdown", (event) => {
    const cue = event.target.closest?.("#cue");
    if (!cue || event.button !== 0) return;
    cue.setPointerCapture(event.pointerId);
    cueDown();
    const release = () => {
      cueUp();
      cue.removeEventListener("pointerup", release);
      cue.removeEventListener("pointercancel", release);
    };
    cue.addEventListener("pointerup", release);
    cue.addEventListener("pointercancel", release);
  });
  helpOverlay().addEventListener("click", (event) => {
    if (event.target === helpOverlay()) toggleHelp(false);
  });

  // Browsers start audio only after a user gesture.
  for (const type of ["pointerdown", "keydown"]) {
    window.addEventListener(type, () => resumeAudio(), { capture: true, passive: true });
  }

  installHotkeys({
    contract,
    sound,
    actions: {
      playStop: () => setPlaying(!playing),
      cueDown,
      cueUp,
      toggleHelp: () => toggleHelp(),
      closeHelp: () => toggleHelp(false),
      helpOpen: () => !helpOverlay().hidden,
      blocked: overlayBlocks,
    },
  });
  installPresetBridge({ sound, applyPreset });

  body.addEventListener("htmx:load", (event) => {
    bindControls(event.detail.elt);
    loadUrlKicks(event.detail.elt);
  });
  window.addEventListener("resize", scheduleWaveform);
  bindControls(document);
}

window.kwr = {
  contract,
  sound,
  engine: null,
  get library() {
    return library;
  },
  get audioContext() {
    return audioContext;
  },
  get playing() {
    return playing;
  },
  play: () => setPlaying(true),
  stop: () => setPlaying(false),
  applyPreset,
  // For the AI Kick Gen mode: fetch a generated kick into the engine, then select it.
  loadKick: (name, url) => library.loadUrl("kick", name, url),
  unloadKick: (name) => library.unload("kick", name),
  selectKick: (name) => sound.set("kick_sample", name, "kickgen"),
};

wire();
bootEngine().catch(showEngineError);
