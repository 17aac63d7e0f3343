"""Everyday mistakes, as careless students and teachers make them: each gets the right result
or a message naming the cause and the fix, never a silent wrong number or a traceback.

The first half replays every case of issue 12 and asserts its message. The second half is
property-based (hypothesis): it generates student-style mistakes (wrong dtypes, NumPy calls,
Python control flow on tensors, wrong shapes, None, NaN, text) against every public function
and every exercise check, and asserts "a correct result, or a ValueError/TypeError with a
message" (checks: "Feedback, never an exception").
"""

import io
import logging
import math
import threading

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import gradlab  # noqa: E402
from gradlab import calculus  # noqa: E402
from gradlab.calculus import (  # noqa: E402
    FunctionError,
    GradientError,
    check_gradient,
    compiled_derivative,
    derivative,
    finite_difference,
    nth_derivative,
    partials,
    tangent_line,
)
from gradlab.exercises import check, exercise_keys  # noqa: E402
from gradlab.exercises.checks import Feedback, call_attempt, run_check  # noqa: E402
from gradlab.widgets import base  # noqa: E402

C32 = tf.constant(3.0)  # float32, as students write it
C64 = tf.constant(3.0, tf.float64)
V32 = tf.Variable(2.0)


# --------------------------------------------------------------------------- one dtype policy


@pytest.mark.parametrize("f, slope", [
    (lambda x: C32 * x**2, lambda x: 6 * x),
    (lambda x: C64 * x**2, lambda x: 6 * x),
    (lambda x: V32 * x, lambda x: 2 + 0 * x),
], ids=["float32 constant", "float64 constant", "float32 Variable"])
@pytest.mark.parametrize("x", [1.5, np.linspace(-1, 1, 5), np.float32(0.5), tf.constant(0.5, tf.float64)],
                         ids=["python", "numpy grid", "np.float32", "tf.float64"])
def test_constants_of_either_float_type_just_work(f, slope, x):
    _, dy = derivative(f, x)
    np.testing.assert_allclose(dy, slope(np.asarray(x.numpy() if hasattr(x, "numpy") else x)), rtol=1e-6)
    np.testing.assert_allclose(compiled_derivative(f)(x)[1], dy, rtol=1e-6)
    np.testing.assert_allclose(nth_derivative(f, x, 1), dy, rtol=1e-6)


def test_constants_work_in_every_entry_point():
    f2 = lambda x, y: C32 * x**2 + y  # noqa: E731
    _, zx, zy = partials(f2, *np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3)))
    assert np.allclose(zy, 1.0) and zx[0, 0] == pytest.approx(-6.0)
    assert check_gradient(lambda x: C64 * tf.sin(x), [0.5, 1.0])
    assert float(finite_difference(lambda x: C64 * x, 1.0)) == pytest.approx(3.0)
    assert tangent_line(lambda x: C32 * x**2, 1.0) == pytest.approx((6.0, -3.0))
    gradlab.plot_tangent(lambda x: C32 * x**2, 1.0)
    explorer = gradlab.tangent_explorer(lambda x: C64 * x**2, (-2, 2), x0=1.0)
    explorer.controls["x0"].value = 1.5
    assert explorer.slope == pytest.approx(9.0) and "undefined" not in explorer.readout.value
    gx = gradlab.gradient_explorer(lambda x, y: C32 * x * y, point=(0.5, 0.5), n=11)
    assert gx.dz_dx == pytest.approx(1.5)
    dx = gradlab.descent_explorer(lambda x, y: C64 * x**2 + y**2, steps=5)
    assert dx.trajectory.steps == 5


def test_a_mix_of_float32_and_float64_inside_f_is_named():
    with pytest.raises(FunctionError, match="mixes float32 and float64"):
        derivative(lambda x: C32 * x + C64, 1.0)


# --------------------------------------------------------------------------- left TensorFlow


def test_numpy_inside_f_is_caught_by_partials_not_a_silent_zero():
    with pytest.raises(GradientError, match="left TensorFlow"):
        partials(lambda x, y: np.sin(x) * y, 0.5, 0.5)
    with pytest.raises(GradientError, match="left TensorFlow"):
        gradlab.gradient_explorer(lambda x, y: np.sin(x) * y, n=11)
    # a variable that f really does not use is still a true zero
    assert float(partials(lambda x, y: y**2, 0.5, 0.5)[1]) == 0.0


@pytest.mark.parametrize("f", [lambda x: tf.constant(math.sin(float(x))) * 1.0,
                               lambda x: tf.constant(x.numpy() ** 2)],
                         ids=["math.sin(float(x))", "x.numpy()"])
def test_value_leaving_tensorflow_is_named_for_one_variable(f):
    with pytest.raises(GradientError, match="left TensorFlow"):
        derivative(f, 0.7)


def test_compiled_derivative_of_round_is_an_error_not_none():
    with pytest.raises(GradientError, match="tf.round"):
        compiled_derivative(tf.round)(1.3)


# --------------------------------------------------------------------------- stale globals


def test_compiled_derivative_and_tangent_slider_follow_changed_globals():
    a = 1.0
    f = lambda x: a * x**2  # noqa: E731
    df = compiled_derivative(f)
    assert float(df(1.0)[1]) == 2.0
    explorer = gradlab.tangent_explorer(f, (-2, 2), x0=1.0)
    a = 4.0  # noqa: F841 - read by f
    assert float(df(1.0)[1]) == 8.0
    explorer.controls["x0"].value = 0.5
    assert explorer.slope == pytest.approx(4.0)
    assert np.nanmax(explorer.panels["ax"].get_lines()[0].get_ydata()) == pytest.approx(16.0)  # redrawn


# --------------------------------------------------------------------------- nth_derivative


def test_nth_derivative_refuses_non_elementwise_f_and_huge_orders():
    with pytest.raises(FunctionError, match="elementwise"):
        nth_derivative(lambda x: tf.stack([x, x**2]), 2.0, 1)
    with pytest.raises(ValueError, match="too high"):
        nth_derivative(lambda x: x**2, 1.0, 1000)
    assert float(nth_derivative(lambda x: x**3, 2.0, 60)) == 0.0  # deep, cheap, no RecursionError


def test_nth_derivative_stops_before_its_cost_explodes(monkeypatch):
    monkeypatch.setattr(calculus, "ORDER_BUDGET_SECONDS", 0.05)
    with pytest.raises(ValueError, match=r"would take more than .* ask for n <="):
        nth_derivative(lambda x: tf.exp(tf.sin(x)), 1.0, 14)


# --------------------------------------------------------------------------- explorers


def test_close_releases_widgets_and_figure():
    explorer = gradlab.tangent_explorer(tf.sin, (-2, 2), x0=1.0)
    ids = [w.model_id for w in (*explorer.controls.values(), explorer.image, explorer.widget)]
    explorer.close()
    assert explorer.figure.axes == [] and explorer.closed
    assert all(w.comm is None for w in (*explorer.controls.values(), explorer.image))
    assert ids and explorer.f is None


def test_rerunning_a_cell_closes_what_it_built_last_time(monkeypatch):
    run = iter(range(100))
    current = {"run": next(run)}
    monkeypatch.setattr(base, "_cell_key", lambda: ("cell-a", current["run"]))
    first, second = (gradlab.tangent_explorer(tf.sin, (-2, 2)) for _ in range(2))  # same run
    assert not first.closed and not second.closed
    current["run"] = next(run)  # the cell runs again
    third = gradlab.power_rule_explorer()
    assert first.closed and second.closed and not third.closed


def test_no_retracing_warning_reaches_the_notebook():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    tf.get_logger().addHandler(handler)
    try:
        for k in range(7):
            explorer = gradlab.tangent_explorer(lambda x, k=k: tf.sin(x) * k, (-1, 1))
            explorer.controls["x0"].value = 0.25
            explorer.close()
            gradlab.descend(lambda x, y, k=k: x**2 + k * y**2, (0.5, 0.5), steps=3)
    finally:
        tf.get_logger().removeHandler(handler)
    assert "retracing" not in stream.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda: gradlab.tangent_explorer(tf.sqrt, (-2, -1)), "not finite anywhere"),
    (lambda: gradlab.gradient_explorer(lambda x, y: tf.sqrt(-1 - x**2) * y, n=11), "not finite anywhere"),
    (lambda: gradlab.gradient_explorer(lambda x, y: x * y, point=(1, 2, 3)), "point must be a point"),
    (lambda: gradlab.gradient_explorer(lambda x, y: x * y, point="ab"), "point must be a point"),
    (lambda: gradlab.gradient_explorer(lambda x, y: x * y, x_range=("a", "b")), "x_range must be a pair"),
    (lambda: gradlab.gradient_explorer(lambda x, y: x * y, point=(5, 0)), "outside the slider's range"),
    (lambda: gradlab.power_rule_explorer(n_range=(6, -3)), "n_range is reversed"),
    (lambda: gradlab.power_rule_explorer(n=9), "n = 9 is outside"),
    (lambda: gradlab.power_rule_explorer(n=2.5), "whole number"),
    (lambda: gradlab.power_rule_explorer(x="2"), "x must be a single number"),
    (lambda: gradlab.descent_explorer(lambda x, y: x * y, max_steps=0), "max_steps must be at least 1"),
    (lambda: gradlab.descent_explorer(lambda x, y: x * y, steps=500), "steps = 500 is outside"),
    (lambda: gradlab.descent_explorer(lambda x, y: x * y, learning_rate=20), "learning_rate = 20 is outside"),
    (lambda: gradlab.descent_explorer(lambda x, y: x * y, start=(3, 0)), "outside the slider's range"),
    (lambda: gradlab.descent_explorer(lambda x, y: x * y, start=None), "start must be a point"),
    (lambda: gradlab.descent_explorer(lambda x, y: np.sin(x) * y), "left TensorFlow"),
    (lambda: gradlab.tangent_explorer(tf.sin, (0, 1), x0=5), "x0 = 5 is outside the slider's range"),
    (lambda: gradlab.tangent_explorer("sin"), "f must be a function"),
    (lambda: gradlab.tangent_explorer(tf.sin, n=1), "n must be at least 2"),
])
def test_explorer_arguments_get_messages(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value)
    assert "in user code" not in str(info.value)


def test_power_explorer_does_not_call_large_powers_undefined():
    explorer = gradlab.power_rule_explorer(n=40, x=10.0, n_range=(-3, 40), x_range=(-10, 10))
    assert "undefined" not in explorer.readout.value
    assert explorer.tape_slope == pytest.approx(40 * 10.0**39, rel=1e-9)
    explorer.controls["n"].value = -3
    explorer.controls["x"].value = 0.0
    assert "undefined" in explorer.readout.value


def test_start_value_lies_on_the_slider_grid_and_the_picture_keeps_its_size():
    explorer = gradlab.tangent_explorer(lambda x: tf.sin(x) / tf.sqrt(x), (0.05, 2 * np.pi), x0=4.1)
    s = explorer.controls["x0"]
    k = (4.1 - s.min) / s.step
    assert abs(k - round(k)) < 1e-9 and s.min + round(k) * s.step == pytest.approx(4.1, abs=1e-12)
    width = int(explorer.figure.bbox.width)
    assert explorer.image.layout.width == f"{width}px"


def test_descent_loss_axes_fit_the_path():
    explorer = gradlab.descent_explorer(lambda x, y: x**2 + 10 * y**2, steps=120)
    assert explorer.panels["loss"].get_xlim() == (0.0, 120.0)
    losses = explorer.trajectory.losses
    low, high = explorer.panels["loss"].get_ylim()
    assert low <= losses.min() and high >= losses.max() and high - low < 1.5 * np.ptp(losses)
    explorer.controls["steps"].value = 30
    assert explorer.panels["loss"].get_xlim() == (0.0, 30.0)


def test_a_failing_f_inside_a_slider_move_is_one_line():
    explorer = gradlab.tangent_explorer(lambda x: tf.sqrt(x), (0.5, 2), x0=1.0)
    explorer.controls["x0"].value = 0.5
    assert "\n" not in explorer.readout.value


# --------------------------------------------------------------------------- small functions


@pytest.mark.parametrize("h, message", [
    ("1e-3", "not the string"), (True, "a bool"), (1e-20, "too small"), (-1, "positive"),
    (float("nan"), "finite"), ([1e-3, 1e-4], "single number"),
])
def test_finite_difference_step_messages(h, message):
    with pytest.raises(ValueError, match=message):
        finite_difference(tf.sin, 1.0, h)


@pytest.mark.parametrize("h", [tf.constant(1e-3), np.array(1e-3), np.float32(1e-3)])
def test_finite_difference_accepts_numeric_steps_of_any_type(h):
    assert float(finite_difference(tf.sin, 1.0, h)) == pytest.approx(math.cos(1.0), rel=1e-5)


def test_tangent_line_where_the_slope_is_infinite():
    with pytest.raises(ValueError, match="no tangent line at x0 = 0"):
        tangent_line(tf.sqrt, 0)


def test_check_gradient_shapes_and_nonfinite_points():
    assert check_gradient(tf.sin, np.ones((3, 1))).points == 3
    with pytest.raises(ValueError, match="x is empty"):
        check_gradient(tf.sin, [])
    at_zero = check_gradient(tf.sqrt, [0.0, 1.0])  # not finite at 0: reported, not a verdict
    assert at_zero.ok and at_zero.nonfinite_x == (0.0,)
    assert "cannot be compared" in str(check_gradient(tf.sqrt, [0.0]))


# --------------------------------------------------------------------------- exercise checks


@pytest.mark.parametrize("key", ["01.4", "02.1", "02.2", "03.1", "05.3", "07.2", "08.1"])  # number answers
@pytest.mark.parametrize("answer", [[1.0, 2.0, 3.0, 4.0, 5.0], np.ones((2, 7))], ids=["5 numbers", "2x7"])
def test_wrong_sized_answers_are_feedback(key, answer):
    feedback = check(key, answer)
    assert feedback.status == "wrong" and str(np.size(answer)) in feedback.message  # how many it got


@pytest.mark.parametrize("answer, message", [
    ("18", "remove the quotes"), ([None, None], "tape.watch"), ({"a": 1}, "dict"), ([], "empty"),
    (float("nan"), "NaN"), ([[1, 2], [3]], "1 number"), (print, "function"),
])
def test_answer_forms_name_the_mistake(answer, message):
    feedback = check("02.2", answer)
    assert feedback.status == "wrong" and message in feedback.message


def test_none_mentions_the_tape():
    feedback = check("01.1", None)
    assert feedback.status == "unfinished" and "tape.watch" in feedback.message


def test_softplus_plus_a_constant_fails():
    feedback = check("01.3", lambda x: tf.math.log(1 + tf.exp(x)) + 42)
    assert feedback.status == "wrong" and "off by the same 42" in feedback.message


def test_a_curve_matching_at_the_fixed_points_fails():
    # Degree-5 Hermite interpolant of softplus through -2, 0, 1.5: right values and slopes there.
    pts = [-2.0, 0.0, 1.5]
    rows = [[p**k for k in range(6)] for p in pts] + [[k * p ** (k - 1) if k else 0 for k in range(6)] for p in pts]
    rhs = [math.log1p(math.exp(p)) for p in pts] + [1 / (1 + math.exp(-p)) for p in pts]
    coef = np.linalg.solve(np.array(rows), np.array(rhs))
    fake = lambda x: sum(float(c) * x**k for k, c in enumerate(coef))  # noqa: E731
    assert all(check("01.3", fake).status == "wrong" for _ in range(3))
    # 03.2: x·y plus a bump whose slopes vanish at the old fixed points
    g = lambda x, y: x * y + 0.3 * ((x - 1) * (x + 0.5) * (x - 2)) ** 2  # noqa: E731
    assert check("03.2", g).status == "wrong"


def test_01_2_with_numpy_or_python_control_flow_in_h():
    dh = lambda x: 2 * x * np.cos(x**2)  # noqa: E731
    numpy_h = check("01.2", (lambda x: tf.constant(np.sin(x.numpy() ** 2)), dh))
    assert numpy_h.status == "wrong" and "left TensorFlow" in numpy_h.message
    branchy_h = check("01.2", (lambda x: tf.sin(x**2) if x > -10 else x, dh))
    assert branchy_h.status == "correct"  # a Python `if` on one scalar tensor is fine


def test_an_infinite_loop_does_not_finish_main_thread_and_worker():
    def forever(*_args):
        while True:
            try:
                pass
            except Exception:  # noqa: BLE001 - students do this; the alarm must still stop it
                pass

    def grader(answer):  # checks run student code through call_attempt, which times it
        return call_attempt(answer)[1]

    feedback = run_check(grader, forever, time_limit=0.3)
    assert feedback.status == "wrong" and "did not finish" in feedback.message
    # From another thread no alarm is possible: the check's own daemon thread is abandoned.
    stop, box = threading.Event(), []

    def until_stopped():
        while not stop.is_set():  # a Python loop (one C call like sum(range(10**12)) holds the GIL)
            pass

    worker = threading.Thread(target=lambda: box.append(run_check(grader, until_stopped, 0.3)))
    worker.start()
    worker.join(10)
    # The abandoned check runs on with tf.functions eager (the observer's doing): the rest
    # of the kernel must not.
    assert not tf.config.functions_run_eagerly()
    stop.set()  # let the abandoned loop end, so it does not burn a core for the rest of the run
    assert box and "did not finish" in box[0].message and "background" in box[0].message


def test_a_check_that_raises_becomes_feedback():
    feedback = run_check(lambda a: 1 / 0, 2.0)
    assert feedback.status == "wrong" and "ZeroDivisionError" in feedback.message


# --------------------------------------------------------------------------- properties

# Student-style functions of one variable: (f, derivative or None when f is a mistake).
GOOD_1D = [
    (tf.sin, np.cos),
    (lambda x: x**3, lambda x: 3 * x**2),
    (lambda x: C32 * x**2, lambda x: 6 * x),
    (lambda x: C64 * tf.exp(x), lambda x: 3 * np.exp(x)),
    (lambda x: V32 * x, lambda x: 2 + 0 * x),
]
BAD_1D = [
    lambda x: np.sin(x),                          # NumPy inside
    lambda x: tf.constant(np.sin(x.numpy())),     # .numpy() and back
    lambda x: x if x > 0 else -x,                 # Python control flow on a tensor
    lambda x: None,                               # forgot return
    lambda x: "x squared",                        # a string
    lambda x: tf.reduce_sum(x),                   # not elementwise
    lambda x: tf.stack([x, x]),                   # wrong shape
    lambda x: tf.cast(x, tf.int32),               # integer
    tf.round,                                     # no gradient
    lambda x: 1 / 0,                              # raises
    lambda x: C32 * x + C64,                      # mixes float types
    lambda x: tf.sqrt(x),                         # NaN on negatives
    "tf.sin",                                     # not callable
]
FUNCTIONS = st.sampled_from([f for f, _ in GOOD_1D] + BAD_1D)

NUMBERS = st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 3))
POINTS = st.one_of(
    NUMBERS,
    st.integers(-3, 3),
    st.lists(NUMBERS, min_size=1, max_size=4),
    st.lists(NUMBERS, min_size=1, max_size=4).map(lambda v: np.array(v, np.float32)),
    st.lists(NUMBERS, min_size=1, max_size=4).map(lambda v: tf.constant(v, tf.float64)),
    st.sampled_from([float("nan"), float("inf"), None, "1.0", [], [[1.0, 2.0], [3.0]], ..., True,
                     np.zeros((2, 2)), tf.constant([1, 2]), tf.Variable(1.5), {"x": 1}]),
)


def outcome(call):
    """Run ``call``: its value, or the ValueError/TypeError it raised (checked for a message)."""
    try:
        return call()
    except (ValueError, TypeError) as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        assert "Traceback" not in str(error)
        return error


FAST = settings(max_examples=45, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(f=FUNCTIONS, x=POINTS)
def test_derivative_family_is_right_or_explains(f, x):
    result = outcome(lambda: derivative(f, x))
    good = dict((id(g), d) for g, d in GOOD_1D).get(id(f))
    if good is not None and not isinstance(result, Exception):
        xs = np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=float)
        finite = np.isfinite(xs)  # at NaN/inf the known derivative formulas say nothing
        np.testing.assert_allclose(np.broadcast_to(result[1], xs.shape)[finite],
                                   np.broadcast_to(good(xs), xs.shape)[finite], rtol=1e-5, atol=1e-5)
    outcome(lambda: compiled_derivative(f)(x))
    outcome(lambda: nth_derivative(f, x, 2))


@FAST
@given(f=FUNCTIONS, x=POINTS, h=st.sampled_from([None, 1e-4, "1e-3", 0, -1e-3, 1e-30, True, np.array(1e-3)]))
def test_numeric_checks_are_right_or_explain(f, x, h):
    outcome(lambda: finite_difference(f, x, h))
    result = outcome(lambda: check_gradient(f, x, h=h))
    if isinstance(result, calculus.GradientCheck):
        assert isinstance(str(result), str)
    outcome(lambda: tangent_line(f, x))


TWO_D = st.sampled_from([
    lambda x, y: x * y, lambda x, y: C32 * x**2 + y, lambda x, y: np.sin(x) * y,
    lambda x, y: x if x > y else y, lambda x, y: None, lambda x, y: tf.reduce_sum(x * y),
    lambda x, y: tf.constant(1.0), lambda x, y: tf.math.log(x) + y, lambda x, y: C64 * x - y,
])


@FAST
@given(f=TWO_D, x=POINTS, y=POINTS)
def test_partials_are_right_or_explain(f, x, y):
    result = outcome(lambda: partials(f, x, y))
    if f.__code__.co_code == (lambda x, y: x * y).__code__.co_code and not isinstance(result, Exception):
        # dz/dx of x*y is y wherever y is finite (x may be NaN or inf: dz/dy, not dz/dx, carries it)
        want = np.zeros(np.shape(result[1])) + np.asarray(y.numpy() if hasattr(y, "numpy") else y, float)
        np.testing.assert_allclose(result[1], want, rtol=1e-5, equal_nan=True)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(f=TWO_D, start=st.one_of(st.tuples(NUMBERS, NUMBERS), st.sampled_from([None, (1,), "ab", (1, 2, 3)])),
       lr=st.sampled_from([0.01, 0.1, 0, -1, "0.1", float("nan"), 5.0]),
       steps=st.sampled_from([0, 3, -1, 2.5, None]))
def test_descend_is_right_or_explains(f, start, lr, steps):
    result = outcome(lambda: gradlab.descend(f, start, "sgd", lr, steps))
    if isinstance(result, gradlab.Trajectory):
        assert result.points.shape[1] == 2


ANSWERS = st.one_of(
    NUMBERS, st.lists(NUMBERS, max_size=5), st.lists(st.lists(NUMBERS, min_size=2, max_size=2), max_size=3),
    st.sampled_from([None, ..., "18", "reverse", "b", {"b"}, {"a": 1}, [], [None, None], float("nan"),
                     float("inf"), True, tf.constant([1.0, 2.0]), np.array(["a"]), object(),
                     {"b", "c", "d"}]),
    FUNCTIONS, TWO_D,
)


@settings(max_examples=110, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(exercise_keys()), answer=ANSWERS)
def test_no_check_ever_raises(key, answer):
    feedback = check(key, answer)
    assert isinstance(feedback, Feedback)
    assert feedback.status in {"correct", "wrong", "unfinished"} and feedback.message


def test_rerunning_a_cell_in_a_real_kernel_frees_the_old_explorer():
    """Through ipykernel itself: with JupyterLab's cellId, and without (the cell's file name)."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3", startup_timeout=600)  # a busy machine starts slowly

    def run(code, cell=None):
        content = dict(code=code, silent=False, store_history=True, user_expressions={},
                       allow_stdin=False, stop_on_error=True)
        msg = kc.session.msg("execute_request", content, metadata={"cellId": cell} if cell else {})
        kc.shell_channel.send(msg)
        kc.get_shell_msg(timeout=120)
        out = []
        while True:
            m = kc.get_iopub_msg(timeout=120)
            if m["msg_type"] == "stream":
                out.append(m["content"]["text"])
            if m["msg_type"] == "error":
                out.append("error " + m["content"]["evalue"])
            if (m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                    and m["parent_header"].get("msg_id") == msg["header"]["msg_id"]):
                return "".join(out).strip()

    try:
        run("import gradlab, tensorflow as tf; built = []")
        cell = "e = gradlab.tangent_explorer(tf.sin); built.append(e)"
        for cell_id in ("cell-xyz", None):
            run("built.clear()")
            for _ in range(3):
                run(cell, cell_id)
            assert run("print([x.closed for x in built])") == "[True, True, False]", cell_id
    finally:
        km.shutdown_kernel(now=True)
