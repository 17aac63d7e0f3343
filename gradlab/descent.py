"""Gradient-descent paths on f(x, y), fast enough to recompute on every slider move.

The update rules are Keras 3's (SGD, SGD with momentum 0.9, RMSprop, Adam with their default
hyper-parameters), checked step by step against ``tf.keras.optimizers`` in the tests. The whole
loop runs in one compiled ``tf.function`` per (function, method), so a 120-step path costs a few
milliseconds instead of one Python round trip per step. A compiled loop is reused only while
everything f reads from outside is unchanged (:func:`gradlab.calculus.state_key`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab._tf import tf
from gradlab._validate import check_count, check_scalar
from gradlab.calculus import is_tracked, quiet_tracing, state_key, value_and_partials

__all__ = ["METHODS", "Trajectory", "descend"]

METHODS = ("sgd", "momentum", "rmsprop", "adam")

#: Past this distance from the origin a path counts as diverged, even if still finite.
BLOW_UP = 1e6

#: Most optimiser steps one call takes: 1e5 steps run in about 2 s on one core (1e6 took 17 s
#: in the review); a path that needs more is better shown with a larger learning rate.
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Trajectory:
    """A descent path: ``points[k]`` is (x, y) after k steps and ``losses[k]`` is f there."""

    points: np.ndarray
    losses: np.ndarray
    method: str
    learning_rate: float
    diverged: bool

    @property
    def steps(self) -> int:
        """Steps actually taken (fewer than asked when the path diverged)."""
        return len(self.points) - 1

    @property
    def message(self) -> str:
        """One line for a reader: where the path ended, or that it diverged."""
        if self.diverged:
            return (
                f"{self.method} diverged at learning rate {self.learning_rate:g}: step "
                f"{self.steps + 1} was not finite (or flew past {BLOW_UP:g}); the path stops at "
                "the last good point. Try a smaller learning rate."
            )
        x, y = self.points[-1]
        return (
            f"{self.method}, learning rate {self.learning_rate:g}: after {self.steps} steps "
            f"(x, y) = ({x:.4f}, {y:.4f}), f = {self.losses[-1]:.4f}"
        )


def _update(method: str, p, g, m, v, lr, t):
    """One Keras-3 update of point p with gradient g; m, v are the optimiser's slots."""
    if method == "sgd":
        return p - lr * g, m, v
    if method == "momentum":
        m = 0.9 * m - lr * g
        return p + m, m, v
    if method == "rmsprop":
        v = 0.9 * v + 0.1 * tf.square(g)
        return p - lr * g / tf.sqrt(v + 1e-7), m, v
    # adam
    step = tf.cast(t + 1, p.dtype)
    alpha = lr * tf.sqrt(1 - 0.999**step) / (1 - 0.9**step)
    m = m + (g - m) * 0.1
    v = v + (tf.square(g) - v) * 0.001
    return p - alpha * m / (tf.sqrt(v) + 1e-7), m, v


def _compiled_for(f: Callable, state: tuple, method: str, dtype: tf.DType):
    """The compiled loop for (f, method, dtype): cached while f's state is unchanged.

    A tf.function freezes the Python numbers f reads when it is traced, so `a = 4` after a
    first descent, `b.c = 2` on a callable object or a changed closure variable must trace
    anew: the cache is keyed on calculus.state_key. An f whose state cannot be watched is
    never cached (a fresh loop, traced for this call only).
    """
    if is_tracked(state):
        return _cached_loop(f, state, method, dtype)
    return _loop(f, method, dtype)


@functools.lru_cache(maxsize=16)
def _cached_loop(f: Callable, state: tuple, method: str, dtype: tf.DType):
    return _loop(f, method, dtype)


def _loop(f: Callable, method: str, dtype: tf.DType):
    """A tf.function running `steps` optimiser steps of `method` on f from `start`."""
    spec = [
        tf.TensorSpec([2], dtype),
        tf.TensorSpec([], dtype),
        tf.TensorSpec([], tf.int32),
    ]

    @tf.function(input_signature=spec)
    def run(start, lr, steps):
        points = tf.TensorArray(dtype, size=steps + 1)
        losses = tf.TensorArray(dtype, size=steps + 1)
        p, m, v = start, tf.zeros_like(start), tf.zeros_like(start)
        for t in tf.range(steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(p)
                loss = f(p[0], p[1])
            points = points.write(t, p)
            losses = losses.write(t, loss)
            if t < steps:
                p, m, v = _update(method, p, tape.gradient(loss, p), m, v, lr, t)
        return points.stack(), losses.stack()

    return run


def descend(
    f: Callable, start: tuple[float, float], method: str = "sgd", learning_rate: float = 0.01,
    steps: int = 120,
) -> Trajectory:
    """Minimise ``f(x, y)`` from ``start`` and return the whole path.

    Parameters
    ----------
    f : callable
        ``f(x, y)`` with TensorFlow operations, returning a scalar for scalar x, y.
    start : (float, float)
        Starting point.
    method : {"sgd", "momentum", "rmsprop", "adam"}
        Keras 3 update rule (momentum is SGD with ``momentum=0.9``). Every step uses the exact
        gradient of f, so "sgd" (named after Keras' ``SGD`` class) is plain gradient descent:
        nothing here is stochastic.
    learning_rate : float
        Step size, > 0.
    steps : int
        Number of optimiser steps.

    Returns
    -------
    Trajectory
        The points and losses, stopped at the last good point if the path diverged.

    Notes
    -----
    The loop is compiled once per (f, method) and reused while nothing f reads from outside
    has changed: a global, a closure variable, or an attribute of f's object (``b.c = 2``
    for a callable object ``b`` or a bound method) traces it anew, so the path always follows
    f as it is now. An f with state that cannot be watched is compiled for each call.

    Examples
    --------
    >>> path = descend(lambda x, y: x ** 2 + y ** 2, (1.0, 1.0), learning_rate=0.25, steps=2)
    >>> path.points[-1].tolist()
    [0.25, 0.25]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    lr = check_scalar(learning_rate, "learning_rate")
    if lr <= 0:
        raise ValueError(f"learning_rate must be positive; got {lr}")
    steps = check_count(steps, "steps", minimum=0)
    if steps > MAX_STEPS:
        raise ValueError(f"steps = {steps} is too many: gradlab takes at most {MAX_STEPS:,} steps in "
                         "one call (about 2 s); use fewer steps or a larger learning rate")
    if not hasattr(start, "__len__") or len(start) != 2:
        raise ValueError(f"start must be a point (x, y); got {start!r}")
    x0, y0 = (check_scalar(v, "start") for v in start)
    if max(abs(x0), abs(y0)) >= BLOW_UP:
        raise ValueError(f"start = ({x0:g}, {y0:g}) is too far out: a path counts as diverged once "
                         f"|x| or |y| passes {BLOW_UP:g}, so start inside that, e.g. (1.0, -0.5)")
    # One eager step first: every mistake in f (NumPy inside, a float32/float64 mix, no
    # gradient, a non-scalar result) gets calculus' one-paragraph message here, never
    # TensorFlow's multi-line graph trace. It also settles the float type f runs in.
    z, _, _ = value_and_partials(f, np.float32(x0), np.float32(y0), "descend")
    if np.ndim(z) != 0:
        raise ValueError(f"f(x, y) must return one number for scalar x and y; got shape {np.shape(z)}")
    if not np.isfinite(z):
        raise ValueError(f"f at start = ({x0:g}, {y0:g}) is {float(z)}, not a finite number: "
                         "start where f is defined")
    dtype = tf.as_dtype(z.dtype)
    state = state_key(f)
    try:
        # Each new (f, method) is traced once by design: TensorFlow's retracing warning
        # would only alarm a student, so it is muted.
        with quiet_tracing():
            points, losses = _compiled_for(f, state, method, dtype)(
                tf.constant([x0, y0], dtype), tf.constant(lr, dtype), tf.constant(steps)
            )
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ValueError(
            f"could not run f(x, y) inside the descent loop ({type(error).__name__}: {first}). "
            "f must take two scalar tensors and return a scalar tensor, using TensorFlow ops "
            "only (tf.sin, not np.sin or math.sin)."
        ) from None
    points, losses = points.numpy().astype(float), losses.numpy().astype(float)
    good = np.isfinite(points).all(axis=1) & np.isfinite(losses)
    good &= np.abs(points).max(axis=1) < BLOW_UP
    bad = np.flatnonzero(~good)
    end = max(int(bad[0]), 1) if bad.size else len(points)  # never empty: the start is kept
    return Trajectory(points[:end], losses[:end], method, lr, diverged=bool(bad.size))
