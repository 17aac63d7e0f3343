"""What an exercise is: a key, a title, a check and the method it prescribes.

Kept apart from the catalogs (catalog_01_04.py ... catalog_09.py) so each can be imported first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gradlab import _integrity
from gradlab.exercises.checks import Feedback
from gradlab.exercises.observe import Rules

__all__ = ["BY_HAND", "TAPE", "Exercise"]


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    check: Callable[[object], Feedback]
    rules: Rules | None = None  # the method the exercise prescribes, checked on what runs


#: "Use a tape": a tape's gradient in every call, none of gradlab's helpers.
TAPE = Rules(tape=True, helpers=False)
#: "By hand": a formula; no tape, no forward mode, no gradlab helper, no finite difference.
BY_HAND = Rules(by_hand=True, helpers=False)


_integrity.seal(__name__)
