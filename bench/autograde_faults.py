"""What it costs to make a crash or a loop cost one answer: `gradlab.autograde_execute`, measured.

Runs the real ``nbgrader autograde`` on one lesson notebook (02 unless named) in two
throw-away courses, nbgrader's own ``Execute`` and gradlab's ``ResilientExecute``:

* the answer key under both, alternately (the healthy path: what every student pays);
* under ``ResilientExecute``, the key with its first answer replaced by a segfault (the
  price of one crash: a kernel start and a re-run of the cells above), and by an endless
  loop (the answer time limit);
* the alternative, a fresh Python per graded check (TensorFlow cannot be forked): one
  ``gradlab.grade`` in a new interpreter, times the checks in all eight notebooks.

Wall seconds and CPU seconds (this process's children: nbgrader and its kernels) are
reported; on a shared machine compare CPU seconds. Nothing here is asserted.

    .venv/bin/python bench/autograde_faults.py [notebooks/02_power_rule.ipynb] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SEGFAULT = "import ctypes\nanswer = ctypes.string_at(0)"
LOOP = "answer = 0.0\nwhile True:\n    answer += 1.0"
STOCK = 'c = get_config()\nc.CourseDirectory.course_id = "bench"\nc.Execute.timeout = 120\n'
RESILIENT = STOCK + ("from gradlab.autograde_execute import use_resilient_execute\n"
                     "use_resilient_execute(c, answer_timeout=30)\n")


def _env() -> dict:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("MPLBACKEND", None)
    return env


def timed(args: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (children, grandchildren included once reaped) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=_env(), check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def nbgrader(course: Path, *args: str) -> tuple[float, float]:
    return timed([sys.executable, "-m", "nbgrader", *args], cwd=course)


def first_solution(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))


def course(root: Path, config: str, lesson: Path, students: dict[str, str | None]) -> Path:
    """A course with one assignment (the lesson) and one submission per student (None: the key)."""
    (root / "source" / "hw").mkdir(parents=True)
    key = nbformat.read(lesson, 4)
    nbformat.write(key, root / "source" / "hw" / lesson.name)
    (root / "nbgrader_config.py").write_text(config)
    nbgrader(root, "generate_assignment", "hw", "--force")
    for student, answer in students.items():
        nb = nbformat.read(lesson, 4)
        if answer is not None:
            first_solution(nb).source = answer
        (root / "submitted" / student / "hw").mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / student / "hw" / lesson.name)
    return root


def autograde(root: Path, student: str) -> tuple[float, float]:
    return nbgrader(root, "autograde", "hw", "--student", student, "--force")


def checks_in_all_notebooks() -> int:
    return sum(len(re.findall(r"^gradlab\.grade\(", p.read_text(encoding="utf-8"), re.M))
               for p in sorted((ROOT / "notebooks").glob("[0-9]*.py")))


def fresh_interpreter_check(repeat: int) -> tuple[float, float]:
    """Median wall/CPU of one graded check in a new Python (gradlab + TensorFlow imported there)."""
    code = "import gradlab, tensorflow; gradlab.grade('02.1', 80.0)"
    runs = [timed([sys.executable, "-c", code]) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson", nargs="?", default=str(ROOT / "notebooks" / "02_power_rule.ipynb"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lesson = Path(args.lesson)
    with tempfile.TemporaryDirectory() as tmp:
        stock = course(Path(tmp) / "stock", STOCK, lesson, {"key": None})
        resilient = course(Path(tmp) / "resilient", RESILIENT, lesson,
                           {"key": None, "segfault": SEGFAULT, "loop": LOOP})
        runs: dict[str, list[tuple[float, float]]] = {"stock": [], "resilient": []}
        for _ in range(args.repeat):  # alternate, so a change in the machine's load hits both
            runs["stock"].append(autograde(stock, "key"))
            runs["resilient"].append(autograde(resilient, "key"))
        results = {"answer key, nbgrader's Execute": runs["stock"],
                   "answer key, ResilientExecute": runs["resilient"],
                   "first answer segfaults, ResilientExecute": [autograde(resilient, "segfault")],
                   "first answer loops, ResilientExecute (answer_timeout 30 s)": [autograde(resilient, "loop")]}
    medians = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
               for name, rs in results.items()}
    one = fresh_interpreter_check(args.repeat)
    checks = checks_in_all_notebooks()
    medians[f"alternative: one check in a fresh Python (× {checks} checks per student)"] = one
    print(f"\n`nbgrader autograde` of {lesson.name}, median of {args.repeat} where repeated\n")
    print("| run | wall s | CPU s |\n| --- | ---: | ---: |")
    for name, (wall, cpu) in medians.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    print(f"\nA fresh Python per check would add about {one[0] * checks:.0f} s wall "
          f"({one[1] * checks:.0f} CPU s) per student.")
    return medians


if __name__ == "__main__":
    main()
