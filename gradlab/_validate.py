"""Checks on arguments that students and teachers type by hand, with messages that say the fix."""

from __future__ import annotations

import math

import numpy as np

#: Largest grid (points) gradlab evaluates in one go: 4e7 float64 values is ~320 MB per array,
#: and a gradient needs several arrays. Beyond this, ask for fewer points instead of swapping.
MAX_GRID_POINTS = 40_000_000


def check_range(value: object, name: str = "x_range") -> tuple[float, float]:
    """Return ``(low, high)`` as floats, or raise ``ValueError`` saying what is wrong."""
    if isinstance(value, (str, bytes)):  # "03" would unpack into ("0", "3")
        raise ValueError(
            f"{name} must be a pair of numbers (low, high), e.g. (-5, 5), not the text {value!r}"
        )
    try:
        low, high = value  # type: ignore[misc]
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a pair of numbers (low, high), e.g. (-5, 5); got {value!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name} must have finite ends; got ({low}, {high})")
    if low == high:
        raise ValueError(f"{name} has zero length ({low}, {high}): give two different ends")
    if low > high:
        raise ValueError(f"{name} is reversed ({low}, {high}): write it as ({high}, {low})")
    return low, high


def check_count(n: object, name: str = "n", minimum: int = 2) -> int:
    """Return ``n`` as an int of at least ``minimum`` points."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number of points; got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {n}")
    return int(n)


def check_grid_size(points: int, what: str = "grid") -> None:
    """Refuse grids that would not fit comfortably in memory, before allocating them."""
    if points > MAX_GRID_POINTS:
        raise ValueError(
            f"a {what} of {points:,} points is too large to evaluate at once "
            f"(limit {MAX_GRID_POINTS:,}, about {points * 8 * 4 / 1e9:.1f} GB of float64 work "
            "arrays); use fewer points, e.g. n=200 per axis is plenty for a plot"
        )


def check_scalar(value: object, name: str) -> float:
    """Return ``value`` (a number, 0-d array or tensor) as a finite float."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise ValueError(f"{name} must be a single number; got {value!r}")
    try:
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a single number; got {value!r}") from None
    if array.size != 1:
        raise ValueError(f"{name} must be a single number; got an array of shape {array.shape}")
    result = float(array.reshape(()))
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite; got {result}")
    return result


def check_point(value: object, name: str = "point") -> tuple[float, float]:
    """Return ``(x, y)`` as two finite floats, or raise ``ValueError`` saying what is wrong."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:  # type: ignore[arg-type]
        raise ValueError(f"{name} must be a point (x, y) of two numbers, e.g. (0.5, -0.5); got {value!r}")
    x, y = value  # type: ignore[misc]
    return check_scalar(x, f"{name}'s x"), check_scalar(y, f"{name}'s y")


def check_int_range(value: object, name: str) -> tuple[int, int]:
    """Return ``(low, high)`` as two whole numbers with low < high."""
    low, high = check_range(value, name)
    if low != int(low) or high != int(high):
        raise ValueError(f"{name} must be two whole numbers (low, high), e.g. (-3, 6); got {value!r}")
    return int(low), int(high)


def check_function(f: object, name: str = "f", example: str = "lambda x: x ** 2") -> None:
    """Refuse anything that cannot be called, before any figure is built."""
    if not callable(f):
        raise ValueError(f"{name} must be a function such as `{example}`; got {f!r}")


def check_in_slider(value: float, low: float, high: float, name: str, where: str) -> float:
    """A start value must lie on its slider: say so instead of letting the slider clamp it."""
    if not low <= value <= high:
        raise ValueError(
            f"{name} = {value:g} is outside the slider's range [{low:g}, {high:g}] ({where}): "
            f"choose {name} inside it, or widen the range"
        )
    return value
