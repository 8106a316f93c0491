"""Modal worker: app "kick-generator-app", class "KickGenerator" on a T4.

Deploy:  modal deploy gpu/modal_app.py
Django:  modal.Cls.from_name("kick-generator-app", "KickGenerator")().generate_kick.remote(...)

``@modal.enter`` loads the pipeline once per container from the Hugging Face Hub repo named by
KICKGEN_HUB_REPO at the commit KICKGEN_HUB_REVISION (read at deploy time and baked into the
image's environment), downloading into the Volume "kick-gen-model-cache" at /cache so later
cold starts skip the download.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator

import modal

APP_NAME = "kick-generator-app"
CACHE = "/cache"
DEFAULT_REPO = "kickwithreverb/kick-gen-v2"

app = modal.App(APP_NAME)
model_cache = modal.Volume.from_name("kick-gen-model-cache", create_if_missing=True)
image = (
    modal.Image.debian_slim(python_version="3.11")
    .pip_install(
        "torch==2.13.0",
        "torchaudio",
        "huggingface_hub==2.4.0",
        "safetensors>=0.4",
        "numpy>=1.26",
        "soundfile==0.13.1",  # gpu.wav writes the kick's WAV bytes with it
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


@app.cls(image=image, gpu="T4", scaledown_window=300, timeout=600, volumes={CACHE: model_cache})
class KickGenerator:
    @modal.enter()
    def load(self) -> None:
        import torch

        from gpu.pipeline import KickPipeline

        device = "cuda" if torch.cuda.is_available() else "cpu"
        self.pipe = KickPipeline.from_pretrained(**hub_settings(), device=device)
        if not modal.is_local():
            model_cache.commit()  # keep the downloaded snapshot for the next cold start

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
        container while the kick is still being generated.
        """
        events: queue.Queue = queue.Queue()
        outcome: dict = {}

        def run() -> None:
            try:
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
        from gpu.wav import read_wav_bytes

        audio, sample_rate = read_wav_bytes(wav)
        if sample_rate != 44_100:
            raise ValueError(f"vary_kick needs a 44.1 kHz WAV, got {sample_rate} Hz.")
        return self.pipe.to_wav_bytes(self.pipe.vary(audio, strength=strength, seed=seed))
