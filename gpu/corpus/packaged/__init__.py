"""A corpus of real kick one-shots from free Debian packages (`python -m gpu.corpus.packaged`).

Sources: hydrogen drum kits (hydrogen-drumkits, hydrogen-data: every velocity layer of every
kick instrument), LMMS's kick samples (lmms-common), and the drum kits of free soundfonts
(fluid-soundfont-gm, musescore-general-soundfont-lossless, timgm6mb-soundfont,
csound-soundfont, avldrums.lv2-soundfont, opl3-soundfont), rendered with fluidsynth on GM
notes 35/36 at velocities 40/80/127. Packages are fetched with `apt-get download` and
unpacked with `dpkg-deb -x`: no root, nothing installed. sonic-pi-samples is reserved for
independent evaluation and always refused.

Licence policy: each file's licence is read from its package's Debian copyright file. Only
licences that allow shipping model weights trained on the files with attribution are kept —
GPL, CC0, CC-BY, CC-BY-SA, MIT-like, public domain; anything with NC or ND terms, or whose
licence cannot be determined, is left out and listed in the summary and README.md.

The corpus is split by kit ("<package>/<kit>", `gpu.corpus.split.held_out_mask`), kits with
a look-alike kick kept together, so the held-out side holds only kits the model never heard.
"""

from gpu.corpus.packaged.build import Summary, build
from gpu.corpus.packaged.debs import RESERVED_PACKAGES, ReservedPackageError

__all__ = ["RESERVED_PACKAGES", "ReservedPackageError", "Summary", "build"]
