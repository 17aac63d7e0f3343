"""``nbgrader-cells`` never loses a teacher's work, reads every check call, and keeps hidden tests.

The unit tests build small notebooks; the last tests run the real nbgrader (dev extra) on
them: the release has no hidden tests and keeps the teacher's own cells, an unfinished
exercise reads "not yet solved" under its check cell, and autograde gives the answer key
full marks (hidden tests included) and the untouched release zero.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import jupytext
import nbformat
import pytest

from gradlab.exercises import autograde
from gradlab.exercises.autograde import NotUnderstood, find_checks, render_test, sync, sync_file

CLI = [sys.executable, "-m", "gradlab", "nbgrader-cells"]
SOLUTION = "### BEGIN SOLUTION\nanswer = 80.0\n### END SOLUTION"


def code(source: str, tags: list[str] | None = None, **nbgrader) -> nbformat.NotebookNode:
    meta = {"tags": tags} if tags else {}
    if nbgrader:
        meta["nbgrader"] = {"schema_version": 3, "solution": False, "task": False, **nbgrader}
    return nbformat.v4.new_code_cell(source, metadata=meta)


def notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def grader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def graded_cells(nb) -> list:
    return [c for c in nb.cells if grader(c).get("grade") and not grader(c).get("solution")]


def cli(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, paths)], capture_output=True, text=True, timeout=120)


def seed_of(cell) -> int:
    return int(re.search(r"seed=(\d+)", cell.source).group(1))


# --------------------------------------------------------------------------- every way to call check


CALLS = {
    "alias": ("import gradlab as gl", 'gl.check("02.1", answer)', True),
    "from-import": ("from gradlab import check", 'check("02.1", answer)', True),
    "from-import-as": ("from gradlab import check as verify", 'verify("02.1", answer)', True),
    "star-import": ("from gradlab import *", 'check("02.1", answer)', True),
    "exercises-module": ("import gradlab.exercises as ex", 'ex.check("02.1", answer)', True),
    "print": ("import gradlab", 'print(gradlab.check("02.1", answer))', False),
    "assigned": ("import gradlab", 'fb = gradlab.check("02.1", answer)\nfb', False),
    "keywords": ("import gradlab", 'gradlab.check(key="02.1", answer=answer)', False),
    "keywords-reversed": ("import gradlab", 'gradlab.check(answer=answer, key="02.1")', False),
    "key-variable": ("import gradlab", 'KEY = "02.1"\ngradlab.check(KEY, answer)', False),
    "key-variable-earlier-cell": ('import gradlab\nKEY = "02.1"', "gradlab.check(KEY, answer)", False),
    "inside-if": ("import gradlab", 'if answer is not None:\n    gradlab.check("02.1", answer)', False),
}


@pytest.mark.parametrize(("setup", "call", "imports"), CALLS.values(), ids=CALLS.keys())
def test_every_way_of_calling_check_gets_one_test_cell_that_runs(setup, call, imports, monkeypatch):
    nb = sync(notebook(code(setup), code(SOLUTION, ["solution"]), code(call)), rng=random.Random(7))
    test = nb.cells[3]
    assert [c is test for c in graded_cells(nb)] == [True]
    assert grader(test) == {"grade": True, "grade_id": "test_02_1", "locked": True, "points": 1,
                            "schema_version": 3, "solution": False, "task": False}
    assert test.source == render_test("02.1", "answer", seed_of(test), import_gradlab=True)
    # The generated cell runs whatever name the notebook gave gradlab: record what it grades.
    graded, fake = [], types.ModuleType("gradlab")
    fake.check = lambda key, answer: f"checked {key}"
    fake.grade = lambda key, answer, seed=None: graded.append((key, answer, seed))
    fake.exercises = fake
    monkeypatch.setitem(sys.modules, "gradlab", fake)
    monkeypatch.setitem(sys.modules, "gradlab.exercises", fake)
    namespace: dict = {}
    for cell in nb.cells:
        exec(cell.source, namespace)  # noqa: S102 - the notebook, top to bottom
    assert graded == [("02.1", 80.0, None), ("02.1", 80.0, seed_of(test))]


NOT_UNDERSTOOD = {
    "key-from-a-loop": 'for k in ["02.1"]:\n    gradlab.check(k, answer)',
    "f-string-key": 'gradlab.check(f"0{2}.1", answer)',
    "check-renamed": 'c = gradlab.check\nc("02.1", answer)',
    "no-answer": 'gradlab.check("02.1")',
    "inside-a-function": 'def mine(x):\n    return gradlab.check("02.1", x)',
    "comprehension": '[gradlab.check("02.1", a) for a in [answer]]',
    "unknown-keyword": 'gradlab.check("02.1", answer, rtol=0.1)',
    "cell-magic": '%%time\ngradlab.check("02.1", answer)',
}


@pytest.mark.parametrize("call", NOT_UNDERSTOOD.values(), ids=NOT_UNDERSTOOD.keys())
def test_a_check_call_it_cannot_read_refuses_the_file_naming_the_cell(tmp_path, call):
    path = tmp_path / "a.ipynb"
    nbformat.write(notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code(call)), path)
    before = path.read_bytes()
    run = cli(path)
    assert run.returncode == 2, run.stdout
    assert f"{path}: refused: cell 3: cannot read its check call" in run.stdout
    assert "nothing was written" in run.stdout and "Traceback" not in run.stderr
    assert path.read_bytes() == before


def test_find_checks_reads_several_calls_in_order_and_ignores_other_checks():
    source = ('gradlab.check("01.1", a)\nx = 1\nprint(gradlab.check("01.2", (h, dh)))\n'
              'my.check("01.3", b)\n"gradlab.check(\'no\', c)"')
    assert [(c.key, c.argument) for c in find_checks(source)] == [("01.1", "a"), ("01.2", "(h, dh)")]
    with pytest.raises(NotUnderstood, match="inside a function"):
        find_checks('lambda x: gradlab.check("01.1", x)')


def test_two_checks_in_one_cell_get_a_test_cell_each_in_order():
    notes: list[str] = []
    nb = sync(notebook(code("import gradlab"), code('gradlab.check("a.1", 1)\ngradlab.check("a.2", (2, 3))')),
              notes=notes)
    calls = [c.source.splitlines()[2] for c in nb.cells[2:]]  # comment, import gradlab, the call
    assert calls == ['gradlab.grade("a.1", 1)', 'gradlab.grade("a.2", (2, 3))']
    assert notes == ["added test cell test_a_1 after cell 2", "added test cell test_a_2 after cell 2"]


def test_the_module_examples_hold():
    import doctest

    assert doctest.testmod(autograde).failed == 0


# --------------------------------------------------------------------------- never lose work


def test_a_teachers_own_autograded_cell_survives_untouched():
    mine = code("assert isinstance(answer, int), 'give a whole number'", grade=True,
                grade_id="test_answer_is_int", locked=True, points=2)
    nb = notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code('gradlab.check("02.1", answer)'),
                  mine)
    kept = nbformat.writes(nbformat.v4.new_notebook(cells=[mine]))
    warnings: list[str] = []
    synced = sync(nb, warnings=warnings)
    assert synced.cells[4] is mine and nbformat.writes(nbformat.v4.new_notebook(cells=[mine])) == kept
    assert [grader(c)["grade_id"] for c in graded_cells(synced)] == ["test_02_1", "test_answer_is_int"]
    assert warnings == []
    # and once its check is gone, it is still there (only generated, unchanged cells go)
    synced.cells = [c for c in synced.cells if "gradlab.check" not in c.source]
    assert [grader(c)["grade_id"] for c in graded_cells(sync(synced))] == ["test_answer_is_int"]


def test_a_teachers_cell_whose_grade_id_clashes_is_kept_and_warned_about():
    theirs = code("assert answer > 0", grade=True, grade_id="test_02_1", locked=True, points=3)
    nb = notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code('gradlab.check("02.1", answer)'), theirs)
    warnings: list[str] = []
    synced = sync(nb, warnings=warnings)
    assert graded_cells(synced) == [theirs] and theirs.source == "assert answer > 0" and grader(theirs)["points"] == 3
    assert len(warnings) == 1 and "cell 4 (test_02_1): another cell already uses that grade id" in warnings[0]


def test_asserts_a_teacher_added_to_a_generated_cell_are_kept():
    nb = sync(notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code('gradlab.check("02.1", answer)')))
    test = graded_cells(nb)[0]
    test.source += "\nassert float(answer) == 80.0, 'exactly 80'"
    edited = test.source
    warnings: list[str] = []
    sync(nb, warnings=warnings)
    assert graded_cells(nb) == [test] and test.source == edited
    assert len(warnings) == 1 and "a generated test cell changed by hand; left as it is" in warnings[0]


def test_an_unchanged_generated_cell_is_updated_keeping_points_id_and_outputs():
    old = code(render_test("02.1", "answer", None), grade=True, grade_id="test_02_1", locked=True, points=4)
    old.id, old.outputs = "keep-me", [nbformat.v4.new_output("stream", text="ran\n")]
    nb = notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code('gradlab.check("02.1", answer)'), old)
    notes: list[str] = []
    sync(nb, rng=random.Random(1), notes=notes)
    assert graded_cells(nb) == [old] and old.id == "keep-me" and old.outputs[0].text == "ran\n"
    assert grader(old)["points"] == 4 and "### BEGIN HIDDEN TESTS" in old.source
    assert "cell 4 (test_02_1): generated test updated (02.1)" in notes


def test_a_seed_is_drawn_once_and_kept():
    nb = sync(notebook(code("import gradlab"), code('gradlab.check("02.1", 80.0)'), code('gradlab.check("02.2", 1)')),
              rng=random.Random(1))
    seeds = [seed_of(c) for c in graded_cells(nb)]
    assert all(autograde.SEEDS[0] <= s < autograde.SEEDS[1] for s in seeds) and seeds[0] != seeds[1]
    nb.cells[1].source = 'gradlab.check("02.1", 81.0)'  # the check changes: the test follows, same seed
    sync(nb, rng=random.Random(2))
    assert [seed_of(c) for c in graded_cells(nb)] == seeds
    assert 'gradlab.grade("02.1", 81.0' in graded_cells(nb)[0].source


def test_generated_cells_whose_check_is_gone_are_removed_and_said():
    nb = sync(notebook(code("import gradlab"), code('gradlab.check("02.1", 80.0)')))
    nb.cells[1].source = "print('no check any more')"
    notes: list[str] = []
    sync(nb, notes=notes)
    assert graded_cells(nb) == []
    assert notes == ["cell 3 (test_02_1): removed (generated, unchanged, and its check is gone)"]


def test_solution_tags_in_any_case_and_teachers_solution_grade_ids_are_kept():
    nb = notebook(code("import gradlab"), code(SOLUTION, ["Solution"]), code('gradlab.check("02.1", answer)'),
                  code("x = 1", ["solutions"], solution=True, grade=True, grade_id="my_written_answer", points=2,
                       locked=False),
                  code('gradlab.check("02.2", x)'))
    sync(nb)
    assert grader(nb.cells[1])["grade_id"] == "solution_02_1" and grader(nb.cells[1])["solution"] is True
    assert {k: grader(nb.cells[4])[k] for k in ("grade_id", "grade", "points")} == {
        "grade_id": "my_written_answer", "grade": True, "points": 2}


# --------------------------------------------------------------------------- unfinished answers (item 5)


@pytest.mark.parametrize(("solution", "argument", "expected"), [
    (SOLUTION, "answer", "answer = ...\n" + SOLUTION),
    ("x = 2.0\n### BEGIN SOLUTION\nanswer = 5 * x\n### END SOLUTION", "answer",
     "x = 2.0\nanswer = ...\n### BEGIN SOLUTION\nanswer = 5 * x\n### END SOLUTION"),
    ("### BEGIN SOLUTION\ndef f(x):\n    return x\n### END SOLUTION", "f", "f = ...\n### BEGIN SOLUTION\n"
     "def f(x):\n    return x\n### END SOLUTION"),
    ("with open('/dev/null'):\n    ### BEGIN SOLUTION\n    answer = 1\n    ### END SOLUTION", "answer",
     "answer = ...\nwith open('/dev/null'):\n    ### BEGIN SOLUTION\n    answer = 1\n    ### END SOLUTION"),
    ("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION", "f", None),  # f stays defined
    ("answer = ...\n" + SOLUTION, "answer", None),  # already there
    ("lo, hi = 1, 2\n### BEGIN SOLUTION\nanswer = lo\n### END SOLUTION", "(lo, hi, answer)",
     "lo, hi = 1, 2\nanswer = ...\n### BEGIN SOLUTION\nanswer = lo\n### END SOLUTION"),
], ids=["value", "value-after-set-up", "whole-def", "inside-a-block", "function-body", "idempotent", "some-names"])
def test_names_a_check_reads_stay_defined_in_the_release(solution, argument, expected):
    nb = notebook(code("import gradlab"), code(solution, ["solution"]), code(f'gradlab.check("02.1", {argument})'))
    sync(nb)
    assert nb.cells[1].source == (solution if expected is None else expected)
    released = autograde.nbgrader_release(nb.cells[1].source)
    namespace: dict = {}
    try:
        exec(released, namespace)  # noqa: S102 - as a student runs the untouched release
    except NotImplementedError:
        pass  # nbgrader's stub, in the solution cell itself
    eval(argument, namespace)  # noqa: S307 - no NameError under the check cell


# --------------------------------------------------------------------------- files, twins, the command


def write_twin(folder: Path, nb, name: str = "a") -> tuple[Path, Path]:
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    py, ipynb = folder / f"{name}.py", folder / f"{name}.ipynb"
    nbformat.write(nb, ipynb)
    py.write_text(jupytext.writes(nb, "py:percent"), encoding="utf-8")
    return py, ipynb


def sample() -> nbformat.NotebookNode:
    return notebook(code("import gradlab"), code(SOLUTION, ["solution"]), code('gradlab.check("02.1", answer)'))


def test_twins_that_disagree_are_refused_and_jupytext_sync_then_keeps_the_newer_edit(tmp_path):
    py, ipynb = write_twin(tmp_path, sample())
    py.write_text(py.read_text().replace("answer = 80.0", "answer = 5 * 2**4  # the teacher's edit"))
    os.utime(ipynb, (1_000_000_000, 1_000_000_000))
    os.utime(py, (1_000_000_100, 1_000_000_100))  # the .py is the newer one, as after an edit
    before = {p: (p.read_bytes(), p.stat().st_mtime) for p in (py, ipynb)}
    for path in (py, ipynb):
        run = cli(path)
        assert run.returncode == 2
        assert f"{py} and {ipynb} disagree: cell 2 differs (source)" in run.stdout
        assert f"jupytext --sync {py}" in run.stdout and "nothing was written" in run.stdout
        assert {p: (p.read_bytes(), p.stat().st_mtime) for p in (py, ipynb)} == before
    jupytext_cli = Path(sys.executable).with_name("jupytext")
    subprocess.run([str(jupytext_cli), "--sync", str(py)], check=True, capture_output=True)
    assert cli(py).returncode == 0
    for nb in (jupytext.read(py), nbformat.read(ipynb, 4)):
        assert "the teacher's edit" in nb.cells[1].source and len(graded_cells(nb)) == 1
    assert seed_of(graded_cells(jupytext.read(py))[0]) == seed_of(graded_cells(nbformat.read(ipynb, 4))[0])


def test_every_files_outcome_is_reported_when_one_fails(tmp_path):
    good_py, _ = write_twin(tmp_path, sample(), "a_good")
    bad = tmp_path / "b_bad.ipynb"
    nbformat.write(notebook(code("import gradlab"), code('gradlab.check(k, 1)')), bad)
    synced = tmp_path / "c_synced.ipynb"
    nbformat.write(sample(), synced)
    assert sync_file(synced).state == "updated"
    missing = tmp_path / "d_missing.ipynb"
    run = cli(good_py, bad, synced, missing)
    assert run.returncode == 2
    lines = [line for line in run.stdout.splitlines() if not line.startswith("  ")]
    assert lines == [f"{good_py}: updated", f"{bad}: refused: cell 2: cannot read its check call: 'gradlab.check(k, "
                     "1)': its key 'k' is not a string, nor a variable set to one in an earlier line (write the key as "
                     "a string, e.g. \"01.1\"); nothing was written", f"{synced}: in sync",
                     f"{missing}: refused: it does not exist; nothing was written"]
    assert "refused 2 of 4 file(s)" in run.stderr
    assert cli(good_py, synced).returncode == 0


def test_check_mode_reports_without_writing(tmp_path):
    path = tmp_path / "a.ipynb"
    nbformat.write(sample(), path)
    before = path.read_bytes()
    run = subprocess.run([*CLI, "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 1 and f"{path}: out of date" in run.stdout and path.read_bytes() == before
    assert sync_file(path).state == "updated" and sync_file(path, check=True).state == "in sync"


def test_the_command_never_imports_tensorflow(tmp_path):
    path = tmp_path / "a.ipynb"
    nbformat.write(sample(), path)
    program = ("import sys\nfrom gradlab.cli import main\n"
               f"code = main(['nbgrader-cells', {str(path)!r}])\nprint(code, 'tensorflow' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "0 False", run.stdout + run.stderr


# --------------------------------------------------------------------------- with the real nbgrader


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("MPLBACKEND", None)
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def course_notebook() -> nbformat.NotebookNode:
    """A teacher's notebook with each case: aliased import, teacher's own test, value and function exercises."""
    md = nbformat.v4.new_markdown_cell
    return notebook(
        md("# Cases"),
        code("import gradlab as gl\n\nimport numpy as np"),
        code('gl.exercise("my.1", reference=12.0)\n'
             'gl.exercise("my.2", reference=lambda x: np.sin(x) ** 2, kind="function", inputs=[-1.0, 0.3, 2.0])'),
        code("### BEGIN SOLUTION\nslope = 2 * 6.0\n### END SOLUTION", ["solution"]),
        code('fb = gl.check(key="my.1", answer=slope)\nfb'),
        code("assert isinstance(slope, float), 'a float, please'", grade=True, grade_id="test_answer_is_float",
             locked=True, points=2),
        code("### BEGIN SOLUTION\ndef sin2(x):\n    return np.sin(x) ** 2\n### END SOLUTION", ["solution"]),
        code('print(gl.check("my.2", sin2))'),
    )


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_nbgrader_releases_and_autogrades_the_synced_cases(tmp_path, monkeypatch):
    pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")
    from nbclient import NotebookClient

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    course = tmp_path / "course"
    (course / "source" / "ps").mkdir(parents=True)
    key = course / "source" / "ps" / "cases.ipynb"
    nbformat.write(course_notebook(), key)
    assert sync_file(key).state == "updated" and sync_file(key, check=True).state == "in sync"
    source = nbformat.read(key, 4)
    assert [grader(c)["grade_id"] for c in graded_cells(source)] == ["test_my_1", "test_answer_is_float", "test_my_2"]
    assert all("import gradlab\n" in c.source and "### BEGIN HIDDEN TESTS" in c.source
               for c in graded_cells(source) if c.source.startswith(autograde.TEST_COMMENT))
    # Ceilings, not waits (nbgrader's own are 30 s a cell and 60 s a kernel start: short on a busy machine).
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "cases"\n'
                                              'c.Execute.timeout = 1800\nc.Execute.startup_timeout = 600\n')
    nbgrader(course, "generate_assignment", "ps", "--force")
    released = nbformat.read(course / "release" / "ps" / "cases.ipynb", 4)
    text = nbformat.writes(released)
    assert "HIDDEN TESTS" not in text and "seed=" not in text and "BEGIN SOLUTION" not in text
    assert "assert isinstance(slope, float)" in text  # the teacher's own test, released as written
    assert released.cells[3].source == "slope = ...\n# YOUR CODE HERE\nraise NotImplementedError()"

    # An untouched release, run as a student runs it: the checks say "not yet solved".
    NotebookClient(released, timeout=1800, startup_timeout=600, kernel_name="python3", allow_errors=True).execute()
    checks = [c for c in released.cells if "gl.check(" in c.source]
    assert len(checks) == 2 and not [o for c in checks for o in c.outputs if o.output_type == "error"]
    shown = " ".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for c in checks for o in c.outputs)
    assert shown.count("Not yet solved") == 2, shown

    # Autograde restores the hidden tests: the answer key gets every mark, the untouched copy none.
    for student, folder in (("key", course / "source" / "ps"), ("blank", course / "release" / "ps")):
        nbgrader(course, "db", "student", "add", student)
        shutil.copytree(folder, course / "submitted" / student / "ps")
    nbgrader(course, "autograde", "ps")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        marks = {s: {g.name: g.score for nb in gradebook.find_submission("ps", s).notebooks for g in nb.grades}
                 for s in ("key", "blank")}
    assert marks["key"] == {"test_my_1": 1.0, "test_answer_is_float": 2.0, "test_my_2": 1.0}
    assert marks["blank"] == {"test_my_1": 0.0, "test_answer_is_float": 0.0, "test_my_2": 0.0}
    graded = nbformat.read(course / "autograded" / "key" / "ps" / "cases.ipynb", 4)
    assert sum("### BEGIN HIDDEN TESTS" in c.source for c in graded.cells) == 2
