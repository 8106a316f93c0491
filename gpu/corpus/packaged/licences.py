"""Which licence covers a file, read from the package's usr/share/doc/<pkg>/copyright.

Machine-readable copyright files (DEP-5, https://www.debian.org/doc/packaging-manuals/
copyright-format/1.0/) are matched the DEP-5 way: the last `Files:` stanza whose pattern
matches wins. Their patterns name paths of the *source* tree while we hold installed paths,
so a pattern matches when it matches a trailing part of the installed path (`*`,
`data/*`), or names the same file by its literal base name (`samples/sf_GMbank.sf2` ↔
`usr/share/sounds/sf2/sf_GMbank.sf2`). hydrogen-drumkits licenses per kit archive
(`drumkits/Gimme?A?Hand?1.0.h2drumkit`), matched to the unpacked kit folder by name.
Free-text copyright files (older packages) are read for the first licence phrase they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

UNKNOWN = "unknown"

_FREE = re.compile(
    r"^(GPL|LGPL|AGPL|CC0|CC-BY(-SA)?(-\d|$)|MIT|Expat|X11|public-domain|BSD|ISC|Zlib"
    r"|Unlicense|Artistic)",
    re.IGNORECASE,
)
_RESTRICTED = re.compile(r"(\b|-)(NC|ND)(\b|-)|non-?commercial|no-?deriv", re.IGNORECASE)

# Free-text phrases in the order they are tried; restrictive terms first, so that a file
# naming both "Creative Commons" and "NonCommercial" is never read as a free licence.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"non-?commercial|\bCC[- ]BY[- ]NC", re.I), "CC-BY-NC"),
    (re.compile(r"no-?deriv|\bCC[- ]BY[- ]ND", re.I), "CC-BY-ND"),
    (re.compile(r"\bMIT licen[cs]e|\(MIT\b|Permission is hereby granted, free of charge"), "MIT"),
    (re.compile(r"\bCC0\b|Creative Commons 0|CC-0|Creative Commons Zero", re.I), "CC0"),
    (re.compile(r"Attribution[- ]Share ?Alike|\bCC[- ]BY[- ]SA\b", re.I), "CC-BY-SA"),
    (re.compile(r"Creative Commons Attribution|\bCC[- ]BY\b", re.I), "CC-BY"),
    (re.compile(r"GNU General Public License|\bGPL\b"), "GPL"),
    (re.compile(r"public domain", re.I), "public-domain"),
)


def is_shippable(licence: str) -> bool:
    """May a model trained on this licence's files be shipped with attribution? Free
    licences (GPL, CC0, CC-BY, CC-BY-SA, MIT-like, public domain) yes; NC/ND terms and
    unknown licences no. "A and B" needs both, "A or B" either."""
    if _RESTRICTED.search(licence):
        return False
    return all(
        any(_FREE.match(option.strip()) for option in part.split(" or "))
        for part in licence.split(" and ")
    )


def licence_in_text(text: str) -> str:
    """The first licence a free-text notice names, or UNKNOWN."""
    for pattern, licence in _PHRASES:
        if pattern.search(text):
            return licence
    return UNKNOWN


@dataclass(frozen=True)
class Stanza:
    patterns: tuple[str, ...]
    licence: str


def _path_matches(pattern: str, path: PurePosixPath) -> bool:
    parts = path.parts
    if any(fnmatchcase("/".join(parts[i:]), pattern) for i in range(len(parts))):
        return True
    base = PurePosixPath(pattern).name
    return not any(c in base for c in "*?[") and base == path.name


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Copyright:
    """One package's copyright file: DEP-5 stanzas, or the licence its free text names."""

    stanzas: tuple[Stanza, ...]
    text_licence: str

    @classmethod
    def parse(cls, text: str) -> Copyright:
        if not text.startswith("Format:"):
            return cls((), licence_in_text(text))
        stanzas = []
        for paragraph in re.split(r"\n\s*\n", text):
            fields = _fields(paragraph)
            if "files" in fields and "license" in fields:
                first_line = (fields["license"].splitlines() or [""])[0].strip()
                stanzas.append(Stanza(tuple(fields["files"].split()), first_line or UNKNOWN))
        return cls(tuple(stanzas), UNKNOWN)

    def licence_for(self, path: str) -> str:
        """The licence of an installed file (path relative to the unpacked tree)."""
        if not self.stanzas:
            return self.text_licence
        installed = PurePosixPath(path)
        licence = UNKNOWN
        for stanza in self.stanzas:
            if any(_path_matches(pattern, installed) for pattern in stanza.patterns):
                licence = stanza.licence
        return licence

    def licence_for_kit(self, kit: str, path: str) -> str:
        """The licence of a hydrogen kit folder: the stanza of its .h2drumkit archive (kit
        folders drop or add words, `circAfrique v4` ← `circAfrique.h2drumkit`, so the longest
        archive name that starts the folder name wins), else `licence_for(path)`."""
        best, best_length = None, 0
        for stanza in self.stanzas:
            for pattern in stanza.patterns:
                name = PurePosixPath(pattern).name
                if not name.endswith(".h2drumkit"):
                    continue
                stem = _squash(name.removesuffix(".h2drumkit"))
                if stem and _squash(kit).startswith(stem) and len(stem) > best_length:
                    best, best_length = stanza.licence, len(stem)
        return best or self.licence_for(path)


def _fields(paragraph: str) -> dict[str, str]:
    """A DEP-5 paragraph's fields, keys lower-cased, continuation lines joined by newlines."""
    fields: dict[str, str] = {}
    key = None
    for line in paragraph.splitlines():
        if line[:1] in {" ", "\t"} and key is not None:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
    return fields
