"""The README's run command: `.ci/serve` installs only when pyproject.toml changed (a stamp in
.venv, .ci/venv.sh), and the server it starts logs each request once."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from testsupport.live_server import free_port

REPO = Path(__file__).resolve().parents[2]

# Stands in for .venv/bin/python: records each call; `-c 'import torch'` succeeds, so no index
# is added; `-m pip install` "installs".
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../../calls.log"
"""


def ensure_venv(project: Path, extras: str) -> str:
    """Runs .ci/venv.sh's ensure_venv in `project`; returns its output."""
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f'source .ci/venv.sh; ensure_venv "{extras}"'],
        cwd=project,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def pip_installs(project: Path) -> list[str]:
    log = project / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if line.startswith("-m pip install")]


def test_install_runs_once_until_pyproject_changes(tmp_path):
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "venv.sh", project / ".ci" / "venv.sh")
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)

    assert "Installing the project" in ensure_venv(project, "")
    assert pip_installs(project) == ["-m pip install --disable-pip-version-check -e ."]
    assert "up to date" in ensure_venv(project, "")
    assert len(pip_installs(project)) == 1

    # The dev extra is not covered by a runtime install; a dev install covers both.
    ensure_venv(project, "[dev]")
    assert pip_installs(project)[-1].endswith("-e .[dev]")
    assert "up to date" in ensure_venv(project, "[dev]")
    assert len(pip_installs(project)) == 2

    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# a changed dependency\n")
    ensure_venv(project, "")
    assert len(pip_installs(project)) == 3
    assert "up to date" in ensure_venv(project, "")


def test_the_development_server_logs_each_request_once(tmp_path):
    """`.ci/serve`'s server (runserver with DEBUG on) prints one line per request."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kickwithreverb.settings",
        "DEBUG": "true",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the autoreloader's child goes with the group
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except OSError as error:
                if time.monotonic() > deadline or server.poll() is not None:
                    log = log_path.read_text()
                    raise AssertionError(f"runserver did not answer:\n{log}") from error
                time.sleep(0.3)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health?once", timeout=5).close()
        deadline = time.monotonic() + 10
        while "/health?once" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    output = log_path.read_text()
    assert output.count("GET /health?once") == 1, output
    assert output.count("Listening on TCP address") == 1, output
