# Sourced by .ci/serve and .ci/test: create or refresh .venv and install the project into it.
# Usage: ensure_venv ""      runtime dependencies only
#        ensure_venv "[dev]" runtime + test/lint tools

ensure_venv() {
    local extras="$1"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))." >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "Creating .venv with $python"
        "$python" -m venv .venv
    fi
    # PyPI's Linux torch wheel pulls in CUDA (gigabytes); prefer the CPU build unless pip is
    # already configured with another source (a wheel cache or a mirror).
    if ! .venv/bin/python -c 'import torch' 2>/dev/null \
        && [ -z "${PIP_EXTRA_INDEX_URL:-}" ] \
        && [ -z "$(.venv/bin/pip config get global.extra-index-url 2>/dev/null)" ]; then
        export PIP_EXTRA_INDEX_URL="https://download.pytorch.org/whl/cpu"
    fi
    echo "Installing the project into .venv (pip install -e '.${extras}')"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
}
