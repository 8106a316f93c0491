"""The whole app served by daphne in subprocesses, the way browser tests and measurements need it.

pytest-django's `live_server` is WSGI (no WebSockets), so the browser tests (root conftest.py),
the page measurement (`python -m testsupport.measure_page`) and kickgen's live tests
(kickgen/tests/live.py) start real daphne processes on free ports, over a file-based SQLite
database migrated first. The pieces below do that; two ways put them together:

- `serve`: one server with static files collected the way production serves them (WhiteNoise,
  hashed names, compressed copies), as pages are measured and driven in Chromium;
- `make_cluster`: one or more processes over one database (to test what crosses processes, e.g.
  channels-redis), static files from the finders: no collectstatic, so each test starts faster.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
SETTINGS_MODULE = "kwr_live_server_settings"


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API may hold a running event loop
    in the calling thread (browser tests earlier in the session), where asyncio.run refuses."""
    with ThreadPoolExecutor(1) as own_loop:
        return own_loop.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(workdir: Path, lines: Iterable[str] = ()) -> None:
    """Writes `workdir/<SETTINGS_MODULE>.py`: the test settings over `workdir/db.sqlite3`, plus
    `lines`.

    A file database (not in-memory) so that manage.py calls and every daphne process share it.
    """
    header = [
        f'"""Settings for daphne under test (written by {__name__})."""',
        "from kickwithreverb.settings_test import *  # noqa: F403",
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',",
        f"    'NAME': {str(workdir / 'db.sqlite3')!r}, 'OPTIONS': {{'timeout': 20}}}}}}",
        f"MEDIA_ROOT = {str(workdir / 'media')!r}",
        "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']",
    ]
    (workdir / f"{SETTINGS_MODULE}.py").write_text("\n".join([*header, *lines]) + "\n")


def production_static_lines(workdir: Path) -> list[str]:
    """Settings that serve collected static files as production does (run collectstatic first)."""
    return [
        f"STATIC_ROOT = {str(workdir / 'static')!r}",
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': ",
        "    'whitenoise.storage.CompressedManifestStaticFilesStorage'}}",
        "WHITENOISE_USE_FINDERS = False",
        "WHITENOISE_AUTOREFRESH = False",
    ]


def server_env(workdir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with `workdir/<SETTINGS_MODULE>.py` as the Django settings."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        **(extra or {}),
    }


def manage(env: Mapping[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs `manage.py <args>` with `env` (see `server_env`), capturing its output."""
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def spawn_daphne(env: Mapping[str, str], log_path: Path) -> tuple[str, subprocess.Popen]:
    """Starts daphne on a free port, output to `log_path`; returns its URL and process."""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "kickwithreverb.asgi:application"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return f"http://127.0.0.1:{port}", process


def log_tail(log_path: Path, chars: int = 4000) -> str:
    return log_path.read_text(errors="replace")[-chars:]


def wait_until_serving(
    url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = START_TIMEOUT_S
) -> None:
    """Waits until `url/health` answers; fails with the log if daphne exits or stays silent."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code == 503:  # serving, and reporting its database down
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"daphne did not answer within {timeout_s} s:\n{log_tail(log_path)}")


def stop(processes: Iterable[subprocess.Popen]) -> None:
    """Terminates the processes together; kills any that has not exited within 10 s."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class DaphneServer:
    """A running daphne process serving HTTP and WebSockets."""

    url: str
    workdir: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Runs `manage.py <args>` against the server's database and settings."""
        return manage(self.env, *args, check=check)

    def shell(self, code: str) -> str:
        """Runs Python in a Django shell against the server's database; returns its stdout."""
        return self.manage("shell", "--no-imports", "-c", code).stdout

    def log_tail(self, chars: int = 4000) -> str:
        return log_tail(self.log_path, chars)


@contextmanager
def serve(
    workdir: Path, settings_lines: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[DaphneServer]:
    """Migrates, collects static files and runs daphne in `workdir` until the block ends."""
    write_settings(workdir, [*production_static_lines(workdir), *settings_lines])
    full_env = server_env(workdir, extra={"DEBUG": "false", **(env or {})})
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, str(REPO_ROOT / "manage.py"), *args],
            cwd=REPO_ROOT,
            env=full_env,
            check=True,
        )
    log_path = workdir / "daphne.log"
    url, process = spawn_daphne(full_env, log_path)
    try:
        wait_until_serving(url, process, log_path)
        yield DaphneServer(url, workdir, full_env, log_path, process)
    finally:
        stop([process])


@dataclass
class LiveCluster:
    """Daphne processes over one database; `make_cluster` prepares one, `start` runs servers."""

    workdir: Path
    env: dict[str, str]
    urls: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        """Runs `manage.py <args>` against the cluster's database; returns its stdout."""
        return manage(self.env, *args).stdout

    def start(self, count: int) -> None:
        """Starts `count` more daphne processes and waits until each one serves."""
        started = []
        for _ in range(count):
            log_path = self.workdir / f"daphne-{len(self.processes)}.log"
            url, process = spawn_daphne(self.env, log_path)
            self.urls.append(url)
            self.processes.append(process)
            started.append((url, process, log_path))
        for url, process, log_path in started:
            wait_until_serving(url, process, log_path)

    def stop(self) -> None:
        stop(self.processes)


def make_cluster(
    workdir: Path, settings_lines: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> LiveCluster:
    """A migrated database in `workdir` with the test settings plus `settings_lines`; no process
    runs until `start`."""
    write_settings(workdir, settings_lines)
    cluster = LiveCluster(workdir, server_env(workdir, env))
    cluster.manage("migrate", "--noinput", "-v0")
    return cluster
