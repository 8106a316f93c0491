"""static/engine/engine.js and processor.js in Debian's Chromium: the worklet, the bridge API
of CONTRACTS.md, offline renders and pitch, against the app's own static files (daphne)."""

from __future__ import annotations

import pytest

from presets.sound_contract import CONTROLS, stock_names

pytestmark = pytest.mark.browser

SETUP = """
async () => {
  const { createEngine } = await import("/static/engine/engine.js");
  const { renderStockSounds } = await import("/static/engine/stock.js");
  const context = new AudioContext({ sampleRate: 48000 });
  const engine = await createEngine(context);
  const stock = await renderStockSounds(context.sampleRate);
  for (const [kind, list] of [["kick", stock.kicks], ["noise", stock.noises], ["ir", stock.irs]]) {
    for (const s of list) await engine.loadSample(kind, s.name, s.channels, s.sampleRate);
  }
  await engine.select("kick", stock.kicks[0].name);
  await engine.select("noise", stock.noises[0].name);
  await engine.select("ir", stock.irs[0].name);
  window.bridge = { engine, context, stock };
  return engine.getState();
}
"""


@pytest.fixture
def bridge_page(page):
    page.goto("/health")
    state = page.evaluate(SETUP)
    return page, state


def test_engine_starts_in_a_worklet_with_contract_init(bridge_page):
    _, state = bridge_page
    assert state["playing"] is False
    assert state["selected"] == {
        "kick": stock_names("kicks")[0],
        "noise": stock_names("noises")[0],
        "ir": stock_names("irs")[0],
    }
    for c in CONTROLS:
        assert state["params"][c.field] == pytest.approx(c.init, rel=1e-6), c.field


def test_params_clamp_in_the_engine_and_levels_flow_while_playing(bridge_page):
    page, _ = bridge_page
    result = page.evaluate(
        """async () => {
      const { engine } = window.bridge;
      engine.setParam("bpm", 1000);
      engine.setParam("kick_tune", -40);
      engine.setParam("noise_volume", -20);
      const levels = [];
      const off = engine.onLevel((level) => levels.push(level));
      engine.play();
      await new Promise((resolve) => setTimeout(resolve, 600));
      off();
      const state = await engine.getState();
      engine.stop();
      return { bpm: await engine.getParam("bpm"), tune: state.params.kick_tune,
               playing: state.playing, levels };
    }"""
    )
    assert result["bpm"] == 365
    assert result["tune"] == -12
    assert result["playing"] is True
    assert len(result["levels"]) >= 5  # ~30 per second
    assert max(level["peakDb"] for level in result["levels"]) > -30
    assert all(level["peakDb"] <= 0.0 for level in result["levels"])


def test_offline_hit_and_loop_renders(bridge_page):
    page, _ = bridge_page
    result = page.evaluate(
        """async () => {
      const { engine } = window.bridge;
      engine.setParam("bpm", 120);
      const hit = await engine.renderOffline({ mode: "hit" });
      const loop = await engine.renderOffline({ mode: "loop", bars: 1 });
      const peakOf = (c) => c.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const peak = (chs) => Math.max(...chs.map(peakOf));
      let error = null;
      try { await engine.renderOffline({ mode: "forever" }); } catch (e) { error = e.message; }
      return { hitFrames: hit.channels[0].length, hitRate: hit.sampleRate,
               hitPeak: peak(hit.channels), loopFrames: loop.channels[0].length,
               loopPeak: peak(loop.channels), error,
               tail: Math.max(...hit.channels[0].slice(-2000).map(Math.abs)) };
    }"""
    )
    assert result["hitRate"] == 48000
    # kick (1 s) + Small Room IR (0.5 s) + 0.25 s margin
    assert result["hitFrames"] == pytest.approx(1.75 * 48000, rel=0.01)
    assert 0.1 < result["hitPeak"] <= 1.0
    assert result["tail"] < 1e-3  # the reverb tail has died away
    assert result["loopFrames"] == 4 * 60 * 48000 // 120
    assert 0.1 < result["loopPeak"] <= 1.0
    assert "forever" in result["error"]


def test_pitch_unload_and_errors(bridge_page):
    page, _ = bridge_page
    result = page.evaluate(
        """async () => {
      const { engine, stock } = window.bridge;
      const byName = await engine.detectPitch(stock.kicks[4].name);
      const byChannels = await engine.detectPitch(stock.kicks[4].channels, 48000);
      const errors = [];
      for (const attempt of [
        () => engine.select("kick", "No Such Kick"),
        () => engine.loadSample("snare", "x", [new Float32Array(10)], 48000),
        () => engine.setParam("volume_knob", 1),
      ]) {
        try { await attempt(); errors.push(null); } catch (e) { errors.push(e.message); }
      }
      await engine.unloadSample("kick", stock.kicks[1].name);
      let afterUnload = null;
      try {
        await engine.select("kick", stock.kicks[1].name);
      } catch (e) {
        afterUnload = e.message;
      }
      return { byName, byChannels, errors, afterUnload };
    }"""
    )
    assert result["byName"]["hz"] == pytest.approx(result["byChannels"]["hz"], rel=1e-6)
    assert 30 < result["byName"]["hz"] < 60  # "Sub" settles near 39 Hz
    assert result["byName"]["note"][-1] in "01"
    no_kick, bad_kind, bad_param = result["errors"]
    assert "No Such Kick" in no_kick
    assert "snare" in bad_kind
    assert "volume_knob" in bad_param
    assert "is loaded" in result["afterUnload"]
