from django.apps import AppConfig


class KickgenConfig(AppConfig):
    """AI Kick Gen mode.

    Jobs left pending or running by a crash are failed on each process's first kickgen request
    or WebSocket connection, then by later ones once their heartbeat is stale
    (`kickgen.jobs.orphans.sweep_orphans`), and by the `kickgen_fail_orphans` command; not in
    `ready()`: ready() also runs for `migrate` on an empty database, where the jobs table does
    not exist yet.
    """

    name = "kickgen"
    verbose_name = "AI kick generation"

    def ready(self) -> None:
        # Connect the receivers: files of kicks deleted by cascade, sockets of ended sessions,
        # members' live job status.
        from kickgen import live_status, sessions, signals  # noqa: F401
