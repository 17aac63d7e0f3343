"""Command line: ``python -m gradlab student-copy SOURCE TARGET [--force]``.

Imports no TensorFlow, so it starts in a fraction of a second. Exit status: 0 when every
copy was written or kept, 1 when some were refused (a link, an answer key), 2 when nothing
could be done (a broken source notebook, a bad target) or writing stopped part-way.
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
    args = parser.parse_args(argv)
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
