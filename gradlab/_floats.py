"""The float policy: which float type f runs in, and the messages when types clash.

Students write ``c = tf.constant(3.0)`` (float32) or ``tf.Variable(2.0)`` inside f and then
differentiate on a NumPy grid (float64), or the reverse. TensorFlow never mixes float types,
so every entry point evaluates f in the input's own float type first and, if f refuses it
because of such a constant, once more in the other one (float64 <-> float32). Results come
back in the type that worked. Only when both fail is it an error, naming the mix. A clash
with an integer tensor (``tf.constant(1)`` is int32) cannot be cured by the other float
type, so it is named at once.

Python numbers and lists become float32, TensorFlow's default. That type was gradlab's
choice, not the student's, so where a float32 result is not finite (``exp(100)`` passes
float32's 3.4e38) the computation is repeated in float64: see :func:`widened`.

Private to :mod:`gradlab.calculus`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from gradlab._calls import FunctionError, GradientError, short_repr
from gradlab._tf import tf
from gradlab._validate import check_grid_size


def as_float_tensor(x: object) -> tf.Tensor:
    """Convert x to a floating tensor; integers are promoted (an int tensor gets no gradient)."""
    if isinstance(x, str) or x is None or x is Ellipsis:
        raise FunctionError(f"x must be a number, list, array or tensor; got {x!r}")
    if isinstance(x, tf.Variable):
        x = x.read_value()
    try:
        t = tf.convert_to_tensor(x)
    except (TypeError, ValueError) as error:
        raise FunctionError(_unconvertible(x)) from error
    if not t.dtype.is_floating:
        if not (t.dtype.is_integer or t.dtype == tf.bool):
            raise FunctionError(f"x must be numeric; got a tensor of dtype {t.dtype.name}")
        t = tf.cast(t, tf.float64 if isinstance(x, np.ndarray) else tf.float32)
    check_grid_size(int(np.prod(t.shape)), "set of input points")
    return t


def _unconvertible(x: object) -> str:
    """Why x could not become a tensor: too large for float32 or int64, or not numeric."""
    try:
        big = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        big = None
    if big is not None and big.size and np.all(np.isfinite(big)) and np.max(np.abs(big)) > 3.4e38:
        return (f"x = {short_repr(x)} is too large for float32 (the type Python numbers become, "
                "largest about 3.4e38): pass np.float64(x) or a float64 array")
    if isinstance(x, int) and abs(x) >= 2**63:
        return (f"x = {short_repr(x)} is a whole number too large for an integer "
                "tensor (64 bits): write it as a float, e.g. 1e20")
    return f"x must be numeric; could not convert {x!r} to a tensor"


def float32_by_default(x: object) -> bool:
    """Did x become float32 only because it was given as Python numbers (no type of its own)?"""
    return not isinstance(x, (np.ndarray, np.generic, tf.Tensor, tf.Variable))


# --------------------------------------------------------------------------- clashes

_DTYPE_CLASH = re.compile(
    r"expected to be a \w+ tensor but is a \w+ tensor|does not match type|"
    r"must have the same dtype|EagerTensor of dtype|float64.*float32|float32.*float64",
    re.S,
)

#: TensorFlow's op error names the integer type: "expected to be a float tensor but is a int32
#: tensor", or the reverse when the integer tensor comes first (``tf.constant(1) * x``).
_INT_CLASH = re.compile(r"expected to be a (u?int\d+) tensor|but is a (u?int\d+) tensor")

MIXED_DTYPES = (
    "f mixes float32 and float64 tensors, which TensorFlow refuses to combine (tf.constant(3.0) "
    "and tf.Variable(2.0) are float32; NumPy values are float64). Give every constant the same "
    "type, e.g. tf.constant(3.0, dtype=tf.float64), or use plain Python numbers in f."
)


def mixed_integer(int_type: str, float_type: str) -> str:
    """The message for a float input meeting an integer tensor inside f."""
    return (
        f"f combines a float tensor (x is {float_type}) with an integer tensor ({int_type}), "
        "which TensorFlow refuses: it never mixes integer and float tensors. tf.constant(1) is int32 because 1 "
        "has no decimal point; write tf.constant(1.0), or just the number 1 without tf.constant "
        "(plain Python numbers take x's type)."
    )


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ if isinstance(error, FunctionError) and error.__cause__ else error


def dtype_clash(error: BaseException) -> bool:
    """Did f fail only because two float types met (a float32 constant and float64 input)?"""
    cause = _cause(error)
    if not isinstance(cause, (tf.errors.InvalidArgumentError, TypeError, ValueError)):
        return False
    return bool(_DTYPE_CLASH.search(str(cause)))


def integer_clash(error: BaseException) -> str | None:
    """The integer type f combined with a float input (``x + tf.constant(1)``), if that failed."""
    cause = _cause(error)
    if not isinstance(cause, (tf.errors.InvalidArgumentError, TypeError, ValueError)):
        return None
    match = _INT_CLASH.search(str(cause))
    return (match.group(1) or match.group(2)) if match else None


def other(dtype: tf.DType) -> tf.DType:
    """float32 for float64 and the reverse."""
    return tf.float32 if dtype == tf.float64 else tf.float64


def float_retry(compute: Callable[[tf.DType], object], dtype: tf.DType) -> object:
    """``compute(dtype)``; if f refuses that float type, ``compute`` in the other one."""
    try:
        return compute(dtype)
    except FunctionError as first:
        int_type = integer_clash(first)
        if int_type:
            raise FunctionError(mixed_integer(int_type, dtype.name)) from first
        if not dtype_clash(first):
            raise
        try:
            return compute(other(dtype))
        except FunctionError as second:
            if dtype_clash(second):
                raise FunctionError(MIXED_DTYPES) from second
            raise


def precise(compute: Callable[[tf.DType], object]) -> object:
    """``compute(tf.float64)``, or ``compute(tf.float32)`` if f only runs in float32."""
    return float_retry(compute, tf.float64)


# --------------------------------------------------------------------------- overflow


def all_finite(result: object) -> bool:
    """Are all values of an array, or of a tuple of arrays, finite?"""
    parts = result if isinstance(result, tuple) else (result,)
    try:
        return all(bool(np.all(np.isfinite(np.asarray(p, dtype=np.float64)))) for p in parts)
    except (TypeError, ValueError):
        return True  # not numbers at all: the caller's own checks say what is wrong


def widened(by_default: bool, dtype: tf.DType, result: object,
            compute: Callable[[tf.DType], object]) -> object:
    """``result``, or the float64 one when float32 was only a default and gave inf or NaN.

    ``derivative(tf.exp, 100.0)`` is (inf, inf) in float32 but e**100 in float64; a student
    who typed ``100.0`` did not ask for float32. Input that carries its own float32 type
    (an array, a tensor) keeps it: that was a choice. If f only runs in float32 (a float32
    constant inside), the float32 result stands.

    Parameters
    ----------
    by_default : bool
        Was float32 only the default (:func:`float32_by_default` of every input)?
    dtype : tf.DType
        The type ``result`` was computed in.
    result : array or tuple of arrays
        What ``compute(dtype)`` gave.
    compute : callable
        ``dtype -> result``, run again in float64 when needed.
    """
    if dtype != tf.float32 or not by_default or all_finite(result):
        return result
    try:
        return float_retry(compute, tf.float64)
    except (FunctionError, GradientError):
        return result
