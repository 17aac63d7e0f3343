"""Plot helpers return their figure, never show it, and mask what is not finite."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

import gradlab


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_function_and_derivative_draws_two_labelled_curves():
    x = np.linspace(-1, 1, 11)
    fig, ax = gradlab.plot_function_and_derivative(x, x**2, 2 * x)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["$f(x)$", r"$\frac{df}{dx}$"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), 2 * x)


def test_nonfinite_values_are_masked_and_counted_on_the_axes():
    x = np.linspace(-1, 1, 5)
    with np.errstate(divide="ignore"):
        fig, ax = gradlab.plot_curves(x, {"1/x": 1 / x})
    assert np.ma.count_masked(ax.get_lines()[0].get_ydata()) == 1
    assert any("1 non-finite value(s) not drawn" in t.get_text() for t in ax.texts)


def test_tangent_line_has_the_tape_slope():
    fig, ax = gradlab.plot_tangent(lambda x: x**3, 1.0, (-2, 2))
    tangent = ax.get_lines()[1]
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert (ys[-1] - ys[0]) / (xs[-1] - xs[0]) == pytest.approx(3.0)
    assert "f'(x_0) = 3.0000" in ax.get_title()


@pytest.mark.parametrize("kind", ["surface", "contour3d"])
def test_surface_kinds_and_view(kind):
    X, Y = gradlab.grid((0, 6), (-6, 6), 30)
    Z = np.sin(np.hypot(X, Y))
    fig, ax = gradlab.plot_surface(X, Y, Z, kind=kind, view=(60, 90))
    assert (ax.elev, ax.azim) == (60, 90)
    assert ax.name == "3d"


def test_surface_rejects_unknown_kind():
    X, Y = gradlab.grid((0, 1), (0, 1), 3)
    with pytest.raises(ValueError, match="kind must be"):
        gradlab.plot_surface(X, Y, X, kind="wireframe")


def test_contour_with_gradient_arrows_points_uphill():
    X, Y = gradlab.grid((-1, 1), (-1, 1), 21)
    Z, Zx, Zy = gradlab.partials(lambda x, y: x**2 + y**2, X, Y)
    fig, ax = gradlab.plot_contour(X, Y, Z, gradient=(Zx, Zy), arrows=5)
    quiver = ax.collections[-1]
    offsets, U, V = quiver.get_offsets(), quiver.U, quiver.V
    # Away from the origin, each arrow points away from it (uphill on a bowl).
    dots = offsets[:, 0] * U + offsets[:, 1] * V
    assert np.all(dots[np.hypot(*offsets.T) > 0.1] > 0)


def test_helpers_draw_on_a_given_axes_without_new_figures():
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    gradlab.plot_curves([0, 1], {"a": [0, 1]}, ax=ax)
    assert plt.get_fignums() == before


def test_op_graph_separates_forward_and_backward():
    @tf.function
    def value_and_slope(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.sin(x) * x
        return y, tape.gradient(y, x)

    graph = value_and_slope.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
    ops = gradlab.op_graph(graph)
    assert ops.count("Sin", backward=False) == 1
    assert ops.count("Cos", backward=True) == 1  # d/dx sin = cos appears only in the gradient
    assert all(src in ops.nodes and dst in ops.nodes for src, dst in ops.edges)
    fig, ax = gradlab.plot_op_graph(graph)
    boxed_labels = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(boxed_labels) == len(ops.nodes)
    labels = {t.get_text() for t in boxed_labels}
    assert "x (input)" in labels  # inputs are named, not shown as bare "Placeholder"
    assert "seed f̄ = 1" in labels  # the backward pass visibly starts from ∂f/∂f = 1
    assert ops.seeds and ops.seeds <= ops.backward


def test_plot_tangent_takes_a_one_element_list_and_refuses_several_points():
    fig, ax = gradlab.plot_tangent(tf.sin, [1.0], x_range=(0, 3))
    assert "f'(x_0) = 0.5403" in ax.get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="x0 must be a single number"):
        gradlab.plot_tangent(tf.sin, [1.0, 2.0])


def test_plot_tangent_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="not finite anywhere on x_range = \\(-3, -0.5\\)"):
        gradlab.plot_tangent(tf.math.log, -1.0, x_range=(-3, -0.5))
    with pytest.raises(ValueError, match="no tangent .* choose x0 where f is defined"):
        gradlab.plot_tangent(tf.math.log, -1.0, x_range=(-3, 3))
    with pytest.raises(ValueError, match="above the limit"):
        gradlab.plot_tangent(tf.sin, 1.0, n=2_000_000_000)


def test_curves_near_a_pole_fit_the_typical_values_and_say_so():
    xs = np.linspace(-1, 1, 400)
    fig, ax = gradlab.plot_function_and_derivative(xs, 1 / xs, -1 / xs**2)
    low, high = ax.get_ylim()
    assert 5 < high - low < 200
    assert any(t.get_text().startswith("y-axis cut") for t in ax.texts)
    plt.close(fig)


def test_derivative_is_not_drawn_where_the_function_is_undefined():
    xs = np.linspace(-2, 5, 71)
    with np.errstate(invalid="ignore", divide="ignore"):
        fig, ax = gradlab.plot_function_and_derivative(xs, np.log(xs), 1 / xs)
    slope_line = ax.get_lines()[1]
    drawn = np.ma.masked_invalid(np.ma.filled(np.ma.asarray(slope_line.get_ydata(), float), np.nan))
    assert drawn[xs < 0].mask.all() and not drawn[xs > 0].mask.any()
    plt.close(fig)


def test_contours_and_surfaces_of_a_pole_show_the_typical_heights_and_say_so():
    X, Y = gradlab.grid((-1, 1), (-1, 1), 40)
    Z = 1 / (X**2 + Y**2 + 1e-4)  # a spike of ~700 at the centre; typical heights 0.5 .. 20
    fig, ax = gradlab.plot_contour(X, Y, Z)
    levels = ax.collections[0].levels if hasattr(ax.collections[0], "levels") else ax.collections[0].get_array()
    assert np.ptp(levels) < 200  # the levels span typical heights, not the spike's 700
    assert any(t.get_text().startswith("heights cut") for t in ax.texts)
    fig, ax = gradlab.plot_surface(X, Y, Z)
    assert np.ptp(ax.get_zlim()) < 200
    assert any(t.get_text().startswith("heights cut") for t in ax.texts)


def test_the_alt_text_says_what_a_cut_axis_leaves_out():
    from gradlab.accessibility import describe

    fig, _ = gradlab.plot_tangent(tf.tan, 1.0, (-3, 3))
    assert "y-axis cut to typical values" in describe(fig)
    fig, _ = gradlab.plot_tangent(tf.sin, 1.0, (-3, 3))
    assert "cut" not in describe(fig)
