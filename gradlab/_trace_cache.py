"""When may a compiled graph of ``f`` be reused? A key for everything f reads from outside.

A ``tf.function`` freezes the Python values f reads when it is traced (``a`` in
``lambda x: a * x``, ``self.a`` in a method, a closure's cell), so a cache of compiled
functions keyed on ``f`` alone keeps old numbers after a student re-runs ``a = 4`` or sets
``p.a = 3.0``. :func:`state_key` describes that outside state as a hashable value; a cache
keyed on it retraces exactly when such a value changed.

What is looked inside (see :func:`state_key` for the limits):

- a function: the globals its code names, its closure cells, its defaults, and the same for
  functions it names;
- a bound method (``p.f``): its function and its object ``p``;
- a callable object (``Poly(1.0)`` with ``__call__``): its attributes and its class's
  ``__call__``; a ``functools.partial``: its function and arguments;
- values: numbers, strings, arrays and tensors (by value), lists, tuples, dicts and sets,
  plain objects (their attributes, and class attributes the code names), modules and
  classes of the student's own code (the attributes the code names).

Code from installed libraries and the standard library (``tf``, ``np``, ``math``,
``tf.sin``, gradlab itself) counts as fixed, and a ``tf.Variable`` by identity: the graph
reads it live. Anything else cannot be watched for changes (a C object such as a random
generator, a Keras model's deep state, a very large container): the key is then *untracked*,
unique on every call, so no cache ever reuses a graph for it (:func:`is_tracked`).

Private to gradlab; ``state_key`` and ``quiet_tracing`` are re-exported by
:mod:`gradlab.calculus`.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import hashlib
import itertools
import logging
import os
import sys
import sysconfig
import types
from collections.abc import Iterator

import numpy as np

from gradlab._tf import tf

#: Deepest nesting looked into (a function naming a function naming an object ...).
MAX_DEPTH = 6
#: Most values one key may visit; past it the state is too large to watch: untracked.
MAX_VALUES = 2000
#: Arrays and tensors up to this many values are keyed by their bytes, up to BIG by a hash.
SMALL, BIG = 4096, 1_000_000
#: Containers up to this many items are keyed item by item (long numeric lists by a hash).
ITEMS = 64

_untracked_ids = itertools.count()

#: Types whose instances never change in place.
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, range, slice, type(Ellipsis),
              tf.DType, tf.TensorShape, np.dtype, enum.Enum)
#: Plain values, keyed as themselves.
_PLAIN = frozenset({type(None), bool, int, float, complex, str, bytes})
#: Callables from C: ``math.sin``, ``np.sin``, ``abs`` carry no state of their own; a method
#: of an object (``rng.normal``, ``lst.append``) is keyed by that object.
_BUILTIN_CALLABLES = (types.BuiltinFunctionType, types.BuiltinMethodType, np.ufunc,
                      types.MethodWrapperType, types.WrapperDescriptorType)


class _Untracked(Exception):
    """Part of f's state cannot be watched for changes; the message says which."""


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots.add(os.path.dirname(os.path.abspath(__file__)))  # gradlab itself
    return tuple(os.path.join(os.path.abspath(r), "") for r in roots)


_ROOTS = _library_roots()


@functools.lru_cache(maxsize=4096)
def _library_file(filename: str | None) -> bool:
    """Is this source file part of an installed package or the standard library?"""
    if not filename:
        return True  # built into the interpreter
    if filename.startswith("<frozen"):
        return True
    return os.path.abspath(filename).startswith(_ROOTS)


def _library_module(module: types.ModuleType) -> bool:
    file = getattr(module, "__file__", None)
    if file is None:  # compiled into Python (sys, math), or made in a notebook (types.ModuleType)
        return module.__name__ in sys.builtin_module_names
    return _library_file(file)


def _library_class(cls: type) -> bool:
    module = sys.modules.get(getattr(cls, "__module__", None) or "builtins")
    return module is None or _library_module(module)


@functools.lru_cache(maxsize=4096)
def _names(code: types.CodeType) -> frozenset[str]:
    """Every global and attribute name the code (and code nested in it) mentions."""
    names: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return frozenset(names)


def state_key(f: object) -> tuple:
    """What ``f`` reads from outside itself, as a hashable key for a cache of compiled graphs.

    Parameters
    ----------
    f : callable
        A function, lambda, bound method, callable object or ``functools.partial``.

    Returns
    -------
    tuple
        Equal for two calls exactly when nothing f reads has changed. When part of the state
        cannot be watched (a C object such as ``np.random.default_rng()``, a container of more
        than 64 items that is not a list of numbers, an object with more than 64 attributes,
        an array of more than 1e6 values, state nested more than six levels deep or more than
        2000 values in all), the key is *untracked*: different on every call, so nothing is
        reused (:func:`is_tracked` tells). Installed libraries (``tf``, ``np``, ``math``) count
        as fixed and a ``tf.Variable`` by identity, since a graph reads it live.

    Examples
    --------
    >>> a = 2.0
    >>> f = lambda x: a * x
    >>> before = state_key(f)
    >>> a = 3.0
    >>> state_key(f) == before
    False
    """
    try:
        return ("tracked", _Keyer().callable(f, 0))
    except _Untracked as why:
        return ("untracked", next(_untracked_ids), str(why))
    except Exception as error:  # noqa: BLE001 - an object that resists reading: never cache it
        return ("untracked", next(_untracked_ids), f"{type(error).__name__}: {error}")


def is_tracked(key: tuple) -> bool:
    """May a graph traced under this :func:`state_key` be reused while the key is unchanged?"""
    return key[0] != "untracked"


class _Keyer:
    """One key's walk over f's state, with a budget of values and no value visited twice."""

    def __init__(self) -> None:
        self.visited = 0
        self.seen: set[int] = set()

    def _enter(self, depth: int, what: object) -> None:
        self.visited += 1
        if depth > MAX_DEPTH:
            raise _Untracked(f"{type(what).__name__} nested more than {MAX_DEPTH} levels deep")
        if self.visited > MAX_VALUES:
            raise _Untracked(f"more than {MAX_VALUES} values reachable from f")

    # ------------------------------------------------------------------ callables

    def callable(self, f: object, depth: int) -> object:
        if isinstance(f, _BUILTIN_CALLABLES):
            owner = getattr(f, "__self__", None)
            if owner is None or isinstance(owner, (types.ModuleType, type)):
                return ("builtin", id(f))  # math.sin, np.sin, abs: no state of their own
            return ("builtin", id(f), self.value(owner, depth + 1))  # lst.append: the list's
        if isinstance(f, types.FunctionType):
            return self.function(f, depth)
        if isinstance(f, types.MethodType):  # p.f: the function and the object it is bound to
            func = f.__func__
            names = _names(func.__code__) if hasattr(func, "__code__") else frozenset()
            return ("method", self.callable(func, depth + 1), self.value(f.__self__, depth + 1, names))
        if isinstance(f, functools.partial):
            return ("partial", self.callable(f.func, depth + 1), self.value(f.args, depth + 1),
                    self.value(f.keywords, depth + 1))
        python_function = getattr(f, "python_function", None)
        if python_function is not None:  # a tf.function: key the Python function it wraps
            return ("tf.function", id(f), self.callable(python_function, depth + 1))
        return self.value(f, depth)

    def function(self, f: types.FunctionType, depth: int) -> object:
        code = f.__code__
        if _library_file(code.co_filename) or id(f) in self.seen:
            return ("function", id(f), code)  # library code is fixed; a repeat is keyed already
        self._enter(depth, f)
        self.seen.add(id(f))
        names = _names(code)
        namespace = f.__globals__
        found = tuple((n, self.value(namespace[n], depth + 1, names))
                      for n in sorted(names) if n in namespace)
        cells = []
        for cell in f.__closure__ or ():
            try:
                cells.append(self.value(cell.cell_contents, depth + 1, names))
            except ValueError:  # an empty cell (a name assigned later)
                cells.append(("empty",))
        defaults = None
        if f.__defaults__ or f.__kwdefaults__:
            defaults = self.value((f.__defaults__ or (), f.__kwdefaults__ or {}), depth + 1, names)
        return ("function", id(f), code, found, tuple(cells), defaults)

    # ------------------------------------------------------------------ values

    def value(self, value: object, depth: int, names: frozenset[str] = frozenset()) -> object:
        if type(value) in _PLAIN:  # the common cases first: a number (each check costs ~0.3 µs),
            return value
        if isinstance(value, types.ModuleType):  # ... and `tf` or `np`
            return self.module(value, depth, names)
        if isinstance(value, _IMMUTABLE):
            return value if isinstance(value, (int, float, complex, str, bytes, type(None))) else ("fixed", repr(value))
        self._enter(depth, value)
        if isinstance(value, (np.ndarray, np.generic)):
            return self.array(np.asarray(value))
        if isinstance(value, tf.Variable):
            return ("variable", id(value))  # read live by the graph
        if isinstance(value, tf.Tensor):
            return self.tensor(value)
        if isinstance(value, (list, tuple)):
            return self.sequence(value, depth, names)
        if isinstance(value, (set, frozenset)):
            if len(value) > ITEMS:
                raise _Untracked(f"a set of {len(value)} items (more than {ITEMS})")
            return ("set", frozenset(self.value(v, depth + 1, names) for v in value))
        if isinstance(value, dict):
            if len(value) > ITEMS:
                raise _Untracked(f"a dict of {len(value)} items (more than {ITEMS})")
            return ("dict", tuple(sorted(((repr(k), self.value(v, depth + 1, names))
                                          for k, v in value.items()), key=lambda kv: kv[0])))
        if isinstance(value, type):
            return self.cls(value, depth, names)
        if isinstance(value, (types.FunctionType, types.MethodType, functools.partial, *_BUILTIN_CALLABLES)):
            return self.callable(value, depth)
        if hasattr(value, "python_function"):
            return self.callable(value, depth)
        if isinstance(value, property):  # `self.a` computed by a property: its functions
            return ("property", *(self.callable(g, depth + 1) if g else None
                                  for g in (value.fget, value.fset)))
        if isinstance(value, (staticmethod, classmethod)):
            return (type(value).__name__, self.callable(value.__func__, depth + 1))
        return self.instance(value, depth, names)

    def array(self, array: np.ndarray) -> object:
        if array.dtype == object:
            raise _Untracked("a NumPy array of Python objects")
        if array.size <= SMALL:
            return ("nd", array.dtype.str, array.shape, array.tobytes())
        if array.size <= BIG:  # in-place edits of a bigger array count too (a hash, ~1 ms)
            return ("nd", array.dtype.str, array.shape, hashlib.blake2b(array.tobytes()).digest())
        raise _Untracked(f"an array of {array.size:,} values (more than {BIG:,})")

    def tensor(self, value: tf.Tensor) -> object:
        try:
            array = value.numpy()
        except Exception:  # noqa: BLE001 - a symbolic tensor has no values to compare
            raise _Untracked("a symbolic tensor") from None
        return ("tensor", self.array(np.asarray(array)))

    def sequence(self, value: list | tuple, depth: int, names: frozenset[str]) -> object:
        kind = type(value).__name__
        if len(value) <= ITEMS:
            return (kind, tuple(self.value(v, depth + 1, names) for v in value))
        if len(value) <= 100_000:
            try:  # a long list of numbers: its values, hashed (lst[0] = 11 must retrace)
                array = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise _Untracked(f"a {kind} of {len(value)} items that are not all numbers") from None
            return (kind, len(value), hashlib.blake2b(array.tobytes()).digest())
        raise _Untracked(f"a {kind} of {len(value):,} items")

    def module(self, module: types.ModuleType, depth: int, names: frozenset[str]) -> object:
        if _library_module(module):
            return ("module", module.__name__)
        # The student's own module (settings.py): the attributes the code names (settings.a).
        space = vars(module)
        return ("module", module.__name__, self.named(space, names, depth))

    def cls(self, cls: type, depth: int, names: frozenset[str]) -> object:
        if _library_class(cls):
            return ("class", id(cls))
        # A class of the student's: its (inherited) attributes the code names, and __call__.
        call = vars(cls).get("__call__") or next(
            (vars(k)["__call__"] for k in cls.__mro__ if "__call__" in vars(k)), None)
        if isinstance(call, types.FunctionType):
            names = names | _names(call.__code__) | {"__call__"}
        space: dict[str, object] = {}
        for klass in reversed(cls.__mro__):
            if not _library_class(klass):
                space.update(vars(klass))
        return ("class", id(cls), self.named(space, names, depth))

    def named(self, space: dict, names: frozenset[str], depth: int) -> tuple:
        return tuple((n, self.value(space[n], depth + 1, names)) for n in sorted(names) if n in space)

    def instance(self, value: object, depth: int, names: frozenset[str]) -> object:
        attributes = getattr(value, "__dict__", None)
        cls = type(value)
        if not isinstance(attributes, dict):
            raise _Untracked(f"a {cls.__name__} object, whose state cannot be read")
        if len(attributes) > ITEMS:
            raise _Untracked(f"a {cls.__name__} object with {len(attributes)} attributes")
        if id(value) in self.seen:
            return ("object", id(value))
        self.seen.add(id(value))
        own = tuple(sorted((k, self.value(v, depth + 1, names)) for k, v in attributes.items()))
        return ("object", id(value), self.cls(cls, depth + 1, names), own)


@contextlib.contextmanager
def quiet_tracing() -> Iterator[None]:
    """Mute TensorFlow's Python logger (its "retracing" warning) for one block.

    Each explorer traces its own function once, by design; after a few explorers TensorFlow
    warns about "retracing", which would only alarm a student reading the notebook.

    Examples
    --------
    >>> with quiet_tracing():
    ...     pass
    """
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
