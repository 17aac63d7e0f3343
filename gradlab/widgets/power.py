"""power_rule_explorer: sliders for n and x; the tape's derivative of xⁿ beside n·xⁿ⁻¹."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from gradlab import style
from gradlab._validate import check_in_slider, check_int_range, check_range, check_scalar
from gradlab.accessibility import NOTE_GID
from gradlab.calculus import derivative
from gradlab.plots import NOTE_BOX
from gradlab.view import View, break_at_poles, robust_limits
from gradlab.widgets.base import BlitFigure, Explorer, guarded, new_figure, slider


def power_view(ys: np.ndarray, n: int, low: float, high: float) -> View:
    """y-limits for the curve xⁿ (cut at a pole), or a ValueError saying what to change."""
    try:
        return robust_limits(ys, pad=0.05)
    except ValueError:
        raise ValueError(f"x^{n} is not a finite number anywhere on x_range = ({low:g}, {high:g}) (it overflows "
                         "float64 there): choose a range nearer 0, e.g. (-3, 3)") from None


class PowerRuleExplorer(Explorer):
    """See :func:`power_rule_explorer`."""

    def __init__(self, n, x, n_range, x_range):
        low, high = self.x_range = check_range(x_range)
        n_low, n_high = check_int_range(n_range, "n_range")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"n must be a whole number such as 3; got {n!r}")
        check_in_slider(n, n_low, n_high, "n", "n_range")
        x = check_scalar(x, "x")
        self.xs = np.linspace(low, high, 401)
        with np.errstate(over="ignore"):
            power_view(self.xs ** float(n), int(n), low, high)  # refuse an impossible view before building
        fig = new_figure()
        ax = self.axes = fig.add_subplot()
        (self.curve,) = ax.plot([], [], color=style.FUNCTION, lw=style.LINEWIDTH)
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.set_xlim(low, high)
        ax.set_xlabel("$x$")
        self.view_note = ax.text(0.99, 0.01, "", transform=ax.transAxes, fontsize=7, color="0.35",
                                 ha="right", va="bottom", bbox=NOTE_BOX, gid=NOTE_GID)
        (self.tangent,) = ax.plot([], [], color=style.TANGENT, lw=style.LINEWIDTH)
        (self.point,) = ax.plot([], [], "o", color=style.POINT)
        controls = {
            "n": widgets.IntSlider(value=int(n), min=n_low, max=n_high, description="$n$"),
            "x": slider("$x$", x, low, high, (high - low) / 400, ".3f", name="x"),
        }
        super().__init__(BlitFigure(fig, [self.tangent, self.point]), controls)
        self.n_drawn = None
        self.tape_slope = self.rule_slope = float("nan")
        self.refresh()

    def _draw_curve(self, n: int) -> None:
        """The curve itself changes only with n: redraw the background then, not per x move."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ys = self.xs.astype(float) ** n
        # The y-axis fits this n's curve, cut to typical values at a pole (x⁻³ near 0): on
        # x_range = (5, 10) a fixed ±20 window showed nothing and matplotlib's NaN-limit error.
        view = power_view(ys, n, *self.x_range)
        self.curve.set_data(*break_at_poles(self.xs, ys, view))
        self.curve.set_label(f"$x^{{{n}}}$")
        self.axes.set_ylim(*view.limits)
        self.view_note.set_text(view.note)
        self.axes.set_title(rf"$\frac{{d}}{{dx}} x^{{{n}}} = {n}\,x^{{{n - 1}}}$")
        self.blit.invalidate()
        self.n_drawn = n

    def update_artists(self) -> str:
        n, x = int(self.controls["n"].value), float(self.controls["x"].value)
        if n != self.n_drawn:
            self._draw_curve(n)
        self.tangent.set_data([], [])
        self.point.set_data([], [])
        # float64: xⁿ passes float32's 3.4e38 long before it is "undefined" (10⁴⁰ is a number).
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            y, slope = derivative(lambda t: t**n, np.float64(x))
        if x != 0 and not np.all(np.isfinite([y, slope])) and not np.any(np.isnan([y, slope])):
            raise ValueError(f"x^{n} at x = {x:.3f} is too large to represent (above 1.8e308, "
                             "a floating-point overflow, not an undefined value): move a slider")
        if n == 0 and x == 0 and np.isnan(slope):
            # TensorFlow's rule for t**n is n * t**(n-1): 0 * inf at 0. Say so; the maths says 0.
            self.tape_slope, self.rule_slope = float("nan"), 0.0
            low, high = self.x_range
            self.tangent.set_data([low, high], [1.0, 1.0])
            self.point.set_data([0.0], [1.0])
            return ("n = 0, x = 0.000: &nbsp; tape: d/dx x<sup>0</sup> = nan, because TensorFlow "
                    "computes 0·x<sup>−1</sup> = 0·∞ at x = 0 &nbsp; power rule: 0 (x<sup>0</sup> = 1 "
                    "is flat, its slope is 0 everywhere)")
        y, slope = guarded(lambda: (y, slope), f"x^{n} at x = {x:.3f}")
        self.tape_slope = float(slope)
        self.rule_slope = float(n * np.float64(x) ** (n - 1)) if n != 0 else 0.0
        low, high = self.x_range
        self.tangent.set_data([low, high], [float(y) + self.tape_slope * (v - x) for v in (low, high)])
        self.point.set_data([x], [float(y)])
        return (f"n = {n}, x = {x:.3f}: &nbsp; tape: d/dx x<sup>{n}</sup> = {self.tape_slope:.6f}"
                f" &nbsp; power rule: {n}·x<sup>{n - 1}</sup> = {self.rule_slope:.6f}")

    def summary(self) -> str:
        n, x = self.controls["n"].value, float(self.controls["x"].value)
        return (f"power_rule_explorer: n = {n}, x = {x:.3f}, tape derivative = "
                f"{self.tape_slope:.6f}, n*x**(n-1) = {self.rule_slope:.6f}")


def power_rule_explorer(
    n: int = 3, x: float = 2.0, n_range: tuple[int, int] = (-3, 6),
    x_range: tuple[float, float] = (-3.0, 3.0),
) -> PowerRuleExplorer:
    """Compare TensorFlow's derivative of xⁿ with the power rule n·xⁿ⁻¹, with sliders for n and x.

    Examples
    --------
    >>> explorer = power_rule_explorer(n=3, x=2.0)
    >>> round(explorer.tape_slope, 4), round(explorer.rule_slope, 4)
    (12.0, 12.0)
    """
    return PowerRuleExplorer(n, x, n_range, x_range)
