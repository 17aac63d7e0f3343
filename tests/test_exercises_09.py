"""Notebook 09's checks: right answers pass, typical slips get their hint, the method is
watched (by hand means no tape; a tape where one is asked for), and placeholders say
"unfinished"."""

import numpy as np
import pytest
import tensorflow as tf

from gradlab.exercises.catalog import EXERCISES  # the registry first: it imports catalog_09 itself
from gradlab.exercises.catalog_09 import EXERCISES_09
from gradlab.exercises.checks import run_check


def verdict(key, answer, seed=None):
    exercise = EXERCISES_09[key]
    return run_check(exercise.check, answer, rules=exercise.rules, seed=seed)


def not_written(*_args):
    raise NotImplementedError()


def returns_ellipsis(*_args):
    return ...


# --------------------------------------------------------------------------- answers


def dense_relu_backward(x, W, b, delta):
    d_z = delta * (x @ W + b > 0)
    return x.T @ d_z, d_z.sum(axis=0), d_z @ W.T


def lesson_dense_backward(x, W, b, delta):  # the plain dense layer's rules, printed in the lesson
    return x.T @ delta, delta.sum(axis=0), delta @ W.T


def run_epoch(w, x, y, batch_size, learning_rate):
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((xb @ w - yb) ** 2)
        w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w


def clipped_step(model, optimizer, x, y, max_norm):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    clipped, norm = tf.clip_by_global_norm(grads, max_norm)
    optimizer.apply_gradients(zip(clipped, model.trainable_variables, strict=True))
    return norm


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def two_layer_gradients(x, t, W1, b1, W2):
    h = sigmoid(x @ W1 + b1)
    d_yhat = 2 * (h @ W2 - t) / t.size
    d_z = (d_yhat @ W2.T) * h * (1 - h)
    return x.T @ d_z, d_z.sum(axis=0), h.T @ d_yhat


def lesson_two_layer(x, t, W1, b1, W2):  # the lesson's tanh network, printed, on this signature
    h = np.tanh(x @ W1 + b1)
    d_yhat = 2 * (h @ W2 - t) / t.size
    d_z = (d_yhat @ W2.T) * (1 - h**2)
    return x.T @ d_z, d_z.sum(axis=0), h.T @ d_yhat


RIGHT = {"09.1": [1.5, 2.0, 6.0], "09.2": dense_relu_backward, "09.3": run_epoch,
         "09.4": clipped_step, "09.5": two_layer_gradients}


@pytest.mark.parametrize("key", sorted(RIGHT))
@pytest.mark.parametrize("seed", [None, 3, 11])
def test_right_answers_pass(key, seed):
    feedback = verdict(key, RIGHT[key], seed=seed)
    assert feedback.status == "correct", feedback.message


@pytest.mark.parametrize("key", sorted(RIGHT))
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_are_unfinished(key, placeholder):
    assert verdict(key, placeholder).status == "unfinished"


@pytest.mark.parametrize("key", ["09.2", "09.3", "09.4", "09.5"])
@pytest.mark.parametrize("stub", [not_written, returns_ellipsis])
def test_stub_functions_are_unfinished(key, stub):
    assert verdict(key, stub).status == "unfinished"


def test_exercise_keys_and_rules():
    assert sorted(EXERCISES_09) == ["09.1", "09.2", "09.3", "09.4", "09.5"]
    assert all(EXERCISES[key] is exercise for key, exercise in EXERCISES_09.items())  # merged
    rules = {key: e.rules for key, e in EXERCISES_09.items()}
    assert rules["09.1"] is None
    assert rules["09.2"].by_hand and rules["09.5"].by_hand
    assert rules["09.3"].tape and rules["09.3"].no_optimizer and not rules["09.3"].helpers
    assert rules["09.4"].tape and rules["09.4"].optimizer


# --------------------------------------------------------------------------- 09.1


@pytest.mark.parametrize("answer, phrase", [
    ([3.0, 4.0, 6.5], "clip_by_norm on each tensor"),
    ([3.0, 4.0, 12.0], "unclipped"),
    ([3 / 13, 4 / 13, 12 / 13], "norm 1"),
])
def test_09_1_slips(answer, phrase):
    feedback = verdict("09.1", answer)
    assert feedback.status == "wrong" and phrase in feedback.message


# --------------------------------------------------------------------------- 09.2


def relu_slip(mask=lambda z: z > 0, dW=None, db=None, dx=None):
    """dense_relu_backward with one product done wrong (each a function of x, W, d_z)."""
    def answer(x, W, b, delta):
        d_z = delta * mask(x @ W + b)
        return ((dW or (lambda x, W, d: x.T @ d))(x, W, d_z), (db or (lambda d: d.sum(axis=0)))(d_z),
                (dx or (lambda x, W, d: d @ W.T))(x, W, d_z))
    return answer


@pytest.mark.parametrize("slip, phrase", [
    (lesson_dense_backward, "ReLU is skipped"),
    (relu_slip(mask=lambda z: z < 0), "not where z < 0"),
    (relu_slip(dW=lambda x, W, d: d.T @ x), "transposed: dL/dW"),
    (relu_slip(db=lambda d: d.mean(axis=0)), "mean over rows"),
    (relu_slip(db=lambda d: d.sum(axis=1)), "wrong axis"),
    (relu_slip(dx=lambda x, W, d: W @ d.T), "transposed: dL/dx"),
    (relu_slip(dW=lambda x, W, d: x.T @ d / len(x)), "mean over the examples"),
    (lambda x, W, b, d: dense_relu_backward(x, W, b, d)[:2], "should return 3 arrays"),
])
def test_09_2_slips(slip, phrase):
    feedback = verdict("09.2", slip)
    assert feedback.status == "wrong" and phrase in feedback.message, feedback.message


def test_09_2_accepts_a_bias_gradient_kept_as_a_row():
    feedback = verdict("09.2", relu_slip(db=lambda d: d.sum(axis=0, keepdims=True)))
    assert feedback.status == "correct", feedback.message


def test_09_2_mask_from_the_output_is_the_same():  # relu(z) > 0 exactly where z > 0
    def from_output(x, W, b, delta):
        d_z = delta * (np.maximum(x @ W + b, 0) > 0)
        return x.T @ d_z, d_z.sum(axis=0), d_z @ W.T

    assert verdict("09.2", from_output).solved


def test_09_2_rejects_a_tape():
    def with_tape(x, W, b, delta):
        x, W, b = tf.constant(x), tf.Variable(W), tf.Variable(b)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.nn.relu(x @ W + b)
        return tape.gradient(y, [W, b, x], output_gradients=tf.constant(delta))

    feedback = verdict("09.2", with_tape)
    assert feedback.status == "wrong" and "by hand" in feedback.message, feedback.message


def test_09_2_uses_fresh_sizes():
    shapes = set()

    def spy(x, W, b, delta):
        shapes.add((x.shape, W.shape))
        return dense_relu_backward(x, W, b, delta)

    for _ in range(4):
        assert verdict("09.2", spy).solved
    assert len(shapes) > 3  # the fixed first layer plus fresh ones on each call


# --------------------------------------------------------------------------- 09.3


def full_batch_step(w, x, y, batch_size, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((x @ w - y) ** 2)
    w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w


def drops_last_batch(w, x, y, batch_size, learning_rate):
    for start in range(0, x.shape[0] - batch_size + 1, batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((xb @ w - yb) ** 2)
        w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w


def summed_loss(w, x, y, batch_size, learning_rate):
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((xb @ w - yb) ** 2)
        w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w


def divides_by_batch_size(w, x, y, batch_size, learning_rate):  # wrong only for a smaller last batch
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((xb @ w - yb) ** 2) / batch_size
        w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w


def not_in_place(w, x, y, batch_size, learning_rate):
    w = tf.Variable(w)  # a copy: the caller's variable never changes
    return run_epoch(w, x, y, batch_size, learning_rate)


def rebinds_w(w, x, y, batch_size, learning_rate):  # w becomes a plain tensor after one batch
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((xb @ w - yb) ** 2)
        w = w - learning_rate * tape.gradient(loss, w)
    return w


@pytest.mark.parametrize("slip, phrase", [
    (full_batch_step, "one full-batch step"),
    (rebinds_w, "`w = w - learning_rate * g` makes a plain tensor"),
    (drops_last_batch, "smaller batch"),
    (summed_loss, "not their sum"),
    (divides_by_batch_size, "divided by batch_size"),
    (not_in_place, "did not change: update it in place"),
])
def test_09_3_slips(slip, phrase):
    feedback = verdict("09.3", slip)
    assert feedback.status == "wrong" and phrase in feedback.message, feedback.message


def test_09_3_needs_a_tape_and_no_optimizer():
    def by_formula(w, x, y, batch_size, learning_rate):
        for start in range(0, x.shape[0], batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            grad = 2 * tf.transpose(xb) @ (xb @ w - yb) / xb.shape[0]
            w.assign_sub(learning_rate * grad)
        return w

    def with_keras(w, x, y, batch_size, learning_rate):
        optimizer = tf.keras.optimizers.SGD(learning_rate)
        for start in range(0, x.shape[0], batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((xb @ w - yb) ** 2)
            optimizer.apply_gradients([(tape.gradient(loss, w), w)])
        return w

    formula = verdict("09.3", by_formula)
    assert formula.status == "wrong" and "GradientTape" in formula.message, formula.message
    keras_step = verdict("09.3", with_keras)
    assert keras_step.status == "wrong" and "Keras optimiser" in keras_step.message, keras_step.message


# --------------------------------------------------------------------------- 09.4


def clip_each(model, optimizer, x, y, max_norm):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    clipped = [tf.clip_by_norm(g, max_norm) for g in grads]
    optimizer.apply_gradients(zip(clipped, model.trainable_variables, strict=True))
    return tf.linalg.global_norm(grads)


def no_clipping(model, optimizer, x, y, max_norm):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return tf.linalg.global_norm(grads)


def always_rescaled(model, optimizer, x, y, max_norm):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    norm = tf.linalg.global_norm(grads)
    optimizer.apply_gradients(zip([g * max_norm / norm for g in grads], model.trainable_variables, strict=True))
    return norm


def returns_clipped_norm(model, optimizer, x, y, max_norm):
    norm = clipped_step(model, optimizer, x, y, max_norm)
    return tf.minimum(norm, max_norm)


def own_optimizer(model, optimizer, x, y, max_norm):
    twin = type(optimizer).from_config(optimizer.get_config())  # same numbers, not the one given
    return clipped_step(model, twin, x, y, max_norm)


def default_sgd(model, optimizer, x, y, max_norm):  # its own optimiser, with other numbers
    return clipped_step(model, tf.keras.optimizers.SGD(), x, y, max_norm)


@pytest.mark.parametrize("slip, phrase", [
    (clip_each, "clipped on its own"),
    (no_clipping, "were not clipped"),
    (always_rescaled, "only shortens"),
    (returns_clipped_norm, "norm after clipping"),
    (own_optimizer, "optimizer it was given"),
    (default_sgd, "optimizer it was given"),
])
def test_09_4_slips(slip, phrase):
    feedback = verdict("09.4", slip)
    assert feedback.status == "wrong" and phrase in feedback.message, feedback.message


def test_09_4_rejects_fit():
    def with_fit(model, optimizer, x, y, max_norm):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        norm = tf.linalg.global_norm(tape.gradient(loss, model.trainable_variables))
        optimizer.global_clipnorm = max_norm
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, epochs=1, batch_size=len(x), verbose=0)  # the same step, by fit
        return norm

    feedback = verdict("09.4", with_fit)
    assert feedback.status == "wrong" and "model.fit" in feedback.message, feedback.message


def test_09_4_accepts_keras_global_clipnorm():
    def keras_clipping(model, optimizer, x, y, max_norm):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.global_clipnorm = max_norm
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return tf.linalg.global_norm(grads)

    feedback = verdict("09.4", keras_clipping)
    assert feedback.status == "correct", feedback.message


# --------------------------------------------------------------------------- 09.5


def slipped(local=lambda z, h: h * (1 - h), over_rows=False, factor=2.0):
    def answer(x, t, W1, b1, W2):
        z = x @ W1 + b1
        h = sigmoid(z)
        d_yhat = factor * (h @ W2 - t) / (len(t) if over_rows else t.size)
        d_z = (d_yhat @ W2.T) * local(z, h)
        return x.T @ d_z, d_z.sum(axis=0), h.T @ d_yhat
    return answer


@pytest.mark.parametrize("slip, phrase", [
    (lesson_two_layer, "the lesson's tanh network"),
    (slipped(local=lambda z, h: 1 - h**2), "1 − h² is tanh′"),
    (slipped(local=lambda z, h: 1.0), "skips the sigmoid"),
    (slipped(local=lambda z, h: z * (1 - z)), "not z(1 − z)"),
    (slipped(factor=1.0), "factor 2 is missing"),
    (slipped(over_rows=True), "over every entry"),
])
def test_09_5_slips(slip, phrase):
    feedback = verdict("09.5", slip)
    assert feedback.status == "wrong" and phrase in feedback.message, feedback.message


def test_09_5_the_lessons_four_argument_network_does_not_fit():
    def lesson_signature(x, t, W1, b1, W2, b2):  # the printed network: tanh, and an output bias
        return lesson_two_layer(x, t, W1, b1, W2)

    feedback = verdict("09.5", lesson_signature)
    assert feedback.status == "wrong" and "b2" in feedback.message, feedback.message


def test_09_5_rejects_a_tape():
    def with_tape(x, t, W1, b1, W2):
        params = [tf.Variable(p) for p in (W1, b1, W2)]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.sigmoid(x @ params[0] + params[1]) @ params[2] - t) ** 2)
        return tuple(g.numpy() for g in tape.gradient(loss, params))

    feedback = verdict("09.5", with_tape)
    assert feedback.status == "wrong" and "by hand" in feedback.message, feedback.message


def test_09_5_rejects_a_transposed_weight_gradient():
    def transposed(x, t, W1, b1, W2):
        dW1, db1, dW2 = two_layer_gradients(x, t, W1, b1, W2)
        return dW1.T, db1, dW2

    feedback = verdict("09.5", transposed)
    assert feedback.status == "wrong" and "shape" in feedback.message, feedback.message


def test_09_3_passes_the_shapes_its_prompt_names():  # w (d, 1), y (n, 1): x @ w works as written
    shapes = []

    def spy(w, x, y, batch_size, learning_rate):
        shapes.append((tuple(w.shape), tuple(x.shape), tuple(y.shape)))
        return run_epoch(w, x, y, batch_size, learning_rate)

    assert verdict("09.3", spy).solved
    assert all(ws == (xs[1], 1) and ys == (xs[0], 1) for ws, xs, ys in shapes), shapes


def run_epoch_without_return(w, x, y, batch_size, learning_rate):
    run_epoch(w, x, y, batch_size, learning_rate)  # the work done, the `return w` forgotten


def run_epoch_doubled_without_return(w, x, y, batch_size, learning_rate):
    run_epoch(w, x, y, batch_size, 2 * learning_rate)


def test_09_3_a_forgotten_return_is_named_not_called_unfinished():
    # A teacher's read: "finish its body" read as if nothing had been written.
    feedback = verdict("09.3", run_epoch_without_return)
    assert feedback.status == "wrong", feedback
    assert "w is updated right" in feedback.message and "`return w`" in feedback.message, feedback
    doubled = verdict("09.3", run_epoch_doubled_without_return)
    assert doubled.status == "wrong" and "`return w`" in doubled.message, doubled
    assert "not right yet" in doubled.message and "updated right" not in doubled.message, doubled


def test_09_3_an_empty_body_returning_none_stays_unfinished():
    feedback = verdict("09.3", lambda w, x, y, batch_size, learning_rate: None)
    assert feedback.status == "unfinished", feedback
