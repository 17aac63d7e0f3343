"""tangent_explorer: a slider for x0, and f, f' and the tangent line at x0."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_range
from gradlab.calculus import compiled_derivative, derivative
from gradlab.plots import mask_nonfinite
from gradlab.widgets.base import BlitFigure, Explorer, guarded, new_figure, slider


class TangentExplorer(Explorer):
    """See :func:`tangent_explorer`."""

    def __init__(self, f: Callable, x_range: tuple[float, float], x0: float, n: int):
        self.f = f
        self.value_and_slope = compiled_derivative(f)  # traced once: a move costs ~0.8 ms, not ~1.5
        self.x_range = low, high = check_range(x_range)
        xs = np.linspace(low, high, check_count(n))
        ys, dys = derivative(f, xs)  # the curves are computed once, not per move
        fig = new_figure()
        ax = fig.add_subplot()
        curve, _ = mask_nonfinite(ys)
        slope_curve, _ = mask_nonfinite(dys)
        ax.plot(xs, curve, color=style.FUNCTION, lw=style.LINEWIDTH, label="$f(x)$")
        ax.plot(xs, slope_curve, color=style.DERIVATIVE, ls="--", label="$f'(x)$")
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        both = np.ma.concatenate([curve.compressed(), slope_curve.compressed()])
        span = float(both.max() - both.min()) or 1.0
        ax.set_ylim(float(both.min()) - 0.1 * span, float(both.max()) + 0.1 * span)
        ax.set_xlim(low, high)
        ax.set_xlabel("$x$")
        (self.tangent,) = ax.plot([], [], color=style.TANGENT, lw=style.LINEWIDTH, label="tangent")
        (self.point,) = ax.plot([], [], "o", color=style.POINT, ms=7)
        (self.slope_point,) = ax.plot([], [], "o", color=style.DERIVATIVE, ms=6)
        ax.legend(loc="upper left", fontsize=8)
        self.axes = ax
        step = (high - low) / 500
        controls = {"x0": slider("$x_0$", x0, low, high, step, ".3f")}
        super().__init__(BlitFigure(fig, [self.tangent, self.point, self.slope_point]), controls)
        self.y0 = self.slope = float("nan")
        self.refresh()

    def update_artists(self) -> str:
        x0 = float(self.controls["x0"].value)
        self.tangent.set_data([], [])
        self.point.set_data([], [])
        self.slope_point.set_data([], [])
        y0, slope = guarded(lambda: self.value_and_slope(x0), f"f or f' at x0 = {x0:.3f}")
        self.y0, self.slope = float(y0), float(slope)
        low, high = self.x_range
        self.tangent.set_data([low, high], [self.slope * (low - x0) + self.y0,
                                            self.slope * (high - x0) + self.y0])
        self.point.set_data([x0], [self.y0])
        self.slope_point.set_data([x0], [self.slope])
        return (f"x<sub>0</sub> = {x0:.3f} &nbsp; f(x<sub>0</sub>) = {self.y0:.6f} &nbsp; "
                f"f′(x<sub>0</sub>) = {self.slope:.6f} &nbsp; tangent: "
                f"y = {self.slope:.4f}·(x − {x0:.3f}) + {self.y0:.4f}")

    def summary(self) -> str:
        x0 = float(self.controls["x0"].value)
        return f"tangent_explorer: x0 = {x0:.3f}, f(x0) = {self.y0:.6f}, f'(x0) = {self.slope:.6f}"


def tangent_explorer(
    f: Callable, x_range: tuple[float, float] = (-5.0, 5.0), x0: float | None = None, n: int = 400
) -> TangentExplorer:
    """Explore the tangent line of ``f`` with a slider for the point of tangency ``x0``.

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

    Examples
    --------
    >>> explorer = tangent_explorer(lambda x: x ** 2, (-3, 3), x0=1.0)
    >>> explorer.controls["x0"].value = 2.0
    >>> round(explorer.slope, 6)
    4.0
    """
    low, high = check_range(x_range)
    return TangentExplorer(f, (low, high), (low + high) / 2 if x0 is None else float(x0), n)
