"""The local backend: the gpu KickPipeline in this process, one model thread batching the
requests that wait for it.

Holds the batching (which requests run together, how long to wait for clicks arriving together,
who gets which kick or error) because it exists only for this backend.
"""

import json
import threading
import time
from dataclasses import dataclass, field

from kickgen.generators.protocol import (
    DescriptorRanges,
    GenerationRequest,
    ProgressCallback,
    ranges_from_config,
)

# Kicks the local model denoises together; a batch of 8 costs about half per kick of one alone.
MAX_BATCH = 8
# The local model's gathering of simultaneous clicks into one batch (LocalGenerator._gather).
GATHER_QUIET_S = 0.025
# Once two clicks wait, a burst is arriving: requests of 8 members reach the model thread up
# to ~50 ms apart on 2 busy cores (the bench: 8 members at 25 ms split into 2–3 batches,
# median 604 ms; at 60 ms one batch, 498 ms), while a lone click keeps the short wait.
GATHER_BURST_QUIET_S = 0.06
GATHER_MAX_S = 0.15


class _Abandoned(Exception):
    """Raised through the sampler when no request of a batch is still waiting."""


@dataclass(eq=False)
class _Pending:
    """One caller's request in the local model's queue, and what it gets back."""

    request: GenerationRequest
    progress: ProgressCallback
    done: threading.Event = field(default_factory=threading.Event)
    wav: bytes | None = None
    error: BaseException | None = None

    def succeed(self, wav: bytes) -> None:
        self.wav = wav
        self.done.set()

    def fail(self, error: BaseException) -> None:
        if not self.done.is_set():
            self.error = error
            self.done.set()


def _report(waiting: list[_Pending], step: int, total: int) -> list[_Pending]:
    """Call each request's progress callback; those that raise (cancelled) fail with it.
    Returns the requests still waiting."""
    still = []
    for pending in waiting:
        try:
            pending.progress(step, total)
        except Exception as exc:
            pending.fail(exc)
            continue
        still.append(pending)
    return still


class LocalGenerator:
    """The gpu KickPipeline in this process, loaded once on first use and shared by all jobs.

    The pipeline is not reentrant, so one model thread runs it for every caller. Callers wait
    in a queue; whenever the model is free it takes the first waiting requests and denoises
    them as one batch (up to `max_batch`; on 2 CPU cores 8 kicks cost ~45 ms each against
    ~90–110 ms one at a time). Each request keeps its own progress callback, result and error:
    a bad request (PromptError) fails alone before the batch runs, and a request whose progress
    callback raises (a timed-out job cancelling) drops out while its batch-mates carry on.
    "More like this" requests run alone: they start part-way down their own timestep grid from
    an encoded source, so they cannot share a denoising loop with new kicks, and they are rare.
    """

    def __init__(
        self,
        model_path: str,
        hub_revision: str | None = None,
        threads: int | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}.")
        self.model_path = model_path
        self.hub_revision = hub_revision
        self.threads = threads
        self.max_batch = max_batch
        self._pipeline = None
        self._load_lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._queue_changed = threading.Condition()
        self._model_thread: threading.Thread | None = None

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
        return list(json.loads(self._weights_file("vocabulary.json")))

    def descriptor_ranges(self) -> DescriptorRanges:
        """What the model was trained on (config.json), so the page offers nothing it refuses."""
        if self._pipeline is not None:
            return {name: (lo, hi) for name, (lo, hi) in self._pipeline.ranges.items()}
        return ranges_from_config(self._weights_file("config.json"))

    def _weights_file(self, name: str) -> str:
        from gpu.weights_io.hub import resolve_weights

        folder = resolve_weights(self.model_path, self.hub_revision)
        return (folder / name).read_text(encoding="utf-8")

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        """Queue the request for the model thread and wait for this request's own kick."""
        self.pipeline()  # a loading failure belongs to the caller, not to the model thread
        pending = _Pending(request, progress)
        with self._queue_changed:
            self._queue.append(pending)
            if self._model_thread is None:
                self._model_thread = threading.Thread(
                    target=self._serve, name="kickgen-model", daemon=True
                )
                self._model_thread.start()
            self._queue_changed.notify()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.wav is not None
        return pending.wav

    def _serve(self) -> None:
        while True:
            with self._queue_changed:
                while not self._queue:
                    self._queue_changed.wait()
                self._gather()
                batch = self._next_batch()
            try:
                if batch[0].request.is_variation:
                    self._vary(batch[0])
                else:
                    self._generate_batch(batch)
            except Exception as exc:  # the batch's waiters get it; the model thread lives on
                for pending in batch:
                    pending.fail(exc)

    def _gather(self) -> None:
        """Members who click together reach the server one request after another (a few ms
        apart): while they keep arriving, wait for them, so they share one batch instead of the
        first running alone ahead of the rest. A lone click waits GATHER_QUIET_S at most; once
        two wait, each next one is waited for GATHER_BURST_QUIET_S."""
        deadline = time.monotonic() + GATHER_MAX_S
        while len(self._queue) < self.max_batch:
            seen = len(self._queue)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            quiet = GATHER_QUIET_S if seen < 2 else GATHER_BURST_QUIET_S
            self._queue_changed.wait(min(quiet, remaining))
            if len(self._queue) == seen:
                return

    def _next_batch(self) -> list[_Pending]:
        """A variation at the head runs alone; otherwise the first `max_batch` new kicks in
        arrival order (variations behind them keep their place at the head)."""
        if self._queue[0].request.is_variation:
            return [self._queue.pop(0)]
        batch = [p for p in self._queue if not p.request.is_variation][: self.max_batch]
        self._queue = [p for p in self._queue if p not in batch]
        return batch

    def _vary(self, pending: _Pending) -> None:
        from gpu.audio.wav import read_wav_bytes
        from gpu.pipeline import KickPipeline

        request = pending.request
        source, _ = read_wav_bytes(request.source_wav)
        audio = self.pipeline().vary(
            source, strength=request.strength, seed=request.seed, progress=pending.progress
        )
        pending.succeed(KickPipeline.to_wav_bytes(audio))

    def _generate_batch(self, batch: list[_Pending]) -> None:
        from gpu.pipeline import KickPipeline

        pipe = self.pipeline()
        kwargs = [pending.request.model_kwargs() for pending in batch]
        rows, asked = [], []
        for pending, row, error in zip(batch, kwargs, pipe.refusals(kwargs), strict=True):
            if error is None:
                rows.append(pending)
                asked.append(row)
            else:
                pending.fail(error)
        if not rows:
            return
        waiting = list(rows)

        def progress(step: int, total: int) -> None:
            # A job that gave up (timed out) drops out at its next step; its row is still
            # computed with the others, which costs less than rebuilding the batch.
            waiting[:] = _report(waiting, step, total)
            if not waiting:
                raise _Abandoned  # every waiter is gone: stop spending the CPU on them

        try:
            audio = pipe.generate_batch(asked, progress=progress)  # (B, 88200)
        except _Abandoned:
            return
        for pending, kick in zip(rows, audio, strict=True):
            if pending in waiting:
                pending.succeed(KickPipeline.to_wav_bytes(kick))
