"""Small helpers the exercise catalogs share: a float32 constant, a tape-gradient comparison,
and short descriptions of test arguments for feedback messages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab._tf import tf
from gradlab.calculus import FunctionError, GradientError, derivative
from gradlab.exercises.checks import (
    Feedback,
    call_attempt,
    check_value,
    correct,
    wrong,
)

__all__ = ["described", "f32", "short_array", "tape_gradient_matches"]


def f32(value: float):
    return tf.constant(value, tf.float32)


def tape_gradient_matches(fn: object, reference_grad: Callable, points, what: str,
                           reference: Callable | None = None, value_points=()) -> Feedback:
    """fn must be differentiable by the tape, with the reference derivative at each point.

    With ``reference``, the values must match too, at ``points`` and ``value_points``:
    equal slopes alone let ``f + 42`` pass.
    """
    result, problem = call_attempt(fn, f32(points[0]), what=what)
    if problem is not None:
        return problem
    everywhere = [*points, *value_points]
    try:
        values, grad = derivative(fn, np.asarray(everywhere, np.float32))
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate {what}: {error}")
    if reference is not None:
        shown = ", ".join(f"{p:g}" for p in everywhere)
        feedback = check_value(values, [reference(p) for p in everywhere], f"{what} at x = {shown}",
                               amounts=True)
        if not feedback:
            return feedback
    feedback = check_value(np.asarray(grad)[: len(points)], [reference_grad(p) for p in points],
                           f"the tape's derivative of {what}")
    if not feedback:
        return feedback
    # Said without the (random) points, so a saved notebook's output is reproducible.
    return correct(f"the tape differentiates {what}, and its derivative is right at all {len(points)} "
                   "test points.")


def described(args: tuple) -> str:
    return ", ".join(f"{float(np.asarray(a)):.4g}" if np.size(a) == 1 else short_array(a) for a in args)


def short_array(value: object) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in np.asarray(value, dtype=float).ravel()[:4]) + \
        (", ...]" if np.size(value) > 4 else "]")
