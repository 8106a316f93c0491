"""Build the engine: C11 sources in dsp/src → static/engine/engine.wasm (committed).

Uses the pinned `ziglang` package (zig's bundled clang) so every machine gets the same compiler:

    .venv/bin/python dsp/build.py                 # writes static/engine/engine.wasm
    .venv/bin/python dsp/build.py --out /tmp/x    # writes /tmp/x/engine.wasm
    .venv/bin/python dsp/build.py --harness       # test harness module → dsp/build/harness.wasm

The module is freestanding: no libc, no imports (checked after every build). The build is
reproducible: same sources → byte-identical output (dsp/tests/test_build.py checks it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

DSP_DIR = Path(__file__).resolve().parent
REPO = DSP_DIR.parent
SOURCES = [
    "src/arena.c",
    "src/conv.c",
    "src/engine.c",
    "src/fft.c",
    "src/limiter.c",
    "src/ott.c",
    "src/pitch.c",
    "src/player.c",
    "src/shaper.c",
    "src/svf.c",
    "src/transport.c",
]
HARNESS_SOURCES = ["tests/harness.c"]
CFLAGS = [
    "-target",
    "wasm32-freestanding",
    "-std=c11",
    "-O3",
    "-msimd128",
    "-mbulk-memory",
    "-nostdlib",
    "-ffreestanding",
    "-fno-exceptions",
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Werror",
    "-Isrc",
]
LDFLAGS = [
    "-Wl,--no-entry",
    "-Wl,--export-memory",
    "-Wl,--strip-all",
    "-Wl,-z,stack-size=262144",
]
DEFAULT_OUT = REPO / "static" / "engine"


def read_leb128(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def module_imports(wasm: bytes) -> int:
    """Number of entries in the module's import section (section id 2)."""
    if wasm[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    pos = 8
    while pos < len(wasm):
        section_id = wasm[pos]
        size, body = read_leb128(wasm, pos + 1)
        if section_id == 2:
            count, _ = read_leb128(wasm, body)
            return count
        pos = body + size
    return 0


def build(out_file: Path, sources: list[str]) -> Path:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "ziglang", "cc", *CFLAGS, *sources, *LDFLAGS, "-o", str(out_file)]
    subprocess.run(cmd, cwd=DSP_DIR, check=True)
    imports = module_imports(out_file.read_bytes())
    if imports:
        raise SystemExit(f"{out_file} imports {imports} symbols; the engine must be import-free.")
    return out_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    parser.add_argument("--harness", action="store_true", help="build the unit-test harness")
    args = parser.parse_args()
    if args.harness:
        out_dir = args.out or DSP_DIR / "build"
        path = build(out_dir / "harness.wasm", SOURCES + HARNESS_SOURCES)
    else:
        path = build((args.out or DEFAULT_OUT) / "engine.wasm", SOURCES)
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
