"""Student copies: stubs keep names, outputs cleared, nothing overwritten, and they run."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gradlab.student import strip_solution, stub_for, student_copy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def test_stubs_keep_the_names_later_cells_need():
    assert stub_for("answer = 2 * 6") == "# YOUR CODE HERE\nanswer = ..."
    assert stub_for("x = 1\nprint(x)\nanswer: float = x") == "# YOUR CODE HERE\nx = ...\nanswer = ..."
    assert stub_for("lo, hi = 3.5, 4.5") == "# YOUR CODE HERE\nlo = ...\nhi = ..."
    stub = stub_for('def f(x):\n    """Doc."""\n    return x')
    assert stub.splitlines() == ["# YOUR CODE HERE", "def f(x):", '    """Doc."""', "    # YOUR CODE HERE",
                                 "    raise NotImplementedError()"]


def test_fenced_regions_inside_functions_hide_the_locals_and_raise():
    # nbgrader's own stub: the solution's local names (y, d1, lo, hi...) are not given away,
    # and nothing stays below the raise that a filled-in answer would still hit.
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x ** 2\n    return y\n    ### END SOLUTION\n\nf(1)"
    assert strip_solution(source) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nf(1)"
    compile(strip_solution(source), "<stub>", "exec")


def test_top_level_stubs_keep_only_the_names_later_cells_read():
    solution = ("lo, hi = 3.5, 4.5\nfor _ in range(40):\n    mid = (lo + hi) / 2\n"
                "def helper(x):\n    return x\ndef crest(f):\n    return helper(lo)\nanswer = mid")
    stub = stub_for(solution, needed={"answer", "crest", "print"})
    assert stub.splitlines() == ["# YOUR CODE HERE", "def crest(f):", "    # YOUR CODE HERE",
                                 "    raise NotImplementedError()", "answer = ..."]
    assert "lo" not in stub and "mid" not in stub and "helper" not in stub
    assert stub_for(solution).count(" = ...") == 4  # without context every name is kept (lo, hi, mid, answer)


def test_student_copy_hides_a_solution_s_helper_names(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# BEGIN SOLUTION\nlo, hi = 1, 2\nanswer = lo + hi\n# END SOLUTION",
                                          metadata={"tags": ["solution"]}),
                nbformat.v4.new_code_cell("import gradlab\ngradlab.check('01.2', answer)")]
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "a.ipynb")
    student_copy(tmp_path / "src", tmp_path / "out")
    source = nbformat.read(tmp_path / "out" / "a.ipynb", 4).cells[0].source
    assert source == "# YOUR CODE HERE\nanswer = ...", source


def test_unclosed_marker_is_an_error():
    with pytest.raises(ValueError, match="without a matching"):
        strip_solution("### BEGIN SOLUTION\nx = 1")


def make_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
                                         metadata={"tags": ["solution"]})
    solution.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    lesson = nbformat.v4.new_code_cell("print('lesson')", execution_count=1)
    lesson.outputs = [nbformat.v4.new_output("stream", text="lesson\n")]
    nb.cells = [lesson, solution, nbformat.v4.new_code_cell("answer", metadata={"tags": ["exercise"]})]
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nbformat.write(nb, path)


def test_copy_replaces_solutions_clears_exercises_and_keeps_the_lesson(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    copy = nbformat.read(tmp_path / "out" / "a.ipynb", 4)
    assert copy.cells[1].source == "# YOUR CODE HERE\nanswer = ..."
    assert copy.cells[1].outputs == [] and copy.cells[2].outputs == []
    assert copy.cells[0].outputs[0].text == "lesson\n"
    assert "jupytext" not in copy.metadata
    assert "wrote" in str(report) and "1 solution cell(s) replaced" in str(report)


def test_existing_copies_are_never_overwritten_without_force(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    (tmp_path / "out").mkdir()
    work = tmp_path / "out" / "a.ipynb"
    work.write_text("a student's work in progress")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    assert work.read_text() == "a student's work in progress"
    assert "use --force" in str(report)
    student_copy(tmp_path / "a.ipynb", tmp_path / "out", force=True)
    assert nbformat.read(work, 4).cells[1].source.startswith("# YOUR CODE HERE")


def test_refuses_to_write_over_the_source_folder(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    with pytest.raises(ValueError, match="overwrite the teacher"):
        student_copy(tmp_path, tmp_path)


def test_cli_reports_and_fails_cleanly(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    run = [sys.executable, "-m", "gradlab", "student-copy"]
    ok = subprocess.run([*run, str(tmp_path), str(tmp_path / "s")], capture_output=True, text=True)
    assert ok.returncode == 0 and "wrote" in ok.stdout
    missing = subprocess.run([*run, str(tmp_path / "nope"), str(tmp_path / "s")], capture_output=True, text=True)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_cli_never_imports_tensorflow():
    code = "import sys, gradlab.cli; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copy_runs_top_to_bottom_with_checks_saying_not_yet(notebook, tmp_path):
    student_copy(notebook, tmp_path)
    nb = nbformat.read(tmp_path / notebook.name, 4)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions and all("YOUR CODE HERE" in c.source for c in solutions)
    NotebookClient(nb, timeout=1800, startup_timeout=600, kernel_name="python3",  # ceilings: a busy machine is slow
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    checks = [c for c in nb.cells if "gradlab.check(" in c.source]
    texts = [o.data["text/plain"] for c in checks for o in c.outputs if o.output_type == "execute_result"]
    assert len(texts) == len(checks) >= 3
    assert all(t.startswith("✏️ Not yet solved") for t in texts), texts


# --------------------------------------------------------------------------- cannot lose work

CLI = [sys.executable, "-m", "gradlab", "student-copy"]


def cli(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)


def test_never_writes_through_a_symlinked_notebook(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    make_notebook(teacher / "key.ipynb")
    key_before = (teacher / "key.ipynb").read_text()
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.ipynb").symlink_to(teacher / "key.ipynb")
    run = cli(tmp_path / "a.ipynb", out, "--force")
    assert run.returncode == 1
    assert f"REFUSED {out / 'a.ipynb'}" in run.stdout and "symbolic link" in run.stdout
    assert (teacher / "key.ipynb").read_text() == key_before
    assert (out / "a.ipynb").is_symlink()


def test_never_writes_into_a_symlinked_target_folder(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    make_notebook(teacher / "a.ipynb")
    key_before = (teacher / "a.ipynb").read_text()
    (tmp_path / "out").symlink_to(teacher)
    run = cli(tmp_path / "a.ipynb", tmp_path / "out", "--force")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "out is a symbolic link" in run.stderr and "nothing was written" in run.stderr
    assert (teacher / "a.ipynb").read_text() == key_before


def test_an_answer_key_is_never_overwritten_even_with_force(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    make_notebook(out / "a.ipynb")  # somebody's answer key, where the copy would go
    before = (out / "a.ipynb").read_text()
    report = student_copy(tmp_path / "a.ipynb", out, force=True)
    assert [p for p, _ in report.refused] == [out / "a.ipynb"] and not report.written
    assert "answer key" in str(report)
    assert (out / "a.ipynb").read_text() == before


def write_sources(folder: Path, bad_name: str, bad_text: str) -> None:
    folder.mkdir()
    make_notebook(folder / "a_good.ipynb")
    (folder / bad_name).write_text(bad_text)
    make_notebook(folder / "z_good.ipynb")


def unknown_cell_key() -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    raw = nbformat.writes(nb)
    return raw.replace('"cell_type": "code",', '"cell_type": "code", "colour": "red",', 1)


def unclosed_marker() -> str:
    cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 1", metadata={"tags": ["solution"]})
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))


@pytest.mark.parametrize(("text", "problem"), [
    ('{"cells": [', "not valid JSON (line 1"),
    ("[1, 2]", "holds a JSON list, not a notebook"),
    ("{}", "it has no 'cells', 'metadata', 'nbformat'"),
    (unknown_cell_key(), "cell 1: Additional properties are not allowed ('colour' was unexpected)"),
    (unclosed_marker(), "cell 1: '### BEGIN SOLUTION' without a matching '### END SOLUTION'"),
], ids=["corrupt-json", "json-list", "empty-object", "unknown-cell-key", "unclosed-marker"])
def test_a_broken_source_is_named_and_nothing_is_written(tmp_path, text, problem):
    write_sources(tmp_path / "src", "m_bad.ipynb", text)
    run = cli(tmp_path / "src", tmp_path / "out")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert str(tmp_path / "src" / "m_bad.ipynb") in run.stderr
    assert problem in run.stderr and "nothing was written" in run.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_failure_part_way_reports_what_was_already_written(tmp_path, monkeypatch):
    from gradlab import student

    for name in ("a.ipynb", "b.ipynb", "c.ipynb"):
        make_notebook(tmp_path / name)
    real = student._write_atomically

    def disk_full_on_b(nb, out):
        if out.name == "b.ipynb":
            raise OSError(28, "No space left on device")
        real(nb, out)

    monkeypatch.setattr(student, "_write_atomically", disk_full_on_b)
    with pytest.raises(student.CopyError, match="No space left") as stopped:
        student_copy(tmp_path, tmp_path / "out")
    assert [p.name for p, _ in stopped.value.report.written] == ["a.ipynb"]
    assert "wrote   " + str(tmp_path / "out" / "a.ipynb") in str(stopped.value.report)
    assert not (tmp_path / "out" / "b.ipynb").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("solution", [
    "%time answer = 6 * 7\ndef helper(x):\n    return x\nlo, hi = 1, 2",
    "answer = (1 +\ndef helper(x): return x\nlo, hi = 1, 2",
], ids=["magic", "syntax-error"])
def test_unparsable_solutions_still_define_the_names_later_cells_use(solution):
    stub = stub_for(solution)
    assert YOUR_CODE_LINE in stub
    namespace: dict = {}
    exec(stub, namespace)  # noqa: S102 - the stub must run
    for name in ("helper", "lo", "hi", "answer"):  # `%time answer = ...` assigns answer in IPython
        assert namespace[name] is Ellipsis, stub


YOUR_CODE_LINE = "# YOUR CODE HERE"


def test_solution_markers_outside_tagged_cells_are_hidden_and_warned_about(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nsecret = 1\n### END SOLUTION"),  # untagged
        nbformat.v4.new_markdown_cell("The answer:\n### BEGIN SOLUTION\nforty-two\n### END SOLUTION"),
        nbformat.v4.new_code_cell("secret_two = 2", metadata={"nbgrader": {
            "solution": True, "grade": False, "locked": False, "grade_id": "s2", "schema_version": 3}}),
    ]
    nbformat.write(nb, tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    copy = nbformat.read(tmp_path / "out" / "a.ipynb", 4)
    text = "".join(c.source for c in copy.cells)
    assert "secret = 1" not in text and "forty-two" not in text and "secret_two = 2" not in text
    assert copy.cells[1].source == "The answer:\nYOUR ANSWER HERE"
    assert [w.split(":")[0] for w in report.warnings] == ["a.ipynb, cell 1 (untagged code cell)",
                                                          "a.ipynb, cell 2 (markdown cell)",
                                                          "a.ipynb, cell 3 (untagged code cell)"]
    assert "nbgrader solution metadata but no 'solution' tag" in report.warnings[2]
    assert str(report).count("warning: ") == 3


def test_nbgrader_test_cells_are_left_out_and_counted(tmp_path):
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell('gradlab.grade("02.1", answer)', metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "test_02_1",
        "schema_version": 3}})
    nb.cells = [nbformat.v4.new_code_cell("answer = 1", metadata={"tags": ["solution"]}), test]
    nbformat.write(nb, tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    copy = nbformat.read(tmp_path / "out" / "a.ipynb", 4)
    assert [c.source for c in copy.cells] == ["# YOUR CODE HERE\nanswer = ..."]
    assert report.dropped_tests == 1 and "left out 1 nbgrader test cell" in str(report)


# --------------------------------------------------------------------------- what nbgrader would hide

SECRETS = {  # cell -> the secret in it, which neither nbgrader's release nor a student copy may show
    # (a student copy keeps the names a solution assigns, as `name = ...`: the values are the secrets)
    "untagged, '# BEGIN SOLUTION' markers": (
        nbformat.v4.new_code_cell("# BEGIN SOLUTION\nsecret_a = 1\n# END SOLUTION"), "secret_a = 1"),
    "indented '## BEGIN SOLUTION' in a def": (
        nbformat.v4.new_code_cell("def f(x):\n    ## BEGIN SOLUTION\n    return x + 12345\n    ## END SOLUTION",
                                  metadata={"tags": ["solution"]}), "12345"),
    "tag 'Solution', text on the marker line": (
        nbformat.v4.new_code_cell("x = 1  # BEGIN SOLUTION\nc = 31337\n### END SOLUTION",
                                  metadata={"tags": ["Solution"]}), "31337"),
    "tag 'solutions', no markers": (
        nbformat.v4.new_code_cell("d = 4444", metadata={"tags": ["solutions"]}), "4444"),
    "markdown tagged solution": (
        nbformat.v4.new_markdown_cell("The tape records **secret_e**.", metadata={"tags": ["solution"]}),
        "secret_e"),
    "markdown with nbgrader solution metadata": (
        nbformat.v4.new_markdown_cell("secret_f", metadata={"nbgrader": {
            "solution": True, "grade": True, "points": 2, "grade_id": "written", "locked": False,
            "schema_version": 3, "task": False}}), "secret_f"),
    "hidden tests in a lesson cell": (
        nbformat.v4.new_code_cell("print(1)\n### BEGIN HIDDEN TESTS\nsecret_g = 7\n### END HIDDEN TESTS"),
        "secret_g"),
}


def nbgraders_release(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook through nbgrader's own ClearSolutions and ClearHiddenTests (as generate_assignment)."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    from gradlab.student import is_solution_tag

    nb = nbformat.from_dict(nbformat.from_dict(nb))
    for cell in nb.cells:  # nbgrader reads metadata, not tags: nbgrader-cells writes it from the tag
        if any(map(is_solution_tag, cell.metadata.get("tags", []))):
            cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "s", "locked": False,
                                         "schema_version": 3, "task": False}
    nb, _ = ClearSolutions(enforce_metadata=False).preprocess(nb, {})
    nb, _ = ClearHiddenTests(enforce_metadata=False).preprocess(nb, {})
    return nb


@pytest.mark.parametrize(("cell", "secret"), SECRETS.values(), ids=SECRETS.keys())
def test_the_copy_hides_every_solution_nbgrader_hides(tmp_path, cell, secret):
    pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import math"), cell])
    assert secret in nbformat.writes(nb)
    assert secret not in nbformat.writes(nbgraders_release(nb))  # nbgrader hides it, so must we
    nbformat.write(nb, tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    copy = nbformat.read(tmp_path / "out" / "a.ipynb", 4)
    assert secret not in nbformat.writes(copy)
    assert report.written[0][1] == (0 if secret == "secret_g" else 1)
    if cell.cell_type == "markdown":
        assert copy.cells[1].source == "YOUR ANSWER HERE"  # nbgrader's text stub
    if cell.cell_type == "code":
        compile(copy.cells[1].source, "<copy>", "exec")  # the stub still runs


def test_near_miss_markers_and_tags_are_warned_about_and_match_nbgrader(tmp_path):
    pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# begin solution\nvisible_a = 1\n# end solution"),
        nbformat.v4.new_code_cell("visible_b = 2", metadata={"tags": ["solution-cell"]}),
        nbformat.v4.new_code_cell("### BEGIN HIDDEN TEST\nvisible_c = 3\n### END HIDDEN TEST"),
    ])
    released = nbformat.writes(nbgraders_release(nb))
    assert all(f"visible_{x}" in released for x in "abc")  # nbgrader does not read these as markers
    nbformat.write(nb, tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    assert report.written[0][1] == 0
    near = [w for w in report.warnings if "looks like an nbgrader marker but is not one" in w]
    assert [w.split(":")[0] for w in near] == ["a.ipynb, cell 1, line 1", "a.ipynb, cell 1, line 3",
                                              "a.ipynb, cell 3, line 1", "a.ipynb, cell 3, line 3"]
    assert any("tag 'solution-cell' is not 'solution', so the cell is NOT hidden" in w for w in report.warnings)
    assert str(report).count("warning: ") == 5


def test_hidden_tests_never_reach_a_copy_and_a_test_cell_is_left_out(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = ...\n### BEGIN SOLUTION\nanswer = 80.0\n### END SOLUTION",
                                  metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell('gradlab.check("02.1", answer)'),
        nbformat.v4.new_code_cell(
            'gradlab.grade("02.1", answer)\n### BEGIN HIDDEN TESTS\ngradlab.grade("02.1", answer, seed=48213)\n'
            "### END HIDDEN TESTS", metadata={"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                           "points": 1, "grade_id": "test_02_1",
                                                           "schema_version": 3, "task": False}}),
    ])
    nbformat.write(nb, tmp_path / "a.ipynb")
    report = student_copy(tmp_path / "a.ipynb", tmp_path / "out")
    text = (tmp_path / "out" / "a.ipynb").read_text()
    assert "seed=" not in text and "HIDDEN" not in text and report.dropped_tests == 1
    copy = nbformat.read(tmp_path / "out" / "a.ipynb", 4)
    assert copy.cells[0].source == "answer = ...\n# YOUR CODE HERE"  # the placeholder is not repeated


@pytest.mark.parametrize(("source", "problem"), [
    ("### Begin Solution\nx = 1\n### END SOLUTION", "'### END SOLUTION' without a '### BEGIN SOLUTION' before it"),
    ("### BEGIN HIDDEN TESTS\nx = 1", "'BEGIN HIDDEN TESTS' without a matching 'END HIDDEN TESTS'"),
], ids=["misspelt-begin", "unclosed-hidden-tests"])
def test_markers_nbgrader_would_mishandle_stop_the_copy(tmp_path, source, problem):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbformat.write(nb, tmp_path / "a.ipynb")
    run = cli(tmp_path / "a.ipynb", tmp_path / "out")
    assert run.returncode == 2 and problem in run.stderr and "nothing was written" in run.stderr


def test_student_copies_carry_no_badge_that_opens_the_answer_key(tmp_path):
    # A teacher's read found the Colab badge of every student copy opening the teacher's
    # notebook on GitHub, solutions and their ✅ outputs included.
    report = student_copy(ROOT / "notebooks", tmp_path / "copy")
    for notebook in NOTEBOOKS:
        text = (tmp_path / "copy" / notebook.name).read_text()
        assert "colab.research.google.com/github" not in text and "mybinder.org" not in text, notebook.name
        assert "colab.research.google.com/github" in notebook.read_text()  # the source had one
    assert sum("badge link" in w for w in report.warnings) == len(NOTEBOOKS)


def test_a_stub_keeps_a_name_the_same_cell_reads_after_the_region():
    # The cell's own code around the fenced region is a reader too: dropping x would leave
    # `print(x)` a NameError in the student copy.
    source = "### BEGIN SOLUTION\nx = 3\nhelper = 4\n### END SOLUTION\nprint(x)"
    stub = strip_solution(source, needed={"answer"})
    assert stub == "# YOUR CODE HERE\nx = ...\nprint(x)", stub


def test_a_whole_cell_solution_keeps_only_the_names_later_cells_read():
    stub = strip_solution("lo, hi = 1, 2\nanswer = lo + hi", needed={"answer"})
    assert stub == "# YOUR CODE HERE\nanswer = ...", stub
