"""Keep the notebooks nbgrader-ready: solution metadata and one locked test cell per check.

    python tools/nbgrader_cells.py notebooks/*.py           # update twins (and their .ipynb)
    python tools/nbgrader_cells.py --check notebooks/*.py   # exit 1 if any is out of date

For each py:percent twin (and its paired ``.ipynb``, whose outputs are kept):

* every code cell tagged ``solution`` gets nbgrader's solution metadata, with a grade id
  from the exercise it answers (the next ``gradlab.check`` call): ``solution_03_1``;
* after every ``gradlab.check("KEY", ARGS)`` cell comes one locked, autograded test cell
  ``gradlab.grade("KEY", ARGS)`` with grade id ``test_KEY`` (points kept if a teacher
  changed them, 1 otherwise). It runs the same check the student ran: silent when right,
  an AssertionError carrying the check's hint when not;
* test cells whose check cell is gone are removed.

Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gradlab.student import SOLUTION_TAG  # noqa: E402

SCHEMA = 3
DEFAULT_POINTS = 1
TEST_COMMENT = "# Autograder test (locked): the check above, silent when right, its hint when not."
FORMAT = "py:percent"


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")


def check_call(source: str) -> tuple[str, str] | None:
    """``(key, argument text)`` of the last top-level ``gradlab.check("KEY", ...)`` in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = None
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and ast.unparse(call.func) == "gradlab.check" and call.args
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
                and len(call.args) == 2 and not call.keywords):
            found = (call.args[0].value, ast.get_source_segment(source, call.args[1]))
    return found


def is_generated_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (cell.cell_type == "code" and meta.get("grade") is True and not meta.get("solution")
            and str(meta.get("grade_id", "")).startswith("test_"))


def test_cell(key: str, argument: str, points: float) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f'{TEST_COMMENT}\ngradlab.grade("{key}", {argument})')
    cell.metadata = nbformat.NotebookNode({"nbgrader": {
        "grade": True, "grade_id": f"test_{slug(key)}", "locked": True, "points": points,
        "schema_version": SCHEMA, "solution": False, "task": False,
    }})
    cell.pop("id", None)
    return cell


def solution_metadata(grade_id: str) -> dict:
    return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": SCHEMA,
            "solution": True, "task": False}


def sync(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with nbgrader metadata and test cells brought up to date (in place)."""
    old = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if is_generated_test(c)}
    cells = [c for c in nb.cells if not is_generated_test(c)]
    out, pending_solutions, used = [], [], set()
    for cell in cells:
        out.append(cell)
        if cell.cell_type != "code":
            continue
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            pending_solutions.append(cell)
        found = check_call(cell.source)
        if found is None:
            continue
        key, argument = found
        for n, solution in enumerate(pending_solutions):
            grade_id = f"solution_{slug(key)}" + (f"_{n + 1}" if n else "")
            solution.metadata["nbgrader"] = solution_metadata(grade_id)
            used.add(grade_id)
        pending_solutions = []
        previous = old.get(f"test_{slug(key)}")
        points = previous.metadata["nbgrader"].get("points", DEFAULT_POINTS) if previous else DEFAULT_POINTS
        fresh = test_cell(key, argument, points)
        if previous is not None:  # keep the cell's id, outputs and any other metadata
            previous.source = fresh.source
            previous.metadata["nbgrader"] = fresh.metadata["nbgrader"]
            fresh = previous
        if fresh.metadata["nbgrader"]["grade_id"] in used:
            raise ValueError(f"two checks of exercise {key!r} (grade id {fresh.metadata['nbgrader']['grade_id']}):"
                             " give each exercise its own key")
        used.add(fresh.metadata["nbgrader"]["grade_id"])
        out.append(fresh)
    for n, solution in enumerate(pending_solutions):  # a solution no check follows
        solution.metadata["nbgrader"] = solution_metadata(f"solution_unchecked_{n + 1}")
    nb.cells = out
    return nb


def _write_like(text: str, original: str) -> str:
    """jupytext adds version lines to the header; keep the twin's header as it was."""
    for line in ("#       format_version: '1.3'\n", f"#       jupytext_version: {jupytext.__version__}\n"):
        if line not in original:
            text = text.replace(line, "", 1)
    return text


def synced_twin(py_path: Path) -> str:
    original = py_path.read_text(encoding="utf-8")
    nb = sync(jupytext.reads(original, FORMAT))
    return _write_like(jupytext.writes(nb, FORMAT), original)


def synced_ipynb(ipynb: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(ipynb, as_version=4)
    sync(nb)
    for cell in nb.cells:  # nbformat wants an id on every cell of a 4.5 notebook
        if "id" not in cell and nb.nbformat_minor >= 5:
            cell.id = f"nbgrader-{cell.metadata['nbgrader']['grade_id']}".replace("_", "-")
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("twins", nargs="+", type=Path, help="py:percent notebooks, e.g. notebooks/*.py")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    args = parser.parse_args(argv)
    stale = []
    for py_path in args.twins:
        text = synced_twin(py_path)
        ipynb = py_path.with_suffix(".ipynb")
        nb = synced_ipynb(ipynb) if ipynb.exists() else None
        changed = text != py_path.read_text(encoding="utf-8") or (
            nb is not None and nbformat.writes(nb) != nbformat.writes(nbformat.read(ipynb, 4)))
        if changed:
            stale.append(py_path)
            if not args.check:
                py_path.write_text(text, encoding="utf-8")
                if nb is not None:
                    nbformat.write(nb, ipynb)
        state = "in sync" if not changed else "out of date" if args.check else "updated"
        print(f"{py_path}: {state}")
    if args.check and stale:
        print("run: python tools/nbgrader_cells.py " + " ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
