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


def test_fenced_regions_inside_functions_become_return_ellipsis():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x ** 2\n    return y\n    ### END SOLUTION\n\nf(1)"
    assert strip_solution(source) == "def f(x):\n    # YOUR CODE HERE\n    y = ...\n    return ...\n\nf(1)"
    compile(strip_solution(source), "<stub>", "exec")


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
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    checks = [c for c in nb.cells if "gradlab.check(" in c.source]
    texts = [o.data["text/plain"] for c in checks for o in c.outputs if o.output_type == "execute_result"]
    assert len(texts) == len(checks) >= 3
    assert all(t.startswith("✏️ Not yet solved") for t in texts), texts
