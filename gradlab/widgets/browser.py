"""The tangent, power-rule and gradient explorers in their browser form (see :mod:`gradlab.widgets.client`).

Each function computes every slider position in one tape call, draws the static figure
once and returns a :class:`~gradlab.widgets.client.ClientExplorer`: displaying it needs no
kernel after that. ``explorer.kernel()`` gives the ipywidgets form of the same explorer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from mpl_toolkits.mplot3d import proj3d

from gradlab import style
from gradlab._validate import (
    check_count,
    check_function,
    check_in_slider,
    check_int_range,
    check_point,
    check_range,
    check_scalar,
)
from gradlab.calculus import derivative, partials, quiet_tracing
from gradlab.plots import grid, note_view, slope_where_defined, typical_heights
from gradlab.view import break_at_poles, check_at_most, check_curve_points, robust_limits
from gradlab.widgets.base import finite_range, new_figure
from gradlab.widgets.client import (
    Array,
    ClientExplorer,
    Slider,
    axes_clip,
    axes_map,
    build,
    color,
    default_png,
    line_in_axes,
    path_in_axes,
    pixels,
)
from gradlab.widgets.power import power_view

__all__ = [
    "browser_descent_explorer", "browser_gradient_explorer", "browser_power_rule_explorer",
    "browser_tangent_explorer",
]

#: Slider positions of the browser tangent explorer (~100 bytes of HTML each).
MAX_TANGENT_STEPS = 10_000
#: Path points of the browser descent explorer: optimisers × learning rates × (steps + 1).
MAX_DESCENT_POINTS = 100_000
#: (x0, y0) slider positions of the browser gradient explorer (~170 bytes of HTML each).
MAX_GRADIENT_POSITIONS = 101**2


def _freeze(fig) -> None:
    """Solve the constrained layout once, then keep it: pixel positions must not move afterwards."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def _arrow_marker(uid_hint: str, fill: str) -> str:
    return (f"<marker id='{uid_hint}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='5' "
            f"markerHeight='5' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{fill}'/></marker>")


# --------------------------------------------------------------------------- tangent


def browser_tangent_explorer(
    f: Callable, x_range: tuple[float, float] = (-5.0, 5.0), x0: float | None = None,
    n: int = 400, steps: int = 400,
) -> ClientExplorer:
    """Explore the tangent line of ``f`` in the browser: a slider for ``x0``, no kernel per move.

    Parameters
    ----------
    f : callable
        Elementwise function written with TensorFlow operations.
    x_range : (float, float)
        Plotted interval, which is also the slider's range.
    x0 : float, optional
        Starting point (default: the middle of ``x_range``); the slider starts at the
        nearest of its ``steps + 1`` positions.
    n : int
        Points on the plotted curves.
    steps : int
        Slider resolution: ``x0`` takes ``steps + 1`` evenly spaced values.

    Examples
    --------
    >>> explorer = browser_tangent_explorer(lambda x: x ** 2, (-3, 3), x0=1.0, steps=60)
    >>> float(explorer.array("slope")[40])  # f'(x) = 2x at x = -3 + 40 * 0.1 = 1.0
    2.0
    """
    check_function(f)
    low, high = check_range(x_range)
    n, steps = check_curve_points(n), check_count(steps, "steps", 1)
    check_at_most(steps, MAX_TANGENT_STEPS, "steps (slider positions, each sent to the browser)",
                  f"about {steps * 100 / 1e6:.0f} MB of HTML; 400 positions are smoother than a mouse can move")
    where = f"x_range = ({low:g}, {high:g})"
    x0 = (low + high) / 2 if x0 is None else check_in_slider(check_scalar(x0, "x0"), low, high, "x0", where)
    xs = np.linspace(low, high, n)
    positions = np.linspace(low, high, steps + 1)
    start = _snap(positions, x0)
    # One tape over the plotted curve and every slider position together.
    ys_all, dys_all = derivative(f, np.concatenate([xs, positions]))
    dys_all = slope_where_defined(ys_all, dys_all)
    finite_range(ys_all, where)  # nowhere finite (sqrt on negative x): say so, not an empty plot
    ys, dys, y0s, slopes = ys_all[:n], dys_all[:n], ys_all[n:], dys_all[n:]

    fig = new_figure()
    ax = fig.add_subplot()
    view = robust_limits(np.concatenate([ys, dys]))
    # No vertical line joining -400 and +400 across a pole: it is not part of the curve.
    ax.plot(*break_at_poles(xs, ys, view), color=style.FUNCTION, lw=style.LINEWIDTH, ls=style.FUNCTION_LS,
            label="$f(x)$")
    ax.plot(*break_at_poles(xs, dys, view), color=style.DERIVATIVE, lw=style.LINEWIDTH,
            ls=style.DERIVATIVE_LS, label="$f'(x)$")
    ax.plot([], [], color=style.TANGENT, lw=style.LINEWIDTH, ls=style.TANGENT_LS, label="tangent")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_ylim(*view.limits)
    note_view(ax, view)
    ax.set_xlim(low, high)
    ax.set_xlabel("$x$")
    ax.legend(loc="upper left", fontsize=8, handlelength=4)  # one full dash-dot repeat
    _freeze(fig)
    height = fig.canvas.get_width_height()[1]

    with np.errstate(invalid="ignore", over="ignore"):
        left = y0s + slopes * (low - positions)
        right = y0s + slopes * (high - positions)
    # The tangent is cut to the axes as a line: its slope survives however steep it is.
    lx1, ly1, lx2, ly2 = line_in_axes(ax, low, left, high, right, height)
    x_px, y0_px = pixels(ax, positions, y0s, height)
    _, slope_px = pixels(ax, positions, slopes, height)
    arrays = {
        "x0": Array((0,), positions), "y": Array((0,), y0s), "slope": Array((0,), slopes),
        "lx1": Array((0,), lx1, "px"), "ly1": Array((0,), ly1, "px"),
        "lx2": Array((0,), lx2, "px"), "ly2": Array((0,), ly2, "px"),
        "px": Array((0,), x_px, "px"), "py": Array((0,), y0_px, "px"), "sy": Array((0,), slope_px, "px"),
    }
    pal = {"tangent": color(style.TANGENT), "point": color(style.POINT), "slope": color(style.DERIVATIVE)}
    elements = [
        ("line", "tangent", {"stroke": pal["tangent"], "stroke-width": style.LINEWIDTH * 1.4,
                             "stroke-dasharray": style.TANGENT_DASH, "clip": "ax"},
         {"x1": "lx1", "y1": "ly1", "x2": "lx2", "y2": "ly2"}),
        ("circle", "point", {"r": 5, "fill": pal["point"], "clip": "ax"}, {"cx": "px", "cy": "py"}),
        ("circle", "slope-point", {"r": 4.5, "fill": pal["slope"], "stroke": "black", "clip": "ax"},
         {"cx": "px", "cy": "sy"}),
    ]
    sliders = [Slider("x0", "x<sub>0</sub>", positions, start, "x₀ = {x0:3}")]
    alt = (f"Plot of f(x) (solid line) and its derivative f′(x) (dashed) for x from {low:g} to {high:g}, "
           "with the tangent line (dash-dot) touching f at the point x₀ chosen by the slider; "
           "a second dot marks f′(x₀), the tangent's slope." + _view_sentence(view))
    explorer = build(
        fig, "tangent", alt, sliders, arrays, elements,
        readout=("x<sub>0</sub> = {x0:3} &nbsp; f(x<sub>0</sub>) = {y:6} &nbsp; "
                 "f′(x<sub>0</sub>) = <span class='slope-value'>{slope:6}</span> &nbsp; "
                 "tangent: y = {slope:4}·(x − {x0:3}){y:+4}"),
        undefined="<b style='color:#b00'>f or f′ is undefined at x<sub>0</sub> = {x0:3} "
                  "(not a finite number): move the slider</b>",
        clips={"ax": axes_clip(ax, height)}, maps={"ax": axes_map(ax, height)},
        kernel=lambda: _kernel("tangent_explorer", f, (low, high), float(positions[start]), n),
    )
    k = start

    def draw():
        if np.isfinite(y0s[k]) and np.isfinite(slopes[k]):
            ax.plot([low, high], [left[k], right[k]], color=style.TANGENT, lw=style.LINEWIDTH,
                    ls=style.TANGENT_LS)
            ax.plot([positions[k]], [y0s[k]], "o", color=style.POINT, ms=7)
            ax.plot([positions[k]], [slopes[k]], "o", color=style.DERIVATIVE, mec="black", ms=6)
            ax.set_ylim(*view.limits)

    explorer.png = default_png(fig, draw)
    explorer.text = (f"browser_tangent_explorer: x0 = {positions[k]:.3f}, f(x0) = {y0s[k]:.6f}, "
                     f"f'(x0) = {slopes[k]:.6f}")
    return explorer


#: The readout where the tape's derivative of x⁰ is NaN: at x = 0 it computes 0·x⁻¹ = 0·∞.
ZERO_POWER_NAN = ("the tape gives NaN for d/dx x<sup>0</sup> at x = 0: it computes "
                  "0·x<sup>−1</sup> = 0·∞. The maths says 0 (x<sup>0</sup> = 1 is flat); "
                  "move the slider")


def _view_sentence(view, why: str = "near a pole") -> str:
    """The alt text's word on a cut y-axis ("" when nothing is cut)."""
    return f" The {view.note} ({why}), so that the curves' shapes stay visible." if view.clipped else ""


def _snap(positions: np.ndarray, value: float) -> int:
    """Index of the slider position nearest ``value``, moved onto ``value`` exactly (in range)."""
    k = int(np.argmin(np.abs(positions - value)))
    positions[k] = min(max(value, positions[0]), positions[-1])
    return k


def _kernel(name: str, *args, **kwargs):
    import gradlab.widgets as kernel_widgets

    return getattr(kernel_widgets, name)(*args, **kwargs)


# --------------------------------------------------------------------------- power rule

#: (n, x) slider positions of the browser power-rule explorer (~65 bytes of HTML each).
MAX_POWER_POSITIONS = 50_000


def browser_power_rule_explorer(
    n: int = 3, x: float = 2.0, n_range: tuple[int, int] = (-3, 6),
    x_range: tuple[float, float] = (-3.0, 3.0), steps: int = 200,
) -> ClientExplorer:
    """Compare TensorFlow's derivative of xⁿ with n·xⁿ⁻¹ in the browser: sliders for n and x.

    Every (n, x) pair is computed by one tape call over an (n, x) grid.

    Examples
    --------
    >>> explorer = browser_power_rule_explorer(n=3, x=2.0, steps=60)
    >>> tape, rule = explorer.array("tape"), explorer.array("rule")
    >>> float(np.nanmax(abs(tape - rule))) < 1e-3  # NaN where xⁿ is undefined (x = 0, n < 0)
    True
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
    start_x = _snap(positions, x)
    start_n = int(n) - n_lo
    exponent = powers[:, None].astype(float)
    # One tape over every (n, x) slider pair: x ** n with n a broadcast constant.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ys, tape = derivative(lambda t: t ** exponent, np.broadcast_to(positions, (len(powers), len(positions))))
        rule = np.where(exponent == 0, 0.0, exponent * positions ** (exponent - 1))
    curve_x = np.linspace(low, high, 161)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        curves = curve_x[None, :] ** exponent

    # The y-axis fits the starting n's curve (cut to typical values at a pole: x⁻³ near 0).
    view = power_view(curves[start_n], int(n), low, high)
    fig = new_figure()
    ax = fig.add_subplot()
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    margin = 0.03 * (high - low)  # a dot at either end of the slider stays whole
    ax.set_xlim(low - margin, high + margin)
    ax.set_ylim(*view.limits)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.plot([], [], color=style.FUNCTION, lw=style.LINEWIDTH, ls=style.FUNCTION_LS, label="$x^n$")
    ax.plot([], [], color=style.TANGENT, lw=style.LINEWIDTH, ls=style.TANGENT_LS, label="tangent")
    ax.legend(loc="lower right", fontsize=8, handlelength=4)  # one full dash-dot repeat
    ax.set_title(" ")  # room for the formula, drawn as SVG text
    _freeze(fig)
    width, height = fig.canvas.get_width_height()

    with np.errstate(invalid="ignore", over="ignore"):
        left = ys + tape * (low - positions)
        right = ys + tape * (high - positions)
    # The tangent is cut to the axes as a line: at n = 6, x = 3 (slope 1458) it stays at x ≈ 3.
    lx1, ly1, lx2, ly2 = line_in_axes(ax, low, left, high, right, height)
    # A point off the plot (x = 2, n = 6 is 64) is shown as a hollow dot on the edge it left by.
    inset = 0.04 * (view.high - view.low)  # the dot's radius, in data units, and a little more
    bottom, top = view.low + inset, view.high - inset
    with np.errstate(invalid="ignore"):
        inside = (ys >= bottom) & (ys <= top)
    _, y_px = pixels(ax, positions[None, :], np.where(inside, ys, np.nan), height)
    x_px, _ = pixels(ax, positions[None, :], np.zeros_like(positions)[None, :], height)  # x of every position
    edge = np.where(np.isfinite(ys) & ~inside, np.where(ys > top, top, bottom), np.nan)
    _, edge_px = pixels(ax, positions[None, :], edge, height)
    title_y = axes_clip(ax, height)[1] - 8
    arrays = {
        "n": Array((0,), powers), "nm1": Array((0,), powers - 1), "x": Array((1,), positions),
        "y": Array((0, 1), ys), "tape": Array((0, 1), tape), "rule": Array((0, 1), rule),
        "curve": Array((0,), np.array([path_in_axes(ax, *break_at_poles(curve_x, r, view), height) or "M0,0"
                                       for r in curves],
                                      dtype=object), "str"),
        "lx1": Array((0, 1), lx1, "px"), "ly1": Array((0, 1), ly1, "px"),
        "lx2": Array((0, 1), lx2, "px"), "ly2": Array((0, 1), ly2, "px"),
        "px": Array((1,), x_px[0], "px"), "py": Array((0, 1), y_px, "px"), "ey": Array((0, 1), edge_px, "px"),
        # Why a value is missing, per n: for n = 0 it is the tape's formula, not the maths.
        "why": Array((0,), np.array([ZERO_POWER_NAN if p == 0 else
                                     f"x<sup>{p}</sup> or its derivative is undefined here (not a "
                                     "finite number): move the slider" for p in powers], dtype=object), "str"),
    }
    elements = [
        ("path", "curve", {"fill": "none", "stroke": color(style.FUNCTION), "stroke-width": style.LINEWIDTH * 1.4,
                           "clip": "ax"}, {"d": "curve"}),
        ("line", "tangent", {"stroke": color(style.TANGENT), "stroke-width": style.LINEWIDTH * 1.4,
                             "stroke-dasharray": style.TANGENT_DASH, "clip": "ax"},
         {"x1": "lx1", "y1": "ly1", "x2": "lx2", "y2": "ly2"}),
        ("circle", "point", {"r": 5, "fill": color(style.POINT), "clip": "ax"}, {"cx": "px", "cy": "py"}),
        ("circle", "point-off", {"r": 5, "fill": "white", "stroke": color(style.POINT), "stroke-width": 2,
                                 "clip": "ax"}, {"cx": "px", "cy": "ey"}),
    ]
    sliders = [Slider("n", "n", powers, start_n, "n = {n}"),
               Slider("x", "x", positions, start_x, "x = {x:3}")]
    alt = (f"Plot of y = xⁿ for x from {low:g} to {high:g} (solid line; heights from {view.low:.3g} to "
           f"{view.high:.3g}, fitted to n = {int(n)}) with its tangent line (dash-dot) at the point x chosen "
           "by the slider (a hollow dot on the edge when xⁿ is beyond the plot); a second slider chooses n."
           + _view_sentence(view))
    explorer = build(
        fig, "power", alt, sliders, arrays, elements,
        readout=("n = {n}, x = {x:3}: &nbsp; x<sup>{n}</sup> = {y:3} &nbsp; "
                 "tape: d/dx x<sup>{n}</sup> = <span class='tape'>{tape:6}</span>"
                 " &nbsp; power rule: {n}·x<sup>{nm1}</sup> = <span class='rule'>{rule:6}</span>"),
        undefined="<b style='color:#b00'>n = {n}, x = {x:3}: {why}</b>",
        clips={"ax": axes_clip(ax, height)}, maps={"ax": axes_map(ax, height)},
        kernel=lambda: _kernel("power_rule_explorer", int(n), float(x), (n_lo, n_hi), (low, high)),
        extra=(f"<text class='title' x='{width / 2:.0f}' y='{title_y:.0f}' text-anchor='middle' "
               "font-size='15' fill='black'>d/dx x<tspan class='sup-n' baseline-shift='super' font-size='10'>"
               f"{int(n)}</tspan> = <tspan class='n2'>{int(n)}</tspan>·x<tspan class='sup-nm1' "
               f"baseline-shift='super' font-size='10'>{int(n) - 1}</tspan></text>"),
        texts=[(".sup-n", "{n}"), (".n2", "{n}"), (".sup-nm1", "{nm1}")],
    )
    i, k = start_n, start_x

    def draw():
        ax.plot(*break_at_poles(curve_x, curves[i], view), color=style.FUNCTION, lw=style.LINEWIDTH)
        if np.isfinite(ys[i, k]) and np.isfinite(tape[i, k]):
            ax.plot([low, high], [left[i, k], right[i, k]], color=style.TANGENT, lw=style.LINEWIDTH,
                    ls=style.TANGENT_LS)
            if inside[i, k]:
                ax.plot([positions[k]], [ys[i, k]], "o", color=style.POINT)
            else:
                ax.plot([positions[k]], [edge[i, k]], "o", mfc="white", mec=style.POINT, mew=2)
        ax.set_ylim(*view.limits)
        ax.set_title(rf"$\frac{{d}}{{dx}} x^{{{int(n)}}} = {int(n)}\,x^{{{int(n) - 1}}}$")

    explorer.png = default_png(fig, draw)
    explorer.text = (f"browser_power_rule_explorer: n = {int(n)}, x = {positions[k]:.3f}, tape derivative = "
                     f"{tape[i, k]:.6f}, n*x**(n-1) = {rule[i, k]:.6f}")
    return explorer


# --------------------------------------------------------------------------- gradient


def browser_gradient_explorer(
    f: Callable, x_range: tuple[float, float] = (-1.0, 1.0), y_range: tuple[float, float] = (-1.0, 1.0),
    point: tuple[float, float] | None = None, n: int = 60, steps: int = 30,
) -> ClientExplorer:
    """Explore the gradient of ``f(x, y)`` in the browser: sliders for ``x0`` and ``y0``.

    Left: contours with the gradient arrow at the point (the steepest gradient among the
    slider positions draws a quarter of the narrower side; one that would leave the axes is
    shortened to end inside them). Right: the surface with the
    tangent plane, its corners projected to the screen by the 3-D axes. All
    ``(steps + 1)²`` points come from one tape call.

    Examples
    --------
    >>> explorer = browser_gradient_explorer(lambda x, y: x ** 2 + y ** 2, point=(0.5, 0.0), steps=20)
    >>> float(explorer.array("zx")[15, 10]), float(explorer.array("zy")[15, 10])
    (1.0, 0.0)
    """
    check_function(f, example="lambda x, y: x ** 2 + y ** 2")
    x_lo, x_hi = check_range(x_range)
    y_lo, y_hi = check_range(y_range, "y_range")
    steps = check_count(steps, "steps", 1)
    check_at_most((steps + 1) ** 2, MAX_GRADIENT_POSITIONS,
                  "slider positions, (steps + 1)² (each one's arrow and plane is sent to the browser)",
                  f"use steps ≤ {int(MAX_GRADIENT_POSITIONS ** 0.5) - 1} (the default is 30)")
    if point is None:
        point = ((x_lo + x_hi) / 2, (y_lo + y_hi) / 2)
    point = check_point(point, "point")
    check_in_slider(point[0], x_lo, x_hi, "point's x", "x_range")
    check_in_slider(point[1], y_lo, y_hi, "point's y", "y_range")
    gx, gy = np.linspace(x_lo, x_hi, steps + 1), np.linspace(y_lo, y_hi, steps + 1)
    i0, j0 = _snap(gx, point[0]), _snap(gy, point[1])
    SX, SY = np.meshgrid(gx, gy, indexing="ij")  # [i, j]: slider x index i, slider y index j
    z, zx, zy = partials(f, SX, SY)  # one tape over every slider position
    X, Y = grid((x_lo, x_hi), (y_lo, y_hi), n)
    Z, _, _ = partials(f, X, Y)
    finite_range(Z, "the square x_range × y_range")
    Zm, z_view, _ = typical_heights(Z)  # a pole (x / y) is cut, not a flat sheet with a spike

    fig = new_figure(style.FIGSIZE_WIDE)
    flat = fig.add_subplot(1, 2, 1)
    contours = flat.contour(X, Y, Zm, 12, cmap=style.CMAP_CONTOUR)
    flat.clabel(contours, fontsize=7, fmt="%.2f")
    # A margin round the slider's square: a dot at a corner stays whole.
    pad = 0.05 * min(x_hi - x_lo, y_hi - y_lo)
    flat.set(xlabel="$x$", ylabel="$y$", title=r"contours and $\nabla f$", xlim=(x_lo - pad, x_hi + pad),
             ylim=(y_lo - pad, y_hi + pad))
    flat.set_aspect("equal", adjustable="box")  # equal units: the arrow meets contours at 90°
    note_view(flat, z_view, "heights")
    solid = fig.add_subplot(1, 2, 2, projection="3d")
    solid.plot_surface(X, Y, Zm, cmap=style.CMAP_SURFACE, alpha=0.6, edgecolor="none")
    solid.set(xlabel="$x$", ylabel="$y$", title="surface and tangent plane")
    solid.set_zlim(float(Zm.min()), float(Zm.max()))
    _freeze(fig)
    width, height = fig.canvas.get_width_height()

    norms = np.hypot(zx, zy)
    side = min(x_hi - x_lo, y_hi - y_lo)
    finite = norms[np.isfinite(norms) & np.isfinite(z)]  # no arrow is drawn where f is undefined
    scale = 0.25 * side / (float(finite.max()) if finite.size and finite.max() > 0 else 1.0)
    px, py = pixels(flat, SX, SY, height)
    # Near an edge an arrow that would leave the axes is shortened (same direction) to end inside.
    with np.errstate(divide="ignore", invalid="ignore"):
        dx, dy = scale * zx, scale * zy
        room_x = np.where(dx > 0, (x_hi + 0.8 * pad - SX) / dx, np.where(dx < 0, (x_lo - 0.8 * pad - SX) / dx, np.inf))
        room_y = np.where(dy > 0, (y_hi + 0.8 * pad - SY) / dy, np.where(dy < 0, (y_lo - 0.8 * pad - SY) / dy, np.inf))
        shrink = np.clip(np.minimum(room_x, room_y), 0.0, 1.0)
    shrink = np.where(np.isfinite(shrink), shrink, 1.0)
    with np.errstate(invalid="ignore"):  # NaN gradients (f undefined) give NaN tips: hidden
        tip_x, tip_y = pixels(flat, SX + shrink * dx, SY + shrink * dy, height)
    ok = np.isfinite(z) & np.isfinite(zx) & np.isfinite(zy)
    tip_x, tip_y = np.where(ok, tip_x, np.nan), np.where(ok, tip_y, np.nan)
    # Tangent plane: four corners around each point, projected by the 3-D axes' own matrix.
    h = 0.15 * side
    corners = np.array([(-h, -h), (h, -h), (h, h), (-h, h)])
    cx = SX[..., None] + corners[:, 0]
    cy = SY[..., None] + corners[:, 1]
    cz = z[..., None] + zx[..., None] * corners[:, 0] + zy[..., None] * corners[:, 1]
    M = solid.get_proj()

    def screen(xs, ys, zs):
        with np.errstate(invalid="ignore"):  # NaN where f is undefined: hidden
            u, v, _ = proj3d.proj_transform(np.ravel(xs), np.ravel(ys), np.ravel(zs), M)
        sx, sy = pixels(solid, u, v, height)
        return sx.reshape(np.shape(xs)), sy.reshape(np.shape(xs))

    qx, qy = screen(cx, cy, cz)
    polygons = np.empty(z.shape, dtype=object)
    for index in np.ndindex(z.shape):
        polygons[index] = (" ".join(f"{a:.0f},{b:.0f}" for a, b in zip(qx[index], qy[index], strict=True))
                           if ok[index] else None)
    p3x, p3y = screen(SX, SY, np.where(ok, z, np.nan))
    arrays = {
        "x0": Array((0,), gx), "y0": Array((1,), gy),
        "z": Array((0, 1), z), "zx": Array((0, 1), zx), "zy": Array((0, 1), zy), "norm": Array((0, 1), norms),
        "px": Array((0,), px[:, 0], "px"), "py": Array((1,), py[0, :], "px"),
        "tx": Array((0, 1), tip_x, "px"), "ty": Array((0, 1), tip_y, "px"),
        "plane": Array((0, 1), polygons, "str"),
        "p3x": Array((0, 1), p3x, "px"), "p3y": Array((0, 1), p3y, "px"),
    }
    red = color(style.TANGENT)
    elements = [
        ("polygon", "plane", {"fill": red, "fill-opacity": 0.5, "stroke": red, "clip": "solid"}, {"points": "plane"}),
        ("circle", "point3d", {"r": 4, "fill": color(style.POINT), "clip": "solid"}, {"cx": "p3x", "cy": "p3y"}),
        ("line", "arrow", {"stroke": red, "stroke-width": 2.5, "marker-end": "url(#ARROW)", "clip": "flat"},
         {"x1": "px", "y1": "py", "x2": "tx", "y2": "ty"}),
        ("circle", "point", {"r": 5, "fill": color(style.POINT), "clip": "flat"}, {"cx": "px", "cy": "py"}),
    ]
    sliders = [Slider("x0", "x<sub>0</sub>", gx, i0, "x₀ = {x0:3}"),
               Slider("y0", "y<sub>0</sub>", gy, j0, "y₀ = {y0:3}")]
    alt = (f"Left: contour lines of f(x, y) for x from {x_lo:g} to {x_hi:g} and y from {y_lo:g} to {y_hi:g}, "
           "with an arrow showing the gradient at the point (x₀, y₀) chosen by the sliders. Right: the "
           "surface z = f(x, y) with the tangent plane at that point.")
    explorer = build(
        fig, "gradient", alt, sliders, arrays, elements,
        readout=("(x<sub>0</sub>, y<sub>0</sub>) = ({x0:3}, {y0:3}) &nbsp; f = {z:6} &nbsp; "
                 "∂f/∂x = <span class='dfdx'>{zx:6}</span> &nbsp; ∂f/∂y = <span class='dfdy'>{zy:6}</span>"
                 " &nbsp; |∇f| = {norm:6}"),
        undefined="<b style='color:#b00'>f or its gradient is undefined at ({x0:3}, {y0:3}) "
                  "(not a finite number): move the sliders</b>",
        clips={"flat": axes_clip(flat, height), "solid": axes_clip(solid, height)},
        maps={"flat": axes_map(flat, height)},
        kernel=lambda: _kernel("gradient_explorer", f, (x_lo, x_hi), (y_lo, y_hi),
                               (float(gx[i0]), float(gy[j0])), n),
        defs=_arrow_marker("ARROW", red),
    )
    # Marker ids must be unique on a page that shows several explorers.
    uid = explorer.html.split("id='", 1)[1].split("'", 1)[0]
    explorer.html = explorer.html.replace("ARROW", f"{uid}-arrow")

    def draw():
        if ok[i0, j0]:
            from matplotlib.patches import FancyArrowPatch
            from mpl_toolkits.mplot3d.art3d import Poly3DCollection

            t = shrink[i0, j0]
            flat.add_patch(FancyArrowPatch((gx[i0], gy[j0]), (gx[i0] + t * dx[i0, j0], gy[j0] + t * dy[i0, j0]),
                                           arrowstyle="-|>", mutation_scale=18, color=style.TANGENT, lw=2))
            flat.plot([gx[i0]], [gy[j0]], "o", color=style.POINT)
            verts = np.column_stack([cx[i0, j0], cy[i0, j0], cz[i0, j0]])
            solid.add_collection3d(Poly3DCollection([verts], color=style.TANGENT, alpha=0.5))
            solid.plot([gx[i0]], [gy[j0]], [z[i0, j0]], "o", color=style.POINT)

    explorer.png = default_png(fig, draw)
    explorer.text = (f"browser_gradient_explorer: (x0, y0) = ({gx[i0]:.3f}, {gy[j0]:.3f}), f = {z[i0, j0]:.6f}, "
                     f"df/dx = {zx[i0, j0]:.6f}, df/dy = {zy[i0, j0]:.6f}")
    return explorer


# --------------------------------------------------------------------------- descent


def _batched_paths(f: Callable, start, method: str, rates: np.ndarray, steps: int, dtype):
    """Every learning rate's path at once: one compiled loop over a (2, n_rates) point."""
    from gradlab._tf import tf
    from gradlab.descent import _update

    @tf.function
    def run(p, lr):
        points = tf.TensorArray(p.dtype, size=steps + 1)
        losses = tf.TensorArray(p.dtype, size=steps + 1)
        m, v = tf.zeros_like(p), tf.zeros_like(p)
        for t in tf.range(steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(p)
                loss = f(p[0], p[1])
                total = tf.reduce_sum(loss)  # paths are independent: d total / d p is each path's gradient
            points = points.write(t, p)
            losses = losses.write(t, loss)
            if t < steps:
                p, m, v = _update(method, p, tape.gradient(total, p), m, v, lr, t)
        return points.stack(), losses.stack()

    p0 = tf.constant(np.repeat(np.asarray(start, dtype=float)[:, None], len(rates), axis=1), dtype)
    points, losses = run(p0, tf.constant(rates, dtype))
    return np.transpose(points.numpy().astype(float), (2, 0, 1)), losses.numpy().astype(float).T


def browser_descent_explorer(
    f: Callable, start: tuple[float, float] = (0.25, -0.5), x_range: tuple[float, float] = (-1.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0), steps: int = 120, learning_rate: float = 0.01,
    method: str = "sgd", rates_per_decade: int = 4,
) -> ClientExplorer:
    """Gradient descent on ``f(x, y)`` in the browser: sliders for the optimiser and the learning rate.

    Each optimiser's paths for every learning rate on the slider (``rates_per_decade`` per
    power of ten from 1e-4 to 10^0.5) come from one compiled TensorFlow loop over all of
    them at once. Left: the path on the contours; right: the loss per step.

    Examples
    --------
    >>> explorer = browser_descent_explorer(lambda x, y: x ** 2 + y ** 2, start=(0.5, 0.5), steps=10)
    >>> explorer.array("method").tolist()
    ['sgd', 'momentum', 'rmsprop', 'adam']
    """
    from gradlab.descent import BLOW_UP, METHODS

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    check_function(f, example="lambda x, y: x ** 2 + 10 * y ** 2")
    x_lo, x_hi = check_range(x_range)
    y_lo, y_hi = check_range(y_range, "y_range")
    start = check_point(start, "start")
    check_in_slider(start[0], x_lo, x_hi, "start's x", "x_range")
    check_in_slider(start[1], y_lo, y_hi, "start's y", "y_range")
    steps = check_count(steps, "steps", 1)
    rates_per_decade = check_at_most(check_count(rates_per_decade, "rates_per_decade", 1), 100,
                                     "rates_per_decade", "4 learning rates per power of ten is the default")
    rates = 10.0 ** np.arange(-4, 0.5 + 1e-9, 1 / rates_per_decade)
    points = len(METHODS) * len(rates) * (steps + 1)
    check_at_most(points, MAX_DESCENT_POINTS,
                  f"path points ({len(METHODS)} optimisers × {len(rates)} learning rates × (steps + 1))",
                  f"each is computed and sent to the browser (~30 bytes of HTML); use steps ≤ "
                  f"{MAX_DESCENT_POINTS // (len(METHODS) * len(rates)) - 1} or fewer rates_per_decade, or "
                  "gradlab.descent_explorer, which computes one path per move")
    learning_rate = check_scalar(learning_rate, "learning_rate")
    check_in_slider(learning_rate, float(rates[0]), float(rates[-1]), "learning_rate", "the log slider")
    start_rate = _snap(rates, learning_rate)
    z0, _, _ = partials(f, np.float32(start[0]), np.float32(start[1]))
    dtype = "float64" if np.asarray(z0).dtype == np.float64 else "float32"
    paths = np.empty((len(METHODS), len(rates), steps + 1, 2))
    losses = np.empty((len(METHODS), len(rates), steps + 1))
    with quiet_tracing():  # one trace per optimiser, by design
        for i, name in enumerate(METHODS):  # one vectorised call per optimiser
            try:
                paths[i], losses[i] = _batched_paths(f, start, name, rates, steps, dtype)
            except Exception as error:  # noqa: BLE001 - f that only runs on single numbers
                raise ValueError(
                    "browser_descent_explorer runs f on every learning rate at once (x and y are "
                    f"vectors inside one compiled loop), and f failed there ({type(error).__name__}). "
                    "Python `if`/`and`/`or` on x or y cannot do that: use tf.where(x > 0, a, b) instead, "
                    "or use gradlab.descent_explorer, which runs f one point at a time."
                ) from error
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(paths).all(axis=-1) & np.isfinite(losses) & (np.abs(paths).max(axis=-1) < BLOW_UP))
    # Like gradlab.descend: a path stops at its last good point.
    first_bad = np.where(bad.any(axis=-1), bad.argmax(axis=-1), steps + 1)

    X, Y = grid((x_lo, x_hi), (y_lo, y_hi), 80)
    Z, _, _ = partials(f, X, Y)
    finite_range(Z, "the square x_range × y_range")
    Zm, z_view, _ = typical_heights(Z)  # contours do not crowd round a pole
    fig = new_figure(style.FIGSIZE_WIDE)
    flat, loss_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    contours = flat.contour(X, Y, Zm, 10, cmap=style.CMAP_CONTOUR)
    flat.clabel(contours, fontsize=7, fmt="%.2f")
    flat.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="$x$", ylabel="$y$", title="descent path")
    # The loss axes fit the losses drawn (not f on the square), all of the default path's.
    drawn = np.arange(steps + 1) < first_bad[..., None]
    view = robust_limits(np.where(drawn, losses, np.nan), pad=0.08,
                         keep=losses[METHODS.index(method), start_rate, :first_bad[METHODS.index(method), start_rate]])
    loss_ax.set(xlim=(0, steps), ylim=view.limits, xlabel="step", ylabel="$f(x, y)$", title="loss")
    note_view(loss_ax, view)
    flat.plot(*start, "o", color=style.POINT)
    note_view(flat, z_view, "heights")
    _freeze(fig)
    width, height = fig.canvas.get_width_height()

    px, py = pixels(flat, paths[..., 0], paths[..., 1], height)
    shape = first_bad.shape
    path_str, loss_str, messages = (np.empty(shape, dtype=object) for _ in range(3))
    end_x, end_y = np.full(shape, np.nan), np.full(shape, np.nan)
    for index in np.ndindex(shape):
        n = max(int(first_bad[index]), 1)
        # Cut to each panel as lines (breaks where they leave it): clamped ends would bend them.
        path_str[index] = path_in_axes(flat, paths[index][:n, 0], paths[index][:n, 1], height)
        loss_str[index] = path_in_axes(loss_ax, np.arange(n), losses[index][:n], height)
        end_x[index], end_y[index] = px[index][n - 1], py[index][n - 1]
        beyond = losses[index][:n][~view.contains(losses[index][:n])]
        off_panel = (f" <i>(the loss leaves the panel here: it reaches {beyond.min():.4g}"
                     + (f" to {beyond.max():.4g}" if beyond.size > 1 else "") + ")</i>") if beyond.size else ""
        name, rate = METHODS[index[0]], rates[index[1]]
        if first_bad[index] <= steps:
            messages[index] = (f"<b style='color:#b00'>Diverged.</b> {name} at learning rate {rate:g}: step "
                               f"{n} was not finite (or flew past {BLOW_UP:g}); the path stops at the last good "
                               "point. Try a smaller learning rate." + off_panel)
        else:
            (x, y), z = paths[index][-1], losses[index][-1]
            where = ("" if x_lo <= x <= x_hi and y_lo <= y <= y_hi
                     else "<b style='color:#b00'>Left the plotted region.</b> ")
            messages[index] = (f"{where}{name}, learning rate {rate:g}: after {steps} steps "
                               f"(x, y) = ({x:.4f}, {y:.4f}), f = {z:.4f}" + off_panel)
    arrays = {
        "method": Array((0,), np.array(METHODS, dtype=object), "str"), "lr": Array((1,), rates),
        "path": Array((0, 1), path_str, "str"), "loss": Array((0, 1), loss_str, "str"),
        "ex": Array((0, 1), end_x, "px"), "ey": Array((0, 1), end_y, "px"),
        "message": Array((0, 1), messages, "str"),
        "xend": Array((0, 1), paths[..., -1, 0]), "yend": Array((0, 1), paths[..., -1, 1]),
    }
    red = color(style.TANGENT)
    elements = [
        ("path", "path", {"fill": "none", "stroke": red, "stroke-width": 1.6, "clip": "flat"}, {"d": "path"}),
        ("circle", "end", {"r": 5, "fill": red, "stroke": "black", "clip": "flat"}, {"cx": "ex", "cy": "ey"}),
        ("path", "loss", {"fill": "none", "stroke": red, "stroke-width": 1.6, "clip": "loss"}, {"d": "loss"}),
    ]
    sliders = [Slider("method", "optimiser", np.arange(len(METHODS)), METHODS.index(method), "{method}"),
               Slider("lr", "learning rate", rates, start_rate, "learning rate {lr:4}")]
    alt = (f"Left: contour lines of f(x, y) with the path gradient descent takes from ({start[0]:g}, {start[1]:g}) "
           f"over {steps} steps, for the optimiser and learning rate chosen by the sliders. Right: the loss "
           "f(x, y) at each step." + _view_sentence(view, "diverging paths"))
    i0, k0 = METHODS.index(method), start_rate
    explorer = build(
        fig, "descent", alt, sliders, arrays, elements, readout="{message}", undefined="{message}",
        clips={"flat": axes_clip(flat, height), "loss": axes_clip(loss_ax, height)},
        maps={"flat": axes_map(flat, height), "loss": axes_map(loss_ax, height)},
        kernel=lambda: _kernel("descent_explorer", f, tuple(start), (x_lo, x_hi), (y_lo, y_hi),
                               float(rates[k0]), steps, method),
    )

    def draw():
        n = max(int(first_bad[i0, k0]), 1)
        flat.plot(paths[i0, k0, :n, 0], paths[i0, k0, :n, 1], color=style.TANGENT, lw=1.6)
        flat.plot(paths[i0, k0, n - 1, 0], paths[i0, k0, n - 1, 1], "o", color=style.TANGENT, mec="black")
        loss_ax.plot(np.arange(n), losses[i0, k0, :n], color=style.TANGENT, lw=1.6)

    explorer.png = default_png(fig, draw)
    explorer.text = "browser_descent_explorer: " + re.sub(r"<[^>]+>", "", messages[i0, k0])
    return explorer
