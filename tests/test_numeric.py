"""check_gradient's reference: Richardson extrapolation on a ladder of steps, chosen by its own
error estimate and never by closeness to the tape it checks (issue 20, notebook 01)."""

import math

import numpy as np
import pytest

import gradlab
from gradlab._numeric import richardson
from gradlab._tf import tf


def _scaled_sin(factor):
    """sin(x) whose tape derivative is factor·cos(x): right for factor = 1, wrong otherwise."""

    @tf.custom_gradient
    def f(x):
        return tf.sin(x), lambda upstream: upstream * factor * tf.cos(x)

    return f


def _sin_with_coarse_gradient(step):
    """sin(x) whose tape returns the central difference with a coarse step, not cos(x)."""

    @tf.custom_gradient
    def f(x):
        return tf.sin(x), lambda upstream: upstream * (tf.sin(x + step) - tf.sin(x - step)) / (2 * step)

    return f


@pytest.mark.parametrize(("f", "df", "x"), [
    (tf.exp, np.exp, np.linspace(-3.0, 3.0, 7)),
    (lambda x: tf.sin(100 * x), lambda x: 100 * np.cos(100 * x), np.linspace(-2.0, 2.0, 9)),
    (lambda x: x**3, lambda x: 3 * x**2, np.array([-1e8, 1e6, 12.5])),
    (tf.sin, np.cos, np.array([1e6, 1e9, 1e12])),
    (tf.math.log, lambda x: 1 / x, np.array([1e-3, 0.5, 7.0])),
], ids=["exp", "sin(100x)", "x^3 far out", "sin far out", "log"])
def test_the_error_estimate_bounds_the_true_error(f, df, x):
    estimate, error = richardson(f, x, tf.float64)
    assert np.all(np.isfinite(error))
    assert np.all(np.abs(estimate - df(x)) <= error)
    assert np.all(error <= 1e-6 * np.maximum(1.0, np.abs(df(x))))  # and it is a useful bound


def test_a_tape_equal_to_a_coarse_finite_difference_is_caught():
    # The old check kept whichever of two estimates was closer to the tape, so a tape that
    # returned exactly its coarse estimate (step 6e-6·|x|, here 6 at x = 1e6) passed.
    x = 1e6
    coarse = _sin_with_coarse_gradient(np.cbrt(np.finfo(np.float64).eps) * x)
    result = gradlab.check_gradient(coarse, np.array([x]))
    assert not result
    assert result.max_abs_error == pytest.approx(abs(math.cos(x)) * (1 - math.sin(6.055) / 6.055), rel=1e-2)


@pytest.mark.parametrize("x", [[3.0], [1e6], [1e9], [12345.678]])
def test_a_gradient_wrong_by_two_parts_in_ten_thousand_fails_near_and_far(x):
    assert gradlab.check_gradient(_scaled_sin(1.0), np.array(x))
    wrong = gradlab.check_gradient(_scaled_sin(1.0002), np.array(x))
    assert not wrong
    # the reference is the true derivative, so the error is the tape's own 0.02 %
    assert wrong.max_abs_error == pytest.approx(2e-4 * abs(math.cos(x[0])), rel=1e-3)


def test_far_out_oscillation_is_not_mistaken_for_a_flat_function():
    # On sin at 1e12 every step h >> 1 gives a difference near 0 that looks self-consistent;
    # the ladder climbs from the small steps and stops before reaching them.
    estimate, _ = richardson(tf.sin, np.array([1e12]), tf.float64)
    assert estimate[0] == pytest.approx(math.cos(1e12), rel=1e-9)


def test_the_report_names_the_reference_error_and_a_chosen_step_has_none():
    auto = gradlab.check_gradient(tf.sin, [0.5, 2.0])
    assert 0 < auto.max_fd_error < 1e-8
    assert "finite differences' own error" in str(auto)
    chosen = gradlab.check_gradient(tf.sin, [0.5, 2.0], h=1e-4)
    assert chosen.max_fd_error == 0.0 and "own error" not in str(chosen)
    assert chosen.max_abs_error == pytest.approx(
        float(np.max(np.abs(gradlab.finite_difference(tf.sin, np.array([0.5, 2.0]), 1e-4)
                            - np.cos([0.5, 2.0])))), rel=1e-3)


def test_a_float32_only_function_gets_a_float32_ladder():
    f = lambda x: x * tf.constant(2.0) + x**2  # noqa: E731  (a float32 constant refuses float64)
    result = gradlab.check_gradient(f, [1.0, 300.0], rtol=1e-3)
    assert result and result.max_fd_error > 1e-6  # float32 rounding is in the estimate
