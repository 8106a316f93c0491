"""Training corpora: the procedural synthesizer, sample folders, and their split."""

from gpu.corpus.corpus import Corpus

__all__ = ["Corpus"]
