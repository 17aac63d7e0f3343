#!/bin/sh
# Install a requirement into a virtual environment: with uv when it can be had, else with pip.
#
#   INSTALLER=auto sh tools/install.sh .venv/bin/python '.[cpu,lab]'   # what `make lab` runs
#
# INSTALLER=auto (default) uses uv from the venv or PATH, or installs uv from PyPI into the venv
# (one small wheel), and falls back to pip when that fails; INSTALLER=uv requires uv;
# INSTALLER=pip uses pip only. The requirement is installed editable (-e) unless
# GRADLAB_NO_EDITABLE=1 (for a tool such as jupyter-repo2docker).
set -e
py=$1
spec=$2
installer=${INSTALLER:-auto}
bindir=$(dirname "$py")
editable=-e
[ "${GRADLAB_NO_EDITABLE:-}" = 1 ] && editable=
if [ -z "$py" ] || [ -z "$spec" ] || [ ! -x "$py" ]; then
    echo "usage: INSTALLER=auto|uv|pip sh tools/install.sh VENV/bin/python '.[extras]' (got python '$py')" >&2
    exit 2
fi

# uv reads no pip.conf; hand it the index settings pip gets from the environment.
if [ -n "${PIP_FIND_LINKS:-}" ] && [ -z "${UV_FIND_LINKS:-}" ]; then
    UV_FIND_LINKS=$(echo "$PIP_FIND_LINKS" | tr ' ' ','); export UV_FIND_LINKS
fi
if [ -n "${PIP_INDEX_URL:-}" ] && [ -z "${UV_DEFAULT_INDEX:-}" ]; then
    UV_DEFAULT_INDEX=$PIP_INDEX_URL; export UV_DEFAULT_INDEX
fi
if [ -n "${PIP_EXTRA_INDEX_URL:-}" ] && [ -z "${UV_INDEX:-}" ]; then
    # pip takes the best version from every index; uv's default would stop at the first.
    UV_INDEX=$PIP_EXTRA_INDEX_URL UV_INDEX_STRATEGY=${UV_INDEX_STRATEGY:-unsafe-best-match}
    export UV_INDEX UV_INDEX_STRATEGY
fi

find_uv() {
    if [ -n "${UV:-}" ] && [ -x "$UV" ]; then echo "$UV"; return 0; fi
    if [ -x "$bindir/uv" ]; then echo "$bindir/uv"; return 0; fi
    if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
    "$py" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 || return 1
    [ -x "$bindir/uv" ] && echo "$bindir/uv"
}

with_pip() {
    echo "installing $spec with pip"
    "$py" -m pip install --upgrade --quiet --disable-pip-version-check pip
    "$py" -m pip install --quiet --disable-pip-version-check $editable "$spec"
}

case "$installer" in
    pip) with_pip ;;
    uv|auto)
        if uv=$(find_uv); then
            echo "installing $spec with $uv"
            if "$uv" pip install --quiet --python "$py" $editable "$spec"; then exit 0; fi
            [ "$installer" = uv ] && exit 1
            echo "uv failed; trying pip" >&2
        elif [ "$installer" = uv ]; then
            echo "INSTALLER=uv but uv is neither on PATH nor installable with pip; use INSTALLER=pip" >&2
            exit 1
        fi
        with_pip ;;
    *) echo "INSTALLER must be auto, uv or pip, not '$installer'" >&2; exit 2 ;;
esac
