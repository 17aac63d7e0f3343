"""Compiled graphs are never served stale: a changed object, closure or attribute retraces.

A ``tf.function`` freezes the Python numbers f reads when it is traced. gradlab caches
compiled graphs (``compiled_derivative``, ``descend``, the tangent explorer's slider), keyed
on ``calculus.state_key``; these tests change every kind of outside state a student's f can
read and check that the next number follows, through the public API and the explorers.
"""

from __future__ import annotations

import types

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import gradlab  # noqa: E402
from gradlab import calculus  # noqa: E402
from gradlab.calculus import is_tracked, state_key  # noqa: E402


@pytest.fixture(autouse=True)
def graphs_on():
    """These tests are about compiled graphs: make sure tf.function compiles (a check run
    elsewhere in the same process may have left ``run_functions_eagerly`` on)."""
    eager = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(False)
    yield
    tf.config.run_functions_eagerly(eager)


class Poly:
    """``a * x**2`` as a bound method and as a callable object."""

    def __init__(self, a):
        self.a = a

    def f(self, x):
        return self.a * x**2

    def __call__(self, x):
        return self.a * x**2


class Bowl:
    """A loss ``(x - c)**2 + y**2`` whose minimum moves with the attribute ``c``."""

    c = 1.0

    def __call__(self, x, y):
        return (x - self.c) ** 2 + y**2

    def loss(self, x, y):
        return (x - self.c) ** 2 + y**2


class Slotted:
    """An object without ``__dict__``: its state cannot be read, so nothing may be cached."""

    __slots__ = ("a",)


def slope(df, x=1.0) -> float:
    return float(df(x)[1])


# --------------------------------------------------------------------------- compiled_derivative


def test_compiled_derivative_follows_a_bound_methods_object():
    p = Poly(1.0)
    df = gradlab.compiled_derivative(p.f)
    assert slope(df) == 2.0
    p.a = 3.0
    assert slope(df) == 6.0


def test_compiled_derivative_follows_a_callable_objects_attribute():
    p = Poly(1.0)
    df = gradlab.compiled_derivative(p)
    assert slope(df) == 2.0
    p.a = 3.0
    assert slope(df) == 6.0
    p.a = 1.0  # and back: the first graph's numbers again
    assert slope(df) == 2.0


def test_compiled_derivative_follows_a_closure_variable_set_elsewhere():
    def make():
        scale = 1.0

        def f(x):
            return scale * x**2

        def set_scale(value):
            nonlocal scale
            scale = value

        return f, set_scale

    f, set_scale = make()
    df = gradlab.compiled_derivative(f)
    assert slope(df) == 2.0
    set_scale(5.0)
    assert slope(df) == 10.0


def test_compiled_derivative_follows_an_object_held_in_a_closure_and_a_class_attribute():
    helper = Poly(1.0)
    df = gradlab.compiled_derivative(lambda x: helper(x) + x)
    assert slope(df) == 3.0
    helper.a = 2.0
    assert slope(df) == 5.0

    class Scaled(Poly):
        k = 1.0

        def f(self, x):
            return self.k * self.a * x**2

    s = Scaled(1.0)
    dk = gradlab.compiled_derivative(s.f)
    assert slope(dk) == 2.0
    Scaled.k = 4.0  # a class attribute, read through self
    assert slope(dk) == 8.0


def test_compiled_derivative_follows_state_read_through_a_property():
    class Rate:
        def __init__(self):
            self.base = 1.0

        @property
        def a(self):
            return 2 * self.base

        def f(self, x):
            return self.a * x

    r = Rate()
    df = gradlab.compiled_derivative(r.f)
    assert is_tracked(state_key(r.f))
    assert slope(df) == 2.0
    r.base = 4.0
    assert slope(df) == 8.0


def test_compiled_derivative_follows_a_notebook_made_module():
    settings = types.ModuleType("settings")  # like `import settings` of the student's own file
    settings.a = 2.0
    df = gradlab.compiled_derivative(lambda x: settings.a * x)
    assert slope(df) == 2.0
    settings.a = 7.0
    assert slope(df) == 7.0


def test_state_that_cannot_be_watched_is_never_cached():
    s = Slotted()
    s.a = 1.0
    f = lambda x: s.a * x  # noqa: E731
    assert not is_tracked(state_key(f))
    assert state_key(f) != state_key(f)  # unique every time: no cache can match it
    df = gradlab.compiled_derivative(f)
    assert slope(df) == 1.0
    s.a = 5.0
    assert slope(df) == 5.0
    rng = np.random.default_rng(0)  # a C object: its state is invisible too
    assert not is_tracked(state_key(lambda x: x * rng.normal()))


def test_safe_functions_are_still_traced_once_and_reused(monkeypatch):
    runs = []
    trace = calculus._trace_derivative
    monkeypatch.setattr(calculus, "_trace_derivative", lambda f: runs.append(trace(f)) or runs[-1])
    a = 2.0
    f = lambda x: a * tf.sin(x)  # noqa: E731
    assert is_tracked(state_key(f))
    assert is_tracked(state_key(lambda x: 5 * tf.sin(2 * x) + x**2))
    df = gradlab.compiled_derivative(f)
    for x in (0.5, 1.5, 2.5):
        df(x)
    assert len(runs) == 1 and runs[0].experimental_get_tracing_count() == 1  # one graph, reused
    a = 3.0  # noqa: F841 - read by f
    assert slope(df, 0.0) == pytest.approx(3.0)
    assert len(runs) == 2  # a new graph for the new value


def test_a_variable_counts_by_identity_and_is_read_live():
    v = tf.Variable(2.0)
    f = lambda x: v * x  # noqa: E731
    before = state_key(f)
    v.assign(5.0)
    assert state_key(f) == before  # no retrace needed: the graph reads v live
    assert slope(gradlab.compiled_derivative(f)) == 5.0


# --------------------------------------------------------------------------- descend


@pytest.mark.parametrize("kind", ["object", "method"])
def test_descend_follows_a_changed_attribute(kind):
    b = Bowl()
    f = b if kind == "object" else b.loss
    first = gradlab.descend(f, (0.0, 0.0), "sgd", 0.1, 100)
    assert first.points[-1][0] == pytest.approx(1.0, abs=1e-3)
    b.c = 2.0
    second = gradlab.descend(f, (0.0, 0.0), "sgd", 0.1, 100)
    assert second.points[-1][0] == pytest.approx(2.0, abs=1e-3)


def test_descend_with_untracked_state_runs_fresh_every_time():
    s = Slotted()
    s.a = 1.0
    f = lambda x, y: (x - s.a) ** 2 + y**2  # noqa: E731
    assert gradlab.descend(f, (0.0, 0.0), "sgd", 0.1, 100).points[-1][0] == pytest.approx(1.0, abs=1e-3)
    s.a = -1.0
    assert gradlab.descend(f, (0.0, 0.0), "sgd", 0.1, 100).points[-1][0] == pytest.approx(-1.0, abs=1e-3)


def test_descend_with_a_vector_loss_says_so_in_its_own_words():
    with pytest.raises(gradlab.FunctionError, match="must return one number, the loss") as caught:
        gradlab.descend(lambda x, y: tf.stack([x, y]), (1.0, 1.0))
    assert "partials" not in str(caught.value)
    assert "(2,)" in str(caught.value)


# --------------------------------------------------------------------------- the explorers


def test_tangent_explorer_of_a_bound_method_follows_the_object():
    p = Poly(1.0)
    explorer = gradlab.tangent_explorer(p.f, (-2, 2), x0=1.0)
    assert explorer.slope == pytest.approx(2.0)
    p.a = 3.0
    explorer.controls["x0"].value = 0.5
    assert explorer.slope == pytest.approx(3.0)  # f'(0.5) = 2 * 3 * 0.5
    assert explorer.y0 == pytest.approx(0.75)
    assert np.nanmax(explorer.panels["ax"].get_lines()[0].get_ydata()) == pytest.approx(12.0)  # redrawn


def test_descent_explorer_of_a_callable_object_follows_it():
    b = Bowl()
    b.c = 0.5
    explorer = gradlab.descent_explorer(b, start=(0.0, 0.0), learning_rate=0.1, steps=100)
    assert explorer.trajectory.points[-1][0] == pytest.approx(0.5, abs=1e-3)
    b.c = -0.5
    explorer.controls["steps"].value = 120  # any move recomputes the path
    assert explorer.trajectory.points[-1][0] == pytest.approx(-0.5, abs=1e-3)


def contour_levels(explorer, panel: str = "flat") -> np.ndarray:
    """The levels of the contour set drawn on ``panel`` (static: it shows f as it was drawn)."""
    from matplotlib.contour import ContourSet

    sets = [c for c in explorer.panels[panel].collections if isinstance(c, ContourSet)]
    sets = sets or [c for c in explorer.panels[panel].get_children() if isinstance(c, ContourSet)]
    return np.asarray(sets[0].levels)


@pytest.mark.parametrize("which", ["descent", "gradient"])
def test_kernel_contours_follow_a_changed_attribute(which):
    # The contours and surface were drawn once at build: after b.c changed they showed the old f.
    b = Bowl()
    b.c = 0.5
    if which == "descent":
        explorer = gradlab.descent_explorer(b, start=(0.0, 0.0), learning_rate=0.1, steps=20)
    else:
        explorer = gradlab.gradient_explorer(b, point=(0.0, 0.0), n=21)
    before = contour_levels(explorer)
    b.c = -3.0  # (x + 3)² + y² on the square: from 4 to 17, not 0 to 3.25
    explorer.controls["x0"].value = 0.5
    after = contour_levels(explorer)
    assert after.max() > 10 > before.max()
    z_now = float(b(tf.constant(0.5), tf.constant(0.0 if which == "gradient" else 0.0)))
    if which == "gradient":
        assert explorer.z == pytest.approx(z_now)



# --------------------------------------------------------------------------- messages and floats


def test_an_integer_constant_is_named_as_an_integer():
    for f in (lambda x: x**2 + tf.constant(1), lambda x: tf.constant(2) * x):
        with pytest.raises(gradlab.FunctionError, match=r"integer tensor \(int32\)") as caught:
            gradlab.derivative(f, 2.0)
        assert "float32 and float64" not in str(caught.value)
        assert "tf.constant(1.0)" in str(caught.value)


def test_a_constant_function_is_told_its_derivative_is_zero():
    with pytest.raises(gradlab.GradientError, match="constant function") as caught:
        gradlab.derivative(lambda x: 3.0, 1.0)
    assert "derivative is 0" in str(caught.value) and "left TensorFlow" not in str(caught.value)
    with pytest.raises(gradlab.GradientError, match="constant function"):
        gradlab.partials(lambda x, y: 2.0, 1.0, 1.0)
    # The suggested form works: a tensor that depends on x, with derivative 0.
    assert float(gradlab.derivative(lambda x: 3.0 + 0 * x, 1.0)[1]) == 0.0
    # A number that does move with x left TensorFlow, and is still told so.
    with pytest.raises(gradlab.GradientError, match="left TensorFlow"):
        gradlab.derivative(lambda x: float(x) ** 2, 1.0)


def test_derivative_and_tangent_line_agree_where_float32_overflows():
    y, dy = gradlab.derivative(tf.exp, 100.0)
    assert float(dy) == pytest.approx(np.exp(100.0), rel=1e-12)
    assert float(y) == pytest.approx(np.exp(100.0), rel=1e-12)
    assert gradlab.tangent_line(tf.exp, 100.0)[0] == float(dy)
    assert float(gradlab.compiled_derivative(tf.exp)(100.0)[1]) == float(dy)
    assert float(gradlab.nth_derivative(tf.exp, 100.0, 2)) == pytest.approx(np.exp(100.0), rel=1e-12)
    # Typed float32 input was a choice: it stays float32 (and overflows, as float32 does).
    y32, dy32 = gradlab.derivative(tf.exp, np.float32(100.0))
    assert dy32.dtype == np.float32 and np.isinf(dy32)
    # Where float32 is fine, Python numbers still give float32.
    assert gradlab.derivative(tf.exp, 1.0)[1].dtype == np.float32


def test_compiled_derivative_with_tf_functions_switched_off_still_finds_numpy_inside():
    tf.config.run_functions_eagerly(True)  # as a student (or a checker) may leave it
    with pytest.raises(gradlab.GradientError, match="part of f left TensorFlow"):
        gradlab.compiled_derivative(lambda x: x**2 + np.sin(x))(1.0)
    assert slope(gradlab.compiled_derivative(lambda x: x**3)) == 3.0  # the fixture restores it
