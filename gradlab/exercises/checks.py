"""Generic answer checks: they never raise on a wrong or unfinished answer, they explain.

A check returns :class:`Feedback`, whose text is what a student reads: right, or what is
off and a hint. Tolerances default to what float32 arithmetic can promise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Feedback",
    "check_choice",
    "check_function",
    "check_value",
    "correct",
    "unfinished",
    "wrong",
]

RTOL, ATOL = 1e-4, 1e-5  # float32 keeps ~7 digits; leave room for a different order of operations


@dataclass(frozen=True)
class Feedback:
    """What a check says: ``status`` is "correct", "wrong" or "unfinished"."""

    status: str
    message: str

    @property
    def solved(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.solved

    def __repr__(self) -> str:
        mark = {"correct": "✅ Correct:", "wrong": "❌ Not yet:", "unfinished": "✏️ Not yet solved:"}
        return f"{mark[self.status]} {self.message}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        color = {"correct": "#1a7f37", "wrong": "#b00020", "unfinished": "#8a6d00"}[self.status]
        return f"<div style='color:{color};font-weight:600'>{_escape(repr(self))}</div>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def correct(message: str = "") -> Feedback:
    return Feedback("correct", message or "Well done.")


def wrong(message: str) -> Feedback:
    return Feedback("wrong", message)


def unfinished(message: str = "") -> Feedback:
    return Feedback("unfinished", message or "Replace the `...` with your answer and run the cell again.")


def _is_placeholder(answer: object) -> bool:
    return answer is Ellipsis or answer is None


def as_numbers(answer: object) -> np.ndarray | None:
    """The answer as a float array, or None if it is not numeric (tensors, lists, Duals...)."""
    if hasattr(answer, "numpy"):
        answer = answer.numpy()
    if isinstance(answer, str):
        return None
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None


def _near(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def diagnose(got: np.ndarray, want: np.ndarray) -> str:
    """A hint for the common slips: sign, factor of 2, swapped order, the wrong shape."""
    if got.shape != want.shape and got.size != want.size:
        return f"expected {want.size} number(s) (shape {want.shape}), got shape {got.shape}"
    got = got.reshape(want.shape)
    if np.allclose(got, -want, rtol=1e-3) and np.any(want != 0):
        return "the sign is flipped: check a minus sign (d/dx cos x = −sin x, and d(1/y)/dy = −1/y²)"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(want != 0, got / want, np.nan)
    if np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio.flat[0], rtol=1e-3):
        r = float(ratio.flat[0])
        if abs(r - 1) < 0.05:
            off = float(np.max(np.abs(got - want)))
            return f"close, but off by {off:.2g}: compute it with the tape rather than by eye"
        if np.isclose(r, 2) or np.isclose(r, 0.5):
            return f"your answer is off by a factor of {r:g}: did you forget (or double) a chain-rule factor?"
        return f"your answer is {r:.3g} times the right one: a missing factor somewhere?"
    if want.ndim == 1 and want.size == 2 and np.allclose(got[::-1], want, rtol=1e-3):
        return "the two numbers are swapped: give them in the order asked"
    return ""


def check_value(
    answer: object, expected: object, what: str = "your answer", rtol: float = RTOL,
    atol: float = ATOL, hints: Sequence[tuple[object, str]] = (),
) -> Feedback:
    """Compare a numeric answer (number, list, array or tensor) with the expected value.

    ``hints`` pairs a known wrong answer with what probably led to it.
    """
    if _is_placeholder(answer):
        return unfinished()
    got = as_numbers(answer)
    if got is None:
        return wrong(f"{what} should be a number (or numbers); got {answer!r} ({type(answer).__name__})")
    want = np.asarray(expected, dtype=float)
    if got.size == want.size:
        got = got.reshape(want.shape)
    if not np.all(np.isfinite(got)):
        return wrong(f"{what} contains NaN or infinity: {got}. Look for a division by zero or sqrt(0)")
    if _near(got, want, rtol, atol):
        return correct(f"{what} = {np.array2string(got, precision=6)}")
    for wrong_answer, hint in hints:
        if _near(got, np.asarray(wrong_answer, dtype=float).reshape(got.shape), rtol, atol):
            return wrong(hint)
    shown = np.array2string(got, precision=6)
    return wrong(f"{what} = {shown} is not right. {diagnose(got, want)}".strip())


def call_attempt(fn: object, *args: object, what: str = "your function") -> tuple[object, Feedback | None]:
    """Call a student's function; any failure becomes Feedback instead of a traceback."""
    if _is_placeholder(fn):
        return None, unfinished()
    if not callable(fn):
        return None, wrong(f"{what} should be a function; got {fn!r}")
    try:
        result = fn(*args)
    except NotImplementedError:
        return None, unfinished("Write the body of the function (it still raises NotImplementedError).")
    except Exception as error:
        return None, wrong(f"{what} raised {type(error).__name__}: {error}")
    if _is_placeholder(result):
        return None, unfinished("Your function still returns `...` (or nothing): finish its body.")
    return result, None


def check_function(
    fn: object, reference: Callable, inputs: Sequence[tuple], what: str = "your function",
    rtol: float = RTOL, atol: float = ATOL, expect_tensor: bool = False,
    describe: Callable[[tuple], str] = lambda args: ", ".join(f"{a:.4g}" for a in args),
) -> Feedback:
    """Compare ``fn(*args)`` with ``reference(*args)`` for each argument tuple in ``inputs``."""
    for args in inputs:
        result, problem = call_attempt(fn, *args, what=what)
        if problem is not None:
            return problem
        if expect_tensor and not hasattr(result, "numpy"):
            return wrong(
                f"{what} returned a {type(result).__name__}, not a TensorFlow tensor: the tape "
                "cannot follow values that leave TensorFlow. Use tf.* operations throughout."
            )
        got, want = as_numbers(result), np.asarray(reference(*args), dtype=float)
        if got is None:
            return wrong(f"{what} returned {result!r}; expected numbers")
        if not _near(got.reshape(want.shape) if got.size == want.size else got, want, rtol, atol):
            hint = diagnose(got, want)
            return wrong(
                f"at ({describe(args)}) {what} gives {np.array2string(got, precision=6)}, "
                f"expected {np.array2string(want, precision=6)}. {hint}".strip()
            )
    return correct(f"{what} matches at all {len(inputs)} test points.")


def check_choice(
    answer: object, right: object, options: Sequence[object], explanation: str, hint: str
) -> Feedback:
    """A prediction or multiple-choice answer, compared case-insensitively (sets for several)."""
    if _is_placeholder(answer) or answer == "":
        return unfinished()

    def norm(v: object) -> object:
        if isinstance(v, (set, frozenset, list, tuple)):
            return frozenset(norm(x) for x in v)
        return v.strip().lower() if isinstance(v, str) else v

    if norm(answer) not in {norm(o) for o in options} and not isinstance(answer, (set, list, tuple)):
        shown = ", ".join(repr(o) for o in options)
        return wrong(f"{answer!r} is not one of the options: {shown}")
    if norm(answer) == norm(right):
        return correct(explanation)
    return wrong(f"{answer!r} is not it. Hint: {hint}")
