#!/bin/sh
# Print the Python interpreter to build .venv with: one TensorFlow ships wheels for.
#
#   sh tools/pick_python.sh              # python3 if supported, else python3.13 ... python3.10 on PATH
#   sh tools/pick_python.sh python3.12   # that one, or fail
#
# On failure: one line on stderr naming the supported versions and how to choose one (a Python
# that works here, never a guess), then what the interpreter itself said when it did not run
# (a pyenv shim for a version that is installed but not active explains itself); exit 1.
# The range is the one in pyproject.toml (requires-python), README.md and environment.yml;
# tests/test_install.py checks that they agree.
SUPPORTED="3.10 3.11 3.12 3.13"
NEWEST_FIRST="3.13 3.12 3.11 3.10"

version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# What running "$1" printed on stderr when it failed (a pyenv shim says why), indented.
why_not() {
    "$1" -c 'import sys' 2>&1 >/dev/null | while IFS= read -r line; do echo "    $line"; done
}

# The first supported interpreter that really runs: python3, then python3.13 ... python3.10.
first_working() {
    v=$(version_of python3)
    if [ -n "$v" ] && supported "$v"; then echo python3; return 0; fi
    for v in $NEWEST_FIRST; do
        if [ "$(version_of "python$v")" = "$v" ]; then echo "python$v"; return 0; fi
    done
    return 1
}

# A pyenv-installed interpreter for version $1 (e.g. 3.13) that pyenv does not put on PATH.
pyenv_interpreter() {
    root=$(pyenv root 2>/dev/null) || return 1
    for candidate in "$root"/versions/"$1".*/bin/python"$1"; do
        [ -x "$candidate" ] && [ "$(version_of "$candidate")" = "$1" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

supported() {
    case " $SUPPORTED " in *" $1 "*) return 0 ;; esac
    return 1
}

if [ -n "$1" ]; then
    v=$(version_of "$1")
    if [ -n "$v" ] && supported "$v"; then echo "$1"; exit 0; fi
    wanted=${1##*python}  # python3.13 or /path/to/python3.13 -> 3.13
    if [ -z "$v" ] && [ -n "$wanted" ] && supported "$wanted" && direct=$(pyenv_interpreter "$wanted"); then
        hint="pyenv has it but does not put it on PATH (below): run make lab PYTHON=$direct"
    elif working=$(first_working); then
        hint="run e.g. make lab PYTHON=$working"
    else
        hint="install one, then run make lab PYTHON=python3.X"
    fi
    echo "gradlab needs Python 3.10-3.13 (TensorFlow has wheels for no other), but $1 is ${v:-not a working Python}: $hint" >&2
    [ -z "$v" ] && why_not "$1" >&2
    exit 1
fi

first=$(version_of python3)
if [ -n "$first" ] && supported "$first"; then echo python3; exit 0; fi
for v in $NEWEST_FIRST; do
    if [ "$(version_of "python$v")" = "$v" ]; then echo "python$v"; exit 0; fi
done
echo "gradlab needs Python 3.10-3.13 (TensorFlow has wheels for no other); python3 is ${first:-missing} and no python3.13...python3.10 is on PATH: install one, then run e.g. make lab PYTHON=python3.12" >&2
exit 1
