#!/bin/sh
# Print the Python interpreter to build .venv with: one TensorFlow ships wheels for.
#
#   sh tools/pick_python.sh              # python3 if supported, else python3.13 ... python3.10 on PATH
#   sh tools/pick_python.sh python3.12   # that one, or fail
#
# On failure: one line on stderr naming the supported versions and how to choose one; exit 1.
# The range is the one in pyproject.toml (requires-python), README.md and environment.yml;
# tests/test_install.py checks that they agree.
SUPPORTED="3.10 3.11 3.12 3.13"
NEWEST_FIRST="3.13 3.12 3.11 3.10"

version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

supported() {
    case " $SUPPORTED " in *" $1 "*) return 0 ;; esac
    return 1
}

if [ -n "$1" ]; then
    v=$(version_of "$1")
    if [ -n "$v" ] && supported "$v"; then echo "$1"; exit 0; fi
    echo "gradlab needs Python 3.10-3.13 (TensorFlow has wheels for no other), but $1 is ${v:-not a working Python}: run e.g. make lab PYTHON=python3.12" >&2
    exit 1
fi

first=$(version_of python3)
if [ -n "$first" ] && supported "$first"; then echo python3; exit 0; fi
for v in $NEWEST_FIRST; do
    if [ "$(version_of "python$v")" = "$v" ]; then echo "python$v"; exit 0; fi
done
echo "gradlab needs Python 3.10-3.13 (TensorFlow has wheels for no other); python3 is ${first:-missing} and no python3.13...python3.10 is on PATH: install one, then run e.g. make lab PYTHON=python3.12" >&2
exit 1
