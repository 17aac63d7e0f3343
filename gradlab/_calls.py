"""Calling a student's ``f`` safely, and the two errors every calculus function raises.

Private to :mod:`gradlab.calculus`, which re-exports :class:`GradientError` and
:class:`FunctionError`; import them from there (or from ``gradlab``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab._tf import tf

Function = Callable[..., object]


class GradientError(ValueError):
    """TensorFlow returned no gradient (``None``); the message names the likely cause and the fix."""


class FunctionError(ValueError):
    """Calling ``f`` failed, or it returned something that is not a numeric tensor."""


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(x: tf.Tensor) -> str:
    """``"x of shape (3,) (float32)"``: how messages name an input."""
    return f"x of shape {tuple(x.shape)} ({x.dtype.name})"


def call(f: Function, *args: tf.Tensor) -> tf.Tensor:
    """Call f and insist on a numeric TensorFlow result; anything else gets a FunctionError."""
    if not callable(f):
        raise FunctionError(f"f must be a function such as `lambda x: x ** 2`; got {f!r}")
    try:
        y = f(*args)
    except Exception as error:
        raise FunctionError(
            f"calling f at {describe(args[0])} raised {type(error).__name__}: {error}"
        ) from error
    if y is None or y is Ellipsis:
        raise FunctionError(f"f returned {y!r}: did it forget a `return`?")
    if isinstance(y, str):
        raise FunctionError(f"f returned the string {y!r}; it must return numbers")
    if isinstance(y, (tf.Tensor, tf.Variable)):
        if not (y.dtype.is_floating or y.dtype.is_integer or y.dtype == tf.bool):
            raise FunctionError(f"f returned a tensor of dtype {y.dtype.name}; it must be numeric")
    return y


def to_numpy(t: object) -> np.ndarray:
    """A tensor's (or anything array-like's) values as a NumPy array."""
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def is_float_tensor(y: object) -> bool:
    """Is y a floating-point tensor, the only kind the tape differentiates?"""
    return isinstance(y, (tf.Tensor, tf.Variable)) and y.dtype.is_floating


def explain_none(y: object, name: str = "x") -> str:
    """Why did TensorFlow give no gradient of y with respect to ``name``? In a student's words."""
    if not isinstance(y, (tf.Tensor, tf.Variable)):
        kind = type(y).__name__
        return (
            f"no gradient: f returned a {kind}, not a TensorFlow tensor, so the value left "
            "TensorFlow (through NumPy, math or a Python float) and the tape lost track of it. "
            "Use tf.sin, tf.exp, ... instead of np.sin or math.sin, and do not call "
            ".numpy() or float() inside f."
        )
    if y.dtype.is_integer or y.dtype == tf.bool:
        return (
            f"no gradient: f returned integer values ({y.dtype.name}); gradients flow only "
            "through floating-point tensors. Remove the tf.cast to an integer type."
        )
    return (
        f"no gradient: the result of f does not depend on {name} as TensorFlow sees it. "
        f"Either f does not use {name}, or it used {name} through NumPy or Python "
        f"({name}.numpy(), float({name}), np.sin({name})) and converted back, or it passed "
        "through an operation with no gradient (tf.round, tf.floor, tf.argmax, a cast to int). "
        "If you are writing your own tape, also check that the input is watched: "
        "call tape.watch(x) for a tf.constant, or make it a tf.Variable."
    )


def constant_function(value: object, name: str = "x") -> str:
    """The message for an f that returns a plain number, the same for every ``name``."""
    shown = short_repr(value.item() if np.size(value) == 1 else value, 30)
    return (
        f"f returns the plain number {shown} whatever {name} is: it is a constant function, so "
        f"its derivative is 0 everywhere. TensorFlow's tape only differentiates tensors computed "
        f"from {name}, and a Python or NumPy number is not one (tape.gradient gives None, not 0). "
        f"To see the 0, let the constant come from {name}: lambda {name}: 3.0 + 0 * {name}."
    )


def check_elementwise(y: object, x_t: tf.Tensor, who: str) -> None:
    """Refuse an f whose result does not have x's shape (a sum, a stack of several values)."""
    shape = tuple(getattr(y, "shape", ()))
    if shape != tuple(x_t.shape):
        raise FunctionError(
            f"f returned shape {shape} for {describe(x_t)}; {who}() needs f to act "
            "elementwise (one output per input point). For a sum or other reduction, use "
            "tape.gradient directly, or gradlab.partials for two inputs."
        )


def not_elementwise(who: str, got: tuple, shape: tuple) -> str:
    """The message for an f(x, y) whose result does not have the inputs' shape."""
    if who == "descend" and not shape:
        return (f"f(x, y) must return one number, the loss, for scalar x and y; it returned shape "
                f"{got}. A descent minimises a single value: add the parts up "
                "(tf.reduce_sum(...)) or return the one you mean to minimise.")
    return (f"f returned shape {got} for inputs of shape {shape}; {who}() needs f to act "
            "elementwise")
