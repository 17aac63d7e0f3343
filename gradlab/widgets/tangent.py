"""tangent_explorer: a slider for x0, and f, f' and the tangent line at x0."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import style
from gradlab._validate import check_function, check_in_slider, check_range, check_scalar
from gradlab.accessibility import NOTE_GID
from gradlab.calculus import compiled_derivative, derivative, state_key
from gradlab.plots import NOTE_BOX, slope_where_defined
from gradlab.view import break_at_poles, check_curve_points, robust_limits
from gradlab.widgets.base import BlitFigure, Explorer, finite_range, guarded, new_figure, slider


class TangentExplorer(Explorer):
    """See :func:`tangent_explorer`."""

    def __init__(self, f: Callable, x_range: tuple[float, float], x0: float, n: int):
        check_function(f)
        self.x_range = low, high = check_range(x_range)
        n = check_curve_points(n)  # before any allocation: n=2_000_000_000 is a message, not a MemoryError
        check_in_slider(x0, low, high, "x0", f"x_range = ({low:g}, {high:g})")
        self.f = f
        self.value_and_slope = compiled_derivative(f)  # traced once: a move costs ~0.8 ms, not ~1.5
        self.xs = np.linspace(low, high, n)
        fig = new_figure()
        ax = fig.add_subplot()
        self.curve, = ax.plot([], [], color=style.FUNCTION, lw=style.LINEWIDTH, label="$f(x)$")
        self.slope_curve, = ax.plot([], [], color=style.DERIVATIVE, ls="--", label="$f'(x)$")
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        self.view_note = ax.text(0.99, 0.01, "", transform=ax.transAxes, fontsize=7, color="0.35",
                                 ha="right", va="bottom", bbox=NOTE_BOX, gid=NOTE_GID)
        ax.set_xlim(low, high)
        ax.set_xlabel("$x$")
        self.axes = ax
        self._draw_curves()
        (self.tangent,) = ax.plot([], [], color=style.TANGENT, lw=style.LINEWIDTH, label="tangent")
        (self.point,) = ax.plot([], [], "o", color=style.POINT, ms=7)
        (self.slope_point,) = ax.plot([], [], "o", color=style.DERIVATIVE, ms=6)
        ax.legend(loc="upper left", fontsize=8, handlelength=4)  # one full dash-dot repeat
        controls = {"x0": slider("$x_0$", x0, low, high, (high - low) / 500, ".3f", name="x0")}
        super().__init__(BlitFigure(fig, [self.tangent, self.point, self.slope_point]), controls)
        self.y0 = self.slope = float("nan")
        self.refresh()

    def _draw_curves(self) -> None:
        """f and f' over the range: once, and again only if a value f reads has changed."""
        self.state = state_key(self.f)
        ys, dys = derivative(self.f, self.xs)  # the curves are computed once, not per move
        dys = slope_where_defined(ys, dys)  # no f' where f is undefined (log at x < 0)
        finite_range(ys, f"x_range = ({self.x_range[0]:g}, {self.x_range[1]:g})")
        # Fit both curves, cut to typical values near a pole (1/x, tan), and say so.
        self.view = robust_limits(np.concatenate([np.ravel(ys), np.ravel(dys)]))
        self.curve.set_data(*break_at_poles(self.xs, ys, self.view))
        self.slope_curve.set_data(*break_at_poles(self.xs, dys, self.view))
        self.axes.set_ylim(*self.view.limits)
        self.view_note.set_text(self.view.note)

    def update_artists(self) -> str:
        if state_key(self.f) != self.state:  # e.g. `a = 4` re-run after f = lambda x: a * x**2
            self._draw_curves()
            self.blit.invalidate()
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
        from gradlab.widgets.client import fixed, signed_term

        return (f"x<sub>0</sub> = {fixed(x0, 3)} &nbsp; f(x<sub>0</sub>) = {fixed(self.y0, 6)} &nbsp; "
                f"f′(x<sub>0</sub>) = {fixed(self.slope, 6)} &nbsp; tangent: "
                f"y = {fixed(self.slope, 4)}·(x − {fixed(x0, 3)}){signed_term(self.y0, 4)}")

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
    return TangentExplorer(f, (low, high), (low + high) / 2 if x0 is None else check_scalar(x0, "x0"), n)
