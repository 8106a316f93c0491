"""Modal worker: app "kick-generator-app" with two classes on T4s.

Deploy:  modal deploy gpu/modal_app.py
Django:  modal.Cls.from_name("kick-generator-app", "KickBatchGenerator")().generate_kicks.remote(
             prompt=..., seed=..., note=..., decay_ms=..., punch=..., progress_key=...)
         modal.Cls.from_name("kick-generator-app", "KickGenerator")().vary_kick.remote(...)

"KickBatchGenerator" takes new kicks one call each and lets Modal gather concurrent calls (from
every web process) into one batch (``@modal.batched``), denoised together by
``KickPipeline.generate_batch``. Modal forbids other methods on a class with a batched one, and a
batched method can neither stream nor raise for one call alone (an exception fails the whole
batch), so: each call gets back {"wav": bytes} or {"error": message} for a request the model
cannot honour, and its denoising steps go to its own partition (``progress_key``) of the Queue
"kick-gen-progress", which the caller reads while it waits. "KickGenerator" keeps the unbatched
methods: variations (one source kick each, part-way down their own timestep grid), and the
single-kick ``generate_kick`` / ``generate_kick_stream``, which web processes older than the
batched class call until they restart.

``@modal.enter`` loads the pipeline once per container from the Hugging Face Hub repo named by
KICKGEN_HUB_REPO at the commit KICKGEN_HUB_REVISION (read at deploy time and baked into the
image's environment), downloading into the Volume "kick-gen-model-cache" at /cache so later
cold starts skip the download.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator

import modal

APP_NAME = "kick-generator-app"
CACHE = "/cache"
DEFAULT_REPO = "kickwithreverb/kick-gen-v2"
PROGRESS_QUEUE = "kick-gen-progress"
MAX_BATCH = 8
# How long a lone call waits for batch-mates: a few ms of a kick that takes ~50 ms on a T4.
BATCH_WAIT_MS = 20
# A caller that gave up leaves its partition behind; Modal clears it after this idle time.
PROGRESS_TTL_S = 600

logger = logging.getLogger(__name__)

app = modal.App(APP_NAME)
model_cache = modal.Volume.from_name("kick-gen-model-cache", create_if_missing=True)
progress_queue = modal.Queue.from_name(PROGRESS_QUEUE, create_if_missing=True)
image = (
    modal.Image.debian_slim(python_version="3.11")
    .pip_install(
        "torch==2.13.0",
        "torchaudio",
        "huggingface_hub==2.4.0",
        "safetensors>=0.4",
        "numpy>=1.26",
        "soundfile==0.13.1",  # gpu.audio.wav writes the kick's WAV bytes with it
    )
    .env(
        {
            "KICKGEN_HUB_REPO": os.environ.get("KICKGEN_HUB_REPO", DEFAULT_REPO),
            "KICKGEN_HUB_REVISION": os.environ.get("KICKGEN_HUB_REVISION", "main"),
        }
    )
    .add_local_python_source("gpu")
)


def hub_settings() -> dict:
    """Where the worker loads weights from: repo, pinned revision, cache folder."""
    return {
        "path_or_hub_repo": os.environ.get("KICKGEN_HUB_REPO", DEFAULT_REPO),
        "revision": os.environ.get("KICKGEN_HUB_REVISION") or None,
        "cache_dir": os.environ.get("KICKGEN_HUB_CACHE", f"{CACHE}/huggingface"),
    }


def load_pipeline():  # -> gpu.pipeline.KickPipeline
    """The pipeline on this container's GPU (CPU where there is none, as in tests)."""
    import torch

    from gpu.pipeline import KickPipeline

    device = "cuda" if torch.cuda.is_available() else "cpu"
    pipe = KickPipeline.from_pretrained(**hub_settings(), device=device)
    if not modal.is_local():
        model_cache.commit()  # keep the downloaded snapshot for the next cold start
    return pipe


class ProgressRelay:
    """Sends a batch's denoising steps to each caller's partition of the progress Queue.

    Each put is a network round trip, so a thread of its own sends them and keeps only the
    latest step: the sampler never waits on the network. Progress is best effort; a failed
    put ends the relaying, not the batch.
    """

    def __init__(self, progress: modal.Queue, keys: list[str]) -> None:
        self._queue = progress
        self._keys = keys
        self._latest: tuple[int, int] | None = None
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._send, name="progress-relay", daemon=True)
        self._thread.start()

    def report(self, step: int, total: int) -> None:
        with self._changed:
            self._latest = (step, total)
            self._changed.notify()

    def close(self, timeout: float | None = None) -> None:
        """Stop once the latest step is sent (waiting up to `timeout` s for that)."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        self._thread.join(timeout)

    def _send(self) -> None:
        sent = None
        while True:
            with self._changed:
                while self._latest == sent and not self._closed:
                    self._changed.wait()
                if self._latest == sent:
                    return
                sent = self._latest
            try:
                for key in self._keys:
                    self._queue.put(list(sent), partition=key, partition_ttl=PROGRESS_TTL_S)
            except Exception:
                logger.exception("progress relay stopped")
                return


@app.cls(image=image, gpu="T4", scaledown_window=300, timeout=600, volumes={CACHE: model_cache})
class KickBatchGenerator:
    @modal.enter()
    def load(self) -> None:
        self.pipe = load_pipeline()

    @modal.batched(max_batch_size=MAX_BATCH, wait_ms=BATCH_WAIT_MS)
    def generate_kicks(
        self,
        prompt: list[str],
        seed: list[int],
        note: list[str | None],
        decay_ms: list[float | None],
        punch: list[float | None],
        progress_key: list[str | None],
    ) -> list[dict]:
        """One new kick per call (Modal hands the batch's calls in as lists, one item each).

        Returns per call {"wav": bytes}, or {"error": message} when that call's request is one
        the model cannot honour (a PromptError), which fails only that call. Steps go to each
        call's `progress_key` partition of the progress Queue as [step, total].
        """
        rows = [
            {"prompt": p, "seed": s, "note": n, "decay_ms": d, "punch": u}
            for p, s, n, d, u in zip(prompt, seed, note, decay_ms, punch, strict=True)
        ]
        results: list[dict] = [{} for _ in rows]
        valid = []
        for index, error in enumerate(self.pipe.refusals(rows)):
            if error is None:
                valid.append(index)
            else:
                results[index] = {"error": str(error)}
        if not valid:
            return results
        relay = ProgressRelay(progress_queue, [progress_key[i] for i in valid if progress_key[i]])
        try:
            audio = self.pipe.generate_batch([rows[i] for i in valid], progress=relay.report)
        finally:
            relay.close(timeout=1.0)
        for index, kick in zip(valid, audio, strict=True):
            results[index] = {"wav": self.pipe.to_wav_bytes(kick)}
        return results


@app.cls(image=image, gpu="T4", scaledown_window=300, timeout=600, volumes={CACHE: model_cache})
class KickGenerator:
    @modal.enter()
    def load(self) -> None:
        self.pipe = load_pipeline()

    @modal.method()
    def generate_kick(
        self,
        prompt: str = "hit house",
        cfg_scale: float = 3.0,
        steps: int | None = None,
        seed: int | None = None,
        note: str | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
    ) -> bytes:
        audio = self.pipe.generate(
            prompt=prompt,
            seed=seed,
            steps=steps,
            cfg_scale=cfg_scale,
            note=note,
            decay_ms=decay_ms,
            punch=punch,
        )
        return self.pipe.to_wav_bytes(audio)

    @modal.method()
    def generate_kick_stream(
        self,
        prompt: str = "hit house",
        cfg_scale: float = 3.0,
        steps: int | None = None,
        seed: int | None = None,
        note: str | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
    ) -> Iterator[dict]:
        """Yields {"progress": [step, total]} as each denoising step finishes, then {"wav": bytes}.

        The pipeline runs in a thread and reports through a queue, so progress leaves the
        container while the kick is still being generated. That thread uses the caller's
        torch thread count, so the kick equals generate_kick's to the bit: a new thread takes
        the count last set anywhere in the process, the caller keeps its own, and sums split
        across another number of threads round differently.
        """
        import torch

        events: queue.Queue = queue.Queue()
        outcome: dict = {}
        threads = torch.get_num_threads()

        def run() -> None:
            try:
                torch.set_num_threads(threads)
                outcome["audio"] = self.pipe.generate(
                    prompt=prompt,
                    seed=seed,
                    steps=steps,
                    cfg_scale=cfg_scale,
                    note=note,
                    decay_ms=decay_ms,
                    punch=punch,
                    progress=lambda step, total: events.put([step, total]),
                )
            except Exception as error:  # re-raised in the caller's generator below
                outcome["error"] = error
            finally:
                events.put(None)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        while (event := events.get()) is not None:
            yield {"progress": event}
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        yield {"wav": self.pipe.to_wav_bytes(outcome["audio"])}

    @modal.method()
    def vary_kick(self, wav: bytes, strength: float = 0.5, seed: int | None = None) -> bytes:
        from gpu.audio.wav import read_wav_bytes

        audio, sample_rate = read_wav_bytes(wav)
        if sample_rate != 44_100:
            raise ValueError(f"vary_kick needs a 44.1 kHz WAV, got {sample_rate} Hz.")
        return self.pipe.to_wav_bytes(self.pipe.vary(audio, strength=strength, seed=seed))
