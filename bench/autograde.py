"""Autograding a class: seconds per student and per notebook, where they go, lean mode before/after.

Builds a throw-away nbgrader course (the real ``nbgrader generate_assignment`` and
``autograde``, the ``nbgrader_config.py`` of docs/teaching.md with ``ResilientExecute``) with
the lesson notebooks as one assignment and N synthetic students, cycling through four kinds:

* ``key``: the teacher's notebooks (every answer right);
* ``partial``: the released copy with every other answer filled in from the key;
* ``untouched``: the released copy as handed out;
* ``faulty``: the key with its first answer replaced by ``os._exit(1)`` in every notebook
  (a kernel restart and a re-run of the cells above each time), and one answer that loops
  (stopped after ``answer_timeout``, 30 s) in the first notebook.

Each student is autograded twice, in two courses that differ only in lean mode
(``use_resilient_execute(c, lean=False)`` then ``lean=True``), alternately so that a change in
the machine's load hits both; the scores must be the same in both (checked, a difference is
printed and makes the run fail). The floor is the same assignment made of notebooks that
hold only the set-up cell (one kernel start and one TensorFlow import each).

Where the time goes, per notebook, comes from the timestamps nbclient records on each cell
(``metadata.execution``): the set-up cell (TensorFlow import), lesson cells, answers
(solution cells) and checks (test cells and the ``gradlab.check`` cells); kernel start is
measured alone; "nbgrader" is what is left of the student's wall time (its own start-up,
the gradebook, copying files). The students' gradebook entries are created by autograde
itself (``Autograde.create_student``); ``db student add`` and ``db student import`` are timed
once for comparison.

    .venv/bin/python bench/autograde.py             # 4 students x 9 notebooks (~25 min on 2 idle cores)
    .venv/bin/python bench/autograde.py --quick     # 2 students x notebooks 01-02 (a few minutes)
    .venv/bin/python bench/autograde.py --students 8 --no-write
    .venv/bin/python bench/autograde.py --contention 4 --students 16   # SQLite under 4 writers

A full run writes its table into bench/README.md (``autograde`` section); ``--quick`` only prints.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograde_faults import nbgrader  # noqa: E402
from report import table, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("key", "partial", "untouched", "faulty")
ASSIGNMENT, FLOOR = "ps", "floor"
EXIT = "import os\nos._exit(1)"
LOOP = "n = 0\nwhile True:\n    n += 1"
RAW = Path(tempfile.gettempdir()) / "gradlab_bench_autograde.json"
PARTS = ("kernel start", "set-up (TF import)", "lesson cells", "answers", "checks", "nbgrader")


def config(lean: bool) -> str:
    """The course's nbgrader_config.py: as docs/teaching.md gives it, lean mode on or off.

    ``ClearMetadataPreprocessor`` is switched off so the autograded copies keep nbclient's
    per-cell timestamps (it only tidies the copies; grading does not read them).
    """
    return ('c = get_config()\nc.CourseDirectory.course_id = "bench"\nc.Execute.timeout = 600\n'
            "from gradlab.autograde_execute import use_resilient_execute\n"
            f"use_resilient_execute(c, answer_timeout=30, lean={lean})\n"
            "c.ClearMetadataPreprocessor.enabled = False\n")


def grader(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def setup_only(path: Path) -> nbformat.NotebookNode:
    """The notebook cut down to its title and set-up cell: the floor every notebook pays."""
    nb = nbformat.read(path, 4)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells = nb.cells[:first_code + 1]
    return nb


def submission(kind: str, key: nbformat.NotebookNode, released: nbformat.NotebookNode,
               first: bool) -> nbformat.NotebookNode:
    """One synthetic student's copy of a notebook (``first``: the notebook that gets the loop)."""
    if kind == "key":
        return key
    if kind == "untouched":
        return released
    answers = {grader(c)["grade_id"]: c.source for c in key.cells if grader(c).get("solution")}
    if kind == "partial":
        mine = [c for c in released.cells if grader(c).get("solution")]
        for cell in mine[::2]:
            cell.source = answers[grader(cell)["grade_id"]]
        return released
    mine = [c for c in key.cells if grader(c).get("solution")]
    mine[0].source = EXIT
    if first and len(mine) > 1:
        mine[-1].source = LOOP
    return key


def build_course(root: Path, notebooks: list[Path], students: list[str], lean: bool) -> Path:
    """A course with the lesson assignment, the floor assignment and every student's submission."""
    for name, cells in ((ASSIGNMENT, lambda p: nbformat.read(p, 4)), (FLOOR, setup_only)):
        (root / "source" / name).mkdir(parents=True)
        for path in notebooks:
            nbformat.write(cells(path), root / "source" / name / path.name)
    (root / "nbgrader_config.py").write_text(config(lean))
    for name in (ASSIGNMENT, FLOOR):
        nbgrader(root, "generate_assignment", name, "--force")
    for student in students:
        kind = student.split("-")[0]
        for name in (ASSIGNMENT, FLOOR):
            (root / "submitted" / student / name).mkdir(parents=True)
        for i, path in enumerate(notebooks):
            key = nbformat.read(root / "source" / ASSIGNMENT / path.name, 4)
            released = nbformat.read(root / "release" / ASSIGNMENT / path.name, 4)
            mine = submission(kind, key, released, first=i == 0)
            nbformat.write(mine, root / "submitted" / student / ASSIGNMENT / path.name)
            shutil.copy(root / "release" / FLOOR / path.name, root / "submitted" / student / FLOOR / path.name)
    return root


def scores(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "bench") as gradebook:
        found = gradebook.find_submission(ASSIGNMENT, student)
        return {f"{nb.name}:{g.name}": g.score for nb in found.notebooks for g in nb.grades}


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_part(cell: nbformat.NotebookNode, setup_index: int, index: int) -> str:
    """Which part of the breakdown a code cell's time belongs to."""
    meta = grader(cell)
    if index == setup_index:
        return "set-up (TF import)"
    if meta.get("grade") or "gradlab.check(" in cell.source:
        return "checks"
    if meta.get("solution"):
        return "answers"
    return "lesson cells"


def cell_seconds(path: Path) -> dict[str, float]:
    """Seconds per part of one autograded notebook, from nbclient's per-cell timestamps."""
    nb = nbformat.read(path, 4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    parts: dict[str, float] = defaultdict(float)
    for i in code:
        times = nb.cells[i].metadata.get("execution", {})
        if "iopub.execute_input" in times and "shell.execute_reply" in times:
            seconds = (_stamp(times["shell.execute_reply"]) - _stamp(times["iopub.execute_input"])).total_seconds()
            parts[cell_part(nb.cells[i], code[0], i)] += seconds
    return dict(parts)


def kernel_start(repeat: int = 3) -> float:
    """Median seconds from starting a python3 kernel to its first reply (as nbclient waits for it)."""
    from jupyter_client.manager import start_new_kernel

    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        runs.append(time.perf_counter() - start)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return statistics.median(runs)


def autograde(course: Path, assignment: str, student: str) -> tuple[float, float]:
    return nbgrader(course, "autograde", assignment, "--student", student, "--force")


def per_notebook(course: Path, student: str, notebooks: list[Path], wall: float, start: float) -> dict:
    """Seconds per notebook and per part for one student's autograde run."""
    rows = {}
    for path in notebooks:
        parts = cell_seconds(course / "autograded" / student / ASSIGNMENT / path.name)
        parts["kernel start"] = start
        rows[path.stem] = parts
    overhead = (wall - sum(sum(p.values()) for p in rows.values())) / len(notebooks)
    for parts in rows.values():
        parts["nbgrader"] = overhead  # nbgrader's own start-up, gradebook, copies: shared out evenly
    return rows


def db_costs(course: Path, students: list[str]) -> dict[str, float]:
    """Wall seconds of ``db student add`` (one student) and ``db student import`` (all, from a CSV)."""
    csv = course / "students.csv"
    csv.write_text("id,first_name,last_name,email\n" + "".join(f"x{s},,,\n" for s in students))
    return {"add": nbgrader(course, "db", "student", "add", "extra")[0],
            "import": nbgrader(course, "db", "student", "import", str(csv))[0]}


def run(notebooks: list[Path], students: list[str]) -> dict:
    """Autograde every student in both modes and the floor; every measurement in one dict."""
    results: dict = {"wall": defaultdict(dict), "cpu": defaultdict(dict), "notebooks": defaultdict(dict)}
    with tempfile.TemporaryDirectory() as tmp:
        courses = {mode: build_course(Path(tmp) / mode, notebooks, students, mode == "lean")
                   for mode in ("before", "lean")}
        results["kernel start"] = start = kernel_start()
        results["load"] = [os.getloadavg()[0]]
        floor = min(autograde(courses["before"], FLOOR, students[0]) for _ in range(2))
        results["floor"], results["floor cpu"] = floor[0] / len(notebooks), floor[1] / len(notebooks)
        for student in students:
            for mode, course in courses.items():
                wall, cpu = autograde(course, ASSIGNMENT, student)
                results["wall"][mode][student], results["cpu"][mode][student] = wall, cpu
                results["notebooks"][mode][student] = per_notebook(course, student, notebooks, wall, start)
                results["load"].append(os.getloadavg()[0])
                print(f"  {student:12} {mode:6} {wall:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
            before, after = scores(courses["before"], student), scores(courses["lean"], student)
            results.setdefault("differ", {})[student] = {k: (before[k], after.get(k)) for k in before
                                                         if before[k] != after.get(k)}
            results.setdefault("scores", {})[student] = sum(after.values()), len(after)
            RAW.write_text(json.dumps(results, indent=1, default=list))  # kept if the run is stopped
        results["db"] = db_costs(courses["before"], students)
    return results


def report(results: dict, notebooks: list[Path], students: list[str], command: str = "") -> str:
    """The Markdown written to bench/README.md: per student, per notebook, and the breakdown."""
    floor, n = results["floor"], len(notebooks)
    rows = []
    for student in students:
        b, a = results["wall"]["before"][student], results["wall"]["lean"][student]
        cb, ca = results["cpu"]["before"][student], results["cpu"]["lean"][student]
        got, out_of = results["scores"][student]
        rows.append([student, f"{got:g}/{out_of}", f"{b:.0f}", f"{a:.0f}", f"{a / (n * floor):.2f}×",
                     f"{cb:.0f}", f"{ca:.0f}", f"{ca / (n * results['floor cpu']):.2f}×"])
    per_student = table(["student", "score (both modes)", "wall s before", "wall s lean", "lean / floors",
                         "CPU s before", "CPU s lean", "lean / floors (CPU)"], rows)
    parts = {mode: {nb.stem: {p: statistics.median(results["notebooks"][mode][s][nb.stem].get(p, 0.0)
                                                   for s in students) for p in PARTS} for nb in notebooks}
             for mode in ("before", "lean")}
    nb_rows = [[stem, f"{sum(parts['before'][stem].values()):.1f}", f"{sum(parts['lean'][stem].values()):.1f}",
                *(f"{parts['lean'][stem][p]:.1f}" for p in PARTS)] for stem in parts["lean"]]
    per_nb = table(["notebook (median student)", "s before", "s lean", *(f"lean: {p}" for p in PARTS)], nb_rows)
    load = results["load"]
    key = [s for s in students if s.startswith("key")]
    mean = statistics.mean(results["wall"]["lean"][s] for s in students)
    return f"""`python bench/autograde.py{command}` ({len(students)} students × {n} notebooks
({", ".join(p.name[:2] for p in notebooks)}), real `nbgrader autograde` per student;
load average {min(load):.1f}–{max(load):.1f} during the run on {os.cpu_count()} cores).
Floor: {floor:.1f} s wall, {results['floor cpu']:.1f} CPU s per notebook (the set-up cell alone: kernel
start {results['kernel start']:.1f} s, TensorFlow import, nbgrader's share), so {n} floors = {n * floor:.0f} s.
CPU seconds (nbgrader and its kernels) are the fairer comparison on a shared machine.

{per_student}

Mean {mean:.0f} s per student in lean mode; the answer key {results['wall']['lean'][key[0]]:.0f} s
({results['wall']['lean'][key[0]] / (n * floor):.2f}× the floors; goal ≤ 1.5×),
{results['wall']['before'][key[0]]:.0f} s before. Scores identical in both modes: {not any(results['differ'].values())}.
Gradebook: `nbgrader db student add` {results['db']['add']:.1f} s for one student,
`nbgrader db student import` {results['db']['import']:.1f} s for {len(students)}; autograde creates
missing students itself, so neither is needed to grade.

{per_nb}"""


def tiny_notebook() -> nbformat.NotebookNode:
    """A notebook with one answer and one test, no TensorFlow: autograde is mostly gradebook work."""
    code = nbformat.v4.new_code_cell
    meta = {"schema_version": 3, "task": False, "locked": False, "grade": False, "solution": True}
    nb = nbformat.v4.new_notebook(cells=[
        code("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", metadata={"nbgrader": {**meta, "grade_id": "a"}}),
        code("assert answer == 42", metadata={"nbgrader": {**meta, "grade_id": "t", "grade": True, "solution": False,
                                                           "locked": True, "points": 1}}),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def contention(students: int, jobs: int) -> list[list[str]]:
    """Concurrent writers on one SQLite gradebook: plain parallel autograde vs ``grade-class``.

    ``students`` submissions of a tiny notebook, autograded ``jobs`` at a time twice: as
    ``xargs -P`` would (SQLite's 5 s lock wait), and with ``gradlab.grade_class`` (120 s
    wait, a failure retried alone). Returns table rows: way, wall seconds, failures, graded.
    """
    from concurrent.futures import ThreadPoolExecutor

    from gradlab.grade_class import grade_class

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for way in ("xargs -P", "grade-class"):
            root = Path(tmp) / way.split()[0]
            (root / "source" / "t").mkdir(parents=True)
            nbformat.write(tiny_notebook(), root / "source" / "t" / "t.ipynb")
            (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "bench"\n')
            nbgrader(root, "generate_assignment", "t", "--force")
            names = [f"s{i:03d}" for i in range(students)]
            for name in names:
                (root / "submitted" / name / "t").mkdir(parents=True)
                shutil.copy(root / "source" / "t" / "t.ipynb", root / "submitted" / name / "t" / "t.ipynb")
            start = time.perf_counter()
            if way == "grade-class":
                failed = len(grade_class(root, "t", jobs=jobs).failed)
            else:
                import subprocess

                def one(name: str, root: Path = root) -> int:
                    return subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "t", "--student", name],
                                          cwd=root, capture_output=True).returncode

                with ThreadPoolExecutor(jobs) as pool:
                    failed = sum(code != 0 for code in pool.map(one, names))
            wall = time.perf_counter() - start
            from nbgrader.api import Gradebook

            with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "bench") as gradebook:
                graded = sum(1 for name in names if _has_submission(gradebook, name))
            rows.append([way, f"{wall:.0f}", str(failed), f"{graded}/{students}"])
            print(f"  {way}: {wall:.0f} s, {failed} failed, {graded}/{students} in the gradebook", flush=True)
    return rows


def _has_submission(gradebook, student: str) -> bool:
    try:
        gradebook.find_submission("t", student)
    except Exception:  # nbgrader's MissingEntry: not graded
        return False
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4,
                        help="synthetic students, cycling through " + ", ".join(KINDS))
    parser.add_argument("--from", dest="folder", default=str(ROOT / "notebooks"),
                        help="folder of the lesson notebooks (default: notebooks/; e.g. a `git archive` of a commit)")
    parser.add_argument("--notebooks", default="", help="comma-separated prefixes, e.g. 01,05 (default: all)")
    parser.add_argument("--quick", action="store_true", help="2 students x notebooks 01-02; prints, writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave bench/README.md alone")
    parser.add_argument("--contention", type=int, metavar="JOBS", default=0,
                        help="only measure concurrent gradebook writers: --students tiny submissions, JOBS at a time")
    args = parser.parse_args(argv)
    if args.contention:
        rows = contention(args.students, args.contention)
        print(table(["way", "wall s", "failed", "in gradebook"], rows))
        return {"contention": rows}
    if args.students < 1:
        parser.error(f"--students must be at least 1, got {args.students}")
    wanted = ("01", "02") if args.quick else tuple(p for p in args.notebooks.split(",") if p)
    every = sorted(Path(args.folder).glob("[0-9]*.ipynb"))
    notebooks = [p for p in every if not wanted or p.name.startswith(wanted)]
    if not notebooks:
        parser.error(f"--notebooks {args.notebooks!r} matches none of {[p.name for p in every]} in {args.folder}")
    count = 2 if args.quick else args.students
    students = [f"{KINDS[i % len(KINDS)]}-{i + 1}" for i in range(count)]
    print(f"autograde: {count} students x {len(notebooks)} notebooks, before and lean", flush=True)
    print(f"(raw measurements in {RAW}, rewritten after each student)", flush=True)
    results = run(notebooks, students)
    markdown = report(results, notebooks, students, "".join(f" {a}" for a in (argv or sys.argv[1:])))
    print(markdown)
    if results["differ"] and any(results["differ"].values()):
        raise SystemExit(f"scores differ with lean mode: {results['differ']}")
    if not (args.quick or args.no_write):
        write_section("autograde", markdown)
    return results


if __name__ == "__main__":
    main()
