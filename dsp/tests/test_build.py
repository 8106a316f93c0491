"""The committed engine.wasm is exactly what the sources build to, and imports nothing."""

from __future__ import annotations

import sys

import wasmtime

from .conftest import DSP_DIR, ENGINE_WASM

sys.path.insert(0, str(DSP_DIR))
import build

ABI = {
    "kwr_create",
    "kwr_default_arena_bytes",
    "kwr_alloc",
    "kwr_free",
    "kwr_load",
    "kwr_unload",
    "kwr_select",
    "kwr_selected",
    "kwr_set_param",
    "kwr_get_param",
    "kwr_play",
    "kwr_stop",
    "kwr_cue",
    "kwr_hit",
    "kwr_process",
    "kwr_render",
    "kwr_meter_read",
    "kwr_kick_pitch",
    "kwr_detect_pitch",
    "kwr_settle",
    "kwr_ir_frames",
    "kwr_param_count",
    "kwr_playing",
}


def test_rebuild_is_byte_identical_to_committed_module(tmp_path):
    rebuilt = build.build(tmp_path / "engine.wasm", build.SOURCES)
    assert rebuilt.read_bytes() == ENGINE_WASM.read_bytes(), (
        "static/engine/engine.wasm is stale: run `.venv/bin/python dsp/build.py` and commit it."
    )


def test_module_has_no_imports_and_exports_the_abi():
    module = wasmtime.Module.from_file(wasmtime.Engine(), str(ENGINE_WASM))
    assert module.imports == []
    names = {e.name for e in module.exports}
    assert names >= ABI, ABI - names
    assert "memory" in names


def test_import_counter_sees_an_import():
    header = b"\0asm" + bytes([1, 0, 0, 0])
    types = bytes([1, 4, 1, 0x60, 0, 0])
    imports_body = bytes([1, 3]) + b"env" + bytes([1]) + b"f" + bytes([0, 0])
    module = header + types + bytes([2, len(imports_body)]) + imports_body
    wasmtime.Module(wasmtime.Engine(), module)  # a valid module
    assert build.module_imports(module) == 1
    assert build.module_imports(ENGINE_WASM.read_bytes()) == 0
