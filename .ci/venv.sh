# Sourced by .ci/serve and .ci/test: create .venv if needed and install the project into it.
# Usage: ensure_venv ""      runtime dependencies only
#        ensure_venv "[dev]" runtime + test/lint tools
# The install is skipped when pyproject.toml is unchanged since the last one that succeeded with
# these extras (or, for a runtime install, with any extras): a stamp in .venv records its hash.
# The project is installed editable, so changes to the code itself need no reinstall.

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

    local tag="${extras//[^a-z0-9]/}"
    local stamp=".venv/kwr-install${tag:+-$tag}.stamp"
    local wanted
    wanted="$(sha256sum pyproject.toml | cut -d ' ' -f 1)"
    local candidates=("$stamp")
    [ -z "$tag" ] && candidates=(.venv/kwr-install*.stamp)
    local candidate
    for candidate in "${candidates[@]}"; do
        if [ -f "$candidate" ] && [ "$(cat "$candidate")" = "$wanted" ]; then
            echo "Dependencies up to date (pyproject.toml unchanged since the last install)."
            return 0
        fi
    done

    # PyPI's Linux torch wheel pulls in CUDA (gigabytes); prefer the CPU build unless pip is
    # already configured with another source (a wheel cache or a mirror).
    if ! .venv/bin/python -c 'import torch' 2>/dev/null \
        && [ -z "${PIP_EXTRA_INDEX_URL:-}" ] \
        && [ -z "$(.venv/bin/pip config get global.extra-index-url 2>/dev/null)" ]; then
        export PIP_EXTRA_INDEX_URL="https://download.pytorch.org/whl/cpu"
    fi
    echo "Installing the project and its dependencies into .venv (pip install -e '.${extras}')."
    echo "The first time this fetches several hundred MB (torch among them) and takes minutes;" \
        "later starts skip it until pyproject.toml changes."
    rm -f "$stamp"
    local started=$SECONDS
    # Not --quiet: pip reports each package as it collects, downloads and installs it.
    .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras}"
    echo "$wanted" >"$stamp"
    echo "Installed in $((SECONDS - started)) s."
}
