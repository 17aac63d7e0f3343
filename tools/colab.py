"""The Colab badge and set-up cell of each notebook, from the repository URL in pyproject.toml.

    python tools/colab.py          # check every notebook twin; exit 1 listing what is off
    python tools/colab.py --fix    # rewrite badge lines in the py twins to the right URL

The repository URL lives in one place: [project.urls] Repository in pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)")


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


def problems(py_twin: Path) -> list[str]:
    text = py_twin.read_text(encoding="utf-8")
    found = BADGE_RE.findall(text)
    issues = []
    if found != [badge_target(py_twin)]:
        issues.append(f"{py_twin}: badge should point to {badge_target(py_twin)}; found {found}")
    if install_spec() not in text:
        issues.append(f"{py_twin}: set-up cell should install {install_spec()!r} on Colab")
    return issues


def fix(py_twin: Path) -> None:
    text = py_twin.read_text(encoding="utf-8")
    text = BADGE_RE.sub(lambda _m: badge(py_twin), text)
    py_twin.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    twins = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    if "--fix" in sys.argv:
        for twin in twins:
            fix(twin)
    found = [issue for twin in twins for issue in problems(twin)]
    print("\n".join(found) or f"{len(twins)} notebooks: badges and set-up cells are right")
    sys.exit(1 if found else 0)
