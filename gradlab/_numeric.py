"""Numeric checks on the tape: central finite differences, Richardson extrapolation with an
error estimate, and a tape-vs-numbers comparison.

Private to gradlab: :mod:`gradlab.calculus` re-exports :func:`finite_difference`,
:func:`check_gradient`, :class:`GradientCheck` and :func:`nonfinite_points`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab._calls import Function, FunctionError, call, to_numpy
from gradlab._floats import as_float_tensor, precise
from gradlab._tf import tf
from gradlab._validate import check_scalar


def _check_step(h: object) -> float:
    """h as a positive float that still moves x (the message says what a good h is)."""
    if isinstance(h, (bool, np.bool_)):
        raise ValueError(f"h must be a small positive number such as 1e-4; got {h!r} (a bool)")
    if isinstance(h, (str, bytes)):
        raise ValueError(f"h must be a number, not the string {h!r}: write h=1e-4 without quotes")
    h = check_scalar(h, "h")  # accepts numbers, 0-d arrays and tensors
    if h <= 0:
        raise ValueError(f"h must be a small positive number such as 1e-4; got {h!r}")
    return h


def _default_step(dtype: tf.DType) -> float:
    """eps^(1/3) of dtype: the step that balances truncation (~h²) against rounding (~eps/h)."""
    return float(np.cbrt(np.finfo(dtype.as_numpy_dtype).eps))


def _central(f: Function, x64: np.ndarray, step: np.ndarray | float, dtype: tf.DType,
             h: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One central difference ``(f(x + step) − f(x − step)) / taken step`` in ``dtype``.

    Parameters
    ----------
    f : callable
        The elementwise function.
    x64 : ndarray
        The points, in float64.
    step : float or ndarray
        The step, one for all points or one per point.
    dtype : tf.DType
        The float type f runs in.
    h : float or None
        The step the caller chose (only named in the messages), None for a default one.

    Returns
    -------
    (ndarray, ndarray)
        The estimates, and max(|f(x + step)|, |f(x − step)|) for a rounding-error estimate.
    """
    eps = np.finfo(dtype.as_numpy_dtype).eps
    good = f"around {np.cbrt(eps):.0e} times |x| (or leave h out)"
    # Divide by the step actually taken once x ± h is rounded to dtype, not the nominal 2h.
    with np.errstate(over="ignore", invalid="ignore"):
        hi, lo = (tf.constant(x64 + step, dtype), tf.constant(x64 - step, dtype))
        taken = hi.numpy().astype(np.float64) - lo.numpy().astype(np.float64)
    if np.all(np.isfinite(x64)) and not np.all(np.isfinite(taken)):
        raise ValueError(f"h = {h if h is not None else np.max(step):g} is too large: x ± h is not a "
                         f"finite {dtype.name} number. Use a small step, {good}.")
    if np.any(taken == 0):
        raise ValueError(
            f"h = {h if h is not None else np.min(step):g} is too small: x + h rounds back to x in "
            f"{dtype.name} (it keeps about {int(-np.log10(eps))} digits), so the difference would "
            f"be 0/0. Use h {good}."
        )
    f_hi, f_lo = (to_numpy(call(f, t)).astype(np.float64) for t in (hi, lo))
    if f_hi.shape != x64.shape:
        raise FunctionError(
            f"f returned shape {f_hi.shape} for x of shape {x64.shape}; finite_difference() "
            "needs f to act elementwise (one output per input point), so that each output "
            "moves only with its own x. For a sum or other reduction, nudge one x at a time."
        )
    with np.errstate(invalid="ignore", over="ignore"):
        return (f_hi - f_lo) / taken, np.maximum(np.abs(f_hi), np.abs(f_lo))


def finite_difference(f: Function, x: object, h: float | None = None) -> np.ndarray:
    """Central-difference estimate ``(f(x + h) - f(x - h)) / 2h`` of an elementwise derivative.

    The default step balances truncation error (~h²) against rounding error (~eps/h):
    h = eps^(1/3) · max(1, |x|), about 6e-6 in float64 (5e-3 if f only runs in float32).
    A step so small that ``x + h`` rounds back to ``x`` is a ValueError, not a NaN.

    Examples
    --------
    >>> round(float(finite_difference(lambda x: x ** 3, 2.0)), 6)
    12.0
    """
    x64 = np.asarray(as_float_tensor(x).numpy(), dtype=np.float64)
    if h is not None:
        h = _check_step(h)

    def central(dtype: tf.DType) -> np.ndarray:
        step = h if h is not None else _default_step(dtype) * np.maximum(1.0, np.abs(x64))
        return _central(f, x64, step, dtype, h)[0]

    return precise(central)


def _ladder(x64: np.ndarray, dtype: tf.DType) -> tuple[np.ndarray, np.ndarray]:
    """Steps for :func:`richardson`: eps^(1/3)·max(1, |x|), halved down to a floor.

    The floor is eps^(1/3)·|x| clipped to [1e-4, 1] (a function like log varies on the
    scale |x| near 0), or 4 float spacings of x if that is larger (x ± h must move).
    Returns the steps, shape (rungs, points), and how many rungs each point uses (at least
    3); past its own last rung a point repeats it.
    """
    start = _default_step(dtype) * np.maximum(1.0, np.abs(x64))
    spacing = np.spacing(np.abs(x64).astype(dtype.as_numpy_dtype)).astype(np.float64)
    floor = np.maximum(_default_step(dtype) * np.clip(np.abs(x64), 1e-4, 1.0), 4 * spacing)
    with np.errstate(invalid="ignore", divide="ignore"):
        halvings = np.ceil(np.log2(start / floor))
    used = np.maximum(3, 1 + np.where(np.isfinite(halvings), halvings, 0)).astype(int)
    k = np.arange(used.max())[:, None]
    return start * 2.0 ** -np.minimum(k, used - 1), used


def richardson(f: Function, x64: np.ndarray, dtype: tf.DType) -> tuple[np.ndarray, np.ndarray]:
    """A finite-difference derivative with its own error estimate, at each point of x64.

    Central differences D(h) on a ladder of halving steps (:func:`_ladder`). For three
    neighbours h, h/2, h/4, Richardson's combination D(h/4) + (D(h/4) − D(h/2))/3 cancels
    the h² error term; its error estimate is how far the three still differ plus the
    rounding error 2·eps·|f|/(h/4). Starting from the smallest steps (rounding-bound), each
    point moves to larger steps while the estimate keeps falling, and stops before the first
    rise: it keeps the triple with the smallest estimate met on the way up, not the smallest
    of the whole ladder. (Far larger steps can look consistent by accident: on sin(x) at
    x = 1e12 every D(h) with h ≫ 1 is about 0.) The choice looks only at the differences
    themselves, never at a tape.

    Returns
    -------
    (ndarray, ndarray)
        The estimates and their error estimates (inf where no triple was finite).
    """
    steps, used = _ladder(x64, dtype)
    eps = np.finfo(dtype.as_numpy_dtype).eps
    rungs = [_central(f, x64, step, dtype) for step in steps]
    d = np.array([r[0] for r in rungs])
    size = np.array([r[1] for r in rungs])
    with np.errstate(invalid="ignore", over="ignore"):
        spread = np.maximum(np.abs(d[:-2] - d[1:-1]), np.abs(d[1:-1] - d[2:]))
        rounding = 2 * eps * np.maximum.reduce([size[:-2], size[1:-1], size[2:]]) / steps[2:]
        error = spread + rounding
        estimate = d[2:] + (d[2:] - d[1:-1]) / 3
    k = np.arange(len(steps) - 2)[:, None]
    error = np.where((k + 3 <= used) & np.isfinite(error) & np.isfinite(estimate), error, np.inf)
    pick = np.arange(x64.size)
    best = used - 3  # each point's smallest-step triple
    while True:
        larger = np.maximum(best - 1, 0)
        falls = (best > 0) & (error[larger, pick] < error[best, pick])
        if not falls.any():
            return estimate[best, pick], error[best, pick]
        best = np.where(falls, larger, best)


def nonfinite_points(x: object, *values: object) -> np.ndarray:
    """The points of ``x`` where any of ``values`` is NaN or infinite (empty if none)."""
    x_arr = np.asarray(x, dtype=float)
    bad = np.zeros(x_arr.shape, dtype=bool)
    for v in values:
        bad |= ~np.isfinite(np.broadcast_to(np.asarray(v, dtype=float), x_arr.shape))
    return x_arr[bad]


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradient`; truthy when the tape and finite differences agree.

    ``max_fd_error`` is the largest error estimate of the finite-difference reference (0 when
    the caller chose the step h), which the tolerance includes.
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_x: float
    nonfinite_x: tuple[float, ...]
    points: int
    max_fd_error: float = 0.0

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "agree" if self.ok else "DISAGREE"
        if len(self.nonfinite_x) == self.points:
            verdict = "cannot be compared (no point where both are finite)"
        text = (
            f"tape and finite differences {verdict} at {self.points} point(s): "
            f"max abs error {self.max_abs_error:.1e}, max rel error {self.max_rel_error:.1e} "
            f"(worst at x = {self.worst_x:.6g})"
        )
        if self.max_fd_error:
            text += f"; finite differences' own error ≤ {self.max_fd_error:.1e}"
        if self.nonfinite_x:
            shown = ", ".join(f"{v:.6g}" for v in self.nonfinite_x[:5])
            text += f"; not finite at x = {shown}" + (" ..." if len(self.nonfinite_x) > 5 else "")
        return text

    __repr__ = __str__


def check_gradient(
    f: Function, x: object, rtol: float = 1e-4, atol: float = 1e-6, h: float | None = None
) -> GradientCheck:
    """Compare the tape's derivative of ``f`` with a finite-difference estimate at ``x``.

    The reference is :func:`richardson`: central differences on a ladder of steps, the
    Richardson combination of three neighbouring steps, and an error estimate ``e``. From the
    smallest steps up, the three kept are the last before ``e`` rises again (the smallest ``e``
    met on the way up).
    A point agrees when |tape − reference| ≤ atol + rtol·|reference| + e. With ``h`` given,
    the reference is the plain central difference with that step and e = 0. Both are
    computed in float64 where f allows it. Points where either is NaN or infinite are
    reported in ``nonfinite_x`` and left out of the verdict.

    Parameters
    ----------
    f : callable
        An elementwise function of TensorFlow operations.
    x : number, list, array or tensor
        The points to check at.
    rtol, atol : float
        Relative and absolute tolerance, on top of the reference's own error estimate.
    h : float or None
        A step of your own for the central difference; None for the automatic ladder.

    Returns
    -------
    GradientCheck
        Truthy when every comparable point agrees.

    Examples
    --------
    >>> bool(check_gradient(lambda x: tf.sin(x) * x, [0.5, 1.0, 2.0]))
    True
    """
    x64 = np.asarray(as_float_tensor(x).numpy(), dtype=np.float64).reshape(-1)
    if x64.size == 0:
        raise ValueError("x is empty: give at least one point to check the gradient at")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if check_scalar(tol, name) < 0:
            raise ValueError(f"{name} must be zero or positive; got {tol!r}")
    from gradlab.calculus import derivative  # calculus re-exports this module: import late

    _, tape_grad = precise(lambda dtype: derivative(f, tf.constant(x64, dtype)))
    tape_grad = np.asarray(tape_grad, np.float64)
    if h is None:
        numeric, fd_error = precise(lambda dtype: richardson(f, x64, dtype))
        numeric = np.where(np.isfinite(fd_error), numeric, np.nan)  # no trustworthy estimate
    else:
        numeric, fd_error = np.asarray(finite_difference(f, x64, h)), np.zeros_like(x64)
    return _verdict(x64, tape_grad, numeric, fd_error, rtol, atol)


def _verdict(x64: np.ndarray, tape_grad: np.ndarray, numeric: np.ndarray, fd_error: np.ndarray,
             rtol: float, atol: float) -> GradientCheck:
    """Compare tape and reference where both are finite; the rest is reported apart."""
    finite = np.isfinite(tape_grad) & np.isfinite(numeric)
    with np.errstate(invalid="ignore"):
        abs_err = np.where(finite, np.abs(tape_grad - numeric), 0.0)
    reference = np.where(finite, numeric, 0.0)
    rel_err = abs_err / np.maximum(np.abs(np.where(finite, numeric, 1.0)), 1e-12)
    allowed = atol + rtol * np.abs(reference) + np.where(finite, fd_error, 0.0)
    worst = int(np.argmax(abs_err)) if abs_err.size else 0
    # Non-finite points are reported apart and do not enter the verdict either way.
    return GradientCheck(
        ok=bool(np.any(finite)) and bool(np.all(abs_err <= allowed)),
        max_abs_error=float(abs_err.max(initial=0.0)),
        max_rel_error=float(np.where(finite, rel_err, 0.0).max(initial=0.0)),
        worst_x=float(x64[worst]),
        nonfinite_x=tuple(float(v) for v in x64[~finite]),
        points=int(x64.size),
        max_fd_error=float(np.where(finite, fd_error, 0.0).max(initial=0.0)),
    )
