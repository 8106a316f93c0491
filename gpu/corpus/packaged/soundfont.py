"""Kicks rendered from General MIDI soundfonts (.sf2/.sf3) with the fluidsynth CLI.

The drum kits are read from the soundfont itself: the SoundFont 2.04 spec (§7.2) stores every
preset in the 38-byte records of the `phdr` chunk inside LIST `pdta` (name[20], preset, bank,
…), ending with an "EOP" sentinel. GM drum kits sit in bank 128; a soundfont without one
(a drums-only font such as the AVL kits) has every preset treated as a kit.

One MIDI file per soundfont plays, for each kit, GM notes 35 (Acoustic Bass Drum) and 36
(Bass Drum 1) at each velocity, one hit every SLOT_S seconds, on channel 1 with MMA bank
select (bank = MSB·128 + LSB), because fluidsynth ignores bank select on its drum channel 10.
Reverb and chorus are off, so a slot holds the dry kick; an All Sound Off before each hit
cuts the previous one's release. The render is cut back into slots; silent slots (a kit
without that note) are dropped, and so is every slot that repeats an earlier one up to gain
(most GM kits reuse the Standard kit's kick; see `similarity`).
"""

from __future__ import annotations

import re
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile

from gpu.corpus.packaged.licences import Copyright, is_shippable
from gpu.corpus.packaged.similarity import SAMPLE_RATE, RenderIndex
from gpu.corpus.packaged.sources import Kick, safe_name, unique

NOTES = {35: "Acoustic Bass Drum", 36: "Bass Drum 1"}
VELOCITIES = (40, 80, 127)
SLOT_S = 2.5
NOTE_S = 2.0  # note-off after this; the release rings for the rest of the slot
KEEP_S = 2.4  # of a slot from the onset, which moves by up to a block from slot to slot
SILENCE = 1e-4  # peak below −80 dBFS: the kit has no sample on this note
_TICKS_PER_QUARTER = 480
_MICROSECONDS_PER_QUARTER = 500_000  # 120 bpm: one tick is 1/960 s
_DRUM_BANK = 128
# Kits whose notes 35/36 are no drum-kit kick: effects, clicks, and the marching sets
# (a marching bass drum is a pitched tenor-style drum line voice).
SAME_KIT_ELSEWHERE = {
    "Black_Pearl_4_LV2.sf2": "Glen MacArthur's Black Pearl kit, which hydrogen-drumkits ships "
    "as 'The Black Pearl 1.0'; taking both could put one kit on both sides of the split",
}
"""Soundfonts left out because another source already holds the same recorded kit."""
_NOT_KICK_KITS = re.compile(r"sfx|effect|metronome|marching|tenor|snare|cymbal", re.IGNORECASE)


@dataclass(frozen=True)
class Preset:
    name: str
    program: int
    bank: int


class Renderer(Protocol):
    def render(self, soundfont: Path, midi: Path, wav: Path) -> None:
        """Render `midi` through `soundfont` to a 44.1 kHz WAV file."""


def read_presets(path: Path) -> list[Preset]:
    """Every preset in an SF2/SF3 file's `phdr` chunk, without reading the sample data."""
    with path.open("rb") as f:
        riff, _, form = struct.unpack("<4sI4s", f.read(12))
        if riff != b"RIFF" or form != b"sfbk":
            raise ValueError(f"{path} is not a SoundFont (no RIFF sfbk header).")
        while header := f.read(8):
            chunk, size = struct.unpack("<4sI", header)
            if chunk == b"LIST" and f.read(4) == b"pdta":
                end = f.tell() + size - 4
                while f.tell() < end:
                    sub, sub_size = struct.unpack("<4sI", f.read(8))
                    if sub == b"phdr":
                        return _phdr_records(f.read(sub_size))
                    f.seek(sub_size + (sub_size & 1), 1)
                break
            f.seek(size + (size & 1) - (4 if chunk == b"LIST" else 0), 1)
    raise ValueError(f"{path} has no preset headers (LIST pdta / phdr chunk).")


def _phdr_records(data: bytes) -> list[Preset]:
    presets = []
    for offset in range(0, len(data) - 38, 38):  # the last record is the EOP sentinel
        name, program, bank = struct.unpack_from("<20sHH", data, offset)
        presets.append(Preset(name.split(b"\0")[0].decode("latin-1").strip(), program, bank))
    return presets


def drum_kits(presets: list[Preset]) -> list[Preset]:
    """The drum kits among `presets` that play a kick on notes 35/36, by (bank, program)."""
    kits = [p for p in presets if p.bank == _DRUM_BANK] or presets
    return sorted(
        (p for p in kits if not _NOT_KICK_KITS.search(p.name)), key=lambda p: (p.bank, p.program)
    )


def _var_len(value: int) -> bytes:
    out = [value & 0x7F]
    while value := value >> 7:
        out.append(0x80 | (value & 0x7F))
    return bytes(reversed(out))


def hits(kits: list[Preset]) -> list[tuple[Preset, int, int]]:
    """(kit, note, velocity) of each slot, in playing order."""
    return [(kit, note, vel) for kit in kits for note in NOTES for vel in VELOCITIES]


def midi_file(kits: list[Preset]) -> bytes:
    """A format-0 standard MIDI file that plays `hits(kits)`, slot i starting at i·SLOT_S."""
    ticks_per_second = _TICKS_PER_QUARTER * 1_000_000 // _MICROSECONDS_PER_QUARTER
    events: list[tuple[int, bytes]] = [
        (0, b"\xff\x51\x03" + _MICROSECONDS_PER_QUARTER.to_bytes(3, "big"))
    ]
    current = None
    for i, (kit, note, velocity) in enumerate(hits(kits)):
        start = round(i * SLOT_S * ticks_per_second)
        events.append((start, bytes([0xB0, 120, 0])))  # All Sound Off
        if kit != current:
            bank_msb, bank_lsb = divmod(kit.bank, 128)
            events += [
                (start, bytes([0xB0, 0, bank_msb])),
                (start, bytes([0xB0, 32, bank_lsb])),
                (start, bytes([0xC0, kit.program])),
            ]
            current = kit
        events.append((start, bytes([0x90, note, velocity])))
        events.append((start + round(NOTE_S * ticks_per_second), bytes([0x80, note, 0])))
    end = round(len(hits(kits)) * SLOT_S * ticks_per_second)
    events.append((end, b"\xff\x2f\x00"))
    track, now = bytearray(), 0
    for tick, message in sorted(events, key=lambda e: e[0]):
        track += _var_len(tick - now) + message
        now = tick
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, _TICKS_PER_QUARTER)
    return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def _from_onset(slot: np.ndarray) -> np.ndarray | None:
    """KEEP_S of a slot (T, channels) from its first non-zero sample; None when silent."""
    loud = np.flatnonzero(np.abs(slot).max(axis=1) > 0.0)
    if loud.size == 0 or np.abs(slot).max() < SILENCE:
        return None
    return slot[loud[0] : loud[0] + round(KEEP_S * SAMPLE_RATE)]


def find_soundfonts(tree: Path) -> list[Path]:
    """The .sf2/.sf3 files in `tree`; symlinks (avldrums links its fonts into its LV2
    bundle) are left out so each font is rendered once, under the path its licence names."""
    return sorted(
        p
        for p in tree.rglob("*")
        if p.suffix.lower() in {".sf2", ".sf3"} and p.is_file() and not p.is_symlink()
    )


def soundfont_kicks(
    package: str,
    tree: Path,
    fonts: list[Path],
    copyright: Copyright,
    renderer: Renderer,
    taken: RenderIndex,
) -> list[Kick]:
    """Every audible kick of every drum kit in `fonts` (files in the package `tree`) that is
    not in `taken` yet; adds those it returns to `taken` (those of a shippable licence)."""
    kicks: list[Kick] = []
    for font in fonts:
        kits = drum_kits(read_presets(font))
        if not kits:
            continue
        with tempfile.TemporaryDirectory() as work:
            midi, wav = Path(work) / "kicks.mid", Path(work) / "kicks.wav"
            midi.write_bytes(midi_file(kits))
            renderer.render(font, midi, wav)
            audio, rate = soundfile.read(wav, dtype="float32", always_2d=True)  # (T, channels)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"fluidsynth rendered {font.name} at {rate} Hz, not 44.1 kHz.")
        original = font.relative_to(tree).as_posix()
        licence = copyright.licence_for(original)
        # A kick left out for its licence must not shadow a free font's copy of it.
        index = taken if is_shippable(licence) else RenderIndex()
        names: set[str] = set()
        kit_names = {
            kit: unique(f"{safe_name(font.stem)}-{safe_name(kit.name)}", names) for kit in kits
        }
        slot = round(SLOT_S * SAMPLE_RATE)
        for i, (kit, note, velocity) in enumerate(hits(kits)):
            clip = _from_onset(audio[i * slot : (i + 1) * slot])
            if clip is None or not index.add_if_new(clip):
                continue
            kicks.append(
                Kick(
                    package=package,
                    kit=kit_names[kit],
                    instrument=f"{NOTES[note]} (note {note})",
                    velocity=str(velocity),
                    licence=licence,
                    original=f"{original}#bank{kit.bank}/prog{kit.program}/note{note}",
                    name=f"{safe_name(NOTES[note], lower=True)}_n{note}_v{velocity:03d}.wav",
                    audio=clip,
                )
            )
    return kicks
