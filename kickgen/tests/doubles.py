"""A scripted generator backend for injecting faults into the job machinery.

It follows the `kickgen.generators.protocol.Generator` protocol and returns a real kick WAV (a
decaying sine sweep with a known tail note), so everything after the generator runs for real.
"""

import threading
import time

import numpy as np

from gpu.audio.wav import to_wav_bytes
from kickgen.generators.protocol import GenerationRequest, ProgressCallback

SAMPLE_RATE = 44100
TAIL_HZ = 43.65  # F1


def kick_audio(tail_hz: float = TAIL_HZ, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    frequency = tail_hz + (150.0 - tail_hz) * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(frequency) / SAMPLE_RATE
    return (0.9 * np.sin(phase) * np.exp(-t / 0.5)).astype(np.float32)


def kick_wav(tail_hz: float = TAIL_HZ) -> bytes:
    return to_wav_bytes(kick_audio(tail_hz))


class ScriptedGenerator:
    """Emits `steps` progress events, then returns a kick, raises `error` or stalls `delay` s."""

    def __init__(
        self,
        steps: int = 4,
        error: Exception | None = None,
        delay: float = 0.0,
        wav: bytes | None = None,
        step_interval: float = 0.0,
    ) -> None:
        self.steps = steps
        self.error = error
        self.delay = delay
        self.wav = wav
        self.step_interval = step_interval
        self.requests: list[GenerationRequest] = []
        self.release = threading.Event()
        self.release.set()

    def vocabulary(self) -> list[str]:
        return ["hit", "house", "deep", "punchy", "distorted"]

    def descriptor_ranges(self) -> dict[str, tuple[float, float]]:
        return {}  # a script makes whatever it is asked: the form's own ranges apply

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        self.requests.append(request)
        self.release.wait()
        for step in range(1, self.steps + 1):
            progress(step, self.steps)
            if self.step_interval:
                time.sleep(self.step_interval)
        if self.delay:
            deadline = time.monotonic() + self.delay
            while time.monotonic() < deadline:
                time.sleep(0.01)
                progress(self.steps, self.steps)
        if self.error is not None:
            raise self.error
        return self.wav if self.wav is not None else kick_wav()


class PacedGenerator(ScriptedGenerator):
    """For servers started with KICKGEN_BACKEND="kickgen.tests.doubles.PacedGenerator":
    20 progress events 25 ms apart, like a short diffusion run."""

    def __init__(self) -> None:
        super().__init__(steps=20, step_interval=0.025)
