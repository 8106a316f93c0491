"""The backend this process generates with: the one KICKGEN_BACKEND names, built once.

Apart from the backends so that choosing one (and forgetting it when settings change in tests)
does not tie any backend to the others.
"""

import os
import threading
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from kickgen.generators.local import LocalGenerator
from kickgen.generators.modal_client import ModalGenerator
from kickgen.generators.protocol import Generator

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
