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
from gradlab.exercises.checks import (
    Feedback,
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


EXERCISES_05_06: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("05.1", "first_step(point, lr): one gradient-descent step, no optimiser", _ex05_1,
                 Rules(tape=True, helpers=False, no_optimizer=True)),
        Exercise("05.2", "one SGD-with-momentum step", _ex05_2),
        Exercise("05.3", "the critical learning rate of a tilted bowl, 2/L", _ex05_3),
        Exercise("05.4", "a training step with the optimiser it is given", _ex05_4,  # returns the loss
                 Rules(tape=True, helpers=False, optimizer=True, tape_result=False)),  # before the step
        Exercise("06.1", "∂(x/y)/∂y, the division node's local derivative, by hand", _ex06_1, BY_HAND),
        Exercise("06.2", "the backward rule of a multiply node, by hand", _ex06_2, BY_HAND),
        Exercise("06.3", "backprop through exp(x·y) + y, by hand", _ex06_3, BY_HAND),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
