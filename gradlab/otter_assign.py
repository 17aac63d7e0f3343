"""Otter-Grader assignments from gradlab notebooks (Gradescope, Canvas, ``otter run``).

``python -m gradlab.otter_assign notebooks/02_power_rule.py build/otter/02`` writes
``build/otter/02/02_power_rule.ipynb``, a master notebook in Otter Assign's format (v1), for::

    otter assign build/otter/02/02_power_rule.ipynb build/otter/02/dist

which writes the student notebook (``dist/student``) and the Gradescope autograder zip
(``dist/autograder``). Each exercise (its ``solution`` cells and its nbgrader test cell)
becomes one Otter question:

* a raw ``# BEGIN QUESTION`` cell (``name: ex_02_1``, the test cell's points,
  ``all_or_nothing: true``: like the nbgrader test cell, all or nothing);
* the solution cells in a ``# BEGIN SOLUTION`` / ``# END SOLUTION`` block, nbgrader's
  ``### BEGIN SOLUTION`` lines rewritten as Otter's ``# BEGIN SOLUTION`` (a cell without
  markers is a solution whole), so students get ``...`` where the answer goes;
* a public test, the test cell without its hidden block (``gradlab.grade(KEY, answer)``),
  and a ``# HIDDEN`` test, the whole cell (adding ``gradlab.grade(KEY, answer, seed=N)``).
  The tests are silent when right and raise ``AssertionError`` with the check's hint when
  not, so their expected output is empty (outputs are cleared).

The check cell students run (``gradlab.check``) follows the question unchanged. Test cells
come from :func:`gradlab.exercises.autograde.sync`, run on a copy in memory: a notebook
without test cells or hidden seeds still converts (seeds missing from the notebook are drawn
afresh, and the output says so). By default the student notebook needs no Otter (no init or
``grader.check`` cells; the autograder runs each question's tests right after its solution
cell); ``--grader-check`` adds Otter's ``grader = otter.Notebook(...)`` and
``grader.check("ex_02_1")`` cells (students then need ``pip install otter-grader``).
This module never imports TensorFlow.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from gradlab import __version__
from gradlab.exercises.autograde import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    TEST_COMMENT,
    NotUnderstood,
    generated_form,
    is_solution_cell,
    slug,
    sync,
)

__all__ = ["OtterError", "Conversion", "default_requirements", "otter_master", "otter_solution", "otter_tests",
           "read_notebook", "write_master"]

# Otter's grading image defaults to a Python TensorFlow may not ship wheels for; gradlab
# supports 3.10-3.13 (pyproject.toml), so the autograder pins one inside that range.
PYTHON_VERSION = "3.12"
TENSORFLOW = "tensorflow-cpu>=2.16"  # Gradescope's autograder runs on Linux x86_64


class OtterError(ValueError):
    """A notebook that cannot become an Otter assignment; the message says what to change."""


@dataclass
class Conversion:
    """What :func:`otter_master` did: the questions written and notes for the teacher."""

    questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_requirements() -> list[str]:
    """The grading environment's packages: this gradlab release and TensorFlow (CPU).

    Examples
    --------
    >>> default_requirements()[0].startswith("gradlab-tf==")
    True
    """
    return [f"gradlab-tf=={__version__}", TENSORFLOW]


def read_notebook(path: Path | str) -> nbformat.NotebookNode:
    """A notebook from a ``.ipynb`` file or a py:percent twin (``.py``)."""
    path = Path(path)
    if path.suffix == ".py":
        import jupytext

        return jupytext.read(path)
    if path.suffix != ".ipynb":
        raise OtterError(f"{path}: not a notebook; give a .ipynb file or a py:percent twin (.py)")
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------- cells


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def otter_solution(source: str) -> str:
    """A solution cell in Otter's syntax: nbgrader marker lines become ``# BEGIN/END SOLUTION``.

    nbgrader reads any line containing ``BEGIN SOLUTION`` as a marker; Otter needs exactly
    ``# BEGIN SOLUTION`` after the indent. A cell without markers is a solution whole.

    Examples
    --------
    >>> print(otter_solution("answer = ...\\n### BEGIN SOLUTION\\nanswer = 80\\n### END SOLUTION"))
    answer = ...
    # BEGIN SOLUTION
    answer = 80
    # END SOLUTION
    """
    lines, found = [], False
    for line in source.split("\n"):
        indent = re.match(r"\s*", line).group(0)
        if BEGIN_SOLUTION in line:
            lines.append(f"{indent}# {BEGIN_SOLUTION}")
            found = True
        elif END_SOLUTION in line:
            lines.append(f"{indent}# {END_SOLUTION}")
        else:
            lines.append(line)
    if not found:
        lines = [f"# {BEGIN_SOLUTION}", *lines, f"# {END_SOLUTION}"]
    return "\n".join(lines)


def otter_tests(source: str) -> tuple[str, str | None]:
    """A test cell's public test (without hidden blocks) and hidden test (all of it), or None.

    Examples
    --------
    >>> public, hidden = otter_tests('gradlab.grade("02.1", answer)\\n### BEGIN HIDDEN TESTS\\n'
    ...                              'gradlab.grade("02.1", answer, seed=123)\\n### END HIDDEN TESTS')
    >>> print(public)
    gradlab.grade("02.1", answer)
    >>> print(hidden)
    # HIDDEN
    gradlab.grade("02.1", answer)
    gradlab.grade("02.1", answer, seed=123)
    """
    public, everything, inside, hidden = [], [], False, False
    for line in source.split("\n"):
        if line.strip() == TEST_COMMENT:
            continue  # nbgrader's note to students; Otter shows tests, not cells
        if BEGIN_HIDDEN in line:
            inside = hidden = True
        elif END_HIDDEN in line:
            inside = False
        else:
            everything.append(line)
            if not inside:
                public.append(line)
    return "\n".join(public).strip("\n"), ("# HIDDEN\n" + "\n".join(everything).strip("\n")) if hidden else None


def _test_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)  # no outputs: right answers are silent


def _plain(cell) -> nbformat.NotebookNode:
    """A copy without nbgrader metadata (Otter locks and grades by its own cells)."""
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    return cell


def _is_graded(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("grade") is True and not meta.get("solution")


def _question_name(cell) -> str:
    form = generated_form(cell.source)
    if form is not None:
        return f"ex_{slug(form.key)}"
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") or "test"
    return slug(grade_id)


def _question(name: str, points, solutions: list, test, grader_check: bool) -> list:
    """The cells of one Otter question: config, solution block, tests."""
    # check_cell false: Otter marks the last solution cell instead, and its autograder runs the
    # question's tests right there (every exercise reuses names such as `answer`, so tests run
    # at the end would see the last exercise's value).
    config = {"name": name, "points": points, "all_or_nothing": True, "check_cell": grader_check}
    cells = [_raw("# BEGIN QUESTION\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in config.items()))]
    if solutions:
        cells += [_raw(f"# {BEGIN_SOLUTION}")]
        for cell in solutions:
            solution = _plain(cell)
            solution.source = otter_solution(cell.source)
            solution.outputs, solution.execution_count = [], None
            cells.append(solution)
        cells += [_raw(f"# {END_SOLUTION}")]
    public, hidden = otter_tests(test.source)
    cells += [_raw("# BEGIN TESTS"), _test_cell(public)]
    cells += [_test_cell(hidden)] if hidden else []
    return cells + [_raw("# END TESTS"), _raw("# END QUESTION")]


def _config(name: str, requirements: list[str], grader_check: bool, run_tests: bool) -> nbformat.NotebookNode:
    """The ``# ASSIGNMENT CONFIG`` raw cell (YAML; JSON values are YAML too)."""
    config = {
        "name": name,
        "requirements": requirements,
        "python_version": PYTHON_VERSION,
        "init_cell": grader_check,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": run_tests,
        "generate": {"pdf": False, "show_stdout": True, "show_hidden": False},
        "tests": {"files": False, "ok_format": True},
    }
    return _raw("# ASSIGNMENT CONFIG\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in config.items()))


def otter_master(nb: nbformat.NotebookNode, name: str, requirements: list[str] | None = None,
                 grader_check: bool = False, run_tests: bool = True) -> tuple[nbformat.NotebookNode, Conversion]:
    """An Otter Assign master notebook (format v1) from a gradlab notebook.

    Parameters
    ----------
    nb : NotebookNode
        The answer key (solution cells tagged ``solution``, a ``gradlab.check`` cell per
        exercise); not changed.
    name : str
        The assignment name; Otter's autograder refuses a submission made for another name.
    requirements : list of str, optional
        Packages for the grading environment (default: :func:`default_requirements`).
    grader_check : bool, default False
        Add Otter's init cell and a ``grader.check`` cell after each question.
    run_tests : bool, default True
        Let ``otter assign`` run the tests on the answer key (a check of the conversion).

    Returns
    -------
    master : NotebookNode
    conversion : Conversion
        The question names and notes (seeds drawn, cells moved).

    Raises
    ------
    OtterError
        If a check call cannot be read, a solution is a written (markdown) answer, or a
        solution cell has no test after it; the message names the cell.

    Examples
    --------
    >>> solution = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nanswer = 80\\n### END SOLUTION")
    >>> solution.metadata["tags"] = ["solution"]
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import gradlab"), solution,
    ...     nbformat.v4.new_code_cell('gradlab.check("02.1", answer)')])
    >>> master, done = otter_master(nb, "hw")
    >>> done.questions
    ['ex_02_1']
    """
    work, conversion = copy.deepcopy(nb), Conversion()
    try:  # sync's notes describe this in-memory copy; its warnings are about the teacher's cells
        sync(work, warnings=conversion.notes)
    except NotUnderstood as why:
        raise OtterError(f"{why}; fix that cell, then convert again") from None
    cells = [_config(name, requirements or default_requirements(), grader_check, run_tests)]
    solutions, between = [], []
    for number, cell in enumerate(work.cells, 1):
        if is_solution_cell(cell) or (solutions and cell.cell_type == "markdown" and _tagged_solution(cell)):
            solutions.append(cell)
        elif cell.cell_type == "markdown" and _tagged_solution(cell):
            raise OtterError(f"cell {number}: a written (markdown) answer; Otter grades those by hand from a PDF, "
                             "which this converter does not set up: make it a code answer with a check")
        elif _is_graded(cell):
            question = _question_name(cell)
            points = cell.metadata.get("nbgrader", {}).get("points", 1)
            cells += _question(question, points, solutions, cell, grader_check) + between
            conversion.questions.append(question)
            solutions, between = [], []
        elif solutions:
            between.append(_plain(cell))  # the check cell: after the question, where students run it
        else:
            cells.append(_plain(cell))
    if solutions:
        raise OtterError(f"a solution cell has no test after it ({solutions[0].source.splitlines()[:1]}): "
                         "add a gradlab.check cell for it")
    _note_new_seeds(nb, cells, conversion)
    master = copy.deepcopy(work)
    master.cells = cells
    for number, cell in enumerate(master.cells):
        cell.setdefault("id", f"otter-{number}")  # nbformat 4.5 wants one; jupytext twins have none
    master.metadata.pop("jupytext", None)
    master.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return master, conversion


def _note_new_seeds(nb, cells: list, conversion: Conversion) -> None:
    """Say which hidden tests got a seed the notebook does not hold (drawn for this conversion)."""
    known = set(re.findall(r"seed=\d+", "\n".join(c.source for c in nb.cells)))
    for cell in cells:
        drawn = [s for s in re.findall(r"seed=\d+", cell.source) if s not in known] if cell.source.startswith(
            "# HIDDEN") else []
        if drawn:
            conversion.notes.append(f"hidden test {cell.source.splitlines()[-1].strip()}: {drawn[0]} drawn now, the "
                                    "notebook has no hidden block for it (python -m gradlab nbgrader-cells adds one "
                                    "that stays)")


def _tagged_solution(cell) -> bool:
    from gradlab.student import is_solution_tag

    return any(map(is_solution_tag, cell.get("metadata", {}).get("tags", [])))


def write_master(source: Path | str, outdir: Path | str, **options) -> tuple[Path, Conversion]:
    """Convert ``source`` and write ``OUTDIR/<its name>.ipynb``; return that path and the report.

    Examples
    --------
    >>> path, done = write_master("notebooks/02_power_rule.py", "build/otter/02")  # doctest: +SKIP
    """
    source = Path(source)
    nb = read_notebook(source)
    master, conversion = otter_master(nb, options.pop("name", None) or source.stem, **options)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{source.stem}.ipynb"
    nbformat.write(master, path)
    return path, conversion


def main(argv: list[str] | None = None) -> int:
    """``python -m gradlab.otter_assign SOURCE OUTDIR``: 0 when written, 2 when refused."""
    parser = argparse.ArgumentParser(prog="python -m gradlab.otter_assign", description=__doc__.split("\n")[0])
    parser.add_argument("source", help="an answer-key notebook (.ipynb) or its py:percent twin (.py)")
    parser.add_argument("outdir", help="folder for the master notebook (then: otter assign MASTER OUTDIR/dist)")
    parser.add_argument("--name", help="assignment name (default: the notebook's file name)")
    parser.add_argument("--requirement", action="append", dest="requirements", metavar="SPEC",
                        help="a package for the grading environment, repeatable "
                             f"(default: {' '.join(default_requirements())})")
    parser.add_argument("--grader-check", action="store_true",
                        help="add Otter's init and grader.check cells (students then need otter-grader)")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not let otter assign run the tests on the answer key")
    args = parser.parse_args(argv)
    try:
        path, conversion = write_master(args.source, args.outdir, name=args.name, requirements=args.requirements,
                                        grader_check=args.grader_check, run_tests=not args.no_run_tests)
    except (OtterError, OSError) as error:
        print(f"gradlab otter-assign: {error}; nothing was written", file=sys.stderr)
        return 2
    for note in conversion.notes:
        print(f"note: {note}")
    print(f"wrote {path}: {len(conversion.questions)} question(s): {' '.join(conversion.questions)}")
    print(f"next: otter assign {path} {path.parent / 'dist'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
