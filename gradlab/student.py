"""Student copies of the notebooks: solutions replaced by stubs, exercise outputs cleared.

A teacher's solution lives in a cell tagged ``solution``. Inside it, nbgrader's markers
``### BEGIN SOLUTION`` / ``### END SOLUTION`` may fence the part to hide (so the same
notebooks feed nbgrader); without markers the whole cell is the solution. The stub keeps
the *names* the rest of the notebook needs (``answer = ...``, ``def f(x): ...``) so a
student copy still runs top to bottom, and each check then says "not yet solved".

This module never imports TensorFlow: it only reads and writes notebooks.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["CopyReport", "student_copy", "stub_for"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTION_TAG, EXERCISE_TAG = "solution", "exercise"
YOUR_CODE = "# YOUR CODE HERE"


def _stub_statement(node: ast.stmt, indent: str) -> list[str]:
    """What a student sees in place of one top-level statement of a solution."""
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        # `lo, hi = 1, 2` becomes `lo = ...` and `hi = ...`: `(lo, hi) = ...` would not run.
        names = [ast.unparse(e) for t in targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
        return [f"{indent}{name} = ..." for name in dict.fromkeys(names)]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        doc = ast.get_docstring(node)
        return [
            f"{indent}def {node.name}({ast.unparse(node.args)}):",
            *([f'{indent}    """{doc}"""'] if doc else []),
            f"{indent}    {YOUR_CODE}",
            f"{indent}    raise NotImplementedError()",
        ]
    if isinstance(node, ast.Return):
        return [f"{indent}return ..."]
    return []  # prints, plots, loops: the student writes their own


def stub_for(solution: str) -> str:
    """The stub that replaces a solution's source; its indentation is kept.

    >>> print(stub_for("answer = 2 * 6"))
    # YOUR CODE HERE
    answer = ...
    """
    lines = solution.splitlines()
    indent = next((ln[: len(ln) - len(ln.lstrip())] for ln in lines if ln.strip()), "")
    try:
        tree = ast.parse(textwrap.dedent(solution))
    except SyntaxError:
        return f"{indent}{YOUR_CODE}"
    stubs = [line for node in tree.body for line in _stub_statement(node, indent)]
    if indent and not any(line.lstrip().startswith(("return", "raise")) for line in stubs):
        stubs.append(f"{indent}raise NotImplementedError()")  # a fenced function body
    return "\n".join([f"{indent}{YOUR_CODE}", *stubs])


def strip_solution(source: str) -> str:
    """A solution cell's source with each fenced region (or the whole cell) stubbed."""
    if BEGIN not in source:
        return stub_for(source)
    out: list[str] = []
    region: list[str] | None = None
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            region = []
        elif stripped == END and region is not None:
            out.append(stub_for("\n".join(region)))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ValueError(f"'{BEGIN}' without a matching '{END}'")
    return "\n".join(out)


def _student_notebook(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    hidden = 0
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code":
            continue
        if SOLUTION_TAG in tags:
            cell.source = strip_solution(cell.source)
            hidden += 1
        if tags & {SOLUTION_TAG, EXERCISE_TAG}:
            cell.outputs = []
            cell.execution_count = None
    # The copy is a plain notebook: no jupytext pairing that would write .py files beside it.
    nb.metadata.pop("jupytext", None)
    return nb, hidden


@dataclass(frozen=True)
class CopyReport:
    """What :func:`student_copy` did: files written, files skipped (already there)."""

    written: list[tuple[Path, int]]
    skipped: list[Path]

    def __str__(self) -> str:
        lines = [f"wrote {path} ({hidden} solution cell(s) replaced)" for path, hidden in self.written]
        lines += [f"kept  {path} (already exists; use --force to replace it)" for path in self.skipped]
        return "\n".join(lines) or "no notebooks found"


def student_copy(source: Path | str, target: Path | str, force: bool = False) -> CopyReport:
    """Write student copies of ``source`` (a notebook or a folder of them) into ``target``.

    An existing copy is never overwritten unless ``force`` is true: it may hold a
    student's work.
    """
    source, target = Path(source), Path(target)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist: give a notebook or a folder of notebooks")
    notebooks = [source] if source.is_file() else sorted(source.glob("*.ipynb"))
    if source.is_file() and source.suffix != ".ipynb":
        raise ValueError(f"{source} is not a .ipynb notebook")
    if target.resolve() == (source if source.is_dir() else source.parent).resolve():
        raise ValueError("the target folder is the source folder: that would overwrite the teacher's "
                         "notebooks; choose another folder, e.g. build/student")
    target.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for path in notebooks:
        out = target / path.name
        if out.exists() and not force:
            skipped.append(out)
            continue
        nb, hidden = _student_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        nbformat.write(nb, out)
        written.append((out, hidden))
    return CopyReport(written, skipped)
