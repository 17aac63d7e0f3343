"""The exercises of notebooks 07 and 08 (when gradients go wrong, and forward mode), by key.

Same rules as :mod:`gradlab.exercises.catalog`, which merges :data:`EXERCISES_07_08` into
the registry: every expected answer is computed inside its check, on points drawn afresh (or
from an autograder's hidden seed), and a prescribed method is checked by its :class:`Rules`.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.exercises._shared import f32, short_array
from gradlab.exercises.checks import (
    Feedback,
    call_attempt,
    check_choice,
    check_function,
    check_value,
    correct,
    current_rng,
    random_points,
    seen,
    wrong,
)
from gradlab.exercises.kinds import TAPE, Exercise
from gradlab.exercises.observe import Rules

__all__ = ["EXERCISES_07_08"]


# --------------------------------------------------------------------------- 07 pitfalls


def _ex07_1(answer: object) -> Feedback:
    """Which of the notebook's four functions give a None gradient at x = 2 (found by a tape here)."""
    candidates = {
        "a": lambda x: tf.sign(x) * x,
        "b": lambda x: tf.constant(np.exp(x.numpy())),
        "c": lambda x: tf.round(x) * 2.0,
        "d": lambda x: 3.0 * tf.ones_like(x),
    }

    def none_gradient(f) -> bool:
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x) is None

    right = {name for name, f in candidates.items() if none_gradient(f)}
    return check_choice(answer, right, sorted(candidates),
                        "b leaves TensorFlow through NumPy, c goes through tf.round, whose gradient is "
                        "registered as None (declared not differentiable), and d never uses the value "
                        "of x; a is fine: tf.sign's gradient is registered as 0, so the product rule "
                        "gives sign(x).",
                        "a gradient is None when no differentiable path of float operations leads from x "
                        "to the result")


def _ex07_2(fn: object) -> Feedback:
    """both_gradients(a, b): [da, db] for loss = a³ + 1, from tape.gradient, with zeros for b."""
    for value in [2.0, *random_points(-2.0, 2.0, 2)]:
        a, b = tf.Variable(value), tf.Variable(-1.0)
        result, problem = call_attempt(fn, a, b, what="both_gradients")
        if problem is not None:
            return problem
        try:
            parts = list(result)  # type: ignore[call-overload]
        except TypeError:
            return wrong("both_gradients should return the list [da, db] that tape.gradient gives for [a, b]")
        if len(parts) != 2:
            return wrong(f"both_gradients should return two gradients, [da, db]; it returns {len(parts)}")
        if parts[1] is None:
            return wrong("db is still None: ask tape.gradient for zeros with "
                         "unconnected_gradients=tf.UnconnectedGradients.ZERO")
        if parts[0] is None:
            return wrong("da is None: compute the loss inside the tape's with-block")
        feedback = check_value(parts, [3 * value**2, 0.0], f"[da, db] at a = {value:g}")
        if not feedback:
            return feedback
        from_tape = [g for found in seen().gradient_results
                     for g in (found if isinstance(found, (list, tuple)) else [found])]
        if not all(any(p is g for g in from_tape) for p in parts):
            return wrong("the numbers are right, but they are not the tensors tape.gradient returned: "
                         "let the tape give db too, with tape.gradient(loss, [a, b], "
                         "unconnected_gradients=tf.UnconnectedGradients.ZERO)")
    return correct("tape.gradient gives both gradients, and a zero (not None) for the unused b.")


def _recording_gradients(fn: object, *args: object) -> tuple[object, Feedback | None, list, int]:
    """Call fn, noting each tape.gradient result and each tf.Variable it creates."""
    created = [0]
    before = len(seen().gradient_results)

    def creator(next_creator, **kwargs):
        created[0] += 1
        return next_creator(**kwargs)

    with tf.variable_creator_scope(creator):
        result, problem = call_attempt(fn, *args, what="minimise")
    return result, problem, seen().gradient_results[before:], created[0]


def _ex07_3(fn: object) -> Feedback:
    """minimise(steps, lr): gradient descent on (x − 1)² from x = 3, each gradient from a tape."""
    fresh_variables = False
    for steps, lr in [(5, 0.1), (3, random_points(0.05, 0.4, 1)[0]), (1, 0.5)]:
        result, problem, grads, created = _recording_gradients(fn, steps, lr)
        if problem is not None:
            if problem.status == "wrong" and grads and grads[0] is not None and any(g is None for g in grads):
                return wrong(f"minimise({steps}, {lr}) failed: the gradient became None after the first "
                             "step. Is x still a tf.Variable on the second pass? `x = x - ...` makes it a "
                             "plain tensor, which the next tape does not watch: update it with "
                             f"x.assign_sub(...). ({problem.message})")
            return problem

        def after(n, lr=lr):
            return 1.0 + 2.0 * (1.0 - 2.0 * lr) ** n  # each step multiplies x − 1 by 1 − 2·lr

        feedback = check_value(result, after(steps), f"minimise({steps}, {lr})", generic=False, hints=[
            (after(steps - 1), "that is one step too few: run exactly `steps` updates"),
            (after(steps + 1), "that is one step too many: run exactly `steps` updates")])
        if not feedback:
            return feedback
        found = [g for g in grads if g is not None]
        if len(found) < steps:
            return wrong(f"minimise({steps}, {lr}) returns the right number, but tape.gradient gave "
                         f"{len(found)} gradient(s) for {steps} step(s): take each step's gradient from "
                         "a GradientTape, as the broken version does")
        fresh_variables = fresh_variables or created > 1
    if fresh_variables:
        return correct("every step's gradient comes from the tape. (You create a new tf.Variable on each "
                       "step; x.assign_sub(...) updates the one you have, which is what optimisers do.)")
    return correct("every step's gradient comes from the tape, and x lands where gradient descent takes it.")


def _ex07_4(answer: object) -> Feedback:
    """The Jacobian of F(v) = (v₀v₁v₂, v₀ + v₁², sin v₂) at (1, 2, 3), rows = outputs."""
    v0, v1, v2 = 1.0, 2.0, 3.0
    rows = np.array([[v1 * v2, v0 * v2, v0 * v1], [1.0, 2 * v1, 0.0], [0.0, 0.0, math.cos(v2)]])
    return check_value(answer, rows, "the Jacobian", hints=[
        (rows.T, "transposed: row i holds the derivatives of output i")])


def _ex07_5(answer: object) -> Feedback:
    """A finite-difference step h whose float32 error is near the best possible."""
    def error_float32(h: float) -> float:
        # The median over many points: at a single x rounding errors can cancel by luck.
        x32, h32 = np.linspace(0.5, 2.5, 21, dtype=np.float32), np.float32(h)
        estimate = (np.sin(x32 + h32) - np.sin(x32 - h32)) / (np.float32(2) * h32)
        return float(np.median(np.abs(estimate.astype(float) - np.cos(x32.astype(float)))))

    feedback = check_value(answer, 0.0, "h", atol=1.0)  # validates the form; the test is below
    if feedback.status == "unfinished" or "should be" in feedback.message:
        return feedback
    h = float(np.asarray(answer, dtype=float).reshape(-1)[0])
    if not 0 < h < 1:
        return wrong(f"h = {h:g}: a step must be small and positive (between 0 and 1)")
    # The balanced band around eps^(1/3) ≈ 5e-3; its typical error is what "good" means here
    # (single lucky h values can do better by cancellation, which no one can count on).
    typical = float(np.median([error_float32(v) for v in np.logspace(-3, -1.7, 25)]))
    error = error_float32(h)
    if error <= 3 * typical:
        return correct(f"with h = {h:g} the float32 error is {error:.1e}, within 3× of the best steps' "
                       f"typical error ({typical:.1e} near h ≈ 5e-3): rounding and truncation balance.")
    side = "too small: rounding error dominates" if h < 3e-3 else "too large: truncation error dominates"
    return wrong(f"with h = {h:g} the error is {error:.1e}, but about {typical:.1e} is possible. "
                 f"h is {side}.")


def _uses_custom_gradient(fn: object) -> bool:
    """True when fn (or a function it calls) has a tf.custom_gradient backward rule.

    TensorFlow's own softplus gradient is already stable, so the numbers cannot tell whether
    the student wrote the rule; the traced graph can: custom_gradient leaves an IdentityN op
    marked with a "CustomGradient-…" gradient type.
    """
    if getattr(getattr(fn, "_tf_decorator", None), "decorator_name", "") == "custom_gradient":
        return True
    try:
        graph = tf.function(fn).get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
    except Exception:  # noqa: BLE001 - an untraceable function is judged by its numbers alone
        return False
    for op in graph.get_operations():
        try:
            kind = op.get_attr("_gradient_op_type")
        except ValueError:
            continue
        if kind.startswith(b"CustomGradient"):
            return True
    return False


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _ex07_6(fn: object) -> Feedback:
    """softplus with tf.custom_gradient: finite value and gradient even at x = 100."""
    result, problem = call_attempt(fn, f32(1.0), what="softplus")
    if problem is not None:
        return problem
    at_100, problem = call_attempt(fn, f32(100.0), what="softplus")
    if problem is not None:
        return problem
    if not np.all(np.isfinite(np.asarray(at_100, dtype=float))):
        return wrong(f"at x = 100 softplus gives {float(at_100)}, expected 100: exp(100) overflows to inf in "
                     "float32. Use tf.math.softplus, or max(x, 0) + log(1 + e^(−|x|))")
    # Fresh points over the whole line, far left and far right included.
    points = [-3.0, 0.0, 2.0, 100.0, *random_points(-40.0, -5.0, 2), *random_points(-5.0, 5.0, 2),
              *random_points(5.0, 80.0, 2)]
    values = check_function(fn, _softplus, [(f32(p),) for p in points], what="softplus",
                            describe=lambda a: f"x = {float(a[0]):g}")
    if not values:
        return values
    x = tf.constant(points)
    try:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = call_attempt(lambda: 3.0 * fn(x), what="softplus")  # an upstream gradient of 3
        if y[1] is not None:
            return y[1]
        grad = tape.gradient(y[0], x)
    except Exception as error:  # noqa: BLE001 - report any failure of the student's rule
        return wrong(f"the backward rule failed: {type(error).__name__}: {error}")
    if grad is None:
        return wrong("the tape found no gradient: return (value, grad) from the decorated function")
    numbers = np.asarray(grad, dtype=float)
    if not np.all(np.isfinite(numbers)):
        bad = ", ".join(f"{p:g}" for p, g in zip(points, numbers, strict=True) if not np.isfinite(g))
        return wrong(f"the backward rule gives non-finite values at x = {bad}. In float32 exp(100) "
                     "overflows to inf, and e^x / (1 + e^x) becomes inf/inf = NaN: write the logistic "
                     "as 1 / (1 + e^(−x)), or use tf.math.sigmoid")
    want = [3.0 / (1.0 + math.exp(-p)) for p in points]
    feedback = check_value(grad, want, "the gradient of 3·softplus(x) at the test points", hints=[
        ([w / 3 for w in want], "your rule ignores `upstream`: multiply by it (chain rule)"),
    ])
    if feedback and not _uses_custom_gradient(fn):
        return wrong("the values and gradients are right, but they are TensorFlow's own: decorate "
                     "softplus with @tf.custom_gradient and return (value, grad) with your backward rule")
    if feedback:  # said without the (random) points, so a saved notebook's output is reproducible
        return correct("softplus is finite everywhere, and its backward rule gives upstream × the "
                       "logistic at every test point, far left and far right included.")
    return feedback


# --------------------------------------------------------------------------- 08 forward mode


def _dual_class(fn: object) -> type:
    """The notebook's own Dual class (found where dual_tanh looks names up), else gradlab's."""
    from gradlab.dual import Dual

    mine = getattr(fn, "__globals__", {}).get("Dual")
    if isinstance(mine, type) and mine is not Dual:
        try:
            probe = mine(0.5, 1.0)
        except Exception:  # noqa: BLE001 - not a (value, derivative) class: use gradlab's
            return Dual
        if hasattr(probe, "value") and hasattr(probe, "derivative"):
            return mine
    return Dual


def _ex08_2(fn: object) -> Feedback:
    dual = _dual_class(fn)
    # The seed is the incoming derivative: the rule must multiply by it (chain rule).
    cases = [(0.3, 2.5), *zip(random_points(-2.0, 2.0, 2), random_points(-3.0, 3.0, 2), strict=True)]
    for x, seed in cases:
        result, problem = call_attempt(fn, dual(x, seed), what="dual_tanh")
        if problem is not None:
            return problem
        # Any object with .value and .derivative will do.
        if not (hasattr(result, "value") and hasattr(result, "derivative")):
            return wrong(f"dual_tanh should return a Dual (with .value and .derivative); "
                         f"got {type(result).__name__}")
        t = math.tanh(x)
        feedback = check_value([result.value, result.derivative], [t, seed * (1 - t * t)],
                               f"dual_tanh(Dual({x:g}, {seed:g})) as (value, derivative)", hints=[
                                   ([t, 1 - t * t], f"the derivative misses the incoming one, d.derivative = "
                                                    f"{seed:g}: multiply 1 − tanh² by it (chain rule)")])
        if not feedback:
            return feedback
    return correct("tanh carries its derivative 1 − tanh² forward, times the incoming derivative.")


def _ex08_1(answer: object) -> Feedback:
    return check_value(answer, [1, 1, 50], "the passes for (R¹⁰⁰⁰ → R, R → R³, R⁵⁰ → R²⁰⁰)", generic=False,
                       hints=[
        ([1000, 1, 50], "R¹⁰⁰⁰ → R has one output: one reverse pass gives its whole gradient"),
        ([1, 3, 50], "R → R³ has one input: one forward pass gives all three derivatives"),
        ([1, 1, 200], "R⁵⁰ → R²⁰⁰: forward mode needs one pass per input, 50, fewer than 200 outputs"),
        ([1000, 3, 200], "each of those is the larger side; the cheaper mode uses the smaller one"),
    ])


def _ex08_3(fn: object) -> Feedback:
    """directional_derivative(w, u) of loss(w) = Σ sin(wᵢ)·wᵢ: one forward-mode pass."""
    rng = current_rng()
    cases = [(np.linspace(0.1, 1.0, 10), np.array([1.0, -1.0] * 5))]
    cases += [(np.round(rng.uniform(-2, 2, 10), 3), np.round(rng.normal(0, 1, 10), 3)) for _ in range(2)]
    for w, u in cases:
        result, problem = call_attempt(fn, tf.constant(w, tf.float32), tf.constant(u, tf.float32),
                                       what="directional_derivative")
        if problem is not None:
            return problem
        partial = np.sin(w) + w * np.cos(w)
        feedback = check_value(result, float(partial @ u), f"the directional derivative at w = "
                               f"{short_array(w)} along u = {short_array(u)}", rtol=1e-4, atol=1e-4,
                               generic=False, hints=[
                                   (float(np.sum(partial)), "that is the sum of all partials, the direction "
                                                            "(1, 1, ...): push u itself through"),
                                   (-float(partial @ u), "that is the derivative in the direction −u")])
        if not feedback:
            return feedback
    return correct("one forward pass gives J·u, the directional derivative, without forming the gradient.")


EXERCISES_07_08: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("07.1", "which functions give a None gradient", _ex07_1),
        Exercise("07.2", "zeros, not None, for a variable the loss does not use", _ex07_2, TAPE),
        Exercise("07.3", "a descent loop that keeps its tf.Variable", _ex07_3, TAPE),
        Exercise("07.4", "the Jacobian of F: R³ → R³ at (1, 2, 3)", _ex07_4),
        Exercise("07.5", "a good finite-difference step in float32", _ex07_5),
        Exercise("07.6", "softplus with its own gradient (tf.custom_gradient)", _ex07_6),
        Exercise("08.1", "how many passes the cheaper mode needs", _ex08_1),
        Exercise("08.2", "tanh for dual numbers, by hand", _ex08_2, Rules(by_hand=True)),
        Exercise("08.3", "a directional derivative as one forward pass", _ex08_3,
                 Rules(forward=True, helpers=False)),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
