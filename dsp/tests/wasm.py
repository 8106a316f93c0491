"""Thin wasmtime wrappers for the engine module and the unit-test harness."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import wasmtime

KICK, NOISE, IR = 0, 1, 2


class Module:
    """One instance of a wasm module; exports are callable as attributes."""

    def __init__(self, path: Path) -> None:
        self.store = wasmtime.Store()
        module = wasmtime.Module.from_file(self.store.engine, str(path))
        if module.imports:
            raise AssertionError(f"{path} has imports: {module.imports}")
        self.instance = wasmtime.Instance(self.store, module, [])
        self.exports = self.instance.exports(self.store)
        self.memory = self.exports["memory"]

    def __getattr__(self, name: str):
        func = self.exports[name]
        return lambda *args: func(self.store, *args)

    def _bytes(self) -> np.ndarray:
        size = self.memory.data_len(self.store)
        ptr = self.memory.data_ptr(self.store)
        buf = (ctypes.c_ubyte * size).from_address(ctypes.addressof(ptr.contents))
        return np.frombuffer(buf, dtype=np.uint8)

    def write_f32(self, ptr: int, values: np.ndarray) -> None:
        data = np.ascontiguousarray(values, dtype=np.float32).view(np.uint8)
        self._bytes()[ptr : ptr + data.size] = data

    def read_f32(self, ptr: int, count: int) -> np.ndarray:
        return self._bytes()[ptr : ptr + 4 * count].view(np.float32).copy()


class Harness(Module):
    """dsp/tests/harness.c: per-unit entry points with scratch buffers."""

    def buffer(self, values: np.ndarray | int) -> int:
        arr = (
            np.zeros(values, np.float32)
            if isinstance(values, int)
            else np.asarray(values, np.float32)
        )
        ptr = self.h_alloc(max(4, 4 * arr.size))
        assert ptr, "harness arena exhausted"
        self.write_f32(ptr, arr)
        return ptr


class Engine(Module):
    """static/engine/engine.wasm driven like the worklet drives it."""

    def __init__(self, path: Path, sample_rate: float = 48000.0, arena_bytes: int = 0) -> None:
        super().__init__(path)
        self.sample_rate = sample_rate
        self.handle = self.kwr_create(float(sample_rate), arena_bytes)
        assert self.handle, "kwr_create failed"
        self.out = self.kwr_alloc(self.handle, 8 * 65536)
        assert self.out

    def call(self, name: str, *args):
        return self.exports[name](self.store, self.handle, *args)

    def load(
        self, kind: int, slot: int, channels: list[np.ndarray], sample_rate: float | None = None
    ) -> int:
        frames = len(channels[0])
        ptr = self.call("kwr_alloc", 4 * frames * len(channels))
        if not ptr:
            return -4
        self.write_f32(ptr, np.concatenate([np.asarray(c, np.float32) for c in channels]))
        return self.call(
            "kwr_load",
            kind,
            slot,
            ptr,
            len(channels),
            frames,
            float(sample_rate or self.sample_rate),
        )

    def set(self, param_id: int, value: float) -> int:
        return self.call("kwr_set_param", param_id, float(value))

    def get(self, param_id: int) -> float:
        return self.call("kwr_get_param", param_id)

    def render(self, frames: int, block: int = 128) -> np.ndarray:
        """(2, frames) float32, processed in calls of `block` frames (any size)."""
        out = np.zeros((2, frames), np.float32)
        pos = 0
        while pos < frames:
            n = min(block, frames - pos, 65536)
            self.call("kwr_process", self.out, self.out + 4 * 65536, n)
            out[0, pos : pos + n] = self.read_f32(self.out, n)
            out[1, pos : pos + n] = self.read_f32(self.out + 4 * 65536, n)
            pos += n
        return out
