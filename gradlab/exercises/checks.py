"""Generic answer checks: they never raise on a wrong or unfinished answer, they explain.

A check returns :class:`Feedback`, whose text is what a student reads: right, or what is
off and a hint. Tolerances default to what float32 arithmetic can promise.

Size (about 840 lines, the longest module): feedback, the rules for what an answer may be,
the generic checks and the runner that calls student code under CPU limits live together
because the runner's error feedback and every check apply the same answer rules. The runner
(from "running a check" down) is the part to move out next.
"""

from __future__ import annotations

import contextvars
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from gradlab import _integrity
from gradlab.exercises.observe import (
    Observation,
    Observer,
    Rules,
    _student,
    method_problem,
    universal_problem,
)

__all__ = [
    "Feedback",
    "TIME_LIMIT",
    "answer_problem",
    "check_choice",
    "check_function",
    "check_value",
    "correct",
    "random_points",
    "run_check",
    "seen",
    "unfinished",
    "wrong",
]

RTOL, ATOL = 1e-4, 1e-5  # float32 keeps ~7 digits; leave room for a different order of operations

#: CPU seconds the student's code may use in one check. Only the student's code counts (the
#: check's own reference work does not), and CPU time, not the wall clock: a busy machine
#: slows a right answer down but does not push it over the limit. A right answer uses a
#: small fraction of it; a loop that never ends gets "did not finish" instead of a hung kernel.
TIME_LIMIT = 5.0

#: CPU seconds a whole check may take (its reference work included): a safety net only.
CHECK_LIMIT = 60.0

#: Wall-clock seconds after which student code that waits (sleeps, reads a lock) is stopped.
#: Far above what any right answer takes, even at a load of 8 on 2 cores.
WAIT_LIMIT = 120.0

#: What a None answer most often means: tape.gradient found no path from the input.
NONE_HINT = (
    "None is what tape.gradient returns when the tape did not follow the input: call "
    "tape.watch(x) inside the `with tf.GradientTape() as tape:` block when x is a tf.constant "
    "(tf.Variable s are watched automatically), compute the result inside that block, and use "
    "tf.* operations so the value never leaves TensorFlow"
)


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
        # Marks every text font has (DejaVu, Liberation...), not emoji: a page without an emoji
        # font would show empty boxes. The plain-text repr keeps its emoji for terminals.
        color = {"correct": "#1a7f37", "wrong": "#b00020", "unfinished": "#8a6d00"}[self.status]
        mark = {"correct": "✓ Correct:", "wrong": "✗ Not yet:", "unfinished": "✎ Not yet solved:"}[self.status]
        return (f"<div class='gradlab-feedback' role='status' style='color:{color};font-weight:600'>"
                f"{mark} {_escape(self.message)}</div>")


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


def _placeholder_feedback(answer: object) -> Feedback:
    if answer is None:
        return unfinished(f"Your answer is None. If you have not started, replace it with your answer. "
                          f"If it came from a tape: {NONE_HINT}.")
    return unfinished()


def _to_plain(answer: object, depth: int = 0) -> object:
    """Tensors and variables to NumPy, inside lists and tuples too."""
    if hasattr(answer, "numpy") and callable(answer.numpy):
        return answer.numpy()
    if isinstance(answer, (list, tuple)) and depth < 4:
        return [_to_plain(v, depth + 1) for v in answer]
    return answer


def _flat_items(answer: object, depth: int = 0):
    if isinstance(answer, (list, tuple)) and depth < 6:
        for v in answer:
            yield from _flat_items(v, depth + 1)
    elif isinstance(answer, np.ndarray) and answer.dtype == object:
        for v in answer.ravel():
            yield from _flat_items(v, depth + 1)
    else:
        yield answer


def answer_problem(answer: object, what: str = "your answer") -> Feedback | None:
    """What is wrong with the *form* of a numeric answer, or None when it is numbers.

    The one place that turns every kind of answer a student can type (a tensor, a list of
    tensors, a string, a dict, a function, [], None from a tape, NaN) into either numbers or
    feedback that names the mistake. :func:`as_numbers` and every check build on it. It never
    raises: an integer too large for a float, or an object whose ``numpy()``/``__array__``
    fails, becomes feedback too.
    """
    try:
        return _answer_problem(answer, what)
    except OverflowError:
        return _too_large(answer, what)
    except Exception as error:  # noqa: BLE001 - a broken answer object must not break the check
        return wrong(f"{what} could not be read as numbers: converting {_short(answer)} raised "
                     f"{type(error).__name__}: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def _too_large(answer: object, what: str) -> Feedback:
    return wrong(f"{what} is too large to be a float ({_short(answer, 40)}; the largest float is "
                 "about 1.8e308): check the formula, the right value is much smaller")


def _answer_problem(answer: object, what: str) -> Feedback | None:
    if _is_placeholder(answer):
        return _placeholder_feedback(answer)
    kind = type(answer).__name__
    if isinstance(answer, (str, bytes)):
        return wrong(f"{what} should be a number (or numbers), not the text {answer!r}: "
                     "remove the quotes")
    if isinstance(answer, (bool, np.bool_)):
        return wrong(f"{what} should be a number (or numbers); got {answer!r}, a True/False value")
    if isinstance(answer, (dict, set, frozenset)):
        return wrong(f"{what} should be a number (or numbers); got a {kind}: {_short(answer)}. "
                     "Give the values themselves, e.g. a list [a, b]")
    if callable(answer) and not hasattr(answer, "numpy"):
        return wrong(f"{what} should be a number (or numbers); got the function {_short(answer)}: "
                     "call it and give its result")
    plain = _to_plain(answer)
    items = list(_flat_items(plain))
    if any(v is None for v in items):
        return wrong(f"{what} contains None: {_short(answer)}. {NONE_HINT}.")
    if any(isinstance(v, (str, bytes)) for v in items) or (
            isinstance(plain, np.ndarray) and plain.dtype.kind in "US"):
        text = next((v for v in items if isinstance(v, (str, bytes))), None)
        if text is None and isinstance(plain, np.ndarray) and plain.size:
            text = plain.flat[0]
        return wrong(f"{what} should be numbers, not text such as {text!r}: remove the quotes")
    odd = next((v for v in items if isinstance(v, (dict, set)) or callable(v)), None)
    if odd is not None:
        return wrong(f"{what} should be numbers; it contains a {type(odd).__name__}: {_short(odd)}")
    try:
        array = np.asarray(plain)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype == object:
        try:
            array = np.asarray(plain, dtype=float)
        except OverflowError:
            return _too_large(answer, what)
        except (TypeError, ValueError):
            array = _flattened(plain)  # pieces of unequal length, e.g. a list of two tensors
            if array is None:
                return wrong(f"{what} should be a number (or numbers, in rows of equal length); "
                             f"got {_short(answer)} ({kind})")
    if array.dtype.kind == "c":
        return wrong(f"{what} should be real numbers; got the complex value(s) {_short(answer)}")
    if array.dtype.kind not in "biuf":
        return wrong(f"{what} should be a number (or numbers); got {_short(answer)} ({kind})")
    if array.size == 0:
        return wrong(f"{what} is empty ({_short(answer)}): give the number(s) asked for")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        return wrong(f"{what} contains NaN or infinity: {array}. Look for a division by zero or sqrt(0)")
    return None


def _flattened(plain: object) -> np.ndarray | None:
    """Numbers in pieces of unequal length (``[[1.5, 2.0], [6.0]]``), in order, or None."""
    try:
        pieces = [np.ravel(np.asarray(_to_plain(v), dtype=float)) for v in _flat_items(plain)]
    except (TypeError, ValueError, OverflowError):
        return None
    return np.concatenate(pieces) if pieces else None


def _float_array(answer: object) -> np.ndarray:
    """A numeric answer (already vetted by :func:`answer_problem`) as a float array."""
    plain = _to_plain(answer)
    try:
        return np.asarray(plain, dtype=float)
    except (TypeError, ValueError):
        flat = _flattened(plain)
        if flat is None:
            raise
        return flat


def _short(value: object, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break the check
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_numbers(answer: object) -> np.ndarray | None:
    """The answer as a float array, or None if it is not numeric (tensors, lists, Duals...)."""
    if answer_problem(answer) is not None and not _finite_problem_only(answer):
        return None
    try:
        return np.asarray(_to_plain(answer), dtype=float)
    except Exception:  # noqa: BLE001 - "not numeric" is the answer for any failure
        return None


def _finite_problem_only(answer: object) -> bool:
    """Numbers, only some of them NaN or infinite (callers report those themselves)."""
    try:
        array = np.asarray(_to_plain(answer), dtype=float)
    except Exception:  # noqa: BLE001 - overflow, a broken __array__: not "only NaN"
        return False
    return array.size > 0 and not isinstance(answer, (str, bytes, bool)) and not np.all(np.isfinite(array))


def random_points(low: float, high: float, count: int = 3, rng: np.random.Generator | None = None):
    """``count`` test points drawn afresh on every call, rounded to 3 decimals for messages.

    Fixed test points can be matched by a wrong answer (a lookup table, a cubic through three
    points); fresh ones cannot. Inside :func:`run_check` the points come from the check's own
    generator: fresh each time, or reproducible from the hidden ``seed`` an autograder passes.
    Never within 0.01 of 0 (redrawn): at 0 a tape's higher derivatives of ``x**n`` are NaN
    (TensorFlow's Pow gradient), and a right answer to 02.3 failed when a point rounded to 0.0.
    """
    if -0.01 < low and high < 0.01:
        raise ValueError(f"random_points({low}, {high}): the range lies within 0.01 of 0, where no point is drawn")
    rng = current_rng() if rng is None else rng
    points: list[float] = []
    while len(points) < count:
        points += [round(float(v), 3) for v in rng.uniform(low, high, count - len(points)) if abs(v) >= 0.01]
    return points


def _near(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def _numbers(values: np.ndarray) -> str:
    """Numbers for a message: 6 significant digits, no trailing "1." that ends a sentence twice."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return f"{float(values.flat[0]):.6g}"
    return _bracketed(values)


def _bracketed(values: np.ndarray) -> str:
    """``[a b]`` rows of 6 significant digits, the same under every NumPy (2.5 pads columns)."""
    if values.ndim <= 1:
        return "[" + " ".join(f"{float(v):.6g}" for v in np.ravel(values)) + "]"
    return "[" + " ".join(_bracketed(row) for row in values) + "]"


#: The swap hint; capitalised, as it always follows a sentence ("... is not right. The two ...").
SWAPPED = "The two numbers are swapped: give them in the order asked"


def diagnose(got: np.ndarray, want: np.ndarray, amounts: bool = True, function: bool = False) -> str:
    """A hint for the common slips: sign, a factor of 2, swapped order, the wrong shape.

    ``function``: the numbers came from a student's function, so a value close to the right
    one is a formula that differs (sin(x)² agrees with sin(x²) near 0), not a misread number.

    A single number gets no factor hint: any two numbers have *some* ratio, and "0.632 times
    the right one" only misleads. The exercise's own ``hints`` name its likely slips instead.
    """
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
            if function:
                return f"close here, but off by {off:.2g}: check the formula, not the precision"
            if not amounts:  # a value answer: the offset would give the answer away
                return "close, but off by more than the tolerance: compute it rather than reading it off"
            return f"close, but off by {off:.2g}: compute it with the tape rather than by eye"
        simple = [k for k in (2, 3, 4, 0.5, 1 / 3, 0.25) if np.isclose(r, k, rtol=1e-3)]
        if want.size > 1 and simple and not amounts:
            return "every value is the same multiple of the right one: a factor that is doubled or missing?"
        if want.size > 1 and simple:
            return (f"every value is {r:.3g} times the right one: a factor that is doubled or "
                    "missing somewhere?")
        return ""
    shift = got - want
    if want.size > 1 and np.allclose(shift, shift.flat[0], rtol=1e-6, atol=1e-6) and abs(shift.flat[0]) > 1e-6:
        if not amounts:
            return "every value is off by the same amount: drop the added constant"
        return f"every value is off by the same {float(shift.flat[0]):.4g}: drop the added constant"
    if want.ndim == 1 and want.size == 2 and np.allclose(got[::-1], want, rtol=1e-3):
        return SWAPPED
    return ""


def check_value(
    answer: object, expected: object, what: str = "your answer", rtol: float = RTOL,
    atol: float = ATOL, hints: Sequence[tuple[object, str]] = (), generic: bool = True,
    amounts: bool = False,
) -> Feedback:
    """Compare a numeric answer (number, list, array or tensor) with the expected value.

    ``hints`` pairs a known wrong answer with what probably led to it. ``amounts`` lets the
    generic hint say by how much the answer is off: right for values a student's function
    produced at fresh points, wrong for a value answer (it would give the answer away). ``generic=False``
    leaves out the generic guesses of :func:`diagnose` (a flipped sign, a missing factor),
    which speak of derivatives and mislead where the answer is a point, a rate or a count.
    """
    problem = answer_problem(answer, what)
    if problem is not None:
        return problem
    got = _float_array(answer)
    want = np.asarray(expected, dtype=float)
    if got.size != want.size:
        return wrong(f"{what} should be {want.size} number(s) (shape {want.shape}); got "
                     f"{got.size} (shape {got.shape}): {_numbers(got)}")
    got = got.reshape(want.shape)
    if _near(got, want, rtol, atol):
        return correct(f"{what} = {_numbers(got)}")
    for wrong_answer, hint in hints:
        other = np.asarray(wrong_answer, dtype=float)
        if other.size == got.size and _near(got, other.reshape(got.shape), rtol, atol):
            return wrong(hint)
    shown = _numbers(got)
    return wrong(f"{what} = {shown} is not right. {diagnose(got, want, amounts) if generic else ''}".strip())


#: What TensorFlow says when a None gradient is passed on (to another tape, to tf.* maths).
_NONE_GRADIENT_ERRORS = (
    "should be a list or nested structure of Tensors",  # tape.gradient(None, x)
    "Attempt to convert a value (None)",                 # x - y / None
    "unsupported operand type(s) for",                   # None * 2 in plain Python
)


def _from_a_none_gradient(error: Exception) -> bool:
    text = str(error)
    return any(fragment in text for fragment in _NONE_GRADIENT_ERRORS) and "None" in text


def call_attempt(fn: object, *args: object, what: str = "your function",
                 avoid: Sequence[tuple[str, object]] = ()) -> tuple[object, Feedback | None]:
    """Call a student's function; any failure becomes Feedback instead of a traceback.

    The call is timed (CPU seconds of the student's code only, see :func:`run_check`) and
    watched (:mod:`gradlab.exercises.observe`): ``avoid`` names functions it must not call.
    ``sys.exit()``, ``KeyboardInterrupt`` and a loop that never ends become feedback too.
    """
    if _is_placeholder(fn):
        return None, _placeholder_feedback(fn)
    if not callable(fn):
        return None, wrong(f"{what} should be a function (this exercise asks for code, so the check "
                           f"can run it at points of its own); got {_short(fn)}")
    try:
        result = _run_student_code(fn, args, avoid)
    except _TimeUp as up:
        return None, up.feedback()
    except NotImplementedError:
        return None, unfinished("Write the body of the function (it still raises NotImplementedError).")
    except SystemExit:
        return None, wrong(f"{what} called sys.exit() (or exit()/quit()), which would end the "
                           "program: return the result instead")
    except KeyboardInterrupt:
        return None, wrong(f"{what} was interrupted (KeyboardInterrupt) before it returned")
    except Exception as error:
        if _from_a_none_gradient(error):
            return None, wrong(f"{what} raised {type(error).__name__} because a tape.gradient "
                               f"call inside it returned None. {NONE_HINT}.")
        return None, wrong(f"{what} raised {type(error).__name__}: {error}")
    except BaseException as error:  # noqa: BLE001 - GeneratorExit and friends: still feedback
        return None, wrong(f"{what} raised {type(error).__name__}: {error}")
    if result is Ellipsis:
        return None, unfinished("Your function still returns `...`: finish its body.")
    context = _CONTEXT.get()
    if context is not None and context.first_call is None and result is not None:
        context.first_call = (fn, args, _numbers_of(result))
    if result is None:
        if any(g is None for g in _flat_items(seen().gradient_results)):
            return None, wrong(f"{what} returns None, which tape.gradient gave it. {NONE_HINT}.")
        return None, unfinished("Your function returns None: finish its body and `return` the result.")
    return result, None


def check_function(
    fn: object, reference: Callable, inputs: Sequence[tuple], what: str = "your function",
    rtol: float = RTOL, atol: float = ATOL, expect_tensor: bool = False,
    describe: Callable[[tuple], str] = lambda args: ", ".join(f"{a:.4g}" for a in args),
    hints: Sequence[tuple[Callable, str]] = (), avoid: Sequence[tuple[str, object]] = (),
) -> Feedback:
    """Compare ``fn(*args)`` with ``reference(*args)`` for each argument tuple in ``inputs``.

    ``hints`` pairs a known wrong function with what probably led to it: where the answer
    is off and agrees with a wrong function, the student reads that hint. ``avoid`` names
    functions the answer must not call (see :func:`call_attempt`).
    """
    for args in inputs:
        result, problem = call_attempt(fn, *args, what=what, avoid=avoid)
        if problem is not None:
            return problem
        if expect_tensor and not hasattr(result, "numpy"):
            return wrong(
                f"{what} returned a {type(result).__name__}, not a TensorFlow tensor: the tape "
                "cannot follow values that leave TensorFlow. Use tf.* operations throughout."
            )
        want = np.asarray(reference(*args), dtype=float)
        place = describe(args)  # "x = 0.42" as it is; bare coordinates go in parentheses
        place = place if "=" in place else f"({place})"
        problem = answer_problem(result, f"{what}'s result at {place}")
        if problem is not None and not _finite_problem_only(result):  # NaN: compared below
            if problem.status == "unfinished":
                return problem
            return wrong(f"{what} returned {_short(result)}; expected numbers. {problem.message}")
        got = np.asarray(_to_plain(result), dtype=float)
        if got.size != want.size:
            return wrong(f"at {place} {what} gives {got.size} number(s) (shape "
                         f"{got.shape}); expected {want.size} (shape {want.shape})")
        if not _near(got.reshape(want.shape), want, rtol, atol):
            for wrong_function, message in hints:
                other = np.asarray(_to_plain(wrong_function(*args)), dtype=float)
                if other.size == got.size and _near(got, other.reshape(got.shape), rtol, atol):
                    return wrong(message)
            hint = diagnose(got, want, function=True)
            if hint == SWAPPED:  # the expected values would be the answer, given away
                return wrong(f"at {place} {what} gives {_numbers(got)}. {hint}")
            expected = _numbers(want)  # "100." must not end in "100.."
            return wrong(
                f"at {place} {what} gives {_numbers(got)}, "
                f"expected {expected}{'' if expected.endswith('.') else '.'} {hint}".strip()
            )
    return correct(f"{what} matches at all {len(inputs)} test points.")


def check_choice(
    answer: object, right: object, options: Sequence[object], explanation: str, hint: str
) -> Feedback:
    """A prediction or multiple-choice answer, compared case-insensitively (sets for several)."""
    if _is_placeholder(answer) or (isinstance(answer, str) and not answer.strip()):
        return _placeholder_feedback(answer) if answer is not None else unfinished()
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, dict):
        return wrong(f"give the option itself (or a set of options), not a dict: {_short(answer)}")

    def norm(v: object) -> object:
        if isinstance(v, (set, frozenset, list, tuple)):
            return frozenset(norm(x) for x in v)
        if isinstance(v, str):
            return v.strip().lower()
        try:
            hash(v)
        except TypeError:
            return repr(v)
        return v

    letters = {str(o) for o in options}
    if isinstance(answer, str) and len(answer.strip()) > 1 and set(answer.strip()) <= letters:
        shown = "{" + ", ".join(repr(c) for c in answer.strip()) + "}"
        return wrong(f"give several options as a set, e.g. {shown}, not the text {answer!r}")
    if norm(answer) not in {norm(o) for o in options} and not isinstance(answer, (set, frozenset, list, tuple)):
        shown = ", ".join(repr(o) for o in options)
        return wrong(f"{answer!r} is not one of the options: {shown}")
    if norm(answer) == norm(right):
        return correct(explanation)
    return wrong(f"{answer!r} is not it. Hint: {hint}")


# --------------------------------------------------------------------------- running a check


@dataclass
class _Context:
    """One running check: its random points, the student's CPU budget, what their code did."""

    rng: np.random.Generator
    limit: float                       # CPU seconds the student's code may use in all
    budget: float                      # what is left of it
    observation: Observation = field(default_factory=Observation)
    timing: bool = False               # a student call is being timed (no nested timers)
    first_call: tuple | None = None    # (fn, args, result as numbers) of the first good call


_CONTEXT: contextvars.ContextVar[_Context | None] = contextvars.ContextVar("gradlab_check", default=None)


def current_rng() -> np.random.Generator:
    """The running check's generator (seeded by the autograder), else a fresh one."""
    context = _CONTEXT.get()
    return context.rng if context is not None else np.random.default_rng()


def seen() -> Observation:
    """What the student's code did so far in the running check (an empty record outside one)."""
    context = _CONTEXT.get()
    return context.observation if context is not None else Observation()


class _TimeUp(BaseException):
    """Raised by the timer; a BaseException so a student's `except Exception` cannot eat it."""

    def __init__(self, limit: float = TIME_LIMIT, waiting: bool = False, whole_check: bool = False):
        super().__init__(limit)
        self.limit, self.waiting, self.whole_check = limit, waiting, whole_check

    def feedback(self) -> Feedback:
        if self.whole_check:
            return wrong(f"checking your answer took more than {self.limit:g} s of CPU time: look for "
                         "a loop that never ends or a far too large range in your code")
        if self.waiting:
            return wrong(f"your function did not finish within {self.limit:g} s while hardly "
                         "computing: it waits for something (time.sleep, input(), a lock)")
        return did_not_finish(self.limit)


def did_not_finish(limit: float) -> Feedback:
    return wrong(f"your function did not finish within {limit:g} s: look for a loop that never "
                 "ends (a `while` whose condition never changes) or a far too large range")


def _observed_call(fn: Callable, args: tuple, avoid: Sequence[tuple[str, object]]) -> object:
    return Observer(seen(), avoid).run(fn, *args)


_GRADLAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _ours(frame) -> bool:
    """A frame of gradlab itself: its clean-up must run, so the time-up is not raised there."""
    return frame.f_code.co_filename.startswith(_GRADLAB_DIR)


def _timers_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _run_student_code(fn: Callable, args: tuple, avoid: Sequence[tuple[str, object]] = ()) -> object:
    """``fn(*args)`` watched, and timed when a check is running in the main thread."""
    context = _CONTEXT.get()
    if context is None or context.timing or not _timers_usable():
        return _observed_call(fn, args, avoid)
    if context.budget <= 0:
        raise _TimeUp(context.limit)
    context.timing = True
    observer = Observer(seen(), avoid)
    observer.start()
    start = time.process_time()
    try:
        return _with_timers(lambda: observer.call(fn, args), context.budget, WAIT_LIMIT,
                            _TimeUp(context.limit), _TimeUp(WAIT_LIMIT, waiting=True))
    finally:
        observer.stop()  # after the timers: nothing can interrupt the clean-up
        context.timing = False
        context.budget -= time.process_time() - start


def _with_timers(thunk: Callable[[], object], cpu_limit: float, wait_limit: float | None,
                 cpu_up: BaseException, wait_up: BaseException | None = None) -> object:
    """``thunk()``, stopped by ``cpu_up`` after ``cpu_limit`` CPU seconds (or ``wait_up``
    after ``wait_limit`` seconds on the clock).

    CPU time (``ITIMER_PROF``) is what this process used, whatever else the machine runs, so
    the verdict does not depend on the load. When time is up the exception is raised (again
    every 50 ms until the code returns) and the running frames are traced: a handler that
    caught it (``except:``, ``except BaseException:``) gets it raised again at its first
    opcode, so it leaves every ``try`` on its way out. Timers already running (an outer
    check's) are paused and resumed with what is left of them.
    """
    here = sys._getframe()
    state: dict = {"up": None, "stopped": False}
    previous_trace = sys.gettrace()

    def tracer(frame, _event, _arg):
        if not _student(frame):  # only the student's handlers are made to let go of it
            return None
        frame.f_trace_opcodes = True
        if state["up"] is not None and not state["stopped"] and sys.exc_info()[1] is state["up"]:
            raise state["up"]
        return tracer

    def handler(up: BaseException):
        def on_signal(_signum, frame):
            if state["stopped"] or _ours(frame):  # the next tick (50 ms) lands in the student's code
                return
            state["up"] = state["up"] or up
            while frame is not None and frame is not here:
                if not _ours(frame):
                    frame.f_trace, frame.f_trace_opcodes = tracer, True
                frame = frame.f_back
            sys.settrace(tracer)
            raise state["up"]
        return on_signal

    outer = {which: signal.getitimer(which) for which in (signal.ITIMER_PROF, signal.ITIMER_REAL)}
    handlers = {signal.SIGPROF: signal.signal(signal.SIGPROF, handler(cpu_up))}
    if wait_limit is not None:
        handlers[signal.SIGALRM] = signal.signal(signal.SIGALRM, handler(wait_up))
    cpu0, wall0 = time.process_time(), time.monotonic()
    signal.setitimer(signal.ITIMER_PROF, max(cpu_limit, 1e-3), 0.05)
    if wait_limit is not None:
        signal.setitimer(signal.ITIMER_REAL, wait_limit, 0.05)
    try:
        return thunk()
    finally:
        state["stopped"] = True
        signal.setitimer(signal.ITIMER_PROF, 0)
        if wait_limit is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for number, old in handlers.items():
            signal.signal(number, old)
        if state["up"] is not None:
            sys.settrace(previous_trace)
        used = {signal.ITIMER_PROF: time.process_time() - cpu0, signal.ITIMER_REAL: time.monotonic() - wall0}
        for which, (left, interval) in outer.items():
            if left > 0 and (which == signal.ITIMER_PROF or wait_limit is not None):
                signal.setitimer(which, max(left - used[which], 1e-3), interval)


def run_check(check: Callable[[object], Feedback], answer: object, time_limit: float | None = None,
              *, rules: Rules | None = None, seed: int | None = None) -> Feedback:
    """Run one exercise's check so that it can neither raise nor hang.

    Parameters
    ----------
    check : callable
        The exercise's check: answer -> Feedback. It calls the student's code through
        :func:`call_attempt`, which times and watches it.
    answer : object
        The student's answer.
    time_limit : float, optional
        CPU seconds the student's code may use in this check (default :data:`TIME_LIMIT`).
        Only the student's code counts, so the check's own reference work can never make a
        right answer late, and a loaded machine gives the same verdict as an idle one.
    rules : Rules, optional
        The method the exercise prescribes (a tape, by hand, ...): a right number found
        another way is wrong, with a message naming the rule.
    seed : int, optional
        Seeds the check's random test points (an autograder's hidden cases); fresh when None.

    Returns
    -------
    Feedback
        Never raises: an error in the check becomes feedback (the answer's form problem when
        it has one, else the error in one line). In the main thread on Unix, a runaway answer
        is stopped between bytecodes; elsewhere (Windows, another thread) the check runs in a
        daemon thread the caller stops waiting for. A single C call that never returns
        (``sum(range(10**15))``) cannot be interrupted by either; only the kernel's stop button can.
    """
    limit = TIME_LIMIT if time_limit is None else time_limit
    context = _Context(np.random.default_rng(seed), limit, limit)
    answer = _frozen(answer)  # before any expected value exists to be read

    def guarded() -> Feedback:
        token = _CONTEXT.set(context)
        try:
            if _timers_usable():  # a safety net for student code a check calls directly
                result = _with_timers(lambda: check(answer), CHECK_LIMIT, None,
                                      _TimeUp(CHECK_LIMIT, whole_check=True))
            else:
                result = check(answer)
        except _TimeUp as up:
            return up.feedback()
        except Exception as error:  # noqa: BLE001 - the promise: a check never raises
            return _error_feedback(error, answer)
        finally:
            _CONTEXT.reset(token)
        if not isinstance(result, Feedback):
            return wrong(f"the check returned {_short(result)} instead of feedback")
        # Right numbers found another way than the exercise asks: wrong, naming the rule. (A
        # wrong or crashing answer keeps its own, more specific, feedback.)
        if result.solved and context.observation.calls:
            seen_now = context.observation
            broken = (method_problem(rules, seen_now, "your function") if rules is not None
                      else universal_problem(seen_now, "your function"))
            if broken is None and rules is not None and rules.tape and rules.tape_result:
                token = _CONTEXT.set(context)
                try:
                    if _ignores_the_tape(context):
                        broken = ("your function runs a tape, but its result does not depend on what "
                                  "tape.gradient returns: build the answer from the tape's gradient.")
                finally:
                    _CONTEXT.reset(token)
            if broken is not None:
                return wrong(broken)
        return result

    if _timers_usable():
        return guarded()
    box: list[Feedback] = []
    eager = _functions_run_eagerly()
    worker = threading.Thread(target=lambda: box.append(contextvars.copy_context().run(guarded)),
                              daemon=True)
    worker.start()
    worker.join(context.budget)
    if not box:
        # The abandoned check still runs with tf.functions switched to eager (the observer
        # does that while student code runs): switch them back for the rest of the kernel.
        _restore_functions_run_eagerly(eager)
        return wrong(did_not_finish(context.budget).message + " (it is still running in the "
                     "background; restart the kernel if the notebook becomes slow)")
    return box[0]


def _functions_run_eagerly() -> bool | None:
    tf = sys.modules.get("tensorflow")
    return None if tf is None else bool(tf.config.functions_run_eagerly())


def _restore_functions_run_eagerly(eager: bool | None) -> None:
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        tf.config.run_functions_eagerly(bool(eager))


def _numbers_of(result: object) -> np.ndarray | None:
    """A result as numbers, taken now (a variable returned may change later), or None."""
    try:
        return _float_array(result).copy()
    except Exception:  # noqa: BLE001 - not numbers: the comparison below is skipped
        return None


def _ignores_the_tape(context: _Context) -> bool:
    """Does the first call's result stay the same when every tape gradient is scaled by 1.5?

    A throwaway tape (a gradient computed and dropped, the result from a formula or a finite
    difference) passes "a tape was used" but not this: the result does not depend on it.
    """
    tf = sys.modules.get("tensorflow")
    if tf is None or context.first_call is None or context.first_call[2] is None:
        return False
    fn, args, before = context.first_call
    tape = tf.GradientTape
    originals = {name: vars(tape)[name] for name in ("gradient", "jacobian", "batch_jacobian")}

    def scaled(original):
        def larger(self, *a, **k):
            return tf.nest.map_structure(
                lambda g: g * tf.cast(1.5, g.dtype) if getattr(g, "dtype", None) is not None
                and g.dtype.is_floating else g, original(self, *a, **k))
        return larger

    saved, context.observation = context.observation, Observation()
    try:
        for name, original in originals.items():
            setattr(tape, name, scaled(original))
        try:
            again = _numbers_of(_run_student_code(fn, args))
        except BaseException:  # noqa: BLE001 - it failed: no evidence either way
            return False
    finally:
        for name, original in originals.items():
            setattr(tape, name, original)
        context.observation = saved
    return again is not None and again.shape == before.shape and bool(np.array_equal(again, before))


def _frozen(answer: object, depth: int = 0) -> object:
    """A value answer turned into plain data before the check computes anything.

    An object answer runs its own code when it is converted (``numpy()``, ``__array__``,
    ``__float__``): converted here, that code finds no expected value on the call stack.
    """
    if isinstance(answer, (list, tuple)) and depth < 6:
        items = [_frozen(v, depth + 1) for v in answer]
        return tuple(items) if isinstance(answer, tuple) else items
    if isinstance(answer, (str, bytes, bool, int, float, complex, set, frozenset, dict, np.generic)) \
            or answer is None or answer is Ellipsis or (callable(answer) and not hasattr(answer, "numpy")):
        return answer
    if isinstance(answer, np.ndarray) and answer.dtype != object:
        return answer.copy()
    try:
        return np.asarray(_to_plain(answer))
    except Exception:  # noqa: BLE001 - left as it is: answer_problem will name what is wrong
        return answer


def _error_feedback(error: Exception, answer: object) -> Feedback:
    try:
        problem = None if callable(answer) else answer_problem(answer)
    except Exception:  # noqa: BLE001 - answer_problem should not raise; be sure
        problem = None
    if problem is not None:
        return problem
    if isinstance(error, OverflowError):
        return _too_large(answer, "your answer")
    return wrong(f"the check could not use your answer: {type(error).__name__}: {_first_line(error)}")


_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
