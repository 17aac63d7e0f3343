"""The 120-frame SGD animation: gradlab's path player vs matplotlib's FuncAnimation.to_jshtml.

The source tutorial stepped the optimiser inside the animation callback and redrew the whole
contour plot for every frame. We time that (as `to_jshtml`, since there is no ffmpeg here)
against computing the path once and sending the background once with the path as numbers.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import tensorflow as tf  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

import gradlab  # noqa: E402

FRAMES = 120


def f(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def source_style() -> tuple[float, int]:
    start = time.perf_counter()
    X, Y = gradlab.grid((-1, 1), (-1, 1), 100)
    Z, _, _ = gradlab.partials(f, X, Y)
    x, y = tf.Variable(0.25), tf.Variable(-0.5)
    optimizer = tf.keras.optimizers.SGD(0.01)
    xs, ys = [0.25], [-0.5]
    fig, ax = plt.subplots(figsize=(6.4, 4.8))

    def frame(_i):
        with tf.GradientTape() as tape:
            loss = f(x, y)
        optimizer.apply_gradients(zip(tape.gradient(loss, [x, y]), [x, y], strict=True))
        xs.append(float(x.numpy()))
        ys.append(float(y.numpy()))
        ax.clear()
        ax.clabel(ax.contour(X, Y, Z, 10), fontsize=8)
        ax.plot(xs, ys, "r.-")

    html = FuncAnimation(fig, frame, frames=FRAMES, interval=20).to_jshtml()
    plt.close(fig)
    return time.perf_counter() - start, len(html)


def gradlab_style() -> tuple[float, int]:
    start = time.perf_counter()
    X, Y = gradlab.grid((-1, 1), (-1, 1), 100)
    Z, _, _ = gradlab.partials(f, X, Y)
    path = gradlab.descend(f, (0.25, -0.5), "sgd", 0.01, FRAMES)
    fig, ax = gradlab.plot_contour(X, Y, Z, levels=10)
    html = gradlab.path_player(ax, {"SGD": path.points}).html
    return time.perf_counter() - start, len(html)


def main() -> dict:
    matplotlib.rcParams["animation.embed_limit"] = 100  # MB: let to_jshtml keep every frame
    ours = gradlab_style()
    theirs = source_style()
    print(f"\nSGD animation, {FRAMES} frames")
    print(f"{'approach':<44}{'seconds':>9}{'HTML size':>12}")
    print(f"{'source: optimiser step + full redraw per frame':<44}{theirs[0]:9.2f}{theirs[1] / 1e6:10.2f} MB")
    print(f"{'gradlab: path once, SVG player':<44}{ours[0]:9.2f}{ours[1] / 1e6:10.2f} MB")
    print(f"gradlab is {theirs[0] / ours[0]:.0f}× faster and {theirs[1] / ours[1]:.0f}× smaller")
    from report import table, write_section

    write_section("animation", table(["approach", "seconds", "HTML size"], [
        ["the source's: an optimiser step and a full redraw per frame, `FuncAnimation.to_jshtml`",
         f"{theirs[0]:.2f}", f"{theirs[1] / 1e6:.2f} MB"],
        ["gradlab: path computed once, `path_player`", f"{ours[0]:.2f}", f"{ours[1] / 1e6:.2f} MB"],
    ]) + f"\n\n{theirs[0] / ours[0]:.0f}× faster, {theirs[1] / ours[1]:.0f}× smaller.")
    return {"source": theirs, "gradlab": ours}


if __name__ == "__main__":
    main()
