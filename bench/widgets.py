"""Slider latency: value change → finished redraw (compute + Agg draw + the PNG sent).

For each explorer, the time from setting a control's value to the frame being encoded, over
a sweep of values, against the naive approach most tutorials use: an `interact` callback
that recomputes and re-plots a fresh figure, then renders it to PNG as the inline backend
would. Prints median and p95 in ms and the speed-up of the median.
"""

from __future__ import annotations

import io
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gradlab  # noqa: E402

MOVES = 60


def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def crate(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def timed(fn, values) -> list[float]:
    times = []
    for v in values:
        start = time.perf_counter()
        fn(v)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def naive_tangent(x0: float) -> None:
    """What an `interact(plot, x0=...)` tutorial does on each move."""
    xs = np.linspace(0.05, 2 * np.pi, 400)
    x = tf.constant(xs)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tangent_f(x)
    dy = tape.gradient(y, x)
    y0, slope = gradlab.derivative(tangent_f, x0)
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(xs, y, label="f")
    ax.plot(xs, dy, "--", label="f'")
    ax.plot(xs, slope * (xs - x0) + y0, "r")
    ax.plot([x0], [y0], "ko")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def naive_gradient(x0: float) -> None:
    X, Y = gradlab.grid((-1, 1), (-1, 1), 60)
    Z, _, _ = gradlab.partials(crate, X, Y)
    z, zx, zy = gradlab.partials(crate, x0, -0.5)
    fig = plt.figure(figsize=(10, 4), dpi=100)
    ax = fig.add_subplot(1, 2, 1)
    ax.clabel(ax.contour(X, Y, Z, 12), fontsize=7)
    ax.annotate("", (x0 + 0.1 * zx, -0.5 + 0.1 * zy), (x0, -0.5), arrowprops={"arrowstyle": "->"})
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    ax3.plot_surface(X, Y, Z, alpha=0.6)
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def naive_descent(lr: float) -> None:
    X, Y = gradlab.grid((-1, 1), (-1, 1), 80)
    Z, _, _ = gradlab.partials(crate, X, Y)
    run = gradlab.descend(crate, (0.25, -0.5), "sgd", lr, 120)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    a.clabel(a.contour(X, Y, Z, 10), fontsize=7)
    a.plot(run.points[:, 0], run.points[:, 1], "r.-")
    b.plot(run.losses)
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def naive_power(x: float) -> None:
    xs = np.linspace(-3, 3, 401)
    _, slope = gradlab.derivative(lambda t: t**3, x)
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(xs, xs**3)
    ax.plot(xs, float(slope) * (xs - x) + x**3, "r")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def rate_sweep(explorer, low: float, high: float) -> np.ndarray:
    """MOVES learning rates from the slider's own grid, back and forth between ``low`` and ``high``."""
    rates = np.array([v for _, v in explorer.controls["lr"].options])
    rates = rates[(rates >= low) & (rates <= high)]
    sweep = np.concatenate([rates, rates[-2:0:-1]])
    return np.resize(sweep, MOVES)


def cases():
    tangent = gradlab.tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=4.1)
    power = gradlab.power_rule_explorer()
    gradient = gradlab.gradient_explorer(crate, point=(0.25, -0.5))
    descent = gradlab.descent_explorer(crate)

    def setter(explorer, name):
        def set_value(v):
            explorer.controls[name].value = float(v)
        return set_value

    xs = np.linspace(0.3, 6.0, MOVES)
    return [
        ("tangent_explorer (1-D)", setter(tangent, "x0"), naive_tangent, xs, 16),
        ("power_rule_explorer (1-D)", setter(power, "x"), naive_power, np.linspace(-2.5, 2.5, MOVES), 16),
        ("gradient_explorer (2-D)", setter(gradient, "x0"), naive_gradient, np.linspace(-0.9, 0.9, MOVES), 50),
        ("descent_explorer (2-D)", setter(descent, "lr"), naive_descent, rate_sweep(descent, 0.001, 0.3), 50),
    ]


def main() -> list[dict]:
    rows = []
    print(f"\nSlider latency over {MOVES} moves (ms; compute + draw + PNG)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'explorer':<28}{'median':>8}{'p95':>8}{'target':>8}{'naive med':>11}{'speed-up':>10}")
    for name, fast, naive, values, target in cases():
        fast(values[0]), naive(values[0])  # warm caches and compiled functions first
        ours = timed(fast, values)
        theirs = timed(naive, values[:: max(1, MOVES // 20)])
        med, p95 = statistics.median(ours), float(np.percentile(ours, 95))
        naive_med = statistics.median(theirs)
        print(f"{name:<28}{med:8.1f}{p95:8.1f}{target:8d}{naive_med:11.1f}{naive_med / med:9.1f}×")
        rows.append({"name": name, "median": med, "p95": p95, "naive": naive_med, "target": target})
    write(rows)
    return rows


def write(rows: list[dict]) -> None:
    from report import table, write_section

    body = [[r["name"], f"{r['median']:.1f}", f"{r['p95']:.1f}", f"≤ {r['target']}", f"{r['naive']:.1f}",
             f"{r['naive'] / r['median']:.1f}×"] for r in rows]
    load = os.getloadavg()[0]
    write_section("widgets", (
        f"Kernel side only, {MOVES} moves: compute, draw on the Agg canvas, encode the PNG. Load average "
        f"{load:.1f} on {os.cpu_count()} cores when measured.\n\n"
        + table(["explorer", "median ms", "p95 ms", "target", "naive median ms", "speed-up"], body)))


if __name__ == "__main__":
    main()
