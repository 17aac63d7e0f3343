"""Instant feedback on the notebooks' exercises: ``check("02.3", my_answer)``.

A check never raises on a wrong or unfinished answer; it returns :class:`Feedback`
whose text says right, or what is off with a hint. :func:`grade` runs the same check for
an autograder (nbgrader's test cells): silent when right, ``AssertionError`` with the
check's message when not. :func:`exercise` lets a teacher define an exercise inside a
notebook, without editing the package.
"""

from __future__ import annotations

from gradlab import _integrity
from gradlab.exercises.checks import Feedback, check_value, run_check, wrong
from gradlab.exercises.custom import exercise, redefined, teacher_exercise, teacher_keys

__all__ = ["Feedback", "check", "exercise", "exercise_keys", "grade"]


def check(key: str, answer: object, seed: int | None = None) -> Feedback:
    """Check ``answer`` to exercise ``key`` (e.g. ``"01.2"``) and return the feedback.

    Function answers are tried at test points drawn afresh on every call; ``seed`` fixes
    them (an autograder's hidden cases). Where the exercise prescribes a method (a tape, by
    hand, the optimiser given), the check watches what the answer runs and says which rule
    it broke. Only the student's code is timed, in CPU seconds, so a busy machine gives the
    same verdict as an idle one.

    Examples
    --------
    >>> check("02.1", 80.0)
    ✅ Correct: d/dx x⁵ at 2 = 80.
    >>> check("02.1", ...)
    ✏️ Not yet solved: Replace the `...` with your answer and run the cell again.
    """
    mine = teacher_exercise(key)
    if mine is not None:
        return run_check(mine.check, answer, rules=mine.rules, seed=seed)  # never raises, never hangs (see run_check)
    from gradlab.exercises.catalog import EXERCISES  # TensorFlow loads only when checking

    exercise = EXERCISES.get(str(key))
    if exercise is None:
        known = ", ".join(sorted(EXERCISES) + teacher_keys())
        return wrong(f"no exercise {key!r}; the exercises are {known} (define your own with "
                     "gradlab.exercise(key, reference, ...) in a cell above)")
    return run_check(exercise.check, answer, rules=exercise.rules, seed=seed)


def grade(key: str, answer: object, seed: int | None = None) -> None:
    """The autograder's version of :func:`check`: silent when right, else ``AssertionError``.

    The error's message is the check's own feedback (the hint), so nbgrader's feedback
    report tells the student what is off, not just that a test failed. ``seed`` draws the
    test points from the teacher's hidden seed (nbgrader's hidden tests). Before checking,
    it makes sure nothing in the notebook replaced gradlab's checking code, TensorFlow's tape
    or the exercise (:mod:`gradlab.exercises.integrity`): if something did, it fails with
    "gradlab was modified in this notebook".

    Examples
    --------
    >>> grade("02.1", 80.0)
    >>> grade("02.1", -80.0)
    Traceback (most recent call last):
    ...
    AssertionError: exercise 02.1: ❌ Not yet: ...
    """
    __tracebackhide__ = True  # IPython (and so nbgrader's feedback) shows the hint, not this frame
    tampered = _integrity.changed() or redefined(str(key)) or _canary(str(key))
    if tampered:
        raise AssertionError(f"exercise {key}: gradlab was modified in this notebook ({tampered}): "
                             "restart the kernel and run all cells")
    feedback = check(key, answer, seed=seed)
    if not feedback.solved:
        raise AssertionError(f"exercise {key}: {feedback!r}")


_FAR_OFF = 1234567.0  # no exercise's answer


def _canary(key: str) -> str | None:
    """Run answers that must fail through the real machinery: a passing one means tampering.

    Comparisons can be bent below what :mod:`gradlab._integrity` watches (NumPy's private
    modules, a swapped ``__code__``); a number or a function that is far off must still fail.
    """
    if check_value(1.0, 2.0).solved or not check_value(2.0, 2.0).solved:
        return "the number comparison no longer works"
    for canary in (_FAR_OFF, lambda *args, **kwargs: _FAR_OFF):
        if check(key, canary).solved:
            return f"exercise {key} accepts any answer"
    return None


def exercise_keys() -> list[str]:
    """All exercise keys, in notebook order (then the ones defined in this session)."""
    from gradlab.exercises.catalog import EXERCISES

    return sorted(EXERCISES) + teacher_keys()


_integrity.seal(__name__)
