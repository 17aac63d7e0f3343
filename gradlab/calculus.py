"""Derivatives with TensorFlow's tape, and the numeric checks that keep them honest.

Every function takes ``f`` as a plain Python callable written with TensorFlow operations
(``tf.sin``, ``*``, ``**``...) and returns NumPy values, so results print and plot directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from gradlab._tf import tf
from gradlab._validate import check_grid_size, check_scalar

Function = Callable[..., object]

__all__ = [
    "FunctionError",
    "GradientCheck",
    "compiled_derivative",
    "GradientError",
    "check_gradient",
    "derivative",
    "finite_difference",
    "nonfinite_points",
    "nth_derivative",
    "partials",
    "tangent_line",
]


class GradientError(ValueError):
    """TensorFlow returned no gradient (``None``); the message names the likely cause and the fix."""


class FunctionError(ValueError):
    """Calling ``f`` failed, or it returned something that is not a numeric tensor."""


# --------------------------------------------------------------------------- inputs and calls


def _as_float_tensor(x: object) -> tf.Tensor:
    """Convert x to a floating tensor; integers are promoted (an int tensor gets no gradient)."""
    if isinstance(x, str) or x is None or x is Ellipsis:
        raise FunctionError(f"x must be a number, list, array or tensor; got {x!r}")
    if isinstance(x, tf.Variable):
        x = x.read_value()
    try:
        t = tf.convert_to_tensor(x)
    except (TypeError, ValueError) as error:
        try:
            big = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            big = None
        if big is not None and big.size and np.all(np.isfinite(big)) and np.max(np.abs(big)) > 3.4e38:
            raise FunctionError(
                f"x = {_short_repr(x)} is too large for float32 (the type Python numbers become, "
                "largest about 3.4e38): pass np.float64(x) or a float64 array"
            ) from error
        if isinstance(x, int) and abs(x) >= 2**63:
            raise FunctionError(f"x = {_short_repr(x)} is a whole number too large for an integer "
                                "tensor (64 bits): write it as a float, e.g. 1e20") from error
        raise FunctionError(f"x must be numeric; could not convert {x!r} to a tensor") from error
    if not t.dtype.is_floating:
        if not (t.dtype.is_integer or t.dtype == tf.bool):
            raise FunctionError(f"x must be numeric; got a tensor of dtype {t.dtype.name}")
        t = tf.cast(t, tf.float64 if isinstance(x, np.ndarray) else tf.float32)
    check_grid_size(int(np.prod(t.shape)), "set of input points")
    return t


def _short_repr(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(x: tf.Tensor) -> str:
    return f"x of shape {tuple(x.shape)} ({x.dtype.name})"


def _call(f: Function, *args: tf.Tensor) -> tf.Tensor:
    """Call f and insist on a numeric TensorFlow result; anything else gets a FunctionError."""
    if not callable(f):
        raise FunctionError(f"f must be a function such as `lambda x: x ** 2`; got {f!r}")
    try:
        y = f(*args)
    except Exception as error:
        raise FunctionError(
            f"calling f at {_describe(args[0])} raised {type(error).__name__}: {error}"
        ) from error
    if y is None or y is Ellipsis:
        raise FunctionError(f"f returned {y!r}: did it forget a `return`?")
    if isinstance(y, str):
        raise FunctionError(f"f returned the string {y!r}; it must return numbers")
    if isinstance(y, (tf.Tensor, tf.Variable)):
        if not (y.dtype.is_floating or y.dtype.is_integer or y.dtype == tf.bool):
            raise FunctionError(f"f returned a tensor of dtype {y.dtype.name}; it must be numeric")
    return y


def _explain_none(y: object, x: tf.Tensor, name: str = "x") -> str:
    """Why did TensorFlow give no gradient of y with respect to x? In a student's words."""
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


def _to_numpy(t: object) -> np.ndarray:
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


# --------------------------------------------------------------------------- one dtype policy
#
# Students write ``c = tf.constant(3.0)`` (float32) or ``tf.Variable(2.0)`` inside f and then
# differentiate on a NumPy grid (float64), or the reverse. TensorFlow never mixes float types,
# so every entry point evaluates f in the input's own float type first and, if f refuses it
# because of such a constant, once more in the other one (float64 <-> float32). Results come
# back in the type that worked. Only when both fail is it an error, naming the mix.

_DTYPE_CLASH = re.compile(
    r"expected to be a \w+ tensor but is a \w+ tensor|does not match type|"
    r"must have the same dtype|EagerTensor of dtype|float64.*float32|float32.*float64",
    re.S,
)

MIXED_DTYPES = (
    "f mixes float32 and float64 tensors, which TensorFlow refuses to combine (tf.constant(3.0) "
    "and tf.Variable(2.0) are float32; NumPy values are float64). Give every constant the same "
    "type, e.g. tf.constant(3.0, dtype=tf.float64), or use plain Python numbers in f."
)


def _dtype_clash(error: BaseException) -> bool:
    """Did f fail only because two float types met (a float32 constant and float64 input)?"""
    cause = error.__cause__ if isinstance(error, FunctionError) and error.__cause__ else error
    if not isinstance(cause, (tf.errors.InvalidArgumentError, TypeError, ValueError)):
        return False
    return bool(_DTYPE_CLASH.search(str(cause)))


def _other(dtype: tf.DType) -> tf.DType:
    return tf.float32 if dtype == tf.float64 else tf.float64


def _float_retry(compute: Callable[[tf.DType], object], dtype: tf.DType) -> object:
    """``compute(dtype)``; if f refuses that float type, ``compute`` in the other one."""
    try:
        return compute(dtype)
    except FunctionError as first:
        if not _dtype_clash(first):
            raise
        try:
            return compute(_other(dtype))
        except FunctionError as second:
            if _dtype_clash(second):
                raise FunctionError(MIXED_DTYPES) from second
            raise


# --------------------------------------------------------------------------- left TensorFlow?


def _changes_with(f: Function, args: list[tf.Tensor], index: int) -> bool:
    """Does f's value move when ``args[index]`` is nudged? Evaluated without any tape.

    The tape gave no gradient for that argument. If f's value nevertheless changes with it,
    the value must have left TensorFlow on the way (np.sin, math.sin, .numpy(), float()),
    so "no gradient" would be a silent wrong 0: the callers raise instead.
    """
    base = args[index]
    x = np.asarray(base.numpy(), dtype=np.float64)
    step = 1e-3 * np.maximum(1.0, np.abs(x))
    try:
        y0 = np.asarray(_to_numpy(f(*args)), dtype=np.float64)
        for sign in (1.0, -1.0):
            moved = list(args)
            moved[index] = tf.constant(x + sign * step, base.dtype)
            y1 = np.asarray(_to_numpy(f(*moved)), dtype=np.float64)
            with np.errstate(invalid="ignore", over="ignore"):
                diff = np.abs(y1 - y0)
                if np.any(np.isfinite(diff) & (diff > 1e-6 * (1.0 + np.abs(y0)))):
                    return True
    except Exception:  # noqa: BLE001 - a probe: any failure just means "cannot tell"
        return False
    return False


def _left_tensorflow(name: str) -> str:
    return (
        f"no gradient for {name}: f's value changes when {name} changes, but TensorFlow's tape "
        f"saw no path from {name} to the result, so the value left TensorFlow on the way "
        f"(np.sin({name}), math.sin({name}), {name}.numpy(), float({name})) or passed through an "
        "operation without a gradient (tf.round, tf.floor, a cast to int). Use tf.sin, tf.exp, "
        "... and keep every step a TensorFlow tensor."
    )


#: The errors f raises when traced with symbolic tensors because part of it leaves TensorFlow
#: (checked on TF 2.x: np.sin(x) -> NotImplementedError "Cannot convert a symbolic tf.Tensor",
#: math.sin(x) -> TypeError "must be real number, not SymbolicTensor", float(x), x.numpy()).
#: ``int(x)`` (a loop count) and ``if x > 0`` are left out: the tape's derivative is right there.
_LEFT_TF_ERRORS = (
    (NotImplementedError, "Cannot convert a symbolic"),
    (TypeError, "must be real number, not"),
    (TypeError, "float() argument must be"),
    (AttributeError, "object has no attribute 'numpy'"),
)
_left_cache: dict[tuple, bool] = {}


def _leaves_tensorflow(f: Function, args: list[tf.Tensor]) -> bool:
    """Does part of f turn its input into NumPy or a Python float (``x**2 + np.sin(x)``)?

    Then the tape sees only the TensorFlow part and its derivative is silently wrong (2.0
    instead of 2.54), with no None to give it away. f is traced once, without AutoGraph, with
    symbolic tensors of the same dtype and shape: NumPy and ``math`` refuse symbolic tensors
    with the errors in ``_LEFT_TF_ERRORS``. Any other failure (``if x > 0``, a Variable made
    inside f) means "cannot tell" and is not reported. One trace costs a few milliseconds and
    is cached per f, its outside state, dtype and shape, so grid derivatives stay cheap.
    """
    if not tf.executing_eagerly():
        return False
    try:
        key = (getattr(f, "__code__", None), state_key(f),
               tuple((a.dtype.name, tuple(a.shape)) for a in args))
        hash(key)
    except Exception:  # noqa: BLE001 - an unhashable state: trace every time
        key = None
    if key is not None and key in _left_cache:
        return _left_cache[key]
    specs = [tf.TensorSpec(a.shape, a.dtype) for a in args]
    verdict = False
    try:
        with quiet_tracing():
            tf.function(lambda *xs: f(*xs), autograph=False).get_concrete_function(*specs)
    except Exception as error:  # noqa: BLE001 - a probe: only the errors above count
        verdict = any(isinstance(error, kind) and text in str(error) for kind, text in _LEFT_TF_ERRORS)
    if key is not None:
        if len(_left_cache) > 256:
            _left_cache.clear()
        _left_cache[key] = verdict
    return verdict


def _part_left_tensorflow(names: str) -> str:
    return (
        f"part of f left TensorFlow: somewhere f turns {names} into NumPy or a Python number "
        f"(np.sin({names[0]}), np.exp({names[0]}), math.sin({names[0]}), float({names[0]}), "
        f"{names[0]}.numpy()). The tape cannot see that part, so the derivative it gives would be "
        "silently wrong (it counts only the TensorFlow part). Use tf.sin, tf.exp, tf.math.log, "
        "... for every step of f."
    )


def _no_gradient(f: Function, args: list[tf.Tensor], index: int, result: object, name: str) -> str:
    """The message for a None gradient: the detector decides between 'left TF' and 'unused'."""
    if isinstance(result, (tf.Tensor, tf.Variable)) and result.dtype.is_floating:
        if _changes_with(f, args, index):
            return _left_tensorflow(name)
    return _explain_none(result, args[index], name)


# --------------------------------------------------------------------------- compiled paths


def state_key(f: object, depth: int = 0) -> tuple:
    """What ``f`` reads from outside itself (globals it names, closure cells, defaults), hashable.

    A ``tf.function`` freezes Python numbers at trace time, so a cache of compiled functions
    keyed on ``f`` alone keeps old values after a student re-runs ``a = 4``. Keying on this
    too retraces exactly when such a value changed. ``tf.Variable`` s are read live by the
    graph and count by identity. Looked inside: numbers, strings, arrays and tensors (up to
    1e6 values, hashed past 4096), lists and tuples (of numbers up to 1e5 items), dicts of up
    to 64 items, plain objects with up to 64 attributes (``p.a``), functions f calls. Limits:
    anything else (a module, a Keras model, a bigger container, something nested more than
    four levels deep) counts by identity only, so changing it in place keeps the old graph;
    assign a new object (or use a ``tf.Variable``) to make the change show.
    """
    code = getattr(f, "__code__", None)
    if code is None or depth > 3:
        inner = getattr(f, "func", None) or getattr(f, "python_function", None)
        extra = _value_key(getattr(f, "args", ()), depth + 1) if hasattr(f, "func") else None
        if inner is not None and depth <= 3:
            return ("wrapped", id(f), state_key(inner, depth + 1), extra)
        return ("object", id(f))
    names: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    namespace = getattr(f, "__globals__", {})
    found = tuple((n, _value_key(namespace[n], depth + 1)) for n in sorted(names) if n in namespace)
    cells = []
    for cell in getattr(f, "__closure__", None) or ():
        try:
            cells.append(_value_key(cell.cell_contents, depth + 1))
        except ValueError:  # an empty cell (a name assigned later)
            cells.append(None)
    defaults = _value_key(getattr(f, "__defaults__", None) or (), depth + 1)
    return ("function", id(f), found, tuple(cells), defaults)


def _value_key(value: object, depth: int) -> object:
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return value
    if isinstance(value, np.generic):
        return ("np", value.dtype.str, value.item())
    if isinstance(value, np.ndarray):
        if value.size <= 4096:
            return ("nd", value.dtype.str, value.shape, value.tobytes())
        if value.size <= 1_000_000:  # in-place edits of a bigger array count too (a hash, ~1 ms)
            return ("nd", value.dtype.str, value.shape, hashlib.blake2b(value.tobytes()).digest())
        return ("id", id(value))
    if isinstance(value, tf.Variable):
        return ("variable", id(value))
    if isinstance(value, tf.Tensor):
        try:
            array = value.numpy()
        except Exception:  # noqa: BLE001 - a symbolic tensor: identity is all there is
            return ("id", id(value))
        return ("tensor", array.dtype.str, array.shape, array.tobytes()) if array.size <= 4096 else ("id", id(value))
    if isinstance(value, (list, tuple)) and len(value) <= 64 and depth <= 4:
        return (type(value).__name__, tuple(_value_key(v, depth + 1) for v in value))
    if isinstance(value, (list, tuple)) and len(value) <= 100_000 and depth <= 4:
        try:  # a long list of numbers: its values, hashed (lst[0] = 11 must retrace)
            digest = hashlib.blake2b(np.asarray(value, dtype=float).tobytes()).digest()
            return (type(value).__name__, len(value), digest)
        except (TypeError, ValueError):
            return ("id", id(value))
    if isinstance(value, dict) and len(value) <= 64 and depth <= 4:
        try:
            return ("dict", tuple(sorted((repr(k), _value_key(v, depth + 1)) for k, v in value.items())))
        except TypeError:
            return ("id", id(value))
    if isinstance(value, types.FunctionType):
        return state_key(value, depth + 1)
    attributes = getattr(value, "__dict__", None)
    if (isinstance(attributes, dict) and len(attributes) <= 64 and depth <= 3
            and not isinstance(value, (types.ModuleType, type)) and not callable(value)):
        # A plain settings object (p.a, cfg.k): its attribute values, so p.a = 9 retraces.
        try:
            return ("object", id(value), tuple(sorted((k, _value_key(v, depth + 1)) for k, v in attributes.items())))
        except TypeError:
            return ("id", id(value))
    return ("id", id(value))


@contextlib.contextmanager
def quiet_tracing() -> Iterator[None]:
    """Mute TensorFlow's Python logger (its "retracing" warning) for one block.

    Each explorer traces its own function once, by design; after a few explorers TensorFlow
    warns about "retracing", which would only alarm a student reading the notebook.
    """
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# --------------------------------------------------------------------------- derivatives


def derivative(f: Function, x: object) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of an elementwise function at every point of ``x``, with one tape.

    Parameters
    ----------
    f : callable
        ``f(x)`` written with TensorFlow operations, acting elementwise.
    x : float, list, ndarray or tensor
        Points to evaluate at. Integers are promoted to floats (an integer tensor would
        silently get no gradient). f runs in x's float type, or in the other one if f holds
        a constant of that type (``tf.constant(3.0)`` is float32, NumPy grids are float64).

    Returns
    -------
    y, dy_dx : ndarray
        ``f(x)`` and ``f'(x)``, both of x's shape.

    Raises
    ------
    GradientError
        If TensorFlow gives no gradient; the message says why and how to fix it.
    FunctionError
        If f raises, returns a non-number, or returns a shape other than x's.

    Examples
    --------
    >>> y, dy = derivative(lambda x: x ** 3, 2.0)
    >>> float(y), float(dy)
    (8.0, 12.0)
    """
    x_t = _as_float_tensor(x)
    return _float_retry(lambda dtype: _derivative(f, tf.cast(x_t, dtype)), x_t.dtype)


def _derivative(f: Function, x_t: tf.Tensor) -> tuple[np.ndarray, np.ndarray]:
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = _call(f, x_t)
    if not isinstance(y, (tf.Tensor, tf.Variable)) or y.dtype.is_integer:
        raise GradientError(_explain_none(y, x_t))
    dy_dx = tape.gradient(y, x_t)
    if dy_dx is None:
        raise GradientError(_no_gradient(f, [x_t], 0, y, "x"))
    _check_elementwise(y, x_t, "derivative")
    if _leaves_tensorflow(f, [x_t]):
        raise GradientError(_part_left_tensorflow("x"))
    return _to_numpy(y), _to_numpy(dy_dx)


def _check_elementwise(y: object, x_t: tf.Tensor, who: str) -> None:
    if tuple(getattr(y, "shape", ())) != tuple(x_t.shape):
        raise FunctionError(
            f"f returned shape {tuple(y.shape)} for {_describe(x_t)}; {who}() needs f to act "
            "elementwise (one output per input point). For a sum or other reduction, use "
            "tape.gradient directly, or gradlab.partials for two inputs."
        )


def compiled_derivative(f: Function) -> Callable[[object], tuple[np.ndarray, np.ndarray]]:
    """Like :func:`derivative`, but traced once into a TensorFlow graph and reused.

    Worth it when the same f is differentiated many times or on large arrays (a slider, a
    benchmark): graph mode fuses the operations and skips per-call Python overhead. If f
    cannot be traced (it uses NumPy, say), the call falls back to :func:`derivative`, whose
    error says what is wrong. The graph is traced again when a value f reads from outside
    changes (``a = 4`` after ``f = lambda x: a * x``), never reused with the old one.

    Examples
    --------
    >>> df = compiled_derivative(lambda x: x ** 3)
    >>> [float(v) for v in df(2.0)]
    [8.0, 12.0]
    """
    traced: dict[tuple, Callable] = {}

    def trace() -> Callable:
        # No AutoGraph: students' functions are straight-line tensor code, and AutoGraph warns
        # about every lambda whose source it cannot read.
        @tf.function(reduce_retracing=True, autograph=False)
        def run(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            return y, tape.gradient(y, x)

        return run

    def value_and_derivative(x: object) -> tuple[np.ndarray, np.ndarray]:
        x_t = _as_float_tensor(x)
        key = state_key(f)
        if key not in traced:
            traced.clear()  # the old graph holds old values: drop it
            traced[key] = trace()
        for dtype in (x_t.dtype, _other(x_t.dtype)):
            try:
                with quiet_tracing():
                    y, dy = traced[key](tf.cast(x_t, dtype))
            except Exception:  # noqa: BLE001 - the eager path below names the problem
                continue
            if dy is None or tuple(y.shape) != tuple(x_t.shape) or not y.dtype.is_floating:
                break
            return _to_numpy(y), _to_numpy(dy)
        return derivative(f, x_t)  # eager: the same result or a precise error message

    value_and_derivative.__wrapped__ = f  # type: ignore[attr-defined]
    return value_and_derivative


def partials(f: Function, x: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value and both partial derivatives of ``f(x, y)``, elementwise, from one tape.

    ``x`` and ``y`` broadcast together (pass a meshgrid for a surface). A partial is zero
    where f does not use that variable; if f uses neither, that is a GradientError, and so
    is a variable that f uses outside TensorFlow (``np.sin(x) * y``), which the tape cannot
    see: that partial would otherwise read as a silent 0.

    Returns
    -------
    z, dz_dx, dz_dy : ndarray
        All of the broadcast shape of x and y.

    Examples
    --------
    >>> z, zx, zy = partials(lambda x, y: x * y ** 2, 3.0, 2.0)
    >>> float(z), float(zx), float(zy)
    (12.0, 4.0, 12.0)
    """
    x_t, y_t = _as_float_tensor(x), _as_float_tensor(y)
    common = tf.float64 if tf.float64 in (x_t.dtype, y_t.dtype) else tf.float32
    try:
        shape = tf.broadcast_static_shape(x_t.shape, y_t.shape)
    except ValueError:
        raise FunctionError(
            f"x and y must have the same shape (or broadcast); got {tuple(x_t.shape)} and "
            f"{tuple(y_t.shape)}. Tip: x, y = np.meshgrid(xs, ys)"
        ) from None
    check_grid_size(int(np.prod(shape)))
    return _float_retry(lambda dtype: _partials(
        f, tf.broadcast_to(tf.cast(x_t, dtype), shape), tf.broadcast_to(tf.cast(y_t, dtype), shape)
    ), common)


def _partials(f: Function, x_t: tf.Tensor, y_t: tf.Tensor):
    shape = tuple(x_t.shape)
    with tf.GradientTape() as tape:
        tape.watch([x_t, y_t])
        z = _call(f, x_t, y_t)
    if not isinstance(z, (tf.Tensor, tf.Variable)) or z.dtype.is_integer:
        raise GradientError(_explain_none(z, x_t, "x and y"))
    if tuple(z.shape) != shape:
        raise FunctionError(
            f"f returned shape {tuple(z.shape)} for inputs of shape {shape}; "
            "partials() needs f to act elementwise"
        )
    grads = tape.gradient(z, [x_t, y_t])
    if grads[0] is None and grads[1] is None:
        for index, name in enumerate(("x", "y")):
            if _changes_with(f, [x_t, y_t], index):
                raise GradientError(_left_tensorflow(name))
        raise GradientError(_explain_none(z, x_t, "x or y"))
    for index, name in enumerate(("x", "y")):
        if grads[index] is None and _changes_with(f, [x_t, y_t], index):
            raise GradientError(_left_tensorflow(name))
    if _leaves_tensorflow(f, [x_t, y_t]):
        raise GradientError(_part_left_tensorflow("x or y"))
    zeros = np.zeros(shape, dtype=z.dtype.as_numpy_dtype)
    return (_to_numpy(z), *(zeros if g is None else _to_numpy(g) for g in grads))


#: Highest order nth_derivative accepts at all. Every order adds a tape around all the lower
#: ones; x**3 at n = 200 takes 0.3 s, but the work per order depends on f (below).
MAX_ORDER = 100

#: Seconds nth_derivative may spend. The cost per order grows geometrically for most f:
#: measured for exp(sin(x)) at 1.0 on one core (bench: /tmp/h12_nth.py in the H12 report),
#: order 8 took 0.08 s, 9 0.1 s, 10 0.43 s, 11 1.5 s, 12 2.9 s (x2-3.5 per order), and
#: the issue measured n = 14 at 29 s / 1.3 GB and n = 16 at 329 s / 6.3 GB. So before each
#: order the next one's time is predicted from the last two, and the call stops with a
#: ValueError when the total would pass this budget, instead of exhausting a kernel.
ORDER_BUDGET_SECONDS = 5.0


def nth_derivative(f: Function, x: object, n: int) -> np.ndarray:
    """The ``n``-th derivative of an elementwise ``f`` at ``x``, by nesting ``n`` tapes.

    ``n = 0`` gives ``f(x)`` itself. Nested tapes grow with every order; a call that would
    take more than ``ORDER_BUDGET_SECONDS`` stops with a ValueError naming the order it
    reached (see the measurements beside that constant).

    Examples
    --------
    >>> [float(nth_derivative(lambda x: x ** 3, 2.0, n)) for n in range(5)]
    [8.0, 12.0, 12.0, 6.0, 0.0]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number 0, 1, 2, ...; got {n!r}")
    if n > MAX_ORDER:
        raise ValueError(
            f"n = {n} is too high: each order nests one more tape around all the lower ones, "
            f"and gradlab stops at n = {MAX_ORDER}. For high orders use a formula (sympy) or "
            "a Taylor series instead."
        )
    x_t = _as_float_tensor(x)
    result = _float_retry(lambda dtype: _nested(f, tf.cast(x_t, dtype), int(n)), x_t.dtype)
    try:
        values = np.asarray(_to_numpy(result), dtype=float)
        return np.broadcast_to(values, tuple(x_t.shape)).copy()
    except (TypeError, ValueError):
        got = (f"a {type(result).__name__} of {len(result)} values" if isinstance(result, (list, tuple))
               else f"shape {np.shape(result)}")
        raise FunctionError(
            f"f returned {got} for {_describe(x_t)}; "
            "nth_derivative() needs f to act elementwise and return one tensor (one output per "
            "input point), e.g. lambda x: x ** 3, not a list such as [x, x ** 2]"
        ) from None


def _nested(f: Function, x: tf.Tensor, n: int) -> tf.Tensor:
    """The n-th derivative as a tensor: n tapes opened around f, then closed one per order.

    A loop rather than recursion, so a high order cannot hit Python's recursion limit.
    """
    with contextlib.ExitStack() as stack:
        tapes = [stack.enter_context(tf.GradientTape()) for _ in range(n)]
        for tape in tapes:
            tape.watch(x)
        value = _call(f, x)
        if not isinstance(value, (tf.Tensor, tf.Variable)) or value.dtype.is_integer:
            if n == 0:
                return value
            raise GradientError(_explain_none(value, x))
        if n == 0:
            _check_elementwise(value, x, "nth_derivative")
        started, times = time.perf_counter(), []
        for order in range(1, n + 1):
            if len(times) >= 2:
                growth = max(times[-1] / max(times[-2], 1e-6), 1.5)
                spent = time.perf_counter() - started
                if spent + times[-1] * growth > ORDER_BUDGET_SECONDS:
                    raise ValueError(
                        f"the derivative of order {order} would take more than "
                        f"{ORDER_BUDGET_SECONDS:g} s (order {order - 1} alone took "
                        f"{times[-1]:.2f} s, and each order costs about {growth:.1f}x the one "
                        f"before, with memory to match): ask for n <= {order - 1}, or use a "
                        "formula (sympy) for high orders."
                    )
            tick = time.perf_counter()
            lower = value
            value = tapes[n - order].gradient(lower, x)
            times.append(time.perf_counter() - tick)
            if value is None:
                if order == 1:
                    raise GradientError(_no_gradient(f, [x], 0, lower, "x"))
                # The lower derivative no longer depends on x: it is constant, so this one is 0.
                value = tf.zeros_like(x)
            if order == 1:
                # A non-elementwise f ([x, x**2]) would silently give the sum of the derivatives.
                _check_elementwise(lower, x, "nth_derivative")
                if _leaves_tensorflow(f, [x]):
                    raise GradientError(_part_left_tensorflow("x"))
    return value


def tangent_line(f: Function, x0: float) -> tuple[float, float]:
    """Slope and intercept of the tangent ``y = slope * x + intercept`` to f at ``x0``.

    Raises ValueError where f or its slope is not finite at x0 (sqrt at 0, 1/x at 0).

    Examples
    --------
    >>> tangent_line(lambda x: x ** 2, 3.0)
    (6.0, -9.0)
    """
    x0 = check_scalar(x0, "x0")
    y0, slope = derivative(f, x0)
    y0, slope = float(y0), float(slope)
    if abs(x0) >= 2.0**24 or not (np.isfinite(y0) and np.isfinite(slope)):
        # float32 cannot hold every whole number past 2**24 and overflows at 3.4e38 (exp(100)):
        # then float64 (or float32 again if f insists).
        y0, slope = (float(v) for v in derivative(f, np.float64(x0)))
    if np.isinf(y0) or (np.isinf(slope) and abs(y0) > 1e30):
        raise ValueError(
            f"f overflows at x0 = {x0:g}: f(x0) = {y0:g} and f'(x0) = {slope:g} are too large for "
            "a float (float32 stops near 3.4e38, float64 near 1.8e308). Pick a smaller x0."
        )
    if not (np.isfinite(y0) and np.isfinite(slope)):
        raise ValueError(
            f"f has no tangent line at x0 = {x0:g}: f(x0) = {y0:g} and f'(x0) = {slope:g} "
            "(a vertical or undefined slope, as for sqrt or 1/x at 0). Pick another x0."
        )
    return slope, y0 - slope * x0


# --------------------------------------------------------------------------- numeric checks


def _precise(compute: Callable[[tf.DType], object]) -> object:
    """``compute(tf.float64)``, or ``compute(tf.float32)`` if f only runs in float32."""
    return _float_retry(compute, tf.float64)


def _check_step(h: object) -> float:
    """h as a positive float that still moves x (the message says what a good h is)."""
    if isinstance(h, (bool, np.bool_)):
        raise ValueError(f"h must be a small positive number such as 1e-4; got {h!r} (a bool)")
    if isinstance(h, (str, bytes)):
        raise ValueError(f"h must be a number, not the string {h!r}: write h=1e-4 without quotes")
    h = check_scalar(h, "h")  # accepts numbers, 0-d arrays and tensors
    if h <= 0:
        raise ValueError(f"h must be a small positive number such as 1e-4; got {h!r}")
    return h


def finite_difference(f: Function, x: object, h: float | None = None) -> np.ndarray:
    """Central-difference estimate ``(f(x + h) - f(x - h)) / 2h`` of an elementwise derivative.

    The default step balances truncation error (~h²) against rounding error (~eps/h):
    h = eps^(1/3) · max(1, |x|), about 6e-6 in float64 (5e-3 if f only runs in float32).
    A step so small that ``x + h`` rounds back to ``x`` is a ValueError, not a NaN.

    Examples
    --------
    >>> round(float(finite_difference(lambda x: x ** 3, 2.0)), 6)
    12.0
    """
    x64 = np.asarray(_as_float_tensor(x).numpy(), dtype=np.float64)
    if h is not None:
        h = _check_step(h)

    def central(dtype: tf.DType) -> np.ndarray:
        eps = np.finfo(dtype.as_numpy_dtype).eps
        step = h if h is not None else np.cbrt(eps) * np.maximum(1.0, np.abs(x64))
        # Divide by the step actually taken once x ± h is rounded to dtype, not the nominal 2h.
        with np.errstate(over="ignore", invalid="ignore"):
            hi, lo = (tf.constant(x64 + step, dtype), tf.constant(x64 - step, dtype))
            taken = hi.numpy().astype(np.float64) - lo.numpy().astype(np.float64)
        if np.all(np.isfinite(x64)) and not np.all(np.isfinite(taken)):
            raise ValueError(
                f"h = {h:g} is too large: x ± h is not a finite {dtype.name} number. Use a small "
                f"step, around {np.cbrt(eps):.0e} times |x| (or leave h out)."
            )
        if np.any(taken == 0):
            raise ValueError(
                f"h = {h:g} is too small: x + h rounds back to x in {dtype.name} (it keeps about "
                f"{int(-np.log10(eps))} digits), so the difference would be 0/0. Use h around "
                f"{np.cbrt(eps):.0e} times |x|."
            )
        f_hi, f_lo = (_to_numpy(_call(f, t)).astype(np.float64) for t in (hi, lo))
        if f_hi.shape != x64.shape:
            raise FunctionError(
                f"f returned shape {f_hi.shape} for x of shape {x64.shape}; finite_difference() "
                "needs f to act elementwise (one output per input point), so that each output "
                "moves only with its own x. For a sum or other reduction, nudge one x at a time."
            )
        with np.errstate(invalid="ignore", over="ignore"):
            return (f_hi - f_lo) / taken

    return _precise(central)


def nonfinite_points(x: object, *values: object) -> np.ndarray:
    """The points of ``x`` where any of ``values`` is NaN or infinite (empty if none)."""
    x_arr = np.asarray(x, dtype=float)
    bad = np.zeros(x_arr.shape, dtype=bool)
    for v in values:
        bad |= ~np.isfinite(np.broadcast_to(np.asarray(v, dtype=float), x_arr.shape))
    return x_arr[bad]


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradient`; truthy when the tape and finite differences agree."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_x: float
    nonfinite_x: tuple[float, ...]
    points: int

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "agree" if self.ok else "DISAGREE"
        if len(self.nonfinite_x) == self.points:
            verdict = "cannot be compared (no point where both are finite)"
        text = (
            f"tape and finite differences {verdict} at {self.points} point(s): "
            f"max abs error {self.max_abs_error:.1e}, max rel error {self.max_rel_error:.1e} "
            f"(worst at x = {self.worst_x:.6g})"
        )
        if self.nonfinite_x:
            shown = ", ".join(f"{v:.6g}" for v in self.nonfinite_x[:5])
            text += f"; not finite at x = {shown}" + (" ..." if len(self.nonfinite_x) > 5 else "")
        return text

    __repr__ = __str__


def check_gradient(
    f: Function, x: object, rtol: float = 1e-4, atol: float = 1e-6, h: float | None = None
) -> GradientCheck:
    """Compare the tape's derivative of ``f`` with central finite differences at ``x``.

    Both are computed in float64 where f allows it. Points where either is NaN or infinite
    are reported in ``nonfinite_x`` and left out of the error.

    Examples
    --------
    >>> bool(check_gradient(lambda x: tf.sin(x) * x, [0.5, 1.0, 2.0]))
    True
    """
    x64 = np.asarray(_as_float_tensor(x).numpy(), dtype=np.float64).reshape(-1)
    if x64.size == 0:
        raise ValueError("x is empty: give at least one point to check the gradient at")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if check_scalar(tol, name) < 0:
            raise ValueError(f"{name} must be zero or positive; got {tol!r}")
    _, tape_grad = _precise(lambda dtype: derivative(f, tf.constant(x64, dtype)))
    numeric = finite_difference(f, x64, h)
    tape_grad = np.asarray(tape_grad, np.float64)
    if h is None and np.any(np.abs(x64) > 1):
        # The default step grows with |x| (6 at x = 1e6), too coarse for sin(x) out there. A
        # fixed small step is a second honest estimate; use it where it is the closer one.
        try:
            small = np.asarray(finite_difference(f, x64, float(np.cbrt(np.finfo(np.float64).eps))))
        except (ValueError, FunctionError):  # x + h rounds back to x: only the default step works
            small = numeric
        with np.errstate(invalid="ignore"):
            closer = (np.abs(x64) > 1) & (np.abs(small - tape_grad) < np.abs(numeric - tape_grad))
        numeric = np.where(closer, small, numeric)
    finite = np.isfinite(tape_grad) & np.isfinite(numeric)
    with np.errstate(invalid="ignore"):
        abs_err = np.where(finite, np.abs(tape_grad - numeric), 0.0)
    rel_err = abs_err / np.maximum(np.abs(np.where(finite, numeric, 1.0)), 1e-12)
    worst = int(np.argmax(abs_err)) if abs_err.size else 0
    # Non-finite points are reported apart and do not enter the verdict either way.
    ok = bool(np.any(finite)) and bool(np.all(abs_err <= atol + rtol * np.abs(np.where(finite, numeric, 0.0))))
    return GradientCheck(
        ok=ok,
        max_abs_error=float(abs_err.max(initial=0.0)),
        max_rel_error=float(np.where(finite, rel_err, 0.0).max(initial=0.0)),
        worst_x=float(x64[worst]),
        nonfinite_x=tuple(float(v) for v in x64[~finite]),
        points=int(x64.size),
    )
