// Engine benchmark: `node dsp/bench.mjs [seconds]`.
// Renders 60 s at 44.1 kHz in 128-frame blocks with every effect on and the loop running,
// once with the longest stock IR and once with a 3 s stereo IR; prints per-config figures and,
// last, one JSON line with realtime_factor and us_per_block (the slower configuration).
import { readFile } from "node:fs/promises";
import { Kwr } from "../static/engine/kwr.js";
import { renderStockSounds } from "../static/engine/stock.js";

const SAMPLE_RATE = 44100;
const BLOCK = 128;
const seconds = Number(process.argv[2] || 60);
const wasm = await readFile(new URL("../static/engine/engine.wasm", import.meta.url));
const module = await WebAssembly.compile(wasm);
const stock = await renderStockSounds(SAMPLE_RATE);

// contract ids (presets/sound_contract.py)
const EVERY_EFFECT_ON = {
  0: 140, 1: 0.8, 2: 0.3, 3: 0.7, 4: 2.5, 5: 5000, 6: 200, 7: -20, 8: 6000, 9: 120, 10: -6, 11: 0.6,
  12: 0.2, 13: 3,
};

function stereoIr(frames, seed) {
  let a = seed;
  const random = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  return [0, 1].map(() => {
    const ch = new Float32Array(frames);
    for (let i = 0; i < frames; i++) ch[i] = random() * Math.exp((-6.9 * i) / frames) * 0.05;
    return ch;
  });
}

async function runConfig(name, irChannels) {
  const instance = await WebAssembly.instantiate(module, {});
  const engine = new Kwr(instance, SAMPLE_RATE, BLOCK);
  stock.kicks.forEach((s, i) => engine.load("kick", i, s.channels, s.sampleRate));
  stock.noises.forEach((s, i) => engine.load("noise", i, s.channels, s.sampleRate));
  stock.irs.forEach((s, i) => engine.load("ir", i, s.channels, s.sampleRate));
  engine.load("ir", 20, irChannels, SAMPLE_RATE);
  engine.select("kick", 0);
  engine.select("noise", 0);
  engine.select("ir", 20);
  for (const [id, value] of Object.entries(EVERY_EFFECT_ON)) engine.setParam(Number(id), value);
  engine.play();
  const blocks = Math.ceil((seconds * SAMPLE_RATE) / BLOCK);
  for (let b = 0; b < 200; b++) engine.process(BLOCK); // warm-up: JIT tiers, caches
  // Each block is timed on its own (performance.now, no allocation) so the output check below
  // stays out of the figure. Wall time is what counts; on a shared machine it also counts other
  // processes, so the process CPU time and the fastest 1-second chunk are reported beside it.
  const chunk = Math.round(SAMPLE_RATE / BLOCK);
  let worst = 0;
  let peak = 0;
  let total = 0;
  let chunkTime = 0;
  let bestChunk = Infinity;
  const cpuStart = process.cpuUsage();
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    engine.process(BLOCK);
    const dt = (performance.now() - t0) * 1000;
    total += dt;
    chunkTime += dt;
    if (dt > worst) worst = dt;
    if ((b + 1) % chunk === 0) {
      bestChunk = Math.min(bestChunk, chunkTime / chunk);
      chunkTime = 0;
    }
    const l = engine.left;
    for (let i = 0; i < BLOCK; i++) if (Math.abs(l[i]) > peak) peak = Math.abs(l[i]);
  }
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = total / 1e6;
  const audio = (blocks * BLOCK) / SAMPLE_RATE;
  const result = {
    config: name,
    ir_seconds: irChannels[0].length / SAMPLE_RATE,
    us_per_block: (elapsed * 1e6) / blocks,
    cpu_us_per_block_incl_harness: (cpu.user + cpu.system) / blocks,
    best_second_us_per_block: Number.isFinite(bestChunk) ? bestChunk : (elapsed * 1e6) / blocks,
    max_block_us: worst,
    realtime_factor: audio / elapsed,
    output_peak: peak,
  };
  console.log(JSON.stringify(result));
  return result;
}

const longest = stock.irs.reduce((a, b) => (b.channels[0].length > a.channels[0].length ? b : a));
const results = [
  await runConfig(`longest stock IR (${longest.name})`, longest.channels),
  await runConfig("3 s stereo IR", stereoIr(3 * SAMPLE_RATE, 7)),
];
const slowest = results.reduce((a, b) => (b.us_per_block > a.us_per_block ? b : a));
console.log(
  JSON.stringify({
    realtime_factor: Number(slowest.realtime_factor.toFixed(1)),
    us_per_block: Number(slowest.us_per_block.toFixed(2)),
    sample_rate: SAMPLE_RATE,
    block: BLOCK,
    seconds,
    configs: Object.fromEntries(
      results.map((r) => [
        r.config,
        {
          us_per_block: +r.us_per_block.toFixed(2),
          realtime_factor: +r.realtime_factor.toFixed(1),
          cpu_us_per_block_incl_harness: +r.cpu_us_per_block_incl_harness.toFixed(2),
          best_second_us_per_block: +r.best_second_us_per_block.toFixed(2),
          max_block_us: +r.max_block_us.toFixed(0),
        },
      ]),
    ),
  }),
);
