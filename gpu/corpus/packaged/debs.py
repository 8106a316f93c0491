"""Debian packages fetched and unpacked without root: `apt-get download` + `dpkg-deb -x`.

Every external command goes through a `Runner`, so tests drive the same code with a fake that
writes files instead of reaching the network.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

Runner = Callable[[Sequence[str], Path | None], subprocess.CompletedProcess]

RESERVED_PACKAGES = frozenset({"sonic-pi-samples"})
"""Held back for an independent evaluation: a model must never have heard these kicks."""

_UNPACKED_MARKER = ".unpacked-from"


class ReservedPackageError(ValueError):
    """A package reserved for independent evaluation was asked for."""


def run_command(command: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real runner: the command's text output, never raising on a non-zero exit."""
    return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)


def refuse_reserved(package: str) -> None:
    if package in RESERVED_PACKAGES:
        raise ReservedPackageError(
            f"{package} is reserved for independent evaluation and must never enter a "
            "training or held-out corpus."
        )


def apt_knows(package: str, run: Runner = run_command) -> bool:
    """Does apt have a candidate for `package` (what `apt-cache show` prints for it)?"""
    result = run(["apt-cache", "show", package], None)
    return result.returncode == 0 and "Package:" in result.stdout


def download(package: str, debs: Path, run: Runner = run_command) -> Path | None:
    """The package's .deb in `debs`, downloaded unless one is already there; None when apt
    has no such package."""
    refuse_reserved(package)
    debs.mkdir(parents=True, exist_ok=True)
    existing = sorted(debs.glob(f"{package}_*.deb"))
    if existing:
        return existing[-1]
    if not apt_knows(package, run):
        return None
    result = run(["apt-get", "download", package], debs)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if result.returncode != 0 or not found:
        raise RuntimeError(f"apt-get download {package} failed: {result.stderr.strip()}")
    return found[-1]


def unpack(deb: Path, dest: Path, run: Runner = run_command) -> Path:
    """`deb`'s files under `dest` (as `dpkg-deb -x` lays them out); reused when `dest` was
    unpacked from the same .deb before, replaced when it came from another version."""
    marker = dest / _UNPACKED_MARKER
    if marker.is_file() and marker.read_text() == deb.name:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    result = run(["dpkg-deb", "-x", str(deb), str(dest)], None)
    if result.returncode != 0:
        raise RuntimeError(f"dpkg-deb -x {deb.name} failed: {result.stderr.strip()}")
    marker.write_text(deb.name)
    return dest


def fetch(
    package: str, root: Path, run: Runner = run_command, area: str = "unpacked"
) -> Path | None:
    """root/<area>/<package>, from root/debs/; None when apt has no such package."""
    deb = download(package, root / "debs", run)
    if deb is None:
        return None
    return unpack(deb, root / area / package, run)


def is_installed(package: str, run: Runner = run_command) -> bool:
    result = run(["dpkg-query", "-W", "-f=${Status}", package], None)
    return result.returncode == 0 and result.stdout.strip() == "install ok installed"


def direct_depends(package: str, run: Runner = run_command) -> list[str]:
    """The real packages `package` depends on; of alternatives (a | b) the first one."""
    result = run(["apt-cache", "depends", "--no-recommends", "--no-suggests", package], None)
    depends: list[str] = []
    group_taken = False  # "|Depends:" announces that another alternative follows
    for line in result.stdout.splitlines():
        kind, _, name = line.strip().partition(": ")
        if kind.lstrip("|") not in {"Depends", "PreDepends"}:
            continue
        if not group_taken and not name.startswith("<"):  # <name>: a virtual package
            depends.append(name)
            group_taken = True
        if not kind.startswith("|"):
            group_taken = False
    return depends
