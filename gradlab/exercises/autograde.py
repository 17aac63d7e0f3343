"""nbgrader cells for the notebooks: solution metadata and one locked test cell per check.

``python -m gradlab nbgrader-cells notebooks/*.py`` (or ``.ipynb`` files) brings a notebook
up to date; ``--check`` changes nothing and exits 1 if one is out of date. In each notebook:

* every code cell tagged ``solution`` (any case, ``solutions`` too) gets nbgrader's
  solution metadata, with a grade id from the exercise it answers (the next check), e.g.
  ``solution_03_1``; a grade id, points or grade flag already there are kept;
* every check call (``gradlab.check("KEY", answer)``, ``gl.check(...)`` after ``import
  gradlab as gl``, ``check(...)`` after ``from gradlab import check``, inside ``print(...)``
  or an assignment, with keyword arguments or a key held in a variable) gets one locked,
  autograded test cell right after its cell, grade id ``test_KEY``::

      # Autograder test (locked): the check above, silent when right, its hint when not.
      gradlab.grade("01.3", softplus)
      ### BEGIN HIDDEN TESTS
      gradlab.grade("01.3", softplus, seed=48213)
      ### END HIDDEN TESTS

  The seed is drawn once, when the cell is first written, and kept afterwards: nbgrader
  strips the hidden block from released copies, so the autograder also checks the answer at
  test points the student never saw. Its points are kept if a teacher changed them;
* a solution cell whose released copy (nbgrader's ``raise NotImplementedError()`` stub)
  would leave a name the check reads undefined gets a ``NAME = ...`` line above its
  ``### BEGIN SOLUTION``: an untouched exercise then reads "not yet solved", not NameError;
* a cell defining a teacher's exercise (``gradlab.exercise("KEY", ...)``) is locked;
* test cells it generated whose check is gone are removed.

It never loses a teacher's work: a test cell is rewritten or removed only when its source is
exactly one this module generates (so an added assert keeps the cell as it is, with a
warning); any other cell keeps its source and metadata; a ``.py`` twin and its ``.ipynb``
that disagree are refused, not reconciled; a check call it cannot read stops that notebook
with the cell named. Running it twice changes nothing the second time. This module never
imports TensorFlow. Its size (about 760 lines) is the list above: every way a check call can
be written, and every teacher edit that must survive a second run, each with its refusal.
"""

from __future__ import annotations

import ast
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from gradlab.student import is_solution_tag

__all__ = ["Check", "NotUnderstood", "Outcome", "check_call", "find_checks", "sync", "sync_paths"]

SOLUTION_TAG = "solution"  # any case, or "solutions": see gradlab.student.is_solution_tag
SCHEMA = 3
DEFAULT_POINTS = 1
TEST_COMMENT = "# Autograder test (locked): the check above, silent when right, its hint when not."
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader: any line containing these
NBGRADER_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # ClearSolutions.code_stub["python"]
FORMAT = "py:percent"
SEEDS = (10_000, 100_000)  # five digits: short to read, plenty for drawing test points


class NotUnderstood(ValueError):
    """A cell calls ``check`` in a way this module cannot turn into a test cell."""


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")


# --------------------------------------------------------------------------- reading check calls


@dataclass(frozen=True)
class Check:
    """One check call: the exercise key and the source text of the answer expression."""

    key: str
    argument: str


@dataclass
class _Names:
    """How the notebook reaches gradlab's ``check``: module aliases and imported names."""

    modules: set[str] = field(default_factory=set)  # gradlab itself: gradlab.check
    exercise_modules: set[str] = field(default_factory=set)  # gradlab.exercises: ex.check
    functions: set[str] = field(default_factory=set)  # check itself
    plain_import: bool = False  # `import gradlab` somewhere, so the name gradlab is bound

    def add(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "gradlab" or (alias.name.startswith("gradlab.") and alias.asname is None):
                    self.modules.add(alias.asname or "gradlab")
                    self.plain_import |= alias.asname in (None, "gradlab")
                elif alias.name == "gradlab.exercises":
                    self.exercise_modules.add(alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module in ("gradlab", "gradlab.exercises") and not node.level:
            for alias in node.names:
                if alias.name in ("check", "*"):
                    self.functions.add(alias.asname or "check")
                elif alias.name == "exercises" and node.module == "gradlab":
                    self.exercise_modules.add(alias.asname or "exercises")

    def is_check(self, node: ast.AST) -> bool:
        """Does ``node`` name gradlab's check (``check``, ``gl.check``, ``gradlab.exercises.check``)?"""
        if isinstance(node, ast.Name):
            return node.id in self.functions
        if not (isinstance(node, ast.Attribute) and node.attr == "check"):
            return False
        owner = node.value
        if isinstance(owner, ast.Name):
            return owner.id in self.modules or owner.id in self.exercise_modules
        return (isinstance(owner, ast.Attribute) and owner.attr == "exercises"
                and isinstance(owner.value, ast.Name) and owner.value.id in self.modules)


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree, IPython magics (``%time``, ``!pip``) read as ``pass``; None if not Python."""
    if source.lstrip().startswith("%%"):
        return None  # a cell magic: the body is not Python
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _names_in_notebook(sources: list[str]) -> _Names:
    names = _Names()
    for source in sources:
        tree = _parse(source)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.add(node)
    return names


def _string_constants(tree: ast.Module, known: dict[str, str]) -> None:
    """Record top-level ``NAME = "text"`` assignments (a key kept in a variable); forget rebinds."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                    known.pop(name, None)
            value = node.value
            if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(value, ast.Constant) and isinstance(value.value, str)):
                known[node.targets[0].id] = value.value


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _inside_scope(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is ``node`` inside a function, lambda, class or comprehension (names there are not the cell's)?"""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, scopes):
            return True
    return False


def _read_call(call: ast.Call, source: str, constants: dict[str, str]) -> Check:
    """The key and answer of one ``check(...)`` call, or NotUnderstood saying why not."""
    args: dict[str, ast.expr] = {}
    if len(call.args) > 2 or any(isinstance(a, ast.Starred) for a in call.args):
        raise NotUnderstood("it passes more than a key and an answer, or *arguments")
    args.update(zip(("key", "answer"), call.args, strict=False))
    for keyword in call.keywords:
        if keyword.arg not in ("key", "answer") or keyword.arg in args:
            raise NotUnderstood(f"it passes {'**' if keyword.arg is None else keyword.arg + '='}..., but "
                                "check takes only key and answer")
        args[keyword.arg] = keyword.value
    if set(args) != {"key", "answer"}:
        raise NotUnderstood("it does not pass both a key and an answer")
    key = args["key"]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        value = key.value
    elif isinstance(key, ast.Name) and key.id in constants:
        value = constants[key.id]
    else:
        raise NotUnderstood(f"its key {ast.unparse(key)!r} is not a string, nor a variable set to one in "
                            "an earlier line (write the key as a string, e.g. \"01.1\")")
    return Check(value, ast.get_source_segment(source, args["answer"]) or ast.unparse(args["answer"]))


def find_checks(source: str, names: _Names | None = None, constants: dict[str, str] | None = None) -> list[Check]:
    """Every check call in one cell, in order.

    Parameters
    ----------
    source : str
        The cell's source.
    names : _Names, optional
        How the notebook imports gradlab (default: ``import gradlab``, and the cell's own imports).
    constants : dict, optional
        ``NAME -> "key"`` string variables set by earlier cells; updated with this cell's.

    Returns
    -------
    list of Check

    Raises
    ------
    NotUnderstood
        If the cell uses check in a way that cannot be turned into a test cell (a key
        computed at run time, a check inside a function or loop expression, a cell that is
        not Python but mentions check).

    Examples
    --------
    >>> find_checks('fb = gradlab.check(key="01.1", answer=x)')
    [Check(key='01.1', argument='x')]
    """
    if names is None:
        names = _names_in_notebook([source])
        names.modules.add("gradlab")
    constants = {} if constants is None else constants
    tree = _parse(source)
    if tree is None:
        if any(re.search(rf"\b{re.escape(n)}\s*\.\s*check\b", source) for n in names.modules) or any(
                re.search(rf"\b{re.escape(n)}\s*\(", source) for n in names.functions):
            raise NotUnderstood("it is not Python this tool can parse, yet it seems to call check")
        return []
    parents = _parents(tree)
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in sorted((n for n in ast.walk(tree) if names.is_check(n)), key=lambda n: (n.lineno, n.col_offset)):
        call = calls.get(id(node))
        text = ast.get_source_segment(source, call or node)
        if call is None:
            raise NotUnderstood(f"it uses {text!r} other than by calling it (call it directly: "
                                "gradlab.check(\"KEY\", answer))")
        if _inside_scope(call, parents):
            raise NotUnderstood(f"{text!r} is inside a function, lambda or comprehension, so its answer "
                                "is not a name the test cell can read; call check at the top of the cell")
        _string_constants(ast.Module(body=[s for s in tree.body if s.lineno < call.lineno], type_ignores=[]),
                          constants)
        try:
            found.append(_read_call(call, source, constants))
        except NotUnderstood as why:
            raise NotUnderstood(f"{text!r}: {why}") from None
    _string_constants(tree, constants)
    return found


def check_call(source: str) -> tuple[str, str] | None:
    """``(key, argument text)`` of the last check call in a cell, or None (``import gradlab`` assumed)."""
    try:
        checks = find_checks(source)
    except NotUnderstood:
        return None
    return (checks[-1].key, checks[-1].argument) if checks else None


def exercise_keys_defined(source: str, modules: set[str] | frozenset[str] = frozenset({"gradlab"})) -> list[str]:
    """Keys of the teacher's exercises a cell defines with ``gradlab.exercise("KEY", ...)``."""
    tree = _parse(source)
    return [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "exercise"
            and ast.unparse(node.func.value) in modules and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)] if tree else []


# --------------------------------------------------------------------------- generated test cells


def render_test(key: str, argument: str, seed: int | None, import_gradlab: bool = False) -> str:
    """The source of a generated test cell (``seed=None``: the older form, no hidden block).

    Examples
    --------
    >>> print(render_test("01.3", "softplus", 48213))
    # Autograder test (locked): the check above, silent when right, its hint when not.
    gradlab.grade("01.3", softplus)
    ### BEGIN HIDDEN TESTS
    gradlab.grade("01.3", softplus, seed=48213)
    ### END HIDDEN TESTS
    """
    call = f"gradlab.grade({json.dumps(key, ensure_ascii=False)}, {argument}"
    lines = [TEST_COMMENT, *(["import gradlab"] if import_gradlab else []), call + ")"]
    if seed is not None:
        lines += [BEGIN_HIDDEN, f"{call}, seed={seed})", END_HIDDEN]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Generated:
    key: str
    argument: str
    seed: int | None


def generated_form(source: str) -> _Generated | None:
    """What a test cell checks, if its source is exactly one :func:`render_test` writes; else None.

    Exact means exact: a line added, removed or edited anywhere (an extra assert, a changed
    tolerance) makes it the teacher's cell, which is never rewritten.
    """
    tree = _parse(source)
    calls = [s.value for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)] if tree else []
    if not calls or ast.unparse(calls[0].func) != "gradlab.grade" or len(calls[0].args) != 2:
        return None
    key = calls[0].args[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    argument = ast.get_source_segment(source, calls[0].args[1])
    seeds = [k.value.value for c in calls[1:] for k in c.keywords
             if k.arg == "seed" and isinstance(k.value, ast.Constant) and type(k.value.value) is int]
    for seed in (seeds[:1] or [None]):
        for import_gradlab in (False, True):
            if render_test(key.value, argument, seed, import_gradlab) == source:
                return _Generated(key.value, argument, seed)
    return None


# --------------------------------------------------------------------------- unfinished answers


def nbgrader_release(source: str, markdown: bool = False) -> str:
    """A solution cell as nbgrader's ``generate_assignment`` releases it (ClearSolutions' rules).

    Every line containing ``BEGIN SOLUTION`` starts a region replaced by the stub, indented
    like that line; a line containing ``END SOLUTION`` ends it; a cell without markers
    becomes the stub whole.
    """
    stub = "YOUR ANSWER HERE" if markdown else NBGRADER_STUB
    lines, out, inside, found = source.split("\n"), [], False, False
    for line in lines:
        if BEGIN_SOLUTION in line:
            indent = re.match(r"\s*", line).group(0)
            out += [indent + s for s in stub.split("\n")]
            inside = found = True
        elif END_SOLUTION in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) if found else stub


def _bound(statements: list[ast.stmt]) -> set[str]:
    """Names the statements bind at the cell's top level (not inside functions or classes)."""
    names: set[str] = set()
    todo = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        todo.extend(ast.iter_child_nodes(node))
    return names


def _bound_before_raise(tree: ast.Module) -> set[str]:
    """Names bound before the first top-level statement that raises (nbgrader's stub)."""
    kept = []
    for statement in tree.body:
        if any(isinstance(n, ast.Raise) for n in ast.walk(statement)) and not isinstance(
                statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
        kept.append(statement)
    return _bound(kept)


def lost_in_release(source: str, needed: set[str]) -> list[str]:
    """Names in ``needed`` the solution cell binds, but its nbgrader release leaves undefined.

    Examples
    --------
    >>> lost_in_release("### BEGIN SOLUTION\\nanswer = 80\\n### END SOLUTION", {"answer"})
    ['answer']
    >>> lost_in_release("answer = ...\\n### BEGIN SOLUTION\\nanswer = 80\\n### END SOLUTION", {"answer"})
    []
    """
    original, released = _parse(source), _parse(nbgrader_release(source))
    if original is None or released is None:
        return []
    return sorted((needed & _bound(original.body)) - _bound_before_raise(released))


def add_placeholders(source: str, names: list[str]) -> str:
    """``NAME = ...`` lines for ``names``, above the cell's first top-level ``BEGIN SOLUTION``.

    In the answer key the solution below overwrites them; in a released copy they are what
    is left, so the check says "not yet solved" instead of raising NameError.
    """
    lines = source.split("\n")
    at = next((i for i, line in enumerate(lines) if BEGIN_SOLUTION in line), None)
    if at is None or lines[at][:1].isspace():
        at = 0  # no top-level marker: the whole cell (or a block) is the solution; start of cell
    return "\n".join([*lines[:at], *(f"{name} = ..." for name in names), *lines[at:]])


def _names_read(argument: str) -> set[str]:
    tree = _parse(argument)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} if tree else set()


# --------------------------------------------------------------------------- one notebook


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return dict(sorted(meta.items()))


def is_generated_test(cell) -> bool:
    """Is this a test cell this module wrote, unchanged since (so it may rewrite or remove it)?"""
    meta = _nbgrader(cell)
    if cell.get("cell_type") != "code" or meta.get("grade") is not True or meta.get("solution"):
        return False
    form = generated_form(cell.source)
    return form is not None and meta.get("grade_id") == f"test_{slug(form.key)}"


def is_solution_cell(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.get("cell_type") == "code" and (any(map(is_solution_tag, tags))
                                                or _nbgrader(cell).get("solution") is True)


def _test_cell(key: str, argument: str, seed: int, points: float, import_gradlab: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(render_test(key, argument, seed, import_gradlab))
    cell.metadata = nbformat.NotebookNode(
        {"nbgrader": _meta(f"test_{slug(key)}", grade=True, locked=True, points=points)})
    cell.pop("id", None)
    return cell


@dataclass
class _Sync:
    """The state of one pass over a notebook's cells."""

    cells: list
    names: _Names
    seeds: dict[str, int]
    rng: random.Random
    notes: list[str]
    warnings: list[str]
    out: list = field(default_factory=list)
    pending: list = field(default_factory=list)  # (number, solution cell) waiting for their check
    checked: set[str] = field(default_factory=set)

    def where(self, cell) -> str:
        number = next(i for i, c in enumerate(self.cells, 1) if c is cell)
        grade_id = _nbgrader(cell).get("grade_id")
        return f"cell {number}" + (f" ({grade_id})" if grade_id else "")


def _solution_meta(state: _Sync, cell, grade_id: str) -> None:
    """nbgrader solution metadata; a grade id, points or grade flag the teacher set are kept."""
    meta = _nbgrader(cell)
    if meta and meta.get("solution") is not True:
        state.warnings.append(f"{state.where(cell)}: tagged solution, but its nbgrader metadata says it is "
                              "not a solution cell; left as it is (fix the tag or the metadata)")
        return
    fresh = _meta(meta.get("grade_id") or grade_id, solution=True, grade=meta.get("grade") is True,
                  points=meta.get("points"))
    if meta != {**meta, **fresh} or not meta:
        cell.metadata["nbgrader"] = {**meta, **fresh}


def _answer_solutions(state: _Sync, check: Check) -> None:
    """Give the pending solution cells their metadata and the placeholders their check needs."""
    for n, cell in enumerate(state.pending):
        _solution_meta(state, cell, f"solution_{slug(check.key)}" + (f"_{n + 1}" if n else ""))
        lost = lost_in_release(cell.source, _names_read(check.argument))
        if lost:
            cell.source = add_placeholders(cell.source, lost)
            state.notes.append(f"{state.where(cell)}: added {', '.join(f'`{n} = ...`' for n in lost)} above "
                               f"'### {BEGIN_SOLUTION}', so a released, unfinished exercise {check.key} reads "
                               "'not yet solved' (not NameError)")
    state.pending = []


def _place_test(state: _Sync, check: Check, checked_in, ours: dict[str, tuple], teachers: dict[str, object]) -> None:
    """Put the test cell for ``check`` (called in cell ``checked_in``) next, unless a teacher's cell owns its id."""
    grade_id = f"test_{slug(check.key)}"
    if check.key in state.checked:
        raise NotUnderstood(f"exercise {check.key!r} is checked twice in the notebook; nbgrader needs one "
                            f"test cell ({grade_id}) per exercise: give each check its own key")
    state.checked.add(check.key)
    if grade_id in teachers:
        theirs = teachers[grade_id]
        why = ("a generated test cell changed by hand" if _nbgrader(theirs).get("grade") and
               check.key in theirs.source else "another cell already uses that grade id")
        state.warnings.append(f"{state.where(theirs)}: {why}; left as it is and no test cell generated for "
                              f"{check.key} (delete that cell to have it regenerated, or rename its grade id)")
        return
    previous, form = ours.pop(grade_id, (None, None))
    seed = (form.seed if form and form.seed is not None else state.seeds.get(check.key)) or \
        state.rng.randrange(*SEEDS)
    state.seeds[check.key] = seed
    points = _nbgrader(previous).get("points", DEFAULT_POINTS) if previous is not None else DEFAULT_POINTS
    # Always `import gradlab` first: a cell above may have rebound the name gradlab (to an
    # object whose grade() passes everything); the import gives the module back.
    fresh = _test_cell(check.key, check.argument, seed, points, True)
    if previous is None:
        state.notes.append(f"added test cell {grade_id} after {state.where(checked_in)}")
    else:  # keep the cell's id, outputs and any other metadata
        if previous.source != fresh.source:
            state.notes.append(f"{state.where(previous)}: generated test updated ({check.key})")
        previous.source = fresh.source
        previous.metadata["nbgrader"] = fresh.metadata["nbgrader"]
        fresh = previous
    state.out.append(fresh)


def _lock_definition(cell, keys: list[str]) -> None:
    meta = _nbgrader(cell)
    if meta.get("grade") or meta.get("solution"):
        return  # a teacher's own graded or solution cell: their choice
    keys = "_".join(slug(k) for k in keys)
    fresh = _meta(meta.get("grade_id") or f"exercise_{keys}", locked=True)
    if meta != {**meta, **fresh} or not meta:
        cell.metadata["nbgrader"] = {**meta, **fresh}


def _check_ids(cells) -> None:
    seen: dict[str, int] = {}
    for number, cell in enumerate(cells, 1):
        grade_id = _nbgrader(cell).get("grade_id")
        if grade_id and grade_id in seen:
            raise NotUnderstood(f"two cells share grade id {grade_id!r} (cells {seen[grade_id]} and {number} "
                                "once the test cells are in place); nbgrader needs each once: rename one")
        if grade_id:
            seen[grade_id] = number


def sync(nb: nbformat.NotebookNode, seeds: dict[str, int] | None = None, rng: random.Random | None = None,
         notes: list[str] | None = None, warnings: list[str] | None = None) -> nbformat.NotebookNode:
    """The notebook with nbgrader metadata and test cells brought up to date (in place).

    Parameters
    ----------
    nb : NotebookNode
    seeds : dict, optional
        ``key -> seed`` for hidden tests: read for new test cells, filled with every seed
        used (a twin and its ``.ipynb`` are synced with the same dict, so they agree).
    rng : random.Random, optional
        Draws new seeds (default: the system's randomness).
    notes, warnings : list, optional
        Filled with what changed, and with cells left alone that a teacher should look at.

    Returns
    -------
    NotebookNode
        ``nb`` itself.

    Raises
    ------
    NotUnderstood
        If a cell calls check in a way that cannot be read, an exercise is checked twice, or
        two cells would share a grade id; the message names the cell.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import gradlab"),
    ...     nbformat.v4.new_code_cell('gradlab.check("02.1", 80.0)')])
    >>> print(sync(nb, rng=random.Random(1)).cells[2].source.splitlines()[2])
    gradlab.grade("02.1", 80.0)
    """
    cells = list(nb.cells)
    code = [c.source for c in cells if c.cell_type == "code" and not _nbgrader(c).get("grade")]
    state = _Sync(cells, _names_in_notebook(code), {} if seeds is None else seeds,
                  rng or random.SystemRandom(), [] if notes is None else notes, [] if warnings is None else warnings)
    ours = {}
    for cell in cells:
        if is_generated_test(cell):
            ours[_nbgrader(cell)["grade_id"]] = (cell, generated_form(cell.source))
    generated = {id(cell) for cell, _ in ours.values()}
    teachers = {_nbgrader(c)["grade_id"]: c for c in cells if _nbgrader(c).get("grade_id") and id(c) not in generated}
    constants: dict[str, str] = {}
    for number, cell in enumerate(cells, 1):
        if id(cell) in generated:
            continue  # re-placed after its check below, or dropped if the check is gone
        state.out.append(cell)
        if cell.cell_type != "code" or (_nbgrader(cell).get("grade") and not _nbgrader(cell).get("solution")):
            continue  # markdown, or a teacher's own test cell: not a check to generate a test for
        if is_solution_cell(cell):
            state.pending.append(cell)
        elif exercise_keys_defined(cell.source, state.names.modules):
            _lock_definition(cell, exercise_keys_defined(cell.source, state.names.modules))
        try:
            checks = find_checks(cell.source, state.names, constants)
        except NotUnderstood as why:
            raise NotUnderstood(f"cell {number}: cannot read its check call: {why}") from None
        for check in checks:
            _answer_solutions(state, check)
            try:
                _place_test(state, check, cell, ours, teachers)
            except NotUnderstood as why:
                raise NotUnderstood(f"cell {number}: {why}") from None
    for n, cell in enumerate(state.pending):  # solutions that no check follows
        _solution_meta(state, cell, f"solution_unchecked_{n + 1}")
    for cell, _ in ours.values():
        state.notes.append(f"{state.where(cell)}: removed (generated, unchanged, and its check is gone)")
    _check_ids(state.out)
    nb.cells = state.out
    return nb


# --------------------------------------------------------------------------- files


@dataclass
class Outcome:
    """What happened to one notebook (with its twin): state, why, what changed, warnings."""

    path: Path
    state: str  # "updated", "in sync", "out of date" (with check) or "refused"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.path}: {self.state}" + (f": {self.reason}" if self.reason else "")
        return "\n".join([head, *(f"  - {n}" for n in self.notes), *(f"  warning: {w}" for w in self.warnings)])


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise ValueError("py:percent notebooks need jupytext: pip install jupytext "
                         "(or give the .ipynb files)") from None
    return jupytext


def _read_twin(py_path: Path) -> tuple[str, nbformat.NotebookNode]:
    original = py_path.read_text(encoding="utf-8")
    if not re.search(r"^# %%", original, re.M) and "jupytext:" not in original[:2000]:
        raise ValueError(f"{py_path}: not a py:percent notebook (it has no '# %%' cells and no "
                         "jupytext header), so it was left alone; give the .ipynb or its jupytext twin")
    return original, _jupytext().reads(original, FORMAT)


def _twin_text(nb: nbformat.NotebookNode, original: str) -> str:
    """The twin's new text, its header kept as it was (no version lines added)."""
    jupytext = _jupytext()
    text = jupytext.writes(nb, FORMAT)
    for line in ("#       format_version: '1.3'\n", f"#       jupytext_version: {jupytext.__version__}\n"):
        if line not in original:
            text = text.replace(line, "", 1)
    return text


def _content(nb) -> list[tuple]:
    return [(c.cell_type, c.source, _nbgrader(c), c.get("metadata", {}).get("tags", [])) for c in nb.cells]


def _disagreement(py_nb, ipynb_nb) -> str | None:
    """Where a twin and its notebook differ (cell types, sources, tags, nbgrader metadata), or None."""
    a, b = _content(py_nb), _content(ipynb_nb)
    for number, (x, y) in enumerate(zip(a, b, strict=False), 1):
        if x != y:
            what = ["cell type", "source", "nbgrader metadata", "tags"][next(i for i in range(4) if x[i] != y[i])]
            return f"cell {number} differs ({what})"
    return None if len(a) == len(b) else f"the .py has {len(a)} cells, the .ipynb {len(b)}"


def _pair(path: Path) -> tuple[Path | None, Path | None]:
    """The ``.py`` twin and ``.ipynb`` of a path (either may be None)."""
    py, ipynb = path.with_suffix(".py"), path.with_suffix(".ipynb")
    if path.suffix == ".ipynb" and py.exists():
        text = py.read_text(encoding="utf-8", errors="replace")
        if not (re.search(r"^# %%", text, re.M) or "jupytext:" in text[:2000]):
            py = None  # a script that happens to share the name, not a twin
    return (py if py.exists() else None) if py else None, ipynb if ipynb.exists() else None


def sync_file(path: Path | str, check: bool = False, rng: random.Random | None = None) -> Outcome:
    """Bring one notebook, and its twin if it has one, up to date; never raises for a bad file.

    Parameters
    ----------
    path : Path or str
        A ``.ipynb`` notebook or its py:percent twin (``.py``).
    check : bool
        Change nothing; report "out of date" where something would change.
    rng : random.Random, optional
        Draws the seeds of new hidden tests.

    Returns
    -------
    Outcome
        "updated", "in sync", "out of date" or "refused" (with the reason; nothing written).
    """
    from gradlab.student import NotebookProblem, _read

    path = Path(path)
    try:
        if path.suffix not in (".py", ".ipynb"):
            raise ValueError("give .ipynb notebooks or their py:percent twins (.py)")
        if not path.is_file():
            raise ValueError("it does not exist")
        py, ipynb = _pair(path)
        original, py_nb = _read_twin(py) if py else (None, None)
        ipynb_nb = _read(ipynb) if ipynb else None
        if py_nb is not None and ipynb_nb is not None:
            where = _disagreement(py_nb, ipynb_nb)
            if where:
                return Outcome(path, "refused", f"{py} and {ipynb} disagree: {where}; nothing was written. Make "
                               f"them agree first: `jupytext --sync {py}` (it keeps the newer file's cells), or "
                               f"keep the .py with `jupytext --to ipynb --update {py}`, or the .ipynb with "
                               f"`jupytext --to py:percent {ipynb}`")
        seeds: dict[str, int] = {}
        notes: list[str] = []
        warnings: list[str] = []
        rng = rng or random.SystemRandom()
        text = _twin_text(sync(py_nb, seeds, rng, notes, warnings), original) if py_nb is not None else None
        before = nbformat.writes(ipynb_nb) if ipynb_nb is not None else None
        if ipynb_nb is not None:
            synced = sync(ipynb_nb, seeds, rng, notes if py_nb is None else [], warnings if py_nb is None else [])
            for cell in synced.cells:  # nbformat wants an id on every cell of a 4.5 notebook
                if "id" not in cell and synced.nbformat_minor >= 5:
                    cell.id = "nbgrader-" + _nbgrader(cell)["grade_id"].replace("_", "-")
    except NotUnderstood as why:
        return Outcome(path, "refused", f"{why}; nothing was written")
    except (NotebookProblem, ValueError, OSError, UnicodeDecodeError) as error:
        return Outcome(path, "refused", f"{str(error).removeprefix(f'{path}: ')}; nothing was written")
    changed = (text is not None and text != original) or (
        ipynb_nb is not None and nbformat.writes(ipynb_nb) != before)
    if changed and not check:
        if ipynb_nb is not None:
            nbformat.write(ipynb_nb, ipynb)
        if text is not None:  # the twin last: the newer file, as `jupytext --sync` expects
            py.write_text(text, encoding="utf-8")
    state = "in sync" if not changed else "out of date" if check else "updated"
    return Outcome(path, state, notes=notes if changed else [], warnings=warnings)


def sync_paths(paths: list[Path], check: bool = False, rng: random.Random | None = None) -> list[Outcome]:
    """:func:`sync_file` for each path; one refused file does not stop the others.

    Returns
    -------
    list of Outcome
        One per path, in order.
    """
    return [sync_file(path, check, rng) for path in paths]
