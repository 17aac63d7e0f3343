"""Every exercise in the notebooks, by key ("02.3" is notebook 02, exercise 3).

Expected answers are computed inside each check from a reference (TensorFlow, math or Keras
itself), on test points drawn afresh (or from an autograder's hidden seed): they are not
written in the student's notebook, no function here returns one, and they cannot drift from
what the lesson shows. Where an exercise prescribes a method ("with a tape", "by hand"),
its :class:`Rules` are checked on what the answer actually ran (:mod:`.observe`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.calculus import FunctionError, GradientError, derivative, nth_derivative, partials
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
    unfinished,
    wrong,
)
from gradlab.exercises.kinds import BY_HAND, TAPE, Exercise
from gradlab.exercises.observe import Rules


def _f32(value: float):
    return tf.constant(value, tf.float32)


def _tape_gradient_matches(fn: object, reference_grad: Callable, points, what: str,
                           reference: Callable | None = None, value_points=()) -> Feedback:
    """fn must be differentiable by the tape, with the reference derivative at each point.

    With ``reference``, the values must match too, at ``points`` and ``value_points``:
    equal slopes alone let ``f + 42`` pass.
    """
    result, problem = call_attempt(fn, _f32(points[0]), what=what)
    if problem is not None:
        return problem
    everywhere = [*points, *value_points]
    try:
        values, grad = derivative(fn, np.asarray(everywhere, np.float32))
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate {what}: {error}")
    if reference is not None:
        shown = ", ".join(f"{p:g}" for p in everywhere)
        feedback = check_value(values, [reference(p) for p in everywhere], f"{what} at x = {shown}",
                               amounts=True)
        if not feedback:
            return feedback
    feedback = check_value(np.asarray(grad)[: len(points)], [reference_grad(p) for p in points],
                           f"the tape's derivative of {what}")
    if not feedback:
        return feedback
    # Said without the (random) points, so a saved notebook's output is reproducible.
    return correct(f"the tape differentiates {what}, and its derivative is right at all {len(points)} "
                   "test points.")


def _described(args: tuple) -> str:
    return ", ".join(f"{float(np.asarray(a)):.4g}" if np.size(a) == 1 else _short_array(a) for a in args)


def _short_array(value: object) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in np.asarray(value, dtype=float).ravel()[:4]) + \
        (", ...]" if np.size(value) > 4 else "]")


# --------------------------------------------------------------------------- 01 GradientTape


def _ex01_1(fn: object) -> Feedback:
    """slope_of_g(x): d/dx (x³ − 2x) from a tape, at x = 1.5 and fresh points."""
    points = [1.5, *random_points(-2.0, 2.0, 3)]
    return check_function(fn, lambda x: 3 * float(x) ** 2 - 2, [(_f32(p),) for p in points],
                          what="slope_of_g", describe=_described, hints=[
                              (lambda x: 3 * float(x) ** 2, "you dropped the −2x term's derivative (−2)"),
                              (lambda x: float(x) ** 3 - 2 * float(x),
                               "that is g's value, not its slope: return tape.gradient(g, x)")])


def _ex01_2(answer: object) -> Feedback:
    """A pair (h, dh): h(x) = sin(x²) in TF and dh its derivative by hand (chain rule)."""
    if answer is Ellipsis or answer is None:
        return unfinished()
    try:
        h, dh = answer  # type: ignore[misc]
    except (TypeError, ValueError):
        return wrong("pass the two functions as a pair: check('01.2', (h, dh))")
    points = random_points(-1.7, 1.7, 4)
    values = check_function(h, lambda x: math.sin(float(x) ** 2), [(_f32(p),) for p in points],
                            what="h", expect_tensor=True, describe=_described)
    if not values:
        return values
    try:  # h must be TensorFlow all the way: the tape has to follow it
        derivative(h, np.float32(points[0]))
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate h: {error}")
    return check_function(dh, lambda x: 2 * x * math.cos(x * x), [(p,) for p in points], what="dh",
                          avoid=[("h", h)], hints=[
                              (lambda x: math.cos(x * x), "dh misses the inner derivative: the chain rule "
                                                          "multiplies cos(x²) by d(x²)/dx = 2x"),
                              (lambda x: 2 * x * math.sin(x * x), "the outer derivative of sin is cos")])


def _ex01_3(fn: object) -> Feedback:
    # Fresh points on every call. The gradient is not compared at 0: a stable softplus built
    # from max(x, 0) and |x| has kinks there, where the tape picks one side (both are right).
    away = [*random_points(-3.0, -0.1, 2), *random_points(0.1, 3.0, 2)]
    return _tape_gradient_matches(fn, lambda x: 1 / (1 + math.exp(-x)), [-2.0, 1.5, *away], "softplus",
                                  reference=lambda x: math.log1p(math.exp(float(x))),
                                  value_points=[0.0, *random_points(-3.0, 3.0, 2)])


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


def _ex02_3(fn: object) -> Feedback:
    """third_derivative(f, x) with nested tapes, on functions and points drawn afresh."""
    a, b, c = random_points(0.5, 2.0, 3)
    x1, x2, x3 = random_points(-2.0, 2.0, 3)
    cases = [(lambda x: a * x**4, x1, 24 * a * x1, f"{a:g}·x**4 at {x1:g}"),
             (lambda x: b * tf.sin(x), x2, -b * math.cos(x2), f"{b:g}·sin(x) at {x2:g}"),
             (lambda x: c * x**3 + x**2, x3, 6 * c, f"{c:g}·x**3 + x**2 at {x3:g}")]
    for f, x, want, name in cases:
        result, problem = call_attempt(fn, f, _f32(x), what="third_derivative")
        if problem is not None:
            return problem
        feedback = check_value(result, want, f"third_derivative({name})", rtol=1e-3, atol=1e-3)
        if not feedback:
            return feedback
    return correct("third_derivative gives f‴ for every test function, by three nested tapes.")


# --------------------------------------------------------------------------- 03 partials


def _ex03_2(fn: object) -> Feedback:
    # (1, 2) first for a stable message, then fresh random points on every call.
    points = [(1.0, 2.0), *zip(random_points(-2.0, 2.0, 3), random_points(-2.0, 2.0, 3), strict=True)]
    result, problem = call_attempt(fn, _f32(1.0), _f32(2.0), what="f")
    if problem is not None:
        return problem
    offsets = []
    for x, y in points:
        try:
            value, fx, fy = partials(fn, x, y)
        except (GradientError, FunctionError) as error:
            return wrong(f"TensorFlow cannot differentiate your f: {error}")
        feedback = check_value([fx, fy], [y, x], f"∇f at ({x:g}, {y:g})")
        if not feedback:
            return feedback
        offsets.append(float(value) - x * y)
    if not np.allclose(offsets, offsets[0], rtol=1e-4, atol=1e-4):
        worst = int(np.argmax(np.abs(np.asarray(offsets) - offsets[0])))
        (x, y), offset = points[worst], offsets[worst]
        return wrong(f"the tape's gradient is (y, x), but f's values are not x·y plus one constant "
                     f"(at ({x:g}, {y:g}) f − x·y = {offset:.4g}, at (1, 2) {offsets[0]:.4g}): part of f "
                     "is hidden from the tape (tf.stop_gradient, a custom gradient). The gradient must "
                     "be the gradient of the function itself.")
    return correct("∇f = (y, x) everywhere and f = x·y + a constant: that is the answer.")


def _bump(x: float, y: float) -> float:
    u = x * x + y * y
    return math.sin(u) / u if u else 1.0


def _ex03_3(fn: object) -> Feedback:
    """sin(u)/u with u = x² + y², 1 at the origin, and a finite gradient there too."""
    _, problem = call_attempt(fn, _f32(1.0), _f32(0.5), what="safe_bump")
    if problem is not None:
        return problem
    fresh = list(zip(random_points(-1.5, 1.5, 3), random_points(-1.5, 1.5, 3), strict=True))
    values = check_function(
        fn, _bump,
        [(_f32(a), _f32(b)) for a, b in [(1.0, 0.5), (0.0, 0.0), (0.01, 0.0), *fresh]],
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


def _ex04_1(fn: object) -> Feedback:
    """tangent_at(x0) -> (slope, intercept), from a tape, at x₀ = 2 and fresh points."""
    def line(x0):
        y, slope = (float(v) for v in derivative(_tangent_f, tf.constant(float(x0), tf.float64)))
        return y, slope

    # x₀ = 2 first: at x₀ = 1 forgetting the ·x₀ in the intercept would pass.
    points = [2.0, *random_points(0.6, 5.5, 3)]
    return check_function(
        fn, lambda x0: (line(x0)[1], line(x0)[0] - line(x0)[1] * float(x0)), [(_f32(p),) for p in points],
        what="tangent_at", rtol=1e-3, atol=1e-4, describe=_described, hints=[
            (lambda x0: (line(x0)[1], line(x0)[0]),
             "the intercept is the line's height at x = 0, not at x₀: f(x₀) − f′(x₀)·x₀"),
            (lambda x0: (line(x0)[1], line(x0)[0] - line(x0)[1]),
             "the intercept is f(x₀) − f′(x₀)·x₀: multiply the slope by x₀"),
            (lambda x0: (line(x0)[0], line(x0)[0] - line(x0)[1] * float(x0)),
             "the slope is f′(x₀), from the tape, not f(x₀)"),
        ])


def _newton_on_f_prime(x: float) -> float:
    for _ in range(30):
        x -= float(nth_derivative(_tangent_f, tf.constant(x, tf.float64), 1)) / float(
            nth_derivative(_tangent_f, tf.constant(x, tf.float64), 2))
    return x


def _make_ex04_2() -> Callable[[object], Feedback]:
    found: list[float] = []  # f's flat points, found once (outside any student's time)

    def check(answer: object) -> Feedback:
        if not found:  # Newton on f′ from the crests and troughs of the plot; the one near 4 first
            found.extend(_newton_on_f_prime(start) for start in (4.0, 0.6, 2.3, 5.5))
        crest, others = found[0], found[1:]
        # "To three decimals": within 5e-4 of the crest, so 3.8945..3.8954 pass.
        feedback = check_value(answer, crest, "x where f′(x) = 0", rtol=0, atol=5e-4)
        if feedback.status != "wrong" or np.size(answer) != 1 or isinstance(answer, (str, bytes)):
            return feedback
        try:
            value = float(np.asarray(answer, dtype=float).ravel()[0])
        except (TypeError, ValueError):
            return feedback
        for x in others:  # a rough reading of another crest or trough
            if abs(value - x) < 0.03:
                return wrong(f"{value:g} is near another flat point of f (x ≈ {x:.3f}, a crest or "
                             "trough): the exercise asks for the one near 4")
        return feedback

    return check


def _ex04_3(fn: object) -> Feedback:
    """newton_step(g, x) with x a float32 tensor: x − g(x)/g′(x), the derivative from a tape."""
    tests = [(lambda x: x**2 - 2, random_points(0.8, 2.5, 1)[0]),
             (lambda x: tf.cos(x) - x, random_points(0.2, 1.2, 1)[0]),
             (_tangent_f, random_points(1.0, 1.6, 1)[0])]
    for g, x in tests:
        result, problem = call_attempt(fn, g, _f32(x), what="newton_step")
        if problem is not None:
            return problem
        y, slope = (float(v) for v in derivative(g, tf.constant(x, tf.float64)))
        feedback = check_value(result, x - y / slope, f"newton_step from x = {x:g}", rtol=1e-4,
                               atol=1e-5, hints=[(x + y / slope, "the step goes the other way: "
                                                  "x − f(x)/f′(x), a minus where you have a plus")])
        if not feedback:
            return feedback
    return correct("newton_step follows the tangent to its zero: x − f(x)/f′(x).")


# --------------------------------------------------------------------------- 05 gradient descent


def _sgd_gradient(x: float, y: float) -> np.ndarray:
    # f(x, y) = (sin 4x − cos 5y) / 5, so ∇f = (4 cos 4x / 5, sin 5y)
    return np.array([0.8 * math.cos(4 * x), math.sin(5 * y)])


def _ex05_1(fn: object) -> Feedback:
    """first_step(point, learning_rate): one gradient-descent step on f, from a tape."""
    cases = [((0.25, -0.5), 0.01), *[((a, b), lr) for a, b, lr in zip(
        random_points(-1.0, 1.0, 2), random_points(-1.0, 1.0, 2), random_points(0.01, 0.2, 2), strict=True)]]
    for start, lr in cases:
        point = np.array(start)
        result, problem = call_attempt(fn, tf.constant(start, tf.float32), lr, what="first_step")
        if problem is not None:
            return problem
        step = lr * _sgd_gradient(*start)
        feedback = check_value(result, point - step, f"first_step from ({start[0]:g}, {start[1]:g}) "
                               f"at learning rate {lr:g}", atol=1e-5, generic=False,
                               hints=[(point + step, "you stepped uphill: subtract learning_rate × gradient")])
        if not feedback:
            return feedback
    return correct("first_step takes one step of gradient descent: point − learning_rate × ∇f, from a tape.")


def _ex05_2(fn: object) -> Feedback:
    def keras_step(p, velocity, g, lr):  # Keras 3 SGD(momentum=0.9)
        velocity = 0.9 * np.asarray(velocity) - lr * np.asarray(g)
        return np.asarray(p) + velocity, velocity

    rng = current_rng()
    cases = [([0.25, -0.5], [0.0, 0.0], [0.4, -0.6], 0.1),
             *[(*np.round(rng.uniform(-2, 2, (3, 2)), 3).tolist(), round(float(rng.uniform(0.01, 0.3)), 3))
               for _ in range(2)]]
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


def _ex05_3(answer: object) -> Feedback:
    """The critical learning rate 2/L of the tilted bowl 3x² + 2xy + 3y² (Hessian [[6, 2], [2, 6]])."""
    eigenvalues = np.linalg.eigvalsh(np.array([[6.0, 2.0], [2.0, 6.0]]))
    critical = float(2.0 / np.max(eigenvalues))
    hints = [(2 / 6, "2/6 uses the curvature along x alone; the xy term tilts the steepest direction: "
                     "use the Hessian's largest eigenvalue"),
             (2 / 4, "that is 2 over the smallest eigenvalue: the steep direction is the one that "
                     "blows up first"),
             (2 / 3, "the curvature of 3x² is its second derivative, 6, not 3")]
    # One-sided: 0.2496 is a fine reading of 2/L; anything above it diverges, however close.
    feedback = check_value(answer, critical - 5e-4, "the critical learning rate", rtol=0.0,
                           atol=5e-4 + 1e-6, generic=False, hints=hints)
    if feedback:
        return correct(f"2/L = {critical:g}: the steepest curvature is the Hessian's largest eigenvalue, "
                       f"L = {2 / critical:g}. Below it gradient descent converges; at it, it "
                       "bounces forever; above it, it diverges.")
    if feedback.status == "unfinished" or "should be" in feedback.message:
        return feedback
    lr = float(np.asarray(answer, dtype=float).reshape(-1)[0])
    if lr <= 0:
        return wrong("a learning rate must be positive")
    # Each step multiplies the distance along an eigenvector by 1 − lr·λ.
    growth = float(np.max(np.abs(1 - lr * eigenvalues)))
    state = "diverges" if growth > 1 else "still converges"
    message = feedback.message.rstrip(".")
    return wrong(f"{message}. At learning rate {lr:g}, gradient descent {state} on this bowl "
                 f"(each step multiplies the distance along the steepest direction by {growth:.4g}).")


def _ex05_4(fn: object) -> Feedback:
    """train_step(model, optimizer, x, y): one MSE step, with whichever optimiser it is given."""
    rng = current_rng()
    x = tf.constant(np.round(rng.uniform(-2, 2, (6, 1)), 3), tf.float32)
    y = tf.constant(np.round(3 * x.numpy() - 1 + rng.normal(0, 0.2, (6, 1)), 3), tf.float32)
    kernel, bias = np.round(rng.uniform(-1, 1, 2), 3)
    makers = [("SGD(learning_rate=0.1)", lambda: tf.keras.optimizers.SGD(learning_rate=0.1)),
              ("SGD(learning_rate=0.05, momentum=0.9)",
               lambda: tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)),
              ("Adam(learning_rate=0.05)", lambda: tf.keras.optimizers.Adam(learning_rate=0.05))]

    def fresh():
        model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
        model.set_weights([np.array([[kernel]], np.float32), np.array([bias], np.float32)])
        return model

    for name, make in makers:
        model, optimizer = fresh(), make()
        seen().given_optimizers.append(id(optimizer))
        result, problem = call_attempt(fn, model, optimizer, x, y, what="train_step")
        if problem is not None:
            return problem
        reference, ref_optimizer = fresh(), make()
        with tf.GradientTape() as tape:
            want_loss = tf.reduce_mean((reference(x) - y) ** 2)
        ref_optimizer.apply_gradients(zip(tape.gradient(want_loss, reference.trainable_variables),
                                          reference.trainable_variables, strict=True))
        got = np.concatenate([np.asarray(v).ravel() for v in model.trainable_variables])
        want = np.concatenate([np.asarray(v).ravel() for v in reference.trainable_variables])
        if np.allclose(got, [kernel, bias]):
            return wrong("the model's weights did not change: pass (gradient, variable) pairs for "
                         "model.trainable_variables to optimizer.apply_gradients")
        feedback = check_value(got, want, f"(kernel, bias) after one step with {name}", generic=False,
                               hints=[(np.array([kernel, bias]) - (want - [kernel, bias]),
                                       "you stepped uphill: apply the gradient itself, the optimiser "
                                       "subtracts it")])
        if not feedback:
            return feedback
        loss_after = float(tf.reduce_mean((reference(x) - y) ** 2))
        feedback = check_value(result, float(want_loss), "the returned loss (before the step)", generic=False,
                               hints=[(loss_after, "that is the loss after the step: return the loss the "
                                                   "tape recorded, computed before apply_gradients")])
        if not feedback:
            return feedback
    return correct("one step on model.trainable_variables with each optimiser it was given (SGD, "
                   "momentum, Adam), exactly as Keras' fit would take it.")


# --------------------------------------------------------------------------- 06 backprop


def _fresh_pairs(count: int, low: float = -2.0, high: float = 2.0) -> list[tuple[float, float]]:
    """(x, y) pairs with y kept away from 0 (some rules divide by it)."""
    xs = random_points(low, high, count)
    ys = [y if abs(y) > 0.3 else y + 0.6 for y in random_points(low, high, count)]
    return list(zip(xs, ys, strict=True))


def _ex06_1(fn: object) -> Feedback:
    """d_by_dy(x, y): the local derivative ∂(x/y)/∂y of a division node, by hand."""
    points = [(1.0, 2.0), *_fresh_pairs(3)]
    return check_function(fn, lambda x, y: -x / y**2, points, what="d_by_dy", hints=[
        (lambda x, y: 1 / y, "that is ∂(x/y)/∂x = 1/y; for y use −x/y²"),
        (lambda x, y: -x / y, "that is −x/y: you forgot the square, ∂(x/y)/∂y = −x/y²"),
        (lambda x, y: x / y**2, "mind the sign: x/y falls as y grows (for x > 0), ∂(x/y)/∂y = −x/y²")])


def _ex06_2(fn: object) -> Feedback:
    rng = current_rng()
    cases = [(2.0, 3.0, 1.0), *[tuple(np.round(rng.uniform(-2, 2, 3), 3).tolist()) for _ in range(3)]]
    return check_function(fn, lambda a, b, up: (up * b, up * a), cases, what="mul_backward", hints=[
        (lambda a, b, up: (b, a), "the rule multiplies by the upstream adjoint c̄ (chain rule)"),
        (lambda a, b, up: (up * a, up * b), "swapped: ā = c̄·b (a's partner), b̄ = c̄·a")])


def _ex06_3(fn: object) -> Feedback:
    """g_gradient(x, y) for g = exp(x·y) + y, by hand: (y·e^(xy), x·e^(xy) + 1)."""
    points = [(0.5, 2.0), *_fresh_pairs(3, -1.2, 1.2)]
    return check_function(fn, lambda x, y: (y * math.exp(x * y), x * math.exp(x * y) + 1), points,
                          what="g_gradient", hints=[
                              (lambda x, y: (y * math.exp(x * y), x * math.exp(x * y)),
                               "∂g/∂y misses the + y term's own derivative, 1: y reaches g twice"),
                              (lambda x, y: (math.exp(x * y), math.exp(x * y) + 1),
                               "the exp node's adjoint must be multiplied by the product node's local "
                               "derivatives: ∂(x·y)/∂x = y and ∂(x·y)/∂y = x")])


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
    result, problem = call_attempt(fn, _f32(1.0), what="softplus")
    if problem is not None:
        return problem
    at_100, problem = call_attempt(fn, _f32(100.0), what="softplus")
    if problem is not None:
        return problem
    if not np.all(np.isfinite(np.asarray(at_100, dtype=float))):
        return wrong(f"at x = 100 softplus gives {float(at_100)}, expected 100: exp(100) overflows to inf in "
                     "float32. Use tf.math.softplus, or max(x, 0) + log(1 + e^(−|x|))")
    # Fresh points over the whole line, far left and far right included.
    points = [-3.0, 0.0, 2.0, 100.0, *random_points(-40.0, -5.0, 2), *random_points(-5.0, 5.0, 2),
              *random_points(5.0, 80.0, 2)]
    values = check_function(fn, _softplus, [(_f32(p),) for p in points], what="softplus",
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
                               f"{_short_array(w)} along u = {_short_array(u)}", rtol=1e-4, atol=1e-4,
                               generic=False, hints=[
                                   (float(np.sum(partial)), "that is the sum of all partials, the direction "
                                                            "(1, 1, ...): push u itself through"),
                                   (-float(partial @ u), "that is the derivative in the direction −u")])
        if not feedback:
            return feedback
    return correct("one forward pass gives J·u, the directional derivative, without forming the gradient.")


EXERCISES: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("01.1", "slope_of_g(x): d/dx (x³ − 2x) with a tape", _ex01_1, TAPE),
        Exercise("01.2", "h(x) = sin(x²) and its derivative by the chain rule, by hand", _ex01_2, BY_HAND),
        Exercise("01.3", "a softplus the tape can differentiate", _ex01_3),
        Exercise("01.4", "the derivative through a while loop", _ex01_4),
        Exercise("02.1", "d/dx x⁵ at x = 2",
                 lambda a: check_value(a, 5 * 2**4, "d/dx x⁵ at 2",
                                       hints=[(2**5, "that is x⁵ itself; the power rule gives n·xⁿ⁻¹"),
                                              (5 * 2**5, "lower the exponent: 5·x⁴, not 5·x⁵"),
                                              (5 * 2**3, "lower the exponent by one only: 5·x⁴, not 5·x³"),
                                              (4 * 2**5, "the exponent drops by one: n·x^(n−1), not n·xⁿ")])),
        Exercise("02.2", "d/dx (2x + 1)⁻² at x = 0.5, predicted", _ex02_2),
        Exercise("02.3", "third_derivative(f, x) with nested tapes", _ex02_3,
                 Rules(tape=True, tape_calls=3, helpers=False)),
        Exercise("03.1", "∇(x²·y) at (3, 2), predicted",
                 lambda a: check_value(a, [2 * 3 * 2, 3**2], "(∂f/∂x, ∂f/∂y)", hints=[
                     ([2 * 3, 3**2], "∂/∂x (x²·y) = 2x·y: y stays as a factor, so 2·3·2 = 12"),
                     ([2 * 3, 2 * 3 * 2], "∂f/∂x = 2xy = 12 and ∂f/∂y = x² = 9"),
                 ])),
        Exercise("03.2", "an f whose gradient is (y, x)", _ex03_2),
        Exercise("03.3", "sin(u)/u, u = x² + y², with a finite gradient at the origin", _ex03_3),
        Exercise("04.1", "tangent_at(x0): the tangent line to cos(x)·sin(x)/√x, with a tape", _ex04_1, TAPE),
        Exercise("04.2", "where the tangent is flat near x = 4", _make_ex04_2()),
        Exercise("04.3", "one step of Newton's method, with a tape", _ex04_3, TAPE),
        Exercise("05.1", "first_step(point, lr): one gradient-descent step, no optimiser", _ex05_1,
                 Rules(tape=True, helpers=False, no_optimizer=True)),
        Exercise("05.2", "one SGD-with-momentum step", _ex05_2),
        Exercise("05.3", "the critical learning rate of a tilted bowl, 2/L", _ex05_3),
        Exercise("05.4", "a training step with the optimiser it is given", _ex05_4,  # returns the loss
                 Rules(tape=True, helpers=False, optimizer=True, tape_result=False)),  # before the step
        Exercise("06.1", "∂(x/y)/∂y, the division node's local derivative, by hand", _ex06_1, BY_HAND),
        Exercise("06.2", "the backward rule of a multiply node, by hand", _ex06_2, BY_HAND),
        Exercise("06.3", "backprop through exp(x·y) + y, by hand", _ex06_3, BY_HAND),
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


from gradlab.exercises.catalog_09 import EXERCISES_09  # noqa: E402 - it builds on the names above

EXERCISES.update(EXERCISES_09)

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
