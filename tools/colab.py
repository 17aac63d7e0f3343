"""The Colab badge and the set-up cell of each notebook, from the repository URL in pyproject.toml.

    python tools/colab.py          # check every notebook; exit 1 listing what is off
    python tools/colab.py --fix    # rewrite badges and set-up cells (py twin and .ipynb) to match

The install source lives in one place: [project.urls] Repository in pyproject.toml. The set-up
cell is the first code cell of every notebook, the same text everywhere:

- on Colab (and only there) it installs gradlab from that repository, never TensorFlow, which
  Colab ships; when the install fails it prints one line saying what to do, not a traceback;
- everywhere, it loads TensorFlow through ``gradlab.import_tensorflow()``, which keeps
  TensorFlow's C++ start-up log out of the notebook whatever started the kernel, so the
  lesson's own ``import tensorflow as tf`` prints nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the dev extra brings tomli
    import tomli as tomllib

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)")
#: The first code cell of a py:percent twin: from a bare `# %%` line to the next cell marker.
SETUP_RE = re.compile(r"(?ms)^# %%\n(.*?)\n*(?=^# %%)")

SETUP_CELL = '''\
# Set-up. On Colab: installs gradlab (Colab already has TensorFlow). Everywhere: loads
# TensorFlow once, keeping its C++ start-up log out of this notebook.
import importlib.util
import subprocess
import sys

GRADLAB = "{spec}"
pip_said = ""
if "google.colab" in sys.modules and importlib.util.find_spec("gradlab") is None:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", GRADLAB], capture_output=True, text=True)
    pip_said = f" (pip: {{pip.stderr.strip().splitlines()[-1]}})" if pip.returncode and pip.stderr.strip() else ""
    importlib.invalidate_caches()
try:
    import gradlab
except ImportError:
    print(f'gradlab is not installed{{pip_said}}. Install it: pip install "{{GRADLAB}}", then run this cell again.')
else:
    gradlab.import_tensorflow()'''


def repository_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["urls"]["Repository"].rstrip("/")


def badge_target(notebook: Path, repo: str | None = None) -> str:
    """Where a notebook's badge must point: Colab opening that notebook on GitHub's main branch."""
    repo = repo or repository_url()
    slug = repo.removeprefix("https://github.com/")
    relative = notebook.resolve().relative_to(ROOT).with_suffix(".ipynb").as_posix()
    return f"https://colab.research.google.com/github/{slug}/blob/main/{relative}"


def badge(notebook: Path) -> str:
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({badge_target(notebook)})")


def install_spec() -> str:
    """What the set-up cell installs on Colab: gradlab from the repository, no TensorFlow."""
    return f"gradlab @ git+{repository_url()}"


def setup_cell(spec: str | None = None) -> str:
    """The set-up cell's source, installing `spec` (by default :func:`install_spec`) on Colab."""
    return SETUP_CELL.format(spec=spec or install_spec())


def _setup_source(py_twin: Path) -> str | None:
    match = SETUP_RE.search(py_twin.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def problems(py_twin: Path) -> list[str]:
    """What is off in a twin (and its .ipynb, when there is one): badge target, set-up cell."""
    text = py_twin.read_text(encoding="utf-8")
    found = BADGE_RE.findall(text)
    issues = []
    if found != [badge_target(py_twin)]:
        issues.append(f"{py_twin}: badge should point to {badge_target(py_twin)}; found {found}")
    if _setup_source(py_twin) != setup_cell():
        issues.append(f"{py_twin}: the first code cell is not the set-up cell (run `python tools/colab.py --fix`)")
    ipynb = py_twin.with_suffix(".ipynb")
    if ipynb.exists():
        code = [c for c in nbformat.read(ipynb, as_version=4).cells if c.cell_type == "code"]
        if not code or code[0].source != setup_cell():
            issues.append(f"{ipynb}: the first code cell is not the set-up cell (run `python tools/colab.py --fix`)")
    return issues


def fix(py_twin: Path) -> None:
    """Point the badge at the right URL and make the first code cell the set-up cell, in both files."""
    text = py_twin.read_text(encoding="utf-8")
    text = BADGE_RE.sub(lambda _m: badge(py_twin), text)
    text = SETUP_RE.sub(lambda _m: f"# %%\n{setup_cell()}\n\n", text, count=1)
    py_twin.write_text(text, encoding="utf-8")
    ipynb = py_twin.with_suffix(".ipynb")
    if ipynb.exists():
        nb = nbformat.read(ipynb, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"]
        if cells and cells[0].source != setup_cell():
            cells[0].source = setup_cell()
            cells[0].outputs = []
            nbformat.write(nb, ipynb)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and BADGE_RE.search(cell.source):
                fixed = BADGE_RE.sub(lambda _m: badge(py_twin), cell.source)
                if fixed != cell.source:
                    cell.source = fixed
                    nbformat.write(nb, ipynb)


if __name__ == "__main__":
    twins = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    if "--fix" in sys.argv:
        for twin in twins:
            fix(twin)
    found = [issue for twin in twins for issue in problems(twin)]
    print("\n".join(found) or f"{len(twins)} notebooks: badges and set-up cells are right")
    sys.exit(1 if found else 0)
