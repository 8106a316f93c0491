"""Fixtures: the committed engine module and a freshly built unit harness."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

DSP_DIR = Path(__file__).resolve().parent.parent
REPO = DSP_DIR.parent
ENGINE_WASM = REPO / "static" / "engine" / "engine.wasm"
sys.path.insert(0, str(DSP_DIR))

import build  # noqa: E402

from .wasm import Engine, Harness  # noqa: E402


@pytest.fixture(scope="session")
def harness_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("harness")
    return build.build(out / "harness.wasm", build.SOURCES + build.HARNESS_SOURCES)


@pytest.fixture
def harness(harness_path) -> Harness:
    return Harness(harness_path)


@pytest.fixture
def make_engine():
    def make(sample_rate: float = 48000.0, arena_bytes: int = 0) -> Engine:
        return Engine(ENGINE_WASM, sample_rate, arena_bytes)

    return make


@pytest.fixture(scope="session")
def stock_sounds(tmp_path_factory):
    """Stock sounds rendered by static/engine/stock.js under node, per sample rate (cached)."""
    from .node_stock import render_stock

    cache: dict[int, dict] = {}
    out = tmp_path_factory.mktemp("stock")

    def get(sample_rate: int) -> dict:
        if sample_rate not in cache:
            cache[sample_rate] = render_stock(sample_rate, out)
        return cache[sample_rate]

    return get
