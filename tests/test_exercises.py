"""Every exercise check: right answers pass, wrong ones get a hint, unfinished ones say so."""

import numpy as np
import pytest
import tensorflow as tf

from gradlab import check
from gradlab.dual import Dual
from gradlab.exercises import exercise_keys
from gradlab.exercises.checks import Feedback, check_value


def not_written(*_args):
    raise NotImplementedError()


def returns_ellipsis(*_args):
    return ...


def raises(*_args):
    raise RuntimeError("boom")


def third(f, x):
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = f(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)


def safe_bump(x, y):
    u = x**2 + y**2
    return tf.where(u > 0, tf.sin(u) / tf.where(u > 0, u, 1.0), 1.0)


def naive_bump(x, y):  # right values, but the discarded branch divides by 0 at the origin
    u = x**2 + y**2
    return tf.where(u > 0, tf.sin(u) / u, 1.0)


def keras_train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss


def minimise(steps, lr):
    x = tf.Variable(3.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = (x - 1.0) ** 2
        x.assign_sub(lr * tape.gradient(loss, x))
    return x


def minimise_broken(steps, lr):  # x = x - ...: a Tensor from then on, its gradient None
    x = tf.Variable(3.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = (x - 1.0) ** 2
        x = x - lr * tape.gradient(loss, x)
    return x


@tf.custom_gradient
def custom_softplus(x):
    return tf.math.softplus(x), lambda upstream: upstream * tf.math.sigmoid(x)


@tf.custom_gradient
def uncoupled_softplus(x):  # forgets to multiply by the upstream gradient
    return tf.math.softplus(x), lambda upstream: tf.math.sigmoid(x)


def newton(f, x):
    x = tf.constant(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return float(x - y / tape.gradient(y, x))


# key: (a right answer, a wrong answer, a fragment of the wrong answer's feedback)
CASES = {
    "01.1": (4.75, 6.75, "dropped the −2x"),
    "01.2": ((lambda x: tf.sin(x**2), lambda x: 2 * x * np.cos(x**2)),
             (lambda x: tf.sin(x**2), lambda x: np.cos(x**2)), "dh gives"),
    "01.3": (lambda x: tf.math.log(1 + tf.exp(x)), lambda x: np.log(1 + np.exp(x)), "left TensorFlow"),
    "01.4": ((0.15625, 1.0), (1.25, 1.0), "three halvings"),
    "02.1": (80, 32, "x⁵ itself"),
    "02.2": (18.0, np.full((3, 3), 8.0), "9 ones"),
    "02.3": (third, lambda f, x: 0.0, "third_derivative(x**4 at 1.5)"),
    "03.1": ((12, 9), (9, 12), "swapped"),
    "03.2": (lambda x, y: x * y, lambda x, y: x + y, "∇f at (1, 2)"),
    "03.3": (safe_bump, lambda x, y: tf.sin(x**2 + y**2) / (x**2 + y**2), "safe_bump gives nan"),
    "04.1": ((-0.643471, 1.098124), (0.643471, -1.098124), "sign is flipped"),
    "04.2": (3.894942, 3.9, "close, but off"),
    "04.3": (newton, lambda f, x: x, "newton_step from x = 1"),
    "05.1": ((0.24567758, -0.49401528), (0.25432242, -0.50598472), "uphill"),
    "05.2": (lambda p, v, g, lr: (p + 0.9 * v - lr * g, 0.9 * v - lr * g),
             lambda p, v, g, lr: (p - lr * g, v), "new velocity"),
    "05.3": (0.25, 0.3, "diverges"),
    "05.4": (keras_train_step, lambda m, o, x, y: tf.reduce_mean((m(x) - y) ** 2), "did not change"),
    "06.1": (-0.25, 0.5, "1/y"),
    "06.2": (lambda a, b, u: (u * b, u * a), lambda a, b, u: (u * a, u * b), "mul_backward gives"),
    "06.3": ((2 * np.e, 0.5 * np.e + 1), (2 * np.e, 0.5 * np.e), "+ y term"),
    "07.1": ({"b", "c", "d"}, {"a"}, "Hint"),
    "07.2": ([tf.constant(12.0), tf.constant(0.0)], [tf.constant(12.0), None], "still None"),
    "07.3": (minimise, lambda steps, lr: 1 + 2 * (1 - lr) ** steps, "minimise(5, 0.1)"),
    "07.4": ([[6, 3, 2], [1, 4, 0], [0, 0, np.cos(3.0)]], [[6, 1, 0], [3, 4, 0], [2, 0, np.cos(3.0)]],
             "transposed"),
    "07.5": (5e-3, 1e-6, "too small"),
    "07.6": (custom_softplus, uncoupled_softplus, "ignores `upstream`"),
    "08.1": (lambda d: Dual(float(np.tanh(d.value)), float((1 - np.tanh(d.value) ** 2) * d.derivative)),
             lambda d: Dual(float(np.tanh(d.value)), d.derivative), "dual_tanh"),
    "08.2": ((1, 1, 50), (1, 1, 200), "one pass per input"),
    "08.3": (-0.6468091, 2.0, "directional derivative"),
}


# The tempting answer each exercise is built to catch (key: (answer, feedback fragment)).
NAIVE = {
    "07.3": (minimise_broken, "assign_sub"),
    "07.6": (lambda x: tf.math.log(1 + tf.exp(x)), "x = 100"),
    "05.3": (2 / 6, "Hessian's largest eigenvalue"),
    "01.4": ((10.0, 1.0), "the loop runs"),
    "03.3": (naive_bump, "discards must not divide by 0"),
}


@pytest.mark.parametrize("key", sorted(NAIVE))
def test_the_naive_answer_is_rejected(key):
    answer, fragment = NAIVE[key]
    feedback = check(key, answer)
    assert feedback.status == "wrong", feedback
    assert fragment in feedback.message


def test_every_exercise_has_cases_here():
    assert sorted(CASES) == exercise_keys()


@pytest.mark.parametrize("key", sorted(CASES))
def test_right_answer_is_correct(key):
    feedback = check(key, CASES[key][0])
    assert feedback.status == "correct", feedback
    assert repr(feedback).startswith("✅ Correct:")


@pytest.mark.parametrize("key", sorted(CASES))
def test_wrong_answer_gets_specific_feedback(key):
    _, wrong, fragment = CASES[key]
    feedback = check(key, wrong)
    assert feedback.status == "wrong", feedback
    assert fragment in feedback.message
    assert not feedback


@pytest.mark.parametrize("key", sorted(CASES))
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_are_unfinished_not_errors(key, placeholder):
    feedback = check(key, placeholder)
    assert feedback.status == "unfinished"
    assert repr(feedback).startswith("✏️ Not yet solved:")


FUNCTION_KEYS = [k for k, (right, _, _) in CASES.items() if callable(right)]


@pytest.mark.parametrize("key", FUNCTION_KEYS)
def test_function_stubs_are_unfinished_and_crashes_are_reported(key):
    assert check(key, not_written).status == "unfinished"
    assert check(key, returns_ellipsis).status == "unfinished"
    crashed = check(key, raises)
    assert crashed.status == "wrong" and "RuntimeError: boom" in crashed.message


def test_python_float_where_a_tensor_is_expected():
    feedback = check("01.2", (lambda x: float(np.sin(float(x) ** 2)), lambda x: 2 * x * np.cos(x**2)))
    assert feedback.status == "wrong" and "not a TensorFlow tensor" in feedback.message


def test_non_numeric_answers_and_unknown_keys():
    assert "should be a number" in check("02.1", "eighty").message
    assert "NaN or infinity" in check("02.1", float("inf")).message
    unknown = check("99.9", 1)  # a check never raises, not even on a typo in the key
    assert unknown.status == "wrong" and "no exercise '99.9'" in unknown.message


def test_feedback_renders_as_html_and_text():
    feedback = check_value(2.0, 1.0, "x")
    assert "factor of 2" in feedback.message
    assert "<div" in feedback._repr_html_() and "&lt;" not in Feedback("wrong", "a")._repr_html_()


def test_dual_tanh_accepts_the_notebooks_own_dual_class():
    class NotebookDual:  # notebook 08 builds its own Dual; the check must not insist on gradlab's
        def __init__(self, value, derivative=0.0):
            self.value, self.derivative = float(value), float(derivative)

    def dual_tanh(d):
        t = np.tanh(d.value)
        return NotebookDual(t, (1 - t**2) * d.derivative)

    assert check("08.1", dual_tanh).status == "correct"
    assert "should return a Dual" in check("08.1", lambda d: float(np.tanh(d.value))).message
