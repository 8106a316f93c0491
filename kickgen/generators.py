"""Generator backends: the gpu pipeline in-process ("local") or the Modal GPU worker ("modal").

Both take a `GenerationRequest` and a progress callback and return WAV bytes. Whatever goes
wrong inside a backend surfaces as an exception; `kickgen.jobs` turns it into a failed job.
"""

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

ProgressCallback = Callable[[int, int], None]

MODAL_APP = "kick-generator-app"
MODAL_CLASS = "KickGenerator"
DEFAULT_KEYWORDS = "hit house"
VARY_STRENGTH = 0.5


@dataclass(frozen=True)
class GenerationRequest:
    """What the member asked for; `source_wav` is set for "More like this" (vary)."""

    keywords: str
    seed: int
    note: str = ""
    decay_ms: int | None = None
    punch: float | None = None
    source_wav: bytes | None = None
    strength: float = VARY_STRENGTH

    @property
    def is_variation(self) -> bool:
        return self.source_wav is not None

    def model_kwargs(self) -> dict[str, Any]:
        return {
            "prompt": self.keywords,
            "seed": self.seed,
            "note": self.note or None,
            "decay_ms": self.decay_ms,
            "punch": self.punch,
        }


class Generator(Protocol):
    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes: ...

    def vocabulary(self) -> list[str]: ...


class LocalGenerator:
    """The gpu KickPipeline in this process, loaded once on first use and shared by all jobs.

    The pipeline is not reentrant, so calls take turns; the job pool's size bounds the queue.
    """

    def __init__(
        self, model_path: str, hub_revision: str | None = None, threads: int | None = None
    ) -> None:
        self.model_path = model_path
        self.hub_revision = hub_revision
        self.threads = threads
        self._pipeline = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def pipeline(self):  # -> gpu.pipeline.KickPipeline
        if self._pipeline is None:
            with self._load_lock:
                if self._pipeline is None:
                    from gpu.pipeline import KickPipeline

                    self._pipeline = KickPipeline.from_pretrained(
                        self.model_path, revision=self.hub_revision, threads=self.threads
                    )
        return self._pipeline

    def warm_up(self) -> None:
        """Load the pipeline in the background (torch's import alone takes a second or more)."""
        if self._pipeline is None and not self._load_lock.locked():
            threading.Thread(target=self.pipeline, name="kickgen-warm-up", daemon=True).start()

    def vocabulary(self) -> list[str]:
        """The model's keywords, read from its weights folder without waiting for torch."""
        if self._pipeline is not None:
            return list(self._pipeline.vocabulary)
        self.warm_up()
        from gpu.hub import resolve_weights

        folder = resolve_weights(self.model_path, self.hub_revision)
        return list(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        from gpu.pipeline import KickPipeline
        from gpu.wav import read_wav_bytes

        pipe = self.pipeline()
        with self._run_lock:
            if request.is_variation:
                source, _ = read_wav_bytes(request.source_wav)
                audio = pipe.vary(
                    source, strength=request.strength, seed=request.seed, progress=progress
                )
            else:
                audio = pipe.generate(**request.model_kwargs(), progress=progress)
        return KickPipeline.to_wav_bytes(audio)


class ModalGenerator:
    """The deployed Modal worker; streams diffusion progress from `generate_kick_stream`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._worker = None

    def worker(self):  # -> a modal Obj of KickGenerator
        with self._lock:
            if self._worker is None:
                import modal

                self._worker = modal.Cls.from_name(MODAL_APP, MODAL_CLASS)()
            return self._worker

    def vocabulary(self) -> list[str]:
        from gpu.corpus.synth import KEYWORDS

        return list(KEYWORDS)

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        worker = self.worker()
        if request.is_variation:
            return worker.vary_kick.remote(request.source_wav, request.strength, request.seed)
        wav = None
        for event in worker.generate_kick_stream.remote_gen(**request.model_kwargs()):
            if "progress" in event:
                step, total = event["progress"]
                progress(int(step), int(total))
            elif "wav" in event:
                wav = event["wav"]
        if wav is None:
            raise RuntimeError("The Modal worker's stream ended without a kick.")
        return wav


_generator_lock = threading.Lock()


def get_generator() -> Generator:
    """The backend chosen by KICKGEN_BACKEND, one per process: "local", "modal", or the dotted
    path of a class implementing `Generator` (built without arguments)."""
    # The page render and a first generate request can arrive together; without the lock both
    # would build a backend, and the local one loads the model.
    with _generator_lock:
        return _configured_generator()


@cache
def _configured_generator() -> Generator:
    backend = settings.KICKGEN_BACKEND
    if backend == "modal":
        return ModalGenerator()
    if "." in backend:
        return import_string(backend)()
    if backend != "local":
        raise ValueError(
            f'KICKGEN_BACKEND must be "local", "modal" or a dotted class path, not {backend!r}.'
        )
    source = settings.KICKGEN_HUB_REPO or settings.KICKGEN_MODEL_PATH
    revision = settings.KICKGEN_HUB_REVISION if settings.KICKGEN_HUB_REPO else None
    return LocalGenerator(source, revision, torch_threads())


def torch_threads() -> int:
    """Torch threads for the in-process model: half the cores, leaving the rest to the server.

    Measured on a busy 2-core machine: one thread generates in ~60 ms every time, two threads
    fighting other processes for the cores take 0.2–1.3 s.
    """
    return settings.KICKGEN_TORCH_THREADS or max(1, (os.cpu_count() or 2) // 2)


@receiver(setting_changed)
def _forget_generator(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("KICKGEN_"):
        _configured_generator.cache_clear()
