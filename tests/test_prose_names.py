"""Every ``gradlab.…`` name the notebooks' prose tells a student to type works after ``import gradlab``.

A teacher's read found "`gradlab.dual.Dual` is the same idea" in notebook 08, while that name
raised AttributeError (the submodule was never imported). The class of bug: prose naming an
API path that only works in the author's session. So every dotted gradlab name in every
notebook's markdown is resolved here, in a fresh interpreter that only ran ``import gradlab``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"`(gradlab(?:\.[A-Za-z_]\w*)+)")


def names_in_prose() -> set[str]:
    names: set[str] = set()
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                names |= set(NAME.findall("".join(cell["source"])))
    return names


def test_every_gradlab_name_in_the_prose_resolves_after_import_gradlab():
    names = sorted(names_in_prose())
    assert "gradlab.dual.Dual" in names or len(names) >= 5  # the search finds the prose's names
    code = ("import functools, gradlab\n"
            f"for name in {names!r}:\n"
            "    parts = name.split('.')[1:]\n"
            "    try:\n"
            "        functools.reduce(getattr, parts, gradlab)\n"
            "    except AttributeError as error:\n"
            "        print('MISSING', name, error)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "MISSING" not in done.stdout, done.stdout


def test_submodules_are_attributes_but_unknown_names_still_raise():
    code = ("import gradlab\n"
            "print(gradlab.dual.exp.__name__, 'dual' in dir(gradlab))\n"
            "try:\n    gradlab.nonsense\nexcept AttributeError as e:\n    print('raised', e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.stdout.splitlines() == ["exp True", "raised module 'gradlab' has no attribute 'nonsense'"], done
