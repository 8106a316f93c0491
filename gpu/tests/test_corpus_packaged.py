"""The Debian-package kick corpus on a fake package tree: no network, no fluidsynth."""

import csv
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from gpu.corpus.packaged import ReservedPackageError, build
from gpu.corpus.packaged.cli import main
from gpu.corpus.packaged.debs import direct_depends, fetch
from gpu.corpus.packaged.fluidsynth import unpacked_fluidsynth
from gpu.corpus.packaged.licences import Copyright, is_shippable, licence_in_text
from gpu.corpus.packaged.similarity import (
    FAMILY,
    RenderIndex,
    distances,
    fingerprint,
    kit_families,
)
from gpu.corpus.packaged.soundfont import (
    SAMPLE_RATE,
    SLOT_S,
    Preset,
    drum_kits,
    find_soundfonts,
    hits,
    midi_file,
    read_presets,
    soundfont_kicks,
)
from gpu.corpus.packaged.sources import hydrogen_kicks, lmms_kicks, says_kick

KITS = Path("usr/share/hydrogen/data/drumkits")
FREE_KITS = [f"Free Kit {i}" for i in range(8)]

COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fake-drumkits

Files:
 drumkits/Free?Kit?*.h2drumkit
Copyright: Someone
License: GPL-2+

Files: drumkits/Closed.h2drumkit
Copyright: Someone Else
License: CC-BY-NC-SA-4.0
Comment:
 Non-commercial: may not ship inside a model.

License: GPL-2+
 The usual text.
"""


def kick(
    seconds: float = 0.3, hz: float = 55.0, level: float = 0.8, decay_s: float = 0.1
) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * hz * t) * np.exp(-t / decay_s)).astype(np.float32)


def drumkit_xml(name: str, instruments: dict[str, list[tuple[str, float, float]]]) -> str:
    """A hydrogen ≥ 0.9.7 drumkit.xml (namespaced, layers inside instrumentComponent)."""
    parts = []
    for i, (instrument, layers) in enumerate(instruments.items()):
        layer_xml = "".join(
            f"<layer><filename>{file}</filename><min>{lo}</min><max>{hi}</max></layer>"
            for file, lo, hi in layers
        )
        parts.append(
            f"<instrument><id>{i}</id><name>{instrument}</name>"
            f"<instrumentComponent><component_id>0</component_id>{layer_xml}"
            "</instrumentComponent></instrument>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">'
        f"<name>{name}</name><license>GPL</license>"
        f"<instrumentList>{''.join(parts)}</instrumentList></drumkit_info>"
    )


def write_kit(tree: Path, name: str, hz: float) -> None:
    folder = tree / KITS / name
    folder.mkdir(parents=True)
    files = ["kick_soft.wav", "kick_hard.wav", "combo.wav", "snare.wav", "hat.wav", "BD_extra.flac",
             "kick_reversed.wav"]  # fmt: skip
    for i, file in enumerate(files):
        soundfile.write(folder / file, kick(hz=hz * (1 + 0.02 * i)), SAMPLE_RATE)
    instruments = {
        "Kick": [("kick_soft.wav", 0.0, 0.5), ("kick_hard.wav", 0.5, 1.0)],
        "Kick Snare": [("combo.wav", 0.0, 1.0)],
        "Snare": [("snare.wav", 0.0, 1.0)],
        "FX": [("kick_reversed.wav", 0.0, 1.0)],  # says kick, but the kit plays it as FX
    }
    (folder / "drumkit.xml").write_text(drumkit_xml(name, instruments))


@pytest.fixture
def trees(tmp_path):
    hydrogen = tmp_path / "fake-drumkits"
    for i, name in enumerate([*FREE_KITS, "Closed"]):
        write_kit(hydrogen, name, hz=40.0 * 1.25**i)  # kits far apart: each its own family
    doc = hydrogen / "usr/share/doc/fake-drumkits"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)

    lmms = tmp_path / "lmms-common"
    drums = lmms / "usr/share/lmms/samples/drums"
    drums.mkdir(parents=True)
    beats = lmms / "usr/share/lmms/samples/beats"
    beats.mkdir(parents=True)
    # LMMS ships .ogg names; one of them really holds WAV data, which is copied as it is.
    for i, file in enumerate(["kick01.ogg", "bassdrum01.ogg", "snare01.ogg"]):
        soundfile.write(drums / file, kick(hz=200.0 + i), SAMPLE_RATE, format="WAV")
    soundfile.write(beats / "rave_kick01.ogg", kick(hz=300.0), SAMPLE_RATE, format="WAV")
    doc = lmms / "usr/share/doc/lmms-common"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nCopyright: LMMS developers\nLicense: GPL-2+\n\n"
        "Files: data/projects/demos/*\nCopyright: a demo author\nLicense: CC-BY-NC-3.0\n"
    )
    return {"fake-drumkits": hydrogen, "lmms-common": lmms}


def read_sources(out: Path) -> list[dict[str, str]]:
    with (out / "SOURCES.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_kick_names_exclude_combos_and_other_drums():
    for name in ["Kick", "Bass Drum", "BD", "Kick 2", "BassDrum", "c3 - bass drum 1", "Pearl Kick",
                 'Kick (Tama Superstar 22")', "bd_01", "PowR_BD_1", "Kick-0"]:  # fmt: skip
        assert says_kick(name), name
    for name in ["Kick snare", "Snare", "Djembe1 Bass", "Tom Low", "Hi-Hat", "Ride (Custom 22)",
                 "Kick Hat", "abdomen"]:  # fmt: skip
        assert not says_kick(name), name


def test_hydrogen_kit_gives_every_kick_layer_and_unlisted_kick_files(trees):
    copyright = Copyright.parse(COPYRIGHT)
    kicks = hydrogen_kicks("fake-drumkits", trees["fake-drumkits"], copyright)
    kit = [k for k in kicks if k.kit == "Free_Kit_0"]
    assert [(k.name, k.instrument, k.velocity) for k in kit] == [
        ("kick_v064.wav", "Kick", "64"),
        ("kick_v127.wav", "Kick", "127"),
        ("bd_extra.flac", "BD_extra", ""),
    ]
    assert [k.original for k in kit] == [
        "usr/share/hydrogen/data/drumkits/Free Kit 0/kick_soft.wav",
        "usr/share/hydrogen/data/drumkits/Free Kit 0/kick_hard.wav",
        "usr/share/hydrogen/data/drumkits/Free Kit 0/BD_extra.flac",
    ]
    licences = {k.kit: k.licence for k in kicks}
    assert licences["Free_Kit_3"] == "GPL-2+"
    assert licences["Closed"] == "CC-BY-NC-SA-4.0"


def test_lmms_kicks_are_the_kick_and_bassdrum_samples(trees):
    copyright = Copyright.parse(
        (trees["lmms-common"] / "usr/share/doc/lmms-common/copyright").read_text()
    )
    kicks = lmms_kicks("lmms-common", trees["lmms-common"], copyright)
    assert sorted((k.kit, k.name, k.licence) for k in kicks) == [
        ("beats", "rave_kick01.ogg", "GPL-2+"),
        ("drums", "bassdrum01.ogg", "GPL-2+"),
        ("drums", "kick01.ogg", "GPL-2+"),
    ]


def test_licence_policy():
    for licence in ["GPL-2", "GPL-2+", "GPL-3+", "CC0", "CC-BY-3.0", "CC-BY-SA-3.0-us", "MIT",
                    "Expat", "public-domain", "GPL-2+ with composition exception"]:  # fmt: skip
        assert is_shippable(licence), licence
    for licence in ["CC-BY-NC-4.0", "CC-BY-NC-SA-3.0", "CC-BY-ND-4.0", "unknown", "",
                    "proprietary", "GPL-2+ and CC-BY-NC-4.0"]:  # fmt: skip
        assert not is_shippable(licence), licence
    assert licence_in_text("I hereby release Fluid under the MIT license, as in COPYING.") == "MIT"
    assert licence_in_text("Creative Commons Attribution-NonCommercial 4.0") == "CC-BY-NC"
    assert licence_in_text("no licence given") == "unknown"


def test_copyright_matches_installed_paths_and_kit_archives():
    copyright = Copyright.parse(
        "Format: x\n\nFiles: *\nLicense: LGPL-2.1+\n\nFiles: debian/*\nLicense: GPL-3+\n\n"
        "Files: samples/bank.sf2\nLicense: public-domain\n\n"
        "Files: drumkits/circAfrique.h2drumkit\nLicense: CC-BY-SA-3.0\n"
    )
    assert copyright.licence_for("usr/share/sounds/sf2/bank.sf2") == "public-domain"
    assert copyright.licence_for("usr/share/doc/x/README") == "LGPL-2.1+"
    assert copyright.licence_for_kit("circAfrique v4", "x/drumkit.xml") == "CC-BY-SA-3.0"
    assert copyright.licence_for_kit("Other", "x/drumkit.xml") == "LGPL-2.1+"


def test_build_splits_by_kit_and_records_every_file(trees, tmp_path):
    out = tmp_path / "corpus"
    summary = build(out, trees, renderer=None, held_out=0.5)

    rows = read_sources(out)
    files = sorted(p.relative_to(out).as_posix() for p in out.glob("*/*/*/*") if p.is_file())
    assert sorted(r["file"] for r in rows) == files
    # 8 free kits × 3 kicks, the NC kit left out, 3 LMMS kicks.
    assert len(rows) == 8 * 3 + 3
    assert {r["split"] for r in rows} == {"train", "held-out"}
    sides: dict[str, set[str]] = {}
    for row in rows:
        assert row["file"].startswith(f"{row['split']}/{row['package']}/{row['kit']}/")
        sides.setdefault(f"{row['package']}/{row['kit']}", set()).add(row["split"])
    assert all(len(s) == 1 for s in sides.values())

    assert not any(r["kit"] == "Closed" for r in rows)
    assert {k.kit for k in summary.excluded} == {"Closed"}
    readme = (out / "README.md").read_text()
    assert "fake-drumkits/Closed: 3 kicks, licence CC-BY-NC-SA-4.0" in readme

    hard = next(r for r in rows if r["kit"] == "Free_Kit_2" and r["velocity"] == "127")
    assert hard["licence"] == "GPL-2+" and hard["instrument"] == "Kick"
    copied = out / hard["file"]
    assert copied.read_bytes() == (trees["fake-drumkits"] / hard["original"]).read_bytes()
    lmms = next(r for r in rows if r["file"].endswith("kick01.ogg"))
    assert (out / lmms["file"]).read_bytes() == (
        trees["lmms-common"] / lmms["original"]
    ).read_bytes()


def test_rebuild_replaces_the_output(trees, tmp_path):
    out = tmp_path / "corpus"
    build(out, trees, renderer=None, held_out=0.5)
    first = read_sources(out)
    stale = out / "train" / "fake-drumkits" / "Gone" / "kick.wav"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    build(out, trees, renderer=None, held_out=0.5)
    assert read_sources(out) == first
    assert not stale.exists()


def test_look_alike_kits_land_on_the_same_side(trees, tmp_path):
    kits = trees["fake-drumkits"] / KITS
    quieter, rate = soundfile.read(kits / "Free Kit 0" / "kick_hard.wav")
    soundfile.write(kits / "Free Kit 5" / "kick_hard.wav", 0.5 * quieter, rate)
    summary = build(tmp_path / "corpus", trees, renderer=None, held_out=0.5)

    family = summary.families["fake-drumkits/Free_Kit_5"]
    assert family == summary.families["fake-drumkits/Free_Kit_0"] == "fake-drumkits/Free_Kit_0"
    assert len(set(summary.families.values())) == len(summary.families) - 1
    sides = {(r["kit"], r["split"]) for r in read_sources(tmp_path / "corpus")}
    assert len({split for kit, split in sides if kit in {"Free_Kit_0", "Free_Kit_5"}}) == 1
    assert "fake-drumkits/Free_Kit_0 + fake-drumkits/Free_Kit_5" in summary.report()


def test_distances_ignore_gain_and_a_sample_of_lag():
    one = kick(hz=60.0)
    prints = np.stack([
        fingerprint(one),
        fingerprint(np.concatenate([np.zeros(1), 0.3 * one])),
        fingerprint(kick(hz=90.0)),
    ])  # fmt: skip
    d = distances(prints, prints)
    assert d[0, 1] < 1e-6 and d[0, 2] > FAMILY
    assert kit_families(["a", "b", "c"], prints) == {"a": "a", "b": "a", "c": "c"}


def test_same_sample_in_two_kits_is_kept_once(trees, tmp_path):
    hydrogen = trees["fake-drumkits"]
    source = hydrogen / KITS / "Free Kit 0" / "kick_hard.wav"
    (hydrogen / KITS / "Free Kit 1" / "kick_hard.wav").write_bytes(source.read_bytes())
    summary = build(tmp_path / "corpus", trees, renderer=None, held_out=0.5)
    assert summary.duplicates == 1


def test_sonic_pi_samples_is_refused(trees, tmp_path):
    with pytest.raises(ReservedPackageError, match="reserved for independent evaluation"):
        build(tmp_path / "out", {"sonic-pi-samples": trees["lmms-common"]}, renderer=None)
    with pytest.raises(ReservedPackageError):
        fetch("sonic-pi-samples", tmp_path, run=lambda command, cwd: pytest.fail(str(command)))
    with pytest.raises(ReservedPackageError):
        main([str(tmp_path / "out"), "--packages", "lmms-common", "sonic-pi-samples"])
    assert not (tmp_path / "out").exists()


class FakeApt:
    """apt-get download / dpkg-deb -x / apt-cache show, answered with files on disk."""

    def __init__(self, known: set[str]):
        self.known = known
        self.calls: list[list[str]] = []

    def __call__(self, command, cwd):
        command = list(command)
        self.calls.append(command)
        ok = subprocess.CompletedProcess(command, 0, stdout="", stderr="")
        if command[:2] == ["apt-cache", "show"]:
            known = command[2] in self.known
            return subprocess.CompletedProcess(
                command, 0 if known else 100, stdout=f"Package: {command[2]}\n" if known else ""
            )
        if command[:2] == ["apt-get", "download"]:
            (cwd / f"{command[2]}_1.0_all.deb").write_bytes(b"deb")
            return ok
        if command[:2] == ["dpkg-deb", "-x"]:
            (Path(command[3]) / "usr/share/doc").mkdir(parents=True)
            return ok
        raise AssertionError(f"unexpected command {command}")


def test_fetch_downloads_and_unpacks_once(tmp_path):
    apt = FakeApt({"lmms-common"})
    tree = fetch("lmms-common", tmp_path, run=apt)
    assert tree == tmp_path / "unpacked" / "lmms-common"
    assert (tmp_path / "debs" / "lmms-common_1.0_all.deb").is_file()
    assert (tree / "usr/share/doc").is_dir()
    assert [c[0] for c in apt.calls] == ["apt-cache", "apt-get", "dpkg-deb"]
    apt.calls.clear()
    assert fetch("lmms-common", tmp_path, run=apt) == tree
    assert apt.calls == []
    assert fetch("no-such-package", tmp_path, run=apt) is None


def test_direct_depends_takes_the_first_real_alternative():
    output = (
        "libfluidsynth3\n  Depends: libc6\n |Depends: libjack-jackd2-0\n"
        "  Depends: <libjack-0.125>\n    libjack0\n"
        " |Depends: <sf3-soundfont-gm>\n  Depends: timgm6mb-soundfont\n"
        "  Recommends: qsynth\n"
    )

    def run(command, cwd):
        return subprocess.CompletedProcess(command, 0, stdout=output, stderr="")

    assert direct_depends("libfluidsynth3", run) == [
        "libc6",
        "libjack-jackd2-0",
        "timgm6mb-soundfont",
    ]


def test_unpacked_fluidsynth_fetches_libraries_until_ldd_is_content(tmp_path):
    apt = FakeApt({"fluidsynth", "libfluidsynth3", "libsndfile1"})
    depends = {"fluidsynth": "libfluidsynth3", "libfluidsynth3": "libsndfile1"}
    libraries = {"libfluidsynth3": "libfluidsynth.so.3", "libsndfile1": "libsndfile.so.1"}

    def run(command, cwd):
        command = list(command)
        done = subprocess.CompletedProcess(command, 0, stdout="", stderr="")
        if command[:2] == ["apt-cache", "depends"]:
            dep = depends.get(command[-1])
            return subprocess.CompletedProcess(
                command, 0, stdout=f"  Depends: {dep}\n" if dep else ""
            )
        if command[0] == "dpkg-query":
            return subprocess.CompletedProcess(command, 1, stdout="", stderr="not installed")
        if command[0] == "env" and command[2] == "ldd":
            missing = [f"\t{so} => not found" for package, so in libraries.items()
                       if not (tmp_path / "tools" / package).is_dir()]  # fmt: skip
            return subprocess.CompletedProcess(command, 0, stdout="\n".join(missing))
        if command[0] == "env":
            return done
        return apt(command, cwd)

    synth, why = unpacked_fluidsynth(tmp_path, run)
    assert why == ""
    assert sorted(p.name for p in (tmp_path / "tools").iterdir()) == [
        "fluidsynth", "libfluidsynth3", "libsndfile1",
    ]  # fmt: skip
    assert synth.prefix[-1].endswith("tools/fluidsynth/usr/bin/fluidsynth")


def soundfont_bytes(presets: list[tuple[str, int, int]]) -> bytes:
    """A minimal SF2: INFO and sdta lists, then pdta with the preset headers."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return tag + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)

    records = b"".join(
        struct.pack("<20sHHHIII", name.encode(), program, bank, i, 0, 0, 0)
        for i, (name, program, bank) in enumerate([*presets, ("EOP", 0, 0)])
    )
    info = chunk(b"LIST", b"INFO" + chunk(b"ifil", struct.pack("<HH", 2, 1)))
    sdta = chunk(b"LIST", b"sdta" + chunk(b"smpl", b"\0" * 7))
    pdta = chunk(b"LIST", b"pdta" + chunk(b"phdr", records))
    return chunk(b"RIFF", b"sfbk" + info + sdta + pdta)


def test_read_presets_and_pick_the_drum_kits(tmp_path):
    font = tmp_path / "gm.sf2"
    font.write_bytes(soundfont_bytes(
        [("Piano", 0, 0), ("Standard", 0, 128), ("Room", 8, 128), ("SFX", 56, 128)]
    ))  # fmt: skip
    presets = read_presets(font)
    assert presets[1] == Preset("Standard", 0, 128)
    assert drum_kits(presets) == [Preset("Standard", 0, 128), Preset("Room", 8, 128)]
    assert drum_kits([Preset("Red_Zeppelin_4pc", 0, 0)]) == [Preset("Red_Zeppelin_4pc", 0, 0)]


def test_midi_file_plays_each_hit_in_its_slot():
    kits = [Preset("Standard", 0, 128), Preset("Room", 8, 128)]
    data = midi_file(kits)
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    track, now, notes, i = data[22:], 0, [], 0
    while i < len(track):
        delta = 0
        while True:
            delta, byte, i = (delta << 7) | (track[i] & 0x7F), track[i], i + 1
            if byte < 0x80:
                break
        now += delta
        status = track[i]
        length = 3 + track[i + 2] if status == 0xFF else (2 if status & 0xF0 == 0xC0 else 3)
        if status == 0x90:
            notes.append((now / 960, track[i + 1], track[i + 2]))
        if status == 0xB0 and track[i + 1] == 0:
            assert track[i + 2] == 1  # bank 128 = MSB 1, LSB 0
        i += length
    assert notes == [(n * SLOT_S, note, vel) for n, (_, note, vel) in enumerate(hits(kits))]


class FakeSynth:
    """Renders slot i as a decaying sine whose (pitch, level) is set per (kit, note), silent
    at pitch 0; a harder hit also rings longer, as velocity-to-filter modulation makes it."""

    def __init__(self, kits, voices):
        self.kits, self.voices = kits, voices

    def render(self, soundfont, midi, wav):
        slots = hits(self.kits)
        slot = round(SLOT_S * SAMPLE_RATE)
        audio = np.zeros((len(slots) * slot, 2), dtype=np.float32)
        for i, (kit, note, velocity) in enumerate(slots):
            hz, level = self.voices[(kit.name, note)]
            if hz:
                offset = i * slot + 64 * (i % 3)  # notes start on varying block boundaries
                one = kick(hz=hz, level=level * velocity / 127, decay_s=0.05 + velocity / 1000)
                audio[offset : offset + len(one)] = one[:, None]
        soundfile.write(wav, audio, SAMPLE_RATE, subtype="FLOAT")


def test_soundfont_renders_drop_silence_and_repeated_kicks(tmp_path):
    tree = tmp_path / "fake-soundfont"
    (tree / "usr/share/sounds/sf2").mkdir(parents=True)
    (tree / "usr/share/sounds/sf2/Fake_GM.sf2").write_bytes(
        soundfont_bytes([("Standard", 0, 128), ("Room", 8, 128)])
    )
    (tree / "usr/lib/plugin").mkdir(parents=True)
    (tree / "usr/lib/plugin/Fake_GM.sf2").symlink_to("../../share/sounds/sf2/Fake_GM.sf2")
    assert find_soundfonts(tree) == [tree / "usr/share/sounds/sf2/Fake_GM.sf2"]
    kits = [Preset("Standard", 0, 128), Preset("Room", 8, 128)]
    # Room has nothing on note 35 and reuses Standard's note-36 kick, quieter.
    voices = {
        ("Standard", 35): (50.0, 1.0),
        ("Standard", 36): (60.0, 1.0),
        ("Room", 35): (0.0, 1.0),
        ("Room", 36): (60.0, 0.5),
    }
    copyright = Copyright.parse("Fluid under the MIT license")
    fonts = find_soundfonts(tree)
    synth = FakeSynth(kits, voices)
    index = RenderIndex()
    kicks = soundfont_kicks("fake-soundfont", tree, fonts, copyright, synth, index)
    assert [(k.kit, k.name, k.velocity) for k in kicks] == [
        ("Fake_GM-Standard", f"acoustic_bass_drum_n35_v{v:03d}.wav", str(v)) for v in (40, 80, 127)
    ] + [("Fake_GM-Standard", f"bass_drum_1_n36_v{v:03d}.wav", str(v)) for v in (40, 80, 127)]
    assert index.repeats == 3  # Room's three note-36 hits
    assert {k.licence for k in kicks} == {"MIT"}
    assert kicks[0].original == "usr/share/sounds/sf2/Fake_GM.sf2#bank128/prog0/note35"
    assert all(np.abs(k.audio[0]).max() > 0 for k in kicks)  # each starts at its onset


def test_renders_are_written_as_float_wav(tmp_path):
    tree = tmp_path / "fake-soundfont"
    (tree / "usr/share/sounds/sf2").mkdir(parents=True)
    (tree / "usr/share/sounds/sf2/Fake_GM.sf2").write_bytes(soundfont_bytes([("Standard", 0, 128)]))
    doc = tree / "usr/share/doc/fake-soundfont"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("Released under the MIT license.")
    kits = [Preset("Standard", 0, 128)]
    synth = FakeSynth(kits, {("Standard", 35): (50.0, 1.0), ("Standard", 36): (70.0, 1.0)})
    out = tmp_path / "corpus"
    build(out, {"fake-soundfont": tree}, synth, held_out=0.5)
    rows = read_sources(out)
    assert len(rows) == 6
    info = soundfile.info(out / rows[-1]["file"])
    assert (info.samplerate, info.subtype) == (SAMPLE_RATE, "FLOAT")
