"""Running a job's generator under its time limit.

Apart from the job's processing because it owns the threading: the generator runs in a thread
of its own so the job thread can give up at the deadline, keep the database writes to itself
meanwhile, and have the generator stop at its next step instead of computing for nobody.
"""

import threading
import time
from collections.abc import Callable

from kickgen.jobs.failures import MSG_TIMEOUT, JobFailure

PROGRESS_WRITE_S = 0.5


class GenerationCancelled(Exception):
    """Raised into a timed-out generation at its next progress step, to free the CPU."""


def call_with_timeout(
    call: Callable[[threading.Event], bytes],
    seconds: float,
    on_wait: Callable[[], None],
) -> bytes:
    """Run `call` in its own thread; give up after `seconds` and tell it to stop.

    The waiting (job) thread calls `on_wait` about every PROGRESS_WRITE_S: the database stays on
    the job thread, the generator thread only computes and reports progress.
    """
    outcome: dict[str, object] = {}
    finished = threading.Event()
    cancel = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = call(cancel)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=target, name="kickgen-generate", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not finished.wait(min(PROGRESS_WRITE_S, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            cancel.set()
            raise JobFailure(MSG_TIMEOUT.format(seconds=seconds))
        on_wait()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
