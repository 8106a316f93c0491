"""Exports (static/engine/offline.js under node): parameters are applied before the first sample,
so an export starts exactly where a steady-state render of the same settings does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "static" / "engine"

SCRIPT = """
import { readFileSync, writeFileSync } from "node:fs";
import { Kwr, PARAM_IDS } from %(kwr)s;
import { renderSound } from %(offline)s;
const module = await WebAssembly.compile(readFileSync(%(wasm)s));
const sr = 48000;
let seed = 7;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296) * 2 - 1;
const make = (frames, f) => Float32Array.from({ length: frames }, (_, i) => f(i / sr));
const kick = make(24000, (t) =>
  0.9 * Math.sin(2 * Math.PI * (50 * t + 4 * (1 - Math.exp(-t / 0.03)))) * Math.exp(-t / 0.2));
const noise = [0, 1].map(() => make(48000, () => 0.5 * random()));
const ir = [0, 1].map(() => make(24000, (t) => 0.1 * random() * Math.exp(-t / 0.1)));
const params = %(params)s;
const sound = {
  samples: {
    kick: new Map([["k", { slot: 0, channels: [kick], sampleRate: sr }]]),
    noise: new Map([["n", { slot: 0, channels: noise, sampleRate: sr }]]),
    ir: new Map([["r", { slot: 0, channels: ir, sampleRate: sr }]]),
  },
  selected: { kick: "k", noise: "n", ir: "r" },
  params,
};
const exported = await renderSound(module, sr, sound, { mode: "loop", bars: 1 });
// the same settings on an engine that had a second to settle before playing, and on one that
// plays at once (parameters still gliding from Init)
async function played(settleFrames) {
  const k = new Kwr(await WebAssembly.instantiate(module, {}), sr, 4800);
  k.load("kick", 0, [kick], sr);
  k.load("noise", 0, noise, sr);
  k.load("ir", 0, ir, sr);
  for (const kind of ["kick", "noise", "ir"]) k.select(kind, 0);
  for (const [field, value] of Object.entries(params)) k.setParam(PARAM_IDS[field], value);
  for (let done = 0; done < settleFrames; done += 4800) k.process(4800);
  k.play();
  k.process(2400);
  return [k.left.slice(0, 2400), k.right.slice(0, 2400)];
}
const out = [exported.channels[0].slice(0, 2400), exported.channels[1].slice(0, 2400),
  ...(await played(48000)), ...(await played(0))];
writeFileSync(%(out)s, Buffer.concat(out.map((c) => Buffer.from(c.buffer))));
"""

SETTINGS = {
    "bpm": 150,
    "kick_len": 0.6,
    "kick_dist_amt": 0.3,
    "kick_ott_amt": 0.7,
    "kick_tune": 3,
    "noise_volume": -18,
    "noise_low_pass_freq": 900,
    "noise_high_pass_freq": 200,
    "reverb_low_pass_freq": 1200,
    "reverb_high_pass_freq": 300,
    "reverb_volume": -3,
    "master_ott_amt": 0.5,
    "master_dist_amt": 0.2,
    "master_limiter_amt": 6,
}


def test_export_starts_on_the_settled_sound(tmp_path):
    out = tmp_path / "renders.f32"
    script = SCRIPT % {
        "kwr": json.dumps((ENGINE / "kwr.js").as_uri()),
        "offline": json.dumps((ENGINE / "offline.js").as_uri()),
        "wasm": json.dumps(str(ENGINE / "engine.wasm")),
        "params": json.dumps(SETTINGS),
        "out": json.dumps(str(out)),
    }
    subprocess.run(["node", "--input-type=module", "-e", script], check=True, timeout=120)
    export_l, export_r, steady_l, steady_r, gliding_l, gliding_r = np.fromfile(
        out, np.float32
    ).reshape(6, -1)
    exported, steady, gliding = (
        np.stack(p) for p in ((export_l, export_r), (steady_l, steady_r), (gliding_l, gliding_r))
    )
    scale = np.max(np.abs(steady))
    assert scale > 0.1
    # the first 50 ms equal the steady state (up to float rounding in the convolution's
    # partition schedule, which depends on how long the engine ran before)
    np.testing.assert_allclose(exported, steady, atol=1e-5 * scale)
    # … which is what a render that starts at once does not do: it glides from Init
    assert np.max(np.abs(gliding - steady)) > 0.05 * scale
