"""Running generation jobs, one module per responsibility.

A job row is created (and the quota reserved) by `kickgen.limits.reserve_generation`.
`runner.submit` hands it to this process's bounded pool; `processing.process_job` runs it, with
the generator under `timeouts.call_with_timeout`; `failures` holds what a failed job tells its
member; `orphans` fails the jobs a crash or restart left behind. Each step is announced by a
plain signal of `signals`: nothing here renders HTML, `kickgen.live_status` does.
"""
