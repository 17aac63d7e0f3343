"""Command line: ``python -m gradlab student-copy SOURCE TARGET [--force]``, ``nbgrader-cells``, ``grade-class``.

Imports no TensorFlow, so it starts in a fraction of a second. ``student-copy`` exits 0 when
every copy was written or kept, 1 when some were refused (a link, an answer key), 2 when
nothing could be done (a broken source notebook, a bad target) or writing stopped part-way.
``nbgrader-cells`` prints every file's outcome and exits 0 when all are updated or in sync,
1 (with ``--check``) when some are out of date, 2 when some were refused (twins that
disagree, a check call it cannot read): the others are still done. ``grade-class`` exits 0
when every student was graded, 1 when some failed (named, with nbgrader's log), 2 when the
course or assignment is not there.
"""

from __future__ import annotations

import argparse
import sys

from gradlab.student import CopyError, student_copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gradlab", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser(
        "student-copy",
        help="write student versions of notebooks (solutions stubbed, exercise outputs cleared)",
    )
    copy.add_argument("source", help="a .ipynb notebook or a folder of them (e.g. notebooks)")
    copy.add_argument("target", help="folder for the copies (e.g. build/student)")
    copy.add_argument("--force", action="store_true",
                      help="replace copies that already exist (they may hold a student's work); "
                           "links and files with solution markers are never replaced")
    cells = commands.add_parser(
        "nbgrader-cells",
        help="add/update nbgrader metadata and one locked test cell (with hidden tests) per check call",
    )
    cells.add_argument("notebooks", nargs="+", help=".ipynb notebooks or py:percent twins (.py)")
    cells.add_argument("--check", action="store_true", help="change nothing; exit 1 if any is out of date")
    grade = commands.add_parser(
        "grade-class",
        help="nbgrader autograde every student's submission, several students at once (one per core)",
    )
    grade.add_argument("assignment", help="the nbgrader assignment, e.g. ps1")
    grade.add_argument("students", nargs="*", help="whom to grade (default: everyone in submitted/)")
    grade.add_argument("--course", default=".", help="the course folder (default: the current one)")
    grade.add_argument("--jobs", "-j", type=int, default=None, help="students at once (default: one per core)")
    grade.add_argument("--force", action="store_true", help="regrade students already autograded")
    grade.add_argument("--db-url", default=None,
                       help="the gradebook, if not the course's gradebook.db (e.g. postgresql://...)")
    args = parser.parse_args(argv)
    if args.command == "nbgrader-cells":
        return _nbgrader_cells(args.notebooks, args.check)
    if args.command == "grade-class":
        return _grade_class(args)
    try:
        report = student_copy(args.source, args.target, force=args.force)
    except CopyError as error:
        print(error.report, file=sys.stderr)
        print(f"gradlab student-copy: {error}; the files listed above were written", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"gradlab student-copy: {error}; nothing was written", file=sys.stderr)
        return 2
    print(report)
    return 1 if report.refused else 0


def _nbgrader_cells(paths: list[str], check: bool) -> int:
    """Sync each notebook and print every file's outcome; 2 if any was refused, 1 if out of date."""
    from gradlab.exercises.autograde import sync_paths

    outcomes = sync_paths(paths, check=check)
    for outcome in outcomes:
        print(outcome)
    refused = [str(o.path) for o in outcomes if o.state == "refused"]
    stale = [str(o.path) for o in outcomes if o.state == "out of date"]
    if refused:
        print(f"gradlab nbgrader-cells: refused {len(refused)} of {len(outcomes)} file(s), each left as it was: "
              + " ".join(refused), file=sys.stderr)
    if stale:
        print("run: python -m gradlab nbgrader-cells " + " ".join(stale), file=sys.stderr)
    return 2 if refused else 1 if stale else 0


def _grade_class(args: argparse.Namespace) -> int:
    """Autograde the class in parallel; 2 if there is nothing to grade, 1 if a student failed twice."""
    from gradlab.grade_class import GradeClassError, grade_class

    def progress(run, done: int, total: int) -> None:
        state = "graded" if run.ok else f"FAILED (exit {run.returncode})"
        print(f"[{done}/{total}] {run.student}: {state} in {run.seconds:.0f} s", flush=True)

    try:
        report = grade_class(args.course, args.assignment, args.students, jobs=args.jobs,
                             extra=["--force"] if args.force else [], db_url=args.db_url, progress=progress)
    except GradeClassError as error:
        print(f"gradlab grade-class: {error}; nothing was graded", file=sys.stderr)
        return 2
    print(report)
    return 1 if report.failed else 0
