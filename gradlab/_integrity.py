"""Has a notebook cell replaced what a grade rests on? Recorded at load, compared at grading.

A verdict rests on gradlab's checking code, on TensorFlow's tape, on NumPy's comparisons
and on a few builtins. A student cell can replace any of them (``gradlab.exercises.
checks.run_check = ...``, ``np.allclose = lambda *a, **k: True``, ``tf.GradientTape.gradient
= ...``) and make a wrong answer pass. So:

* when gradlab loads (and when TensorFlow or NumPy first appears), :func:`record` notes
  each watched object, its code, its default arguments and, for a class, its methods;
  :func:`changed` compares them again and names the first that differs;
* gradlab's checking modules are *sealed*: assigning to their attributes raises at once,
  with a message that says why.

This stops casual and copied tricks. It cannot stop a determined student: the kernel is
theirs (they can edit ``__dict__`` or memory directly, or write a check that never calls
gradlab). docs/teaching.md says what a teacher should read by eye. This module uses the
standard library only, so ``python -m gradlab`` still starts without NumPy or TensorFlow.
"""

from __future__ import annotations

import dataclasses
import sys
import types

__all__ = ["changed", "record", "seal"]

# gradlab's checking modules call seal(__name__) as they finish loading; gradlab.calculus
# is not sealed (its reference functions are reached through the sealed catalog's names).

#: module name -> the attribute names to watch (None: every public callable it has).
WATCHED: dict[str, tuple[str, ...] | None] = {
    "builtins": ("abs", "all", "any", "bool", "callable", "dict", "float", "frozenset", "getattr",
                 "hasattr", "id", "int", "isinstance", "iter", "len", "list", "max", "min", "next",
                 "object", "range", "repr", "round", "set", "sorted", "str", "sum", "tuple", "type", "zip"),
    "sys": ("setprofile", "getprofile", "settrace", "gettrace", "_getframe", "exc_info"),
    "signal": ("signal", "setitimer", "getitimer"),
    "time": ("process_time", "monotonic"),
    "threading": ("current_thread", "main_thread", "Thread"),
    "contextvars": ("ContextVar", "copy_context"),
    "math": None,
    "numpy": None,
    "numpy.random": None,
    "numpy.linalg": None,
    "tensorflow": None,
    "gradlab": ("check", "exercise", "grade"),
}
#: Attributes of TensorFlow reached through it: the tape, forward mode, the eager switch.
TF_PARTS = ("GradientTape", "autodiff", "autodiff.ForwardAccumulator", "config", "math")

_RECORD: dict[str, tuple] = {}  # label -> (module, path, object, deep, fingerprint)
_MODULES: dict[str, object] = {}
_MISSING = object()


def _fingerprint(value: object, deep: bool = True) -> tuple:
    """What must stay the same: the object, and for a function its code and defaults.

    ``deep`` (gradlab's own modules, TensorFlow's tape) adds a class's methods and a
    registry's entries; other libraries' classes and dicts may change by design (NumPy adds
    type names, TensorFlow adds methods to Tensor), so only their identity is compared.
    """
    function = getattr(value, "__func__", value)
    parts: tuple = (id(value),)
    if isinstance(function, types.FunctionType):
        parts += (id(function.__code__), id(function.__defaults__), id(function.__kwdefaults__))
    if not deep:
        return parts
    if isinstance(value, type):
        parts += tuple(sorted((name, _member_id(member)) for name, member in vars(value).items()
                              if not name.startswith("__") or name in ("__call__", "__bool__", "__eq__")))
    elif isinstance(value, dict):  # a registry such as EXERCISES: its entries, and theirs
        parts += tuple(sorted((repr(k), *_inner(v)) for k, v in list(value.items())))
    elif dataclasses.is_dataclass(value):  # a frozen record such as Rules: its fields
        parts += _inner(value)
    return parts


def _inner(value: object) -> tuple:
    """An entry's identity, its fields (a dataclass: their repr) and its functions' code."""
    fields = list(getattr(value, "__dict__", {}).values())
    return (id(value), repr(value) if dataclasses.is_dataclass(value) else "",
            *(id(getattr(f, "__code__", f)) for f in fields))


def _member_id(member: object) -> tuple:
    function = getattr(member, "__func__", member)
    if isinstance(member, property):
        return (id(member), id(member.fget))
    if isinstance(function, types.FunctionType):
        return (id(function), id(function.__code__))
    return (id(member),)


def _watched_names(module: object, names: tuple[str, ...] | None, registries: bool = False) -> list[str]:
    if names is not None:
        return [n for n in names if hasattr(module, n)]
    found = []
    for name, value in list(vars(module).items()):
        if name.startswith("__") or isinstance(value, types.ModuleType):
            continue
        if callable(value) or (registries and (isinstance(value, dict) or dataclasses.is_dataclass(value))):
            found.append(name)
    return found


def _entry(module_name: str, path: str, value: object, deep: bool) -> tuple:
    return module_name, path, value, deep, _fingerprint(value, deep)


def _record_module(module_name: str, module: object) -> None:
    _MODULES[module_name] = module
    for name in _watched_names(module, WATCHED[module_name]):
        value = getattr(module, name, _MISSING)
        _RECORD[f"{module_name}.{name}"] = _entry(module_name, name, value, False)


def _tf_parts(tf: object) -> None:
    for path in TF_PARTS:
        value: object = tf
        for part in path.split("."):
            value = getattr(value, part, _MISSING)
        if value is _MISSING:
            continue
        label = f"tensorflow.{path}"
        _RECORD[label] = _entry("tensorflow", path, value, isinstance(value, type))
        if isinstance(value, types.ModuleType):
            for name in _watched_names(value, None):
                member = getattr(value, name, _MISSING)
                _RECORD[f"{label}.{name}"] = _entry("tensorflow", f"{path}.{name}", member, False)


def record() -> None:
    """Note every watched module that has loaded since the last call (cheap to repeat).

    gradlab's own modules are recorded by :func:`seal` when they finish loading.
    """
    for module_name in WATCHED:
        module = sys.modules.get(module_name)
        if module is None or module_name in _MODULES or module_name.startswith("gradlab"):
            continue
        _record_module(module_name, module)
        if module_name == "tensorflow":
            _tf_parts(module)


def _current(module_name: str, path: str) -> object:
    value: object = sys.modules.get(module_name, _MISSING)
    for part in path.split("."):
        value = getattr(value, part, _MISSING)
    return value


def changed() -> str | None:
    """The first watched thing that is no longer what it was when recorded, or None.

    Examples
    --------
    >>> import math
    >>> record(); changed() is None
    True
    """
    record()
    for module_name, module in _MODULES.items():
        if sys.modules.get(module_name) is not module:
            return f"the module {module_name} was replaced"
    for module_name in _SEALED:
        module = sys.modules.get(module_name)
        if module is not None and not isinstance(module, (_Sealed, _SealedNames)):
            return f"the module {module_name} was replaced"
    top = sys.modules.get("gradlab")
    exercises = sys.modules.get("gradlab.exercises")
    for name in WATCHED["gradlab"] or ():
        mine = vars(top).get(name) if top is not None else None
        if mine is not None and exercises is not None and mine is not getattr(exercises, name, None):
            return f"gradlab.{name} was replaced"
    for label, (module_name, path, value, deep, print_) in _RECORD.items():
        now = _current(module_name, path)
        if now is not value or _fingerprint(now, deep) != print_:
            return f"{label} was replaced or changed"
    return None


class _Sealed(types.ModuleType):
    """A module whose attributes cannot be assigned from a notebook."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}" \
                and name not in vars(self):  # the import system binding a submodule as it loads
            types.ModuleType.__setattr__(self, name, value)
            return
        raise AttributeError(
            f"{self.__name__}.{name} cannot be changed: gradlab's checks are what grade your work. "
            "If you did not mean to, restart the kernel.")

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)


class _SealedNames(types.ModuleType):
    """A module where only the names in ``__sealed__`` cannot be assigned."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in type(self).__sealed__:
            _Sealed.__setattr__(self, name, value)  # type: ignore[arg-type]
        super().__setattr__(name, value)

    __sealed__ = frozenset(WATCHED["gradlab"] or ())


_SEALED: set[str] = set()


def seal(module_name: str, mutable: tuple[str, ...] = ()) -> None:
    """Record a gradlab module that has just loaded, and make assignments to it raise.

    ``mutable`` names module state that changes by design (a teacher's exercise registry):
    it is not compared. The top-level ``gradlab`` package only protects check/grade/exercise.
    """
    module = sys.modules[module_name]
    if module_name == "gradlab":
        module.__class__ = _SealedNames
        return
    _MODULES[module_name] = module
    for name in _watched_names(module, None, registries=True):
        if name not in mutable:
            value = getattr(module, name)
            _RECORD[f"{module_name}.{name}"] = _entry(module_name, name, value, True)
    module.__class__ = _Sealed
    _SEALED.add(module_name)


seal(__name__, mutable=("_RECORD", "_MODULES", "_SEALED"))
