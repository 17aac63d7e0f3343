"""Did f's value leave TensorFlow? Two detectors behind the "left TensorFlow" messages.

The tape only sees TensorFlow operations. When f routes its input through NumPy, ``math``
or a Python float (``np.sin(x)``, ``float(x)``, ``x.numpy()``), the tape either gives no
gradient at all (the whole value left) or a silently wrong one (part of it left:
``x**2 + np.sin(x)`` gives 2.0 instead of 2.54). :func:`changes_with` tells the first case
from an f that does not use x; :func:`leaves_tensorflow` finds the second by tracing f
with symbolic tensors, which NumPy and ``math`` refuse.

Private to :mod:`gradlab.calculus`.
"""

from __future__ import annotations

import numpy as np

from gradlab._calls import Function, constant_function, explain_none, to_numpy
from gradlab._tf import tf
from gradlab._trace_cache import is_tracked, quiet_tracing, state_key


def changes_with(f: Function, args: list[tf.Tensor], index: int) -> bool:
    """Does f's value move when ``args[index]`` is nudged? Evaluated without any tape.

    The tape gave no gradient for that argument. If f's value nevertheless changes with it,
    the value must have left TensorFlow on the way (np.sin, math.sin, .numpy(), float()),
    so "no gradient" would be a silent wrong 0: the callers raise instead.
    """
    base = args[index]
    x = np.asarray(base.numpy(), dtype=np.float64)
    step = 1e-3 * np.maximum(1.0, np.abs(x))
    try:
        y0 = np.asarray(to_numpy(f(*args)), dtype=np.float64)
        for sign in (1.0, -1.0):
            moved = list(args)
            moved[index] = tf.constant(x + sign * step, base.dtype)
            y1 = np.asarray(to_numpy(f(*moved)), dtype=np.float64)
            with np.errstate(invalid="ignore", over="ignore"):
                diff = np.abs(y1 - y0)
                if np.any(np.isfinite(diff) & (diff > 1e-6 * (1.0 + np.abs(y0)))):
                    return True
    except Exception:  # noqa: BLE001 - a probe: any failure just means "cannot tell"
        return False
    return False


def left_tensorflow(name: str) -> str:
    """The message for a value that changes with ``name`` although the tape saw no path."""
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


def leaves_tensorflow(f: Function, args: list[tf.Tensor]) -> bool:
    """Does part of f turn its input into NumPy or a Python float (``x**2 + np.sin(x)``)?

    Then the tape sees only the TensorFlow part and its derivative is silently wrong (2.0
    instead of 2.54), with no None to give it away. f is traced once, without AutoGraph, with
    symbolic tensors of the same dtype and shape: NumPy and ``math`` refuse symbolic tensors
    with the errors in ``_LEFT_TF_ERRORS``. Any other failure (``if x > 0``, a Variable made
    inside f) means "cannot tell" and is not reported. One trace costs a few milliseconds and
    is cached per f's :func:`~gradlab._trace_cache.state_key`, dtype and shape, so grid
    derivatives stay cheap; an f whose state cannot be watched is traced every time.
    """
    if not tf.executing_eagerly():
        return False
    state = state_key(f)
    key = (state, tuple((a.dtype.name, tuple(a.shape)) for a in args)) if is_tracked(state) else None
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


def part_left_tensorflow(names: str) -> str:
    """The message for an f of which only part reached the tape."""
    return (
        f"part of f left TensorFlow: somewhere f turns {names} into NumPy or a Python number "
        f"(np.sin({names[0]}), np.exp({names[0]}), math.sin({names[0]}), float({names[0]}), "
        f"{names[0]}.numpy()). The tape cannot see that part, so the derivative it gives would be "
        "silently wrong (it counts only the TensorFlow part). Use tf.sin, tf.exp, tf.math.log, "
        "... for every step of f."
    )


def no_gradient(f: Function, args: list[tf.Tensor], index: int, result: object, name: str) -> str:
    """The message for a None gradient: the detector decides between 'left TF' and 'unused'."""
    if isinstance(result, (tf.Tensor, tf.Variable)) and result.dtype.is_floating:
        if changes_with(f, args, index):
            return left_tensorflow(name)
    return explain_none(result, name)


def not_a_tensor(f: Function, args: list[tf.Tensor], result: object, names: str = "x") -> str:
    """The message for an f that returned no float tensor: a constant, integers, or NumPy.

    ``lambda x: 3.0`` is a constant function and is told so (its derivative is 0, which the
    tape reports as no gradient); a number that moves with x left TensorFlow on the way.
    """
    if not isinstance(result, (tf.Tensor, tf.Variable)):
        try:
            numeric = np.asarray(result, dtype=np.float64)
        except (TypeError, ValueError):
            numeric = None
        if numeric is not None and numeric.size and not any(
                changes_with(f, args, i) for i in range(len(args))):
            return constant_function(numeric, names)
    return explain_none(result, names)
