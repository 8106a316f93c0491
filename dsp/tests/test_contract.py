"""Engine parameter ids, ranges and Init values equal presets/sound_contract.py."""

from __future__ import annotations

import json
import re

import pytest

from presets.sound_contract import CONTROLS, stock_sounds

from .conftest import DSP_DIR, REPO

PARAMS_H = DSP_DIR / "src" / "params.h"
KWR_JS = REPO / "static" / "engine" / "kwr.js"


def header_enum() -> dict[str, int]:
    text = PARAMS_H.read_text()
    return {m[1].lower(): int(m[2]) for m in re.finditer(r"KWR_PARAM_(\w+) = (\d+)", text)}


def header_table() -> list[tuple[float, float, float]]:
    text = PARAMS_H.read_text()
    rows = re.findall(r"\{(-?[\d.]+)f, (-?[\d.]+)f, (-?[\d.]+)f\},", text)
    return [tuple(float(v) for v in row) for row in rows]


def test_c_enum_equals_contract_engine_ids():
    enum = header_enum()
    assert enum.pop("count") == len(CONTROLS)
    assert enum == {c.field: c.engine_id for c in CONTROLS}


def test_c_ranges_and_init_equal_contract():
    table = header_table()
    assert len(table) == len(CONTROLS)
    for c in CONTROLS:
        assert table[c.engine_id] == pytest.approx((c.minimum, c.maximum, c.init)), c.field


def test_engine_reports_contract_ranges(make_engine):
    e = make_engine()
    assert e.kwr_param_count() == len(CONTROLS)
    for c in CONTROLS:
        got = (e.kwr_param_min(c.engine_id), e.kwr_param_max(c.engine_id), e.get(c.engine_id))
        assert got == pytest.approx((c.minimum, c.maximum, c.init), rel=1e-6), c.field


def test_bridge_param_ids_equal_contract():
    block = re.search(r"export const PARAM_IDS = \{(.*?)\};", KWR_JS.read_text(), re.S)[1]
    ids = {m[1]: int(m[2]) for m in re.finditer(r"(\w+): (\d+),", block)}
    assert ids == {c.field: c.engine_id for c in CONTROLS}


def test_stock_recipes_keep_contract_names_and_carry_parameters():
    sounds = json.loads((REPO / "static" / "engine" / "stock_sounds.json").read_text())
    assert sounds == stock_sounds()
    assert [len(sounds[k]) for k in ("kicks", "noises", "irs")] == [5, 5, 11]
    for kind in ("kicks", "noises", "irs"):
        for recipe in sounds[kind]:
            assert "length_s" in recipe and "seed" in recipe, recipe["name"]
