"""The tangent explorer: a slider for x₀; f, f′ and the tangent line at x₀ (both forms).

:func:`tangent_description` says what is drawn; :func:`tangent_explorer` renders it in the
kernel, :func:`browser_tangent_explorer` in the browser.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_function, check_in_slider, check_range, check_scalar
from gradlab.calculus import compiled_derivative, derivative, state_key
from gradlab.plots import note_view, slope_where_defined
from gradlab.view import break_at_poles, check_at_most, check_curve_points, robust_limits
from gradlab.widgets.base import finite_range
from gradlab.widgets.scene import Control, Description, Dot, Line, Look, snap

__all__ = ["browser_tangent_explorer", "tangent_description", "tangent_explorer"]

#: Slider positions of the tangent explorer (~100 bytes of HTML each in the browser form).
MAX_TANGENT_STEPS = 10_000

#: Right of the axes: no tangent, however steep, crosses the legend (it did at small x₀ in 04).
LEGEND_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, "fontsize": 8,
                  "handlelength": 4}


def view_sentence(view, why: str = "near a pole") -> str:
    """The alt text's word on a cut y-axis ("" when nothing is cut)."""
    return f" The {view.note} ({why}), so that the curves' shapes stay visible." if view.clipped else ""


def tangent_description(
    f: Callable, x_range: tuple[float, float], x0: float | None, n: int = 400, steps: int = 400,
) -> Description:
    """What the tangent explorer draws: f and f′ (static), the tangent and two dots (moving).

    Parameters are those of :func:`tangent_explorer`; ``steps + 1`` slider positions.
    Sizes are checked before anything is computed.
    """
    check_function(f)
    low, high = check_range(x_range)
    n, steps = check_curve_points(n), check_count(steps, "steps", 1)
    check_at_most(steps, MAX_TANGENT_STEPS, "steps (slider positions, each sent to the browser)",
                  f"about {steps * 100 / 1e6:.0f} MB of HTML; 400 positions are smoother than a mouse can move")
    where = f"x_range = ({low:g}, {high:g})"
    x0 = (low + high) / 2 if x0 is None else check_in_slider(check_scalar(x0, "x0"), low, high, "x0", where)
    positions = np.linspace(low, high, steps + 1)
    start = snap(positions, x0)
    xs = np.linspace(low, high, n)
    ys, dys = derivative(f, xs)  # the curves, once
    dys = slope_where_defined(ys, dys)  # no f′ where f is undefined (log at x < 0)
    finite_range(ys, where)  # nowhere finite (sqrt on negative x): say so, not an empty plot
    view = robust_limits(np.concatenate([np.ravel(ys), np.ravel(dys)]))  # cut at poles, and say so
    value_and_slope = compiled_derivative(f)  # traced once per shape: a move costs ~1 ms
    margin = 0.02 * (high - low)  # a dot at either end of the slider stays whole, off the spine

    def draw_static(fig):
        ax = fig.add_subplot()
        # No vertical line joining -400 and +400 across a pole: it is not part of the curve.
        ax.plot(*break_at_poles(xs, ys, view), color=style.FUNCTION, lw=style.LINEWIDTH, ls=style.FUNCTION_LS,
                label="$f(x)$")
        ax.plot(*break_at_poles(xs, dys, view), color=style.DERIVATIVE, lw=style.LINEWIDTH,
                ls=style.DERIVATIVE_LS, label="$f'(x)$")
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.set(xlim=(low - margin, high + margin), ylim=view.limits, xlabel="$x$", ylabel="$y$")
        note_view(ax, view)
        return {"ax": ax}

    def compute(state):
        x = np.asarray(state["x0"], dtype=np.float64)
        y, slope = (np.asarray(v, dtype=float) for v in value_and_slope(x))
        slope = slope_where_defined(y, slope)
        with np.errstate(invalid="ignore", over="ignore"):
            ends = (low - margin, y + slope * (low - margin - x), high + margin, y + slope * (high + margin - x))
        defined = np.isfinite(y) & np.isfinite(slope)
        return {"y": y, "slope": slope, "tangent": tuple(np.where(defined, e, np.nan) for e in ends),
                "point": (x, np.where(defined, y, np.nan)), "slope_point": (x, np.where(defined, slope, np.nan))}

    return Description(
        "tangent", draw_static,
        [Control("x0", "x₀", positions, start, "{x0:3}")],
        [Line("tangent", "ax", Look(style.TANGENT, ls=style.TANGENT_LS), label="tangent"),
         Dot("point", "ax", Look(style.POINT, ms=8)),
         Dot("slope_point", "ax", Look(style.DERIVATIVE, ms=7, edge=style.POINT))],
        compute,
        readout=("x<sub>0</sub> = {x0:3} &nbsp; f(x<sub>0</sub>) = {y:6} &nbsp; "
                 "f′(x<sub>0</sub>) = <span class='slope-value'>{slope:6}</span> &nbsp; "
                 "tangent: y = {slope:4}·(x − {x0:3}){y:+4}"),
        undefined="<b style='color:#b00'>f or f′ is undefined at x<sub>0</sub> = {x0:3} "
                  "(not a finite number): move the slider</b>",
        alt=(f"Plot of f(x) (solid line) and its derivative f′(x) (dashed) for x from {low:g} to {high:g}, "
             "with the tangent line (dash-dot) touching f at the point x₀ chosen by the slider; "
             "a second dot marks f′(x₀), the tangent's slope." + view_sentence(view)),
        summary="tangent_explorer: x0 = {x0:3}, f(x0) = {y:6}, f'(x0) = {slope:6}",
        legends={"ax": LEGEND_OUTSIDE},
        key=lambda: state_key(f),
        function=f,
        rebuild=lambda _state: tangent_description(f, (low, high), x0, n, steps),
        aliases={"slope": "slope", "y0": "y"},
    )


def tangent_explorer(
    f: Callable, x_range: tuple[float, float] = (-5.0, 5.0), x0: float | None = None, n: int = 400,
    steps: int = 400,
):
    """Explore the tangent line of ``f`` with a slider for the point of tangency ``x0`` (kernel form).

    Parameters
    ----------
    f : callable
        Elementwise function written with TensorFlow operations.
    x_range : (float, float)
        Plotted interval, which is also the slider's range.
    x0 : float, optional
        Starting point (default: the middle of ``x_range``).
    n : int
        Points on the plotted curves, computed once.
    steps : int
        The slider moves in ``(high - low) / steps``.

    Returns
    -------
    KernelExplorer
        ``explorer.slope`` and ``explorer.y0`` are f′(x₀) and f(x₀) at the slider's value.

    Examples
    --------
    >>> explorer = tangent_explorer(lambda x: x ** 2, (-3, 3), x0=1.0)
    >>> explorer.controls["x0"].value = 2.0
    >>> round(explorer.slope, 6)
    4.0
    """
    from gradlab.widgets.kernel import render_kernel

    return render_kernel(tangent_description(f, x_range, x0, n, steps))


def browser_tangent_explorer(
    f: Callable, x_range: tuple[float, float] = (-5.0, 5.0), x0: float | None = None,
    n: int = 400, steps: int = 400,
):
    """Explore the tangent line of ``f`` in the browser: a slider for ``x0``, no kernel per move.

    Same parameters as :func:`tangent_explorer`; every one of the ``steps + 1`` slider
    positions is computed in one tape call. ``.kernel()`` gives the kernel form.

    Examples
    --------
    >>> explorer = browser_tangent_explorer(lambda x: x ** 2, (-3, 3), x0=1.0, steps=60)
    >>> float(explorer.array("slope")[40])  # f'(x) = 2x at x = -3 + 40 * 0.1 = 1.0
    2.0
    """
    from gradlab.widgets.svg import render_browser

    return render_browser(tangent_description(f, x_range, x0, n, steps))
