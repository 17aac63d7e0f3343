"""The power-rule explorer: sliders for n and x; the tape's derivative of xⁿ beside n·xⁿ⁻¹ (both forms)."""

from __future__ import annotations

import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_in_slider, check_int_range, check_range, check_scalar
from gradlab.calculus import derivative
from gradlab.plots import note_view
from gradlab.view import View, break_at_poles, check_at_most, robust_limits
from gradlab.widgets.scene import Control, Description, Dot, Line, Look, Path, Text, snap
from gradlab.widgets.tangent import LEGEND_OUTSIDE, view_sentence

__all__ = ["browser_power_rule_explorer", "power_description", "power_rule_explorer", "power_view"]

#: (n, x) slider positions (~65 bytes of HTML each in the browser form).
MAX_POWER_POSITIONS = 50_000

#: The readout where the tape's derivative of x⁰ is NaN: at x = 0 it computes 0·x⁻¹ = 0·∞.
ZERO_POWER_NAN = ("the tape gives NaN for d/dx x<sup>0</sup> at x = 0: it computes "
                  "0·x<sup>−1</sup> = 0·∞. The maths says 0 (power rule: 0, as x<sup>0</sup> = 1 is flat); "
                  "move the slider")


def power_view(ys: np.ndarray, n: int, low: float, high: float) -> View:
    """y-limits for the curve xⁿ (cut at a pole), or a ValueError saying what to change."""
    try:
        return robust_limits(ys, pad=0.05)
    except ValueError:
        raise ValueError(f"x^{n} is not a finite number anywhere on x_range = ({low:g}, {high:g}) (it overflows "
                         "float64 there): choose a range nearer 0, e.g. (-3, 3)") from None


def _powers(xs: np.ndarray, n: object) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return xs ** np.asarray(n, dtype=float)


def _why(n: float) -> str:
    """Why the readout has no number at this n (for n = 0 it is the tape's formula, not the maths)."""
    if n == 0:
        return ZERO_POWER_NAN
    return f"x<sup>{int(n)}</sup> or its derivative is undefined here (not a finite number): move the slider"


def power_description(n: int, x: float, n_range: tuple[int, int], x_range: tuple[float, float],
                      steps: int = 200) -> Description:
    """What the power-rule explorer draws: the curve xⁿ, its tangent at x and the point (all moving).

    The y-axis fits the starting n's curve (cut to typical values at a pole) and stays: a
    point beyond it is a hollow dot on the edge it left by.
    """
    n_lo, n_hi = check_int_range(n_range, "n_range")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n must be a whole number such as 3; got {n!r}")
    check_in_slider(n, n_lo, n_hi, "n", "n_range")
    low, high = check_range(x_range)
    x = check_in_slider(check_scalar(x, "x"), low, high, "x", f"x_range = ({low:g}, {high:g})")
    steps = check_count(steps, "steps", 1)
    check_at_most((n_hi - n_lo + 1) * (steps + 1), MAX_POWER_POSITIONS,
                  "(n, x) slider positions, (n_range's size) × (steps + 1), each sent to the browser",
                  "narrow n_range or use fewer steps (the default is 10 × 201)")
    powers = np.arange(n_lo, n_hi + 1)
    positions = np.linspace(low, high, steps + 1)
    start_x = snap(positions, x)
    curve_x = np.linspace(low, high, 161)
    view = power_view(_powers(curve_x, n), int(n), low, high)
    inset = 0.04 * (view.high - view.low)  # a dot's radius in data units, and a little more
    bottom, top = view.low + inset, view.high - inset

    def draw_static(fig):
        ax = fig.add_subplot()
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        margin = 0.03 * (high - low)  # a dot at either end of the slider stays whole
        ax.set(xlim=(low - margin, high + margin), ylim=view.limits, xlabel="$x$", ylabel="$y$")
        ax.set_title(" ", fontsize=19)  # room for the formula (with superscripts), which moves with n
        note_view(ax, view)
        return {"ax": ax}

    def curve(p):
        xs, ys = break_at_poles(curve_x, _powers(curve_x, p), view)
        return np.column_stack([xs, ys])

    def compute(state):
        n_, x_ = np.asarray(state["n"], dtype=float), np.asarray(state["x"], dtype=float)
        shape = np.broadcast_shapes(n_.shape, x_.shape)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # float64: xⁿ passes float32's 3.4e38 long before it is undefined. One tape over all (n, x).
            y, tape = (np.asarray(v, dtype=float) for v in
                       derivative(lambda t: t ** n_, np.broadcast_to(x_, shape).astype(np.float64)))
            rule = np.where(n_ == 0, 0.0, n_ * x_ ** (n_ - 1))
            ends = (low, y + tape * (low - x_), high, y + tape * (high - x_))
            inside = (y >= bottom) & (y <= top)
        defined = np.isfinite(y) & np.isfinite(tape)
        curves = np.empty(n_.shape, dtype=object)
        for index in np.ndindex(n_.shape):
            curves[index] = curve(n_[index])
        return {
            "y": y, "tape": tape, "rule": rule, "nm1": n_ - 1,
            "why": np.vectorize(_why, otypes=[object])(n_),
            "curve": curves,
            "tangent": tuple(np.where(defined, e, np.nan) for e in ends),
            "point": (x_, np.where(inside, y, np.nan)),  # f's value, shown even where the tape's slope is not
            "point_off": (x_, np.where(np.isfinite(y) & ~inside, np.where(y > top, top, bottom), np.nan)),
        }

    return Description(
        "power", draw_static,
        [Control("n", "n", powers, int(n) - n_lo, "{n}", kind="int"),
         Control("x", "x", positions, start_x, "{x:3}")],
        [Path("curve", "ax", Look(style.FUNCTION, ls=style.FUNCTION_LS), label="$x^n$", depends=("n",)),
         Line("tangent", "ax", Look(style.TANGENT, ls=style.TANGENT_LS), label="tangent"),
         Dot("point", "ax", Look(style.POINT, ms=8)),
         Dot("point_off", "ax", Look("white", ms=8, edge=style.POINT)),
         Text("title", "ax", Look("black"), depends=("n",), template="d/dx x^[{n}] = {n}·x^[{nm1}]")],
        compute,
        readout=("n = {n}, x = {x:3}: &nbsp; x<sup>{n}</sup> = {y:3} &nbsp; "
                 "tape: d/dx x<sup>{n}</sup> = <span class='tape'>{tape:6}</span>"
                 " &nbsp; power rule: {n}·x<sup>{nm1}</sup> = <span class='rule'>{rule:6}</span>"),
        undefined="<b style='color:#b00'>n = {n}, x = {x:3}: {why}</b>",
        alt=(f"Plot of y = xⁿ for x from {low:g} to {high:g} (solid line; heights from {view.low:.3g} to "
             f"{view.high:.3g}, fitted to n = {int(n)}) with its tangent line (dash-dot) at the point x chosen "
             "by the slider (a hollow dot on the edge when xⁿ is beyond the plot); a second slider chooses n."
             + view_sentence(view)),
        summary="power_rule_explorer: n = {n}, x = {x:3}, tape derivative = {tape:6}, n*x**(n-1) = {rule:6}",
        legends={"ax": LEGEND_OUTSIDE},  # a steep tangent crossed it inside the axes (n = 6, x = 3)
        aliases={"tape_slope": "tape", "rule_slope": "rule"},
    )


def power_rule_explorer(
    n: int = 3, x: float = 2.0, n_range: tuple[int, int] = (-3, 6),
    x_range: tuple[float, float] = (-3.0, 3.0), steps: int = 200,
):
    """Compare TensorFlow's derivative of xⁿ with the power rule n·xⁿ⁻¹, with sliders for n and x.

    Examples
    --------
    >>> explorer = power_rule_explorer(n=3, x=2.0)
    >>> round(explorer.tape_slope, 4), round(explorer.rule_slope, 4)
    (12.0, 12.0)
    """
    from gradlab.widgets.kernel import render_kernel

    return render_kernel(power_description(n, x, n_range, x_range, steps))


def browser_power_rule_explorer(
    n: int = 3, x: float = 2.0, n_range: tuple[int, int] = (-3, 6),
    x_range: tuple[float, float] = (-3.0, 3.0), steps: int = 200,
):
    """Compare TensorFlow's derivative of xⁿ with n·xⁿ⁻¹ in the browser: sliders for n and x.

    Every (n, x) pair is computed by one tape call over an (n, x) grid.

    Examples
    --------
    >>> explorer = browser_power_rule_explorer(n=3, x=2.0, steps=60)
    >>> tape, rule = explorer.array("tape"), explorer.array("rule")
    >>> float(np.nanmax(abs(tape - rule))) < 1e-3  # NaN where xⁿ is undefined (x = 0, n < 0)
    True
    """
    from gradlab.widgets.svg import render_browser

    return render_browser(power_description(n, x, n_range, x_range, steps))
