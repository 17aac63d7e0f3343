"""Common wrong answers a teacher's read listed, each fed to its check: the hint names the slip.

03.3 (ε in the denominator), 04.2 (the inverted ratio), 04.3 (5π/4), 05.2 (Nesterov for
plain momentum), 05.3 (L for 2/L), 07.4 (a summed loss), 07.6 (the logistic of −x).
"""

import math

import numpy as np
import pytest
import tensorflow as tf

from gradlab import check


@pytest.mark.parametrize("eps", [1e-8, 1e-6, 1e-3])
def test_03_3_epsilon_in_the_denominator_is_named(eps):
    def bump(x, y):
        u = x**2 + y**2
        return tf.sin(u) / (u + eps)

    feedback = check("03.3", bump)
    assert feedback.status == "wrong" and "sin(u)/(u + ε)" in feedback.message, feedback
    assert "tf.where" in feedback.message


def test_03_3_divide_no_nan_gets_the_same_reason():
    feedback = check("03.3", lambda x, y: tf.math.divide_no_nan(tf.sin(x**2 + y**2), x**2 + y**2))
    assert feedback.status == "wrong" and "divide_no_nan" in feedback.message, feedback


def test_03_3_a_function_wrong_everywhere_is_not_told_about_epsilon():
    feedback = check("03.3", lambda x, y: tf.cos(x**2 + y**2))  # 1 at the origin, wrong elsewhere
    assert feedback.status == "wrong" and "ε" not in feedback.message, feedback


def newton_inverted(g, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    return x - tape.gradient(y, x) / y  # slope over value: upside down


def test_04_2_the_inverted_ratio_is_named():
    feedback = check("04.2", newton_inverted)
    assert feedback.status == "wrong" and "upside down" in feedback.message, feedback


@pytest.mark.parametrize("answer", [5 * math.pi / 4, 3.927, 3.93])
def test_04_3_five_pi_over_four_is_named(answer):
    feedback = check("04.3", answer)
    assert feedback.status == "wrong" and "5π/4" in feedback.message and "1/√x" in feedback.message, feedback


def test_04_3_a_reading_near_the_crest_is_not_called_five_pi_over_four():
    feedback = check("04.3", 3.9)
    assert feedback.status == "wrong" and "5π/4" not in feedback.message, feedback


def test_05_2_nesterov_momentum_is_named():
    def nesterov(p, v, g, lr):
        v = 0.9 * v - lr * g
        return p + 0.9 * v - lr * g, v

    feedback = check("05.2", nesterov)
    assert feedback.status == "wrong" and "Nesterov" in feedback.message, feedback


@pytest.mark.parametrize("answer", [8, 8.0, np.float32(8.0)])
def test_05_3_answering_l_itself_is_named(answer):
    feedback = check("05.3", answer)
    assert feedback.status == "wrong" and "L itself" in feedback.message and "2/L" in feedback.message, feedback


def fit_summed(x, y, steps, lr):
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((w * x + b - y) ** 2)  # summed, not the mean
        for p, g in zip([w, b], tape.gradient(loss, [w, b]), strict=True):
            p.assign_sub(lr * g)
    return w, b


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_07_4_a_summed_loss_is_named(seed):
    feedback = check("07.4", fit_summed, seed=seed)
    assert feedback.status == "wrong" and "summed squared error" in feedback.message, feedback


@tf.custom_gradient
def softplus_logistic_of_minus_x(x):
    def grad(upstream):
        return upstream * tf.math.sigmoid(-x)

    return tf.math.softplus(x), grad


def test_07_6_the_logistic_of_minus_x_is_named():
    feedback = check("07.6", softplus_logistic_of_minus_x)
    assert feedback.status == "wrong" and "logistic of −x" in feedback.message, feedback
