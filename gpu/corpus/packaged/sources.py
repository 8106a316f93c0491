"""Kick one-shots found in unpacked packages: hydrogen drum kits and LMMS's sample folders.

A hydrogen kit is a folder with a drumkit.xml (namespaced in hydrogen ≥ 0.9.4, plain before)
listing instruments; each instrument plays one sample per velocity layer — directly under
<instrument> or inside <instrumentComponent> — so every layer of a kick instrument is its own
kick. Files that no kick instrument lists but whose name says kick are taken too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gpu.corpus.packaged.licences import Copyright

HYDROGEN_KITS = Path("usr/share/hydrogen/data/drumkits")
LMMS_SAMPLES = Path("usr/share/lmms/samples")
LMMS_PATTERNS = ("drums/kick*", "drums/bassdrum*", "beats/*kick*")
SAMPLE_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".aif", ".aiff"})

_KICK = re.compile(r"kick|bass ?drum|\bbd\b|\bkd\b")
_OTHER_DRUM = re.compile(
    r"\b(snare|sn|hi ?hats?|hats?|hh|toms?|claps?|cymbals?|crash|ride|rim|stick|cowbell)\b"
)


@dataclass(frozen=True)
class Kick:
    """One kick as it enters the corpus. Exactly one of `source` (a file copied unchanged)
    and `audio` (rendered frames (T, channels) float32 at 44.1 kHz) is set."""

    package: str
    kit: str
    instrument: str
    velocity: str  # MIDI velocity 1–127 ("" when the source does not say)
    licence: str
    original: str  # path inside the package, plus what was played for a render
    name: str  # output file name inside its kit folder
    source: Path | None = None
    audio: np.ndarray | None = None

    @property
    def kit_id(self) -> str:
        return f"{self.package}/{self.kit}"


def says_kick(name: str) -> bool:
    """Does an instrument or file name say kick / bass drum (and not a kick+snare combo)?"""
    words = re.sub(r"[^a-z]+", " ", name.lower())
    return bool(_KICK.search(words)) and not _OTHER_DRUM.search(words)


def safe_name(name: str, lower: bool = False) -> str:
    """A portable file-name part: runs of anything but letters, digits, '.', '-' become '_'."""
    cleaned = re.sub(r"[^A-Za-z0-9.\-]+", "_", name).strip("._-")
    return (cleaned.lower() if lower else cleaned) or "unnamed"


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name` with _2, _3… before its suffix when already taken; marks it taken."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem}_{n}{dot}{suffix}", n + 1
    taken.add(candidate)
    return candidate


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def kit_layers(root: ET.Element) -> Iterator[tuple[str, str, float | None]]:
    """(instrument name, sample file name, layer's top velocity 0–1 or None) for every
    layer of every kick instrument in a parsed drumkit.xml."""
    for instrument in root.iter():
        if _local(instrument.tag) != "instrument":
            continue
        name = _child_text(instrument, "name")
        if not says_kick(name):
            continue
        layers = [e for e in instrument.iter() if _local(e.tag) == "layer"]
        if not layers and _child_text(instrument, "filename"):  # hydrogen < 0.9.3
            yield name, _child_text(instrument, "filename"), None
        for layer in layers:
            top = _child_text(layer, "max")
            yield name, _child_text(layer, "filename"), float(top) if top else None


def hydrogen_kicks(package: str, tree: Path, copyright: Copyright) -> list[Kick]:
    """Every layer of every kick instrument of the package's hydrogen kits, named
    `<instrument>[_v<velocity>]` (velocity: the layer's top, when there are several)."""
    kicks: list[Kick] = []
    for kit_dir in sorted(p for p in (tree / HYDROGEN_KITS).glob("*") if p.is_dir()):
        xml = kit_dir / "drumkit.xml"
        root = ET.parse(xml).getroot() if xml.is_file() else ET.Element("drumkit_info")
        layers = list(kit_layers(root))
        listed = {e.text for e in root.iter() if _local(e.tag) == "filename"}
        per_instrument: dict[str, int] = {}
        for instrument, _, _ in layers:
            per_instrument[instrument] = per_instrument.get(instrument, 0) + 1
        extra = sorted(
            f.name
            for f in kit_dir.iterdir()
            if f.suffix.lower() in SAMPLE_SUFFIXES and f.name not in listed and says_kick(f.stem)
        )
        layers += [(Path(file).stem, file, None) for file in extra]
        licence = copyright.licence_for_kit(kit_dir.name, xml.relative_to(tree).as_posix())
        taken: set[str] = set()
        for instrument, file, top in layers:
            path = kit_dir / file
            if not path.is_file():
                continue
            velocity = ""
            stem = safe_name(instrument, lower=True)
            if top is not None and per_instrument.get(instrument, 0) > 1:
                velocity = str(max(1, round(top * 127)))
                stem += f"_v{int(velocity):03d}"
            kicks.append(
                Kick(
                    package=package,
                    kit=safe_name(kit_dir.name),
                    instrument=instrument,
                    velocity=velocity,
                    licence=licence,
                    original=path.relative_to(tree).as_posix(),
                    name=unique(stem + path.suffix.lower(), taken),
                    source=path,
                )
            )
    return kicks


def lmms_kicks(package: str, tree: Path, copyright: Copyright) -> list[Kick]:
    """LMMS's kick samples; the sample folder (drums, beats) is the kit."""
    root = tree / LMMS_SAMPLES
    files = sorted({f for pattern in LMMS_PATTERNS for f in root.glob(pattern) if f.is_file()})
    kicks = []
    for path in files:
        original = path.relative_to(tree).as_posix()
        kicks.append(
            Kick(
                package=package,
                kit=path.parent.name,
                instrument=path.stem,
                velocity="",
                licence=copyright.licence_for(original),
                original=original,
                name=safe_name(path.name, lower=True),
                source=path,
            )
        )
    return kicks
