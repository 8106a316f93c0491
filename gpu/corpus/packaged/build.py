"""Assemble the corpus: collect kicks from unpacked trees, filter licences, split by kit, write.

Output under DIR: train/<package>/<kit>/<file>, held-out/<package>/<kit>/<file>, SOURCES.csv
(one row per written file) and README.md. Both split folders are rebuilt on every run. The
unit of the split is a kit family (`similarity.kit_families`): a kit alone, or kits that share
a look-alike kick, such as MuseScore's kits re-processed from FluidR3's samples.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from gpu.corpus.folder import FolderError, read_kick
from gpu.corpus.packaged.debs import refuse_reserved
from gpu.corpus.packaged.licences import UNKNOWN, Copyright, is_shippable
from gpu.corpus.packaged.similarity import SAMPLE_RATE, RenderIndex, fingerprint, kit_families
from gpu.corpus.packaged.soundfont import (
    SAME_KIT_ELSEWHERE,
    Renderer,
    find_soundfonts,
    soundfont_kicks,
)
from gpu.corpus.packaged.sources import Kick, hydrogen_kicks, lmms_kicks
from gpu.corpus.split import held_out_mask

SPLITS = ("train", "held-out")
SOURCES_FIELDS = (
    "file", "split", "package", "kit", "instrument", "velocity", "licence", "original",
)  # fmt: skip


@dataclass
class Summary:
    written: list[tuple[str, Kick]] = field(default_factory=list)  # (split, kick)
    excluded: list[Kick] = field(default_factory=list)  # licence not shippable
    duplicates: int = 0  # files byte-equal to one already taken
    repeated_renders: int = 0  # renders equal to one already taken up to gain
    families: dict[str, str] = field(default_factory=dict)  # kit id → family (split unit)
    skipped: list[str] = field(default_factory=list)  # one sentence per thing left out

    def report(self) -> str:
        """The lines the command prints and README.md repeats."""
        lines = [
            f"{len(self.written)} kicks written ({self.duplicates} duplicate files and "
            f"{self.repeated_renders} renders repeating another up to gain dropped)."
        ]
        per_split = Counter(split for split, _ in self.written)
        lines.append(
            "per split: "
            + ", ".join(
                f"{split} {per_split[split]} kicks / "
                f"{len({k.kit_id for s, k in self.written if s == split})} kits"
                for split in SPLITS
            )
        )
        lines.append("per package (train / held-out):")
        for package in sorted({k.package for _, k in self.written}):
            counts = Counter(split for split, k in self.written if k.package == package)
            lines.append(f"  {package}: {counts['train']} / {counts['held-out']}")
        groups: dict[str, list[str]] = {}
        for kit, family in sorted(self.families.items()):
            groups.setdefault(family, []).append(kit)
        shared = [kits for kits in groups.values() if len(kits) > 1]
        lines.append(
            f"{len(groups)} families of kits split together; {len(shared)} join look-alike kits:"
        )
        lines += [f"  {' + '.join(kits)}" for kits in shared]
        lines.append("per licence:")
        for licence, n in sorted(Counter(k.licence for _, k in self.written).items()):
            lines.append(f"  {licence}: {n}")
        if self.excluded:
            lines.append("warning: left out for their licence (NC/ND terms or unknown):")
            for (kit_id, licence), n in sorted(
                Counter((k.kit_id, k.licence) for k in self.excluded).items()
            ):
                lines.append(f"  {kit_id}: {n} kicks, licence {licence}")
        lines += [f"warning: skipped {reason}" for reason in self.skipped]
        return "\n".join(lines)


def read_copyright(package: str, tree: Path) -> Copyright:
    path = tree / "usr" / "share" / "doc" / package / "copyright"
    return (
        Copyright.parse(path.read_text(errors="replace"))
        if path.is_file()
        else Copyright((), UNKNOWN)
    )


def collect(trees: dict[str, Path], renderer: Renderer | None, summary: Summary) -> list[Kick]:
    """Every kick in the unpacked package trees, in package order; soundfonts only when a
    renderer is given (else each is listed in summary.skipped)."""
    kicks: list[Kick] = []
    renders = RenderIndex()
    for package, tree in trees.items():
        refuse_reserved(package)
        copyright = read_copyright(package, tree)
        kicks += hydrogen_kicks(package, tree, copyright)
        kicks += lmms_kicks(package, tree, copyright)
        fonts = []
        for font in find_soundfonts(tree):
            if font.name in SAME_KIT_ELSEWHERE:
                summary.skipped.append(f"{package}: {font.name}, {SAME_KIT_ELSEWHERE[font.name]}")
            else:
                fonts.append(font)
        if fonts and renderer is None:
            summary.skipped.append(f"{package}: {len(fonts)} soundfont(s), no fluidsynth")
        elif fonts:
            kicks += soundfont_kicks(package, tree, fonts, copyright, renderer, renders)
    summary.repeated_renders = renders.repeats
    return kicks


def _content_key(kick: Kick) -> bytes:
    if kick.source is not None:
        return hashlib.sha256(kick.source.read_bytes()).digest()
    assert kick.audio is not None
    return hashlib.sha256(np.ascontiguousarray(kick.audio).tobytes()).digest()


def families(kicks: list[Kick]) -> dict[str, str]:
    """{kit id: family} (see `similarity.kit_families`); a kick that cannot be decoded here
    joins its kit to no other."""
    ids, prints = [], []
    for kick in kicks:
        if kick.audio is not None:
            mono = kick.audio.mean(axis=1)  # (T,)
        else:
            try:
                mono = read_kick(kick.source)[0]
            except FolderError:
                continue
        ids.append(kick.kit_id)
        prints.append(fingerprint(mono))
    joined = kit_families(ids, np.stack(prints)) if prints else {}
    return {k.kit_id: joined.get(k.kit_id, k.kit_id) for k in kicks}


def build(
    out: Path,
    trees: dict[str, Path],
    renderer: Renderer | None,
    held_out: float = 0.2,
    summary: Summary | None = None,
) -> Summary:
    """Write the corpus from unpacked package trees ({package: tree}) into `out`."""
    summary = summary or Summary()
    kicks = collect(trees, renderer, summary)
    seen: set[bytes] = set()
    kept: list[Kick] = []
    for kick in kicks:
        key = _content_key(kick)
        if key in seen:  # e.g. one sample file shared by two kits: never on both sides
            summary.duplicates += 1
        elif not is_shippable(kick.licence):
            summary.excluded.append(kick)
        else:
            seen.add(key)
            kept.append(kick)
    summary.families = families(kept)
    names = sorted(set(summary.families.values()))
    mask = held_out_mask(names, held_out) if names else np.zeros(0, dtype=bool)
    family_side = {name: SPLITS[int(m)] for name, m in zip(names, mask, strict=True)}
    side = {kit: family_side[family] for kit, family in summary.families.items()}

    for split in SPLITS:
        if (out / split).exists():
            shutil.rmtree(out / split)
    rows = []
    for kick in kept:
        split = side[kick.kit_id]
        dest = out / split / kick.package / kick.kit / kick.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if kick.source is not None:
            shutil.copyfile(kick.source, dest)
        else:
            soundfile.write(dest, kick.audio, SAMPLE_RATE, subtype="FLOAT")
        summary.written.append((split, kick))
        rows.append(
            {
                "file": dest.relative_to(out).as_posix(),
                "split": split,
                "package": kick.package,
                "kit": kick.kit,
                "instrument": kick.instrument,
                "velocity": kick.velocity,
                "licence": kick.licence,
                "original": kick.original,
            }
        )
    with (out / "SOURCES.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=SOURCES_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "README.md").write_text(_readme(summary, held_out))
    return summary


def _readme(summary: Summary, held_out: float) -> str:
    kits = Counter((k.package, k.kit, k.licence, split) for split, k in summary.written)
    table = "\n".join(
        f"| {package} | {kit} | {licence} | {split} | {n} |"
        for (package, kit, licence, split), n in sorted(kits.items())
    )
    return f"""# Real kicks from Debian packages

Built by `python -m gpu.corpus.packaged` (gpu/corpus/packaged/). Every file's source package,
kit, instrument, velocity, licence and original path are in SOURCES.csv. The split is by kit
family (fraction {held_out} held out, `gpu.corpus.split.held_out_mask` on the family names):
a family is a kit plus any kit holding a look-alike kick (gpu/corpus/packaged/similarity.py),
so no held-out kit, nor a copy of it, was heard in training. Only licences that allow
shipping weights trained on the files with attribution are kept (GPL, CC0, CC-BY, CC-BY-SA,
MIT-like, public domain); trained weights must credit the kits below.

## Summary

```
{summary.report()}
```

## Kits

| package | kit | licence | split | kicks |
|---|---|---|---|---|
{table}
"""
