"""The gradient explorer: sliders for (x₀, y₀); the gradient arrow on contours, the tangent plane (both forms)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_function, check_in_slider, check_point, check_range
from gradlab.calculus import partials, state_key
from gradlab.plots import grid, note_view, typical_heights
from gradlab.view import check_at_most, clip_polygons
from gradlab.widgets.base import finite_range
from gradlab.widgets.scene import Arrow, Control, Description, Dot, Dot3D, Look, Polygon3D, snap

__all__ = ["browser_gradient_explorer", "gradient_description", "gradient_explorer"]

#: (x0, y0) slider positions (~170 bytes of HTML each in the browser form).
MAX_GRADIENT_POSITIONS = 101**2


def on_grid(f: Callable, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, ...]:
    """``partials(f, X, Y)`` over a whole grid; an f written for single numbers is told what to change."""
    try:
        return partials(f, X, Y)
    except (ValueError, TypeError) as error:
        text = str(error)
        if "truth value" not in text and "as a Python `bool`" not in text:
            raise
        raise ValueError(
            f"{text.splitlines()[0]}. The picture needs f on a whole grid of (x, y) at once, and Python "
            "`if`/`and`/`or` on x or y cannot do that: use tf.where(x > 0, a, b) instead.") from error


def gradient_description(f: Callable, x_range, y_range, point, n: int = 60, steps: int = 30) -> Description:
    """What the gradient explorer draws: contours and surface (static); arrow, plane and dots (moving).

    The arrow's scale is fixed by the steepest gradient on the contour grid (a quarter of the
    narrower side); one that would leave the axes is shortened, same direction, to end inside.
    """
    check_function(f, example="lambda x, y: x ** 2 + y ** 2")
    x_lo, x_hi = check_range(x_range)
    y_lo, y_hi = check_range(y_range, "y_range")
    steps = check_count(steps, "steps", 1)
    point = ((x_lo + x_hi) / 2, (y_lo + y_hi) / 2) if point is None else check_point(point, "point")
    check_in_slider(point[0], x_lo, x_hi, "point's x", "x_range")
    check_in_slider(point[1], y_lo, y_hi, "point's y", "y_range")
    gx, gy = np.linspace(x_lo, x_hi, steps + 1), np.linspace(y_lo, y_hi, steps + 1)
    i0, j0 = snap(gx, point[0]), snap(gy, point[1])
    X, Y = grid((x_lo, x_hi), (y_lo, y_hi), n)
    Z, Zx, Zy = on_grid(f, X, Y)  # one tape over the whole grid, once
    finite_range(Z, "the square x_range × y_range")
    Zm, z_view, _ = typical_heights(Z)  # a pole (x / y) is cut, not a flat sheet with a spike
    with np.errstate(invalid="ignore", over="ignore"):
        # Only where f itself is finite: no arrow is drawn elsewhere, so none sets the scale.
        norms = np.hypot(*(np.where(np.isfinite(g) & np.isfinite(Z), g, 0.0) for g in (Zx, Zy)))
    side = min(x_hi - x_lo, y_hi - y_lo)
    scale = 0.25 * side / (float(norms.max()) or 1.0)
    pad = 0.05 * side  # a margin round the slider's square: a dot at a corner stays whole
    half = 0.15 * side  # the tangent plane's half width
    z_low, z_high = float(np.nanmin(Zm)), float(np.nanmax(Zm))
    z_high += 1.0 if z_high == z_low else 0.0

    def draw_static(fig):
        flat = fig.add_subplot(1, 2, 1)
        contours = flat.contour(X, Y, Zm, 12, cmap=style.CMAP_CONTOUR)
        flat.clabel(contours, fontsize=7, fmt="%.2f")
        flat.set(xlabel="$x$", ylabel="$y$", title=r"contours and $\nabla f$", xlim=(x_lo - pad, x_hi + pad),
                 ylim=(y_lo - pad, y_hi + pad))
        flat.set_aspect("equal", adjustable="box")  # equal units: the arrow meets contours at 90°
        note_view(flat, z_view, "heights")
        solid = fig.add_subplot(1, 2, 2, projection="3d")
        solid.plot_surface(X, Y, Zm, cmap=style.CMAP_SURFACE, alpha=0.6, edgecolor="none")
        solid.set(xlabel="$x$", ylabel="$y$", title="surface and tangent plane")
        solid.set_zlim(z_low, z_high)
        return {"flat": flat, "solid": solid}

    def compute(state):
        x0, y0 = np.broadcast_arrays(np.asarray(state["x0"], dtype=float), np.asarray(state["y0"], dtype=float))
        z, zx, zy = (np.asarray(v, dtype=float) for v in partials(f, x0, y0))
        ok = np.isfinite(z) & np.isfinite(zx) & np.isfinite(zy)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            dx, dy = scale * zx, scale * zy
            # Near an edge an arrow that would leave the axes is shortened (same direction).
            room_x = np.where(dx > 0, (x_hi + 0.8 * pad - x0) / dx, np.where(dx < 0, (x_lo - 0.8 * pad - x0) / dx, 1))
            room_y = np.where(dy > 0, (y_hi + 0.8 * pad - y0) / dy, np.where(dy < 0, (y_lo - 0.8 * pad - y0) / dy, 1))
            shrink = np.clip(np.minimum(room_x, room_y), 0.0, 1.0)
            shrink = np.where(np.isfinite(shrink), shrink, 1.0)
            corners = np.array([(-half, -half), (half, -half), (half, half), (-half, half)])
            plane = np.stack([x0[..., None] + corners[:, 0], y0[..., None] + corners[:, 1],
                              z[..., None] + zx[..., None] * corners[:, 0] + zy[..., None] * corners[:, 1]], axis=-1)
            hide = np.where(ok, 0.0, np.nan)  # NaN: no arrow, plane or 3-D dot where f is undefined
            tip = (x0 + shrink * dx + hide, y0 + shrink * dy + hide)
        return {
            "z": z, "zx": zx, "zy": zy, "norm": np.hypot(zx, zy),
            # A shortened arrow's length no longer reads as |∇f|: say so under the picture.
            "fit": np.where(ok & (shrink < 0.999), " &nbsp; <i>(arrow shortened to fit the plot)</i>", ""),
            "arrow": (x0 + hide, y0 + hide, *tip),
            "point": (x0, y0),  # the point is shown even where f is undefined (no arrow then)
            # Cut to the surface's box: a square round the point hung out of it at the edges.
            # An axis-aligned square cut by the x and y faces stays a rectangle; the two z faces add
            # a corner each at most: 6 corners.
            "plane": clip_polygons(plane + hide[..., None, None], (x_lo, x_hi, y_lo, y_hi, z_low, z_high), 6),
            "point3d": (x0, y0, z + hide),
        }

    red = style.TANGENT
    return Description(
        "gradient", draw_static,
        [Control("x0", "x₀", gx, i0, "{x0:3}"), Control("y0", "y₀", gy, j0, "{y0:3}")],
        [Polygon3D("plane", "solid", Look(red, alpha=0.5)),
         Dot3D("point3d", "solid", Look(style.POINT, ms=6)),
         Arrow("arrow", "flat", Look(red, lw=2.0)),
         Dot("point", "flat", Look(style.POINT, ms=7))],
        compute,
        readout=("(x<sub>0</sub>, y<sub>0</sub>) = ({x0:3}, {y0:3}) &nbsp; f = {z:6} &nbsp; "
                 "∂f/∂x = <span class='dfdx'>{zx:6}</span> &nbsp; ∂f/∂y = <span class='dfdy'>{zy:6}</span>"
                 " &nbsp; |∇f| = {norm:6}{fit}"),
        undefined="<b style='color:#b00'>f or its gradient is undefined at ({x0:3}, {y0:3}) "
                  "(not a finite number): move the sliders</b>",
        alt=(f"Left: contour lines of f(x, y) for x from {x_lo:g} to {x_hi:g} and y from {y_lo:g} to {y_hi:g}, "
             "with an arrow showing the gradient at the point (x₀, y₀) chosen by the sliders. Right: the "
             "surface z = f(x, y) with the tangent plane at that point."),
        summary="gradient_explorer: (x0, y0) = ({x0:3}, {y0:3}), f = {z:6}, df/dx = {zx:6}, df/dy = {zy:6}",
        figsize=style.FIGSIZE_WIDE,
        key=lambda: state_key(f),
        function=f,
        rebuild=lambda _state: gradient_description(f, (x_lo, x_hi), (y_lo, y_hi), point, n, steps),
        aliases={"z": "z", "dz_dx": "zx", "dz_dy": "zy"},
    )


def gradient_explorer(
    f: Callable, x_range: tuple[float, float] = (-1.0, 1.0), y_range: tuple[float, float] = (-1.0, 1.0),
    point: tuple[float, float] | None = None, n: int = 60, steps: int = 200,
):
    """Explore the gradient of ``f(x, y)`` with two sliders for the point ``(x0, y0)`` (kernel form).

    Left: labelled contours with the gradient arrow at the point. Right: the surface with
    the tangent plane ``z = f + f_x (x - x0) + f_y (y - y0)``.

    Examples
    --------
    >>> explorer = gradient_explorer(lambda x, y: x ** 2 + y ** 2, point=(0.5, 0.0))
    >>> round(explorer.dz_dx, 6), round(explorer.dz_dy, 6)
    (1.0, 0.0)
    """
    from gradlab.widgets.kernel import render_kernel

    return render_kernel(gradient_description(f, x_range, y_range, point, n, steps))


def browser_gradient_explorer(
    f: Callable, x_range: tuple[float, float] = (-1.0, 1.0), y_range: tuple[float, float] = (-1.0, 1.0),
    point: tuple[float, float] | None = None, n: int = 60, steps: int = 30,
):
    """Explore the gradient of ``f(x, y)`` in the browser: sliders for ``x0`` and ``y0``.

    All ``(steps + 1)²`` points come from one tape call; the tangent plane's corners are
    projected to the screen by the 3-D axes' own matrix.

    Examples
    --------
    >>> explorer = browser_gradient_explorer(lambda x, y: x ** 2 + y ** 2, point=(0.5, 0.0), steps=20)
    >>> float(explorer.array("zx", full=True)[15, 10]), float(explorer.array("zy", full=True)[15, 10])
    (1.0, 0.0)
    """
    from gradlab.widgets.svg import render_browser

    check_at_most((check_count(steps, "steps", 1) + 1) ** 2, MAX_GRADIENT_POSITIONS,
                  "slider positions, (steps + 1)² (each one's arrow and plane is sent to the browser)",
                  f"use steps ≤ {int(MAX_GRADIENT_POSITIONS ** 0.5) - 1} (the default is 30)")
    return render_browser(gradient_description(f, x_range, y_range, point, n, steps))
