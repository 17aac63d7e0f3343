"""An outside reviewer's "careless student" list (review of the gradlab API): each case gets a
message that names the cause, never a traceback, a hang, or a silently wrong number."""

import math
import re
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gradlab  # noqa: E402
from gradlab._tf import tf  # noqa: E402
from gradlab.exercises.checks import answer_problem, call_attempt, run_check  # noqa: E402


class _BrokenArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("broken __array__")

    def __float__(self):
        raise RuntimeError("broken __float__")


class _BrokenNumpy:
    def numpy(self):
        raise RuntimeError("broken numpy()")


@pytest.mark.parametrize("key, answer", [
    ("02.1", 10**400), ("02.1", math.factorial(200)), ("02.1", 2**1024), ("03.1", [10**400, 1]),
])
def test_integers_too_large_for_a_float_are_feedback(key, answer):
    feedback = gradlab.check(key, answer)
    assert feedback.status == "wrong" and "too large to be a float" in feedback.message
    with pytest.raises(AssertionError, match="too large to be a float"):
        gradlab.grade(key, answer)


@pytest.mark.parametrize("answer", [_BrokenArray(), _BrokenNumpy()])
def test_an_answer_whose_conversion_raises_is_feedback(answer):
    feedback = gradlab.check("02.1", answer)
    assert feedback.status == "wrong" and "could not be read as numbers" in feedback.message
    assert "RuntimeError: broken" in feedback.message
    assert answer_problem(answer) is not None  # the helper itself never raises


def test_a_bare_except_cannot_swallow_the_time_limit():
    def minimise(steps, lr):
        x = 3.0
        while True:
            try:
                while True:
                    x = x - lr * 2 * (x - 1)
            except:  # noqa: E722 - exactly what the reviewer's student wrote
                pass

    before = sys.gettrace()
    feedback = run_check(lambda f: call_attempt(f, 10, 0.1)[1], minimise, time_limit=0.3)
    assert feedback.status == "wrong" and "did not finish within 0.3 s" in feedback.message
    assert sys.gettrace() is before  # the tracer used to stop it is gone again
    assert gradlab.check("02.1", 80.0).solved  # and the next check runs normally


# --------------------------------------------------------------------------- NumPy in part of f

LEFT = "part of f left TensorFlow"


@pytest.mark.parametrize("call", [
    lambda: gradlab.derivative(lambda x: x**2 + np.sin(x), 1.0),
    lambda: gradlab.derivative(lambda x: x * np.exp(x), [0.5, 1.0]),
    lambda: gradlab.derivative(lambda x: x**2 + math.sin(x), 1.0),
    lambda: gradlab.derivative(lambda x: x * float(x), 1.0),
    lambda: gradlab.nth_derivative(lambda x: x**2 + np.sin(x), 1.0, 1),
    lambda: gradlab.tangent_line(lambda x: x**2 + np.sin(x), 1.0),
    lambda: gradlab.compiled_derivative(lambda x: x**2 + np.sin(x))(1.0),
    lambda: gradlab.partials(lambda x, y: x * np.sin(y) + y, 1.0, 2.0),
])
def test_numpy_in_one_part_of_f_is_an_error_not_a_wrong_number(call):
    with pytest.raises(gradlab.GradientError, match=LEFT):
        call()


@pytest.mark.parametrize("f, x, want", [
    (lambda x: tf.where(x > 0, x, -x), [-1.0, 2.0], [-1.0, 1.0]),
    (lambda x: x if x > 0 else -x, -2.0, -1.0),              # Python control flow: tape is right
    (lambda x: x ** (int(x) % 2 + 2), 3.0, 27.0),            # int(x) as a count: piecewise
    (lambda x: tf.stop_gradient(x) * x, 3.0, 3.0),
    (lambda x: x * np.pi + np.float32(2.0), 1.0, np.pi),    # NumPy on constants only
    (lambda x: tf.abs(x) * 2.0, -1.0, -2.0),
])
def test_legitimate_functions_are_not_flagged(f, x, want):
    _, dy = gradlab.derivative(f, x)
    np.testing.assert_allclose(dy, want, rtol=1e-6)


# --------------------------------------------------------------------------- browser explorers

@pytest.mark.parametrize("make, message", [
    (lambda: gradlab.browser_tangent_explorer(lambda x: tf.sqrt(x), (-3, -1), steps=30),
     "not finite anywhere on x_range"),
    (lambda: gradlab.browser_tangent_explorer(lambda x: x**2, (0, 3), x0=10), "x0 = 10 is outside"),
    (lambda: gradlab.browser_tangent_explorer(lambda x: x**2, x0="abc"), "x0 must be a single number"),
    (lambda: gradlab.browser_tangent_explorer(lambda x: x**2, x0=float("nan")), "x0 must be finite"),
    (lambda: gradlab.browser_gradient_explorer(lambda x, y: tf.math.log(-x * x - y * y - 1), steps=10),
     "not finite anywhere"),
    (lambda: gradlab.browser_gradient_explorer(lambda x, y: x * y, point=0.5, steps=10),
     "point must be a point"),
    (lambda: gradlab.browser_gradient_explorer(lambda x, y: x * y, point=(5, 5), steps=10),
     "point's x = 5 is outside"),
    (lambda: gradlab.browser_gradient_explorer(lambda x, y: x * y, point=(0.1, 0.2, 0.3), steps=10),
     "point must be a point"),
    (lambda: gradlab.browser_power_rule_explorer(n=3.7), "n must be a whole number"),
    (lambda: gradlab.browser_power_rule_explorer(n_range=None), "n_range must be a pair"),
    (lambda: gradlab.browser_power_rule_explorer(n_range=(-3.5, 6.9)), "n_range must be two whole"),
    (lambda: gradlab.browser_power_rule_explorer(n_range="36"), "not the text '36'"),
    (lambda: gradlab.browser_power_rule_explorer(x=10.0), "x = 10 is outside"),
    (lambda: gradlab.browser_descent_explorer(lambda x, y: x * x + y * y, learning_rate=50.0, steps=5),
     "learning_rate = 50 is outside"),
    (lambda: gradlab.browser_descent_explorer(lambda x, y: x * x + y * y, learning_rate="0.1", steps=5),
     "learning_rate must be a single number"),
    (lambda: gradlab.browser_descent_explorer(lambda x, y: x * x + y * y, start=(float("nan"), 0), steps=5),
     "start's x must be finite"),
    (lambda: gradlab.browser_descent_explorer(lambda x, y: x**2 + y**2 if x > 0 else -x + y**2, steps=5),
     "use tf.where"),
    (lambda: gradlab.browser_descent_explorer(lambda x, y: x**2 + y**2 + np.sin(x), steps=5), LEFT),
    (lambda: gradlab.tangent_explorer(lambda x: x**2, "03"), "not the text '03'"),
])
def test_browser_explorers_validate_like_the_kernel_ones(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


# --------------------------------------------------------------------------- descend, nth, power

@pytest.mark.parametrize("kwargs, message", [
    ({"start": (2e6, 0.0)}, "start = (2e+06, 0) is too far out"),
    ({"start": (1e300, 1.0)}, "is too far out"),
    ({"start": (1.0, 1.0), "steps": 2**31}, "steps = 2147483648 is too many"),
])
def test_descend_names_a_start_or_steps_it_cannot_use(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        gradlab.descend(lambda x, y: x**2 + y**2, **kwargs)


def test_descend_refuses_a_start_where_f_is_undefined_and_never_returns_an_empty_path():
    with pytest.raises(ValueError, match="is nan, not a finite number"):
        gradlab.descend(lambda x, y: tf.sqrt(x) + y, (-1.0, 1.0), steps=3)
    path = gradlab.descend(lambda x, y: x**2 + y**2, (1.0, 1.0), learning_rate=3.0, steps=200)
    assert path.diverged and len(path.points) >= 1 and np.all(np.isfinite(path.points[-1]))


def test_nth_derivative_order_zero_names_a_list_result():
    with pytest.raises(gradlab.FunctionError, match=r"f returned a list of 2 values .* elementwise"):
        gradlab.nth_derivative(lambda x: [x, x], 2.0, 0)
    np.testing.assert_allclose(gradlab.nth_derivative(lambda x: 3.0, [1.0, 2.0], 0), [3.0, 3.0])


def test_power_rule_at_n_zero_and_x_zero_explains_the_tapes_nan():
    kernel = gradlab.power_rule_explorer(n=0, x=0.0)
    assert "0·∞" in kernel.readout.value and "power rule: 0" in kernel.readout.value
    assert "undefined" not in kernel.readout.value
    browser = gradlab.browser_power_rule_explorer(n=0, x=0.0, steps=60)
    assert "0·x<sup>−1</sup> = 0·∞" in browser.html and "The maths says 0" in browser.html
    assert "undefined" in gradlab.browser_power_rule_explorer(n=-1, x=0.0, steps=60).html


# --------------------------------------------------------------------------- nbgrader-cells

@pytest.mark.parametrize("name, text, message", [
    ("list.ipynb", "[]", "holds a JSON list, not a notebook"),
    ("cells.ipynb", '{"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid notebook"),
    ("plain.py", "x = 1\nprint(x)\n", "not a py:percent notebook"),
])
def test_nbgrader_cells_refuses_broken_files_by_name_and_changes_nothing(tmp_path, capsys, name, text, message):
    from gradlab.cli import main

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main(["nbgrader-cells", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert path.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- student copies

@pytest.mark.parametrize("solution, stub", [
    ("first, *rest = [1, 2, 3]\n", "# YOUR CODE HERE\nfirst = ...\nrest = ..."),
    ("(a, (b, c)) = 1, (2, 3)\n", "# YOUR CODE HERE\na = ...\nb = ...\nc = ..."),
    ("with open('/dev/null') as fh:\n    answer = 3\n", "# YOUR CODE HERE\nanswer = ..."),
    ("for i in range(3):\n    total = i\n", "# YOUR CODE HERE\ntotal = ..."),
    ("%time answer = 3\n", "# YOUR CODE HERE\nanswer = ..."),
])
def test_whole_cell_stubs_define_every_name_and_run(solution, stub):
    from gradlab.student import strip_solution

    assert strip_solution(solution) == stub
    exec(compile(stub, "<stub>", "exec"), {})  # noqa: S102 - the stub must run as it is


def test_a_region_inside_a_top_level_block_gets_no_raise_but_one_in_a_def_does():
    from gradlab.student import strip_solution

    block = "if True:\n    ### BEGIN SOLUTION\n    answer = 3\n    ### END SOLUTION\nprint(answer)\n"
    out = strip_solution(block)
    assert "raise" not in out and "    answer = ..." in out
    function = ("def f(x):\n    with open('/dev/null'):\n        ### BEGIN SOLUTION\n        y = x\n"
                "        ### END SOLUTION\n")
    assert "        raise NotImplementedError()" in strip_solution(function)


def test_student_copy_refuses_what_it_cannot_do_before_writing(tmp_path):
    from gradlab.student import student_copy

    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no .ipynb notebooks"):
        student_copy(tmp_path / "empty", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="give both a source and a target"):
        student_copy(tmp_path / "empty", "")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match="afile is a file, not a folder"):
        student_copy("notebooks", tmp_path / "afile" / "student")


@pytest.mark.parametrize("f, x", [
    (lambda x: tf.reduce_sum(x**2), [1.0, 2.0]),
    (lambda x: x + tf.zeros((3,), x.dtype), 1.0),
])
def test_finite_difference_refuses_non_elementwise_f(f, x):
    with pytest.raises(gradlab.FunctionError, match=r"finite_difference\(\) needs f to act elementwise"):
        gradlab.finite_difference(f, x)


@pytest.mark.parametrize("base, power, error, message", [
    ((0.0, 1.0), 0.5, ValueError, "no finite derivative at x = 0"),
    ((-2.0, 1.0), 0.5, ValueError, "not a real number"),
    ((10.0, 1.0), 400, OverflowError, "too large for a float"),
    ((-2.0, 1.0), (2.0, 1.0), ValueError, "log needs a > 0"),
])
def test_dual_powers_name_the_cause(base, power, error, message):
    from gradlab.dual import Dual

    exponent = Dual(*power) if isinstance(power, tuple) else power
    with pytest.raises(error, match=message):
        Dual(*base) ** exponent


def test_a_whole_constant_dual_exponent_works_for_negative_bases():
    from gradlab.dual import Dual

    assert Dual(-2.0, 1.0) ** Dual(2.0, 0.0) == Dual(4.0, -4.0)


def test_float32_overflow_is_named_and_tangent_line_uses_float64():
    slope, intercept = gradlab.tangent_line(lambda x: x, 1e20)
    assert (slope, intercept) == (1.0, 0.0)
    assert gradlab.tangent_line(tf.exp, 100.0)[0] == pytest.approx(np.exp(100.0), rel=1e-12)
    with pytest.raises(ValueError, match="f overflows at x0 = 1000"):
        gradlab.tangent_line(tf.exp, 1000.0)
    with pytest.raises(gradlab.FunctionError, match=r"too large for float32 .* np.float64\(x\)"):
        gradlab.derivative(lambda x: x, 1e39)
    with pytest.raises(gradlab.FunctionError, match="write it as a float"):
        gradlab.derivative(lambda x: x**2, 10**20)


def test_compiled_graphs_follow_attributes_and_big_containers_changed_in_place():
    class Settings:
        pass

    p = Settings()
    p.a = 2.0
    big_list, big_array = [2.0] * 5000, np.full(5000, 2.0)
    by_attribute = gradlab.compiled_derivative(lambda x: p.a * x)
    by_list = gradlab.compiled_derivative(lambda x: big_list[0] * x)
    by_array = gradlab.compiled_derivative(lambda x: big_array[0] * x)
    assert [float(df(1.0)[1]) for df in (by_attribute, by_list, by_array)] == [2.0, 2.0, 2.0]
    p.a, big_list[0], big_array[0] = 9.0, 11.0, 13.0
    assert [float(df(1.0)[1]) for df in (by_attribute, by_list, by_array)] == [9.0, 11.0, 13.0]


def test_check_gradient_at_a_large_x_uses_a_step_fine_enough_for_sin():
    assert gradlab.check_gradient(lambda x: tf.sin(x), [1e6])
    wrong_tape = gradlab.check_gradient(lambda x: tf.stop_gradient(x) * x, [2.0, 1e6])
    assert not wrong_tape  # a real disagreement is still reported
