"""gradient_explorer: sliders for (x0, y0); the gradient arrow on contours, the tangent plane."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.patches import FancyArrowPatch
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from gradlab import style
from gradlab._validate import check_function, check_in_slider, check_point, check_range
from gradlab.calculus import partials
from gradlab.plots import grid, note_view, typical_heights
from gradlab.widgets.base import BlitFigure, Explorer, finite_range, guarded, new_figure, slider


class GradientExplorer(Explorer):
    """See :func:`gradient_explorer`."""

    def __init__(self, f, x_range, y_range, point, n):
        check_function(f, example="lambda x, y: x ** 2 + y ** 2")
        self.f = f
        X, Y = grid(x_range, y_range, n)
        x0, y0 = check_point(point, "point")
        check_in_slider(x0, X.min(), X.max(), "point's x", "x_range")
        check_in_slider(y0, Y.min(), Y.max(), "point's y", "y_range")
        Z, Zx, Zy = partials(f, X, Y)  # one tape over the whole grid, once
        finite_range(Z, "the square x_range × y_range")
        Zm, view, _ = typical_heights(Z)  # a pole (x / y) is cut, not a flat sheet with a spike
        z_low, z_high = float(Zm.min()), float(Zm.max())
        self.x_range, self.y_range = (X.min(), X.max()), (Y.min(), Y.max())
        fig = new_figure(style.FIGSIZE_WIDE)
        flat = fig.add_subplot(1, 2, 1)
        contours = flat.contour(X, Y, Zm, 12, cmap=style.CMAP_CONTOUR)
        flat.clabel(contours, fontsize=7, fmt="%.2f")
        flat.set_xlabel("$x$")
        flat.set_ylabel("$y$")
        flat.set_title(r"contours and $\nabla f$")
        flat.set_aspect("equal", adjustable="box")  # equal units: the arrow meets contours at 90°
        note_view(flat, view, "heights")
        solid = fig.add_subplot(1, 2, 2, projection="3d")
        solid.plot_surface(X, Y, Zm, cmap=style.CMAP_SURFACE, alpha=0.6, edgecolor="none")
        solid.set_xlabel("$x$")
        solid.set_ylabel("$y$")
        solid.set_title("surface and tangent plane")
        solid.set_zlim(z_low, z_high + (1.0 if z_high == z_low else 0.0))
        # Arrow length: the steepest gradient on the grid draws a quarter of the narrower side.
        with np.errstate(invalid="ignore", over="ignore"):
            # Only where f itself is finite: no arrow is drawn elsewhere, so none sets the scale.
            norms = np.hypot(*(np.where(np.isfinite(g) & np.isfinite(Z), g, 0.0) for g in (Zx, Zy)))
        side = min(np.ptp(X), np.ptp(Y))
        self.arrow_scale = 0.25 * side / (float(norms.max()) or 1.0)
        self.plane_half = 0.15 * side
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=18,
                                     color=style.TANGENT, lw=2)
        flat.add_patch(self.arrow)
        (self.point,) = flat.plot([], [], "o", color=style.POINT)
        self.plane = Poly3DCollection([np.zeros((4, 3))], color=style.TANGENT, alpha=0.5)
        solid.add_collection3d(self.plane)
        (self.point3d,) = solid.plot([], [], [], "o", color=style.POINT)
        controls = {
            "x0": slider("$x_0$", x0, *self.x_range, np.ptp(X) / 200, ".3f", name="x0"),
            "y0": slider("$y_0$", y0, *self.y_range, np.ptp(Y) / 200, ".3f", name="y0"),
        }
        moving = [self.arrow, self.point, self.plane, self.point3d]
        super().__init__(BlitFigure(fig, moving), controls)
        self.z = self.dz_dx = self.dz_dy = float("nan")
        self.refresh()

    def update_artists(self) -> str:
        x0, y0 = (float(self.controls[k].value) for k in ("x0", "y0"))
        for artist in (self.arrow, self.point, self.plane, self.point3d):
            artist.set_visible(False)
        z, zx, zy = guarded(lambda: partials(self.f, x0, y0), f"f or its gradient at ({x0:.3f}, {y0:.3f})")
        self.z, self.dz_dx, self.dz_dy = float(z), float(zx), float(zy)
        tip = (x0 + self.arrow_scale * self.dz_dx, y0 + self.arrow_scale * self.dz_dy)
        self.arrow.set_positions((x0, y0), tip)
        self.point.set_data([x0], [y0])
        h = self.plane_half
        corners = np.array([(x0 - h, y0 - h), (x0 + h, y0 - h), (x0 + h, y0 + h), (x0 - h, y0 + h)])
        heights = self.z + self.dz_dx * (corners[:, 0] - x0) + self.dz_dy * (corners[:, 1] - y0)
        self.plane_vertices = np.column_stack([corners, heights])
        self.plane.set_verts([self.plane_vertices])
        self.point3d.set_data_3d([x0], [y0], [self.z])
        for artist in (self.arrow, self.point, self.plane, self.point3d):
            artist.set_visible(True)
        return (f"(x<sub>0</sub>, y<sub>0</sub>) = ({x0:.3f}, {y0:.3f}) &nbsp; f = {self.z:.6f} "
                f"&nbsp; ∂f/∂x = {self.dz_dx:.6f} &nbsp; ∂f/∂y = {self.dz_dy:.6f} &nbsp; "
                f"|∇f| = {np.hypot(self.dz_dx, self.dz_dy):.6f}")

    def summary(self) -> str:
        x0, y0 = (float(self.controls[k].value) for k in ("x0", "y0"))
        return (f"gradient_explorer: (x0, y0) = ({x0:.3f}, {y0:.3f}), f = {self.z:.6f}, "
                f"df/dx = {self.dz_dx:.6f}, df/dy = {self.dz_dy:.6f}")


def gradient_explorer(
    f: Callable, x_range: tuple[float, float] = (-1.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0), point: tuple[float, float] | None = None,
    n: int = 60,
) -> GradientExplorer:
    """Explore the gradient of ``f(x, y)`` with two sliders for the point ``(x0, y0)``.

    Left: labelled contours with the gradient arrow at the point (scaled so the steepest
    gradient on the grid is a quarter of the plot). Right: the surface with the tangent
    plane ``z = f + f_x (x - x0) + f_y (y - y0)``.

    Examples
    --------
    >>> explorer = gradient_explorer(lambda x, y: x ** 2 + y ** 2, point=(0.5, 0.0))
    >>> round(explorer.dz_dx, 6), round(explorer.dz_dy, 6)
    (1.0, 0.0)
    """
    if point is None:
        (x_low, x_high), (y_low, y_high) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
        point = ((x_low + x_high) / 2, (y_low + y_high) / 2)
    return GradientExplorer(f, x_range, y_range, point, n)
