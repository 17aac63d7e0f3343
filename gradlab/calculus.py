"""Derivatives with TensorFlow's tape, and the numeric checks that keep them honest.

Every function takes ``f`` as a plain Python callable written with TensorFlow operations
(``tf.sin``, ``*``, ``**``...) and returns NumPy values, so results print and plot directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab._tf import tf
from gradlab._validate import check_grid_size, check_scalar

Function = Callable[..., object]

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


class GradientError(ValueError):
    """TensorFlow returned no gradient (``None``); the message names the likely cause and the fix."""


class FunctionError(ValueError):
    """Calling ``f`` failed, or it returned something that is not a numeric tensor."""


# --------------------------------------------------------------------------- inputs and calls


def _as_float_tensor(x: object) -> tf.Tensor:
    """Convert x to a floating tensor; integers are promoted (an int tensor gets no gradient)."""
    if isinstance(x, str) or x is None or x is Ellipsis:
        raise FunctionError(f"x must be a number, list, array or tensor; got {x!r}")
    if isinstance(x, tf.Variable):
        x = x.read_value()
    try:
        t = tf.convert_to_tensor(x)
    except (TypeError, ValueError) as error:
        raise FunctionError(f"x must be numeric; could not convert {x!r} to a tensor") from error
    if not t.dtype.is_floating:
        if not (t.dtype.is_integer or t.dtype == tf.bool):
            raise FunctionError(f"x must be numeric; got a tensor of dtype {t.dtype.name}")
        t = tf.cast(t, tf.float64 if isinstance(x, np.ndarray) else tf.float32)
    check_grid_size(int(np.prod(t.shape)), "set of input points")
    return t


def _describe(x: tf.Tensor) -> str:
    return f"x of shape {tuple(x.shape)} ({x.dtype.name})"


def _call(f: Function, *args: tf.Tensor) -> tf.Tensor:
    """Call f and insist on a numeric TensorFlow result; anything else gets a FunctionError."""
    if not callable(f):
        raise FunctionError(f"f must be a function such as `lambda x: x ** 2`; got {f!r}")
    try:
        y = f(*args)
    except Exception as error:
        raise FunctionError(
            f"calling f at {_describe(args[0])} raised {type(error).__name__}: {error}"
        ) from error
    if y is None or y is Ellipsis:
        raise FunctionError(f"f returned {y!r}: did it forget a `return`?")
    if isinstance(y, str):
        raise FunctionError(f"f returned the string {y!r}; it must return numbers")
    if isinstance(y, (tf.Tensor, tf.Variable)):
        if not (y.dtype.is_floating or y.dtype.is_integer or y.dtype == tf.bool):
            raise FunctionError(f"f returned a tensor of dtype {y.dtype.name}; it must be numeric")
    return y


def _explain_none(y: object, x: tf.Tensor, name: str = "x") -> str:
    """Why did TensorFlow give no gradient of y with respect to x? In a student's words."""
    if not isinstance(y, (tf.Tensor, tf.Variable)):
        kind = type(y).__name__
        return (
            f"no gradient: f returned a {kind}, not a TensorFlow tensor, so the value left "
            "TensorFlow (through NumPy, math or a Python float) and the tape lost track of it. "
            "Use tf.sin, tf.exp, ... instead of np.sin or math.sin, and do not call "
            ".numpy() or float() inside f."
        )
    if y.dtype.is_integer or y.dtype == tf.bool:
        return (
            f"no gradient: f returned integer values ({y.dtype.name}); gradients flow only "
            "through floating-point tensors. Remove the tf.cast to an integer type."
        )
    return (
        f"no gradient: the result of f does not depend on {name} as TensorFlow sees it. "
        f"Either f does not use {name}, or it used {name} through NumPy or Python "
        f"({name}.numpy(), float({name}), np.sin({name})) and converted back, or it passed "
        "through an operation with no gradient (tf.round, tf.floor, tf.argmax, a cast to int). "
        "If you are writing your own tape, also check that the input is watched: "
        "call tape.watch(x) for a tf.constant, or make it a tf.Variable."
    )


def _to_numpy(t: object) -> np.ndarray:
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


# --------------------------------------------------------------------------- derivatives


def derivative(f: Function, x: object) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of an elementwise function at every point of ``x``, with one tape.

    Parameters
    ----------
    f : callable
        ``f(x)`` written with TensorFlow operations, acting elementwise.
    x : float, list, ndarray or tensor
        Points to evaluate at. Integers are promoted to floats (an integer tensor would
        silently get no gradient).

    Returns
    -------
    y, dy_dx : ndarray
        ``f(x)`` and ``f'(x)``, both of x's shape.

    Raises
    ------
    GradientError
        If TensorFlow gives no gradient; the message says why and how to fix it.
    FunctionError
        If f raises, returns a non-number, or returns a shape other than x's.

    Examples
    --------
    >>> y, dy = derivative(lambda x: x ** 3, 2.0)
    >>> float(y), float(dy)
    (8.0, 12.0)
    """
    x_t = _as_float_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = _call(f, x_t)
    if not isinstance(y, (tf.Tensor, tf.Variable)) or y.dtype.is_integer:
        raise GradientError(_explain_none(y, x_t))
    dy_dx = tape.gradient(y, x_t)
    if dy_dx is None:
        raise GradientError(_explain_none(y, x_t))
    if tuple(y.shape) != tuple(x_t.shape):
        raise FunctionError(
            f"f returned shape {tuple(y.shape)} for {_describe(x_t)}; derivative() needs f to act "
            "elementwise (one output per input point). For a sum or other reduction, use "
            "tape.gradient directly, or gradlab.partials for two inputs."
        )
    return _to_numpy(y), _to_numpy(dy_dx)


def compiled_derivative(f: Function) -> Callable[[object], tuple[np.ndarray, np.ndarray]]:
    """Like :func:`derivative`, but traced once into a TensorFlow graph and reused.

    Worth it when the same f is differentiated many times or on large arrays (a slider, a
    benchmark): graph mode fuses the operations and skips per-call Python overhead. If f
    cannot be traced (it uses NumPy, say), the call falls back to :func:`derivative`, whose
    error says what is wrong.

    Examples
    --------
    >>> df = compiled_derivative(lambda x: x ** 3)
    >>> [float(v) for v in df(2.0)]
    [8.0, 12.0]
    """

    # No AutoGraph: students' functions are straight-line tensor code, and AutoGraph warns
    # about every lambda whose source it cannot read.
    @tf.function(reduce_retracing=True, autograph=False)
    def traced(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return y, tape.gradient(y, x)

    def value_and_derivative(x: object) -> tuple[np.ndarray, np.ndarray]:
        x_t = _as_float_tensor(x)
        try:
            y, dy = traced(x_t)
        except Exception:
            return derivative(f, x_t)  # eager, for a precise error message
        if tuple(y.shape) != tuple(x_t.shape):
            return derivative(f, x_t)
        return _to_numpy(y), _to_numpy(dy)

    return value_and_derivative


def partials(f: Function, x: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value and both partial derivatives of ``f(x, y)``, elementwise, from one tape.

    ``x`` and ``y`` broadcast together (pass a meshgrid for a surface). A partial is zero
    where f does not use that variable; if f uses neither, that is a GradientError.

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
    x_t, y_t = _as_float_tensor(x), _as_float_tensor(y)
    if x_t.dtype != y_t.dtype:
        common = tf.float64 if tf.float64 in (x_t.dtype, y_t.dtype) else tf.float32
        x_t, y_t = tf.cast(x_t, common), tf.cast(y_t, common)
    try:
        shape = tf.broadcast_static_shape(x_t.shape, y_t.shape)
    except ValueError:
        raise FunctionError(
            f"x and y must have the same shape (or broadcast); got {tuple(x_t.shape)} and "
            f"{tuple(y_t.shape)}. Tip: x, y = np.meshgrid(xs, ys)"
        ) from None
    check_grid_size(int(np.prod(shape)))
    x_t, y_t = tf.broadcast_to(x_t, shape), tf.broadcast_to(y_t, shape)
    with tf.GradientTape() as tape:
        tape.watch([x_t, y_t])
        z = _call(f, x_t, y_t)
    if not isinstance(z, (tf.Tensor, tf.Variable)) or z.dtype.is_integer:
        raise GradientError(_explain_none(z, x_t, "x and y"))
    dz_dx, dz_dy = tape.gradient(z, [x_t, y_t])
    if dz_dx is None and dz_dy is None:
        raise GradientError(_explain_none(z, x_t, "x or y"))
    if tuple(z.shape) != tuple(shape):
        raise FunctionError(
            f"f returned shape {tuple(z.shape)} for inputs of shape {tuple(shape)}; "
            "partials() needs f to act elementwise"
        )
    zeros = np.zeros(tuple(shape), dtype=z.dtype.as_numpy_dtype)
    return (
        _to_numpy(z),
        zeros if dz_dx is None else _to_numpy(dz_dx),
        zeros if dz_dy is None else _to_numpy(dz_dy),
    )


def _nested(f: Function, x: tf.Tensor, n: int) -> tf.Tensor:
    """The n-th derivative as a tensor, one tape per order, each tape watching the next."""
    if n == 0:
        return _call(f, x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        lower = _nested(f, x, n - 1)
    if not isinstance(lower, (tf.Tensor, tf.Variable)) or lower.dtype.is_integer:
        raise GradientError(_explain_none(lower, x))
    result = tape.gradient(lower, x)
    if result is None:
        if n == 1:
            raise GradientError(_explain_none(lower, x))
        # The (n-1)-th derivative no longer depends on x: it is constant, so this one is 0.
        return tf.zeros_like(x)
    return result


def nth_derivative(f: Function, x: object, n: int) -> np.ndarray:
    """The ``n``-th derivative of an elementwise ``f`` at ``x``, by nesting ``n`` tapes.

    ``n = 0`` gives ``f(x)`` itself.

    Examples
    --------
    >>> [float(nth_derivative(lambda x: x ** 3, 2.0, n)) for n in range(5)]
    [8.0, 12.0, 12.0, 6.0, 0.0]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number 0, 1, 2, ...; got {n!r}")
    x_t = _as_float_tensor(x)
    result = _nested(f, x_t, int(n))
    return np.broadcast_to(_to_numpy(result), tuple(x_t.shape)).copy()


def tangent_line(f: Function, x0: float) -> tuple[float, float]:
    """Slope and intercept of the tangent ``y = slope * x + intercept`` to f at ``x0``.

    Examples
    --------
    >>> tangent_line(lambda x: x ** 2, 3.0)
    (6.0, -9.0)
    """
    x0 = check_scalar(x0, "x0")
    y0, slope = derivative(f, x0)
    return float(slope), float(y0 - slope * x0)


# --------------------------------------------------------------------------- numeric checks


def _float32_only(error: Exception) -> bool:
    """Did f fail only because it mixes float32 constants with float64 input?"""
    cause = error.__cause__ if isinstance(error, FunctionError) else error
    return isinstance(cause, (tf.errors.InvalidArgumentError, TypeError))


def _precise(compute: Callable[[tf.DType], object]) -> object:
    """``compute(tf.float64)``, or ``compute(tf.float32)`` if f only runs in float32."""
    try:
        return compute(tf.float64)
    except (FunctionError, tf.errors.InvalidArgumentError, TypeError) as error:
        if not _float32_only(error):
            raise
        return compute(tf.float32)


def finite_difference(f: Function, x: object, h: float | None = None) -> np.ndarray:
    """Central-difference estimate ``(f(x + h) - f(x - h)) / 2h`` of an elementwise derivative.

    The default step balances truncation error (~h²) against rounding error (~eps/h):
    h = eps^(1/3) · max(1, |x|), about 6e-6 in float64 (5e-3 if f only runs in float32).

    Examples
    --------
    >>> round(float(finite_difference(lambda x: x ** 3, 2.0)), 6)
    12.0
    """
    x64 = np.asarray(_as_float_tensor(x).numpy(), dtype=np.float64)
    if h is not None and not (np.isscalar(h) and np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a small positive number such as 1e-4; got {h!r}")

    def central(dtype: tf.DType) -> np.ndarray:
        eps = np.finfo(dtype.as_numpy_dtype).eps
        step = h if h is not None else np.cbrt(eps) * np.maximum(1.0, np.abs(x64))
        # Divide by the step actually taken once x ± h is rounded to dtype, not the nominal 2h.
        hi, lo = (tf.constant(x64 + step, dtype), tf.constant(x64 - step, dtype))
        f_hi, f_lo = (_to_numpy(_call(f, t)).astype(np.float64) for t in (hi, lo))
        return (f_hi - f_lo) / (hi.numpy().astype(np.float64) - lo.numpy().astype(np.float64))

    return _precise(central)


def nonfinite_points(x: object, *values: object) -> np.ndarray:
    """The points of ``x`` where any of ``values`` is NaN or infinite (empty if none)."""
    x_arr = np.asarray(x, dtype=float)
    bad = np.zeros(x_arr.shape, dtype=bool)
    for v in values:
        bad |= ~np.isfinite(np.broadcast_to(np.asarray(v, dtype=float), x_arr.shape))
    return x_arr[bad]


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradient`; truthy when the tape and finite differences agree."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_x: float
    nonfinite_x: tuple[float, ...]
    points: int

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "agree" if self.ok else "DISAGREE"
        text = (
            f"tape and finite differences {verdict} at {self.points} point(s): "
            f"max abs error {self.max_abs_error:.1e}, max rel error {self.max_rel_error:.1e} "
            f"(worst at x = {self.worst_x:.6g})"
        )
        if self.nonfinite_x:
            shown = ", ".join(f"{v:.6g}" for v in self.nonfinite_x[:5])
            text += f"; not finite at x = {shown}" + (" ..." if len(self.nonfinite_x) > 5 else "")
        return text

    __repr__ = __str__


def check_gradient(
    f: Function, x: object, rtol: float = 1e-4, atol: float = 1e-6, h: float | None = None
) -> GradientCheck:
    """Compare the tape's derivative of ``f`` with central finite differences at ``x``.

    Both are computed in float64 where f allows it. Points where either is NaN or infinite
    are reported in ``nonfinite_x`` and left out of the error.

    Examples
    --------
    >>> bool(check_gradient(lambda x: tf.sin(x) * x, [0.5, 1.0, 2.0]))
    True
    """
    x64 = np.atleast_1d(np.asarray(_as_float_tensor(x).numpy(), dtype=np.float64))
    _, tape_grad = _precise(lambda dtype: derivative(f, tf.constant(x64, dtype)))
    numeric = finite_difference(f, x64, h)
    tape_grad = np.asarray(tape_grad, np.float64)
    finite = np.isfinite(tape_grad) & np.isfinite(numeric)
    abs_err = np.where(finite, np.abs(tape_grad - numeric), 0.0)
    rel_err = abs_err / np.maximum(np.abs(numeric), 1e-12)
    worst = int(np.argmax(abs_err)) if abs_err.size else 0
    ok = bool(np.all(abs_err <= atol + rtol * np.abs(numeric)))
    return GradientCheck(
        ok=ok,
        max_abs_error=float(abs_err.max(initial=0.0)),
        max_rel_error=float(np.where(finite, rel_err, 0.0).max(initial=0.0)),
        worst_x=float(x64[worst]),
        nonfinite_x=tuple(float(v) for v in x64[~finite]),
        points=int(x64.size),
    )
