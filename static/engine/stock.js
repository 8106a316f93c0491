// Procedural stock sounds: 5 kicks, 5 noise beds, 11 impulse responses rendered in the browser
// from the recipes in stock_sounds.json (a few numbers each instead of megabytes of audio).
// Everything is seeded, so every browser renders the same sounds.

const RECIPES_URL = new URL("./stock_sounds.json", import.meta.url);

// mulberry32: small, fast, good enough for audio noise; seeded per sound.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function whiteNoise(random) {
  return () => random() * 2 - 1;
}

// One-pole low-pass coefficient for a cutoff in Hz.
function onePole(hz, sampleRate) {
  return 1 - Math.exp((-2 * Math.PI * hz) / sampleRate);
}

function normalizePeak(channels, peak) {
  let max = 0;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) max = Math.max(max, Math.abs(ch[i]));
  if (max > 0) {
    const g = peak / max;
    for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] *= g;
  }
  return channels;
}

// Kick: sine with an exponential pitch sweep (start → end Hz), exponential body decay, a short
// filtered-noise click and tanh drive. The tail settles on end_hz (what tail-pitch detection reads).
export function renderKick(recipe, sampleRate) {
  const n = Math.round(recipe.length_s * sampleRate);
  const out = new Float32Array(n);
  const random = whiteNoise(rng(recipe.seed));
  const sweep = recipe.sweep_ms / 1000;
  const decay = recipe.decay_ms / 1000;
  const drive = recipe.drive;
  const norm = Math.tanh(drive);
  const clickCoef = onePole(2500, sampleRate);
  const fadeOut = Math.round(0.01 * sampleRate);
  let phase = 0;
  let clickState = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const hz = recipe.end_hz + (recipe.start_hz - recipe.end_hz) * Math.exp(-t / sweep);
    phase += (2 * Math.PI * hz) / sampleRate;
    const attack = Math.min(1, t / 0.0015);
    const body = Math.sin(phase) * attack * Math.exp(-t / decay);
    clickState += clickCoef * (random() - clickState);
    const click = recipe.click * (random() - clickState) * Math.exp(-t / 0.004);
    let y = drive > 1 ? Math.tanh(drive * body) / norm : body;
    y += click;
    if (i >= n - fadeOut) y *= (n - i) / fadeOut;
    out[i] = y;
  }
  return normalizePeak([out], 0.9);
}

// Seamless loop: render `extra` more samples and crossfade them into the head.
function makeLoop(channels, n, extra) {
  return channels.map((ch) => {
    const out = ch.slice(0, n);
    for (let i = 0; i < extra; i++) {
      const w = i / extra;
      out[i] = ch[i] * w + ch[n + i] * (1 - w);
    }
    return out;
  });
}

const NOISE_SOURCES = {
  // sparse clicks of random height and a faint hiss, each click a tiny decaying burst
  crackle(recipe, sampleRate, random, total) {
    const chans = [new Float32Array(total), new Float32Array(total)];
    const noise = whiteNoise(random);
    const lp = onePole(recipe.tone_hz, sampleRate);
    for (const ch of chans) {
      let s = 0;
      for (let i = 0; i < total; i++) {
        s += lp * (noise() - s);
        ch[i] = recipe.hiss * s;
      }
      const count = Math.round((recipe.density * total) / sampleRate);
      for (let k = 0; k < count; k++) {
        const at = Math.floor(random() * (total - 64));
        const amp = Math.pow(random(), 3) * (random() < 0.5 ? -1 : 1);
        const len = 8 + Math.floor(random() * 40);
        for (let j = 0; j < len; j++) ch[at + j] += amp * Math.exp(-j / (len / 4)) * noise();
      }
    }
    return chans;
  },
  // white noise tilted toward the top, with slow amplitude flutter
  hiss(recipe, sampleRate, random, total) {
    const noise = whiteNoise(random);
    const lp = onePole(recipe.tone_hz, sampleRate);
    const hp = onePole(300, sampleRate);
    return [0, 1].map((c) => {
      const ch = new Float32Array(total);
      let a = 0;
      let b = 0;
      for (let i = 0; i < total; i++) {
        a += lp * (noise() - a);
        b += hp * (a - b);
        const flutter = 1 + recipe.flutter * Math.sin((2 * Math.PI * (0.5 + 0.2 * c) * i) / sampleRate);
        ch[i] = (a - b) * flutter;
      }
      return ch;
    });
  },
  // dense droplets (short band-limited bursts) over a low rumble
  rain(recipe, sampleRate, random, total) {
    const noise = whiteNoise(random);
    const lp = onePole(recipe.tone_hz, sampleRate);
    const rumbleLp = onePole(180, sampleRate);
    return [0, 1].map(() => {
      const ch = new Float32Array(total);
      let r = 0;
      for (let i = 0; i < total; i++) {
        r += rumbleLp * (noise() - r);
        ch[i] = recipe.rumble * r * 4;
      }
      const count = Math.round((recipe.density * total) / sampleRate);
      for (let k = 0; k < count; k++) {
        const at = Math.floor(random() * (total - 400));
        const amp = 0.1 + 0.4 * random() * random();
        const len = 60 + Math.floor(random() * 300);
        let s = 0;
        for (let j = 0; j < len; j++) {
          s += lp * (noise() - s);
          ch[at + j] += amp * s * Math.exp(-j / (len / 5));
        }
      }
      return ch;
    });
  },
  // pink noise (Kellet's economy filter), gently low-passed
  pink(recipe, sampleRate, random, total) {
    const noise = whiteNoise(random);
    const lp = onePole(recipe.tone_hz, sampleRate);
    return [0, 1].map(() => {
      const ch = new Float32Array(total);
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let s = 0;
      for (let i = 0; i < total; i++) {
        const w = noise();
        b0 = 0.99765 * b0 + w * 0.099046;
        b1 = 0.963 * b1 + w * 0.2965164;
        b2 = 0.57 * b2 + w * 1.0526913;
        s += lp * (b0 + b1 + b2 + w * 0.1848 - s);
        ch[i] = s;
      }
      return ch;
    });
  },
  // mains hum: base + odd-heavy harmonics, a little buzz; whole cycles fit the loop exactly
  hum(recipe, sampleRate, random, total) {
    const noise = whiteNoise(random);
    // one period of the waveform, tiled: the loop holds a whole number of cycles
    return [0, 1].map((c) => {
      const period = sampleRate / recipe.base_hz;
      const table = new Float32Array(Math.ceil(period) + 1);
      for (let i = 0; i < table.length; i++) {
        const p = (2 * Math.PI * i) / period;
        let y = 0;
        for (let h = 1; h <= recipe.harmonics; h++) y += ((h % 2 ? 1 : 0.5) / h) * Math.sin(h * (p + c * 0.3));
        table[i] = y + recipe.buzz * 0.2 * Math.tanh(4 * Math.sin(2 * p));
      }
      const ch = new Float32Array(total);
      for (let i = 0; i < total; i++) {
        const pos = i % period;
        const k = Math.floor(pos);
        ch[i] = table[k] + (pos - k) * (table[k + 1] - table[k]) + 0.01 * noise();
      }
      return ch;
    });
  },
};

export function renderNoise(recipe, sampleRate) {
  const n = Math.round(recipe.length_s * sampleRate);
  const extra = Math.round(0.05 * sampleRate);
  const source = NOISE_SOURCES[recipe.type];
  if (!source) throw new Error(`Unknown noise type "${recipe.type}" in recipe "${recipe.name}".`);
  const raw = source(recipe, sampleRate, rng(recipe.seed), n + extra);
  const looped = recipe.type === "hum" ? raw.map((ch) => ch.slice(0, n)) : makeLoop(raw, n, extra);
  return normalizePeak(looped, 0.5);
}

// Impulse response: early reflections, then a diffuse tail of decorrelated noise in three bands
// (one-pole splits at 400 Hz and 4 kHz) each with its own decay (high band: rt60 × damping),
// a build-up ramp, optional flutter echoes and a spring's dispersive chirp. Normalised to equal
// energy so the reverb volume means the same for every IR.
export function renderIr(recipe, sampleRate) {
  const n = Math.round(recipe.length_s * sampleRate);
  const random = rng(recipe.seed);
  const noise = whiteNoise(random);
  const pre = Math.round((recipe.predelay_ms / 1000) * sampleRate);
  const build = Math.max(1, (recipe.buildup_ms / 1000) * sampleRate);
  const lnMilli = Math.log(1000);
  const kLow = lnMilli / (recipe.rt60_s * 1.15 * sampleRate);
  const kMid = lnMilli / (recipe.rt60_s * sampleRate);
  const kHigh = lnMilli / (recipe.rt60_s * recipe.damping * sampleRate);
  const lpLow = onePole(400, sampleRate);
  const lpHigh = onePole(4000, sampleRate);
  const width = recipe.width;
  const sparse = recipe.sparse || 0;
  const common = new Float32Array(n);
  for (let i = 0; i < n; i++) common[i] = noise();
  const channels = [0, 1].map(() => {
    const ch = new Float32Array(n);
    let low = 0;
    let upper = 0;
    // band envelopes as running products: exp(−k·t) without an exp per sample
    const dLow = Math.exp(-kLow);
    const dMid = Math.exp(-kMid);
    const dHigh = Math.exp(-kHigh);
    let eLow = 1;
    let eMid = 1;
    let eHigh = 1;
    for (let i = pre; i < n; i++) {
      let x = width * noise() + (1 - width) * common[i];
      if (sparse > 0 && random() < sparse) x *= 0.1;
      low += lpLow * (x - low);
      upper += lpHigh * (x - upper);
      const t = i - pre;
      const ramp = t < build ? Math.sqrt(t / build) : 1;
      ch[i] = ramp * (low * eLow + (upper - low) * eMid + (x - upper) * eHigh);
      eLow *= dLow;
      eMid *= dMid;
      eHigh *= dHigh;
    }
    for (let k = 0; k < recipe.early; k++) {
      const at = pre + Math.floor(Math.pow(random(), 1.5) * (recipe.early_ms / 1000) * sampleRate);
      if (at < n) ch[at] += (random() < 0.5 ? -1 : 1) * (0.9 - (0.6 * k) / Math.max(1, recipe.early));
    }
    if (recipe.flutter_ms) {
      const period = Math.round((recipe.flutter_ms / 1000) * sampleRate);
      for (let at = pre + period, g = 0.7; at < n && g > 0.002; at += period, g *= 0.8) ch[at] += g * (random() < 0.5 ? -1 : 1);
    }
    if (recipe.spring_hz) {
      let phase = 0;
      let env = 1;
      const dEnv = Math.exp(-kMid);
      for (let i = pre; i < n; i++) {
        const t = (i - pre) / sampleRate;
        const hz = recipe.spring_hz * (0.6 + 0.4 * Math.exp(-t * 3)) * (1 + 0.1 * Math.sin(2 * Math.PI * 3 * t));
        phase += (2 * Math.PI * hz) / sampleRate;
        ch[i] += 0.3 * Math.sin(phase) * env * (1 + 0.5 * noise());
        env *= dEnv;
      }
    }
    const fade = Math.round(0.05 * n);
    for (let i = n - fade; i < n; i++) ch[i] *= (n - i) / fade;
    return ch;
  });
  let energy = 0;
  for (const ch of channels) for (let i = 0; i < n; i++) energy += ch[i] * ch[i];
  const g = Math.sqrt(1 / Math.max(energy, 1e-12));
  for (const ch of channels) for (let i = 0; i < n; i++) ch[i] *= g;
  return channels;
}

async function loadRecipes() {
  if (typeof fetch === "function" && RECIPES_URL.protocol !== "file:") {
    const response = await fetch(RECIPES_URL);
    if (!response.ok) throw new Error(`Could not load ${RECIPES_URL}: HTTP ${response.status}.`);
    return response.json();
  }
  const { readFile } = await import("node:fs/promises");
  return JSON.parse(await readFile(RECIPES_URL, "utf8"));
}

// -> {kicks:[{name, channels, sampleRate}], noises:[…], irs:[…]} in the JSON's order.
export async function renderStockSounds(sampleRate, recipes = null) {
  const table = recipes || (await loadRecipes());
  const entry = (recipe, channels) => ({ name: recipe.name, channels, sampleRate });
  return {
    kicks: table.kicks.map((r) => entry(r, renderKick(r, sampleRate))),
    noises: table.noises.map((r) => entry(r, renderNoise(r, sampleRate))),
    irs: table.irs.map((r) => entry(r, renderIr(r, sampleRate))),
  };
}
