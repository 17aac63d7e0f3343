"""The descent explorer: optimiser and learning rate (and, in the kernel, steps and start); path and loss.

The browser form computes every optimiser's path for every learning rate on its slider in one
compiled loop per optimiser (:func:`batched_paths`); the kernel form computes one path per move
(:func:`gradlab.descend`) and adds sliders for the steps and the start. Both draw the same
description: the loss panel's axes are fixed from it (f over the plotted square and the default
path's losses), so a move never redraws the figure, and a loss beyond them is said in the readout.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import style
from gradlab._validate import check_count, check_function, check_in_slider, check_point, check_scalar
from gradlab.calculus import partials, quiet_tracing, state_key
from gradlab.descent import BLOW_UP, METHODS, descend
from gradlab.plots import grid, note_view, typical_heights
from gradlab.view import View, check_at_most, robust_limits
from gradlab.widgets.base import finite_range
from gradlab.widgets.gradient import on_grid
from gradlab.widgets.readout import keep_together
from gradlab.widgets.scene import Control, Description, Dot, Look, Path, snap
from gradlab.widgets.tangent import view_sentence

__all__ = ["batched_paths", "browser_descent_explorer", "descent_description", "descent_explorer"]

#: The steps slider's largest end in the kernel form: a move recomputes the whole path.
MAX_STEPS = 10_000
#: Path points of the browser form: optimisers × learning rates × (steps + 1).
MAX_DESCENT_POINTS = 100_000
#: The learning-rate slider's range (log scale).
LR_LOW, LR_HIGH = 1e-4, 10**0.5


def batched_paths(f: Callable, start, method: str, rates: np.ndarray, steps: int, dtype):
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


def message(method: str, rate: float, steps: int, points: np.ndarray, losses: np.ndarray, diverged: bool,
            view: View, box: tuple[float, float, float, float]) -> str:
    """The readout for one path (``points``/``losses`` up to its last good point)."""
    beyond = losses[~view.contains(losses)]
    off_panel = (f" <i>(the loss leaves the panel here: it reaches {beyond.min():.4g}"
                 + (f" to {beyond.max():.4g}" if beyond.size > 1 else "") + ")</i>") if beyond.size else ""
    if diverged:
        return (f"<b style='color:#b00'>Diverged.</b> {method} at learning rate {rate:g}: step {len(points)} was "
                f"not finite (or flew past {BLOW_UP:g}); the path stops at the last good point. Try a smaller "
                "learning rate." + off_panel)
    (x, y), z = points[-1], losses[-1]
    x_lo, x_hi, y_lo, y_hi = box
    where = "" if x_lo <= x <= x_hi and y_lo <= y <= y_hi else "<b style='color:#b00'>Left the plotted region.</b> "
    return (f"{where}{method}, learning rate {rate:g}: after {steps} steps "
            + keep_together(f"(x, y) = ({x:.4f}, {y:.4f})") + ", " + keep_together(f"f = {z:.4f}") + off_panel)


def _rates(per_decade: int) -> np.ndarray:
    return 10.0 ** np.arange(np.log10(LR_LOW), np.log10(LR_HIGH) + 1e-9, 1 / per_decade)


def descent_description(
    f: Callable, start, x_range, y_range, learning_rate: float, steps: int, method: str, max_steps: int,
    rates_per_decade: int = 20,
) -> Description:
    """What the descent explorer draws: contours and loss axes (static); path, dots and loss (moving)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    check_function(f, example="lambda x, y: x ** 2 + 10 * y ** 2")
    X, Y = grid(x_range, y_range, 80)
    box = (float(X.min()), float(X.max()), float(Y.min()), float(Y.max()))
    start = check_point(start, "start")
    check_in_slider(start[0], box[0], box[1], "start's x", "x_range")
    check_in_slider(start[1], box[2], box[3], "start's y", "y_range")
    max_steps = check_at_most(check_count(max_steps, "max_steps", minimum=1), MAX_STEPS,
                              "max_steps (the steps slider's end)",
                              "each move computes that many steps; 300 is the default")
    steps = check_count(steps, "steps", minimum=1)
    check_in_slider(steps, 1, max_steps, "steps", "1 to max_steps")
    rates_per_decade = check_at_most(check_count(rates_per_decade, "rates_per_decade", 1), 100,
                                     "rates_per_decade", "4 learning rates per power of ten is the default")
    rates = _rates(rates_per_decade)
    check_in_slider(check_scalar(learning_rate, "learning_rate"), LR_LOW, LR_HIGH, "learning_rate", "the log slider")
    start_rate = snap(rates, learning_rate)
    Z, _, _ = on_grid(f, X, Y)
    finite_range(Z, "the square x_range × y_range")
    Zm, z_view, _ = typical_heights(Z)  # contours do not crowd round a pole
    default = descend(f, start, method, float(rates[start_rate]), steps)
    # The loss axes, fixed for every optimiser and rate: descent goes down from f(start) towards
    # the lowest f on the square; every loss of the default path is kept in view too.
    view = robust_limits([float(Zm.min()), default.losses[0]], pad=0.08, keep=default.losses)
    gx, gy = (np.linspace(lo, hi, 201) for lo, hi in ((box[0], box[1]), (box[2], box[3])))

    def draw_static(fig):
        flat, loss = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        contours = flat.contour(X, Y, Zm, 10, cmap=style.CMAP_CONTOUR)
        flat.clabel(contours, fontsize=7, fmt="%.2f")
        flat.set(xlim=box[:2], ylim=box[2:], xlabel="$x$", ylabel="$y$", title="descent path")
        note_view(flat, z_view, "heights")
        loss.set(xlim=(0, steps), ylim=view.limits, xlabel="step", ylabel="$f(x, y)$", title="loss")
        note_view(loss, view)
        return {"flat": flat, "loss": loss}

    def compute(state):
        rate, n_steps = float(state["lr"]), int(state["steps"])
        path = descend(f, (float(state["x0"]), float(state["y0"])), str(state["method"]), rate, n_steps)
        return _fields(path.points, path.losses, str(state["method"]), rate, n_steps, path.diverged,
                       view, box) | {"trajectory": path}

    def compute_grid(state):
        return _grid_fields(f, start, rates, steps, view, box)

    return Description(
        "descent", draw_static,
        [Control("method", "optimiser", np.array(METHODS, dtype=object), METHODS.index(method), "{method}",
                 kind="choice"),
         Control("lr", "learning rate", rates, start_rate, "{lr_text}", kind="log"),
         Control("steps", "steps", np.arange(1, max_steps + 1), steps - 1, "{steps}", kind="int", in_browser=False),
         Control("x0", "start x", gx, snap(gx, start[0]), "{x0:3}", in_browser=False),
         Control("y0", "start y", gy, snap(gy, start[1]), "{y0:3}", in_browser=False)],
        [Path("path", "flat", Look(style.TANGENT, lw=1.6)),
         Dot("start", "flat", Look(style.POINT, ms=7)),
         Dot("end", "flat", Look(style.TANGENT, ms=10, edge=style.POINT)),
         Path("loss", "loss", Look(style.TANGENT, lw=1.6))],
        compute,
        readout="{message}", undefined="{message}",
        alt=(f"Left: contour lines of f(x, y) with the path gradient descent takes from ({start[0]:g}, {start[1]:g}) "
             f"over {steps} steps, for the optimiser and learning rate chosen by the sliders. Right: the loss "
             "f(x, y) at each step." + view_sentence(view, "diverging paths")),
        summary="descent_explorer: {message}",
        figsize=style.FIGSIZE_WIDE,
        compute_grid=compute_grid,
        key=lambda: state_key(f),
        function=f,
        rebuild=lambda state: descent_description(
            f, (float(state["x0"]), float(state["y0"])), x_range, y_range, float(state["lr"]), int(state["steps"]),
            str(state["method"]), max_steps, rates_per_decade),
        rebuild_on=("steps", "x0", "y0"),
        aliases={"trajectory": "trajectory"},
    )


def _object(value) -> np.ndarray:
    array = np.empty((), dtype=object)
    array[()] = value
    return array


def _fields(points, losses, method, rate, steps, diverged, view, box) -> dict[str, object]:
    """One path's geometry and readout (the kernel's compute)."""
    n = len(points)
    return {
        "path": _object(points), "loss": _object(np.column_stack([np.arange(n), losses])),
        "start": (points[0, 0], points[0, 1]), "end": (points[-1, 0], points[-1, 1]),
        "xend": points[-1, 0], "yend": points[-1, 1], "lr_text": f"{rate:g}",
        "message": message(method, rate, steps, points, losses, diverged, view, box),
    }


def _grid_fields(f, start, rates, steps, view, box) -> dict[str, object]:
    """Every (optimiser, learning rate) path's geometry and readout (the browser's compute)."""
    dtype = "float64" if np.asarray(partials(f, np.float32(start[0]), np.float32(start[1]))[0]).dtype == np.float64 \
        else "float32"
    shape = (len(METHODS), len(rates))
    paths, losses = np.empty(shape + (steps + 1, 2)), np.empty(shape + (steps + 1,))
    with quiet_tracing():  # one trace per optimiser, by design
        for i, name in enumerate(METHODS):
            try:
                paths[i], losses[i] = batched_paths(f, start, name, rates, steps, dtype)
            except Exception as error:  # noqa: BLE001 - f that only runs on single numbers
                raise ValueError(
                    "browser_descent_explorer runs f on every learning rate at once (x and y are "
                    f"vectors inside one compiled loop), and f failed there ({type(error).__name__}). "
                    "Python `if`/`and`/`or` on x or y cannot do that: use tf.where(x > 0, a, b) instead, "
                    "or use gradlab.descent_explorer, which runs f one point at a time.") from error
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(paths).all(axis=-1) & np.isfinite(losses) & (np.abs(paths).max(axis=-1) < BLOW_UP))
    # Like gradlab.descend: a path stops at its last good point.
    good = np.where(bad.any(axis=-1), bad.argmax(axis=-1), steps + 1)
    out: dict[str, np.ndarray] = {}
    for index in np.ndindex(shape):
        n = max(int(good[index]), 1)
        one = _fields(paths[index][:n], losses[index][:n], METHODS[index[0]], float(rates[index[1]]), steps,
                      bool(good[index] <= steps), view, box)
        for key, value in one.items():
            value = value if isinstance(value, tuple) else (value,)
            slots = out.setdefault(key, tuple(np.empty(shape, dtype=object) for _ in value))
            for slot, v in zip(slots, value, strict=True):
                slot[index] = v.item() if isinstance(v, np.ndarray) and v.dtype == object else v
    result = {key: (tuple(s.astype(float) for s in slots) if len(slots) > 1 else slots[0])
              for key, slots in out.items()}
    for key in ("xend", "yend"):
        result[key] = result[key].astype(float)
    return result


def descent_explorer(
    f: Callable, start: tuple[float, float] = (0.25, -0.5),
    x_range: tuple[float, float] = (-1.0, 1.0), y_range: tuple[float, float] = (-1.0, 1.0),
    learning_rate: float = 0.01, steps: int = 120, method: str = "sgd", max_steps: int = 300,
):
    """Explore gradient descent on ``f(x, y)``: the path on the contours and the loss per step (kernel form).

    Controls: optimiser (SGD, momentum, RMSprop, Adam), learning rate (log slider, 20 a power
    of ten), number of steps and the start point. The loss axes are fixed (f at the start down
    to the lowest f on the square), so a move of the optimiser or the rate redraws only the
    moving lines; a move of the steps or the start redraws the loss axes. A learning rate that makes the path blow up
    shows a "diverged" message and the path up to its last finite point.

    Examples
    --------
    >>> explorer = descent_explorer(lambda x, y: x ** 2 + y ** 2, start=(0.5, 0.5), steps=10)
    >>> rates = [rate for _, rate in explorer.controls["lr"].options]  # 20 a power of ten
    >>> explorer.controls["lr"].value = min(rates, key=lambda rate: abs(rate - 0.5))
    >>> [round(float(v), 3) for v in explorer.trajectory.points[-1]]
    [0.0, 0.0]
    """
    from gradlab.widgets.kernel import render_kernel

    return render_kernel(descent_description(f, start, x_range, y_range, learning_rate, steps, method, max_steps))


def browser_descent_explorer(
    f: Callable, start: tuple[float, float] = (0.25, -0.5), x_range: tuple[float, float] = (-1.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0), steps: int = 120, learning_rate: float = 0.01,
    method: str = "sgd", rates_per_decade: int = 4,
):
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
    from gradlab.widgets.svg import render_browser

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    steps = check_count(steps, "steps", 1)
    per_decade = check_at_most(check_count(rates_per_decade, "rates_per_decade", 1), 100,
                               "rates_per_decade", "4 learning rates per power of ten is the default")
    n_rates = len(_rates(per_decade))
    check_at_most(len(METHODS) * n_rates * (steps + 1), MAX_DESCENT_POINTS,
                  f"path points ({len(METHODS)} optimisers × {n_rates} learning rates × (steps + 1))",
                  f"each is computed and sent to the browser (~30 bytes of HTML); use steps ≤ "
                  f"{MAX_DESCENT_POINTS // (len(METHODS) * n_rates) - 1} or fewer rates_per_decade, or "
                  "gradlab.descent_explorer, which computes one path per move")
    return render_browser(descent_description(f, start, x_range, y_range, learning_rate, steps, method,
                                              max_steps=steps, rates_per_decade=per_decade))
