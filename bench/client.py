"""Browser explorers: precompute time (the one tape call), build time, and payload sizes.

Budgets (issue 15): a 1-D explorer's HTML under 100 kB; the tape call over every slider
position under 1 s. Build time adds matplotlib drawing the static figure (twice: the
background, and the default state's PNG for pages that run no script).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gradlab  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import table, write_section  # noqa: E402


def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def crate(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def cases():
    low, high = 0.05, 2 * np.pi
    xs = np.concatenate([np.linspace(low, high, 400), np.linspace(low, high, 401)])
    powers = np.arange(-3, 7)[:, None].astype(float)
    grid_x = np.broadcast_to(np.linspace(-3, 3, 201), (10, 201))
    sx, sy = np.meshgrid(np.linspace(-1, 1, 31), np.linspace(-1, 1, 31), indexing="ij")
    yield ("tangent (04), 1-D, 401 positions", lambda: gradlab.derivative(tangent_f, xs),
           lambda: gradlab.browser_tangent_explorer(tangent_f, (low, high), x0=4.1))
    yield ("power rule (02), 10 × 201 positions", lambda: gradlab.derivative(lambda t: t ** powers, grid_x),
           lambda: gradlab.browser_power_rule_explorer(n=3, x=2.0))
    from gradlab.widgets.descent import batched_paths as _batched_paths

    rates = 10.0 ** np.arange(-4, 0.5 + 1e-9, 0.25)
    yield ("descent (05), 4 optimisers × 19 rates × 121 steps (tape incl. tracing)",
           lambda: [_batched_paths(crate, (0.25, -0.5), m, rates, 120, "float32")
                    for m in ("sgd", "momentum", "rmsprop", "adam")],
           lambda: gradlab.browser_descent_explorer(crate, start=(0.25, -0.5), steps=120))
    yield ("gradient (03), 31 × 31 positions", lambda: gradlab.partials(crate, sx, sy),
           lambda: gradlab.browser_gradient_explorer(crate, point=(0.25, -0.5)))


def best(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> list[dict]:
    rows = []
    print("\nBrowser explorers: tape call, whole build, payload")
    for name, tape, build in cases():
        tape(), build()  # warm: TensorFlow's first call, matplotlib's font cache
        tape_s = best(tape)
        build_s = statistics.median(best(build, 1) for _ in range(3))
        explorer = build()
        row = {"name": name, "tape": tape_s, "build": build_s, "html": explorer.payload_bytes / 1e3,
               "png": len(explorer.png) / 1e3}
        print(f"{name:<40}{tape_s * 1e3:8.1f} ms{build_s:8.2f} s{row['html']:8.1f} kB{row['png']:8.1f} kB")
        rows.append(row)
    write_section("client", (
        "Measured by `bench/client.py`. \"tape\" is the one TensorFlow call over every slider position "
        "(best of 3); \"build\" is the whole explorer (tape, static figure drawn, PNGs encoded; median of 3); "
        "\"HTML\" is everything the page receives (picture, numbers, script); \"fallback PNG\" is the "
        "default-state picture beside it for front ends that show no HTML.\n\n"
        + table(["explorer", "tape ms", "build s", "HTML kB", "fallback PNG kB"],
                [[r["name"], f"{r['tape'] * 1e3:.1f}", f"{r['build']:.2f}", f"{r['html']:.1f}", f"{r['png']:.1f}"]
                 for r in rows])
        + "\n\nBudgets: a 1-D explorer's HTML under 100 kB; precompute under 1 s."))
    return rows


if __name__ == "__main__":
    main()
