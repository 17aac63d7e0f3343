"""See *how* a student's answer computes, not only what it returns.

An exercise that says "use a tape", "by hand" or "use the optimizer passed in" is about a
method; the numbers alone cannot tell a tape from a formula typed in, or a Keras optimiser
from ``v.assign_sub(0.1 * g)``. While the student's code runs, :class:`Observer` watches
every Python call (``sys.setprofile``) and notes the ones that matter:

* TensorFlow's autodiff entry points: ``GradientTape.gradient`` / ``jacobian`` /
  ``batch_jacobian`` (reverse mode), ``ForwardAccumulator.jvp`` (forward mode), with the
  objects ``gradient`` returned and the ``unconnected_gradients`` it was asked for;
* any function of the gradlab package (its helpers would do the exercise for the student);
  TensorFlow calls made *inside* a gradlab helper are the helper's, not the student's;
* calls of functions the exercise names (``dh`` must not call ``h``, the function it
  differentiates);
* Keras optimiser updates (``apply_gradients`` / ``apply``, with the optimiser object) and
  ``Model.fit``.

It observes what runs: renaming, aliasing or hiding a call in another function changes
nothing. Code compiled by ``tf.function`` runs its Python only while tracing, so the
observer also turns on ``tf.config.run_functions_eagerly`` for the student's code: every
call is seen, and a graph ``while`` loop becomes a Python loop that the time limit can stop.

The rules built on these observations (:func:`method_problem`) return feedback that names the
rule that was broken.
"""

from __future__ import annotations

import inspect
import os
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gradlab import _integrity

__all__ = ["Observation", "Observer", "Rules", "method_problem", "universal_problem"]

_GRADLAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
#: The exercises' own test functions (passed to the student's code) are not helpers.
_CATALOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog")
_KERAS_FIT = {"fit", "train_on_batch"}
_FORWARDPROP = os.path.join("eager", "forwardprop.py")
#: Reading the call stack would let an answer read the checker's expected values.
_FRAME_READERS = {sys._getframe, getattr(sys, "_current_frames", sys._getframe)}
_INSPECT_CODES = {inspect.currentframe.__code__, inspect.stack.__code__, inspect.getouterframes.__code__,
                  inspect.trace.__code__}
#: Where libraries live: a frame from anywhere else is the student's (a notebook cell, their module).
_LIBRARIES = tuple({sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
                   | {os.path.dirname(os.__file__), _GRADLAB_DIR.rstrip(os.sep)})


def _student(frame) -> bool:
    return not frame.f_code.co_filename.startswith(_LIBRARIES)


@dataclass
class Observation:
    """What the student's code did while it ran (counts are over every call of one check)."""

    reverse: int = 0       # tape.gradient / jacobian / batch_jacobian outside gradlab
    forward: int = 0       # ForwardAccumulator.jvp outside gradlab
    gradlab: list[str] = field(default_factory=list)   # gradlab functions the student called
    avoided: list[str] = field(default_factory=list)   # calls of functions the answer must not call
    gradient_results: list[object] = field(default_factory=list)  # what tape.gradient returned
    unconnected: list[str] = field(default_factory=list)  # unconnected_gradients asked for
    optimizers: list[int] = field(default_factory=list)   # id() of optimisers that applied updates
    given_optimizers: list[int] = field(default_factory=list)  # id() of those the check handed over
    fits: int = 0          # Model.fit / train_on_batch calls
    calls: int = 0         # calls of the student's function
    threads: int = 0       # threads the student's code started (the watch cannot follow them)
    unwatched: int = 0     # times the student's code switched the watch off (sys.setprofile)
    frames_read: int = 0   # calls that read the call stack (sys._getframe, inspect.stack...)


def _tf_code_objects():
    from gradlab._tf import tf

    tape, forward = tf.GradientTape, tf.autodiff.ForwardAccumulator
    reverse = {getattr(tape, name).__code__ for name in ("gradient", "jacobian", "batch_jacobian")}
    return reverse, {forward.jvp.__code__}, tape.gradient.__code__


def _optimizer_codes() -> set:
    try:
        import keras
    except ImportError:  # pragma: no cover - Keras comes with TensorFlow 2.16+
        return set()
    base = keras.optimizers.Optimizer
    codes = set()
    for name in ("apply_gradients", "apply"):
        method = getattr(base, name, None)
        while method is not None and not hasattr(method, "__code__"):
            method = getattr(method, "__wrapped__", None)
        if method is not None:
            codes.add(method.__code__)
    for klass in base.__mro__:  # keras 3 defines the real update on BaseOptimizer
        for name in ("apply_gradients", "apply"):
            method = klass.__dict__.get(name)
            if callable(method) and hasattr(method, "__code__"):
                codes.add(method.__code__)
    return codes


def _code_of(function: object):
    """The code object a call of ``function`` runs (through tf.function and decorators)."""
    function = getattr(function, "python_function", function)
    function = getattr(function, "__func__", function)
    seen = 0
    while not hasattr(function, "__code__") and hasattr(function, "__wrapped__") and seen < 10:
        function, seen = function.__wrapped__, seen + 1
    return getattr(function, "__code__", None)


def _name(code) -> str:
    module = os.path.splitext(os.path.basename(code.co_filename))[0]
    return f"gradlab.{code.co_name}" if module in ("__init__", "calculus") else f"gradlab.{module}.{code.co_name}"


class Observer:
    """Context manager: watch the calls made while the student's code runs.

    Parameters
    ----------
    observation : Observation
        Where the findings accumulate (one per check, across several calls).
    avoid : iterable of (name, function)
        Functions the student's code must not call; each call is noted by name.

    Examples
    --------
    >>> import tensorflow as tf
    >>> def slope(x):
    ...     with tf.GradientTape() as tape:
    ...         tape.watch(x)
    ...         y = x * x
    ...     return tape.gradient(y, x)
    >>> seen = Observation()
    >>> float(Observer(seen).run(slope, tf.constant(2.0)))
    4.0
    >>> seen.reverse
    1
    """

    def __init__(self, observation: Observation, avoid: Iterable[tuple[str, object]] = ()):
        self.seen = observation
        self.reverse_codes, self.forward_codes, self.gradient_code = _tf_code_objects()
        self.optimizer_codes = _optimizer_codes()
        self.avoid = {code: name for name, fn in avoid if (code := _code_of(fn)) is not None}
        self.inside_gradlab: list[object] = []  # frames whose inner calls are not the student's
        self.gradient_frames: set[int] = set()

    def _profile(self, frame, event, arg):
        if event == "call":
            if not self.inside_gradlab:
                self._call(frame)
        elif event == "c_call":
            if arg in _FRAME_READERS and not self.inside_gradlab and _student(frame):
                self.seen.frames_read += 1
        elif event == "return":
            if self.inside_gradlab:
                if frame is self.inside_gradlab[-1]:
                    self.inside_gradlab.pop()
            elif id(frame) in self.gradient_frames and frame.f_code is self.gradient_code:
                self.gradient_frames.discard(id(frame))
                self.seen.gradient_results.append(arg)

    def _call(self, frame) -> None:
        code = frame.f_code
        if code in _INSPECT_CODES and frame.f_back is not None and _student(frame.f_back):
            self.seen.frames_read += 1
        if code.co_filename.startswith(_GRADLAB_DIR) and not code.co_filename.startswith(_CATALOGS):
            self.inside_gradlab.append(frame)  # what a helper does inside is the helper's
            if not code.co_name.startswith("__"):  # not gradlab's lazy __getattr__
                self.seen.gradlab.append(_name(code))
        elif code in self.reverse_codes:
            self.seen.reverse += 1
            if code is self.gradient_code:
                self.gradient_frames.add(id(frame))
                choice = frame.f_locals.get("unconnected_gradients")
                self.seen.unconnected.append(str(getattr(choice, "value", choice)))
        elif code.co_filename.endswith(_FORWARDPROP):
            if code in self.forward_codes:
                self.seen.forward += 1
            # Forward mode computes some JVPs with an internal backward pass: not the student's.
            self.inside_gradlab.append(frame)
        elif code in self.avoid:
            self.seen.avoided.append(self.avoid[code])
        elif code in self.optimizer_codes:
            self.seen.optimizers.append(id(frame.f_locals.get("self")))
        elif code.co_name in _KERAS_FIT and f"{os.sep}keras{os.sep}" in code.co_filename:
            self.seen.fits += 1

    def run(self, fn: Callable, *args: object) -> object:
        """``fn(*args)``, watched; tf.functions run eagerly meanwhile (their Python is seen)."""
        self.start()
        try:
            return self.call(fn, args)
        finally:
            self.stop()

    def start(self) -> None:
        """Switch tf.functions to eager and note threads started from now on."""
        from gradlab._tf import tf

        self._eager = tf.config.functions_run_eagerly()
        self._threads = threading.getprofile()
        tf.config.run_functions_eagerly(True)
        threading.setprofile(self._thread_started)
        self.seen.calls += 1

    def call(self, fn: Callable, args: tuple) -> object:
        """``fn(*args)`` with the watch on. The watch must still be on when the answer returns:
        an answer that switched it off (``sys.setprofile(None)``) is noted."""
        previous, hook = sys.getprofile(), self._profile  # one bound method, compared below
        sys.setprofile(hook)  # no Python frame of ours runs until it is unset
        try:
            return fn(*args)
        finally:
            if sys.getprofile() is not hook:
                self.seen.unwatched += 1
            sys.setprofile(previous)
            self.inside_gradlab.clear()

    def stop(self) -> None:
        """Undo :meth:`start` (called once the student's code can no longer be interrupted)."""
        from gradlab._tf import tf

        threading.setprofile(self._threads)
        tf.config.run_functions_eagerly(self._eager)

    def _thread_started(self, _frame, _event, _arg):
        self.seen.threads += 1
        sys.setprofile(None)  # noted once; the thread itself is not watched


@dataclass(frozen=True)
class Rules:
    """The method an exercise prescribes; every field off means "any method".

    tape : the answer must differentiate with a GradientTape (at least ``tape_calls`` calls of
        ``gradient``/``jacobian`` per call of the answer: 3 for a third derivative).
    by_hand : the answer must not differentiate automatically (no tape, no forward mode).
    forward : the answer must use forward mode (``ForwardAccumulator``), not a reverse pass.
    helpers : gradlab's functions are allowed inside the answer.
    optimizer : the answer must apply its update with the optimiser it was given, not fit().
    no_optimizer : the answer must take its step itself, without a Keras optimiser.
    """

    tape: bool = False
    tape_calls: int = 1
    by_hand: bool = False
    forward: bool = False
    helpers: bool = True
    optimizer: bool = False
    no_optimizer: bool = False
    tape_result: bool = True  # with tape: the result must change when the tape's gradients do


def universal_problem(seen: Observation, what: str) -> str | None:
    """What no answer may do, whatever the exercise: hide from the check or read the checker."""
    if seen.unwatched:
        return (f"{what} switched off the check's watch (sys.setprofile): the check must see how "
                "your answer computes. Remove that call.")
    if seen.threads:
        return (f"{what} starts a thread, where the check cannot see what runs: compute the answer "
                "in the function itself.")
    if seen.frames_read:
        return (f"{what} reads the call stack (sys._getframe, inspect): an answer may not look "
                "into the checker. Compute the answer yourself.")
    return None


def method_problem(rules: Rules, seen: Observation, what: str) -> str | None:
    """The broken rule, in a sentence for the student, or None when the method is right."""
    calls = max(seen.calls, 1)
    broken = universal_problem(seen, what)
    if broken is not None:
        return broken
    if not rules.helpers and seen.gradlab:
        used = ", ".join(dict.fromkeys(seen.gradlab))
        return (f"{what} calls {used}: gradlab's helpers would do the exercise for you. Write it "
                "yourself" + (" with a tf.GradientTape" if rules.tape else "") + ".")
    if seen.avoided:
        name = seen.avoided[0]
        return (f"{what} calls {name}, the function it differentiates: the derivative should be a "
                f"formula worked out by hand, not computed from values of {name} (a finite "
                "difference) or by a tape.")
    if rules.by_hand and (seen.reverse or seen.forward):
        return (f"{what} uses TensorFlow's automatic differentiation (a tape or a forward "
                "accumulator); the exercise asks for the derivative worked out by hand, as a formula.")
    if rules.forward and seen.reverse:
        return (f"{what} runs a reverse pass (tape.gradient): the exercise asks for forward mode, "
                "one tf.autodiff.ForwardAccumulator pass with the direction as its tangent.")
    if rules.forward and seen.forward < calls:
        return (f"{what} did not use tf.autodiff.ForwardAccumulator: push the direction through "
                "the function with one forward pass (acc.jvp(...)).")
    if rules.tape and seen.reverse < rules.tape_calls * calls:
        if rules.tape_calls > 1 and seen.reverse:
            return (f"{what} called tape.gradient {seen.reverse} time(s) in {calls} call(s); each "
                    f"call needs {rules.tape_calls} (one per derivative, each differentiating the "
                    "one before: nested tapes, or one persistent tape asked inside its block).")
        return (f"{what} did not use a tf.GradientTape: the exercise is about letting the tape "
                "compute the derivative, so record the computation on a tape and call "
                "tape.gradient.")
    if rules.optimizer:
        if seen.fits:
            return (f"{what} calls model.fit: the exercise asks for one step written with a "
                    "GradientTape and optimizer.apply_gradients.")
        if not set(seen.given_optimizers) <= set(seen.optimizers):
            return (f"{what} did not update the weights with the optimizer it was given: call "
                    "optimizer.apply_gradients(zip(grads, model.trainable_variables)) so that any "
                    "optimiser (SGD, momentum, Adam...) takes its own step.")
    if rules.no_optimizer and (seen.optimizers or seen.fits):
        return (f"{what} uses a Keras optimiser: the exercise asks for the update written out, "
                "point − learning_rate × gradient, with the gradient from a tape.")
    return None


_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
