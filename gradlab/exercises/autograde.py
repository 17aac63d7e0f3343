"""nbgrader cells for the notebooks: solution metadata and one locked test cell per check.

``python -m gradlab nbgrader-cells notebooks/*.py`` (or ``.ipynb`` files) brings a notebook
up to date; ``--check`` changes nothing and exits 1 if one is out of date. In each notebook:

* every code cell tagged ``solution`` gets nbgrader's solution metadata, with a grade id
  from the exercise it answers (the next ``gradlab.check`` call), e.g. ``solution_03_1``;
* after every ``gradlab.check("KEY", ARGS)`` cell comes one locked, autograded test cell
  ``gradlab.grade("KEY", ARGS)`` with grade id ``test_KEY`` (its points are kept if a
  teacher changed them, 1 otherwise). It runs the same check the student ran: silent when
  right, an AssertionError carrying the check's hint when not;
* a cell defining a teacher's exercise (``gradlab.exercise("KEY", ...)``) is locked
  (read-only), so nbgrader's autograder restores the teacher's reference;
* test cells whose check cell is gone are removed.

Running it twice changes nothing the second time. A py:percent twin is rewritten through
jupytext (its paired ``.ipynb`` too, outputs kept); an ``.ipynb`` alone is rewritten as is.
This module never imports TensorFlow.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

__all__ = ["check_call", "sync", "sync_paths"]

SOLUTION_TAG = "solution"
SCHEMA = 3
DEFAULT_POINTS = 1
TEST_COMMENT = "# Autograder test (locked): the check above, silent when right, its hint when not."
FORMAT = "py:percent"


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")


def _calls(source: str, name: str) -> list[ast.Call]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.value for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) == name and node.value.args
            and isinstance(node.value.args[0], ast.Constant) and isinstance(node.value.args[0].value, str)]


def check_call(source: str) -> tuple[str, str] | None:
    """``(key, argument text)`` of the last top-level ``gradlab.check("KEY", ARG)`` in a cell."""
    calls = [c for c in _calls(source, "gradlab.check") if len(c.args) == 2 and not c.keywords]
    if not calls:
        return None
    return calls[-1].args[0].value, ast.get_source_segment(source, calls[-1].args[1])


def exercise_keys_defined(source: str) -> list[str]:
    """Keys of the teacher's exercises a cell defines with ``gradlab.exercise("KEY", ...)``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
            and ast.unparse(node.func) == "gradlab.exercise" and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_generated_test(cell) -> bool:
    meta = _nbgrader(cell)
    return (cell.cell_type == "code" and meta.get("grade") is True and not meta.get("solution")
            and str(meta.get("grade_id", "")).startswith("test_"))


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return dict(sorted(meta.items()))


def test_cell(key: str, argument: str, points: float) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f'{TEST_COMMENT}\ngradlab.grade("{key}", {argument})')
    cell.metadata = nbformat.NotebookNode(
        {"nbgrader": _meta(f"test_{slug(key)}", grade=True, locked=True, points=points)})
    cell.pop("id", None)
    return cell


def sync(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with nbgrader metadata and test cells brought up to date (in place).

    Raises
    ------
    ValueError
        If two check cells check the same exercise (their grade ids would clash).
    """
    old = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if is_generated_test(c)}
    out, pending, used = [], [], set()

    def claim(grade_id: str, what: str) -> str:
        if grade_id in used:
            raise ValueError(f"{what} appears twice in the notebook (grade id {grade_id}): give each its own key")
        used.add(grade_id)
        return grade_id

    for cell in (c for c in nb.cells if not is_generated_test(c)):
        out.append(cell)
        if cell.cell_type != "code":
            continue
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            pending.append(cell)
        elif exercise_keys_defined(cell.source):
            keys = "_".join(slug(k) for k in exercise_keys_defined(cell.source))
            cell.metadata["nbgrader"] = _meta(claim(f"exercise_{keys}", "exercise definition"), locked=True)
        found = check_call(cell.source)
        if found is None:
            continue
        key, argument = found
        for n, solution in enumerate(pending):
            solution.metadata["nbgrader"] = _meta(
                claim(f"solution_{slug(key)}" + (f"_{n + 1}" if n else ""), f"the solution of {key!r}"),
                solution=True)
        pending = []
        previous = old.get(f"test_{slug(key)}")
        points = _nbgrader(previous).get("points", DEFAULT_POINTS) if previous is not None else DEFAULT_POINTS
        fresh = test_cell(key, argument, points)
        if previous is not None:  # keep the cell's id, outputs and any other metadata
            previous.source = fresh.source
            previous.metadata["nbgrader"] = fresh.metadata["nbgrader"]
            fresh = previous
        claim(fresh.metadata["nbgrader"]["grade_id"], f"a check of exercise {key!r}")
        out.append(fresh)
    for n, solution in enumerate(pending):  # solutions that no check follows
        solution.metadata["nbgrader"] = _meta(claim(f"solution_unchecked_{n + 1}", "solution"), solution=True)
    nb.cells = out
    return nb


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise ValueError("py:percent notebooks need jupytext: pip install jupytext "
                         "(or give the .ipynb files)") from None
    return jupytext


def synced_twin(py_path: Path) -> str:
    """The text a py:percent twin should have (its header kept as it was)."""
    jupytext = _jupytext()
    original = py_path.read_text(encoding="utf-8")
    if not re.search(r"^# %%", original, re.M) and "jupytext:" not in original[:2000]:
        raise ValueError(f"{py_path}: not a py:percent notebook (it has no '# %%' cells and no "
                         "jupytext header), so it was left alone; give the .ipynb or its jupytext twin")
    text = jupytext.writes(sync(jupytext.reads(original, FORMAT)), FORMAT)
    for line in ("#       format_version: '1.3'\n", f"#       jupytext_version: {jupytext.__version__}\n"):
        if line not in original:
            text = text.replace(line, "", 1)
    return text


def synced_ipynb(ipynb: Path) -> nbformat.NotebookNode:
    from gradlab.student import _read  # validates and names what is wrong (a NotebookProblem)

    nb = sync(_read(ipynb))
    for cell in nb.cells:  # nbformat wants an id on every cell of a 4.5 notebook
        if "id" not in cell and nb.nbformat_minor >= 5:
            cell.id = "nbgrader-" + cell.metadata["nbgrader"]["grade_id"].replace("_", "-")
    return nb


def sync_paths(paths: list[Path], check: bool = False) -> list[tuple[Path, str]]:
    """Bring each notebook (a ``.py`` twin and its ``.ipynb``, or an ``.ipynb``) up to date.

    Returns ``(path, state)`` pairs, state "in sync", "updated" or (with ``check``) "out of date".
    """
    states = []
    for path in map(Path, paths):
        if path.suffix not in (".py", ".ipynb"):
            raise ValueError(f"{path}: give .ipynb notebooks or their py:percent twins (.py)")
        if not path.is_file():
            raise ValueError(f"{path} does not exist")
        text = synced_twin(path) if path.suffix == ".py" else None
        ipynb = path.with_suffix(".ipynb")
        nb = synced_ipynb(ipynb) if ipynb.exists() else None
        changed = (text is not None and text != path.read_text(encoding="utf-8")) or (
            nb is not None and nbformat.writes(nb) != nbformat.writes(nbformat.read(ipynb, 4)))
        if changed and not check:
            if text is not None:
                path.write_text(text, encoding="utf-8")
            if nb is not None:
                nbformat.write(nb, ipynb)
        states.append((path, "in sync" if not changed else "out of date" if check else "updated"))
    return states
