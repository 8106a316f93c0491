"""Stock sounds synthesised by static/engine/stock.js (run under node) and the small JS helpers."""

from __future__ import annotations

import json
import struct
import subprocess

import numpy as np
import pytest

from presets.sound_contract import stock_names, stock_sounds

from .conftest import REPO
from .wasm import KICK

ENGINE_DIR = REPO / "static" / "engine"


def node_eval(script: str) -> str:
    return subprocess.run(
        ["node", "--input-type=module", "-e", script],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


@pytest.mark.parametrize("sr", [44100, 48000])
def test_stock_sounds_render_with_contract_names(stock_sounds, sr):
    stock = stock_sounds(sr)
    for kind, channels in (("kicks", 1), ("noises", 2), ("irs", 2)):
        assert [s["name"] for s in stock[kind]] == stock_names(kind)
        recipes = {r["name"]: r for r in stock_sounds_recipes()[kind]}
        for s in stock[kind]:
            assert len(s["channels"]) == channels and s["sampleRate"] == sr
            data = np.stack(s["channels"])
            assert data.shape[1] == round(recipes[s["name"]]["length_s"] * sr)
            assert np.all(np.isfinite(data))
            # kicks and noises are peak-normalised, IRs energy-normalised (smaller peaks)
            assert (0.002 if kind == "irs" else 0.4) < np.max(np.abs(data)) <= 1.0, s["name"]


def stock_sounds_recipes():
    return stock_sounds()


def upward_crossing_hz(x, sr):
    """Frequency from the first and last upward zero crossings (linear interpolation)."""
    idx = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    times = idx + x[idx] / (x[idx] - x[idx + 1])
    return (len(times) - 1) * sr / (times[-1] - times[0])


def test_stock_kick_tails_pitch_matches_zero_crossings(make_engine, stock_sounds):
    sr = 44100
    stock = stock_sounds(sr)
    e = make_engine(float(sr))
    for slot, s in enumerate(stock["kicks"]):
        assert e.load(KICK, slot, s["channels"], float(sr)) == 0
        tail = s["channels"][0][int(0.1 * sr) : int(0.2 * sr)].astype(np.float64)
        assert e.call("kwr_kick_pitch", slot) == pytest.approx(
            upward_crossing_hz(tail, sr), rel=0.03
        ), s["name"]
        assert 30 < e.call("kwr_kick_pitch", slot) < 80


def test_noise_beds_loop_without_a_click(stock_sounds):
    for s in stock_sounds(48000)["noises"]:
        for ch in s["channels"]:
            jump = abs(float(ch[0]) - float(ch[-1]))
            typical = float(np.median(np.abs(np.diff(ch)))) + 1e-6
            assert jump < 20 * typical + 0.02, s["name"]


def test_impulse_responses_are_energy_normalised_and_decay(stock_sounds):
    for s in stock_sounds(48000)["irs"]:
        data = np.stack(s["channels"]).astype(np.float64)
        assert np.sum(data**2) == pytest.approx(1.0, rel=1e-3), s["name"]
        n = data.shape[1]
        assert np.sum(data[:, -n // 10 :] ** 2) < np.sum(data[:, : n // 10] ** 2), s["name"]
        # decorrelated channels: a stereo image, not mono
        assert abs(np.corrcoef(data[0], data[1])[0, 1]) < 0.9, s["name"]


def test_stock_render_is_deterministic(tmp_path):
    script = f"""
import {{ renderStockSounds }} from {json.dumps((ENGINE_DIR / "stock.js").as_uri())};
const a = await renderStockSounds(48000);
const b = await renderStockSounds(48000);
let same = true;
for (const k of ["kicks", "noises", "irs"]) a[k].forEach((s, i) => s.channels.forEach((c, j) => {{
  const d = b[k][i].channels[j];
  for (let n = 0; n < c.length; n++) if (c[n] !== d[n]) same = false;
}}));
console.log(same);
"""
    assert node_eval(script).strip() == "true"


def test_wav_encoder_writes_pcm16_and_float(tmp_path):
    script = f"""
import {{ encodeWavBytes }} from {json.dumps((ENGINE_DIR / "wav.js").as_uri())};
const l = Float32Array.from([0, 0.5, -1, 2]);
const r = Float32Array.from([0.25, -0.25, NaN, -3]);
const pcm = encodeWavBytes([l, r], 48000);
const flt = encodeWavBytes([l, r], 44100, {{ float: true }});
process.stdout.write(JSON.stringify([Array.from(pcm), Array.from(flt)]));
"""
    pcm, flt = (bytes(b) for b in json.loads(node_eval(script)))
    assert pcm[:4] == b"RIFF" and pcm[8:16] == b"WAVEfmt "
    fmt, channels, rate, _, align, bits = struct.unpack("<HHIIHH", pcm[20:36])
    assert (fmt, channels, rate, align, bits) == (1, 2, 48000, 4, 16)
    samples = np.frombuffer(pcm[44:], "<i2").reshape(-1, 2)
    np.testing.assert_allclose(samples[:, 0], [0, 16384, -32767, 32767], atol=2)
    np.testing.assert_allclose(samples[:, 1], [8192, -8192, 0, -32767], atol=2)
    assert struct.unpack("<HHI", flt[20:28]) == (3, 2, 44100)
    np.testing.assert_array_equal(
        np.frombuffer(flt[44:], "<f4").reshape(-1, 2)[:, 0], [0, 0.5, -1, 1]
    )


def test_wav_encoder_rejects_unequal_channels():
    script = f"""
import {{ encodeWavBytes }} from {json.dumps((ENGINE_DIR / "wav.js").as_uri())};
try {{
  encodeWavBytes([new Float32Array(3), new Float32Array(2)], 48000);
  console.log("accepted");
}}
catch (e) {{ console.log(e.message); }}
"""
    assert "equal length" in node_eval(script)


def test_describe_pitch_names_notes_and_cents():
    script = f"""
import {{ describePitch }} from {json.dumps((ENGINE_DIR / "engine.js").as_uri())};
const hz = [43.65, 440, 55 * 2 ** (30 / 1200), 0];
console.log(JSON.stringify(hz.map(describePitch)));
"""
    f1, a4, a1, none = json.loads(node_eval(script))
    assert (f1["note"], f1["cents"]) == ("F1", 0)
    assert (a4["note"], a4["cents"]) == ("A4", 0)
    assert (a1["note"], a1["cents"]) == ("A1", 30)
    assert none["note"] is None


def test_node_benchmark_harness_runs_and_reports_json():
    out = (
        subprocess.run(
            ["node", str(REPO / "dsp" / "bench.mjs"), "0.5"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()
    )
    summary = json.loads(out[-1])
    assert summary["realtime_factor"] > 0 and summary["us_per_block"] > 0
    assert len(summary["configs"]) == 2
    for line in out[:-1]:
        assert 0.0 < json.loads(line)["output_peak"] <= 1.0
