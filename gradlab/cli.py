"""Command line: ``python -m gradlab student-copy SOURCE TARGET [--force]``.

Imports no TensorFlow, so it starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import sys

from gradlab.student import student_copy


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
                      help="replace copies that already exist (they may hold a student's work)")
    args = parser.parse_args(argv)
    try:
        report = student_copy(args.source, args.target, force=args.force)
    except (OSError, ValueError) as error:
        print(f"gradlab student-copy: {error}", file=sys.stderr)
        return 2
    print(report)
    return 0
