"""Every exercise in the notebooks, by key ("02.3" is notebook 02, exercise 3).

The exercises live beside the notebooks they belong to (``catalog_01_04``, ``catalog_05_06``,
``catalog_07_08``, ``catalog_09``); this module merges them into one registry.

Expected answers are computed inside each check from a reference (TensorFlow, math or Keras
itself), on test points drawn afresh (or from an autograder's hidden seed): they are not
written in the student's notebook, no function here returns one, and they cannot drift from
what the lesson shows. Where an exercise prescribes a method ("with a tape", "by hand"),
its :class:`Rules` are checked on what the answer actually ran (:mod:`.observe`).
"""

from __future__ import annotations

from gradlab import _integrity
from gradlab.exercises.catalog_01_04 import EXERCISES_01_04
from gradlab.exercises.catalog_05_06 import EXERCISES_05_06
from gradlab.exercises.catalog_07_08 import EXERCISES_07_08
from gradlab.exercises.catalog_09 import EXERCISES_09
from gradlab.exercises.kinds import Exercise

__all__ = ["EXERCISES"]

EXERCISES: dict[str, Exercise] = {**EXERCISES_01_04, **EXERCISES_05_06, **EXERCISES_07_08, **EXERCISES_09}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
