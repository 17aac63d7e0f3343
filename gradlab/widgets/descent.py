"""descent_explorer: learning rate, steps, optimiser and start point; path and loss follow."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_function, check_in_slider, check_point, check_scalar
from gradlab.calculus import partials
from gradlab.descent import METHODS, Trajectory, descend
from gradlab.plots import grid, note_view, typical_heights
from gradlab.view import check_at_most
from gradlab.widgets.base import BlitFigure, Explorer, finite_range, new_figure, slider

#: The steps slider's largest end: a move recomputes the whole path (~1 ms a step).
MAX_STEPS = 10_000

#: The learning-rate slider's range (log scale).
LR_LOW, LR_HIGH = 1e-4, 10**0.5


class DescentExplorer(Explorer):
    """See :func:`descent_explorer`."""

    def __init__(self, f, start, x_range, y_range, learning_rate, steps, method, max_steps):
        check_function(f, example="lambda x, y: x ** 2 + 10 * y ** 2")
        self.f = f
        X, Y = grid(x_range, y_range, 80)
        start = check_point(start, "start")
        check_in_slider(start[0], X.min(), X.max(), "start's x", "x_range")
        check_in_slider(start[1], Y.min(), Y.max(), "start's y", "y_range")
        max_steps = check_at_most(check_count(max_steps, "max_steps", minimum=1), MAX_STEPS,
                                  "max_steps (the steps slider's end)",
                                  "each move computes that many steps; 300 is the default")
        steps = check_count(steps, "steps", minimum=1)
        check_in_slider(steps, 1, max_steps, "steps", "1 to max_steps")
        learning_rate = check_scalar(learning_rate, "learning_rate")
        check_in_slider(learning_rate, LR_LOW, LR_HIGH, "learning_rate", "the log slider")
        Z, _, _ = partials(f, X, Y)
        finite_range(Z, "the square x_range × y_range")
        Zm, view, _ = typical_heights(Z)  # contours do not crowd round a pole
        self.x_range, self.y_range = (X.min(), X.max()), (Y.min(), Y.max())
        fig = new_figure(style.FIGSIZE_WIDE)
        flat, loss = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        contours = flat.contour(X, Y, Zm, 10, cmap=style.CMAP_CONTOUR)
        flat.clabel(contours, fontsize=7, fmt="%.2f")
        flat.set(xlim=self.x_range, ylim=self.y_range, xlabel="$x$", ylabel="$y$",
                 title="descent path")
        note_view(flat, view, "heights")
        # The loss axes fit the path shown (refit only when it changes: a refit redraws all).
        loss.set(xlabel="step", ylabel="$f(x, y)$", title="loss")
        self.loss_axes = loss
        (self.path,) = flat.plot([], [], ".-", color=style.TANGENT, ms=3, lw=1.2)
        (self.start,) = flat.plot([], [], "o", color=style.POINT)
        (self.end,) = flat.plot([], [], "*", color=style.TANGENT, ms=12)
        (self.loss,) = loss.plot([], [], color=style.TANGENT)
        controls = {
            "method": widgets.Dropdown(options=list(METHODS), value=method, description="optimiser"),
            "learning_rate": widgets.FloatLogSlider(
                value=learning_rate, base=10, min=np.log10(LR_LOW), max=np.log10(LR_HIGH), step=0.05,
                description="learning rate", readout_format=".4f",
                style={"description_width": "initial"}),
            "steps": widgets.IntSlider(value=steps, min=1, max=max_steps, description="steps"),
            "x0": slider("start $x$", start[0], *self.x_range, np.ptp(X) / 200, ".3f", name="x0"),
            "y0": slider("start $y$", start[1], *self.y_range, np.ptp(Y) / 200, ".3f", name="y0"),
        }
        super().__init__(BlitFigure(fig, [self.path, self.start, self.end, self.loss]), controls)
        self.trajectory: Trajectory | None = None
        self.refresh()

    def update_artists(self) -> str:
        v = self.values()
        path = self.trajectory = descend(
            self.f, (v["x0"], v["y0"]), v["method"], v["learning_rate"], v["steps"])
        self.path.set_data(path.points[:, 0], path.points[:, 1])
        self.start.set_data(path.points[:1, 0], path.points[:1, 1])
        self.end.set_data(path.points[-1:, 0], path.points[-1:, 1])
        self.loss.set_data(np.arange(len(path.losses)), path.losses)
        self._fit_loss_axes(v["steps"], path.losses)
        if path.diverged:
            return f"<b style='color:#b00'>Diverged.</b> {path.message}"
        (x_lo, x_hi), (y_lo, y_hi) = self.x_range, self.y_range
        x_end, y_end = path.points[-1]
        if not (x_lo <= x_end <= x_hi and y_lo <= y_end <= y_hi):
            return f"<b style='color:#b00'>Left the plotted region.</b> {path.message}"
        return path.message

    def _fit_loss_axes(self, steps: int, losses: np.ndarray) -> None:
        finite = losses[np.isfinite(losses)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        pad = 0.08 * (high - low) or 0.5 * max(abs(high), 1e-3)
        limits = ((0.0, float(max(steps, 1))), (low - pad, high + pad))
        current = getattr(self, "_loss_limits", None)
        if current is not None and current[0] == limits[0]:
            # Keep the axes while the new curve fits and fills much of them: a change of
            # limits means a full redraw (~90 ms) instead of a blit (~10 ms).
            lo, hi = current[1]
            if lo <= low and high <= hi and (high - low) >= 0.4 * (hi - lo):
                return
        if limits != current:
            self.loss_axes.set(xlim=limits[0], ylim=limits[1])
            self._loss_limits = limits
            self.blit.invalidate()

    def summary(self) -> str:
        return "descent_explorer: " + (self.trajectory.message if self.trajectory else "")


def descent_explorer(
    f: Callable, start: tuple[float, float] = (0.25, -0.5),
    x_range: tuple[float, float] = (-1.0, 1.0), y_range: tuple[float, float] = (-1.0, 1.0),
    learning_rate: float = 0.01, steps: int = 120, method: str = "sgd", max_steps: int = 300,
) -> DescentExplorer:
    """Explore gradient descent on ``f(x, y)``: the path on the contours and the loss per step.

    Controls: optimiser (SGD, momentum, RMSprop, Adam), learning rate (log slider),
    number of steps and the start point. A learning rate that makes the path blow up
    shows a "diverged" message and the path up to its last finite point.

    Examples
    --------
    >>> import tensorflow as tf
    >>> explorer = descent_explorer(lambda x, y: x ** 2 + y ** 2, start=(0.5, 0.5), steps=10)
    >>> explorer.controls["learning_rate"].value = 0.5
    >>> explorer.trajectory.points[-1].tolist()
    [0.0, 0.0]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    return DescentExplorer(f, start, x_range, y_range, learning_rate, steps, method, max_steps)
