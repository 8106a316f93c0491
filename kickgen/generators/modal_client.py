"""The Modal backend: the client of the deployed GPU worker (gpu/modal_app.py), relaying its
progress from a modal Queue while the call runs."""

import json
import queue
import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

from gpu.prompt import PromptError
from kickgen.generators.protocol import (
    DescriptorRanges,
    GenerationRequest,
    ProgressCallback,
    ranges_from_config,
)

MODAL_APP = "kick-generator-app"
MODAL_CLASS = "KickGenerator"
MODAL_BATCH_CLASS = "KickBatchGenerator"
MODAL_PROGRESS_QUEUE = "kick-gen-progress"
PROGRESS_POLL_S = 0.25
PROGRESS_READ = 100


class ModalGenerator:
    """The deployed Modal worker (gpu/modal_app.py).

    A new kick is one call to the batched class: Modal gathers the calls of every web process
    into batches on its GPUs, and each call returns only its own kick (or its own PromptError).
    Its denoising steps come back through its own partition of the progress Queue, read while
    the call runs. Variations go one by one to the unbatched class.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: dict[str, Any] = {}
        self._progress = None

    def _worker(self, class_name: str):  # -> a modal Obj of that class
        with self._lock:
            if class_name not in self._workers:
                import modal

                self._workers[class_name] = modal.Cls.from_name(MODAL_APP, class_name)()
            return self._workers[class_name]

    def worker(self):  # -> a modal Obj of KickGenerator
        return self._worker(MODAL_CLASS)

    def batch_worker(self):  # -> a modal Obj of KickBatchGenerator
        return self._worker(MODAL_BATCH_CLASS)

    def progress_queue(self):  # -> modal.Queue
        with self._lock:
            if self._progress is None:
                import modal

                self._progress = modal.Queue.from_name(MODAL_PROGRESS_QUEUE, create_if_missing=True)
            return self._progress

    def vocabulary(self) -> list[str]:
        """The words of the weights the worker serves; the training vocabulary without them."""
        words = _published_file("vocabulary.json")
        if words is None:
            from gpu.corpus.synth import KEYWORDS

            return list(KEYWORDS)
        return list(json.loads(words))

    def descriptor_ranges(self) -> DescriptorRanges:
        """The ranges of the weights the worker serves; without them the page keeps its own."""
        config = _published_file("config.json")
        return {} if config is None else ranges_from_config(config)

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        if request.is_variation:
            vary = self.worker().vary_kick
            return vary.remote(request.source_wav, request.strength, request.seed)
        key = uuid.uuid4().hex
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def call() -> None:
            try:
                outcome["result"] = self.batch_worker().generate_kicks.remote(
                    **request.model_kwargs(), progress_key=key
                )
            except Exception as exc:  # re-raised by the waiting thread below
                outcome["error"] = exc
            finally:
                finished.set()

        # The call blocks; this thread relays the call's progress meanwhile. A job that gives up
        # stops it through `progress`; a call that hangs ends at the worker's own timeout.
        threading.Thread(target=call, name="kickgen-modal-call", daemon=True).start()
        self._relay_progress(key, finished, progress)
        finished.wait()
        if "error" in outcome:
            raise outcome["error"]
        result = outcome["result"]
        if "error" in result:
            raise PromptError(result["error"])
        return result["wav"]

    def _relay_progress(
        self, key: str, finished: threading.Event, progress: ProgressCallback
    ) -> None:
        """Report [step, total] events from the key's partition until the last step arrives
        (the worker sends it before it returns) or the call ends without it (an error). A call
        that ends between two reads has put all its steps: one last read, without waiting,
        relays them rather than leaving the job at step 0."""
        events = self.progress_queue()
        while True:
            ended = finished.is_set()
            try:
                if ended:
                    batch = events.get_many(PROGRESS_READ, block=False, partition=key)
                else:
                    batch = events.get_many(PROGRESS_READ, timeout=PROGRESS_POLL_S, partition=key)
            except queue.Empty:
                continue
            for step, total in batch:
                progress(int(step), int(total))
                if step == total:
                    return
            if ended:
                return


def _published_file(name: str) -> str | None:
    """A file of the weights folder the Hub weights the worker serves are published from
    (KICKGEN_MODEL_PATH), or None where this process has no such folder."""
    path = Path(settings.KICKGEN_MODEL_PATH) / name
    return path.read_text(encoding="utf-8") if path.is_file() else None
