"""Derivatives with TensorFlow's tape, and the numeric checks that keep them honest.

Every function takes ``f`` as a plain Python callable written with TensorFlow operations
(``tf.sin``, ``*``, ``**``...) and returns NumPy values, so results print and plot directly.

This module is the public face; the machinery lives in private modules, one concern each:

- ``gradlab._calls``: calling f, the two error types, the messages for a bad result;
- ``gradlab._floats``: which float type f runs in (float32/float64 clashes, overflow);
- ``gradlab._escape``: detecting a value that left TensorFlow (``np.sin(x)`` inside f);
- ``gradlab._trace_cache``: when a compiled graph of f may be reused (:func:`state_key`);
- ``gradlab._numeric``: finite differences and :func:`check_gradient`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import numpy as np

from gradlab._calls import (
    Function,
    FunctionError,
    GradientError,
    call,
    check_elementwise,
    describe,
    explain_none,
    is_float_tensor,
    not_elementwise,
    to_numpy,
)
from gradlab._escape import changes_with as _changes_with
from gradlab._escape import leaves_tensorflow, left_tensorflow, no_gradient, not_a_tensor, part_left_tensorflow
from gradlab._floats import as_float_tensor, float32_by_default, float_retry, other, widened
from gradlab._numeric import GradientCheck, check_gradient, finite_difference, nonfinite_points
from gradlab._tf import tf
from gradlab._trace_cache import is_tracked, quiet_tracing, state_key
from gradlab._validate import check_grid_size, check_scalar

__all__ = [
    "FunctionError",
    "GradientCheck",
    "compiled_derivative",
    "GradientError",
    "check_gradient",
    "derivative",
    "finite_difference",
    "nonfinite_points",
    "nth_derivative",
    "partials",
    "tangent_line",
]

# Also imported from here by gradlab.descent and the explorers, as before the split:
# state_key, is_tracked, quiet_tracing, value_and_partials (not notebook-facing, so not above).


# --------------------------------------------------------------------------- derivatives


def derivative(f: Function, x: object) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of an elementwise function at every point of ``x``, with one tape.

    Parameters
    ----------
    f : callable
        ``f(x)`` written with TensorFlow operations, acting elementwise.
    x : float, list, ndarray or tensor
        Points to evaluate at. Integers are promoted to floats (an integer tensor would
        silently get no gradient). f runs in x's float type, or in the other one if f holds
        a constant of that type (``tf.constant(3.0)`` is float32, NumPy grids are float64).
        Python numbers and lists become float32, TensorFlow's default; where that gives inf
        or NaN (``tf.exp`` at 100.0 passes float32's 3.4e38), f runs again in float64 and the
        float64 values are returned, as :func:`tangent_line` does. An array or tensor keeps
        its own type.

    Returns
    -------
    y, dy_dx : ndarray
        ``f(x)`` and ``f'(x)``, both of x's shape.

    Raises
    ------
    GradientError
        If TensorFlow gives no gradient; the message says why and how to fix it. A constant
        function that returns a plain number (``lambda x: 3.0``) is one such case: its
        derivative is 0, but the tape has no tensor to follow, and the message says so.
    FunctionError
        If f raises, returns a non-number, or returns a shape other than x's.

    Examples
    --------
    >>> y, dy = derivative(lambda x: x ** 3, 2.0)
    >>> float(y), float(dy)
    (8.0, 12.0)
    """
    x_t = as_float_tensor(x)

    def compute(dtype: tf.DType) -> tuple[np.ndarray, np.ndarray]:
        return _derivative(f, tf.cast(x_t, dtype))

    return widened(float32_by_default(x), x_t.dtype, float_retry(compute, x_t.dtype), compute)


def _derivative(f: Function, x_t: tf.Tensor) -> tuple[np.ndarray, np.ndarray]:
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = call(f, x_t)
    if not is_float_tensor(y):
        raise GradientError(not_a_tensor(f, [x_t], y))
    dy_dx = tape.gradient(y, x_t)
    if dy_dx is None:
        raise GradientError(no_gradient(f, [x_t], 0, y, "x"))
    check_elementwise(y, x_t, "derivative")
    if leaves_tensorflow(f, [x_t]):
        raise GradientError(part_left_tensorflow("x"))
    return to_numpy(y), to_numpy(dy_dx)


def compiled_derivative(f: Function) -> Callable[[object], tuple[np.ndarray, np.ndarray]]:
    """Like :func:`derivative`, but traced once into a TensorFlow graph and reused.

    Worth it when the same f is differentiated many times or on large arrays (a slider, a
    benchmark): graph mode fuses the operations and skips per-call Python overhead. If f
    cannot be traced (it uses NumPy, say), the call falls back to :func:`derivative`, whose
    error says what is wrong.

    A graph freezes the Python values f read when it was traced, so it is reused only while
    they are unchanged (:func:`state_key`): a global (``a = 4`` after
    ``f = lambda x: a * x``), a closure's variable, the object of a bound method
    (``p.a = 3.0`` for ``p.f``) or the attributes of a callable object all trace f anew. When
    f reads something whose changes cannot be watched (a random generator, a Keras model's
    state, a container of thousands of objects), no graph is kept: every call is an eager
    :func:`derivative`, slower but never stale.

    Parameters
    ----------
    f : callable
        ``f(x)`` written with TensorFlow operations, acting elementwise.

    Returns
    -------
    callable
        ``x -> (f(x), f'(x))`` with :func:`derivative`'s inputs, float policy and results.

    Examples
    --------
    >>> df = compiled_derivative(lambda x: x ** 3)
    >>> [float(v) for v in df(2.0)]
    [8.0, 12.0]
    """
    traced: dict[tuple, Callable] = {}

    def value_and_derivative(x: object) -> tuple[np.ndarray, np.ndarray]:
        x_t = as_float_tensor(x)
        if tf.config.functions_run_eagerly():
            # tf.function is switched off: the "graph" would run f eagerly, where NumPy inside
            # f works and the tape silently drops that part. The eager path checks for it.
            return derivative(f, x)
        key = state_key(f)
        if key not in traced:
            traced.clear()  # the old graph holds old values: drop it
            if not is_tracked(key):  # f's state cannot be watched: nothing may be reused
                return derivative(f, x)
            traced[key] = _trace_derivative(f)
        result = _run_compiled(traced[key], x_t)
        if result is None:
            return derivative(f, x)  # eager: the same result or a precise error message
        return widened(float32_by_default(x), x_t.dtype, result,
                       lambda dtype: derivative(f, tf.cast(x_t, dtype)))

    value_and_derivative.__wrapped__ = f  # type: ignore[attr-defined]
    return value_and_derivative


def _trace_derivative(f: Function) -> Callable:
    """A tf.function returning (f(x), f'(x)); traced at its first call."""

    # No AutoGraph: students' functions are straight-line tensor code, and AutoGraph warns
    # about every lambda whose source it cannot read.
    @tf.function(reduce_retracing=True, autograph=False)
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return y, tape.gradient(y, x)

    return run


def _run_compiled(run: Callable, x_t: tf.Tensor) -> tuple[np.ndarray, np.ndarray] | None:
    """``run`` in x's float type, else the other; None when the eager path must decide."""
    for dtype in (x_t.dtype, other(x_t.dtype)):
        try:
            with quiet_tracing():
                y, dy = run(tf.cast(x_t, dtype))
        except Exception:  # noqa: BLE001 - the eager path names the problem
            continue
        if dy is None or tuple(y.shape) != tuple(x_t.shape) or not y.dtype.is_floating:
            return None
        return to_numpy(y), to_numpy(dy)
    return None


def partials(f: Function, x: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value and both partial derivatives of ``f(x, y)``, elementwise, from one tape.

    ``x`` and ``y`` broadcast together (pass a meshgrid for a surface). A partial is zero
    where f does not use that variable; if f uses neither, that is a GradientError, and so
    is a variable that f uses outside TensorFlow (``np.sin(x) * y``), which the tape cannot
    see: that partial would otherwise read as a silent 0. The float policy is
    :func:`derivative`'s.

    Returns
    -------
    z, dz_dx, dz_dy : ndarray
        All of the broadcast shape of x and y.

    Examples
    --------
    >>> z, zx, zy = partials(lambda x, y: x * y ** 2, 3.0, 2.0)
    >>> float(z), float(zx), float(zy)
    (12.0, 4.0, 12.0)
    """
    return value_and_partials(f, x, y, "partials")


def value_and_partials(f: Function, x: object, y: object, who: str) -> tuple[np.ndarray, ...]:
    """:func:`partials` for the caller ``who``, named in the message for a non-elementwise f."""
    x_t, y_t = as_float_tensor(x), as_float_tensor(y)
    common = tf.float64 if tf.float64 in (x_t.dtype, y_t.dtype) else tf.float32
    try:
        shape = tf.broadcast_static_shape(x_t.shape, y_t.shape)
    except ValueError:
        raise FunctionError(
            f"x and y must have the same shape (or broadcast); got {tuple(x_t.shape)} and "
            f"{tuple(y_t.shape)}. Tip: x, y = np.meshgrid(xs, ys)"
        ) from None
    check_grid_size(int(np.prod(shape)))

    def compute(dtype: tf.DType) -> tuple[np.ndarray, ...]:
        return _partials(f, tf.broadcast_to(tf.cast(x_t, dtype), shape),
                         tf.broadcast_to(tf.cast(y_t, dtype), shape), who)

    by_default = float32_by_default(x) and float32_by_default(y)
    return widened(by_default, common, float_retry(compute, common), compute)


def _partials(f: Function, x_t: tf.Tensor, y_t: tf.Tensor, who: str):
    shape = tuple(x_t.shape)
    with tf.GradientTape() as tape:
        tape.watch([x_t, y_t])
        z = call(f, x_t, y_t)
    if not is_float_tensor(z):
        raise GradientError(not_a_tensor(f, [x_t, y_t], z, "x and y"))
    if tuple(z.shape) != shape:
        raise FunctionError(not_elementwise(who, tuple(z.shape), shape))
    grads = tape.gradient(z, [x_t, y_t])
    if grads[0] is None and grads[1] is None:
        for index, name in enumerate(("x", "y")):
            if _changes_with(f, [x_t, y_t], index):
                raise GradientError(left_tensorflow(name))
        raise GradientError(explain_none(z, "x or y"))
    for index, name in enumerate(("x", "y")):
        if grads[index] is None and _changes_with(f, [x_t, y_t], index):
            raise GradientError(left_tensorflow(name))
    if leaves_tensorflow(f, [x_t, y_t]):
        raise GradientError(part_left_tensorflow("x or y"))
    zeros = np.zeros(shape, dtype=z.dtype.as_numpy_dtype)
    return (to_numpy(z), *(zeros if g is None else to_numpy(g) for g in grads))


#: Highest order nth_derivative accepts at all. Every order adds a tape around all the lower
#: ones; x**3 at n = 200 takes 0.3 s, but the work per order depends on f (below).
MAX_ORDER = 100

#: Seconds nth_derivative may spend. The cost per order grows geometrically for most f:
#: measured for exp(sin(x)) at 1.0 on one core (bench: /tmp/h12_nth.py in the H12 report),
#: order 8 took 0.08 s, 9 0.1 s, 10 0.43 s, 11 1.5 s, 12 2.9 s (x2-3.5 per order), and
#: the issue measured n = 14 at 29 s / 1.3 GB and n = 16 at 329 s / 6.3 GB. So before each
#: order the next one's time is predicted from the last two, and the call stops with a
#: ValueError when the total would pass this budget, instead of exhausting a kernel.
ORDER_BUDGET_SECONDS = 5.0  # CPU seconds: a busy machine must not change the verdict


def nth_derivative(f: Function, x: object, n: int) -> np.ndarray:
    """The ``n``-th derivative of an elementwise ``f`` at ``x``, by nesting ``n`` tapes.

    ``n = 0`` gives ``f(x)`` itself. Inputs and float types as for :func:`derivative`
    (Python numbers that overflow float32 are redone in float64). Nested tapes grow with
    every order; a call that would
    take more than ``ORDER_BUDGET_SECONDS`` stops with a ValueError naming the order it
    reached (see the measurements beside that constant).

    Examples
    --------
    >>> [float(nth_derivative(lambda x: x ** 3, 2.0, n)) for n in range(5)]
    [8.0, 12.0, 12.0, 6.0, 0.0]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number 0, 1, 2, ...; got {n!r}")
    if n > MAX_ORDER:
        raise ValueError(
            f"n = {n} is too high: each order nests one more tape around all the lower ones, "
            f"and gradlab stops at n = {MAX_ORDER}. For high orders use a formula (sympy) or "
            "a Taylor series instead."
        )
    x_t = as_float_tensor(x)

    def compute(dtype: tf.DType) -> tf.Tensor:
        return _nested(f, tf.cast(x_t, dtype), int(n))

    result = widened(float32_by_default(x), x_t.dtype, float_retry(compute, x_t.dtype), compute)
    try:
        values = np.asarray(to_numpy(result), dtype=float)
        return np.broadcast_to(values, tuple(x_t.shape)).copy()
    except (TypeError, ValueError):
        got = (f"a {type(result).__name__} of {len(result)} values" if isinstance(result, (list, tuple))
               else f"shape {np.shape(result)}")
        raise FunctionError(
            f"f returned {got} for {describe(x_t)}; "
            "nth_derivative() needs f to act elementwise and return one tensor (one output per "
            "input point), e.g. lambda x: x ** 3, not a list such as [x, x ** 2]"
        ) from None


def _nested(f: Function, x: tf.Tensor, n: int) -> tf.Tensor:
    """The n-th derivative as a tensor: n tapes opened around f, then closed one per order.

    A loop rather than recursion, so a high order cannot hit Python's recursion limit.
    """
    with contextlib.ExitStack() as stack:
        tapes = [stack.enter_context(tf.GradientTape()) for _ in range(n)]
        for tape in tapes:
            tape.watch(x)
        value = call(f, x)
        if not isinstance(value, (tf.Tensor, tf.Variable)) or value.dtype.is_integer:
            if n == 0:
                return value
            raise GradientError(not_a_tensor(f, [x], value))
        if n == 0:
            check_elementwise(value, x, "nth_derivative")
        started, times = time.process_time(), []
        for order in range(1, n + 1):
            if len(times) >= 2:
                # Orders below a millisecond say nothing about growth (clock resolution, noise).
                growth = max(times[-1] / max(times[-2], 1e-3), 1.5)
                spent = time.process_time() - started
                if spent + times[-1] * growth > ORDER_BUDGET_SECONDS:
                    raise ValueError(
                        f"the derivative of order {order} would take more than "
                        f"{ORDER_BUDGET_SECONDS:g} s (order {order - 1} alone took "
                        f"{times[-1]:.2f} s, and each order costs about {growth:.1f}x the one "
                        f"before, with memory to match): ask for n <= {order - 1}, or use a "
                        "formula (sympy) for high orders."
                    )
            tick = time.process_time()
            lower = value
            value = tapes[n - order].gradient(lower, x)
            times.append(time.process_time() - tick)
            if value is None:
                if order == 1:
                    raise GradientError(no_gradient(f, [x], 0, lower, "x"))
                # The lower derivative no longer depends on x: it is constant, so this one is 0.
                value = tf.zeros_like(x)
            if order == 1:
                # A non-elementwise f ([x, x**2]) would silently give the sum of the derivatives.
                check_elementwise(lower, x, "nth_derivative")
                if leaves_tensorflow(f, [x]):
                    raise GradientError(part_left_tensorflow("x"))
    return value


def tangent_line(f: Function, x0: float) -> tuple[float, float]:
    """Slope and intercept of the tangent ``y = slope * x + intercept`` to f at ``x0``.

    Computed like :func:`derivative` (float32, and float64 where float32 overflows; float64
    from the start for |x0| >= 2**24, where float32 skips whole numbers). Raises ValueError
    where f or its slope is not finite at x0 (sqrt at 0, 1/x at 0) or too large for float64.

    Examples
    --------
    >>> tangent_line(lambda x: x ** 2, 3.0)
    (6.0, -9.0)
    """
    x0 = check_scalar(x0, "x0")
    # float32 cannot hold every whole number past 2**24: there, float64 from the start. Below,
    # derivative() itself moves to float64 where float32 overflows (exp(100)).
    y0, slope = (float(v) for v in derivative(f, np.float64(x0) if abs(x0) >= 2.0**24 else x0))
    if np.isinf(y0) or (np.isinf(slope) and abs(y0) > 1e30):
        raise ValueError(
            f"f overflows at x0 = {x0:g}: f(x0) = {y0:g} and f'(x0) = {slope:g} are too large for "
            "a float (float32 stops near 3.4e38, float64 near 1.8e308). Pick a smaller x0."
        )
    if not (np.isfinite(y0) and np.isfinite(slope)):
        raise ValueError(
            f"f has no tangent line at x0 = {x0:g}: f(x0) = {y0:g} and f'(x0) = {slope:g} "
            "(a vertical or undefined slope, as for sqrt or 1/x at 0). Pick another x0."
        )
    return slope, y0 - slope * x0
