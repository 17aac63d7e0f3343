"""The notebooks are nbgrader assignments: metadata in sync, and a real release/autograde round trip.

The round trip runs the real nbgrader (dev extra) on a throw-away course: the teacher's
notebooks submitted as they are score full marks, hidden tests included (they are in the
source, absent from the release, and back in the autograded copies); the released copies,
untouched, score zero and their checks read "not yet solved" (no NameError); a partly
solved copy scores exactly the exercises it solved; the feedback shows the check's own
hint. It executes the notebooks (about two minutes on two cores): every notebook once for
the full-marks submission, two notebooks for the other two.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from gradlab.exercises import autograde as cells_tool

ROOT = Path(__file__).resolve().parent.parent
TWINS = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

SYNC = "python -m gradlab nbgrader-cells notebooks/*.py"


def grader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


# --------------------------------------------------------------------------- metadata in sync


def check_cells(nb) -> list[tuple[int, cells_tool.Check]]:
    """``(index, check)`` for every check call in the notebook, read as nbgrader-cells reads them."""
    names = cells_tool._names_in_notebook([c.source for c in nb.cells if c.cell_type == "code"])
    return [(i, check) for i, c in enumerate(nb.cells) if c.cell_type == "code" and not grader(c).get("grade")
            for check in cells_tool.find_checks(c.source, names)]


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: p.stem)
def test_twin_and_notebook_are_in_sync_with_their_nbgrader_cells(twin):
    outcome = cells_tool.sync_file(twin, check=True)
    assert outcome.state == "in sync", f"{outcome}\nrun {SYNC}"
    for nb in (jupytext.read(twin), nbformat.read(twin.with_suffix(".ipynb"), 4)):
        checks = check_cells(nb)
        assert len(checks) >= 3
        for i, check in checks:  # one check per cell in these notebooks: its test cell comes next
            test = nb.cells[i + 1]
            assert grader(test) == {"grade": True, "grade_id": f"test_{cells_tool.slug(check.key)}", "locked": True,
                                    "points": grader(test)["points"], "schema_version": 3, "solution": False,
                                    "task": False}
            seed = int(re.search(r"seed=(\d+)\)", test.source).group(1))
            assert test.source == cells_tool.render_test(check.key, check.argument, seed, import_gradlab=True)
        solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert solutions and all(grader(c).get("solution") is True and grader(c).get("grade") is False
                                 for c in solutions)
        ids = [grader(c)["grade_id"] for c in nb.cells if grader(c)]
        assert len(ids) == len(set(ids)) == len(solutions) + len(checks)


def test_nbgraders_own_validator_accepts_every_notebook():
    pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")
    from nbgrader.nbgraderformat import MetadataValidator

    for ipynb in NOTEBOOKS:
        MetadataValidator().validate_nb(nbformat.read(ipynb, 4))  # raises ValidationError if not


def test_sync_adds_what_is_missing_keeps_points_and_is_idempotent():
    twin = TWINS[0]
    nb = jupytext.read(twin)
    seeds = {g.key: g.seed for g in map(cells_tool.generated_form, (c.source for c in nb.cells)) if g}
    nb.cells = [c for c in nb.cells if not cells_tool.is_generated_test(c)]
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    bare = jupytext.writes(nb, "py:percent")
    assert "nbgrader" not in bare and "HIDDEN TESTS" not in bare
    once = cells_tool.sync(jupytext.reads(bare, "py:percent"), seeds=dict(seeds))
    assert jupytext.writes(once, "py:percent") == jupytext.writes(jupytext.read(twin), "py:percent")
    test = next(c for c in once.cells if cells_tool.is_generated_test(c))
    grader(test)["points"] = 5
    twice = cells_tool.sync(once)
    again = next(c for c in twice.cells if cells_tool.is_generated_test(c))
    assert again is test and grader(again)["points"] == 5
    text = jupytext.writes(twice, "py:percent")
    assert jupytext.writes(cells_tool.sync(jupytext.reads(text, "py:percent")), "py:percent") == text


def test_sync_check_mode_reports_a_stale_twin(tmp_path):
    stale = tmp_path / TWINS[0].name
    stale.write_text(TWINS[0].read_text(encoding="utf-8").replace(', "points": 1,', ', "points": 1, "x": 1,', 1))
    run = [sys.executable, str(ROOT / "tools" / "nbgrader_cells.py")]
    out = subprocess.run([*run, "--check", str(stale)], capture_output=True, text=True)
    assert out.returncode == 1 and "out of date" in out.stdout
    assert subprocess.run([*run, str(stale)], capture_output=True, text=True).returncode == 0
    assert subprocess.run([*run, "--check", str(stale)], capture_output=True, text=True).returncode == 0


# --------------------------------------------------------------------------- the round trip


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("MPLBACKEND", None)
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def by_grade_id(nb) -> dict:
    return {grader(c)["grade_id"]: c for c in nb.cells if grader(c)}


def scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {f"{nb.name}:{g.name}": g.score for nb in submission.notebooks for g in nb.grades}


def expected_points(notebooks) -> dict[str, float]:
    return {f"{p.stem}:{grader(c)['grade_id']}": float(grader(c)["points"])
            for p in notebooks for c in nbformat.read(p, 4).cells if grader(c).get("grade")}


def partly_solved(course: Path, name: str) -> tuple[nbformat.NotebookNode, dict, list[tuple[str, str, str]]]:
    """The released notebook with exercise 1 solved, exercise 2 answered wrongly, the rest untouched."""
    source = nbformat.read(course / "source" / "two" / name, 4)
    released = nbformat.read(course / "release" / "two" / name, 4)
    solutions = [c for c in source.cells if grader(c).get("solution")]
    checks = [cells_tool.check_call(c.source) for c in source.cells if cells_tool.check_call(c.source)]
    mine = by_grade_id(released)
    mine[grader(solutions[0])["grade_id"]].source = solutions[0].source
    key, argument = checks[1]
    names = sorted({n.id for n in ast.walk(ast.parse(argument)) if isinstance(n, ast.Name)})
    mine[grader(solutions[1])["grade_id"]].source = "\n".join(f'{n} = "wrong"' for n in names)
    stem = Path(name).stem
    marks = {f"{stem}:test_{cells_tool.slug(k)}": 0.0 for k, _ in checks}
    marks[f"{stem}:test_{cells_tool.slug(checks[0][0])}"] = float(grader(by_grade_id(source)[
        f"test_{cells_tool.slug(checks[0][0])}"])["points"])
    wrong_answers = [(key, argument, "\n".join(f'{n} = "wrong"' for n in names))]
    return released, marks, wrong_answers


def feedback_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def teachers_notebook(path: Path) -> Path:
    """A teacher's own notebook: two exercises defined in it, nothing added to the package."""
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(cells=[
        md("# My exercises"),
        code("import math\n\nimport gradlab\nimport tensorflow as tf"),
        code('gradlab.exercise("my.1", reference=12.0, hints={-12.0: "mind the sign of the slope"})\n'
             'gradlab.exercise("my.2", reference=lambda x: tf.sin(x) ** 2, kind="gradient", '
             'inputs=[-1.0, 0.3, 2.0])'),
        code("### BEGIN SOLUTION\nslope = 2 * 6.0\n### END SOLUTION", metadata={"tags": ["solution"]}),
        code('gradlab.check("my.1", slope)'),
        code("def dsin2(x):\n    ### BEGIN SOLUTION\n    return 2 * math.sin(x) * math.cos(x)\n"
             "    ### END SOLUTION", metadata={"tags": ["solution"]}),
        code('gradlab.check("my.2", dsin2)'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    assert cells_tool.sync_file(path).state == "updated"  # adds the test cells, locks the definitions
    return path


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_release_autograde_and_feedback_with_the_real_nbgrader(tmp_path, monkeypatch):
    pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")
    # nbgrader's gradebook (read here too) runs `alembic`: this environment's bin/ first
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    course = tmp_path / "course"
    mine = teachers_notebook(tmp_path / "09_my_exercises.ipynb")
    assert cells_tool.sync_file(mine, check=True).state == "in sync"
    every = [*NOTEBOOKS, mine]
    two = [*NOTEBOOKS[1:3], mine]  # the partial and zero submissions: fewer notebooks, to save time
    for assignment, notebooks in (("all", every), ("two", two)):
        (course / "source" / assignment).mkdir(parents=True)
        for path in notebooks:
            shutil.copy(path, course / "source" / assignment / path.name)
            # a no-op once notebooks/ is in sync (the test above checks that it is)
            assert cells_tool.sync_file(course / "source" / assignment / path.name).state != "refused"
            source = nbformat.read(course / "source" / assignment / path.name, 4)
            hidden = [c for c in source.cells if cells_tool.BEGIN_HIDDEN in c.source and "seed=" in c.source]
            assert len(hidden) == len(check_cells(source)) >= 2  # each test cell has its hidden cases
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "gradlab"\nc.Execute.timeout = 600\n'
        'c.Execute.startup_timeout = 600\n')  # nbclient's 60 s for a kernel start is short on a busy machine
    for assignment in ("all", "two"):
        nbgrader(course, "generate_assignment", assignment, "--force")
    for student in ("alice", "bob", "carol"):
        nbgrader(course, "db", "student", "add", student)

    for path in every:
        released = nbformat.read(course / "release" / "all" / path.name, 4)
        text = json.dumps(released)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert not [c for c in released.cells if grader(c).get("grade") and "seed=" in c.source]
        assert all(grader(c).get("locked") for c in released.cells if grader(c).get("grade"))
    definition = by_grade_id(nbformat.read(course / "release" / "two" / mine.name, 4))["exercise_my_1_my_2"]
    assert grader(definition)["locked"] and "gradlab.exercise(" in definition.source

    # alice hands in the teacher's notebooks; bob the release untouched; carol a partial copy
    shutil.copytree(course / "source" / "all", course / "submitted" / "alice" / "all")
    shutil.copytree(course / "release" / "two", course / "submitted" / "bob" / "two")
    (course / "submitted" / "carol" / "two").mkdir(parents=True)
    carol, wrong_answers = {}, []
    for path in two:
        nb, marks, wrong = partly_solved(course, path.name)
        nbformat.write(nb, course / "submitted" / "carol" / "two" / path.name)
        carol.update(marks)
        wrong_answers += wrong
    nbgrader(course, "autograde", "all")
    nbgrader(course, "autograde", "two")

    for student, assignment in (("alice", "all"), ("bob", "two"), ("carol", "two")):  # shown with -s
        got = scores(course, assignment, student)
        print(f"\n{student} ({assignment}): {sum(got.values()):g}/{len(got)}  " + " ".join(
            f"{k.split(':test_')[1]}={v:g}" for k, v in got.items()))
    full = expected_points(every)
    assert len(full) >= 3 * len(NOTEBOOKS) + 2
    assert scores(course, "all", "alice") == full
    assert scores(course, "two", "bob") == {k: 0.0 for k in expected_points(two)}
    assert scores(course, "two", "carol") == carol
    for path in every:  # autograde put the hidden tests back, from the teacher's copy
        graded = nbformat.read(course / "autograded" / "alice" / "all" / path.name, 4)
        assert sum(cells_tool.BEGIN_HIDDEN in c.source for c in graded.cells) == len(check_cells(graded))
    for path in two:  # bob's untouched copy, as run: every check reads "not yet solved", no traceback
        graded = nbformat.read(course / "autograded" / "bob" / "two" / path.name, 4)
        outputs = [graded.cells[i].outputs for i, _ in check_cells(graded)]
        assert not [o for out in outputs for o in out if o.output_type == "error"], path.name
        shown = [o.get("data", {}).get("text/plain", o.get("text", "")) for out in outputs for o in out]
        assert len(shown) == len(outputs) and all(t.startswith("✏️ Not yet solved") for t in shown), shown
    assert 0 < sum(carol.values()) < sum(expected_points(two).values())

    nbgrader(course, "generate_feedback", "two")
    import gradlab

    teacher: dict = {}
    for cell in nbformat.read(mine, 4).cells[1:3]:
        exec(cell.source, teacher)  # noqa: S102 - defines my.1 and my.2 in this process too
    for (key, argument, code), path in zip(wrong_answers, two, strict=True):
        namespace: dict = {}
        exec(code, namespace)  # noqa: S102 - the same wrong answer carol handed in
        hint = repr(gradlab.check(key, eval(argument, namespace)))  # noqa: S307
        assert hint.startswith("❌ Not yet:")
        text = feedback_text(course / "feedback" / "carol" / "two" / path.with_suffix(".html").name)
        assert f"AssertionError: exercise {key}: {hint}" in text
