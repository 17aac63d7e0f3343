"""Instant feedback on the notebooks' exercises: ``check("02.3", my_answer)``.

A check never raises on a wrong or unfinished answer; it returns :class:`Feedback`
whose text says right, or what is off with a hint.
"""

from __future__ import annotations

from gradlab.exercises.checks import Feedback

__all__ = ["Feedback", "check", "exercise_keys"]


def check(key: str, answer: object) -> Feedback:
    """Check ``answer`` to exercise ``key`` (e.g. ``"01.2"``) and return the feedback.

    Examples
    --------
    >>> check("02.1", 80.0)
    ✅ Correct: d/dx x⁵ at 2 = 80.
    >>> check("02.1", ...)
    ✏️ Not yet solved: Replace the `...` with your answer and run the cell again.
    """
    from gradlab.exercises.catalog import EXERCISES  # TensorFlow loads only when checking

    exercise = EXERCISES.get(str(key))
    if exercise is None:
        known = ", ".join(sorted(EXERCISES))
        raise KeyError(f"no exercise {key!r}; the exercises are {known}")
    return exercise.check(answer)


def exercise_keys() -> list[str]:
    """All exercise keys, in notebook order."""
    from gradlab.exercises.catalog import EXERCISES

    return sorted(EXERCISES)
