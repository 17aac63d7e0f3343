"""Every exercise check: right answers pass, wrong ones get a hint, unfinished ones say so."""

import re

import numpy as np
import pytest
import tensorflow as tf

from gradlab import check
from gradlab.dual import Dual
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


def slope_of_g(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        g = x**3 - 2 * x
    return tape.gradient(g, x)


def tangent_at(x0):
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f_tangent(x)
    s = tape.gradient(y, x)
    return float(s), float(y - s * x)


def f_sgd(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def first_step(point, learning_rate):
    p = tf.constant(point)
    with tf.GradientTape() as tape:
        tape.watch(p)
        loss = f_sgd(p[0], p[1])
    return p - learning_rate * tape.gradient(loss, p)


def adam_step(point, m, v, gradient, t, lr):  # notebook 05's solution
    m = 0.9 * m + 0.1 * gradient
    v = 0.999 * v + 0.001 * gradient**2
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
    return point - lr * m_hat / (np.sqrt(v_hat) + 1e-7), m, v


def sigmoid_backward(s, upstream):  # notebook 06's solutions
    return upstream * s * (1 - s)


def neuron_gradient(w, b, x, t):
    s = 1 / (1 + np.exp(-(w @ x + b)))
    z_bar = 2 * (s - t) * s * (1 - s)
    return z_bar * x, z_bar


def gradient_table(a, b, c):
    with tf.GradientTape(persistent=True) as tape:
        L0, L1 = a**2 * b, b + tf.sin(c)
    zero = tf.UnconnectedGradients.ZERO
    return tf.stack([tf.stack(tape.gradient(L, [a, b, c], unconnected_gradients=zero)) for L in (L0, L1)])


def gradient_table_of_the_sum(a, b, c):  # one tape.gradient of both losses: their gradients add up
    with tf.GradientTape() as tape:
        losses = tf.stack([a**2 * b, b + tf.sin(c)])
    row = tf.stack(tape.gradient(losses, [a, b, c]))
    return tf.stack([row, row])


def fit(x, y, steps, lr):
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        for p, g in zip([w, b], tape.gradient(loss, [w, b]), strict=True):
            p.assign_sub(lr * g)
    return w, b


def fit_broken(x, y, steps, lr):  # notebook 07's: `p = p - ...` rebinds p, the variables never move
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        grads = tape.gradient(loss, [w, b])
        for p, g in zip([w, b], grads, strict=True):
            p = p - lr * g  # noqa: PLW2901 - the bug the exercise is about
    return w, b


def flight(angle, steps=20, dt=0.1, speed=12.0, drag=0.05):  # notebook 08's
    x, y = tf.zeros_like(angle), tf.zeros_like(angle)
    vx, vy = speed * tf.cos(angle), speed * tf.sin(angle)
    path = []
    for _ in range(steps):
        v = tf.sqrt(vx**2 + vy**2)
        vx, vy = vx - dt * drag * v * vx, vy - dt * (9.81 + drag * v * vy)
        x, y = x + dt * vx, y + dt * vy
        path.append(tf.stack([x, y]))
    return tf.stack(path)


def path_sensitivity(angle):
    with tf.autodiff.ForwardAccumulator(angle, tf.ones_like(angle)) as acc:
        return acc.jvp(flight(angle))


def seeded_with_the_angle(angle):
    with tf.autodiff.ForwardAccumulator(angle, angle) as acc:
        return acc.jvp(flight(angle))


# key: (a right answer, a wrong answer, a fragment of the wrong answer's feedback)
CASES = {
    "01.1": (slope_of_g, lambda x: 3 * x**2 - 2, "did not use a tf.GradientTape"),
    "01.2": ((lambda x: tf.sin(x**2), lambda x: 2 * x * np.cos(x**2)),
             (lambda x: tf.sin(x**2), lambda x: np.cos(x**2)), "inner derivative"),
    "01.3": (lambda x: tf.math.log(1 + tf.exp(x)), lambda x: np.log(1 + np.exp(x)), "not a TensorFlow tensor"),
    "01.4": ((0.15625, 1.0), (1.25, 1.0), "three halvings"),
    "02.1": (80, 32, "x⁵ itself"),
    "02.2": (-4 / 27, -2 / 27, "inner slope"),
    "02.3": (third, lambda f, x: 0.0, "third_derivative("),
    "03.1": ((12, 9), (9, 12), "swapped"),
    "03.2": (lambda x, y: x * y, lambda x, y: x + y, "∇f at (1, 2)"),
    "03.3": (safe_bump, lambda x, y: tf.sin(x**2 + y**2) / (x**2 + y**2), "safe_bump gives nan"),
    "04.1": (tangent_at, lambda x0: tuple(-v for v in tangent_at(x0)), "tangent_at gives"),
    "04.3": (3.894942, 3.9, "close, but off"),
    "04.2": (newton, lambda f, x: x, "newton_step from x = "),
    "05.1": (first_step, lambda p, lr: 2 * p - first_step(p, lr), "uphill"),
    "05.2": (lambda p, v, g, lr: (p + 0.9 * v - lr * g, 0.9 * v - lr * g),
             lambda p, v, g, lr: (p - lr * g, v), "new velocity"),
    "05.3": (0.25, 0.3, "diverges"),
    "05.4": (adam_step, lambda p, m, v, g, t, lr: (p - lr * np.sign(g), m, v), "new_m at step t = 1"),
    "06.1": (sigmoid_backward, lambda s, up: s * (1 - s), "upstream adjoint"),
    "06.2": (lambda x, y: (y * np.exp(x * y), x * np.exp(x * y) + 1),
             lambda x, y: (y * np.exp(x * y), x * np.exp(x * y)), "+ y term"),
    "06.3": (neuron_gradient, lambda w, b, x, t: (neuron_gradient(w, b, x, t)[0] * w / x,
                                                 neuron_gradient(w, b, x, t)[1]), "*other* factor"),
    "07.1": ({"b", "c", "d"}, {"a"}, "Hint"),
    "07.2": ([[6, 3, 2], [1, 4, 0], [0, 0, np.cos(3.0)]], [[6, 1, 0], [3, 4, 0], [2, 0, np.cos(3.0)]],
             "transposed"),
    "07.3": (gradient_table, gradient_table_of_the_sum, "gradient of L₀ + L₁"),
    "07.4": (fit, lambda x, y, steps, lr: fit(x, y, steps - 1, lr), "one step too few"),
    "07.5": (5e-3, 1e-6, "too small"),
    "07.6": (custom_softplus, uncoupled_softplus, "ignores `upstream`"),
    "08.1": ((1, 1, 50), (1, 1, 200), "one pass per input"),
    "08.2": (lambda d: Dual(float(np.tanh(d.value)), float((1 - np.tanh(d.value) ** 2) * d.derivative)),
             lambda d: Dual(float(np.tanh(d.value)), d.derivative), "dual_tanh"),
    "08.3": (path_sensitivity, seeded_with_the_angle, "not the angle"),
}


# The tempting answer each exercise is built to catch (key: (answer, feedback fragment)).
NAIVE = {
    "07.4": (fit_broken, "never moved"),
    "07.6": (lambda x: tf.math.log(1 + tf.exp(x)), "x = 100"),
    "05.3": (2 / 6, "Hessian's largest eigenvalue"),
    "05.4": (lambda p, m, v, g, t, lr: (p - lr * (0.9 * m + 0.1 * g) / (np.sqrt(0.999 * v + 0.001 * g**2) + 1e-7),
                                        0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2), "no bias correction"),
    "06.1": (lambda s, up: up / (1 + np.exp(-s)) * (1 - 1 / (1 + np.exp(-s))), "already σ(z)"),
    "06.3": (lambda w, b, x, t: (2 * (1 / (1 + np.exp(-(w @ x + b))) - t) * x,
                                 2 * (1 / (1 + np.exp(-(w @ x + b))) - t)), "s(1 − s) is missing"),
    "01.4": ((10.0, 1.0), "the loop runs"),
    "03.3": (naive_bump, "discards must not divide by 0"),
}


@pytest.mark.parametrize("key", sorted(NAIVE))
def test_the_naive_answer_is_rejected(key):
    answer, fragment = NAIVE[key]
    feedback = check(key, answer)
    assert feedback.status == "wrong", feedback
    assert fragment in feedback.message


def test_every_exercise_has_cases_here():  # notebook 09's are in test_exercises_09.py
    from gradlab.exercises.catalog import EXERCISES  # the built-in ones: another test may define its own

    assert sorted(CASES) == sorted(key for key in EXERCISES if not key.startswith("09."))


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
    feedback = check_value([2.0, 4.0], [1.0, 2.0], "x")  # a value answer: no amount that gives it away
    assert "the same multiple of the right one" in feedback.message and "2 times" not in feedback.message
    assert "<div" in feedback._repr_html_() and "&lt;" not in Feedback("wrong", "a")._repr_html_()
    assert "&lt;b&gt;" in Feedback("wrong", "<b>")._repr_html_()  # the message is escaped
    for status in ("correct", "wrong", "unfinished"):  # no emoji: pages without an emoji font
        assert all(ord(c) < 0x1F000 and c not in "✅❌✏\ufe0f" for c in Feedback(status, "m")._repr_html_())


def test_dual_tanh_accepts_the_notebooks_own_dual_class():
    class NotebookDual:  # notebook 08 builds its own Dual; the check must not insist on gradlab's
        def __init__(self, value, derivative=0.0):
            self.value, self.derivative = float(value), float(derivative)

    def dual_tanh(d):
        t = np.tanh(d.value)
        return NotebookDual(t, (1 - t**2) * d.derivative)

    assert check("08.2", dual_tanh).status == "correct"
    assert "should return a Dual" in check("08.2", lambda d: float(np.tanh(d.value))).message


# --------------------------------------------------------------------------- review of 05-08
# Each wrong answer an outside reviewer found accepted (or given a misleading hint).


def test_08_2_dual_tanh_must_multiply_by_the_incoming_derivative():
    def seedless(d):  # 1 − tanh², without the factor d.derivative
        t = np.tanh(d.value)
        return Dual(float(t), float(1 - t**2))

    feedback = check("08.2", seedless)
    assert feedback.status == "wrong" and "incoming" in feedback.message and "2.5" in feedback.message
    assert check("08.2", CASES["08.2"][0]).status == "correct"


def test_08_1_is_the_pass_count_and_its_feedback_speaks_of_passes():
    assert check("08.1", (1, 1, 50)).status == "correct"
    feedback = check("08.1", (2, 2, 100))  # twice the answer: no "chain-rule factor" guess
    assert feedback.status == "wrong" and "factor" not in feedback.message


def test_07_6_plain_softplus_without_custom_gradient_is_rejected():
    feedback = check("07.6", tf.math.softplus)
    assert feedback.status == "wrong" and "@tf.custom_gradient" in feedback.message
    assert check("07.6", lambda x: 2.0 * custom_softplus(x) / 2.0).status == "correct"  # wrapped is fine


def test_07_6_naive_backward_rule_points_to_overflow():
    @tf.custom_gradient
    def naive_rule(x):
        return tf.math.softplus(x), lambda up: up * tf.exp(x) / (1 + tf.exp(x))

    feedback = check("07.6", naive_rule)
    assert feedback.status == "wrong" and "overflows" in feedback.message
    assert "sqrt(0)" not in feedback.message
    naive_value = check("07.6", lambda x: tf.math.log(1 + tf.exp(x)))
    assert "overflows" in naive_value.message and ".." not in naive_value.message


def test_07_4_needs_a_tape_gradient_each_step():
    def closed_form(x, y, steps, lr):  # the right numbers, without a tape
        w = b = 0.0
        x, y = np.asarray(x, float), np.asarray(y, float)
        for _ in range(steps):
            r = w * x + b - y
            w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
        return w, b

    feedback = check("07.4", closed_form)
    assert feedback.status == "wrong" and "GradientTape" in feedback.message
    assert "factor" not in check("07.4", lambda x, y, s, lr: fit(x, y, s - 1, lr)).message
    right = check("07.4", fit)
    assert right.status == "correct" and "anew" not in right.message


def test_07_4_rebinding_to_tensors_gets_the_none_hint():
    def rebinds(x, y, steps, lr):  # w = w - ...: a Tensor from the second step on, its gradient None
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((w * x + b - y) ** 2)
            dw, db = tape.gradient(loss, [w, b])
            w, b = w - lr * dw, b - lr * db
        return w, b

    feedback = check("07.4", rebinds)
    assert feedback.status == "wrong" and "became None" in feedback.message and "tape.watch" not in feedback.message


def test_07_4_new_variables_each_step_pass_with_an_honest_note():
    def new_variables_each_step(x, y, steps, lr):
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((w * x + b - y) ** 2)
            dw, db = tape.gradient(loss, [w, b])
            w, b = tf.Variable(w - lr * dw), tf.Variable(b - lr * db)
        return w, b

    feedback = check("07.4", new_variables_each_step)
    assert feedback.status == "correct" and "made anew each step" in feedback.message


def test_05_1_returning_the_gradient_or_the_step_is_named():
    def gradient_of(point, learning_rate):
        p = tf.constant(point)
        with tf.GradientTape() as tape:
            tape.watch(p)
            loss = f_sgd(p[0], p[1])
        return tape.gradient(loss, p)

    assert "gradient itself" in check("05.1", gradient_of).message
    assert "that is the step" in check("05.1", lambda p, lr: lr * gradient_of(p, lr)).message


def test_05_2_adding_the_old_velocity_is_named():
    def old_velocity(point, velocity, gradient, lr):
        return point + velocity, 0.9 * velocity - lr * gradient

    feedback = check("05.2", old_velocity)
    assert feedback.status == "wrong" and "old velocity" in feedback.message, feedback.message


def test_07_1_a_wrong_set_names_each_missing_and_extra_letter():
    feedback = check("07.1", {"a", "b", "c"})
    assert feedback.status == "wrong" and "missing d" in feedback.message and "extra a" in feedback.message
    assert "never uses the value of x" in feedback.message and "registered as 0" in feedback.message
    assert "missing b, c" in check("07.1", {"d"}).message
    assert check("07.1", {"b", "c", "d"}).status == "correct"


def test_07_4_one_optimiser_made_once_gets_no_false_note():
    import keras

    def with_optimizer(x, y, steps, lr):  # the optimiser's own variables are made once, not per step
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        optimizer = keras.optimizers.SGD(learning_rate=lr)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((w * x + b - y) ** 2)
            optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b], strict=True))
        return w, b

    feedback = check("07.4", with_optimizer)
    assert feedback.status == "correct" and "anew" not in feedback.message and "in place" not in feedback.message


def test_07_4_watched_rebinding_is_not_called_in_place():
    def watched(x, y, steps, lr):  # plain tensors, rebound each step: right, but nothing updated in place
        w, b = tf.constant(0.0), tf.constant(0.0)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch([w, b])
                loss = tf.reduce_mean((w * x + b - y) ** 2)
            dw, db = tape.gradient(loss, [w, b])
            w, b = w - lr * dw, b - lr * db
        return w, b

    feedback = check("07.4", watched)
    assert feedback.status == "correct" and "in place" not in feedback.message and "anew" not in feedback.message


def test_07_3_a_none_in_the_table_is_named():
    def without_zeros(a, b, c):
        with tf.GradientTape(persistent=True) as tape:
            L0, L1 = a**2 * b, b + tf.sin(c)
        return tf.stack([tf.stack(tape.gradient(L, [a, b, c])) for L in (L0, L1)])

    feedback = check("07.3", without_zeros)
    assert feedback.status == "wrong" and "Ask the tape for zeros" in feedback.message
    assert "tape.watch" not in feedback.message  # the generic None hint would mislead here
    transposed = check("07.3", lambda a, b, c: tf.transpose(gradient_table(a, b, c)))
    assert transposed.status == "wrong" and "transposed" in transposed.message


def test_07_3_needs_the_tape():
    def typed_in(a, b, c):
        return tf.constant([[2 * float(a) * float(b), float(a) ** 2, 0.0], [0.0, 1.0, float(np.cos(float(c)))]])

    feedback = check("07.3", typed_in)
    assert feedback.status == "wrong" and "GradientTape" in feedback.message, feedback


def test_07_6_the_student_copys_stub_is_unfinished_and_a_filled_one_runs():
    @tf.custom_gradient
    def stub(x):  # what student-copy leaves: both regions `return ...`
        def grad(upstream):
            return ...

        return ...

    assert check("07.6", stub).status == "unfinished"
    assert check("07.6", custom_softplus).solved


def test_08_3_reverse_mode_and_slips_are_named():
    def reverse(angle):
        with tf.GradientTape() as tape:
            tape.watch(angle)
            path = flight(angle)
        return tape.jacobian(path, angle)

    def outside(angle):
        path = flight(angle)
        with tf.autodiff.ForwardAccumulator(angle, tf.ones_like(angle)) as acc:
            pass
        return acc.jvp(path)

    backwards = check("08.3", reverse)  # wrong by its method, or too slow: 80 backward passes
    assert backwards.status == "wrong" and ("reverse" in backwards.message or "backward passes" in backwards.message)
    assert "outside the `with" in check("08.3", outside).message
    assert "the path itself" in check("08.3", lambda angle: flight(angle)).message


def test_05_3_the_critical_rate_is_the_open_boundary():
    right = check("05.3", 2 / 8)
    assert right.status == "correct" and "0 < lr < 0.25, an open interval" in right.message
    above = check("05.3", 0.2505)
    assert above.status == "wrong" and "diverges" in above.message
    assert "eigenvalue. At" not in above.message and ". At learning rate" in above.message
    below = check("05.3", 0.2495)  # still converges, but it is not the boundary asked for
    assert below.status == "wrong" and "still converges" in below.message
    assert ". At learning rate" in check("05.3", 2 / 6).message
    lesson = check("05.3", 0.4)  # the egg-crate's 2/L, printed in the lesson
    assert lesson.status == "wrong" and "egg-crate" in lesson.message


def test_05_3_half_the_hessian_is_named_as_a_cause_of_0_5():
    # Coefficients [[3, 1], [1, 3]] instead of the Hessian [[6, 2], [2, 6]]: eigenvalues 2 and 4.
    half = 2 / np.max(np.linalg.eigvalsh([[3.0, 1.0], [1.0, 3.0]]))
    assert half == pytest.approx(0.5)
    feedback = check("05.3", half)
    assert feedback.status == "wrong"
    assert "smallest eigenvalue" in feedback.message and "[[3, 1], [1, 3]]" in feedback.message
    assert "q_xx = 6" in feedback.message


def test_05_3_the_xy_coefficient_off_the_diagonal_is_named_for_0_4():
    # [[3, 2], [2, 3]] has eigenvalues 1 and 5, so 2/5 = 0.4, also the lesson's egg-crate rate.
    off_diagonal = 2 / np.max(np.linalg.eigvalsh([[3.0, 2.0], [2.0, 3.0]]))
    feedback = check("05.3", off_diagonal)
    assert feedback.status == "wrong" and "[[3, 2], [2, 3]]" in feedback.message
    assert "egg-crate" in feedback.message and "q_xy = 2" in feedback.message


def keras_adam_points(start, gradients, lr):
    """Where Keras' own Adam takes a variable, fed the given gradients one by one."""
    variable = tf.Variable(np.asarray(start, np.float64))
    optimizer = tf.keras.optimizers.Adam(learning_rate=lr)
    points = []
    for g in gradients:
        optimizer.apply_gradients([(tf.constant(g, tf.float64), variable)])
        points.append(variable.numpy().copy())
    return np.array(points)


def test_05_4_the_solution_is_keras_adam_step_for_step():
    rng = np.random.default_rng(5)
    gradients, lr = rng.uniform(-2, 2, (6, 2)), 0.05
    point, m, v, ours = np.array([0.3, -0.7]), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(gradients, start=1):
        point, m, v = adam_step(point, m, v, g, t, lr)
        ours.append(point)
    # rtol 1e-5: Keras adds ε to √v before its bias correction, the textbook form after it
    np.testing.assert_allclose(ours, keras_adam_points([0.3, -0.7], gradients, lr), rtol=1e-5, atol=1e-9)
    assert np.allclose(np.abs(ours[0] - [0.3, -0.7]), lr)  # the lesson's claim: a first step of lr


@pytest.mark.parametrize("slip, fragment", [
    (lambda p, m, v, g, t, lr: adam_step(p, m, v, g, t - 1, lr), "t counts steps from 1"),
    (lambda p, m, v, g, t, lr: (adam_step(p, m, v, g, t, lr)[0], (0.9 * m + 0.1 * g) / (1 - 0.9**t),
                                adam_step(p, m, v, g, t, lr)[2]), "new_m is bias-corrected"),
    (lambda p, m, v, g, t, lr: (2 * p - adam_step(p, m, v, g, t, lr)[0], *adam_step(p, m, v, g, t, lr)[1:]),
     "uphill"),
    (lambda p, m, v, g, t, lr: (p - lr * ((0.9 * m + 0.1 * g) / (1 - 0.9**t))
                                / ((0.999 * v + 0.001 * g**2) / (1 - 0.999**t) + 1e-7),
                                *adam_step(p, m, v, g, t, lr)[1:]), "√v̂, not v̂"),
    (lambda p, m, v, g, t, lr: adam_step(p, m, v, g, t, lr)[:2], "three things"),
])
def test_05_4_typical_slips_get_their_hint(slip, fragment):
    with np.errstate(divide="ignore", invalid="ignore"):  # t − 1 divides by 1 − β⁰ = 0, as meant
        feedback = check("05.4", slip)
    assert feedback.status == "wrong" and fragment in feedback.message, feedback


def test_05_4_keras_placement_of_epsilon_passes_too_and_is_not_called_keras_adam():
    def keras_rule(point, m, v, gradient, t, lr):  # Keras 3: ε next to the uncorrected √v
        m, v = 0.9 * m + 0.1 * gradient, 0.999 * v + 0.001 * gradient**2
        alpha = lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        return point - alpha * m / (np.sqrt(v) + 1e-7), m, v

    for fn in (keras_rule, adam_step):  # adam_step is the paper's rule
        feedback = check("05.4", fn)
        assert feedback.solved, feedback
        assert "paper's rule" in feedback.message and "uncorrected √v" in feedback.message


def test_06_2_swapped_gradient_is_told_without_the_expected_values():
    feedback = check("06.2", lambda x, y: (x * np.exp(x * y) + 1, y * np.exp(x * y)))
    assert feedback.status == "wrong" and "The two numbers are swapped" in feedback.message
    assert "expected" not in feedback.message
    right = f"{2.0 * np.exp(1.0):.6g}"  # ∂g/∂x at the first point (0.5, 2), the answer itself
    assert feedback.message.index(right) < feedback.message.index("swapped")  # only as the student's own
    assert feedback.message.count(right) == 1


def test_05_4_keras_adam_itself_is_not_the_update_written_out():
    def with_keras(point, m, v, gradient, t, lr):
        variable = tf.Variable(point)
        tf.keras.optimizers.Adam(lr).apply_gradients([(tf.constant(gradient), variable)])
        return variable.numpy(), 0.9 * m + 0.1 * gradient, 0.999 * v + 0.001 * gradient**2

    feedback = check("05.4", with_keras)
    assert feedback.status == "wrong" and "Keras optimiser" in feedback.message
    assert check("05.4", adam_step).solved


@pytest.mark.parametrize("slip, fragment", [
    (lambda s, up: up * s, "σ′ = σ(1 − σ)"),
    (lambda s, up: 0.2 * up, "at (0.25, 2)"),  # a made-up constant slope: the first point names it
])
def test_06_1_slips_are_named(slip, fragment):
    feedback = check("06.1", slip)
    assert feedback.status == "wrong" and fragment in feedback.message, feedback


@pytest.mark.parametrize("slip, fragment", [
    (lambda w, b, x, t: tuple(-v for v in neuron_gradient(w, b, x, t)), "sign is flipped"),
    (lambda w, b, x, t: tuple(v / 2 for v in neuron_gradient(w, b, x, t)), "factor 2 is missing"),
    (lambda w, b, x, t: (neuron_gradient(w, b, x, t)[1] * np.sum(x) * np.ones_like(x),
                         neuron_gradient(w, b, x, t)[1]), "entry by entry"),
    (lambda w, b, x, t: (neuron_gradient(w, b, x, t)[0][:1], neuron_gradient(w, b, x, t)[1]),
     "shape of its node"),
    (lambda w, b, x, t: neuron_gradient(w, b, x, t)[1], "two things"),
])
def test_06_3_slips_are_named(slip, fragment):
    feedback = check("06.3", slip)
    assert feedback.status == "wrong" and fragment in feedback.message, feedback


def test_06_3_a_tape_is_not_by_hand():
    def with_tape(w, b, x, t):
        w, b = tf.constant(w), tf.constant(b, tf.float64)
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            loss = (tf.sigmoid(tf.reduce_sum(w * x) + b) - t) ** 2
        return tape.gradient(loss, [w, b])

    feedback = check("06.3", with_tape)
    assert feedback.status == "wrong" and "by hand" in feedback.message


def test_07_5_feedback_does_not_overclaim():
    feedback = check("07.5", 1e-3)
    assert feedback.status == "correct" and "within 3×" in feedback.message
    assert "as good as steps get" not in feedback.message


@pytest.mark.parametrize("key, answer, fragment", [
    ("06.1", lambda s, up: up * s * (1 + s), "at (0.25, 2)"),
])
def test_specific_hints_replace_the_generic_guesses(key, answer, fragment):
    feedback = check(key, answer)
    assert feedback.status == "wrong" and fragment in feedback.message
    assert "chain-rule" not in feedback.message and "d/dx cos" not in feedback.message


def test_05_2_velocity_sign_convention_gets_its_own_hint():
    def other_convention(p, v, g, lr):  # v ← 0.9·v + lr·g, p ← p − v
        v = 0.9 * v + lr * g
        return p - v, v

    feedback = check("05.2", other_convention)
    assert feedback.status == "wrong" and "velocity points uphill" in feedback.message
    assert "d/dx cos" not in feedback.message


# --------------------------------------------------------------------------- review of 01–04
# Each wrong answer below is one an outside teacher typed; the notebook's solution must pass.


def f_tangent(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def test_04_1_intercept_slips_are_caught_at_every_point():
    assert check("04.1", tangent_at).solved  # the notebook's solution

    def height_at_x0(x0):  # intercept = f(x₀): the height at x₀, not at 0
        slope, _ = tangent_at(x0)
        return slope, float(f_tangent(x0))

    def no_x0(x0):  # f − f′: the ·x₀ forgotten (passed at x₀ = 1)
        slope, _ = tangent_at(x0)
        return slope, float(f_tangent(x0)) - slope

    at_x0 = check("04.1", height_at_x0)
    assert at_x0.status == "wrong" and "height at x = 0, not at x₀" in at_x0.message
    forgotten = check("04.1", no_x0)
    assert forgotten.status == "wrong" and "multiply the slope by x₀" in forgotten.message
    assert not check("04.1", lambda x0: tangent_at(1.0))  # the answer at one point only


@pytest.mark.parametrize("key, answer", [
    ("02.1", 160), ("02.1", 40), ("04.3", 0.593), ("04.3", 2.3), ("03.3-value", None),
])
def test_single_numbers_get_no_ratio_guess(key, answer):
    if key == "03.3-value":  # 0 at the origin: the message once read "expected 1.. your answer is 0 times"
        feedback = check("03.3", lambda x, y: tf.zeros_like(x))
        assert ".." not in feedback.message
    else:
        feedback = check(key, answer)
    assert feedback.status == "wrong"
    assert "times the right one" not in feedback.message and "chain-rule" not in feedback.message


@pytest.mark.parametrize("key, answer, fragment", [
    ("02.1", 160, "lower the exponent"),
    ("02.1", 40, "lower the exponent by one only"),
    ("04.3", 0.593, "the one near 4"),
    ("04.3", 2.3, "the one near 4"),
    ("03.1", (6, 9), "y stays as a factor"),
    ("02.2", -4 / 9, "lower the exponent"),
])
def test_targeted_hints(key, answer, fragment):
    feedback = check(key, answer)
    assert feedback.status == "wrong" and fragment in feedback.message, feedback


def test_04_2_backwards_step_gets_its_hint():
    def backwards(g, x):
        x = tf.constant(x, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = g(x)
        return float(x + y / tape.gradient(y, x))

    feedback = check("04.2", backwards)
    assert feedback.status == "wrong" and "the step goes the other way" in feedback.message
    assert check("04.2", newton).solved


def test_03_2_half_product_gets_no_chain_rule_hint():
    feedback = check("03.2", lambda x, y: x * y / 2)
    assert feedback.status == "wrong" and "chain" not in feedback.message


def third_unwatched(f, x):  # tape.watch forgotten on the tf.constant the check passes
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = f(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)


def newton_unwatched(g, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        y = g(x)
    return float(x - y / tape.gradient(y, x))


def newton_integer(g, x):  # an integer tensor: the tape does not follow it either
    x = tf.cast(tf.round(x), tf.int32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    return float(tf.cast(x, tf.float32) - tf.cast(y, tf.float32) / tape.gradient(y, x))


@pytest.mark.parametrize("key, answer", [
    ("02.3", third_unwatched), ("04.2", newton_unwatched), ("04.2", newton_integer)])
def test_an_unwatched_constant_gets_the_watch_hint(key, answer):
    feedback = check(key, answer)
    assert feedback.status == "wrong" and "tape.watch(x)" in feedback.message, feedback
    assert "nested structure" not in feedback.message


def test_02_3_accepts_the_solution_with_a_neutral_message():
    feedback = check("02.3", third)
    assert feedback.solved and "nests three tapes" not in feedback.message


def test_02_2_wants_one_number():
    # The (3, 3)-tape exercise whose check ignored the answer's shape is replaced by a prediction.
    assert check("02.2", -4 / 27).solved
    feedback = check("02.2", np.full(9, -4 / 27))
    assert feedback.status == "wrong" and "1 number" in feedback.message


def stopped_near_origin(x, y):  # right values; the gradient is cut off for u < 0.3
    u = x**2 + y**2
    bump = tf.where(u > 0, tf.sin(u) / tf.where(u > 0, u, 1.0), 1.0)
    return tf.where(u < 0.3, tf.stop_gradient(bump), bump)


def test_03_3_gradient_is_checked_near_the_origin():
    feedback = check("03.3", stopped_near_origin)
    assert feedback.status == "wrong" and "∇safe_bump at (0.3, 0.2)" in feedback.message
    assert check("03.3", safe_bump).solved


@pytest.mark.parametrize("answer", [3.894, 3.8963, 3.8944])
def test_04_3_means_three_decimals(answer):  # the crest is at 3.894942
    assert check("04.3", answer).status == "wrong"
    assert check("04.3", 3.8949).solved and check("04.3", 3.895).solved


def test_08_3_reverse_mode_gets_the_rule_before_the_time_limit():
    # A teacher's read: tape.jacobian ran into the CPU budget, and the rule came as a guess.
    calls = []

    def jacobian_answer(angle):
        calls.append(angle)
        with tf.GradientTape() as tape:
            tape.watch(angle)
            path = flight(angle)
        return tape.jacobian(path, angle)

    feedback = check("08.3", jacobian_answer)
    assert feedback.status == "wrong" and "tape.jacobian" in feedback.message, feedback
    assert "ForwardAccumulator" in feedback.message and "took too long" not in feedback.message
    assert calls == []  # named in its own code: refused before it runs

    def through_a_helper(angle):  # the tape is out of sight of the answer's own code
        calls.append(angle)
        return _jacobian_of_flight(angle)

    calls.clear()
    helped = check("08.3", through_a_helper)
    assert helped.status == "wrong" and "runs a GradientTape's gradient or jacobian" in helped.message, helped
    assert len(calls) == 1  # stopped after the first call, not after the time limit


def _jacobian_of_flight(angle):
    with tf.GradientTape() as tape:
        tape.watch(angle)
        path = flight(angle)
    return tape.jacobian(path, angle)


def test_08_3_a_forward_answer_that_also_makes_an_idle_tape_still_passes():
    def forward_and_idle_tape(angle):
        with tf.GradientTape():
            pass
        return path_sensitivity(angle)

    assert check("08.3", forward_and_idle_tape).solved


@pytest.mark.parametrize("h", [float(np.cbrt(np.finfo(np.float32).eps)), 5e-3, 3e-3, 8e-3])
def test_07_5_names_its_yardstick_as_a_band_s_median_which_natural_steps_beat(h):
    # A teacher's read: "typical error of the best steps" (6.4e-6) was above the natural answers'.
    feedback = check("07.5", h)
    assert feedback.solved, feedback
    found = re.search(r"error is ([\d.e+-]+), within 3× of ([\d.e+-]+), the median error of the steps "
                      r"from 1e-3 to 2e-2", feedback.message)
    assert found, feedback
    assert float(found.group(1)) < float(found.group(2))  # a band's median, not the best steps' error
    assert "best steps" not in feedback.message


def test_test_points_keep_off_zero_where_a_tapes_higher_derivatives_are_nan():
    # CI: a right third_derivative failed 02.3 when x3 rounded to 0.0 (Pow's gradient gives NaN there).
    from gradlab.exercises.checks import random_points

    class Near0:  # an rng whose first draws round to 0
        def __init__(self):
            self.draws = [np.array([0.0004, -0.0003, 1.25]), np.array([-0.5, 0.75])]

        def uniform(self, low, high, count):
            return self.draws.pop(0)[:count]

    assert random_points(-2.0, 2.0, 3, rng=Near0()) == [1.25, -0.5, 0.75]
    with pytest.raises(ValueError, match="within 0.01 of 0"):
        random_points(-0.005, 0.005, 2)
