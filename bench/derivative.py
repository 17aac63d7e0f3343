"""Derivative of f(x) = 5 sin 2x + x² over a 10⁶-point grid, four ways.

gradlab's one-tape call (eager, and compiled with gradlab.compiled_derivative), a bare
tf.function, a per-point Python loop of tapes
(timed on 2,000 points and scaled, since 10⁶ tapes would take minutes), and the closed form
in NumPy, the floor. Prints seconds and ratios.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gradlab  # noqa: E402

N = 1_000_000
LOOP_SAMPLE = 2_000


def f(x):
    return 5 * tf.sin(2 * x) + x**2


def best(fn, repeat=5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@tf.function
def compiled(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return y, tape.gradient(y, x)


def per_point(xs):
    out = []
    for v in xs:
        x = tf.constant(v)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        out.append(tape.gradient(y, x))
    return out


def main() -> dict:
    xs = np.linspace(-5, 5, N, dtype=np.float32)
    x_tf = tf.constant(xs)
    compiled(x_tf)  # trace once
    fast = gradlab.compiled_derivative(f)
    fast(xs)
    _, dy = gradlab.derivative(f, xs)
    assert np.allclose(dy, 10 * np.cos(2 * xs) + 2 * xs, atol=1e-3)
    t = {
        "closed-form NumPy (floor)": best(lambda: 10 * np.cos(2 * xs) + 2 * xs),
        "gradlab.derivative (one tape, eager)": best(lambda: gradlab.derivative(f, xs)),
        "gradlab.compiled_derivative": best(lambda: fast(xs)),
        "one tape in a bare tf.function": best(lambda: [v.numpy() for v in compiled(x_tf)]),
        "per-point loop of tapes (scaled)": best(lambda: per_point(xs[:LOOP_SAMPLE]), 1) * N / LOOP_SAMPLE,
    }
    floor, tape_time = t["closed-form NumPy (floor)"], t["gradlab.compiled_derivative"]
    print(f"\nDerivative over {N:,} points (best of 5; the loop timed on {LOOP_SAMPLE:,} points and scaled)")
    print(f"{'method':<36}{'seconds':>10}{'vs NumPy':>10}")
    for name, seconds in t.items():
        print(f"{name:<36}{seconds:10.4f}{seconds / floor:9.1f}×")
    print(f"compiled one tape vs closed form: {tape_time / floor:.1f}× (target ≤ 3×); "
          f"per-point loop vs one tape: {t['per-point loop of tapes (scaled)'] / tape_time:,.0f}× slower "
          "(target ≥ 100×)")
    write(t)
    return t


def write(t: dict) -> None:
    from report import table, write_section

    floor, tape = t["closed-form NumPy (floor)"], t["gradlab.compiled_derivative"]
    loop = t["per-point loop of tapes (scaled)"]
    rows = [[name, f"{seconds:.4f}", f"{seconds / floor:,.1f}×", f"{seconds / tape:,.1f}×"]
            for name, seconds in t.items()]
    write_section("derivative", (
        f"f(x) = 5 sin 2x + x², float32, {N:,} points, best of 5; the per-point loop is timed on "
        f"{LOOP_SAMPLE:,} points and scaled. Both ratio columns come from the same timings.\n\n"
        + table(["method", "seconds", "vs NumPy", "vs compiled tape"], rows)
        + f"\n\nTargets: one compiled tape within 3× of NumPy ({tape / floor:.1f}×), and the per-point "
        f"loop at least 100× slower than one tape ({loop / tape:,.0f}× slower than the compiled tape, "
        f"{loop / floor:,.0f}× slower than NumPy)."))


if __name__ == "__main__":
    main()
