"""gradlab.descend follows Keras 3's optimisers step for step, and stops where a path blows up."""

import numpy as np
import pytest
import tensorflow as tf

from gradlab import descend


def f(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


KERAS = {
    "sgd": lambda lr: tf.keras.optimizers.SGD(lr),
    "momentum": lambda lr: tf.keras.optimizers.SGD(lr, momentum=0.9),
    "rmsprop": lambda lr: tf.keras.optimizers.RMSprop(lr),
    "adam": lambda lr: tf.keras.optimizers.Adam(lr),
}


@pytest.mark.parametrize("method", list(KERAS))
def test_matches_keras_step_by_step(method):
    x, y = tf.Variable(0.25), tf.Variable(-0.5)
    optimizer = KERAS[method](0.05)
    keras_path = [(0.25, -0.5)]
    for _ in range(25):
        with tf.GradientTape() as tape:
            loss = f(x, y)
        optimizer.apply_gradients(zip(tape.gradient(loss, [x, y]), [x, y], strict=True))
        keras_path.append((x.numpy(), y.numpy()))
    ours = descend(f, (0.25, -0.5), method, 0.05, 25)
    np.testing.assert_allclose(ours.points, np.array(keras_path), atol=2e-6)
    assert not ours.diverged


def test_first_sgd_step_from_the_source():
    path = descend(f, (0.25, -0.5), "sgd", 0.01, 1)
    np.testing.assert_allclose(path.points[1], [0.24567758, -0.49401528], atol=1e-7)
    assert path.losses[0] == pytest.approx(float(f(tf.constant(0.25), tf.constant(-0.5))))


def test_divergence_stops_at_the_last_finite_point_and_says_so():
    path = descend(lambda x, y: x**2 + 10 * y**2, (1.0, 1.0), "sgd", 0.5, 500)
    assert path.diverged
    assert path.steps < 500
    assert np.all(np.isfinite(path.points))
    assert "diverged" in path.message and "smaller learning rate" in path.message


def test_zero_steps_returns_the_start():
    path = descend(f, (0.1, 0.2), "adam", 0.1, 0)
    np.testing.assert_allclose(path.points, [[0.1, 0.2]], atol=1e-7)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"method": "newton"}, "method must be one of"),
        ({"learning_rate": 0}, "positive"),
        ({"learning_rate": float("nan")}, "finite"),
        ({"steps": -1}, "at least 0"),
        ({"start": (1.0,)}, "start"),
    ],
)
def test_bad_arguments(kwargs, fragment):
    args = {"start": (0.25, -0.5), "method": "sgd", "learning_rate": 0.01, "steps": 3} | kwargs
    with pytest.raises(ValueError, match=fragment):
        descend(f, **args)


def test_a_function_that_fails_inside_the_loop_gets_a_clear_error():
    with pytest.raises(ValueError, match="left TensorFlow") as info:
        descend(lambda x, y: np.sin(x.numpy()), (0.0, 0.0), "sgd", 0.1, 2)
    assert "in user code" not in str(info.value) and "\n" not in str(info.value)


def test_a_changed_global_changes_the_path():
    a = 1.0
    f = lambda x, y: a * x**2 + y**2  # noqa: E731
    first = descend(f, (1.0, 1.0), "sgd", 0.1, 3).points[-1]
    a = 4.0  # noqa: F841 - read by f
    second = descend(f, (1.0, 1.0), "sgd", 0.1, 3).points[-1]
    assert first[0] == pytest.approx(0.8**3) and second[0] == pytest.approx(0.2**3, abs=1e-6)


def test_float64_constants_run_in_float64():
    c = tf.constant(2.0, tf.float64)
    path = descend(lambda x, y: c * x**2 + y**2, (1.0, 1.0), "sgd", 0.1, 2)
    assert path.points[-1][0] == pytest.approx(0.6**2)
