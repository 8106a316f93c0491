"""The sound contract: one table shared by preset validation, the knobs, the hotkeys and the engine.

DESIGN.md's "sound contract" table lives here as data. The page receives it as JSON
(`contract_json()`), the engine's parameter ids follow `Control.engine_id` (dsp/ checks the C enum
against this table), and the Preset model validates every field against `CONTROLS`.
Stock sound names come from static/engine/stock_sounds.json, whose recipes the browser renders.
"""

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Literal

STOCK_SOUNDS_FILE = Path(__file__).resolve().parents[1] / "static" / "engine" / "stock_sounds.json"

Curve = Literal["number", "linear", "log", "power2"]
HotkeyOp = Literal["add", "mul"]


@dataclass(frozen=True)
class Control:
    field: str
    label: str
    group: Literal["transport", "kick", "noise", "reverb", "master"]
    minimum: float
    maximum: float
    init: float
    curve: Curve
    unit: str
    engine_id: int
    key_down: str
    key_up: str
    key_op: HotkeyOp
    key_step: float
    # Smallest meaningful change: knob arrow-key step and the precision the page displays.
    resolution: float


# One control per line, read like DESIGN.md's table.
# fmt: off
CONTROLS: tuple[Control, ...] = (
    Control("bpm", "BPM", "transport", 60, 365, 140, "number", "BPM", 0, "-", "=", "add", 1, 1),
    Control("kick_len", "Length", "kick", 0.1, 1.0, 1.0, "power2", "%", 1, "q", "w", "mul", 1.05, 0.001),
    Control("kick_dist_amt", "Distortion", "kick", 0, 0.5, 0, "linear", "%", 2, "a", "s", "add", 0.01, 0.001),
    Control("kick_ott_amt", "OTT", "kick", 0, 1, 0, "linear", "%", 3, "z", "x", "add", 0.02, 0.001),
    Control("kick_tune", "Tune", "kick", -12, 12, 0, "linear", "st", 4, "o", "p", "add", 1, 0.01),
    Control("noise_low_pass_freq", "Low-pass", "noise", 30, 7000, 7000, "log", "Hz", 5, "e", "r", "mul", 1.1, 1),
    Control("noise_high_pass_freq", "High-pass", "noise", 30, 7000, 30, "log", "Hz", 6, "d", "f", "mul", 1.1, 1),
    Control("noise_volume", "Volume", "noise", -70, -6, -70, "linear", "dB", 7, "c", "v", "add", 1, 0.1),
    Control("reverb_low_pass_freq", "Low-pass", "reverb", 30, 7000, 7000, "log", "Hz", 8, "t", "y", "mul", 1.1, 1),
    Control("reverb_high_pass_freq", "High-pass", "reverb", 30, 7000, 30, "log", "Hz", 9, "g", "h", "mul", 1.1, 1),
    Control("reverb_volume", "Volume", "reverb", -60, 0, -6, "linear", "dB", 10, "b", "n", "add", 1, 0.1),
    Control("master_ott_amt", "OTT", "master", 0, 1, 0, "linear", "%", 11, "u", "i", "add", 0.02, 0.001),
    Control("master_dist_amt", "Distortion", "master", 0, 0.5, 0, "linear", "%", 12, "j", "k", "add", 0.01, 0.001),
    Control("master_limiter_amt", "Limiter", "master", 1, 8, 1.5, "linear", "×", 13, "m", ",", "add", 0.1, 0.01),
)
# fmt: on
CONTROLS_BY_FIELD: dict[str, Control] = {c.field: c for c in CONTROLS}

# Transport keys and the "[" / "]" move: both OTTs by 0.02, reverb volume by 1 the other way.
TRANSPORT_KEYS = {"play_stop": " ", "cue": "Enter", "macro_down": "[", "macro_up": "]"}
MACRO_OTT_STEP = 0.02
MACRO_REVERB_STEP = 1.0

SAMPLE_FIELDS = ("kick_sample", "noise_sample", "reverb_sample")
PRESET_NAME_MAX_LENGTH = 32


@cache
def stock_sounds() -> dict[str, list[dict]]:
    """The stock kicks, noises and impulse responses, in the order the page lists them."""
    return json.loads(STOCK_SOUNDS_FILE.read_text(encoding="utf-8"))


def stock_names(kind: Literal["kicks", "noises", "irs"]) -> list[str]:
    return [sound["name"] for sound in stock_sounds()[kind]]


def init_values() -> dict[str, float | str]:
    """The "Init" preset: every control's Init value and the first stock sound of each layer."""
    values: dict[str, float | str] = {c.field: c.init for c in CONTROLS}
    values["kick_sample"] = stock_names("kicks")[0]
    values["noise_sample"] = stock_names("noises")[0]
    values["reverb_sample"] = stock_names("irs")[0]
    return values


def contract_json() -> dict:
    """Everything the page needs to build knobs, hotkeys and selects, as JSON-ready data."""
    return {
        "controls": [asdict(c) for c in CONTROLS],
        "transport_keys": TRANSPORT_KEYS,
        "macro": {"ott_step": MACRO_OTT_STEP, "reverb_step": MACRO_REVERB_STEP},
        "init": init_values(),
        "stock": stock_sounds(),
    }


# Every value a preset stores, in the order of DESIGN.md's table (samples beside their layer).
PRESET_VALUE_FIELDS: tuple[str, ...] = (
    "bpm",
    "kick_sample",
    "kick_len",
    "kick_dist_amt",
    "kick_ott_amt",
    "kick_tune",
    "noise_sample",
    "noise_low_pass_freq",
    "noise_high_pass_freq",
    "noise_volume",
    "reverb_sample",
    "reverb_low_pass_freq",
    "reverb_high_pass_freq",
    "reverb_volume",
    "master_ott_amt",
    "master_dist_amt",
    "master_limiter_amt",
)
STOCK_KIND_BY_SAMPLE_FIELD: dict[str, Literal["kicks", "noises", "irs"]] = {
    "kick_sample": "kicks",
    "noise_sample": "noises",
    "reverb_sample": "irs",
}
