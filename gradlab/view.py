"""What a picture may show: y-limits robust to poles, lines clipped as lines, bounded sizes.

Every figure gradlab draws (the helpers in :mod:`gradlab.plots`, both forms of the
explorers, the path player) takes these three rules from here:

* **Limits fit the values, not their poles.** :func:`robust_limits` spans every finite
  value unless a few of them (1/x near 0, tan near π/2) are far out of line with the rest;
  then it cuts the axis to the typical values and says so (:attr:`View.note`), so that
  the shape of every curve stays visible.
* **A line is clipped as a line.** :func:`clip_segments` cuts segments to a box
  (Liang–Barsky), so a tangent whose ends leave the axes keeps its slope. Clamping each
  end's coordinate on its own bends the line: that drew the power rule's tangent at
  n = 6, x = 3 near x ≈ 0.1 instead of x ≈ 2.5. :func:`svg_path` turns clipped polylines
  into SVG path data with a break wherever the line leaves the box.
* **Sizes are checked before anything is allocated.** :func:`check_at_most` refuses a
  count above a stated limit with a message giving the limit and what to change.

>>> view = robust_limits(np.r_[np.linspace(-1, 1, 50), 1e6])
>>> view.clipped, view.high < 10
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab._validate import check_count

__all__ = [
    "MAX_CURVE_POINTS", "View", "break_at_poles", "check_at_most", "check_curve_points", "clip_polygons",
    "clip_segments", "robust_limits", "svg_path",
]

#: Points on one plotted curve: far more than a screen's width of pixels, and ~1 MB a curve.
MAX_CURVE_POINTS = 100_000

#: A full range this many times wider than the middle 90% of the values marks poles (1/x on
#: (-1, 1) gives ~1400, tan on (-3, 3) ~40000; x⁶ with 6x⁵ on (-3, 3) 2.6, exp on (-10, 10) 2.7).
POLE_RATIO = 8.0
#: Where the axis is cut: this many interquartile ranges beyond the quartiles.
TYPICAL_REACH = 3.0


@dataclass(frozen=True)
class View:
    """Axis limits for a set of values, and whether some values lie beyond them.

    Attributes
    ----------
    low, high : float
        The limits to set (padded).
    clipped : bool
        True when some finite values lie outside ``[low, high]`` (poles).
    data_low, data_high : float
        The smallest and largest finite value.
    """

    low: float
    high: float
    clipped: bool
    data_low: float
    data_high: float

    @property
    def limits(self) -> tuple[float, float]:
        """``(low, high)``, ready for ``ax.set_ylim``."""
        return self.low, self.high

    @property
    def note(self) -> str:
        """A short sentence for the figure and its alt text; "" when nothing is cut."""
        if not self.clipped:
            return ""
        return (f"y-axis cut to typical values [{self.low:.3g}, {self.high:.3g}]; "
                f"values reach {self.data_low:.3g} to {self.data_high:.3g}")

    def contains(self, values: object) -> np.ndarray:
        """Which of ``values`` lie within the limits (NaN: False)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return (values >= self.low) & (values <= self.high)


def robust_limits(values: object, pad: float = 0.1, keep: object = ()) -> View:
    """Axis limits for the finite ``values``, cut to the typical ones when there are poles.

    Parameters
    ----------
    values : array-like
        Everything the axis should show (several curves may be concatenated).
    pad : float
        Margin on each side, as a fraction of the span.
    keep : array-like
        Values that must be inside the limits even when the rest is cut (e.g. the
        default state's loss curve).

    Returns
    -------
    View
        Limits, and whether values were cut (then ``view.note`` says so).

    Raises
    ------
    ValueError
        When no value is finite: there is nothing to fit.

    Examples
    --------
    >>> robust_limits([0.0, 1.0, 2.0]).limits
    (-0.2, 2.2)
    """
    array = np.asarray(values, dtype=float).ravel()
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        raise ValueError("no finite value to fit the axis to")
    data_low, data_high = float(finite.min()), float(finite.max())
    p5, q25, q75, p95 = (float(q) for q in np.percentile(finite, [5, 25, 75, 95]))
    iqr = q75 - q25
    low, high = data_low, data_high
    if iqr > 0 and data_high - data_low > POLE_RATIO * (p95 - p5):
        low = max(data_low, q25 - TYPICAL_REACH * iqr)
        high = min(data_high, q75 + TYPICAL_REACH * iqr)
    kept = np.asarray(keep, dtype=float).ravel()
    kept = kept[np.isfinite(kept)]
    if kept.size:
        low, high = min(low, float(kept.min())), max(high, float(kept.max()))
    clipped = low > data_low or high < data_high
    span = high - low or max(abs(high), 1.0)
    return View(low - pad * span, high + pad * span, clipped, data_low, data_high)


def break_at_poles(xs: object, ys: object, view: View) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)`` with a NaN between neighbours on opposite sides beyond ``view``'s limits.

    Sampled across a pole (1/x from -400 to +400) a curve is joined by a vertical line
    through the whole plot: an asymptote that is not part of the curve. The NaN breaks it.

    Examples
    --------
    >>> xs, ys = break_at_poles([-1, 1], [-400.0, 400.0], robust_limits([-1.0, 1.0]))
    >>> ys.tolist()
    [-400.0, nan, 400.0]
    """
    xs, ys = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
    with np.errstate(invalid="ignore"):
        above, below = ys > view.high, ys < view.low
    jumps = np.flatnonzero((above[:-1] & below[1:]) | (below[:-1] & above[1:])) + 1
    return np.insert(xs, jumps, np.nan), np.insert(ys, jumps, np.nan)


def clip_segments(x1, y1, x2, y2, box) -> tuple[np.ndarray, ...]:
    """Cut segments to a box (Liang–Barsky): the part inside, on the same straight line.

    Parameters
    ----------
    x1, y1, x2, y2 : array-like
        Segment ends (broadcast together).
    box : (x_low, x_high, y_low, y_high)
        The clipping rectangle.

    Returns
    -------
    x1, y1, x2, y2 : ndarray
        The visible part of each segment; NaN where none is visible or an end is not finite.

    Examples
    --------
    >>> [float(v) for v in clip_segments(-1.0, -1.0, 3.0, 3.0, (0, 1, 0, 2))]
    [0.0, 0.0, 1.0, 1.0]
    """
    x1, y1, x2, y2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x1, y1, x2, y2)))
    dx, dy = x2 - x1, y2 - y1
    t_in, t_out = np.zeros(x1.shape), np.ones(x1.shape)
    ok = np.isfinite(x1) & np.isfinite(y1) & np.isfinite(x2) & np.isfinite(y2)
    x_lo, x_hi, y_lo, y_hi = (float(v) for v in box)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Each edge: p·t <= q keeps the point at parameter t on its inner side.
        for p, q in ((-dx, x1 - x_lo), (dx, x_hi - x1), (-dy, y1 - y_lo), (dy, y_hi - y1)):
            parallel = p == 0
            ok &= ~(parallel & (q < 0))
            t = q / np.where(parallel, 1.0, p)
            t_in = np.where(~parallel & (p < 0), np.maximum(t_in, t), t_in)
            t_out = np.where(~parallel & (p > 0), np.minimum(t_out, t), t_out)
    ok &= t_in <= t_out
    nan = np.nan
    with np.errstate(invalid="ignore", over="ignore"):  # rows with an infinite end are NaN anyway
        return (np.where(ok, x1 + t_in * dx, nan), np.where(ok, y1 + t_in * dy, nan),
                np.where(ok, x1 + t_out * dx, nan), np.where(ok, y1 + t_out * dy, nan))


def clip_polygons(corners: object, box: tuple[float, ...], vertices: int = 10) -> np.ndarray:
    """Each convex polygon in ``corners`` (..., k, 3) cut to the box (x_lo, x_hi, y_lo, y_hi, z_lo, z_hi).

    A tangent plane drawn as a square round its point hung out of a 3-D plot's box at its
    edges, over tick labels and under the floor. Sutherland–Hodgman against the six faces;
    the result has ``vertices`` corners (the last repeated; a square cut by six planes has at
    most 10), NaN where nothing is left or the polygon was not finite.

    >>> square = np.array([[0, 0, 0], [2, 0, 0], [2, 2, 0], [0, 2, 0]], dtype=float)
    >>> clip_polygons(square, (0, 1, 0, 1, -1, 1), vertices=4)[:, :2].tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    """
    corners = np.asarray(corners, dtype=float)
    out = np.full(corners.shape[:-2] + (vertices, 3), np.nan)
    faces = [(axis, bound, sign) for axis in range(3) for bound, sign in ((box[2 * axis], 1), (box[2 * axis + 1], -1))]
    low, high = np.asarray(box[0::2], dtype=float), np.asarray(box[1::2], dtype=float)
    inside = ((corners >= low) & (corners <= high)).all(axis=(-1, -2))
    out[inside] = np.concatenate([corners, np.repeat(corners[..., -1:, :], vertices - corners.shape[-2], -2)],
                                 axis=-2)[inside]
    for index in zip(*np.nonzero(~inside), strict=True) if corners.ndim > 2 else ([()] if not inside else []):
        polygon = list(corners[index])
        if not np.isfinite(corners[index]).all():
            continue
        for axis, bound, sign in faces:  # keep sign * (p[axis] - bound) >= 0
            kept = []
            for a, b in zip(polygon, polygon[1:] + polygon[:1], strict=True):
                da, db = sign * (a[axis] - bound), sign * (b[axis] - bound)
                if da >= 0:
                    kept.append(a)
                if (da >= 0) != (db >= 0):
                    kept.append(a + (b - a) * (da / (da - db)))
            polygon = kept
            if not polygon:
                break
        if len(polygon) > vertices:
            raise ValueError(f"a polygon has {len(polygon)} corners once cut: pass vertices >= {len(polygon)}")
        if len(polygon) >= 3:
            out[index] = np.array(polygon + [polygon[-1]] * (vertices - len(polygon)))
    return out


def svg_path(px: np.ndarray, py: np.ndarray, box, digits: int = 1) -> str:
    """SVG path data for the polyline through pixels ``(px, py)``, clipped to ``box``.

    Non-finite points break the line; a segment that leaves the box ends on its edge and the
    line starts again (``M``) where it comes back. ``box`` is ``(x_low, x_high, y_low, y_high)``
    in the same pixels. Returns "" when nothing is visible.

    Examples
    --------
    >>> svg_path(np.array([0.0, 10, 20]), np.array([5.0, 5, 50]), (0, 100, 0, 10))
    'M0.0,5.0 L10.0,5.0 L11.1,10.0'
    """
    px, py = np.asarray(px, dtype=float).ravel(), np.asarray(py, dtype=float).ravel()
    a, b, c, d = clip_segments(px[:-1], py[:-1], px[1:], py[1:], box)
    parts: list[str] = []
    last = None
    for x1, y1, x2, y2 in zip(a, b, c, d, strict=True):
        if not np.isfinite(x1):
            last = None
            continue
        start, end = f"{x1:.{digits}f},{y1:.{digits}f}", f"{x2:.{digits}f},{y2:.{digits}f}"
        if start != last:
            parts.append("M" + start)
        if end != start:
            parts.append("L" + end)
        last = end
    return " ".join(parts)


def check_at_most(value: int, limit: int, what: str, fix: str) -> int:
    """Refuse ``value`` above ``limit`` before anything is allocated.

    Parameters
    ----------
    value : int
        The requested count (points, slider positions, steps).
    limit : int
        The largest count allowed.
    what : str
        What is counted, e.g. ``"n (points on the curve)"``.
    fix : str
        What to change, e.g. ``"use n=400"``.

    Examples
    --------
    >>> check_at_most(400, 100_000, "n", "use fewer points")
    400
    """
    if value > limit:
        raise ValueError(f"{what} = {value:,} is above the limit of {limit:,}: {fix}")
    return value


def check_curve_points(n: object, name: str = "n") -> int:
    """``n`` as a number of points on a plotted curve: a whole number from 2 to MAX_CURVE_POINTS.

    Examples
    --------
    >>> check_curve_points(400)
    400
    """
    return check_at_most(check_count(n, name), MAX_CURVE_POINTS, f"{name} (points on the curve)",
                         "a few hundred points already draw a smooth curve; use e.g. n=400")
