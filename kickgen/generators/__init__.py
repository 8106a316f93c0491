"""Generator backends, one module each, behind one protocol.

`protocol` holds what every backend takes and returns; `local` runs the gpu pipeline in this
process with its batching model thread; `modal_client` calls the deployed Modal GPU worker;
`backend` builds the one KICKGEN_BACKEND names. Whatever goes wrong inside a backend surfaces
as an exception; `kickgen.jobs.processing` turns it into a failed job.
"""
