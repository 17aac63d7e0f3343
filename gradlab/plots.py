"""Matplotlib figures for functions, derivatives, tangents, surfaces and contours.

Each helper returns ``(fig, ax)`` and never calls ``plt.show()``: the notebook decides
when to show. Non-finite values (``x / y`` at ``y = 0``) are masked, and the axes say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gradlab import style
from gradlab._validate import check_count, check_grid_size, check_range, check_scalar
from gradlab.accessibility import NOTE_GID
from gradlab.calculus import derivative
from gradlab.view import View, break_at_poles, check_curve_points, robust_limits

__all__ = [
    "grid",
    "mask_nonfinite",
    "note_view",
    "plot_contour",
    "plot_curves",
    "plot_function_and_derivative",
    "plot_surface",
    "plot_tangent",
    "slope_where_defined",
    "typical_heights",
]


def grid(
    x_range: tuple[float, float], y_range: tuple[float, float], n: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """An ``n`` × ``n`` meshgrid over two ranges, checked for sense and size.

    >>> X, Y = grid((0, 6), (-6, 6), 30)
    >>> X.shape
    (30, 30)
    """
    (x0, x1), (y0, y1) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
    n = check_count(n)
    check_grid_size(n * n)
    return np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))


def mask_nonfinite(values: object) -> tuple[np.ma.MaskedArray, int]:
    """Values with NaN and ±inf masked out, and how many were masked."""
    masked = np.ma.masked_invalid(np.asarray(values, dtype=float))
    return masked, int(np.ma.count_masked(masked))


def _note_masked(ax: Axes, count: int) -> None:
    if count:
        write = getattr(ax, "text2D", ax.text)  # 3-D axes place fixed text with text2D
        write(
            0.99, 0.99, f"{count} non-finite value(s) not drawn", transform=ax.transAxes,
            fontsize=8, color="0.4", ha="right", va="top",
        )


#: A white backing for notes written over curves, so that they stay readable.
NOTE_BOX = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5}


def note_view(ax: Axes, view: View, what: str | None = None) -> None:
    """Say on the axes that the y-axis is cut to typical values (nothing when it is not).

    ``what`` names what was cut: "y-axis" by default, "heights" on 3-D axes; contour panels
    pass "heights".

    >>> fig, ax = plt.subplots()
    >>> note_view(ax, robust_limits(np.r_[np.linspace(-1, 1, 50), 1e6]))
    >>> ax.texts[0].get_text().startswith("y-axis cut")
    True
    >>> plt.close(fig)
    """
    if view.clipped:
        write = getattr(ax, "text2D", ax.text)  # 3-D axes place fixed text with text2D
        what = what or ("heights" if ax.name == "3d" else "y-axis")
        write(0.99, 0.01, view.note.replace("y-axis", what), transform=ax.transAxes, fontsize=7,
              color="0.35", ha="right", va="bottom", bbox=NOTE_BOX, gid=NOTE_GID)


def typical_heights(Z: object) -> tuple[np.ma.MaskedArray, View, int]:
    """``Z`` masked where it is not finite or far beyond its typical values (a pole), and why.

    Contours of ``x / y`` otherwise crowd round the pole and a surface is a flat sheet with
    one spike; cut, they show the shape, and :func:`note_view` says what was cut.

    Returns
    -------
    Zm : numpy.ma.MaskedArray
        The heights to draw.
    view : View
        Their limits (``view.clipped`` when a pole was cut).
    masked : int
        How many values were not finite.

    Examples
    --------
    >>> Zm, view, masked = typical_heights(np.r_[np.linspace(-1, 1, 50), 1e6, np.nan])
    >>> view.clipped, int(np.ma.count_masked(Zm)), masked
    (True, 2, 1)
    """
    Zm, masked = mask_nonfinite(Z)
    try:
        view = robust_limits(Zm.compressed())
    except ValueError:
        raise ValueError("no value of Z is a finite number (all NaN or infinite): choose a region "
                         "where the function is defined") from None
    if view.clipped:
        Zm = np.ma.masked_outside(Zm, view.low, view.high)
    return Zm, view, masked


def slope_where_defined(ys: object, dys: object) -> np.ndarray:
    """``dys`` with NaN wherever ``ys`` is not finite: f′ means nothing where f is undefined.

    TensorFlow's gradient of ``log`` at x < 0 is 1/x, a number, while log itself is NaN.

    >>> slope_where_defined([np.nan, 1.0], [2.0, 3.0]).tolist()
    [nan, 3.0]
    """
    ys, dys = np.broadcast_arrays(np.asarray(ys, dtype=float), np.asarray(dys, dtype=float))
    return np.where(np.isfinite(ys), dys, np.nan)


def _axes(ax: Axes | None, figsize=style.FIGSIZE, **kwargs) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = plt.figure(figsize=figsize)
    return fig, fig.add_subplot(**kwargs)


def plot_curves(
    x: object, curves: Mapping[str, object], ax: Axes | None = None, title: str | None = None
) -> tuple[Figure, Axes]:
    """Several curves over the same x, one legend entry each (labels may be LaTeX).

    >>> xs = np.linspace(0, 1, 5)
    >>> fig, ax = plot_curves(xs, {"$x^2$": xs ** 2})
    """
    x = np.asarray(x, dtype=float)
    ys = {label: np.broadcast_to(np.asarray(y, float), x.shape) for label, y in curves.items()}
    try:
        view = robust_limits(np.concatenate([y.ravel() for y in ys.values()] or [[np.nan]]))
    except ValueError:
        raise ValueError("no curve has a single finite value to draw (all NaN or infinite): "
                         "choose x where the functions are defined") from None
    fig, ax = _axes(ax)
    masked_total = 0
    for i, (label, y) in enumerate(ys.items()):
        y_masked, masked = mask_nonfinite(y)
        masked_total += masked
        # Across a pole the curve is broken, not joined by a vertical line through the plot.
        xb, yb = break_at_poles(x, y_masked.filled(np.nan), view) if view.clipped else (x, y_masked)
        ax.plot(xb, yb, label=label, color=f"C{i}", linewidth=style.LINEWIDTH)
    ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
    if view.clipped:  # poles (1/x, tan): fit the typical values, or every curve is a flat line
        ax.set_ylim(*view.limits)
        note_view(ax, view)
    ax.set_xlabel("$x$")
    ax.legend()
    if title:
        ax.set_title(title)
    _note_masked(ax, masked_total)
    return fig, ax


def plot_function_and_derivative(
    x: object, y: object, dy_dx: object, name: str = "f", ax: Axes | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """A function and its derivative on one axes, labelled ``f(x)`` and ``df/dx``.

    The derivative is not drawn where the function is not finite (log at x < 0).
    """
    return plot_curves(
        x, {f"${name}(x)$": y, rf"$\frac{{d{name}}}{{dx}}$": slope_where_defined(y, dy_dx)},
        ax=ax, title=title,
    )


def plot_tangent(
    f: Callable, x0: float, x_range: tuple[float, float] = (-5, 5), n: int = 200,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """f over ``x_range`` with its tangent line at ``x0`` in red, the point marked.

    The y-axis fits f (cut to typical values near a pole, and the figure says so).

    Raises
    ------
    ValueError
        If ``x0`` is not one number, if f is nowhere finite on ``x_range``, or if f or f′
        is not finite at ``x0`` (no tangent to draw): the message says what to change.

    Examples
    --------
    >>> import tensorflow as tf
    >>> fig, ax = plot_tangent(tf.sin, 1.0, (0, 3))
    >>> plt.close(fig)
    """
    low, high = check_range(x_range)
    x0 = check_scalar(x0, "x0")
    xs = np.linspace(low, high, check_curve_points(n))
    ys, _ = derivative(f, xs)
    curve, masked = mask_nonfinite(ys)
    if masked == curve.size:
        raise ValueError(f"f is not finite anywhere on x_range = ({low:g}, {high:g}) (every value is NaN "
                         "or infinite, as for sqrt or log of negative numbers): choose a range where f is defined")
    y0, slope = (float(np.asarray(v)) for v in derivative(f, x0))
    if not (np.isfinite(y0) and np.isfinite(slope)):
        raise ValueError(f"f(x0) = {y0} and f'(x0) = {slope} at x0 = {x0:g}: there is no tangent where f "
                         "or its derivative is not a finite number; choose x0 where f is defined")
    view = robust_limits(curve.compressed(), keep=[y0])
    fig, ax = _axes(ax)
    ax.plot(*break_at_poles(xs, curve.filled(np.nan), view), color=style.FUNCTION, linewidth=style.LINEWIDTH,
            label="$f(x)$")
    ax.plot(xs, slope * (xs - x0) + y0, color=style.TANGENT, label="tangent")
    ax.plot([x0], [y0], "o", color=style.POINT)
    ax.set_ylim(*view.limits)
    ax.set_xlabel("$x$")
    ax.set_title(rf"$x_0 = {x0:.3g}$, $f(x_0) = {y0:.4f}$, $f'(x_0) = {slope:.4f}$")
    ax.legend()
    _note_masked(ax, masked)
    note_view(ax, view)
    return fig, ax


def plot_surface(
    X: object, Y: object, Z: object, view: tuple[float, float] | None = None,
    kind: str = "surface", levels: int = 50, ax: Axes | None = None, title: str | None = None,
) -> tuple[Figure, Axes]:
    """A 3-D picture of ``Z`` over a meshgrid: a shaded ``surface`` or stacked ``contour3d``.

    ``view`` is ``(elevation, azimuth)`` in degrees, as in ``ax.view_init``.
    """
    if kind not in ("surface", "contour3d"):
        raise ValueError(f"kind must be 'surface' or 'contour3d'; got {kind!r}")
    Zm, heights, masked = typical_heights(Z)
    fig, ax = _axes(ax, figsize=style.FIGSIZE_3D, projection="3d")
    if kind == "surface":
        ax.plot_surface(X, Y, Zm, cmap=style.CMAP_SURFACE, edgecolor="none")
    else:
        ax.contour3D(X, Y, Zm, levels, cmap="binary")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    if view is not None:
        ax.view_init(*view)
        if abs(view[0]) == 90:  # looking straight down the z axis: its tick labels pile up
            ax.set_zticks([])
    if title:
        ax.set_title(title)
    _note_masked(ax, masked)
    if heights.clipped:
        ax.set_zlim(*heights.limits)
        note_view(ax, heights)
    return fig, ax


def _label_inside(ax: Axes, contours, margin: float = 0.06) -> None:
    """Label contour lines, dropping labels that would stick out of the axes.

    Matplotlib may place a label on a line's very end, half outside the frame. Labels are
    placed without cutting the lines, those near an edge are removed, and the rest get a
    white backing so they stay readable over their line.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for text in ax.clabel(contours, inline=False, fontsize=8, fmt="%.2f"):
        x, y = text.get_position()
        u, v = (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)
        if not (margin < u < 1 - margin and margin < v < 1 - margin):
            text.remove()
        else:
            text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.8})


def plot_contour(
    X: object, Y: object, Z: object, levels: int = 10, gradient: tuple | None = None,
    arrows: int = 12, ax: Axes | None = None, title: str | None = None,
) -> tuple[Figure, Axes]:
    """Labelled contour lines of ``Z``, with gradient arrows when ``gradient=(dZ_dx, dZ_dy)``.

    Arrows are drawn on an ``arrows`` × ``arrows`` subsample so they stay readable; they
    point uphill, across the contour lines.
    """
    Zm, view, masked = typical_heights(Z)  # no crowd of contour lines round a pole
    fig, ax = _axes(ax)
    contours = ax.contour(X, Y, Zm, levels, cmap=style.CMAP_CONTOUR)
    _label_inside(ax, contours)
    if gradient is not None:
        X, Y = np.asarray(X), np.asarray(Y)
        step = max(1, X.shape[0] // max(1, arrows))
        pick = (slice(None, None, step), slice(None, None, step))
        U, _ = mask_nonfinite(np.asarray(gradient[0])[pick])
        V, _ = mask_nonfinite(np.asarray(gradient[1])[pick])
        ax.quiver(X[pick], Y[pick], U, V, color="0.3", width=0.004)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)
    _note_masked(ax, masked)
    note_view(ax, view, "heights")
    return fig, ax
