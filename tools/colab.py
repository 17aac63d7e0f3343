"""The Colab badges and set-up cells of the notebooks, and the README's Binder badge, from gradlab/_project.py.

    python tools/colab.py          # check every notebook and the README; exit 1 listing what is off
    python tools/colab.py --fix    # rewrite the badges and set-up cells of the py twins (and README's badge)

Where the project lives (PyPI name, repository URL) is in one place, ``gradlab/_project.py``;
this tool stamps what is derived from it into the files. The set-up cell is the first code
cell of every notebook, the same text everywhere:

- on Colab (and only there) it installs the published package by name, pinned to the
  notebooks' own version (``gradlab-tf==<gradlab.__version__>``), never TensorFlow, which
  Colab ships; when the install fails it prints what pip said and the command to run;
- everywhere, it loads TensorFlow through ``gradlab.import_tensorflow()``, which keeps
  TensorFlow's C++ start-up log out of the notebook whatever started the kernel, so the
  lesson's own ``import tensorflow as tf`` prints nothing.

``--fix`` edits only the py:percent twins: the ``.ipynb`` files are rebuilt from them
(``make notebooks``), and the check reports an ``.ipynb`` whose set-up cell is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import gradlab  # noqa: E402  (light: no TensorFlow until a name that needs it is used)
from gradlab import _project  # noqa: E402

BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)")
BINDER_RE = re.compile(r"\[!\[Binder\]\([^)]*\)\]\([^)]*\)")
README = ROOT / "README.md"
#: The first code cell of a py:percent twin: from a bare `# %%` line to the next cell marker.
SETUP_RE = re.compile(r"(?ms)^# %%\n(.*?)\n*(?=^# %%)")


def repository_url() -> str:
    """The repository's URL (gradlab/_project.py; a placeholder until the project is public)."""
    return _project.REPOSITORY.rstrip("/")


def _relative(notebook: Path) -> str:
    return notebook.resolve().relative_to(ROOT).with_suffix(".ipynb").as_posix()


def badge_target(notebook: Path) -> str:
    """Where a notebook's badge must point: Colab opening that notebook on GitHub."""
    return _project.colab_url(_relative(notebook))


def badge(notebook: Path) -> str:
    """A notebook's Colab badge (markdown)."""
    return _project.colab_badge(_relative(notebook))


def install_spec() -> str:
    """What the set-up cell installs on Colab: the published package at the notebooks' version."""
    return _project.install_spec(gradlab.__version__)


def setup_cell(spec: str | None = None) -> str:
    """The set-up cell's source, installing `spec` (by default :func:`install_spec`) on Colab."""
    return _project.setup_cell(spec or install_spec())


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
            issues.append(f"{ipynb}: the first code cell is not the set-up cell (rebuild it from its twin: "
                          "`make notebooks`)")
    return issues


def readme_problems(readme: Path = README) -> list[str]:
    """What is off in the README's Binder badge."""
    found = BINDER_RE.findall(readme.read_text(encoding="utf-8"))
    if found != [_project.binder_badge()]:
        return [f"{readme}: the Binder badge should be {_project.binder_badge()}; found {found}"]
    return []


def fix(py_twin: Path) -> None:
    """Point the badge at the right URL and make the first code cell the set-up cell, in the py twin only."""
    text = py_twin.read_text(encoding="utf-8")
    fixed = BADGE_RE.sub(lambda _m: badge(py_twin), text)
    fixed = SETUP_RE.sub(lambda _m: f"# %%\n{setup_cell()}\n\n", fixed, count=1)
    if fixed != text:
        py_twin.write_text(fixed, encoding="utf-8")


def fix_readme(readme: Path = README) -> None:
    """Make the README's Binder badge point at the repository's binder/ image."""
    text = readme.read_text(encoding="utf-8")
    fixed = BINDER_RE.sub(lambda _m: _project.binder_badge(), text)
    if fixed != text:
        readme.write_text(fixed, encoding="utf-8")


if __name__ == "__main__":
    twins = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    if "--fix" in sys.argv:
        for twin in twins:
            fix(twin)
        fix_readme()
    found = [issue for twin in twins for issue in problems(twin)] + readme_problems()
    print("\n".join(found) or f"{len(twins)} notebooks: badges and set-up cells are right")
    sys.exit(1 if found else 0)
