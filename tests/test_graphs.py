"""The op-graph picture of notebooks 04 and 06: names that match the text, lines clear of boxes."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from gradlab import graphs

#: What each op type computes, to evaluate the expressions op_graph writes out.
OPS = {"Mul": lambda a, b: a * b, "RealDiv": lambda a, b: a / b, "Neg": lambda a: -a, "Sin": math.sin,
       "Cos": math.cos, "Sqrt": math.sqrt, "SqrtGrad": lambda y, dy: dy * 0.5 / y, "AddV2": lambda a, b: a + b,
       "AddN": lambda *terms: sum(terms)}


def traced(fn):
    """The graph of ``fn``'s value and its gradients with respect to its inputs ``x`` (and ``y``)."""
    if fn.__code__.co_argcount == 1:
        @tf.function
        def value_and_gradients(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                value = fn(x)
            return value, tape.gradient(value, x)

        return value_and_gradients.get_concrete_function(tf.TensorSpec([], tf.float64)).graph

    @tf.function
    def value_and_gradients(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            value = fn(x, y)
        return value, tape.gradient(value, [x, y])

    return value_and_gradients.get_concrete_function(tf.TensorSpec([], tf.float64), tf.TensorSpec([], tf.float64)).graph


@pytest.fixture(scope="module")
def two_inputs():
    return traced(lambda x, y: tf.cos(x) * tf.sin(y) + x / y)  # notebook 06's function


def test_seed_is_named_after_the_differentiated_value(two_inputs):
    assert graphs.op_graph(two_inputs).label(*graphs.op_graph(two_inputs).seeds) == "seed f\u0304 = 1"
    ops = graphs.op_graph(two_inputs, output="y")
    assert [ops.label(s) for s in ops.seeds] == ["seed \u0233 = 1"]  # ȳ, one character


def test_returned_gradients_are_named_after_their_inputs(two_inputs):
    ops = graphs.op_graph(two_inputs)
    assert sorted(ops.adjoints.values()) == ["x", "y"]
    by_input = {name: node for node, name in ops.adjoints.items()}
    assert ops.label(by_input["x"]) == "AddN = x\u0304"  # two paths from x (through cos x and x/y) are summed
    assert ops.label(by_input["y"]) == "AddN = \u0233"


def test_gradient_expressions_evaluate_to_the_hand_derivatives(two_inputs):
    ops = graphs.op_graph(two_inputs)
    x0, y0 = 0.7, -1.3
    by_input = {name: ops.expression(node) for node, name in ops.adjoints.items()}
    env = {**OPS, "x": x0, "y": y0}
    assert eval(by_input["x"], env) == pytest.approx(-math.sin(x0) * math.sin(y0) + 1 / y0)
    assert eval(by_input["y"], env) == pytest.approx(math.cos(x0) * math.cos(y0) - x0 / y0**2)


def test_one_input_graph_names_its_gradient_and_keeps_argument_order():
    ops = graphs.op_graph(traced(lambda x: tf.cos(x) * tf.sin(x) / tf.sqrt(x)), output="y")
    (node, name), = ops.adjoints.items()
    assert (ops.label(node), name) == ("AddN = x\u0304", "x")
    x0 = 4.1
    exact = (math.cos(2 * x0) * math.sqrt(x0) - math.sin(2 * x0) / 4 / math.sqrt(x0)) / x0
    assert eval(ops.expression(node), {**OPS, "x": x0}) == pytest.approx(exact)


def test_gradients_not_returned_in_input_order_are_left_unnamed():
    @tf.function
    def only_x(x, y):
        with tf.GradientTape() as tape:
            tape.watch(x)
            f = x * y
        return f, tape.gradient(f, x)  # one gradient for two inputs: which is which is not known

    graph = only_x.get_concrete_function(tf.TensorSpec([]), tf.TensorSpec([])).graph
    ops = graphs.op_graph(graph)
    assert ops.adjoints == {}
    assert not any("\u0304" in ops.label(n) for n in ops.nodes if n not in ops.seeds)


def test_bad_output_name_is_a_clear_error(two_inputs):
    with pytest.raises(ValueError, match="output must be"):
        graphs.op_graph(two_inputs, output="")


def _segments(artist, ax):
    """An edge's drawn pieces, in display coordinates."""
    if hasattr(artist, "get_xydata"):
        points = ax.transData.transform(artist.get_xydata())
    else:  # the arrow: from its tail to its head
        points = ax.transData.transform([artist.xyann, artist.xy])
    return list(zip(points[:-1], points[1:], strict=True))


@pytest.mark.parametrize("which", ["one input", "two inputs"])
def test_no_line_runs_through_a_box_it_does_not_connect(which, two_inputs):
    graph = two_inputs if which == "two inputs" else traced(lambda x: tf.cos(x) * tf.sin(x) / tf.sqrt(x))
    fig, ax = graphs.plot_op_graph(graph)
    fig.draw_without_rendering()
    boxed = [t for t in ax.texts if t.get_bbox_patch() is not None]
    boxes = {t.get_gid(): t.get_bbox_patch().get_window_extent().padded(-1) for t in boxed}
    drawn = [a for a in [*ax.lines, *ax.texts] if a.get_gid() and "->" in a.get_gid()]
    ops = graphs.op_graph(graph)
    assert {a.get_gid() for a in drawn} == {f"{s}->{d}" for s, d in ops.edges}
    for artist in drawn:
        ends = set(artist.get_gid().split("->"))
        for start, stop in _segments(artist, ax):
            for t in np.linspace(0, 1, 60):
                px, py = start + t * (stop - start)
                hit = [n for n, box in boxes.items() if n not in ends and box.contains(px, py)]
                assert not hit, f"edge {artist.get_gid()} runs through the box of {hit}"
    plt.close(fig)


def test_every_operation_gets_one_box_coloured_by_pass(two_inputs):
    fig, ax = graphs.plot_op_graph(two_inputs)
    ops = graphs.op_graph(two_inputs)
    boxes = {t.get_gid(): t for t in ax.texts if t.get_gid() in ops.nodes}
    assert set(boxes) == set(ops.nodes)
    for name, text in boxes.items():
        colour = graphs.BACKWARD_COLOUR if name in ops.backward else graphs.FORWARD_COLOUR
        assert np.allclose(text.get_bbox_patch().get_facecolor()[:3], plt.matplotlib.colors.to_rgb(colour))
    plt.close(fig)


def test_edges_are_solid_under_gradlab_s_dashed_style_cycle(two_inputs):
    # gradlab's cycle gives each plotted line its own dash pattern; an edge's pattern would
    # read as a meaning it does not have.
    from gradlab import style

    with plt.rc_context({"axes.prop_cycle": style.cycler()}):
        fig, ax = graphs.plot_op_graph(two_inputs)
    assert len(ax.lines) > 6
    assert {line.get_linestyle() for line in ax.lines} == {"-"}
    plt.close(fig)
