"""Numeric checks on the tape: central finite differences and a tape-vs-numbers comparison.

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
        eps = np.finfo(dtype.as_numpy_dtype).eps
        step = h if h is not None else np.cbrt(eps) * np.maximum(1.0, np.abs(x64))
        # Divide by the step actually taken once x ± h is rounded to dtype, not the nominal 2h.
        with np.errstate(over="ignore", invalid="ignore"):
            hi, lo = (tf.constant(x64 + step, dtype), tf.constant(x64 - step, dtype))
            taken = hi.numpy().astype(np.float64) - lo.numpy().astype(np.float64)
        if np.all(np.isfinite(x64)) and not np.all(np.isfinite(taken)):
            raise ValueError(
                f"h = {h:g} is too large: x ± h is not a finite {dtype.name} number. Use a small "
                f"step, around {np.cbrt(eps):.0e} times |x| (or leave h out)."
            )
        if np.any(taken == 0):
            raise ValueError(
                f"h = {h:g} is too small: x + h rounds back to x in {dtype.name} (it keeps about "
                f"{int(-np.log10(eps))} digits), so the difference would be 0/0. Use h around "
                f"{np.cbrt(eps):.0e} times |x|."
            )
        f_hi, f_lo = (to_numpy(call(f, t)).astype(np.float64) for t in (hi, lo))
        if f_hi.shape != x64.shape:
            raise FunctionError(
                f"f returned shape {f_hi.shape} for x of shape {x64.shape}; finite_difference() "
                "needs f to act elementwise (one output per input point), so that each output "
                "moves only with its own x. For a sum or other reduction, nudge one x at a time."
            )
        with np.errstate(invalid="ignore", over="ignore"):
            return (f_hi - f_lo) / taken

    return precise(central)


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
        if len(self.nonfinite_x) == self.points:
            verdict = "cannot be compared (no point where both are finite)"
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
    x64 = np.asarray(as_float_tensor(x).numpy(), dtype=np.float64).reshape(-1)
    if x64.size == 0:
        raise ValueError("x is empty: give at least one point to check the gradient at")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if check_scalar(tol, name) < 0:
            raise ValueError(f"{name} must be zero or positive; got {tol!r}")
    from gradlab.calculus import derivative  # calculus re-exports this module: import late

    _, tape_grad = precise(lambda dtype: derivative(f, tf.constant(x64, dtype)))
    numeric = finite_difference(f, x64, h)
    tape_grad = np.asarray(tape_grad, np.float64)
    if h is None and np.any(np.abs(x64) > 1):
        # The default step grows with |x| (6 at x = 1e6), too coarse for sin(x) out there. A
        # fixed small step is a second honest estimate; use it where it is the closer one.
        try:
            small = np.asarray(finite_difference(f, x64, float(np.cbrt(np.finfo(np.float64).eps))))
        except (ValueError, FunctionError):  # x + h rounds back to x: only the default step works
            small = numeric
        with np.errstate(invalid="ignore"):
            closer = (np.abs(x64) > 1) & (np.abs(small - tape_grad) < np.abs(numeric - tape_grad))
        numeric = np.where(closer, small, numeric)
    finite = np.isfinite(tape_grad) & np.isfinite(numeric)
    with np.errstate(invalid="ignore"):
        abs_err = np.where(finite, np.abs(tape_grad - numeric), 0.0)
    rel_err = abs_err / np.maximum(np.abs(np.where(finite, numeric, 1.0)), 1e-12)
    worst = int(np.argmax(abs_err)) if abs_err.size else 0
    # Non-finite points are reported apart and do not enter the verdict either way.
    ok = bool(np.any(finite)) and bool(np.all(abs_err <= atol + rtol * np.abs(np.where(finite, numeric, 0.0))))
    return GradientCheck(
        ok=ok,
        max_abs_error=float(abs_err.max(initial=0.0)),
        max_rel_error=float(np.where(finite, rel_err, 0.0).max(initial=0.0)),
        worst_x=float(x64[worst]),
        nonfinite_x=tuple(float(v) for v in x64[~finite]),
        points=int(x64.size),
    )
