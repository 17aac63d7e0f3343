"""Student copies of the notebooks: solutions replaced by stubs, exercise outputs cleared.

A teacher's solution lives in a cell tagged ``solution`` (any case; ``solutions`` too) or
carrying nbgrader's solution metadata, code or markdown. Inside it, nbgrader's markers may
fence the part to hide; without markers the whole cell is the solution. The markers follow
nbgrader's own rule (``ClearSolutions``): any line *containing* ``BEGIN SOLUTION`` or
``END SOLUTION`` (``### BEGIN SOLUTION``, ``# BEGIN SOLUTION``, indented), in any cell, and
the marker lines themselves are dropped. Hidden tests (``### BEGIN HIDDEN TESTS`` ...
``### END HIDDEN TESTS``, nbgrader's ``ClearHiddenTests``) are removed from every cell.
Lines that look like markers but that nbgrader would not read as one (``# begin solution``,
``BEGIN HIDDEN TEST``) and tags that look like ``solution`` but are not are warned about. The stub keeps the
*names* the rest of the notebook needs (``answer = ...``, ``def f(x): ...``) so a student
copy still runs top to bottom, and each check then says "not yet solved". nbgrader's
autograded test cells are left out: the check cell above each gives the same feedback
without stopping "Run all" (hand out with ``nbgrader generate_assignment`` to keep them).

Nothing a teacher or a student wrote is ever lost: every source notebook is read and
checked before anything is written; a copy is never written through a symbolic link, and
a file holding solution markers (an answer key) is never replaced, even with ``force``.

This module never imports TensorFlow: it only reads and writes notebooks. Its size (about
570 lines) is one job's rules: which lines nbgrader reads as markers, what a stub keeps (the
names later cells read, found by walking each cell's syntax tree) and the refusals above.
"""

from __future__ import annotations

import ast
import json
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["CopyError", "CopyReport", "NotebookProblem", "is_solution_tag", "near_misses", "strip_hidden_tests",
           "strip_solution", "stub_for", "student_copy", "without_hosted_badges"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"  # as written in messages
BEGIN_MARK, END_MARK = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader: any line containing these
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
SOLUTION_TAG, EXERCISE_TAG = "solution", "exercise"
# Looks like a marker to a person; a warning if the line holds none of nbgrader's exact ones.
_NEAR_MISS = re.compile(r"\b(begin|end)[ \t_-]{0,3}(hidden[ \t_-]{0,3}tests?|solutions?)\b", re.IGNORECASE)
YOUR_CODE = "# YOUR CODE HERE"
YOUR_ANSWER = "YOUR ANSWER HERE"


class NotebookProblem(ValueError):
    """A source notebook that cannot be turned into a student copy; the message names it."""


def _target_names(target: ast.expr) -> list[str]:
    """``a``, ``obj.x`` or ``d[k]`` for each thing an assignment target binds, nested or starred."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for e in target.elts for name in _target_names(e)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return [ast.unparse(target)]


def _stub_statement(node: ast.stmt, indent: str) -> list[str]:
    """What a student sees in place of one top-level statement of a solution."""
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        # `lo, (a, b) = ...` and `first, *rest = ...` become one `name = ...` per name:
        # a tuple or starred target would not run with a single `...`.
        names = [name for t in targets for name in _target_names(t)]
        return [f"{indent}{name} = ..." for name in dict.fromkeys(names)]
    if isinstance(node, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While, ast.If, ast.Try)):
        # A block (with open(...) as fh: answer = ...): stub what it assigns, so later cells
        # still find those names.
        lines = [line for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)
                 for line in _stub_statement(child, indent)]
        for handler in getattr(node, "handlers", ()):
            lines += [line for child in handler.body for line in _stub_statement(child, indent)]
        return list(dict.fromkeys(line for line in lines if not line.lstrip().startswith("return")))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        doc = ast.get_docstring(node)
        return [
            f"{indent}def {node.name}({ast.unparse(node.args)}):",
            *([f'{indent}    """{doc}"""'] if doc else []),
            f"{indent}    {YOUR_CODE}",
            f"{indent}    raise NotImplementedError()",
        ]
    if isinstance(node, ast.ClassDef):
        return [f"{indent}{node.name} = ..."]
    if isinstance(node, ast.Return):
        return [f"{indent}return ..."]
    return []  # prints, plots, loops: the student writes their own


_ASSIGNED = re.compile(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]*)?=(?!=)")
_DEFINED = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")


def _names_without_parsing(code: str) -> list[str]:
    """Names a solution the parser rejects (%magic, a syntax error) assigns at its top level."""
    names: list[str] = []
    for line in code.splitlines():
        if not line or line[0].isspace():
            continue  # only the solution's own top level
        line = re.sub(r"^%\w+\s+", "", line)  # `%time answer = 3` assigns answer
        defined = _DEFINED.match(line)
        assigned = _ASSIGNED.match(line)
        if defined:
            names.append(defined.group(1))
        elif assigned:
            names += [n.strip() for n in assigned.group(1).split(",")]
    return list(dict.fromkeys(names))


def stub_for(solution: str, in_function: bool | None = None, needed: set[str] | None = None) -> str:
    """The stub that replaces a solution's source; its indentation is kept.

    A top-level solution keeps the names later cells need, as ``name = ...`` or a
    ``def`` that raises, so the copy still runs top to bottom; with ``needed`` (the names
    the notebook's later cells read) it keeps only those, so a helper variable of the
    solution (``lo, hi, mid``) is not given away. A solution Python cannot parse (IPython
    ``%magic``, a syntax error) still gets a stub for the names it assigns. A region inside a
    function body becomes nbgrader's own stub: no local names, only a ``raise`` the
    student's code replaces.

    >>> print(stub_for("answer = 2 * 6"))
    # YOUR CODE HERE
    answer = ...
    >>> print(stub_for("lo, hi = 3.5, 4.5\\nanswer = (lo + hi) / 2", needed={"answer"}))
    # YOUR CODE HERE
    answer = ...
    """
    lines = solution.splitlines()
    indent = next((ln[: len(ln) - len(ln.lstrip())] for ln in lines if ln.strip()), "")
    in_function = bool(indent) if in_function is None else in_function
    if in_function:  # a fenced function body: its locals are the solution, not an interface
        return f"{indent}{YOUR_CODE}\n{indent}raise NotImplementedError()"
    code = textwrap.dedent(solution)
    try:
        stubs = [line for node in ast.parse(code).body for line in _stub_statement(node, indent)]
    except SyntaxError:
        stubs = [f"{indent}{name} = ..." for name in _names_without_parsing(code)]
    if needed is not None:
        stubs = _only_needed(stubs, needed)
    return "\n".join([f"{indent}{YOUR_CODE}", *stubs])


def _only_needed(stubs: list[str], needed: set[str]) -> list[str]:
    """The stub items (``x = ...``, or a ``def`` with its body) whose name a later cell reads."""
    items: list[list[str]] = []
    depth = min((len(ln) - len(ln.lstrip()) for ln in stubs), default=0)
    for line in stubs:
        if len(line) - len(line.lstrip()) == depth or not items:
            items.append([line])
        else:
            items[-1].append(line)  # the body of a def
    kept = []
    for item in items:
        head = re.sub(r"^(async\s+)?def\s+", "", item[0].lstrip())
        if re.match(r"\w*", head).group(0) in needed:
            kept += item
    return kept


def names_read(sources: list[str]) -> set[str]:
    """Every name the given cells read (``answer`` in ``gradlab.check("01.1", answer)``).

    A cell Python cannot parse (an IPython magic) counts every identifier in it.
    """
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            names |= set(re.findall(r"[A-Za-z_]\w*", source))
            continue
        names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}  # also `gradlab` in gradlab.check
    return names


def _inside_function(before: list[str], region: str) -> bool:
    """Is a fenced region the body of a ``def`` (not of a top-level ``with``/``if`` block)?"""
    indent = next((len(ln) - len(ln.lstrip()) for ln in region.splitlines() if ln.strip()), 0)
    for line in reversed("\n".join(before).splitlines()):
        depth = len(line) - len(line.lstrip())
        if not line.strip() or depth >= indent:
            continue
        if re.match(r"\s*(async\s+)?def\s", line):
            return True
        indent = depth  # an enclosing with/if/for block: look further out for a def
    return False


def is_solution_tag(tag: object) -> bool:
    """``solution`` in any case, singular or plural (``Solution``, ``solutions``)."""
    return isinstance(tag, str) and tag.strip().lower() in ("solution", "solutions")


def _marker(line: str) -> str | None:
    """BEGIN or END if the line is one of nbgrader's solution markers (it contains the words)."""
    return BEGIN if BEGIN_MARK in line else END if END_MARK in line else None


def has_markers(source: str) -> bool:
    return any(_marker(line) for line in source.splitlines())


def _without_repeats(stub: str, before: list[str]) -> str:
    """The stub less ``name = ...`` lines already above the region (``answer = ...`` placeholders)."""
    return "\n".join(line for line in stub.split("\n")
                     if not (re.fullmatch(r"\s*[\w.]+ = \.\.\.", line) and line in before))


def strip_solution(source: str, markdown: bool = False, needed: set[str] | None = None) -> str:
    """A solution cell's source with each fenced region (or the whole cell) stubbed.

    A line containing ``BEGIN SOLUTION`` opens a region and one containing
    ``END SOLUTION`` closes it, as in nbgrader. In a markdown cell the region becomes
    ``YOUR ANSWER HERE``, as nbgrader does.

    Raises
    ------
    ValueError
        A region not closed, nested, or an end without a beginning (nbgrader would release
        such a cell with the solution showing: a misspelt begin marker).

    ``needed``: the names later cells read; a top-level stub keeps only those (see
    :func:`stub_for`), and the names this cell's own code around the regions reads.
    """
    if not has_markers(source):
        return YOUR_ANSWER if markdown else stub_for(source, needed=needed)
    if needed is not None:
        needed = needed | _read_loosely(_outside_regions(source))
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), 1):
        marker = _marker(line)
        if marker == BEGIN and region is None:
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == BEGIN:
            raise ValueError(f"line {number}: a second '{BEGIN}' before the '{END}' of the first")
        elif marker == END and region is None:
            raise ValueError(f"line {number}: '{END}' without a '{BEGIN}' before it (is the begin "
                             "marker misspelt? nbgrader reads only a line containing 'BEGIN SOLUTION')")
        elif marker == END:
            text = "\n".join(region)
            out.append(indent + YOUR_ANSWER if markdown else
                       _without_repeats(stub_for(text, _inside_function(out, text), needed), out))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ValueError(f"'{BEGIN}' without a matching '{END}'")
    return "\n".join(out)


def strip_hidden_tests(source: str) -> tuple[str, int]:
    """The source without nbgrader's hidden-test regions (marker lines included), and how many.

    Raises
    ------
    ValueError
        A region not closed, or nested (nbgrader refuses those too).
    """
    out, inside, removed = [], False, 0
    for number, line in enumerate(source.split("\n"), 1):
        if BEGIN_HIDDEN in line:
            if inside:
                raise ValueError(f"line {number}: a second '{BEGIN_HIDDEN}' before the '{END_HIDDEN}' of the first")
            inside, removed = True, removed + 1
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{BEGIN_HIDDEN}' without a matching '{END_HIDDEN}'")
    return "\n".join(out), removed


def near_misses(source: str) -> list[tuple[int, str]]:
    """``(line number, line)`` for lines that look like nbgrader markers but are not read as one."""
    exact = (BEGIN_MARK, END_MARK, BEGIN_HIDDEN, END_HIDDEN)
    return [(number, line.strip()) for number, line in enumerate(source.split("\n"), 1)
            if _NEAR_MISS.search(line) and not any(mark in line for mark in exact)]


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _is_test_cell(cell: dict) -> bool:
    """An nbgrader autograder test cell (grade, not a solution): students do not get these."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and meta.get("grade") is True and not meta.get("solution")


@dataclass
class _Plan:
    """One source notebook, read and checked: its student version and what to tell."""

    source: Path
    notebook: nbformat.NotebookNode
    hidden: int
    dropped_tests: int
    warnings: list[str]


def _read(path: Path) -> nbformat.NotebookNode:
    """Read and validate one notebook; every problem becomes a NotebookProblem naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookProblem(f"{path}: cannot be read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookProblem(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: "
                              f"{error.msg}); is it a notebook saved by Jupyter?") from None
    if not isinstance(data, dict):
        raise NotebookProblem(f"{path}: holds a JSON {type(data).__name__}, not a notebook "
                              "(a notebook is a JSON object with 'cells', 'metadata' and 'nbformat')")
    missing = [key for key in ("cells", "metadata", "nbformat") if key not in data]
    if missing:
        raise NotebookProblem(f"{path}: not a notebook, it has no {', '.join(map(repr, missing))}")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        cell = re.match(r"cells/(\d+)", where)
        place = f"cell {int(cell.group(1)) + 1}" if cell else (where or "top level")
        raise NotebookProblem(f"{path}: not a valid notebook at {place}: {error.message}") from None
    except Exception as error:  # nbformat's converters raise assorted errors on odd input
        raise NotebookProblem(f"{path}: not a valid notebook: {type(error).__name__}: {error}") from None
    return nb


def _hide(cell, path: Path, number: int, warnings: list[str], needed: set[str] | None = None) -> bool:
    """Hide the cell's solution in place, as nbgrader would; True if it held one."""
    tags = cell.get("metadata", {}).get("tags", [])
    tagged = any(map(is_solution_tag, tags))
    marked = has_markers(cell.source)
    nbgrader_only = bool(_nbgrader(cell).get("solution")) and not tagged
    kind = cell.cell_type if cell.cell_type != "code" else "code" if tagged else "untagged code"
    for tag in tags:
        if isinstance(tag, str) and "solution" in tag.lower() and not is_solution_tag(tag):
            warnings.append(f"{path.name}, cell {number}: tag {tag!r} is not 'solution', so the cell is "
                            f"{'hidden only for its markers' if marked else 'NOT hidden'}; did you mean 'solution'?")
    if (marked or nbgrader_only) and not tagged:
        why = "nbgrader solution metadata but no 'solution' tag" if nbgrader_only else "solution markers"
        warnings.append(f"{path.name}, cell {number} ({kind} cell): {why}; hidden in the copy, but "
                        f"tag the cell 'solution' so every tool treats it as one")
    if not (tagged or marked or nbgrader_only):
        return False
    try:
        cell.source = strip_solution(cell.source, markdown=cell.cell_type != "code", needed=needed)
    except ValueError as error:
        raise NotebookProblem(f"{path}, cell {number}: {error}") from None
    return True


def _outside_regions(source: str) -> list[str]:
    """The lines of a marked cell outside its solution regions (markers dropped)."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = _marker(line)
        if marker:
            inside = marker == BEGIN
        elif not inside:
            lines.append(line)
    return lines


def _read_loosely(lines: list[str]) -> set[str]:
    """Identifiers in lines that may not parse on their own (a def whose body was a region)."""
    return set(re.findall(r"[A-Za-z_]\w*", "\n".join(lines)))


# A badge (an image link) that opens a hosted notebook: in the teacher's notebooks it opens
# the notebook with its solutions, so a student copy must not carry it.
_HOSTED_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\((?:https?://)?(?:colab\.research\.google\.com/github/"
                           r"|mybinder\.org/v2/|github\.com/[^)]*/blob/|nbviewer\.org/)[^)]*\)[ \t]*\n?")


def without_hosted_badges(source: str) -> tuple[str, int]:
    """A markdown cell without its Open-in-Colab / Binder / GitHub badges, and how many went.

    >>> without_hosted_badges("# T\\n[![Open In Colab](b.svg)](https://colab.research.google.com/github/o/n/blob/main/a.ipynb)\\nText")
    ('# T\\nText', 1)
    """
    kept, count = _HOSTED_BADGE.subn("", source)
    return re.sub(r"\n{3,}", "\n\n", kept), count


def _leaks(cell) -> list[str]:
    """Markers still in a cell of the copy: must be none (a last check before writing)."""
    marks = (BEGIN_MARK, END_MARK, BEGIN_HIDDEN, END_HIDDEN)
    return [mark for mark in marks if mark in cell.source]


def _plan(path: Path) -> _Plan:
    nb = _read(path)
    hidden = dropped = 0
    warnings: list[str] = []
    cells = []
    code = [c.source if c.cell_type == "code" else "" for c in nb.cells]
    for number, cell in enumerate(nb.cells, 1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if _is_test_cell(cell):
            dropped += 1
            continue
        # A stub keeps only the names a later cell reads: the solution's helpers stay hidden.
        solution = _hide(cell, path, number, warnings, needed=names_read(code[number:]))
        hidden += solution
        try:
            cell.source, tests = strip_hidden_tests(cell.source)
        except ValueError as error:
            raise NotebookProblem(f"{path}, cell {number}: {error}") from None
        if tests:
            warnings.append(f"{path.name}, cell {number}: hidden tests outside an autograder test cell; removed "
                            "from the copy (nbgrader refuses them there: move them into a test cell)")
        warnings += [f"{path.name}, cell {number}, line {line}: {text!r} looks like an nbgrader marker but is "
                     "not one (nbgrader reads only lines containing 'BEGIN SOLUTION', 'END SOLUTION', "
                     "'BEGIN HIDDEN TESTS' or 'END HIDDEN TESTS', in capitals): NOT hidden"
                     for line, text in near_misses(cell.source)]
        if cell.cell_type == "markdown":
            cell.source, badges = without_hosted_badges(cell.source)
            if badges:
                warnings.append(f"{path.name}, cell {number}: removed {badges} badge link(s) (Colab, Binder, "
                                "GitHub) that open the teacher's notebook, solutions included; to give students "
                                "a badge, point one at where you publish the student copies")
        if cell.cell_type == "code" and (solution or EXERCISE_TAG in tags):
            cell.outputs = []
            cell.execution_count = None
        if _leaks(cell):  # cannot happen by the rules above; a copy that leaks is never written
            raise NotebookProblem(f"{path}, cell {number}: {', '.join(_leaks(cell))} left in the copy")
        cells.append(cell)
    nb.cells = cells
    # The copy is a plain notebook: no jupytext pairing that would write .py files beside it.
    nb.metadata.pop("jupytext", None)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        raise NotebookProblem(f"{path}: its student copy would not be valid: {error.message}") from None
    return _Plan(path, nb, hidden, dropped, warnings)


@dataclass
class CopyReport:
    """What :func:`student_copy` did: written, skipped (already there), refused, and warnings."""

    written: list[tuple[Path, int]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dropped_tests: int = 0

    def __str__(self) -> str:
        lines = [f"wrote   {path} ({hidden} solution cell(s) replaced)" for path, hidden in self.written]
        lines += [f"kept    {path} (already exists; use --force to replace it)" for path in self.skipped]
        lines += [f"REFUSED {path}: {why}" for path, why in self.refused]
        lines += [f"warning: {text}" for text in self.warnings]
        if self.dropped_tests:
            lines.append(f"note: left out {self.dropped_tests} nbgrader test cell(s); each check cell gives "
                         "the same feedback (hand out with nbgrader generate_assignment to keep them)")
        return "\n".join(lines) or "no notebooks found"


class CopyError(OSError):
    """Writing stopped part-way; ``report`` says what had been written before."""

    def __init__(self, message: str, report: CopyReport):
        super().__init__(message)
        self.report = report


def _refusal(out: Path, sources: set[Path], force: bool) -> str | None:
    """Why ``out`` must not be written, or None if it may be."""
    if out.is_symlink():
        return f"it is a symbolic link (to {os.readlink(out)}); a copy is never written through a link"
    if not out.exists():
        return None
    if out.resolve() in sources:
        return "it is one of the source notebooks"
    if not out.is_file():
        return "it exists and is not a file"
    try:
        text = out.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"it cannot be read to check it first ({error})"
    if BEGIN_MARK in text or BEGIN_HIDDEN in text:
        return ("it holds solution markers (BEGIN SOLUTION) or hidden tests: it looks like an answer key, so it is "
                "never replaced, even with --force; move it away if you really mean to")
    return None


def _write_atomically(nb: nbformat.NotebookNode, out: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.replace(tmp, out)  # replaces the directory entry itself, never a link's target
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def student_copy(source: Path | str, target: Path | str, force: bool = False) -> CopyReport:
    """Write student copies of ``source`` (a notebook or a folder of them) into ``target``.

    Every source notebook is read and checked first: if any is broken, a
    :class:`NotebookProblem` names it and nothing is written. An existing copy is kept
    unless ``force`` is true (it may hold a student's work); a symbolic link, or a file
    that still holds solution markers, is never written, even with ``force``.

    Raises
    ------
    FileNotFoundError, ValueError, NotebookProblem
        Before anything is written.
    CopyError
        If writing fails part-way; its ``report`` lists what was written before.
    """
    if not str(source).strip() or not str(target).strip():
        raise ValueError(f"give both a source and a target folder, e.g. notebooks build/student; got "
                         f"source {str(source)!r} and target {str(target)!r}")
    source, target = Path(source), Path(target)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist: give a notebook or a folder of notebooks")
    if source.is_file() and source.suffix != ".ipynb":
        raise ValueError(f"{source} is not a .ipynb notebook")
    notebooks = [source] if source.is_file() else sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"{source} holds no .ipynb notebooks, so there is nothing to copy; "
                         "give the folder with the notebooks, e.g. notebooks")
    blocker = next((p for p in [target, *target.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None and blocker != target:
        raise ValueError(f"the target {target} cannot be created: {blocker} is a file, not a folder")
    if target.is_symlink():
        raise ValueError(f"the target {target} is a symbolic link (to {os.readlink(target)}): copies are "
                         "never written through a link; give a real folder, e.g. build/student")
    if target.exists() and not target.is_dir():
        raise ValueError(f"the target {target} exists and is not a folder")
    if target.resolve() == (source if source.is_dir() else source.parent).resolve():
        raise ValueError("the target folder is the source folder: that would overwrite the teacher's "
                         "notebooks; choose another folder, e.g. build/student")
    plans = [_plan(path) for path in notebooks]  # every problem surfaces before any write
    report = CopyReport(warnings=[w for plan in plans for w in plan.warnings],
                        dropped_tests=sum(plan.dropped_tests for plan in plans))
    sources = {path.resolve() for path in notebooks}
    try:
        target.mkdir(parents=True, exist_ok=True)
        for plan in plans:
            out = target / plan.source.name
            why = _refusal(out, sources, force)
            if why is not None:
                report.refused.append((out, why))
            elif out.exists() and not force:
                report.skipped.append(out)
            else:
                _write_atomically(plan.notebook, out)
                report.written.append((out, plan.hidden))
    except OSError as error:
        raise CopyError(f"stopped part-way: {error}", report) from error
    return report
