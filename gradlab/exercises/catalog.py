"""Every exercise in the notebooks, by key ("02.3" is notebook 02, exercise 3).

Expected answers are computed here from a reference (TensorFlow, math or Keras itself), so
they are not written in the student's notebook and cannot drift from what the lesson shows.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab._tf import tf
from gradlab.calculus import FunctionError, GradientError, derivative, nth_derivative, partials
from gradlab.descent import descend
from gradlab.exercises.checks import (
    Feedback,
    call_attempt,
    check_choice,
    check_function,
    check_value,
    correct,
    random_points,
    unfinished,
    wrong,
)


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    check: Callable[[object], Feedback]


def _tape_gradient_matches(fn: object, reference_grad: Callable, points, what: str,
                           reference: Callable | None = None) -> Feedback:
    """fn must be differentiable by the tape, with the reference derivative at each point.

    With ``reference``, the values must match too: equal slopes alone let ``f + 42`` pass.
    """
    result, problem = call_attempt(fn, tf.constant(points[0], tf.float32), what=what)
    if problem is not None:
        return problem
    try:
        values, grad = derivative(fn, np.asarray(points, np.float32))
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate {what}: {error}")
    shown = ", ".join(f"{p:g}" for p in points)
    if reference is not None:
        feedback = check_value(values, [reference(p) for p in points], f"{what} at x = {shown}")
        if not feedback:
            return feedback
    feedback = check_value(grad, [reference_grad(p) for p in points], f"the tape's derivative of {what}")
    if not feedback:
        return feedback
    # Said without the (partly random) points, so a saved notebook's output is reproducible.
    return correct(f"the tape differentiates {what}, and its derivative is right at all {len(points)} "
                   "test points.")


# --------------------------------------------------------------------------- 01 GradientTape


def _ex01_2(answer: object) -> Feedback:
    """A pair (h, dh): h(x) = sin(x²) in TF and dh its hand-derived derivative."""
    if answer is Ellipsis or answer is None:
        return unfinished()
    try:
        h, dh = answer  # type: ignore[misc]
    except (TypeError, ValueError):
        return wrong("pass the two functions as a pair: check('01.2', (h, dh))")
    points = [-1.2, 0.3, 0.9, 1.7]
    values = check_function(h, lambda x: math.sin(x * x), [(tf.constant(p),) for p in points],
                            what="h", expect_tensor=True, describe=lambda a: f"x = {float(a[0]):.4g}")
    if not values:
        return values
    try:  # one point at a time: a Python `if` on a scalar tensor is fine in h
        tape = [float(derivative(h, np.float32(p))[1]) for p in points]
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate h: {error}")
    return check_function(dh, lambda x: tape[points.index(x)], [(p,) for p in points],
                          what="dh", describe=lambda a: f"x = {a[0]:.4g}")


def _ex01_3(fn: object) -> Feedback:
    # Fresh random points on every call: a curve matching at fixed points cannot pass.
    return _tape_gradient_matches(fn, lambda x: 1 / (1 + math.exp(-x)),
                                  [-2.0, 0.0, 1.5, *random_points(-3.0, 3.0, 3)], "softplus",
                                  reference=lambda x: math.log1p(math.exp(x)))


def _ex01_4(answer: object) -> Feedback:
    """d/dx of shrink (halve while x > 1, then square) at 5 and at 0.5."""
    def shrink_slope(x: float) -> float:
        factor = 1.0
        while x > 1.0:
            x, factor = x / 2, factor / 2
        return 2 * x * factor

    want = [shrink_slope(5.0), shrink_slope(0.5)]
    return check_value(answer, want, "(derivative at 5, derivative at 0.5)", hints=[
        ([2 * 0.625, 1.0], "at 5 the tape also recorded three halvings: the chain rule multiplies by (1/2)³"),
        ([2 * 5.0, 1.0], "at 5 the loop runs: x is halved three times before it is squared"),
        ([0.0, 1.0], "the comparison x > 1 has no derivative, but the divisions it lets run do"),
    ])


# --------------------------------------------------------------------------- 02 power rule


def _ex02_2(answer: object) -> Feedback:
    """d/dx (2x + 1)⁻² at x = 0.5: a negative power and the chain rule, predicted."""
    x = 0.5
    inner = 2 * x + 1
    return check_value(answer, -2 * inner**-3 * 2, "d/dx (2x + 1)⁻² at 0.5", hints=[
        (-2 * inner**-3, "(2x + 1)⁻² is a power of 2x + 1, not of x: the chain rule multiplies by "
                         "the inner slope, 2"),
        (-2 * inner**-2 * 2, "lower the exponent: −2 becomes −3, so the slope is −2·(2x + 1)⁻³·2"),
        (inner**-2, "that is the function's value, 2⁻² = 0.25, not its slope"),
        (2 * inner**-3 * 2, "mind the sign: a negative power falls as x grows, so its slope is negative"),
    ])


def _third_derivative_reference(f, x):
    return float(nth_derivative(f, x, 3))


def _ex02_3(fn: object) -> Feedback:
    cases = [(lambda x: x**4, 1.5), (lambda x: tf.sin(x), 0.7), (lambda x: x**3, 2.0)]
    names = ["x**4 at 1.5", "sin at 0.7", "x**3 at 2.0"]
    for (f, x), name in zip(cases, names, strict=True):
        result, problem = call_attempt(fn, f, tf.constant(x), what="third_derivative")
        if problem is not None:
            return problem
        feedback = check_value(result, _third_derivative_reference(f, x), f"third_derivative({name})")
        if not feedback:
            return feedback
    return correct("third_derivative gives f‴ for x⁴ at 1.5, sin at 0.7 and x³ at 2.")


# --------------------------------------------------------------------------- 03 partials


def _ex03_2(fn: object) -> Feedback:
    # (1, 2) first for a stable message, then fresh random points on every call.
    points = [(1.0, 2.0), *zip(random_points(-2.0, 2.0, 3), random_points(-2.0, 2.0, 3), strict=True)]
    result, problem = call_attempt(fn, tf.constant(1.0), tf.constant(2.0), what="f")
    if problem is not None:
        return problem
    for x, y in points:
        try:
            _, fx, fy = partials(fn, x, y)
        except (GradientError, FunctionError) as error:
            return wrong(f"TensorFlow cannot differentiate your f: {error}")
        feedback = check_value([fx, fy], [y, x], f"∇f at ({x:g}, {y:g})")
        if not feedback:
            return feedback
    return correct("∇f = (y, x) everywhere: f = x·y (plus any constant) is the answer.")


def _bump(x: float, y: float) -> float:
    u = x * x + y * y
    return math.sin(u) / u if u else 1.0


def _ex03_3(fn: object) -> Feedback:
    """sin(u)/u with u = x² + y², 1 at the origin, and a finite gradient there too."""
    _, problem = call_attempt(fn, tf.constant(1.0), tf.constant(0.5), what="safe_bump")
    if problem is not None:
        return problem
    values = check_function(
        fn, _bump,
        [(tf.constant(a), tf.constant(b)) for a, b in [(1.0, 0.5), (0.6, -0.8), (0.0, 0.0), (0.01, 0.0)]],
        what="safe_bump", rtol=1e-3, describe=lambda a: f"{float(a[0]):g}, {float(a[1]):g}")
    if not values:
        return values
    try:
        _, fx, fy = partials(fn, 0.0, 0.0)
        # Near the origin too: a safe_bump that stops the gradient for small u must not pass.
        # (Fresh points stay 0.05 from the axes: float32's sin(u)/u slope loses digits as u → 0.)
        away = [(1.0, 0.5), (0.3, 0.2), (-0.05, 0.1), *zip(random_points(0.05, 0.5, 2),
                                                           random_points(-0.5, -0.05, 2), strict=True)]
        grads = [partials(fn, a, b)[1:] for a, b in away]
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate safe_bump: {error}")
    if not np.all(np.isfinite([fx, fy])):
        return wrong(f"the values are right, but the gradient at the origin is ({float(fx)}, {float(fy)}). "
                     "tf.where differentiates both branches: the one it discards must not divide by 0 either")
    feedback = check_value([fx, fy], [0.0, 0.0], "∇safe_bump at the origin", atol=1e-4)
    if not feedback:
        return feedback
    for (a, b), (gx, gy) in zip(away, grads, strict=True):
        u = a * a + b * b  # d/du (sin u / u) = (u cos u − sin u) / u², times ∂u = (2x, 2y)
        du = (u * math.cos(u) - math.sin(u)) / u**2
        feedback = check_value([gx, gy], [2 * a * du, 2 * b * du], f"∇safe_bump at ({a:g}, {b:g})",
                               atol=1e-4)
        if not feedback:
            return feedback
    return correct("safe_bump is 1 at the origin and sin(u)/u elsewhere, and its gradient is finite at "
                   "the origin and right near it and away from it.")


# --------------------------------------------------------------------------- 04 tangent


def _tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


TANGENT_X0 = 2.0  # not 1: there f(x₀) − f′(x₀)·x₀ = f − f′, and forgetting the ·x₀ would pass


def _ex04_1(answer: object) -> Feedback:
    y, slope = (float(v) for v in derivative(_tangent_f, tf.constant(TANGENT_X0, tf.float64)))
    return check_value(answer, [slope, y - slope * TANGENT_X0], "(slope, intercept)", rtol=1e-4, hints=[
        ([slope, y], "the intercept is the line's height at x = 0, not at x₀: f(x₀) − f′(x₀)·x₀"),
        ([slope, y - slope], "the intercept is f(x₀) − f′(x₀)·x₀: multiply the slope by x₀ = 2"),
        ([y, y - slope * TANGENT_X0], "the slope is f′(x₀), from the tape, not f(x₀)"),
    ])


@functools.lru_cache(maxsize=1)  # a constant: find it once, not on every check
def _flat_point() -> float:
    x = 4.0  # Newton's method on f' from the visible hump near x = 4
    for _ in range(30):
        x -= float(nth_derivative(_tangent_f, tf.constant(x, tf.float64), 1)) / float(
            nth_derivative(_tangent_f, tf.constant(x, tf.float64), 2))
    return x


@functools.lru_cache(maxsize=1)
def _stationary_points() -> list[float]:
    """Every x in (0, 2π) where f′ = 0 (Newton on f′ from the crests and troughs of the plot)."""
    points = []
    for start in (0.6, 2.3, 3.9, 5.5):
        x = start
        for _ in range(30):
            x -= float(nth_derivative(_tangent_f, tf.constant(x, tf.float64), 1)) / float(
                nth_derivative(_tangent_f, tf.constant(x, tf.float64), 2))
        points.append(x)
    return points


def _ex04_2(answer: object) -> Feedback:
    # "To three decimals": within 5e-4 of the crest (3.8949...), so 3.8945..3.8954 pass.
    feedback = check_value(answer, _flat_point(), "x where f′(x) = 0", rtol=0, atol=5e-4)
    if feedback.status != "wrong" or np.size(answer) != 1 or isinstance(answer, (str, bytes)):
        return feedback
    try:
        value = float(np.asarray(answer, dtype=float).ravel()[0])
    except (TypeError, ValueError):
        return feedback
    for x in _stationary_points():  # a rough reading of another crest or trough
        if abs(x - _flat_point()) > 0.1 and abs(value - x) < 0.03:
            return wrong(f"{value:g} is near another flat point of f (x ≈ {x:.3f}, a crest or "
                         "trough): the exercise asks for the one near 4")
    return feedback


def _ex04_3(fn: object) -> Feedback:
    tests = [(lambda x: x**2 - 2, 1.0), (lambda x: tf.cos(x) - x, 0.5), (_tangent_f, 1.3)]

    def newton(f, x):
        y, slope = derivative(f, tf.constant(x, tf.float32))
        return x - float(y) / float(slope)

    for f, x in tests:
        result, problem = call_attempt(fn, f, x, what="newton_step")
        if problem is not None:
            return problem
        y, slope = derivative(f, tf.constant(x, tf.float32))
        backwards = x + float(y) / float(slope)
        feedback = check_value(result, newton(f, x), f"newton_step from x = {x:g}", rtol=1e-4, hints=[
            (backwards, "the step goes the other way: x − f(x)/f′(x), a minus where you have a plus")])
        if not feedback:
            return feedback
    return correct("newton_step follows the tangent to its zero: x − f(x)/f′(x).")


# --------------------------------------------------------------------------- 05 SGD


def _sgd_f(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def _first_step() -> list[float]:
    return descend(_sgd_f, (0.25, -0.5), "sgd", 0.01, 1).points[1].tolist()


def _ex05_1(answer: object) -> Feedback:
    start, step = np.array([0.25, -0.5]), np.array(_first_step())
    uphill = start + (start - step)
    return check_value(answer, step, "(x, y) after one step", atol=1e-6, generic=False,
                       hints=[(uphill, "you stepped uphill: subtract learning_rate × gradient")])


def _ex05_2(fn: object) -> Feedback:
    def keras_step(p, velocity, g, lr):  # Keras 3 SGD(momentum=0.9)
        velocity = 0.9 * np.asarray(velocity) - lr * np.asarray(g)
        return np.asarray(p) + velocity, velocity

    cases = [([0.25, -0.5], [0.0, 0.0], [0.4, -0.6], 0.1),
             ([1.0, 2.0], [0.1, -0.2], [1.0, 1.0], 0.05)]
    for p, v, g, lr in cases:
        result, problem = call_attempt(fn, np.array(p), np.array(v), np.array(g), lr,
                                       what="momentum_step")
        if problem is not None:
            return problem
        try:
            new_p, new_v = result  # type: ignore[misc]
        except (TypeError, ValueError):
            return wrong("momentum_step should return two things: (new_point, new_velocity)")
        want_p, want_v = keras_step(p, v, g, lr)
        flipped = [(-want_v, "your velocity points uphill: Keras keeps velocity ← 0.9·velocity − lr·gradient "
                             "and then adds it, point ← point + velocity")]
        for got, want, name, hints in ((new_v, want_v, "new velocity", flipped), (new_p, want_p, "new point", [])):
            feedback = check_value(got, want, f"the {name} from p = {p}, v = {v}", hints=hints, generic=False)
            if not feedback:
                return feedback
    return correct("momentum_step matches Keras' SGD(momentum=0.9) update.")


def _tilted_bowl(x, y):
    return 3 * x**2 + 2 * x * y + 3 * y**2


def _critical_learning_rate() -> float:
    # 2 / (largest eigenvalue of the Hessian [[6, 2], [2, 6]]) = 2 / 8.
    return float(2.0 / np.max(np.linalg.eigvalsh(np.array([[6.0, 2.0], [2.0, 6.0]]))))


def _ex05_3(answer: object) -> Feedback:
    # One-sided: 0.249 is a fine (stable) answer, but anything above 2/L diverges, however close.
    critical = _critical_learning_rate()
    hints = [(2 / 6, "2/6 uses the curvature along x alone; the xy term tilts the steepest direction: "
                     "use the Hessian's largest eigenvalue"),
             (2 / 4, "that is 2 over the smallest eigenvalue: the steep direction is the one that "
                     "blows up first"),
             (2 / 3, "the curvature of 3x² is its second derivative, 6, not 3")]
    feedback = check_value(answer, critical - 5e-4, "the largest stable learning rate", rtol=0.0,
                           atol=5e-4 + 1e-6, generic=False, hints=hints)
    if feedback:
        return correct(f"2/L = {critical:g}: the steepest curvature is the Hessian's largest eigenvalue, "
                       f"L = {2 / critical:g}.")
    if feedback.status == "unfinished" or "should be a number" in feedback.message:
        return feedback
    lr = float(np.asarray(answer, dtype=float).reshape(-1)[0])
    if lr <= 0:
        return wrong("a learning rate must be positive")
    # Each SGD step multiplies the distance along an eigenvector by 1 − lr·λ.
    growth = float(np.max(np.abs(1 - lr * np.linalg.eigvalsh(np.array([[6.0, 2.0], [2.0, 6.0]])))))
    state = "diverges" if growth > 1 else "still converges"
    message = feedback.message.rstrip(".")
    return wrong(f"{message}. At learning rate {lr:g}, SGD {state} on this bowl "
                 f"(each step multiplies the distance along the steepest direction by {growth:.4g}).")


def _ex05_4(fn: object) -> Feedback:
    """train_step(model, optimizer, x, y): one MSE step on model.trainable_variables."""
    x = tf.constant([[-1.0], [0.0], [0.5], [2.0]])
    y = tf.constant([[-4.0], [-1.0], [0.5], [5.0]])

    def fresh():
        model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
        model.set_weights([np.array([[0.5]], np.float32), np.array([0.2], np.float32)])
        return model, tf.keras.optimizers.SGD(learning_rate=0.1)

    model, optimizer = fresh()
    result, problem = call_attempt(fn, model, optimizer, x, y, what="train_step")
    if problem is not None:
        return problem
    reference, ref_optimizer = fresh()
    with tf.GradientTape() as tape:
        want_loss = tf.reduce_mean((reference(x) - y) ** 2)
    ref_optimizer.apply_gradients(zip(tape.gradient(want_loss, reference.trainable_variables),
                                      reference.trainable_variables, strict=True))
    got = [v.numpy().ravel() for v in model.trainable_variables]
    want = [v.numpy().ravel() for v in reference.trainable_variables]
    if all(np.allclose(g, [0.5] if i == 0 else [0.2]) for i, g in enumerate(got)):
        return wrong("the model's weights did not change: pass (gradient, variable) pairs for "
                     "model.trainable_variables to optimizer.apply_gradients")
    feedback = check_value(np.concatenate(got), np.concatenate(want), "(kernel, bias) after one step",
                           generic=False, hints=[(np.array([0.5, 0.2]) - 2 * (np.concatenate(want) - [0.5, 0.2]),
                                   "you stepped uphill: apply the gradient itself, the optimiser subtracts it")])
    if not feedback:
        return feedback
    loss_after = float(tf.reduce_mean((reference(x) - y) ** 2))
    feedback = check_value(result, float(want_loss), "the returned loss (before the step)", generic=False,
                           hints=[(loss_after, "that is the loss after the step: return the loss the tape "
                                               "recorded, computed before apply_gradients")])
    if not feedback:
        return feedback
    return correct("one step on model.trainable_variables, exactly as Keras' fit would take it.")


# --------------------------------------------------------------------------- 06 backprop


def _ex06_2(fn: object) -> Feedback:
    cases = [(2.0, 3.0, 1.0), (-1.5, 0.5, 2.0), (0.0, 4.0, -0.5)]
    return check_function(fn, lambda a, b, up: (up * b, up * a), cases, what="mul_backward")


def _exy(x, y):
    return math.exp(x * y)


# --------------------------------------------------------------------------- 07 pitfalls


def _fd_error_float32(h: float) -> float:
    """Median |central difference of sin in float32 − cos| over x in [0.5, 2.5].

    The median over many points, because at a single x rounding errors can cancel by luck.
    """
    x32, h32 = np.linspace(0.5, 2.5, 21, dtype=np.float32), np.float32(h)
    estimate = (np.sin(x32 + h32) - np.sin(x32 - h32)) / (np.float32(2) * h32)
    return float(np.median(np.abs(estimate.astype(float) - np.cos(x32.astype(float)))))


def _ex07_2(answer: object) -> Feedback:
    """[da, db] for loss = a³ + 1 at a = 2, with a zero (not None) for the unused b."""
    if answer is Ellipsis or answer is None:
        return unfinished()
    try:
        parts = list(answer)  # type: ignore[call-overload]
    except TypeError:
        return wrong("answer should be the list [da, db] that tape.gradient returns for [a, b]")
    if len(parts) != 2:
        return wrong(f"answer should hold two gradients, [da, db]; it holds {len(parts)}")
    if parts[1] is None:
        return wrong("db is still None: ask tape.gradient for zeros with "
                     "unconnected_gradients=tf.UnconnectedGradients.ZERO")
    if parts[0] is None:
        return wrong("da is None: compute the loss inside the tape's with-block")
    feedback = check_value(parts, [3 * 2.0**2, 0.0], "[da, db]")
    if feedback and not all(isinstance(p, tf.Tensor) for p in parts):
        return wrong("the numbers are right, but the exercise asks for the tensors tape.gradient "
                     "returns: answer = tape.gradient(loss, [a, b], unconnected_gradients=...)")
    return feedback


def _recording_gradients(fn: object, *args: object) -> tuple[object, Feedback | None, list, int]:
    """Call fn, noting each tape.gradient result and each tf.Variable it creates."""
    grads: list = []
    created = [0]
    original = tf.GradientTape.gradient

    def gradient(tape, *a, **k):
        result = original(tape, *a, **k)
        grads.append(result)
        return result

    def creator(next_creator, **kwargs):
        created[0] += 1
        return next_creator(**kwargs)

    tf.GradientTape.gradient = gradient
    try:
        with tf.variable_creator_scope(creator):
            result, problem = call_attempt(fn, *args, what="minimise")
    finally:
        tf.GradientTape.gradient = original
    return result, problem, grads, created[0]


def _ex07_3(fn: object) -> Feedback:
    """minimise(steps, lr): gradient descent on (x − 1)² from x = 3, each gradient from a tape."""
    fresh_variables = False
    for steps, lr in [(5, 0.1), (3, 0.25), (1, 0.5)]:
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


def _jacobian_reference() -> list[list[float]]:
    """By hand: F(v) = (v₀v₁v₂, v₀ + v₁², sin v₂) at (1, 2, 3)."""
    v0, v1, v2 = 1.0, 2.0, 3.0
    return [[v1 * v2, v0 * v2, v0 * v1], [1.0, 2 * v1, 0.0], [0.0, 0.0, math.cos(v2)]]


def _ex07_5(answer: object) -> Feedback:
    feedback = check_value(answer, 0.0, "h", atol=1.0)  # validates the form; the test is below
    if feedback.status == "unfinished" or "should be a number" in feedback.message:
        return feedback
    h = float(np.asarray(answer, dtype=float).reshape(-1)[0])
    if not 0 < h < 1:
        return wrong(f"h = {h:g}: a step must be small and positive (between 0 and 1)")
    # The balanced band around eps^(1/3) ≈ 5e-3; its typical error is what "good" means here
    # (single lucky h values can do better by cancellation, which no one can count on).
    typical = float(np.median([_fd_error_float32(v) for v in np.logspace(-3, -1.7, 25)]))
    error = _fd_error_float32(h)
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


def _ex07_6(fn: object) -> Feedback:
    """softplus with tf.custom_gradient: finite value and gradient even at x = 100."""
    result, problem = call_attempt(fn, tf.constant(1.0), what="softplus")
    if problem is not None:
        return problem
    at_100, problem = call_attempt(fn, tf.constant(100.0), what="softplus")
    if problem is not None:
        return problem
    if not np.all(np.isfinite(np.asarray(at_100, dtype=float))):
        return wrong(f"at x = 100 softplus gives {float(at_100)}, expected 100: exp(100) overflows to inf in "
                     "float32. Use tf.math.softplus, or max(x, 0) + log(1 + e^(−|x|))")
    points = [-3.0, 0.0, 2.0, 100.0]
    values = check_function(fn, lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
                            [(tf.constant(p),) for p in points], what="softplus",
                            describe=lambda a: f"x = {float(a[0]):g}")
    if not values:
        return values
    x = tf.constant(points)
    try:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = 3.0 * fn(x)  # an upstream gradient of 3: the rule must multiply by it
        grad = tape.gradient(y, x)
    except Exception as error:  # noqa: BLE001 - report any failure of the student's rule
        return wrong(f"the backward rule failed: {type(error).__name__}: {error}")
    if grad is None:
        return wrong("the tape found no gradient: return (value, grad) from the decorated function")
    numbers = np.asarray(grad, dtype=float)
    if not np.all(np.isfinite(numbers)):
        bad = ", ".join(f"{p:g}" for p, g in zip(points, numbers, strict=True) if not np.isfinite(g))
        return wrong(f"the backward rule gives {numbers.tolist()}: not finite at x = {bad}. In float32 "
                     "exp(100) overflows to inf, and e^x / (1 + e^x) becomes inf/inf = NaN: write the "
                     "logistic as 1 / (1 + e^(−x)), or use tf.math.sigmoid")
    want = [3.0 / (1.0 + math.exp(-p)) for p in points]
    feedback = check_value(grad, want, "the gradient of 3·softplus(x) at x = −3, 0, 2, 100", hints=[
        ([w / 3 for w in want], "your rule ignores `upstream`: multiply by it (chain rule)"),
    ])
    if feedback and not _uses_custom_gradient(fn):
        return wrong("the values and gradients are right, but they are TensorFlow's own: decorate "
                     "softplus with @tf.custom_gradient and return (value, grad) with your backward rule")
    return feedback


# --------------------------------------------------------------------------- 08 forward mode


def _ex08_2(fn: object) -> Feedback:
    from gradlab.dual import Dual

    # The seed 2.5 is the incoming derivative: the rule must multiply by it (chain rule).
    for x, seed in ((-1.0, 1.0), (0.3, 2.5), (2.0, -0.5)):
        result, problem = call_attempt(fn, Dual(x, seed), what="dual_tanh")
        if problem is not None:
            return problem
        # The notebook builds its own Dual class: any object with .value and .derivative will do.
        if not (hasattr(result, "value") and hasattr(result, "derivative")):
            return wrong(f"dual_tanh should return a Dual (with .value and .derivative); "
                         f"got {type(result).__name__}")
        y, slope = derivative(tf.tanh, tf.constant(x, tf.float64))
        feedback = check_value([result.value, result.derivative], [y, seed * slope],
                               f"dual_tanh(Dual({x:g}, {seed:g})) as (value, derivative)", hints=[
                                   ([y, slope], f"the derivative misses the incoming one, d.derivative = "
                                                f"{seed:g}: multiply 1 − tanh² by it (chain rule)")])
        if not feedback:
            return feedback
    return correct("tanh carries its derivative 1 − tanh² forward, like the tape's.")


def _jvp_reference() -> float:
    """d/dt loss(w + t·u) at t = 0, for loss(w) = Σ sin(wᵢ)·wᵢ, w = 0.1..1.0, u = (1, −1, ...)."""
    w = np.linspace(0.1, 1.0, 10)
    u = np.array([1.0, -1.0] * 5)
    return float(np.sum((np.sin(w) + w * np.cos(w)) * u))


def _ex08_1(answer: object) -> Feedback:
    return check_value(answer, [1, 1, 50], "the passes for (R¹⁰⁰⁰ → R, R → R³, R⁵⁰ → R²⁰⁰)", generic=False,
                       hints=[
        ([1000, 1, 50], "R¹⁰⁰⁰ → R has one output: one reverse pass gives its whole gradient"),
        ([1, 3, 50], "R → R³ has one input: one forward pass gives all three derivatives"),
        ([1, 1, 200], "R⁵⁰ → R²⁰⁰: forward mode needs one pass per input, 50, fewer than 200 outputs"),
        ([1000, 3, 200], "each of those is the larger side; the cheaper mode uses the smaller one"),
    ])


EXERCISES: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("01.1", "d/dx (x³ − 2x) at x = 1.5",
                 lambda a: check_value(a, 3 * 1.5**2 - 2, "the derivative at 1.5",
                                       hints=[(3 * 1.5**2, "you dropped the −2x term's derivative (−2)"),
                                              (1.5**3 - 3, "that is the function's value, not its slope")])),
        Exercise("01.2", "h(x) = sin(x²) and its derivative by the chain rule", _ex01_2),
        Exercise("01.3", "a softplus the tape can differentiate", _ex01_3),
        Exercise("01.4", "the derivative through a while loop", _ex01_4),
        Exercise("02.1", "d/dx x⁵ at x = 2",
                 lambda a: check_value(a, 5 * 2**4, "d/dx x⁵ at 2",
                                       hints=[(2**5, "that is x⁵ itself; the power rule gives n·xⁿ⁻¹"),
                                              (5 * 2**5, "lower the exponent: 5·x⁴, not 5·x⁵"),
                                              (5 * 2**3, "lower the exponent by one only: 5·x⁴, not 5·x³"),
                                              (4 * 2**5, "the exponent drops by one: n·x^(n−1), not n·xⁿ")])),
        Exercise("02.2", "d/dx (2x + 1)⁻² at x = 0.5, predicted", _ex02_2),
        Exercise("02.3", "third_derivative(f, x) with nested tapes", _ex02_3),
        Exercise("03.1", "∇(x²·y) at (3, 2), predicted",
                 lambda a: check_value(a, [2 * 3 * 2, 3**2], "(∂f/∂x, ∂f/∂y)", hints=[
                     ([2 * 3, 3**2], "∂/∂x (x²·y) = 2x·y: y stays as a factor, so 2·3·2 = 12"),
                     ([2 * 3, 2 * 3 * 2], "∂f/∂x = 2xy = 12 and ∂f/∂y = x² = 9"),
                 ])),
        Exercise("03.2", "an f whose gradient is (y, x)", _ex03_2),
        Exercise("03.3", "sin(u)/u, u = x² + y², with a finite gradient at the origin", _ex03_3),
        Exercise("04.1", "tangent line to cos(x)·sin(x)/√x at x = 2", _ex04_1),
        Exercise("04.2", "where the tangent is flat near x = 4", _ex04_2),
        Exercise("04.3", "one step of Newton's method", _ex04_3),
        Exercise("05.1", "the first SGD step by hand", _ex05_1),
        Exercise("05.2", "one SGD-with-momentum step", _ex05_2),
        Exercise("05.3", "the largest stable learning rate on a tilted bowl, 2/L", _ex05_3),
        Exercise("05.4", "a training step on a Keras model's trainable_variables", _ex05_4),
        Exercise("06.1", "∂(x/y)/∂y at (1, 2)",
                 lambda a: check_value(a, -1 / 2**2, "∂(x/y)/∂y",
                                       hints=[(1 / 2, "that is ∂(x/y)/∂x = 1/y; for y use −x/y²"),
                                              (-1 / 2, "that is −x/y: you forgot the square, "
                                                       "∂(x/y)/∂y = −x/y²")])),
        Exercise("06.2", "the backward pass of a multiply node", _ex06_2),
        Exercise("06.3", "backprop through exp(x·y) + y at (0.5, 2)",
                 lambda a: check_value(a, [2 * _exy(0.5, 2), 0.5 * _exy(0.5, 2) + 1], "(∂g/∂x, ∂g/∂y)",
                                       hints=[([2 * _exy(0.5, 2), 0.5 * _exy(0.5, 2)],
                                               "∂g/∂y misses the + y term's own derivative, 1")])),
        Exercise("07.1", "which functions give a None gradient",
                 lambda a: check_choice(a, {"b", "c", "d"}, ["a", "b", "c", "d"],
                                        "b leaves TensorFlow through NumPy, c goes through tf.round, whose "
                                        "gradient is registered as None (declared not differentiable), "
                                        "and d never uses the value of x; "
                                        "a is fine: tf.sign's gradient is registered as 0, so the product "
                                        "rule gives sign(x).",
                                        "a gradient is None when no differentiable path of float "
                                        "operations leads from x to the result")),
        Exercise("07.2", "zeros, not None, for a variable the loss does not use", _ex07_2),
        Exercise("07.3", "a descent loop that keeps its tf.Variable", _ex07_3),
        Exercise("07.4", "the Jacobian of F: R³ → R³ at (1, 2, 3)",
                 lambda a: check_value(a, _jacobian_reference(), "the Jacobian", hints=[
                     (np.array(_jacobian_reference()).T.tolist(),
                      "transposed: row i holds the derivatives of output i")])),
        Exercise("07.5", "a good finite-difference step in float32", _ex07_5),
        Exercise("07.6", "softplus with its own gradient (tf.custom_gradient)", _ex07_6),
        Exercise("08.1", "how many passes the cheaper mode needs", _ex08_1),
        Exercise("08.2", "tanh for dual numbers", _ex08_2),
        Exercise("08.3", "a directional derivative as one JVP",
                 lambda a: check_value(a, _jvp_reference(), "the directional derivative J·u", hints=[
                     (float(np.sum(np.sin(np.linspace(0.1, 1.0, 10)) + np.linspace(0.1, 1.0, 10)
                                   * np.cos(np.linspace(0.1, 1.0, 10)))),
                      "that is the sum of all partials, the direction (1, 1, ...): use u = (1, −1, 1, ...)"),
                     (-_jvp_reference(), "that is the derivative in the direction −u: u = (1, −1, 1, −1, ...) "
                                         "starts with +1"),
                 ])),
    ]
}
