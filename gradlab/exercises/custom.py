"""Teachers' own exercises, defined inside a notebook: ``gradlab.exercise("my.1", ...)``.

Nothing is written outside the running kernel, so an exercise defined in a notebook works
wherever the notebook runs (JupyterLab, a JupyterHub, Colab, nbgrader's autograder). The
answers are compared by the same checks as the built-in exercises
(:mod:`gradlab.exercises.checks`), so students get the same kind of feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gradlab import _integrity
from gradlab.exercises.checks import ATOL, RTOL, Feedback, check_function, check_value, current_rng, wrong
from gradlab.exercises.observe import Rules

__all__ = ["TeacherExercise", "exercise", "redefined", "teacher_exercise"]

KINDS = ("value", "function", "gradient")
METHODS = {None: None, "by hand": Rules(by_hand=True, helpers=False), "tape": Rules(tape=True, helpers=False)}
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REGISTRY: dict[str, TeacherExercise] = {}
#: key -> the fingerprint of every definition made in this kernel (see :func:`redefined`).
_DEFINITIONS: dict[str, list[str]] = {}


@dataclass(frozen=True)
class TeacherExercise:
    """An exercise a teacher defined in a notebook; ``check(answer)`` returns Feedback."""

    key: str
    kind: str
    what: str
    expected: object  # the value, or {input tuple: expected output} for function kinds
    inputs: tuple[tuple, ...]
    rtol: float
    atol: float
    hints: tuple[tuple[object, str], ...]
    reference: Callable | None = None  # for fresh points (function kinds)
    fresh: int = 0                     # how many fresh points each check adds
    rules: Rules | None = None         # the method the answer must use

    def check(self, answer: object) -> Feedback:
        if self.kind == "value":
            return check_value(answer, self.expected, self.what, self.rtol, self.atol, self.hints)
        expected = self._expected_with_fresh_points()
        points = tuple(expected)
        feedback = check_function(answer, lambda *args: expected[args], points, self.what,
                                  self.rtol, self.atol)
        if feedback.status == "wrong":
            for wrong_function, hint in self.hints:
                if check_function(answer, wrong_function, points, rtol=self.rtol, atol=self.atol):
                    return wrong(hint)
        return feedback

    def _expected_with_fresh_points(self) -> dict:
        """The teacher's points, then ``fresh`` points drawn in their span on every check.

        Fresh points (or the autograder's seeded ones) mean a table of answers at the
        teacher's points cannot pass. A point where the reference is not finite is skipped.
        """
        expected = dict(self.expected)  # type: ignore[call-overload]
        if not self.fresh or self.reference is None:
            return expected
        low, high = np.min(self.inputs, axis=0), np.max(self.inputs, axis=0)
        low, high = np.where(high > low, low, low - 1.0), np.where(high > low, high, high + 1.0)
        rng = current_rng()
        for _ in range(self.fresh):
            args = tuple(round(float(v), 3) for v in rng.uniform(low, high))
            try:
                want = (_tape_gradient(self.reference, args) if self.kind == "gradient"
                        else _numpy(self.reference(*args)))
                want = np.asarray(want, dtype=float)
            except Exception:  # noqa: BLE001 - a point the reference cannot take is skipped
                continue
            if want.size and np.all(np.isfinite(want)):
                expected.setdefault(args, want)
        return expected


def _as_args(point: object) -> tuple:
    """One test point as a tuple of floats; a ValueError addressed to the teacher otherwise."""
    if isinstance(point, np.ndarray):
        point = point.tolist()
    values = point if isinstance(point, (tuple, list)) else (point,)
    try:
        if not values or any(isinstance(v, (str, bytes, bool)) or v is None for v in values):
            raise TypeError
        args = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"each test point in inputs must be a number, or a tuple of numbers for a "
                         f"function of several variables; got {point!r}") from None
    if not all(np.isfinite(args)):
        raise ValueError(f"test point {point!r} is not finite: use ordinary numbers")
    return args


def _test_points(inputs: object) -> tuple[tuple, ...]:
    if isinstance(inputs, (str, bytes, Mapping)) or inputs is None or not hasattr(inputs, "__iter__"):
        raise ValueError(f"inputs must be a list of test points, e.g. inputs=[-1.0, 0.5, 2.0] or "
                         f"[(0.0, 1.0), (2.0, -1.0)] for two variables; got {inputs!r}")
    points = tuple(_as_args(p) for p in inputs)
    if len({len(p) for p in points}) > 1:
        raise ValueError(f"the test points in inputs have different numbers of values: {inputs!r}")
    return points


def _tolerance(value: object, name: str) -> float:
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise ValueError(f"{name} must be a number >= 0 such as 1e-3; got {value!r}")
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number >= 0 such as 1e-3; got {value!r}") from None
    if not (np.isfinite(result) and result >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return result


def _hint_pairs(hints: object, kind: str) -> tuple[tuple[object, str], ...]:
    shape = ("hints should be a dict {wrong answer: message} or a list of (wrong answer, message) "
             "pairs")
    if isinstance(hints, Mapping):
        pairs = tuple(hints.items())
    elif isinstance(hints, (str, bytes)) or not hasattr(hints, "__iter__"):
        raise ValueError(f"{shape}; got {hints!r}")
    else:
        pairs = tuple(hints)
        if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
            raise ValueError(f"{shape}; got {hints!r}")
    for wrong_answer, message in pairs:
        if not isinstance(message, str):
            raise ValueError(f"each hint should be a message (str); got {message!r}")
        if kind == "value":
            if callable(wrong_answer) or isinstance(wrong_answer, (str, bytes, bool)):
                raise ValueError(f"a 'value' exercise's hints are keyed by wrong numbers, e.g. "
                                 f"{{-12.0: 'mind the sign'}}; got the key {wrong_answer!r}")
            try:
                np.asarray(_numpy(wrong_answer), dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"a 'value' exercise's hints are keyed by wrong numbers; got the key "
                                 f"{wrong_answer!r}") from None
        elif not callable(wrong_answer):
            raise ValueError(f"a {kind!r} exercise's hints are keyed by wrong functions, e.g. "
                             f"{{lambda x: -tf.sin(x): 'check the sign'}}; got the key {wrong_answer!r}")
    return tuple((k, v) for k, v in pairs)


class _ImpossibleReference(ValueError):
    """A reference that is None, NaN or infinite: no answer could ever be right."""


def _finite(value: object, where: str) -> np.ndarray:
    if value is None:
        raise _ImpossibleReference(f"the reference is None {where} (a function without `return`?): give "
                         "the right answer as numbers, or a function that returns them")
    array = np.asarray(_numpy(value), dtype=float)
    if array.size == 0 or not np.all(np.isfinite(array)):
        shown = array.item() if array.size == 1 else array.tolist()
        raise _ImpossibleReference(f"the reference is {shown} {where}: the exercise would be impossible to "
                         "solve; give finite numbers (or a function that returns them)")
    return array


def _tape_gradient(f: Callable, args: tuple) -> object:
    """The tape's derivative (one variable) or partials (two) of the reference at ``args``."""
    from gradlab.calculus import derivative, partials

    if len(args) == 1:
        return float(derivative(f, args[0])[1])
    _, dx, dy = partials(f, args[0], args[1])
    return (float(dx), float(dy))


def exercise(
    key: str, reference: object, kind: str = "value", *, inputs: Sequence[object] = (),
    rtol: float = RTOL, atol: float = ATOL,
    hints: Mapping[object, str] | Sequence[tuple[object, str]] = (), what: str | None = None,
    fresh_points: int = 3, method: str | None = None,
) -> TeacherExercise:
    """Define (or redefine) an exercise that ``gradlab.check(key, answer)`` then checks.

    Parameters
    ----------
    key : str
        The exercise's name, e.g. ``"my.1"``; letters, digits, ``.``, ``_`` and ``-``.
        The built-in keys (``"02.3"``...) are taken.
    reference : object
        ``kind="value"``: the right answer (numbers, a list, an array or a tensor), or a
        function of no arguments that computes it.
        ``kind="function"``: a function; the student's function must agree with it at ``inputs``.
        ``kind="gradient"``: a function ``f``; the student writes its derivative (one variable)
        or its gradient as a pair ``(df/dx, df/dy)`` (two variables) by hand, and it is compared
        with TensorFlow's tape on ``f`` at ``inputs``.
    kind : {"value", "function", "gradient"}, default="value"
    inputs : sequence
        The test points for the function kinds: numbers, or tuples for several arguments.
    rtol, atol : float
        Tolerances of the comparison (the defaults suit float32 arithmetic).
    hints : mapping or sequence of pairs
        Known wrong answers and what probably led to them: values for ``kind="value"``,
        functions for the function kinds, e.g. ``{lambda x: -tf.sin(x): "check the sign"}``.
    what : str, optional
        How the feedback names the answer (default "your answer" or "your function").
    fresh_points : int, default=3
        For the function kinds: points drawn afresh on every check (an autograder's hidden
        seed fixes them), inside the span of ``inputs``, besides ``inputs`` themselves. A
        table of answers at your points cannot pass. 0 checks ``inputs`` only.
    method : {"by hand", "tape", None}, optional
        The method the answer must use, checked on what it runs: "by hand" (no tape, no
        forward mode, no gradlab helper: the default for ``kind="gradient"``), "tape" (a
        ``tf.GradientTape`` in every call, no gradlab helper), or None (any).

    Returns
    -------
    TeacherExercise

    Examples
    --------
    >>> import gradlab
    >>> _ = gradlab.exercise("my.1", reference=12.0, hints={-12.0: "mind the sign"})
    >>> gradlab.check("my.1", -12)
    ❌ Not yet: mind the sign
    """
    key = str(key)
    if not _KEY.match(key):
        raise ValueError(f"exercise key {key!r} should be letters, digits, '.', '_' or '-', e.g. 'my.1'")
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {', '.join(map(repr, KINDS))}")
    if kind == "gradient" and method is None:
        method = "by hand"
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, METHODS))}")
    if isinstance(fresh_points, bool) or not isinstance(fresh_points, int) or not 0 <= fresh_points <= 20:
        raise ValueError(f"fresh_points must be a whole number from 0 to 20; got {fresh_points!r}")
    from gradlab.exercises.catalog import EXERCISES

    if key in EXERCISES:
        raise ValueError(f"{key!r} is a built-in gradlab exercise; give yours another key, e.g. 'my.1'")
    rtol, atol = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
    pairs = _hint_pairs(hints, kind)
    if kind == "value":
        if not (hasattr(inputs, "__len__") and len(inputs) == 0):
            raise ValueError("inputs are only for kind='function' or 'gradient'")
        try:
            value = reference() if callable(reference) else reference
        except Exception as error:
            raise ValueError(f"the reference function of exercise {key!r} raised "
                             f"{type(error).__name__}: {error}") from error
        if hasattr(value, "numpy"):
            value = value.numpy()
        if value is None:
            _finite(value, f"for exercise {key!r}")
        try:
            expected = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"the reference of a 'value' exercise must be numbers; got {value!r}") from None
        _finite(expected, f"for exercise {key!r}")
        made = TeacherExercise(key, kind, what or "your answer", expected, (), rtol, atol, pairs)
    else:
        if not callable(reference):
            raise ValueError(f"kind={kind!r} needs a reference function; got {reference!r}")
        points = _test_points(inputs)
        if not points:
            raise ValueError(f"kind={kind!r} needs test points, e.g. inputs=[-1.0, 0.5, 2.0]")
        if kind == "gradient" and any(len(args) not in (1, 2) for args in points):
            raise ValueError("a 'gradient' exercise takes functions of one or two variables; use "
                             "kind='function' with your own reference gradient for more")
        try:
            if kind == "function":
                expected = {args: _finite(reference(*args), f"at the test point {args!r} of exercise {key!r}")
                            for args in points}
            else:
                expected = {args: _tape_gradient(reference, args) for args in points}
        except _ImpossibleReference:
            raise
        except Exception as error:
            raise ValueError(f"the reference of exercise {key!r} failed on the test points: "
                             f"{type(error).__name__}: {error}") from error
        for args, want in expected.items():
            _finite(want, f"at the test point {args if len(args) > 1 else args[0]!r} of exercise {key!r}")
        for wrong_function, _ in pairs:
            for args in points:
                try:
                    np.asarray(_numpy(wrong_function(*args)), dtype=float)
                except Exception as error:
                    raise ValueError(f"the hint function {wrong_function!r} of exercise {key!r} "
                                     f"fails at the test point {args!r}: {type(error).__name__}: "
                                     f"{error}. Hint functions take the same arguments as the "
                                     "answer and must run on every test point") from error
        made = TeacherExercise(key, kind, what or "your function", expected, points, rtol, atol, pairs,
                               reference, fresh_points, METHODS[method])
    _REGISTRY[key] = made
    _DEFINITIONS.setdefault(key, []).append(_fingerprint(made))
    return made


def _fingerprint(made: TeacherExercise) -> str:
    """What makes two definitions the same exercise: re-running a cell repeats it exactly."""
    expected = made.expected
    if isinstance(expected, dict):
        expected = sorted((args, np.round(np.asarray(v, dtype=float), 10).tolist()) for args, v in expected.items())
    else:
        expected = np.round(np.asarray(expected, dtype=float), 10).tolist()
    return repr((made.kind, made.what, expected, made.inputs, made.rtol, made.atol,
                 [message for _, message in made.hints], made.fresh, made.rules))


def redefined(key: str) -> str | None:
    """Why exercise ``key`` cannot be graded in this kernel, or None.

    A teacher's exercise is defined in a locked cell. A later cell that defines the same key
    with another answer (``gradlab.exercise("rd.2", reference=lambda x: 0 * x, ...)``) would
    make any answer pass: grading refuses until the kernel is restarted and run from the top.
    Running the teacher's cell again changes nothing (same definition, same fingerprint).
    """
    prints = _DEFINITIONS.get(key, [])
    made = _REGISTRY.get(key)
    if len(set(prints)) > 1:
        return f"exercise {key!r} was defined again with another answer"
    if made is not None and (not prints or _fingerprint(made) != prints[-1]):
        return f"exercise {key!r} was changed after it was defined"
    return None


def _numpy(value: object) -> object:
    return value.numpy() if hasattr(value, "numpy") else value


def teacher_exercise(key: str) -> TeacherExercise | None:
    """The exercise defined in this session under ``key``, if any."""
    return _REGISTRY.get(str(key))


def teacher_keys() -> list[str]:
    return sorted(_REGISTRY)


_integrity.seal(__name__, mutable=("_REGISTRY", "_DEFINITIONS"))  # see gradlab._integrity
