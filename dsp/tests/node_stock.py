"""Renders the stock sounds with static/engine/stock.js under node and reads them back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
STOCK_JS = REPO / "static" / "engine" / "stock.js"

SCRIPT = """
import { renderStockSounds } from %(module)s;
import { writeFileSync } from "node:fs";
const sampleRate = %(rate)d;
const started = performance.now();
const stock = await renderStockSounds(sampleRate);
const elapsedMs = performance.now() - started;
const index = { elapsedMs, sounds: [] };
const parts = [];
let offset = 0;
for (const kind of ["kicks", "noises", "irs"]) {
  for (const s of stock[kind]) {
    index.sounds.push({ kind, name: s.name, sampleRate: s.sampleRate, channels: s.channels.length,
                        frames: s.channels[0].length, offset });
    for (const ch of s.channels) {
      parts.push(Buffer.from(ch.buffer, ch.byteOffset, ch.byteLength));
      offset += ch.length;
    }
  }
}
writeFileSync(%(bin)s, Buffer.concat(parts));
writeFileSync(%(index)s, JSON.stringify(index));
"""


def render_stock(sample_rate: int, out_dir: Path) -> dict:
    """{"elapsedMs", "kicks"/"noises"/"irs": [{"name", "sampleRate", "channels": [arrays]}]}"""
    bin_path, index_path = out_dir / f"stock{sample_rate}.f32", out_dir / f"stock{sample_rate}.json"
    script = SCRIPT % {
        "module": json.dumps(STOCK_JS.as_uri()),
        "rate": sample_rate,
        "bin": json.dumps(str(bin_path)),
        "index": json.dumps(str(index_path)),
    }
    subprocess.run(["node", "--input-type=module", "-e", script], check=True, timeout=120)
    index = json.loads(index_path.read_text())
    data = np.fromfile(bin_path, dtype=np.float32)
    result: dict = {"elapsedMs": index["elapsedMs"], "kicks": [], "noises": [], "irs": []}
    for s in index["sounds"]:
        start = s["offset"]
        channels = [
            data[start + c * s["frames"] : start + (c + 1) * s["frames"]]
            for c in range(s["channels"])
        ]
        result[s["kind"]].append(
            {"name": s["name"], "sampleRate": s["sampleRate"], "channels": channels}
        )
    return result
