"""Notebooks 01-04 after the second teacher read (issue 20): 02.3's message and rule agree,
04's exercises rise (Newton's step before the crest), and no stub names a solution's locals."""

import ast
import re
from pathlib import Path

import jupytext
import numpy as np
import pytest
import tensorflow as tf

from gradlab import check
from gradlab.student import names_read, strip_solution

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def third_persistent(f, x):
    """One persistent tape, asked three times inside its block: each gradient is recorded."""
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(x)
        d1 = tape.gradient(y, x)
        d2 = tape.gradient(d1, x)
    return tape.gradient(d2, x)


def third_from_one_gradient(f, x):
    """Right numbers from one tape.gradient: f′ at x − h, x, x + h, then a second difference."""
    h = 1e-3
    xs = tf.cast(x, tf.float64) + tf.constant([-h, 0.0, h], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = f(xs)
    d1 = tape.gradient(y, xs)
    return tf.cast((d1[2] - 2 * d1[1] + d1[0]) / h**2, tf.float32)


def test_02_3_one_persistent_tape_asked_three_times_passes_and_the_message_says_so():
    feedback = check("02.3", third_persistent)
    assert feedback.solved, feedback
    assert "three tape.gradient calls" in feedback.message
    assert "nested tapes" not in feedback.message  # the rule does not require nesting


def test_02_3_one_gradient_call_gets_the_rule_in_words():
    feedback = check("02.3", third_from_one_gradient)
    assert feedback.status == "wrong", feedback
    counted = re.search(r"called tape.gradient (\d+) time\(s\) in (\d+) call\(s\)", feedback.message)
    assert counted and counted.group(1) == counted.group(2)  # one gradient per call, not three
    assert "nested tapes" in feedback.message and "persistent tape" in feedback.message


def test_04_2_is_newtons_step_and_04_3_the_crest():
    def newton_step(g, x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = g(x)
        return float(x - y / tape.gradient(y, x))

    assert check("04.2", newton_step).solved
    assert check("04.3", 3.8949).solved
    assert check("04.3", 3.9).status == "wrong"  # the slider's reading is not three decimals
    assert check("04.3", newton_step).status == "wrong"  # 04.3 wants a number


def _cells(name):
    return jupytext.read(NOTEBOOKS / name).cells


def _assigned(code):
    """Names a stub assigns at the cell's top level (`name = ...`, not indented)."""
    return {m.group(1) for m in re.finditer(r"^([A-Za-z_]\w*) = \.\.\.", code, re.M)}


@pytest.mark.parametrize("name", ["01_gradienttape_basics.py", "02_power_rule.py",
                                  "03_multivariable_partials.py", "04_tangent_line.py"])
def test_top_level_stubs_name_only_what_the_student_must_define(name):
    # 04.3's stub once read `lo, hi, mid, _, d, lo, hi = ...`: the bisection given away.
    cells = _cells(name)
    for number, cell in enumerate(cells, 1):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        # As the student copy does: a top-level stub keeps only the names later cells read.
        later = [c.source for c in cells[number:] if c.cell_type == "code"]
        stub = strip_solution(cell.source, needed=names_read(later))
        ast.parse(stub)  # the stub runs
        defined = {n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)}
        above = _assigned(cell.source.split("### BEGIN SOLUTION")[0])
        assert _assigned(stub) <= above | {"answer"}, f"{name}: the stub names {_assigned(stub) - above}"
        for function in defined:  # a function's stub raises only where the student has not written
            body = stub.split(f"def {function}(")[1].split("\ndef ")[0]  # up to the next function
            assert body.count("raise NotImplementedError()") <= 1


def test_01_3_the_lesson_s_silent_leak_fails_with_the_reason():
    def broken_softplus(x):  # as printed in notebook 01: a tensor comes back, the tape saw nothing
        e = np.exp(x.numpy())
        return tf.math.log(1 + e)

    feedback = check("01.3", broken_softplus)
    assert feedback.status == "wrong" and "left TensorFlow" in feedback.message
    assert check("01.3", lambda x: tf.math.log(1 + tf.exp(x))).solved


# Third teacher read: feedback that named the wrong cause, and prompts without their precision.

def third_persistent_asked_after(f, x):
    """x watched, but every gradient asked after the block: the later ones are not recorded."""
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(x)
    d1 = tape.gradient(y, x)
    d2 = tape.gradient(d1, x)
    return tape.gradient(d2, x)


def third_sequential_tapes(f, x):
    """Three tapes one after another, not nested: each watches x but records nothing of d1, d2."""
    with tf.GradientTape() as t1:
        t1.watch(x)
        y = f(x)
    d1 = t1.gradient(y, x)
    with tf.GradientTape() as t2:
        t2.watch(x)
    d2 = t2.gradient(d1, x)
    with tf.GradientTape() as t3:
        t3.watch(x)
    return t3.gradient(d2, x)


def third_nested_unwatched(f, x):
    """Nested tapes, no watch on the constant x: the first gradient is None already."""
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = f(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)


@pytest.mark.parametrize("answer", [third_persistent_asked_after, third_sequential_tapes])
def test_02_3_gradient_outside_its_tape_is_named_not_watch(answer):
    feedback = check("02.3", answer)
    assert feedback.status == "wrong", feedback
    assert "outside the tape" in feedback.message and "nest the tapes" in feedback.message
    assert "tape.watch(x) inside" not in feedback.message  # x was watched: not the cause


def test_02_3_unwatched_constant_still_gets_the_watch_hint():
    feedback = check("02.3", third_nested_unwatched)
    assert feedback.status == "wrong" and "tape.watch(x)" in feedback.message
    assert "outside the tape" not in feedback.message


def test_03_2_a_function_with_gradient_x_y_is_not_told_swapped():
    feedback = check("03.2", lambda x, y: 0.5 * (x**2 + y**2))
    assert feedback.status == "wrong", feedback
    assert "swapped" not in feedback.message
    assert "(x, y)" in feedback.message and "(y, x)" in feedback.message


def _prompt(name, start):
    """The markdown cell of notebook ``name`` that starts with ``start``."""
    return next(c.source for c in _cells(name) if c.cell_type == "markdown" and start in c.source)


def test_01_4_prompt_states_the_precision_and_the_check_accepts_it():
    assert "4 significant digits" in _prompt("01_gradienttape_basics.py", "**Exercise 4.**")
    assert check("01.4", (0.1563, 1.0)).solved  # 4 significant digits, rounded
    assert check("01.4", (0.1562, 1.0)).solved  # or cut off
    assert check("01.4", (0.156, 1.0)).status == "wrong"  # 3 are not enough


@pytest.mark.parametrize("wrong_softplus, words", [
    (lambda x: tf.math.log(1 + tf.exp(-x)), "wrong sign"),
    (lambda x: 1 / (1 + tf.exp(-x)), "logistic"),
    (lambda x: tf.math.log(2 + tf.exp(x)), "expected"),  # no hint fits: the numbers at one point
])
def test_01_3_wrong_softplus_gets_a_hint_or_the_expected_value(wrong_softplus, words):
    feedback = check("01.3", wrong_softplus)
    assert feedback.status == "wrong" and words in feedback.message, feedback
    assert "[" not in feedback.message  # one point at a time, not nine values in a row


def test_01_3_counts_agree_and_the_note_does_not_name_the_builtin():
    feedback = check("01.3", lambda x: tf.math.log(1 + tf.exp(x)))
    assert feedback.solved, feedback
    # 7 values (0 and the six slope points), 6 slopes: a failure lists the same points.
    assert "all 7 test points" in feedback.message and "the 6 of them other than x = 0" in feedback.message
    assert "away from 0" not in feedback.message  # a teacher's read: 6 what, how far away?
    notes = [c.source for c in _cells("01_gradienttape_basics.py") if c.cell_type == "markdown"]
    exercise = notes.index(_prompt("01_gradienttape_basics.py", "**Exercise 3.**"))
    assert not any("tf.math.softplus" in text for text in notes[exercise:exercise + 3])


def test_02_example_point_tells_value_and_derivatives_apart_or_says_so():
    text = _prompt("02_power_rule.py", "From here on x")
    assert "so we can see which one we got" not in text or "x³ itself" in text


def test_01_intro_says_exactly_up_to_rounding():
    assert "rounding" in _prompt("01_gradienttape_basics.py", "hands back its derivative")


def test_04_3_key_nests_tapes_instead_of_calling_the_helper():
    key = next(c.source for c in _cells("04_tangent_line.py") if "solution_04_3" in str(c.metadata))
    assert "nth_derivative" not in key and key.count("GradientTape") == 2


@pytest.mark.parametrize("key, answer, place", [
    ("01.2", (lambda x: tf.sin(x**2), lambda x: 2 * x * np.cos(x * x) + 1), "at x = "),
    ("01.1", lambda x: x, "at x = 1.5 "),
    ("04.1", lambda x0: (0.0, 0.0), "at x₀ = 2 "),
])
def test_one_argument_feedback_says_x_equals_not_a_bare_parenthesis(key, answer, place):
    feedback = check(key, answer)
    assert feedback.status == "wrong" and place in feedback.message, feedback
    assert not re.search(r"at \([-\d.]+\)", feedback.message)


# Fourth teacher read: answers that passed or were told the wrong cause.

@pytest.mark.parametrize("answer, words", [
    (-2 * (2 * 0.5 + 1) ** -2, "not right"),  # passed at the old x = 0.5: exponent kept, no inner slope
    (-(2 * 0.5 + 1) ** -1, "not right"),      # passed at x = 0.5 too
    (-2 * (2 * 1 + 1) ** -2, "two slips"),    # the same slips at x = 1: −2/9, named
    (-(2 * 1 + 1) ** -1, "not a slope"),
])
def test_02_2_two_cancelling_slips_fail_and_are_named(answer, words):
    feedback = check("02.2", answer)
    assert feedback.status == "wrong" and words in feedback.message, feedback


def test_02_2_asks_at_x_1_and_its_solution_passes():
    source = (NOTEBOOKS / "02_power_rule.py").read_text()
    assert "(2x + 1)⁻² at x = 1:" in source and "0.5 + 1" not in source
    assert check("02.2", -4 / 27).solved


def test_02_1_exponent_not_brought_down_is_named():
    feedback = check("02.1", 16)
    assert feedback.status == "wrong" and "bring the exponent down" in feedback.message


def third_nested_watch_innermost(f, x):
    """Nested tapes, but only the innermost watches the constant x: the outer two see nothing."""
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = f(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)


def test_02_3_outer_tapes_not_watching_is_named_not_nesting():
    feedback = check("02.3", third_nested_watch_innermost)
    assert feedback.status == "wrong", feedback
    assert "did not watch x" in feedback.message and "tape.watch(x) on every tape" in feedback.message
    assert "nest the tapes" not in feedback.message and "outside the tape" not in feedback.message


@pytest.mark.parametrize("seed", range(8))
def test_01_2_wrong_h_is_never_told_it_is_merely_imprecise(seed):
    # Both agree with sin(x²) to ~4 digits near 0, where a random test point may fall.
    dh = lambda x: 2 * x * np.cos(x * x)  # noqa: E731 - the right derivative
    feedback = check("01.2", (lambda x: tf.sin(x) ** 2, dh), seed=seed)
    assert feedback.status == "wrong", feedback
    assert "sin(x)²" in feedback.message and "tf.sin(x**2)" in feedback.message  # the slip, named
    feedback = check("01.2", (lambda x: x**2, dh), seed=seed)  # no hint for this one: the far point
    assert feedback.status == "wrong" and "at x = 1.5" in feedback.message, feedback
    for message in (feedback.message, check("01.2", (lambda x: tf.sin(x) ** 2, dh), seed=seed).message):
        assert "by eye" not in message and "close" not in message, message


def test_function_answers_close_at_a_point_are_told_to_check_the_formula():
    feedback = check("01.1", lambda x: 3 * x**2 - 2 + 1e-3)  # close everywhere, formula off
    assert feedback.status == "wrong" and "check the formula" in feedback.message
    assert "by eye" not in feedback.message


def test_03_3_tf_sinc_gets_its_nan_named():
    def sinc_bump(x, y):
        u = x**2 + y**2
        return tf.experimental.numpy.sinc(u / np.pi)

    feedback = check("03.3", sinc_bump)
    assert feedback.status == "wrong" and "sinc" in feedback.message, feedback


@pytest.mark.parametrize("rounded", [-0.1481, -0.1482, -4 / 27])
def test_02_2_four_significant_digits_pass_as_the_prompt_says(rounded):
    # A teacher's read: −0.1481 (−4/27 to 4 digits) was told "compute it rather than reading it off".
    assert check("02.2", rounded).solved


def test_02_2_three_digits_are_not_enough():
    assert not check("02.2", -0.148).solved


@pytest.mark.parametrize("answer, words", [
    ((0.156, 1.0), "Your derivative at 5, 0.156, has too few digits"),  # 0.15625 cut to 3 digits
    ((0.16, 1.0), "Your derivative at 5, 0.16, has too few digits"),
    ((0.390625, 1.0), "0.390625 is shrink(5), the function's value"),  # (5/8)², not its slope
    ((0.15625, 0.25), "0.25 is shrink(0.5), the function's value"),
])
def test_01_4_too_few_digits_and_the_function_s_value_are_named(answer, words):
    # A teacher's read: both got a bare "is not right".
    feedback = check("01.4", answer)
    assert feedback.status == "wrong" and words in feedback.message, feedback


def test_01_4_an_unrelated_wrong_pair_gets_no_slip_named():
    feedback = check("01.4", (0.3, 0.7))
    assert feedback.status == "wrong"
    assert "too few digits" not in feedback.message and "value" not in feedback.message, feedback
