"""A crash or an endless loop in one answer costs that answer only, under the real ``nbgrader autograde``.

A throw-away course with one small notebook (three exercises, plain asserts, no TensorFlow)
is autograded once per student, each student's answer 2 failing another way: a segmentation
fault, ``os._exit``, a SIGKILL (what the out-of-memory killer sends), an endless loop, a loop
that swallows the interrupt, a function that crashes only when the test cell calls it. With
the ``nbgrader_config.py`` docs/teaching.md gives (read from there: it enables
``gradlab.autograde_execute.ResilientExecute``, 30 s per answer), every one keeps the marks
of answers 1 and 3 (answer 3's test also reads answer 1's variable, so the cells above a
crash really are re-run), and the failing cell says what happened. nbgrader's own
``Execute`` is run once on the segfault to show what the fix is for: the whole submission is
removed. A last test does the same on a real lesson notebook with gradlab checks and
TensorFlow. Seconds per submission are printed (``-s``), never asserted.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11+ (dev extra)")

from gradlab.autograde_execute import describe_exit, use_resilient_execute  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def documented_config() -> str:
    """The ``nbgrader_config.py`` docs/teaching.md tells teachers to write, as written there."""
    text = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    found = re.search(r"cat > nbgrader_config.py <<'EOF'\n(.*?)\nEOF\n", text, re.S)
    assert found, "docs/teaching.md no longer writes nbgrader_config.py with a heredoc"
    assert "use_resilient_execute(c, answer_timeout=30)" in found.group(1)
    return found.group(1) + "\n"


STOCK_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "faults"\nc.Execute.timeout = 120\n'

SEGFAULT = "import ctypes\nanswer2 = ctypes.string_at(0)"
FAULTS = {  # student -> (answer 2's cell, what its error output must say)
    "segfault": (SEGFAULT, "KernelDied: the kernel died while running this cell: it crashed with signal 11 (SIGSEGV"),
    "exits": ("import os\nos._exit(3)", "KernelDied: the kernel died while running this cell: the Python process "
                                        "exited with status 3"),
    "oom": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "it was killed with signal 9 (SIGKILL), "
                                                                       "most often by the system when memory runs out"),
    # the limit is the kernel's CPU time: the same verdict on a grading machine busy with other work
    "loops": ("n = 0\nwhile True:\n    n += 1", "CellTimeoutError: this cell used more than 30 s of CPU time and "
                                              "was stopped"),
    # deaf: interrupts ignored outright (a try/except inside the loop is not reliably deaf: an
    # interrupt that lands on the loop's back jump is raised outside the try)
    "deaf": ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    sum(range(10**5))",
             "CellTimeoutError: this cell used more than 30 s of CPU time and did not stop when interrupted"),
}


# --------------------------------------------------------------------------- a small course


def code(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


def solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    return code(f"### BEGIN SOLUTION\n{source}\n### END SOLUTION", grade=False, grade_id=grade_id,
                locked=False, solution=True)


def grade_cell(grade_id: str, source: str) -> nbformat.NotebookNode:
    return code(source, grade=True, grade_id=grade_id, locked=True, points=1, solution=False)


def three_exercises() -> nbformat.NotebookNode:
    """Answers 1..3 (2 is a function the test calls); test 3 also reads answer 1, which only a
    re-run of the cells above restores after a crash."""
    nb = nbformat.v4.new_notebook(cells=[
        code("import math"),
        solution("answer_1", "answer1 = 2"),
        grade_cell("test_1", "assert answer1 == 2, 'answer 1 should be 2'"),
        solution("answer_2", "def answer2():\n    return 3"),
        grade_cell("test_2", "assert answer2() == 3, 'answer2() should return 3'"),
        solution("answer_3", "answer3 = math.sqrt(16)"),
        grade_cell("test_3", "assert answer3 == answer1 + 2, 'answer 3 should be 4'"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def with_answer(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(nb)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = source
    return nb


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("MPLBACKEND", None)
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True, timeout=900)
    if check:
        assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def make_course(root: Path, config: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
    course = root / "course"
    (course / "source" / "hw").mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, course / "source" / "hw" / name)
    # A ceiling for kernel starts and restarts (nbclient's 60 s is short when every core is busy).
    (course / "nbgrader_config.py").write_text(config + "c.Execute.startup_timeout = 600\n")
    nbgrader(course, "generate_assignment", "hw", "--force")
    return course


def hand_in(course: Path, student: str, notebooks: dict[str, nbformat.NotebookNode]) -> None:
    folder = course / "submitted" / student / "hw"
    folder.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / name)


def autograde(course: Path, student: str, check: bool = True) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    run = nbgrader(course, "autograde", "hw", "--student", student, check=check)
    return run, time.perf_counter() - start


def scores(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("hw", student)
        return {g.name: g.score for nb in submission.notebooks for g in nb.grades if g.name.startswith("test_")}


def errors_in(course: Path, student: str, notebook: str, grade_id: str) -> list[str]:
    nb = nbformat.read(course / "autograded" / student / "hw" / notebook, 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


@pytest.fixture(autouse=True)
def _alembic_on_path(monkeypatch):
    # nbgrader's gradebook (read here too) runs `alembic`: this environment's bin/ first
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


# --------------------------------------------------------------------------- the helper itself


def test_use_resilient_execute_swaps_only_execute_and_refuses_a_list_without_it():
    from nbgrader.preprocessors import Execute, LimitOutput
    from traitlets.config import Config

    from gradlab.autograde_execute import ResilientExecute

    c = Config()
    use_resilient_execute(c)
    default = [Execute if pp is ResilientExecute else pp for pp in c.Autograde.autograde_preprocessors]
    from nbgrader.converters.autograde import Autograde

    assert default == Autograde.class_traits()["autograde_preprocessors"].default()
    assert c.ResilientExecute.answer_timeout == 30
    c = Config()
    c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", LimitOutput]
    use_resilient_execute(c, answer_timeout=None)
    assert c.Autograde.autograde_preprocessors == [ResilientExecute, LimitOutput]
    c.Autograde.autograde_preprocessors = [LimitOutput]
    with pytest.raises(ValueError, match="no Execute to replace"):
        use_resilient_execute(c)
    with pytest.raises(ValueError, match="answer_timeout must be a positive"):
        use_resilient_execute(Config(), answer_timeout=-5)


@pytest.mark.parametrize(("status", "words"), [
    (-11, "signal 11 (SIGSEGV, a segmentation fault"), (-9, "SIGKILL), most often by the system when memory"),
    (-6, "SIGABRT"), (1, "exited with status 1"), (None, "stopped answering"), (-64, "signal 64"),
])
def test_describe_exit_names_the_cause(status, words):
    assert words in describe_exit(status)


# --------------------------------------------------------------------------- the real nbgrader


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_stock_execute_removes_a_whole_submission_for_one_segfault(tmp_path):
    """What the fix is for: nbgrader alone scores the student 0 and writes no feedback."""
    course = make_course(tmp_path, STOCK_CONFIG, {"faults.ipynb": three_exercises()})
    hand_in(course, "stock", {"faults.ipynb": with_answer(three_exercises(), "answer_2", SEGFAULT)})
    run, seconds = autograde(course, "stock", check=False)
    print(f"\nstock Execute, segfault: exit {run.returncode} in {seconds:.1f} s")
    assert run.returncode != 0 and "Removing failed assignment" in run.stdout + run.stderr
    assert not (course / "autograded" / "stock" / "hw").exists()


TIMED = ("loops", "deaf")  # autograded one by one, their seconds printed; the others in one run


@pytest.fixture(scope="module")
def faults_course(tmp_path_factory) -> Path:
    """The documented configuration; one student per fault, one whose function crashes in its
    test cell, one with the right answers. All but the loops are autograded here, in one run."""
    course = make_course(tmp_path_factory.mktemp("faults"), documented_config(), {"faults.ipynb": three_exercises()})
    for student, (source, _) in FAULTS.items():
        hand_in(course, student, {"faults.ipynb": with_answer(three_exercises(), "answer_2", source)})
    crashing = "def answer2():\n    import ctypes\n    return ctypes.string_at(0)"
    hand_in(course, "in_test", {"faults.ipynb": with_answer(three_exercises(), "answer_2", crashing)})
    hand_in(course, "right", {"faults.ipynb": three_exercises()})
    start = time.perf_counter()
    nbgrader(course, "autograde", "hw", f"--CourseDirectory.student_id_exclude={','.join(TIMED)}")
    print(f"\n{len(FAULTS) + 2 - len(TIMED)} submissions autograded in {time.perf_counter() - start:.1f} s")
    return course


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
@pytest.mark.parametrize("student", [*FAULTS, "right"])
def test_each_fault_costs_only_its_own_answer(faults_course, student):
    if student in TIMED:
        _, seconds = autograde(faults_course, student)
        print(f"\n{student}: autograded in {seconds:.1f} s")
    got = scores(faults_course, student)
    assert got == {"test_1": 1.0, "test_2": 1.0 if student == "right" else 0.0, "test_3": 1.0}
    assert errors_in(faults_course, student, "faults.ipynb", "test_3") == []
    if student == "right":
        assert errors_in(faults_course, student, "faults.ipynb", "answer_2") == []
        return
    says = FAULTS[student][1]
    assert any(says in e for e in errors_in(faults_course, student, "faults.ipynb", "answer_2"))
    assert errors_in(faults_course, student, "faults.ipynb", "test_2") == [
        "NameError: name 'answer2' is not defined"]
    if student == "segfault":
        nbgrader(faults_course, "generate_feedback", "hw", "--student", student)
        feedback = (faults_course / "feedback" / student / "hw" / "faults.html").read_text(encoding="utf-8")
        assert "the kernel died while running this cell" in feedback and "SIGSEGV" in feedback


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_a_function_that_crashes_when_its_test_calls_it_fails_that_test(faults_course):
    assert scores(faults_course, "in_test") == {"test_1": 1.0, "test_2": 0.0, "test_3": 1.0}
    assert errors_in(faults_course, "in_test", "faults.ipynb", "answer_2") == []
    assert any("SIGSEGV" in e for e in errors_in(faults_course, "in_test", "faults.ipynb", "test_2"))


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_a_notebook_with_more_crashes_than_restarts_is_still_graded(tmp_path):
    config = documented_config() + "c.ResilientExecute.max_kernel_restarts = 1\n"
    course = make_course(tmp_path, config, {"faults.ipynb": three_exercises()})
    nb = with_answer(with_answer(three_exercises(), "answer_2", SEGFAULT), "answer_3", SEGFAULT)
    hand_in(course, "twice", {"faults.ipynb": nb})
    autograde(course, "twice")
    assert scores(course, "twice") == {"test_1": 1.0, "test_2": 0.0, "test_3": 0.0}
    assert any("SIGSEGV" in e for e in errors_in(course, "twice", "faults.ipynb", "answer_3"))
    assert errors_in(course, "twice", "faults.ipynb", "test_3") == [
        "NotRun: not run: the kernel died or hung, and was restarted 1 time in this notebook "
        "(c.ResilientExecute.max_kernel_restarts), so the autograder stopped here"]


@pytest.mark.slow  # the real nbgrader on a whole course: `make test-all`
def test_a_lesson_notebook_with_gradlab_checks_keeps_its_other_marks(tmp_path):
    """Notebook 02 (TensorFlow, gradlab.grade tests): answer 02.1 segfaults, 02.2 loops, 02.3 is right."""
    lesson = nbformat.read(ROOT / "notebooks" / "02_power_rule.ipynb", 4)
    course = make_course(tmp_path, documented_config(), {"02_power_rule.ipynb": lesson})
    nb = with_answer(lesson, "solution_02_1", SEGFAULT.replace("answer2", "answer"))
    nb = with_answer(nb, "solution_02_2", "answer = 0.0\nwhile True:\n    answer += 1.0")
    hand_in(course, "faulty", {"02_power_rule.ipynb": nb})

    _, seconds = autograde(course, "faulty")
    print(f"\nnotebook 02 with a segfault and an endless loop: autograded in {seconds:.1f} s")
    assert scores(course, "faulty") == {"test_02_1": 0.0, "test_02_2": 0.0, "test_02_3": 1.0}
    assert any("SIGSEGV" in e for e in errors_in(course, "faulty", "02_power_rule.ipynb", "solution_02_1"))
    assert any("more than 30 s of CPU time" in e for e in errors_in(course, "faulty", "02_power_rule.ipynb",
                                                                     "solution_02_2"))


# --------------------------------------------------------------------------- CPU time, not the clock


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_the_answer_limit_counts_cpu_time_not_waiting():
    from gradlab.autograde_execute import _CpuWatch

    sleeper = _child("import time\ntime.sleep(30)")
    try:
        watch = _CpuWatch(sleeper.pid, limit=0.5, grace=0.5)
        watch.start()
        time.sleep(2.0)  # four times the limit in wall-clock time, almost no CPU time
        assert watch.stop() is None and sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_busy_cell_is_interrupted_at_its_cpu_limit_and_killed_if_it_ignores_that():
    from gradlab.autograde_execute import _CpuWatch

    # The children's own SIGINT handlers say what arrived (CPython 3.11 can miss a
    # KeyboardInterrupt raised at a module-level loop's back jump, so no try/except here).
    polite = _child("import os, signal\n"
                    "signal.signal(signal.SIGINT, lambda *_: (print('interrupted', flush=True), os._exit(0)))\n"
                    "while True:\n    sum(range(1000))")
    watch = _CpuWatch(polite.pid, limit=0.5, grace=30)
    watch.start()
    out, _ = polite.communicate(timeout=600)  # a ceiling for a loaded machine, not a verdict
    assert out.strip() == "interrupted" and watch.stop() == "interrupted"

    deaf = _child("import signal\nsignal.signal(signal.SIGINT, lambda *_: None)\nwhile True:\n    sum(range(1000))")
    watch = _CpuWatch(deaf.pid, limit=0.5, grace=0.5)
    watch.start()
    assert deaf.wait(timeout=600) == -signal.SIGKILL
    assert watch.stop() == "killed"
