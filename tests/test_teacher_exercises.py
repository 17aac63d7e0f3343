"""Teachers' own exercises: defined in a notebook, checked like the built-in ones, graded too."""

import math

import pytest

import gradlab
from gradlab._tf import tf
from gradlab.exercises.checks import check_function, check_value


def test_a_value_exercise_gives_the_same_feedback_as_the_generic_check():
    gradlab.exercise("t.value", reference=lambda: 2.0 * 6.0, hints={-12.0: "mind the sign of the slope"})
    assert gradlab.check("t.value", 12).solved
    assert repr(gradlab.check("t.value", -12.0)) == "❌ Not yet: mind the sign of the slope"
    assert gradlab.check("t.value", 24.0) == check_value(24.0, 12.0)  # same wording as catalog checks
    assert gradlab.check("t.value", ...).status == "unfinished"


def test_a_function_exercise_compares_at_the_inputs_and_knows_wrong_functions():
    gradlab.exercise("t.fn", reference=lambda x: x**3, kind="function", inputs=[-1.0, 0.5, 2.0],
                     hints=[(lambda x: 3 * x**2, "that is the derivative, not the function")])
    assert gradlab.check("t.fn", lambda x: x * x * x).solved
    assert repr(gradlab.check("t.fn", lambda x: 3 * x**2)).endswith("that is the derivative, not the function")
    got = gradlab.check("t.fn", lambda x: x**2)
    assert got == check_function(lambda x: x**2, lambda x: x**3, [(-1.0,), (0.5,), (2.0,)])
    assert gradlab.check("t.fn", "f").status == "wrong"


def test_a_gradient_exercise_is_checked_against_the_tape():
    gradlab.exercise("t.grad1", reference=lambda x: tf.sin(x) ** 2, kind="gradient", inputs=[-1.0, 0.3, 2.0])
    assert gradlab.check("t.grad1", lambda x: 2 * math.sin(x) * math.cos(x)).solved
    half = gradlab.check("t.grad1", lambda x: math.sin(x) * math.cos(x))
    assert not half.solved and f"expected {2 * math.sin(-1.0) * math.cos(-1.0):.6f}" in repr(half)
    gradlab.exercise("t.grad2", reference=lambda x, y: x**2 * y, kind="gradient", inputs=[(3, 2), (-1, 0.5)])
    assert gradlab.check("t.grad2", lambda x, y: (2 * x * y, x**2)).solved
    assert "swapped" in repr(gradlab.check("t.grad2", lambda x, y: (x**2, 2 * x * y)))


def test_grade_is_silent_when_right_and_raises_the_hint_when_not():
    gradlab.exercise("t.graded", reference=[1.0, 2.0])
    assert gradlab.grade("t.graded", (1, 2)) is None
    with pytest.raises(AssertionError, match=r"exercise t.graded: ❌ Not yet: .*swapped"):
        gradlab.grade("t.graded", (2, 1))
    with pytest.raises(AssertionError, match="exercise 02.1: ✏️ Not yet solved"):
        gradlab.grade("02.1", ...)


def test_redefining_replaces_the_exercise_as_rerunning_a_cell_should():
    gradlab.exercise("t.again", reference=1.0)
    gradlab.exercise("t.again", reference=2.0)
    assert gradlab.check("t.again", 2.0).solved and not gradlab.check("t.again", 1.0).solved


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"key": "02.1", "reference": 1.0}, "'02.1' is a built-in gradlab exercise"),
    ({"key": "my 1", "reference": 1.0}, "should be letters, digits"),
    ({"key": "k", "reference": 1.0, "kind": "number"}, "kind='number' is not one of"),
    ({"key": "k", "reference": "twelve"}, "must be numbers; got 'twelve'"),
    ({"key": "k", "reference": 1.0, "inputs": [1.0]}, "inputs are only for"),
    ({"key": "k", "reference": 3.0, "kind": "function", "inputs": [1.0]}, "needs a reference function"),
    ({"key": "k", "reference": math.sin, "kind": "function"}, "needs test points"),
    ({"key": "k", "reference": lambda x: 1 / x, "kind": "function", "inputs": [0.0]}, "ZeroDivisionError"),
    ({"key": "k", "reference": lambda x, y, z: x, "kind": "gradient", "inputs": [(1, 2, 3)]}, "one or two"),
])
def test_a_teachers_mistake_gets_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        gradlab.exercise(**kwargs)


def test_unknown_key_says_how_to_define_one():
    feedback = gradlab.check("nope.1", 1.0)
    assert feedback.status == "wrong" and "gradlab.exercise(key, reference" in feedback.message
    with pytest.raises(AssertionError, match="no exercise 'nope.1'"):
        gradlab.grade("nope.1", 1.0)


def test_the_readme_worked_example_runs_and_says_what_the_readme_quotes():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For teachers"):readme.index("## The package")]
    blocks = section.split("```python\n")[1:]
    namespace: dict = {}
    for block in blocks:
        exec(block.split("```")[0], namespace)  # noqa: S102 - the README's own example
    assert gradlab.check("my.1", namespace["dsin2"]).solved
    said = repr(gradlab.check("my.1", lambda x: math.sin(x) * math.cos(x)))
    flat = " ".join(section.replace("*", "").split())
    assert said in flat


@pytest.mark.parametrize("kwargs, message", [
    ({"reference": tf.sin, "kind": "gradient", "inputs": 5.0}, "inputs must be a list of test points"),
    ({"reference": tf.sin, "kind": "gradient", "inputs": None}, "inputs must be a list of test points"),
    ({"reference": tf.sin, "kind": "gradient", "inputs": ["a"]}, "each test point in inputs must be a number"),
    ({"reference": tf.sin, "kind": "gradient", "inputs": [None]}, "each test point in inputs must be a number"),
    ({"reference": lambda: 1 / 0}, "reference function of exercise 't.bad' raised ZeroDivisionError"),
    ({"reference": 1.0, "rtol": "0.1"}, "rtol must be a number >= 0"),
    ({"reference": 1.0, "rtol": -0.1}, "rtol must be a finite number >= 0"),
    ({"reference": 1.0, "atol": -1}, "atol must be a finite number >= 0"),
    ({"reference": 1.0, "hints": {"two": "msg"}}, "keyed by wrong numbers"),
    ({"reference": 1.0, "hints": [2.0, 3.0]}, "hints should be a dict"),
    ({"reference": tf.sin, "kind": "function", "inputs": [1.0], "hints": {lambda x: 1 / 0: "m"}},
     "fails at the test point (1.0,): ZeroDivisionError"),
    ({"reference": tf.sin, "kind": "function", "inputs": [1.0], "hints": {lambda x, y: x: "m"}},
     "missing 1 required positional argument"),
    ({"reference": tf.sin, "kind": "function", "inputs": [1.0], "hints": {2.0: "m"}}, "keyed by wrong functions"),
    ({"reference": None}, "the reference is None"),
    ({"reference": float("nan")}, "the reference is nan"),
    ({"reference": lambda x: None, "kind": "function", "inputs": [1.0]}, "the reference is None at the test point"),
    ({"reference": tf.sqrt, "kind": "function", "inputs": [1.0, -1.0]},
     "the reference is nan at the test point (-1.0,)"),
    ({"reference": lambda x: x**2 + math.sin(x), "kind": "gradient", "inputs": [1.0]}, "part of f left TensorFlow"),
])
def test_a_teachers_exercise_is_validated_when_defined(kwargs, message):
    with pytest.raises(ValueError) as error:
        gradlab.exercise("t.bad", **kwargs)
    assert message in str(error.value)
    assert gradlab.check("t.bad", 1.0).status == "wrong"  # nothing was registered


def test_a_two_variable_exercise_takes_its_points_as_array_rows():
    import numpy as np

    made = gradlab.exercise("t.rows", lambda x, y: x * y, "gradient", inputs=np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert made.inputs == ((1.0, 2.0), (3.0, 4.0))
    assert gradlab.check("t.rows", lambda x, y: (y, x)).solved
