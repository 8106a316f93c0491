"""What a job announces as it moves: plain Django signals carrying ids and numbers, no HTML.

The runner is the lower layer: it says what happened and `kickgen.live_status` decides how a
member sees it, so the runner never imports the fragments. Each is sent with
`sender=GenerationJob`. Receivers run on the sending thread (a job's or the generator's), and
what they raise reaches the sender as a direct call's would.
"""

from django.dispatch import Signal

# user_id, job_id, ahead: the kicks generated before this waiting job's start (over 0).
job_queued = Signal()
# user_id, job_id, ahead: kicks still before it (a batching backend's started job may wait),
# else 0 or None.
job_started = Signal()
# user_id, job_id, step, total: one denoising step of the job's kick.
job_progress = Signal()
# user_id, job_id, kick: the job's GeneratedKick, saved.
job_done = Signal()
# user_id, job_id, message: the job ended failed; `message` is what the member reads.
job_failed = Signal()
