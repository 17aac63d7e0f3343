"""The exercises of notebook 09 (gradients at scale), by key ("09.2" is exercise 2).

Same rules as :mod:`gradlab.exercises.catalog`: every expected answer is computed inside
its check, from NumPy or TensorFlow on data drawn afresh (or from an autograder's hidden
seed) by :func:`~gradlab.exercises.checks.current_rng`; where an exercise prescribes a
method ("by hand", "with a tape", "with the optimiser given"), its :class:`Rules` are
checked on what the answer ran. The lead merges :data:`EXERCISES_09` into the registry.

Nothing here is passed to the student's code as a function: the observer counts any call
into the gradlab package as a helper, so the checks hand over arrays, variables and Keras
objects only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.exercises.checks import (
    Feedback,
    call_attempt,
    check_value,
    correct,
    current_rng,
    seen,
    wrong,
)
from gradlab.exercises.kinds import BY_HAND, TAPE, Exercise

__all__ = ["EXERCISES_09"]


def _plain(value: object) -> object:
    """A tensor or variable as a NumPy array; anything else unchanged."""
    return value.numpy() if hasattr(value, "numpy") and callable(value.numpy) else value


def _parts(result: object, count: int, what: str, names: str) -> tuple[list | None, Feedback | None]:
    """The ``count`` items of a returned tuple, or feedback saying what was returned instead."""
    try:
        items = list(result)  # type: ignore[call-overload]
    except TypeError:
        return None, wrong(f"{what} should return a tuple of {count} arrays, {names}; "
                           f"got a {type(result).__name__}")
    if len(items) != count:
        return None, wrong(f"{what} should return {count} arrays, {names}; it returns {len(items)}")
    return [_plain(v) for v in items], None


def _compare(got: object, want: np.ndarray, what: str, slips: list[tuple[np.ndarray, str]],
             rtol: float = 1e-6, atol: float = 1e-8) -> Feedback:
    """One array against the reference, naming the slip (transposed, mean for sum...) it matches.

    Unlike check_value's hints, a slip is matched with its own shape: a transposed matrix
    reshaped to the right shape would not be recognised.
    """
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return check_value(got, want, what)  # says what is wrong with the form
    if array.shape != want.shape and np.squeeze(array).shape == np.squeeze(want).shape:
        array = array.reshape(want.shape)  # (1, o) from keepdims=True is the same gradient
    for slip, message in slips:
        if array.shape == slip.shape and np.allclose(array, slip, rtol=rtol, atol=atol) \
                and not (array.shape == want.shape and np.allclose(array, want, rtol=rtol, atol=atol)):
            return wrong(f"{what}: {message}")
    if array.shape != want.shape and array.size != want.size:
        return wrong(f"{what} should have shape {want.shape} (the shape of what it differentiates); "
                     f"got shape {array.shape}")
    if array.shape != want.shape and np.ndim(array) >= 1 and array.size > 1:
        return wrong(f"{what} should have shape {want.shape}; got {array.shape}. A gradient has the "
                     "shape of what it differentiates: check where the transposes go")
    return check_value(array, want, what, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- 09.1 clipping


def _ex09_1(answer: object) -> Feedback:
    """clip_by_global_norm([(3, 4), (12,)], 6.5), predicted: computed here by TensorFlow."""
    grads = [tf.constant([3.0, 4.0]), tf.constant([12.0])]
    clipped, _ = tf.clip_by_global_norm(grads, 6.5)
    want = np.concatenate([g.numpy() for g in clipped])
    one_by_one = np.concatenate([tf.clip_by_norm(g, 6.5).numpy() for g in grads])
    return check_value(answer, want, "the clipped gradients (g₁ then g₂)", generic=False, hints=[
        (one_by_one, "that is tf.clip_by_norm on each tensor alone: g₁ (norm 5) is left alone and g₂ "
                     "cut to 6.5. clip_by_global_norm takes the norm of all three numbers together"),
        ([3.0, 4.0, 12.0], "those are the gradients unclipped: their global norm, "
                           "√(3² + 4² + 12²), is above 6.5"),
        (np.array([3.0, 4.0, 12.0]) / 13, "that scales them to norm 1; clipping scales to norm 6.5, "
                                          "the clip_norm given"),
    ])


# --------------------------------------------------------------------------- 09.2 dense backward


def _ex09_2(fn: object) -> Feedback:
    """dense_relu_backward(x, W, b, delta) for y = relu(x·W + b), by hand, on layers of fresh sizes.

    The lesson printed the plain dense layer's three products; here δ must first pass back
    through the ReLU (an entry-wise mask where z > 0), so the printed answer fails.
    """
    rng = current_rng()
    sizes = [(5, 3, 2)]
    for _ in range(2):
        n, i = int(rng.integers(3, 7)), int(rng.integers(2, 5))
        sizes.append((n, i, i + int(rng.integers(1, 3))))  # outputs ≠ inputs: transposes show
    for n, i, o in sizes:
        x, W, b, delta = (np.round(rng.normal(size=shape), 3) for shape in ((n, i), (i, o), (o,), (n, o)))
        result, problem = call_attempt(fn, x, W, b, delta, what="dense_relu_backward")
        if problem is not None:
            return problem
        parts, problem = _parts(result, 3, "dense_relu_backward", "(dL/dW, dL/db, dL/dx)")
        if problem is not None:
            return problem
        z = x @ W + b
        d_z = delta * (z > 0)  # relu′(z): 1 where z > 0, else 0
        flipped = delta * (z < 0)
        where = f"for x of shape {x.shape}, W {W.shape}"
        no_relu = ("the ReLU is skipped: first multiply δ entry by entry by relu′(z), 1 where "
                   "z = x·W + b > 0 and 0 elsewhere, then use the dense layer's rules")
        wrong_side = "relu′(z) is 1 where z > 0, not where z < 0"
        checks = [
            (parts[0], x.T @ d_z, f"dL/dW {where}", [
                (x.T @ delta, no_relu), (x.T @ flipped, wrong_side),
                (d_z.T @ x, "transposed: dL/dW has W's shape (inputs × outputs), xᵀ·(δ ⊙ relu′(z))"),
                (x.T @ d_z / n, "that is the mean over the examples; W is used by every row, so "
                                "their contributions add up")]),
            (parts[1], d_z.sum(axis=0), f"dL/db {where}", [
                (delta.sum(axis=0), no_relu), (flipped.sum(axis=0), wrong_side),
                (d_z.mean(axis=0), "that is the mean over rows; b is added to every row, so "
                                   "their adjoints add up: the sum over rows"),
                (d_z.sum(axis=1), "summed over the wrong axis: b has one entry per output, so "
                                  "add the rows (axis 0)")]),
            (parts[2], d_z @ W.T, f"dL/dx {where}", [
                (delta @ W.T, no_relu), (flipped @ W.T, wrong_side),
                (W @ d_z.T, "transposed: dL/dx has x's shape (examples × inputs)")]),
        ]
        for got, want, what, slips in checks:
            feedback = _compare(got, want, what, slips)
            if not feedback:
                return feedback
    return correct("δ masked by relu′(z), then xᵀ·(…), the sum of its rows and (…)·Wᵀ: right for every "
                   "layer size tried.")


# --------------------------------------------------------------------------- 09.3 one epoch


def _rebinding_hint(problem: Feedback, gradients: list) -> Feedback:
    """The tailored hint when a gradient turned None after a first real one, else ``problem``.

    A first gradient that is not None and a later one that is: the classic ``w = w - lr * g``,
    which rebinds w to a plain tensor the next tape does not watch (as in 07.4's fit).

    Parameters: problem, the Feedback call_attempt gave; gradients, what each tape.gradient
    call during the attempt returned. Returns: the Feedback to show.
    """
    none_later = bool(gradients) and gradients[0] is not None and any(g is None for g in gradients[1:])
    if problem.status != "wrong" or not none_later:
        return problem
    return wrong("run_epoch failed: a gradient became None after the first batch. Is w still the "
                 "tf.Variable on the second batch? `w = w - learning_rate * g` makes a plain tensor, "
                 "which the next tape does not watch: update the variable in place with "
                 "w.assign_sub(learning_rate * g).")


def _forgot_return(problem: Feedback, gradients: list, w: object, w0: np.ndarray,
                   want: np.ndarray) -> Feedback | None:
    """09.3's run_epoch that did its work but returns None: the missing `return w`, named.

    The framework's "returns None" reads as "not started"; a run_epoch that took gradients or
    moved w has a body, so the likely cause is a missing last line. Parameters: call_attempt's
    ``problem``; the ``gradients`` the call took; the variable ``w`` passed in, its starting
    value ``w0`` and the right ``want``. Returns the feedback, or None when the call returned
    something or did nothing. Example: the solution without its `return w` is told "w is
    updated right, but run_epoch returns None".
    """
    if problem.status != "unfinished" or "returns None" not in problem.message:
        return None
    now = np.asarray(w.numpy(), dtype=float).ravel()  # type: ignore[attr-defined]
    moved = not np.array_equal(now, w0.astype(float).ravel())
    if not moved and not any(g is not None for g in gradients):
        return None
    missing = ("run_epoch returns None: a Python function without a `return` line returns None. "
               "End it with `return w`, after the loop.")
    if moved and np.allclose(now, want, rtol=1e-4, atol=1e-4):
        return wrong(f"w is updated right, but {missing[0].lower()}{missing[1:]}")
    return wrong(f"{missing} (The w it left behind is not right yet either.)")


def _ex09_3(fn: object) -> Feedback:
    """run_epoch(w, x, y, batch_size, lr): one epoch, batches in order, updating w in place."""
    def _epoch(w: np.ndarray, x: np.ndarray, y: np.ndarray, batch: int, lr: float,
               keep_last: bool = True, per_batch_mean: bool = True, by_batch_size: bool = False) -> np.ndarray:
        """One epoch of mini-batch descent on the mean squared error (or a slip of it), in float64."""
        w = w.astype(float).copy()
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            if len(xb) < batch and not keep_last:
                break
            scale = (2 / (batch if by_batch_size else len(xb))) if per_batch_mean else 2.0
            w -= lr * scale * xb.T @ (xb @ w - yb)
        return w

    rng = current_rng()
    cases = [(10, 2, 4, 0.1)]
    for _ in range(2):
        batch = int(rng.integers(2, 5))
        n = batch * int(rng.integers(2, 4)) + int(rng.integers(1, batch))  # a smaller last batch
        cases.append((n, int(rng.integers(2, 4)), batch, round(float(rng.uniform(0.02, 0.1)), 3)))
    for n, d, batch, lr in cases:
        x = np.round(rng.uniform(-1.5, 1.5, (n, d)), 3).astype(np.float32)
        y = np.round(rng.normal(size=n), 3).astype(np.float32)
        w0 = np.round(rng.normal(size=d), 3).astype(np.float32)
        w = tf.Variable(w0.reshape(d, 1))  # shapes as the prompt says: w (d, 1), y (n, 1), model x @ w
        before = len(seen().gradient_results)
        result, problem = call_attempt(fn, w, tf.constant(x), tf.constant(y.reshape(n, 1)), batch, lr,
                                       what="run_epoch")
        x64, y64, w64 = x.astype(float), y.astype(float), w0.astype(float)
        want = _epoch(w64, x64, y64, batch, lr)
        if problem is not None:
            forgot = _forgot_return(problem, seen().gradient_results[before:], w, w0, want)
            if forgot is not None:  # not `or`: a wrong Feedback is falsy
                return forgot
            return _rebinding_hint(problem, seen().gradient_results[before:])
        what = f"w after one epoch (n = {n}, batch_size = {batch}, learning_rate = {lr:g})"
        full = w64 - lr * 2 / n * x64.T @ (x64 @ w64 - y64)
        feedback = check_value(result, want, what, rtol=1e-4, atol=1e-4, generic=False, hints=[
            (full, "that is one full-batch step: an epoch takes one step per mini-batch"),
            (_epoch(w64, x64, y64, batch, lr, keep_last=False),
             f"the last, smaller batch (rows {n - n % batch} to {n - 1}) was left out: it is part "
             "of the epoch too"),
            (_epoch(w64, x64, y64, batch, lr, by_batch_size=True),
             f"the last, smaller batch was divided by batch_size = {batch}: a batch's mean divides by "
             "its own number of rows, which is fewer for the last one"),
            (_epoch(w64, x64, y64, batch, lr, per_batch_mean=False),
             "each batch's loss should be the mean of its squared errors, not their sum"),
            (w64, "w did not change: subtract learning_rate × gradient for every batch"),
        ])
        if not feedback:
            return feedback
        if not np.allclose(w.numpy().ravel(), want, rtol=1e-4, atol=1e-4):
            return wrong("the returned weights are right, but the variable w passed in did not "
                         "change: update it in place with w.assign_sub(...) and return it")
    return correct("one tape step per mini-batch, the last smaller batch included, w updated in place.")


# --------------------------------------------------------------------------- 09.4 clipped step


def _ex09_4(fn: object) -> Feedback:
    """clipped_step(model, optimizer, x, y, max_norm): MSE step, gradients clipped together."""
    rng = current_rng()
    x = tf.constant(np.round(rng.uniform(-1, 1, (8, 3)), 3), tf.float32)
    weights = [np.round(rng.normal(0, 0.5, shape), 3).astype(np.float32) for shape in ((3, 4), (4,), (4, 1), (1,))]
    cases = [  # (targets, max_norm, optimiser): one exploding, one below the threshold
        ("far targets", np.round(rng.uniform(20, 40, (8, 1)), 3), 1.0,
         "SGD(learning_rate=0.1)", lambda: tf.keras.optimizers.SGD(learning_rate=0.1)),
        ("near targets", np.round(rng.normal(0, 0.3, (8, 1)), 3), 50.0,
         "SGD(learning_rate=0.05, momentum=0.9)",
         lambda: tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)),
    ]

    def fresh():
        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(4, activation="tanh"),
                                     tf.keras.layers.Dense(1)])
        model.set_weights(weights)
        return model

    def stepped(y, make, transform):
        """The weights after one SGD-family step whose gradients went through ``transform``."""
        model, optimizer = fresh(), make()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(transform(grads), model.trainable_variables, strict=True))
        return np.concatenate([np.asarray(v).ravel() for v in model.trainable_variables]), grads

    for label, y_values, max_norm, name, make in cases:
        y = tf.constant(y_values, tf.float32)
        model, optimizer = fresh(), make()
        seen().given_optimizers.append(id(optimizer))
        result, problem = call_attempt(fn, model, optimizer, x, y, max_norm, what="clipped_step")
        if problem is not None:
            return problem
        want, grads = stepped(y, make, lambda g, c=max_norm: tf.clip_by_global_norm(g, c)[0])
        norm = float(tf.linalg.global_norm(grads))
        got = np.concatenate([np.asarray(v).ravel() for v in model.trainable_variables])
        if np.allclose(got, np.concatenate([w.ravel() for w in weights])):
            return wrong("the model's weights did not change: pass the clipped gradients with "
                         "model.trainable_variables to optimizer.apply_gradients")
        what = f"the weights after one step with {name}, {label} (max_norm = {max_norm:g})"
        feedback = check_value(got, want, what, rtol=1e-4, atol=1e-5, generic=False, hints=[
            (stepped(y, make, lambda g, c=max_norm: [tf.clip_by_norm(t, c) for t in g])[0],
             "each tensor was clipped on its own (tf.clip_by_norm): clip them together, "
             "tf.clip_by_global_norm(grads, max_norm), so the step keeps its direction"),
            (stepped(y, make, lambda g: g)[0], f"the gradients were not clipped: their global norm is "
                                         f"{norm:.4g}, above max_norm = {max_norm:g}"),
            (stepped(y, make, lambda g, k=max_norm / norm: [t * k for t in g])[0],
             f"the gradients were scaled to norm {max_norm:g} although their norm ({norm:.4g}) is "
             "below it: clipping only shortens gradients that are too long"),
        ])
        if not feedback and id(optimizer) not in seen().optimizers:  # it stepped with one of its own
            return wrong(f"{what} is not right, and the optimizer it was given never applied a step: use "
                         "that optimizer (its settings, momentum included, are part of the step), not one "
                         "made inside clipped_step")
        if not feedback:
            return feedback
        feedback = check_value(result, norm, f"the returned norm ({label})", rtol=1e-4, atol=1e-5,
                               generic=False, hints=[
                                   (min(norm, max_norm), "that is the norm after clipping: return "
                                                         "the one before, the second value "
                                                         "tf.clip_by_global_norm returns")])
        if not feedback:
            return feedback
    return correct("the gradients are clipped together, only when too long, and the optimiser "
                   "given applies them; the norm before clipping is returned.")


# --------------------------------------------------------------------------- 09.5 two layers


def _ex09_5(fn: object) -> Feedback:
    """two_layer_gradients(x, t, W1, b1, W2): sigmoid hidden layer, bias-free output, by hand.

    A variant of the lesson's tanh network (whose code is printed): σ′ = h(1 − h) instead of
    1 − h², and no output bias, so the printed answer does not fit.
    """
    rng = current_rng()
    sizes = [(6, 3, 4, 2), (int(rng.integers(4, 8)), int(rng.integers(2, 5)), int(rng.integers(3, 6)), 2),
             (int(rng.integers(4, 8)), int(rng.integers(2, 5)), int(rng.integers(3, 6)), 1)]
    for n, i, hidden, out in sizes:
        x, t = np.round(rng.normal(size=(n, i)), 3), np.round(rng.normal(size=(n, out)), 3)
        params = [np.round(rng.normal(0, 0.8, shape), 3) for shape in ((i, hidden), (hidden,), (hidden, out))]
        result, problem = call_attempt(fn, x, t, *params, what="two_layer_gradients")
        if problem is not None:
            return problem
        parts, problem = _parts(result, 3, "two_layer_gradients", "(dL/dW1, dL/db1, dL/dW2)")
        if problem is not None:
            return problem
        variables = [tf.Variable(p) for p in params]
        with tf.GradientTape() as tape:
            V1, c1, V2 = variables
            loss = tf.reduce_mean((tf.sigmoid(x @ V1 + c1) @ V2 - t) ** 2)
        want = [g.numpy() for g in tape.gradient(loss, variables)]

        def slip(local=lambda z, h: h * (1 - h), mean_over=t.size, factor=2.0, x=x, t=t, params=params,
                 activation=lambda z: 1 / (1 + np.exp(-z))):
            """Gradients with one step of the backward pass done wrong."""
            W1, b1, W2 = params
            z = x @ W1 + b1
            h = activation(z)
            d_yhat = factor * (h @ W2 - t) / mean_over
            d_z = (d_yhat @ W2.T) * local(z, h)
            return [x.T @ d_z, d_z.sum(axis=0), h.T @ d_yhat]

        slips = [(slip(activation=np.tanh, local=lambda z, h: 1 - h**2),
                  "that is the lesson's tanh network: here the hidden layer is the sigmoid, "
                  "h = σ(z) = 1 / (1 + e^(−z)), whose derivative is σ′(z) = h(1 − h)"),
                 (slip(local=lambda z, h: np.ones_like(h)), "the backward pass skips the sigmoid: multiply "
                                                            "δ·W₂ᵀ entry by entry by σ′(z) = h(1 − h)"),
                 (slip(local=lambda z, h: 1 - h**2), "1 − h² is tanh′; the sigmoid's derivative is "
                                                     "σ′(z) = h(1 − h), with h = σ(z)"),
                 (slip(local=lambda z, h: z * (1 - z)), "σ′(z) is h(1 − h) with h = σ(z), not z(1 − z)"),
                 (slip(factor=1.0), "the derivative of (ŷ − t)² is 2(ŷ − t): the factor 2 is missing"),
                 (slip(mean_over=n), "the mean is over every entry of t (n × outputs numbers), not "
                                     "over the rows only")]
        names = ["dL/dW1", "dL/db1", "dL/dW2"]
        for k, (got, right) in enumerate(zip(parts, want, strict=True)):
            what = f"{names[k]} for x of shape {x.shape}, {hidden} hidden units, {out} output(s)"
            feedback = _compare(got, right, what, [(s[k], message) for s, message in slips
                                                    if not np.allclose(s[k], right)])
            if not feedback:
                return feedback
    return correct("every gradient matches the tape's, for every network size tried: backpropagation "
                   "by hand, through a sigmoid layer, with matrices.")


EXERCISES_09: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("09.1", "clip_by_global_norm on two gradients, predicted", _ex09_1),
        Exercise("09.2", "dense_relu_backward: a ReLU dense layer's backward pass, by hand", _ex09_2,
                 BY_HAND),
        Exercise("09.3", "run_epoch: one epoch of mini-batch gradient descent, with a tape", _ex09_3,
                 replace(TAPE, no_optimizer=True)),
        Exercise("09.4", "clipped_step: a training step with global-norm clipping", _ex09_4,
                 replace(TAPE, optimizer=True)),
        Exercise("09.5", "two_layer_gradients: a sigmoid network's backward pass, by hand", _ex09_5,
                 BY_HAND),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
