"""gradlab.calculus against closed forms, and every bad input by its message."""

import numpy as np
import pytest
import tensorflow as tf

from gradlab import (
    FunctionError,
    GradientError,
    check_gradient,
    derivative,
    finite_difference,
    nonfinite_points,
    nth_derivative,
    partials,
    tangent_line,
)


def test_derivative_matches_closed_form_over_an_array():
    xs = np.linspace(-5, 5, 101)
    y, dy = derivative(lambda x: 5 * tf.sin(2 * x) + x**2, xs)
    np.testing.assert_allclose(y, 5 * np.sin(2 * xs) + xs**2, rtol=1e-12)
    np.testing.assert_allclose(dy, 10 * np.cos(2 * xs) + 2 * xs, rtol=1e-12, atol=1e-12)
    assert y.shape == dy.shape == xs.shape


@pytest.mark.parametrize("x", [2, 2.0, [2], np.array(2), np.int64(2), tf.constant(2), tf.Variable(2.0)])
def test_derivative_accepts_every_kind_of_number_and_promotes_integers(x):
    y, dy = derivative(lambda t: t**3, x)
    assert float(np.ravel(y)[0]) == 8.0
    assert float(np.ravel(dy)[0]) == 12.0
    assert np.shape(dy) == np.shape(np.asarray(x if not hasattr(x, "numpy") else x.numpy()))


def test_float64_input_keeps_float64():
    _, dy = derivative(tf.sin, np.array([1.0]))
    assert dy.dtype == np.float64
    assert dy[0] == pytest.approx(np.cos(1.0), abs=1e-15)


@pytest.mark.parametrize(
    "f, fragment",
    [
        (lambda x: np.sin(x), "left TensorFlow"),
        (lambda x: tf.constant(3.0), "does not depend on x"),
        (lambda x: tf.constant(np.sin(x.numpy())), "left TensorFlow"),
        (lambda x: tf.cast(x, tf.int32) * 2, "integer values"),
        (lambda x: tf.round(x), "no gradient (tf.round"),
    ],
)
def test_no_gradient_is_a_gradient_error_naming_the_cause(f, fragment):
    with pytest.raises(GradientError, match=None) as info:
        derivative(f, [1.0, 2.0])
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "f, fragment",
    [
        (lambda x: "text", "string"),
        (lambda x: None, "forget a `return`"),
        (lambda x: 1 / 0, "raised ZeroDivisionError"),
        (lambda x: tf.reduce_sum(x), "elementwise"),
        ("not a function", "must be a function"),
    ],
)
def test_bad_functions_get_a_function_error(f, fragment):
    with pytest.raises(FunctionError) as info:
        derivative(f, [1.0, 2.0])
    assert fragment in str(info.value)


@pytest.mark.parametrize("x", ["1.0", None, ..., [[1, 2], [3]]])
def test_bad_points_are_rejected_with_a_message(x):
    with pytest.raises(FunctionError, match="x must be"):
        derivative(tf.sin, x)


def test_partials_on_a_meshgrid_match_closed_form():
    X, Y = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5))
    z, zx, zy = partials(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5, X, Y)
    assert z.shape == zx.shape == zy.shape == (5, 7)
    np.testing.assert_allclose(zx, 0.8 * np.cos(4 * X), atol=1e-12)
    np.testing.assert_allclose(zy, np.sin(5 * Y), atol=1e-12)


def test_partials_source_a_values_at_two_zero():
    z, zx, zy = partials(lambda x, y: tf.sin(tf.sqrt(x**2 + y**2)), np.float64(2.0), np.float64(0.0))
    assert float(z) == pytest.approx(0.9092974268256817, abs=1e-15)
    assert float(zx) == pytest.approx(-0.4161468365471424, abs=1e-15)
    assert float(zy) == 0.0


def test_partials_unused_variable_is_zero_but_unused_both_is_an_error():
    _, zx, zy = partials(lambda x, y: x**2, [1.0, 3.0], [5.0, 6.0])
    np.testing.assert_array_equal(zx, [2.0, 6.0])
    np.testing.assert_array_equal(zy, [0.0, 0.0])
    with pytest.raises(GradientError):
        partials(lambda x, y: tf.constant(1.0), 1.0, 2.0)


def test_partials_shape_mismatch_says_meshgrid():
    with pytest.raises(FunctionError, match="meshgrid"):
        partials(lambda x, y: x * y, [1.0, 2.0, 3.0], [1.0, 2.0])


def test_nth_derivative_of_cube_and_sine():
    assert [float(nth_derivative(lambda x: x**3, 2.0, n)) for n in range(5)] == [8, 12, 12, 6, 0]
    xs = np.linspace(0, 3, 7)
    np.testing.assert_allclose(nth_derivative(tf.sin, xs, 4), np.sin(xs), atol=1e-12)
    np.testing.assert_allclose(nth_derivative(tf.sin, xs, 3), -np.cos(xs), atol=1e-12)


@pytest.mark.parametrize("n", [-1, 1.5, "2", True])
def test_nth_derivative_rejects_bad_orders(n):
    with pytest.raises(ValueError, match="whole number"):
        nth_derivative(tf.sin, 1.0, n)


def test_tangent_line_slope_and_intercept():
    slope, intercept = tangent_line(lambda x: x**2, 3.0)
    assert (slope, intercept) == (6.0, -9.0)
    with pytest.raises(ValueError, match="single number"):
        tangent_line(tf.sin, [1.0, 2.0])


def test_source_a_tangent_numbers():
    f = lambda x: tf.cos(x) * tf.sin(x) / tf.sqrt(x)  # noqa: E731
    y, dy = derivative(f, np.float64(4.1))
    assert float(y) == pytest.approx(0.23229685332631406, abs=1e-14)
    _, dy32 = derivative(f, np.float32(4.1))
    assert float(dy32) == pytest.approx(-0.19582547, abs=2e-7)


def test_finite_difference_is_accurate_and_validates_h():
    xs = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(finite_difference(tf.exp, xs), np.exp(xs), rtol=1e-9)
    with pytest.raises(ValueError, match="positive"):
        finite_difference(tf.exp, 1.0, h=-1)


def test_finite_difference_falls_back_to_float32_for_float32_only_functions():
    f = lambda x: x * tf.constant(2.0)  # noqa: E731  (a float32 constant refuses float64 x)
    assert float(finite_difference(f, 1.0)) == pytest.approx(2.0, rel=1e-3)


def test_check_gradient_passes_true_gradients_and_catches_a_wrong_one():
    assert check_gradient(lambda x: tf.sin(x) * x, np.linspace(-3, 3, 13))

    @tf.custom_gradient
    def wrong_square(x):
        return x**2, lambda upstream: upstream * 3 * x  # should be 2x

    result = check_gradient(wrong_square, [1.0, 2.0])
    assert not result
    assert result.max_abs_error == pytest.approx(2.0, rel=1e-6)
    assert result.worst_x == 2.0
    assert "DISAGREE" in str(result)


def test_check_gradient_reports_where_values_are_not_finite():
    result = check_gradient(lambda x: 1 / x, [-1.0, 0.0, 1.0])
    assert result.ok
    assert result.nonfinite_x == (0.0,)
    assert "not finite at x = 0" in str(result)


def test_nonfinite_points():
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    values = np.array([1.0, np.inf, 1.0, np.nan])
    assert nonfinite_points(x, values).tolist() == [0.0, 2.0]
    assert nonfinite_points(x, np.ones(4)).size == 0


def test_huge_grids_are_refused_before_allocating():
    with pytest.raises(ValueError, match="too large"):
        partials(lambda x, y: x * y, np.zeros((1, 1)), np.zeros((100_000, 1000)))


def test_compiled_derivative_matches_and_falls_back_for_errors():
    from gradlab import compiled_derivative

    df = compiled_derivative(lambda x: 5 * tf.sin(2 * x) + x**2)
    xs = np.linspace(-5, 5, 11)
    y, dy = df(xs)
    np.testing.assert_allclose(dy, 10 * np.cos(2 * xs) + 2 * xs, atol=1e-9)
    assert [float(v) for v in df(2.0)] == pytest.approx([5 * np.sin(4) + 4, 10 * np.cos(4) + 4], rel=1e-6)
    with pytest.raises(GradientError, match="left TensorFlow"):
        compiled_derivative(lambda x: np.sin(x))(1.0)
    with pytest.raises(FunctionError, match="elementwise"):
        compiled_derivative(tf.reduce_sum)([1.0, 2.0])


def test_float32_only_functions_fall_back_from_float64_in_checks():
    f = lambda x: x * tf.constant(2.0) + x**2  # noqa: E731  (a float32 constant refuses float64 x)
    result = check_gradient(f, [1.0, 2.0], rtol=1e-3)
    assert result.ok and result.points == 2
    # ...but a genuine error inside f is still reported, not swallowed by the fallback
    with pytest.raises(FunctionError, match="ZeroDivisionError"):
        check_gradient(lambda x: 1 / 0, [1.0])
