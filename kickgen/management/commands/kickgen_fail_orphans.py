"""Fail generation jobs left pending or running by a crashed or restarted server process.

Run before starting the server (the Procfile's release step); each process also runs the same
sweep on its first kickgen request.
"""

from django.core.management.base import BaseCommand

from kickgen.jobs.orphans import fail_orphaned_jobs


class Command(BaseCommand):
    help = "Fail generation jobs that no live server process holds any more."

    def handle(self, *args: object, **options: object) -> None:
        count = fail_orphaned_jobs(at_startup=True)
        self.stdout.write(f"Failed {count} orphaned generation job(s).")
