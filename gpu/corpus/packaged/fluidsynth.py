"""The fluidsynth CLI: from PATH, or unpacked from Debian packages with its libraries.

Without root, fluidsynth and every shared library `ldd` finds missing are downloaded and
unpacked into DIR/tools/, and the binary runs with LD_LIBRARY_PATH on their library folders.
Missing libraries are resolved by walking `apt-cache depends` from fluidsynth one level per
round (first alternative, real `lib*` packages that are not installed) until `ldd` is content.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from gpu.corpus.packaged.debs import Runner, direct_depends, fetch, is_installed, run_command

_MAX_ROUNDS = 6  # fluidsynth 2.3 on bookworm settles in three


@dataclass(frozen=True)
class FluidSynth:
    """A runnable fluidsynth: `prefix` is the command that starts it (with its environment)."""

    prefix: tuple[str, ...]
    run: Runner = run_command

    def render(self, soundfont: Path, midi: Path, wav: Path) -> None:
        command = [
            *self.prefix,
            "-n", "-i", "-q",  # no MIDI input, no shell, no banner
            "-R", "0", "-C", "0",  # dry: no reverb, no chorus
            "-g", "1.0",
            "-r", "44100",
            "-o", "synth.midi-bank-select=mma",
            "-O", "float",  # float WAV: gain 1.0 may exceed full scale on loud kits
            "-T", "wav",
            "-F", str(wav),
            str(soundfont), str(midi),
        ]  # fmt: skip
        result = self.run(command, None)
        if result.returncode != 0 or not wav.is_file():
            raise RuntimeError(f"fluidsynth could not render {soundfont.name}: {result.stderr}")


def find_fluidsynth(root: Path, run: Runner = run_command) -> tuple[FluidSynth | None, str]:
    """(fluidsynth, "") when one runs here, else (None, why not)."""
    on_path = shutil.which("fluidsynth")
    if on_path:
        return FluidSynth((on_path,), run), ""
    return unpacked_fluidsynth(root, run)


def unpacked_fluidsynth(root: Path, run: Runner = run_command) -> tuple[FluidSynth | None, str]:
    trees: dict[str, Path] = {}
    wanted = ["fluidsynth"]
    for _ in range(_MAX_ROUNDS):
        for package in wanted:
            tree = fetch(package, root, run, area="tools")
            if tree is None:
                return None, f"apt has no package {package}"
            trees[package] = tree
        binary = trees["fluidsynth"] / "usr" / "bin" / "fluidsynth"
        libraries = sorted({str(so.parent) for t in trees.values() for so in t.rglob("*.so*")})
        prefix = ("env", f"LD_LIBRARY_PATH={os.pathsep.join(libraries)}", str(binary))
        ldd = run([*prefix[:2], "ldd", str(binary)], None)
        missing = sorted(line.split()[0] for line in ldd.stdout.splitlines() if "not found" in line)
        if ldd.returncode == 0 and not missing:
            version = run([*prefix, "--version"], None)
            if version.returncode != 0:
                return None, f"the unpacked fluidsynth does not start: {version.stderr.strip()}"
            return FluidSynth(prefix, run), ""
        wanted = sorted(
            {
                dep
                for package in trees
                for dep in direct_depends(package, run)
                if dep.startswith("lib") and dep not in trees and not is_installed(dep, run)
            }
        )
        if not wanted:
            return None, f"no package found for the libraries {', '.join(missing)}"
    return None, f"libraries still missing after {_MAX_ROUNDS} rounds: {', '.join(missing)}"
