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
from gradlab.student import strip_solution

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
    for cell in _cells(name):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        stub = strip_solution(cell.source)
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
