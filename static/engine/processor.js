// processor.js — AudioWorkletProcessor "kwr-engine": runs engine.wasm on the audio thread.
// The compiled WebAssembly.Module arrives through processorOptions (no fetch, eval or
// new Function here, so a strict Content-Security-Policy holds). Messages from engine.js are
// handled between render quanta; each request carrying an `id` gets one reply.
import { Kwr } from "./kwr.js";

const LEVEL_RATE_HZ = 30;

class KwrProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.engine = null;
    try {
      const instance = new WebAssembly.Instance(options.processorOptions.module, {});
      this.engine = new Kwr(instance, sampleRate, 1024);
    } catch (error) {
      this.port.postMessage({ type: "failed", error: String(error.message || error) });
      return;
    }
    this.levelInterval = Math.round(sampleRate / LEVEL_RATE_HZ);
    this.sinceLevel = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
    this.port.postMessage({ type: "ready", sampleRate });
  }

  onMessage(msg) {
    const engine = this.engine;
    let result = null;
    try {
      switch (msg.type) {
        case "load":
          engine.load(msg.kind, msg.slot, msg.channels, msg.sampleRate);
          if (msg.kind === "kick") result = { pitchHz: engine.kickPitch(msg.slot) };
          break;
        case "unload":
          engine.unload(msg.kind, msg.slot);
          break;
        case "select":
          engine.select(msg.kind, msg.slot);
          break;
        case "param":
          engine.setParam(msg.id, msg.value);
          break;
        case "getParams":
          result = msg.ids.map((id) => engine.getParam(id));
          break;
        case "play":
          engine.play();
          break;
        case "stop":
          engine.stop();
          break;
        case "cue":
          engine.cue(msg.down);
          break;
        case "state":
          result = { playing: engine.playing };
          break;
        default:
          throw new Error(`Unknown engine message "${msg.type}".`);
      }
      if (msg.id !== undefined) this.port.postMessage({ type: "reply", id: msg.id, ok: true, result });
    } catch (error) {
      if (msg.id !== undefined) {
        this.port.postMessage({ type: "reply", id: msg.id, ok: false, error: String(error.message || error) });
      }
    }
  }

  process(inputs, outputs) {
    const engine = this.engine;
    if (!engine) return false;
    const out = outputs[0];
    const frames = out[0].length;
    for (let done = 0; done < frames; ) {
      const n = Math.min(frames - done, engine.maxFrames);
      engine.process(n);
      const views = engine.outputViews(n);
      out[0].set(views.left, done);
      if (out.length > 1) out[1].set(views.right, done);
      done += n;
    }
    this.sinceLevel += frames;
    if (this.sinceLevel >= this.levelInterval) {
      this.sinceLevel = 0;
      this.port.postMessage({ type: "level", ...engine.readMeter() });
    }
    return true;
  }
}

registerProcessor("kwr-engine", KwrProcessor);
