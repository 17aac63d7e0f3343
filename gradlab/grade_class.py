"""Grade a class on every core of one machine: ``python -m gradlab grade-class ASSIGNMENT``.

``nbgrader autograde ASSIGNMENT`` grades one submission after another, one core at a time
(a notebook's kernel is mostly single-threaded Python). This runs one
``nbgrader autograde ASSIGNMENT --student S`` per student, ``jobs`` at a time, each in its
own process with its own kernels, all writing to the course's one ``gradebook.db``.

The gradebook is SQLite, which lets one writer at a time in. Each autograde process writes
a few short transactions (the student, the submission, each notebook's scores), so
writers seldom meet, and when they do the later one waits: the database URL given to each
process (``sqlite:///.../gradebook.db?timeout=120``) makes it wait up to 120 s for the lock
instead of SQLite's 5 s. The gradebook is created (if new) before any worker starts, so
no two processes create its tables at once. A student whose autograde fails anyway (a
"database is locked" that outlasted the wait, a broken notebook) is graded once more after
the others, alone; a student that still fails is named, with the end of nbgrader's log.

Students need not be added first (``nbgrader db student add``): autograde adds a student it
does not know (``Autograde.create_student``, on by default). To record names and e-mails,
``nbgrader db student import students.csv`` adds the whole class in one command.

Run it in the course folder (nbgrader installed in the same environment)::

    python -m gradlab grade-class ps1 --jobs 4 --force
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ClassGrading", "GradeClassError", "StudentRun", "grade_class", "submitted_students"]

DB_TIMEOUT = 120  # seconds a worker waits for the gradebook's lock


class GradeClassError(ValueError):
    """The course or the assignment is not there: nothing was graded."""


@dataclass
class StudentRun:
    """One student's ``nbgrader autograde``: how it ended, how long it took, the end of its log."""

    student: str
    returncode: int
    seconds: float
    log: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class ClassGrading:
    """Every student's run, and the wall time of the whole class."""

    runs: list[StudentRun] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1

    @property
    def failed(self) -> list[StudentRun]:
        return [r for r in self.runs if not r.ok]

    def __str__(self) -> str:
        done = len(self.runs) - len(self.failed)
        lines = [f"graded {done} of {len(self.runs)} student(s) in {self.seconds:.0f} s with {self.jobs} "
                 f"job(s) ({self.seconds / max(len(self.runs), 1):.1f} s per student)"]
        for run in self.failed:
            lines.append(f"FAILED {run.student} (exit {run.returncode}, {run.attempts} attempt(s)); "
                         f"nbgrader said:\n{run.log}")
        return "\n".join(lines)


def submitted_students(course: Path, assignment: str) -> list[str]:
    """The students with a submission of ``assignment``: ``submitted/<student>/<assignment>/`` folders.

    Parameters
    ----------
    course : Path
        The course folder (the one holding ``nbgrader_config.py`` and ``submitted/``).
    assignment : str
        The assignment's name, e.g. ``"ps1"``.

    Returns
    -------
    list of str
        Student ids, sorted.

    Raises
    ------
    GradeClassError
        When the course has no ``submitted/`` folder or nobody submitted ``assignment``.
    """
    submitted = Path(course) / "submitted"
    if not submitted.is_dir():
        raise GradeClassError(f"{submitted} does not exist: run grade-class in the course folder (the one with "
                              "nbgrader_config.py), or give it with --course; collect submissions first")
    students = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())
    if not students:
        raise GradeClassError(f"no submitted/<student>/{assignment}/ folder in {Path(course).resolve()}: "
                              "check the assignment name (nbgrader's, e.g. ps1) or collect submissions first")
    return students


def _gradebook_url(course: Path, timeout: int) -> str:
    return f"sqlite:///{(Path(course) / 'gradebook.db').resolve()}?timeout={timeout}"


def _create_gradebook(url: str) -> None:
    """Create the gradebook's tables now, from one process, if it is new (nbgrader's own Gradebook)."""
    from nbgrader.api import Gradebook

    Gradebook(url).close()


def _autograde(course: Path, assignment: str, student: str, db_url: str, extra: Sequence[str]) -> StudentRun:
    args = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", student, *extra,
            f"--CourseDirectory.db_url={db_url}"]
    # nbgrader runs `alembic` and the kernels from this environment's bin/
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    start = time.perf_counter()
    done = subprocess.run(args, cwd=course, env=env, capture_output=True, text=True)
    log = "" if done.returncode == 0 else (done.stdout + done.stderr)[-2000:]
    return StudentRun(student, done.returncode, time.perf_counter() - start, log)


def grade_class(course: str | Path, assignment: str, students: Sequence[str] | None = None,
                jobs: int | None = None, extra: Sequence[str] = (), db_url: str | None = None,
                progress: Callable[[StudentRun, int, int], None] | None = None) -> ClassGrading:
    """Autograde ``assignment`` for every student, ``jobs`` students at a time.

    Parameters
    ----------
    course : str or Path
        The course folder (``nbgrader_config.py``, ``source/``, ``submitted/``).
    assignment : str
        The assignment to grade.
    students : sequence of str, optional
        Whom to grade; default: everyone with a submission (:func:`submitted_students`).
    jobs : int, optional
        Students graded at once; default: the machine's cores (``os.cpu_count()``).
    extra : sequence of str
        More arguments for every ``nbgrader autograde`` (e.g. ``["--force"]``).
    db_url : str, optional
        The gradebook every worker uses (``CourseDirectory.db_url``), e.g. a database server's
        ``postgresql://...``; default: the course's ``gradebook.db``, each worker waiting up to
        120 s (``DB_TIMEOUT``) for its lock.
    progress : callable, optional
        Called as ``progress(run, done, total)`` after each student.

    Returns
    -------
    ClassGrading
        Each student's run (``.failed``: those that failed twice) and the total seconds.

    Examples
    --------
    In a course folder, as ``python -m gradlab grade-class ps1 --jobs 4`` does::

        report = grade_class(".", "ps1", jobs=4)
        print(report)   # graded 30 of 30 student(s) in 412 s with 4 job(s) ...
    """
    course = Path(course)
    if jobs is not None and jobs < 1:
        raise GradeClassError(f"jobs must be 1 or more, got {jobs}")
    if not (course / "source" / assignment).is_dir():
        raise GradeClassError(f"{course / 'source' / assignment} does not exist: nbgrader autograde needs the "
                              "assignment's source (run grade-class in the course folder, or give --course)")
    wanted = list(students) if students else submitted_students(course, assignment)
    jobs = min(jobs or os.cpu_count() or 1, len(wanted))
    db_url = db_url or _gradebook_url(course, DB_TIMEOUT)
    _create_gradebook(db_url)
    start = time.perf_counter()
    runs: dict[str, StudentRun] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_autograde, course, assignment, s, db_url, extra) for s in wanted]
        for future in as_completed(futures):
            run = future.result()
            runs[run.student] = run
            if progress:
                progress(run, len(runs), len(wanted))
    for student in [s for s in wanted if not runs[s].ok]:  # once more, alone
        again = _autograde(course, assignment, student, db_url, extra)
        again.attempts = 2
        runs[student] = again
        if progress:
            progress(again, len(wanted), len(wanted))
    return ClassGrading([runs[s] for s in wanted], time.perf_counter() - start, jobs)
