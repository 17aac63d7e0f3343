"""The exercises of notebooks 05 and 06 (gradient descent and backpropagation by hand), by key.

Same rules as :mod:`gradlab.exercises.catalog`, which merges :data:`EXERCISES_05_06` into
the registry: every expected answer is computed inside its check, on points drawn afresh (or
from an autograder's hidden seed), and a prescribed method is checked by its :class:`Rules`.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.exercises._shared import short_array
from gradlab.exercises.checks import (
    Feedback,
    _numbers,
    _to_plain,
    call_attempt,
    check_function,
    check_value,
    correct,
    current_rng,
    random_points,
    seen,
    wrong,
)
from gradlab.exercises.kinds import BY_HAND, Exercise
from gradlab.exercises.observe import Rules

__all__ = ["EXERCISES_05_06"]


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
                               hints=[(point + step, "you stepped uphill: subtract learning_rate × gradient"),
                                      (_sgd_gradient(*start), "that is the gradient itself: return the new "
                                                              "point, point − learning_rate × gradient"),
                                      (step, "that is the step, learning_rate × gradient: subtract it from "
                                             "the point and return the new point")])
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
        old_velocity = [(np.asarray(p) + np.asarray(v), "you added the old velocity: update the velocity "
                                                        "first, then add the new one to the point"),
                        (np.asarray(p) + 0.9 * want_v - lr * np.asarray(g),
                         "that is Nesterov's momentum (Keras' nesterov=True), which looks ahead: point + "
                         "0.9·velocity − lr·gradient. Plain momentum, SGD(momentum=0.9), adds the new "
                         "velocity itself: point ← point + velocity")]
        for got, want, name, hints in ((new_v, want_v, "new velocity", flipped),
                                       (new_p, want_p, "new point", old_velocity)):
            feedback = check_value(got, want, f"the {name} from p = {p}, v = {v}", hints=hints, generic=False)
            if not feedback:
                return feedback
    return correct("momentum_step matches Keras' SGD(momentum=0.9) update.")


def _ex05_3(answer: object) -> Feedback:
    """The critical learning rate 2/L of the tilted bowl 3x² + 2xy + 3y² (Hessian [[6, 2], [2, 6]]).

    Gradient descent on a quadratic converges exactly for 0 < lr < 2/L (an open interval): at
    2/L the steepest component flips sign at full size forever, above it it grows. The answer
    is the boundary itself, so it is compared both ways; a rate near it is told which side it
    is on, since a rate is not the boundary just because it still converges.
    """
    eigenvalues = np.linalg.eigvalsh(np.array([[6.0, 2.0], [2.0, 6.0]]))
    critical = float(2.0 / np.max(eigenvalues))
    hints = [(2 / 6, "2/6 uses the curvature along x alone; the xy term tilts the steepest direction: "
                     "use the Hessian's largest eigenvalue"),
             (2 / 4, "0.5 is 2 over the Hessian's smallest eigenvalue, 4, or 2 over the largest "
                     "eigenvalue of the coefficient matrix [[3, 1], [1, 3]], which is half the Hessian. "
                     "The Hessian holds second derivatives (q_xx = 6, q_xy = 2, q_yy = 6), and the "
                     "rate is set by its largest eigenvalue: the steep direction blows up first"),
             (2 / 3, "the curvature of 3x² is its second derivative, 6, not 3"),
             (float(np.max(eigenvalues)), "that is L itself, the Hessian's largest eigenvalue: the "
                                          "critical learning rate is 2/L"),
             (0.4, "0.4 is 2/5: the egg-crate landscape's critical rate from the lesson, or 2 over the "
                   "largest eigenvalue of [[3, 2], [2, 3]], the xy coefficient 2 put off the diagonal. "
                   "The Hessian holds second derivatives: q_xx = 6, q_xy = 2, q_yy = 6")]
    # 2/8 is 0.25 exactly; the tolerance only absorbs float32 round-off in a tape's Hessian.
    feedback = check_value(answer, critical, "the critical learning rate", rtol=0.0, atol=1e-6,
                           generic=False, hints=hints)
    if feedback:
        return correct(f"2/L = {critical:g}, with L = {2 / critical:g} the Hessian's largest eigenvalue. "
                       f"Gradient descent converges for every rate with 0 < lr < {critical:g}, an open "
                       "interval: at 2/L itself the steepest component flips sign at full size forever, "
                       "and above it that component grows until the walk blows up.")
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
                 f"(each step multiplies the distance along the steepest direction by {growth:.4g}); "
                 "the critical rate is where that factor is exactly 1 in size.")


_ADAM = (0.9, 0.999, 1e-7)  # Keras 3 Adam's beta_1, beta_2, epsilon


def _adam_reference(point, m, v, g, t, lr, correct_m=True, correct_v=True):
    """Keras 3's Adam step t (from 1); the flags drop a bias correction (a student's slip)."""
    beta_1, beta_2, eps = _ADAM
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    # Keras folds both corrections into the step size and adds ε to √v, uncorrected.
    alpha = lr * (math.sqrt(1 - beta_2**t) if correct_v else 1.0) / ((1 - beta_1**t) if correct_m else 1.0)
    return point - alpha * m / (np.sqrt(v) + eps), m, v


def _adam_slips(point, m, v, g, t, lr):
    """(new point, hint) for the slips worth naming, the point each would give."""
    beta_1, beta_2, _ = _ADAM
    new_m, new_v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g**2
    return [
        (_adam_reference(point, m, v, g, t, lr, False, False)[0],
         "no bias correction: m and v start at 0, so early on they are too small (the first step "
         "is √10 × lr long, RMSprop's jump). Divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before the step"),
        (_adam_reference(point, m, v, g, t, lr, True, False)[0],
         "m is bias-corrected but v is not: divide v by 1 − β₂ᵗ too"),
        (_adam_reference(point, m, v, g, t, lr, False, True)[0],
         "v is bias-corrected but m is not: divide m by 1 − β₁ᵗ too"),
        (point - lr * (new_m / (1 - beta_1**t)) / (new_v / (1 - beta_2**t) + _ADAM[2]),
         "the step divides by the root mean square of the gradients: √v̂, not v̂"),
        (2 * point - _adam_reference(point, m, v, g, t, lr)[0],
         "you stepped uphill: subtract the step"),
    ]


def _adam_cases(rng: np.random.Generator) -> list[tuple]:
    """(point, m, v, gradient, t, lr): a first step from zero slots, two more, one late step."""
    def gradient():  # |g| ≥ 0.2, where ε's exact place changes nothing at the tolerance
        g = rng.uniform(0.2, 2.0, 2) * rng.choice([-1.0, 1.0], 2)
        return np.round(g, 3)

    lr = round(float(rng.uniform(0.01, 0.2)), 3)
    point, m, v = np.round(rng.uniform(-1, 1, 2), 3), np.zeros(2), np.zeros(2)
    cases = []
    for t in (1, 2, 3):
        g = gradient()
        cases.append((point, m, v, g, t, lr))
        point, m, v = _adam_reference(point, m, v, g, t, lr)
    late_v = np.round(rng.uniform(0.5, 2.0, 2), 3)
    cases.append((np.round(rng.uniform(-1, 1, 2), 3), np.round(rng.uniform(-1, 1, 2), 3), late_v,
                  gradient(), int(rng.integers(20, 200)), lr))
    return cases


def _adam_parts(result: object) -> tuple[list, Feedback | None]:
    try:
        parts = list(result)  # type: ignore[call-overload]
    except TypeError:
        parts = []
    if len(parts) != 3:
        return [], wrong("adam_step should return three things: (new_point, new_m, new_v)")
    return parts, None


def _ex05_4(fn: object) -> Feedback:
    """adam_step(point, m, v, gradient, t, lr): Adam's update written out, several steps.

    Compared with Keras 3's rule (ε next to the uncorrected √v); the paper's rule (ε next to
    √v̂) differs only for gradients near ε, and the cases keep |g| ≥ 0.2, so both pass.
    """
    for point, m, v, g, t, lr in _adam_cases(current_rng()):
        result, problem = call_attempt(fn, point.copy(), m.copy(), v.copy(), g.copy(), t, lr,
                                       what="adam_step")
        if problem is not None:
            return problem
        if seen().optimizers:
            return wrong("adam_step uses a Keras optimiser: the exercise asks for Adam's update written "
                         "out with NumPy or tf operations.")
        parts, problem = _adam_parts(result)
        if problem is not None:
            return problem
        want_p, want_m, want_v = _adam_reference(point, m, v, g, t, lr)
        where = f"at step t = {t} (gradient {_numbers(g)}, lr {lr:g})"
        slots = [(parts[1], want_m, "new_m", [(want_m / (1 - _ADAM[0]**t), "new_m is bias-corrected: return "
                                                "the running mean itself; the correction only enters the step")]),
                 (parts[2], want_v, "new_v", [(want_v / (1 - _ADAM[1]**t), "new_v is bias-corrected: return "
                                                "the running mean itself; the correction only enters the step"),
                                               (_ADAM[1] * v + (1 - _ADAM[1]) * np.abs(g),
                                                "v is a running mean of the squared gradients, g²")])]
        for got, want, name, hints in slots:
            feedback = check_value(got, want, f"{name} {where}", hints=hints, generic=False)
            if not feedback:
                return feedback
        if t == 1 and not np.all(np.isfinite(np.asarray(_to_plain(parts[0]), dtype=float))):
            return wrong("the first step is not finite: t counts steps from 1, so the corrections "
                         "divide by 1 − β₁ = 0.1 and 1 − β₂ = 0.001 at the first step, never by 0")
        feedback = check_value(parts[0], want_p, f"new_point {where}", generic=False,
                               hints=_adam_slips(point, m, v, g, t, lr))
        if not feedback:
            return feedback
    # Said without the (random) test values, so a saved notebook's output is reproducible.
    return correct("adam_step matches Adam's update, step after step (the paper's rule; Keras "
                   "puts ε next to the uncorrected √v, which differs only for gradients near ε). "
                   "Its first step moves every "
                   "coordinate by almost exactly lr (ε keeps it a hair short), whatever the "
                   "gradient's size: at t = 1 the bias "
                   "corrections make m̂/√v̂ = ±1, which is why Adam's first steps in the lesson were "
                   "all 0.050 long.")


# --------------------------------------------------------------------------- 06 backprop


def _fresh_pairs(count: int, low: float = -2.0, high: float = 2.0) -> list[tuple[float, float]]:
    """(x, y) pairs with y kept away from 0 (some rules divide by it)."""
    xs = random_points(low, high, count)
    ys = [y if abs(y) > 0.3 else y + 0.6 for y in random_points(low, high, count)]
    return list(zip(xs, ys, strict=True))


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _ex06_1(fn: object) -> Feedback:
    """sigmoid_backward(s, upstream): s̄ → z̄ for s = σ(z), from the node's output s alone."""
    rng = current_rng()
    cases = [(0.25, 2.0), *[(round(float(s), 3), round(float(u), 3))
                           for s, u in zip(rng.uniform(0.05, 0.95, 3), rng.uniform(-2, 2, 3), strict=True)]]
    return check_function(fn, lambda s, up: up * s * (1 - s), cases, what="sigmoid_backward", hints=[
        (lambda s, up: s * (1 - s), "that is the local derivative alone: the rule multiplies it by the "
                                    "upstream adjoint s̄ (the chain rule)"),
        (lambda s, up: up * _sigmoid(s) * (1 - _sigmoid(s)),
         "s is the node's output, already σ(z): the local derivative is s(1 − s), not σ(s)(1 − σ(s))"),
        (lambda s, up: up * s, "s·s̄ would be the rule of exp (whose output is its own derivative); "
                               "σ′ = σ(1 − σ)")])


def _ex06_2(fn: object) -> Feedback:
    """g_gradient(x, y) for g = exp(x·y) + y, by hand: (y·e^(xy), x·e^(xy) + 1)."""
    points = [(0.5, 2.0), *_fresh_pairs(3, -1.2, 1.2)]
    return check_function(fn, lambda x, y: (y * math.exp(x * y), x * math.exp(x * y) + 1), points,
                          what="g_gradient", hints=[
                              (lambda x, y: (y * math.exp(x * y), x * math.exp(x * y)),
                               "∂g/∂y misses the + y term's own derivative, 1: y reaches g twice"),
                              (lambda x, y: (math.exp(x * y), math.exp(x * y) + 1),
                               "the exp node's adjoint must be multiplied by the product node's local "
                               "derivatives: ∂(x·y)/∂x = y and ∂(x·y)/∂y = x")])


def _neuron_tape(w, b, x, t):
    """(∂L/∂w, ∂L/∂b) of L = (σ(w·x + b) − t)² from a tape, in float64: the check's reference."""
    w, b = tf.constant(w, tf.float64), tf.constant(b, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        loss = (tf.sigmoid(tf.reduce_sum(w * x) + b) - t) ** 2
    dw, db = tape.gradient(loss, [w, b])
    return dw.numpy(), float(db)


def _neuron_slips(w, b, x, t) -> list[tuple[np.ndarray, str]]:
    """The flattened (w̄, b̄) each typical slip gives, with what to say about it."""
    s = _sigmoid(float(w @ x) + b)
    z_bar = 2 * (s - t) * s * (1 - s)
    return [
        (np.append(2 * (s - t) * x, 2 * (s - t)),
         "the sigmoid node's local derivative s(1 − s) is missing: z̄ = s̄·s(1 − s)"),
        (np.append(z_bar / 2 * x, z_bar / 2), "the square's local derivative is 2(s − t): a factor 2 is missing"),
        (np.append(z_bar * w, z_bar), "w̄ is z̄ times the *other* factor of the product: ∂(w·x)/∂w = x, "
                                      "not w (z̄·w would be x̄)"),
        (np.append(-z_bar * x, -z_bar), "the sign is flipped: ∂(s − t)²/∂s = 2(s − t), not 2(t − s)"),
        (np.append(z_bar * float(np.sum(x)) * np.ones_like(x), z_bar),
         "every entry of w̄ is the same: entry i of w meets only x[i], so w̄ = z̄·x, entry by entry"),
    ]


def _neuron_cases(rng: np.random.Generator) -> list[tuple]:
    """(w, b, x, t): one fixed small case, then vectors of fresh lengths and values."""
    cases = [(np.array([0.5, -1.0]), 0.1, np.array([1.0, 2.0]), 1.0)]
    for n in (3, int(rng.integers(2, 6)), int(rng.integers(4, 8))):
        w, x = np.round(rng.uniform(-1.5, 1.5, n), 3), np.round(rng.uniform(-1.5, 1.5, n), 3)
        cases.append((w, round(float(rng.uniform(-1, 1)), 3), x, round(float(rng.uniform(0, 1)), 3)))
    return cases


def _ex06_3(fn: object) -> Feedback:
    """neuron_gradient(w, b, x, t): backprop through σ(w·x + b) and a squared error, by hand."""
    for w, b, x, t in _neuron_cases(current_rng()):
        result, problem = call_attempt(fn, w.copy(), b, x.copy(), t, what="neuron_gradient")
        if problem is not None:
            return problem
        try:
            w_bar, b_bar = (np.asarray(_to_plain(part), dtype=float) for part in result)  # type: ignore[union-attr]
        except (TypeError, ValueError):
            return wrong("neuron_gradient should return two things: (w_bar, b_bar), w_bar with one "
                         "number per weight and b_bar one number")
        if w_bar.size != w.size or b_bar.size != 1:
            return wrong(f"for {w.size} weights, w_bar should hold {w.size} numbers (an adjoint has the "
                         f"shape of its node) and b_bar one; got {w_bar.size} and {b_bar.size}")
        dw, db = _neuron_tape(w, b, x, t)
        where = f"for w = {short_array(w)}, b = {b:g}, x = {short_array(x)}, t = {t:g}"
        feedback = check_value(np.append(w_bar.ravel(), b_bar.ravel()), np.append(dw, db),
                               f"(w_bar, b_bar) {where}", generic=False, hints=_neuron_slips(w, b, x, t))
        if not feedback:
            return feedback
    return correct("neuron_gradient agrees with the tape for weight vectors of several lengths: "
                   "L̄ = 1, s̄ = 2(s − t), z̄ = s̄·s(1 − s), then w̄ = z̄·x and b̄ = z̄.")


EXERCISES_05_06: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("05.1", "first_step(point, lr): one gradient-descent step, no optimiser", _ex05_1,
                 Rules(tape=True, helpers=False, no_optimizer=True)),
        Exercise("05.2", "one SGD-with-momentum step", _ex05_2),
        Exercise("05.3", "the critical learning rate of a tilted bowl, 2/L", _ex05_3),
        Exercise("05.4", "adam_step: Adam's update written out, bias correction and all", _ex05_4,
                 Rules(helpers=False)),
        Exercise("06.1", "sigmoid_backward: a node's backward rule from its output, by hand", _ex06_1, BY_HAND),
        Exercise("06.2", "backprop through exp(x·y) + y, by hand", _ex06_2, BY_HAND),
        Exercise("06.3", "neuron_gradient: backprop through σ(w·x + b) and a squared error, by hand",
                 _ex06_3, BY_HAND),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
