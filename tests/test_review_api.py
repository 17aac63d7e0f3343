"""An outside reviewer's "careless student" list (review of the gradlab API): each case gets a
message that names the cause, never a traceback, a hang, or a silently wrong number."""

import math
import sys

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import gradlab  # noqa: E402
from gradlab.exercises.checks import answer_problem, run_check  # noqa: E402


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
    feedback = run_check(lambda f: f(10, 0.1), minimise, time_limit=0.3)
    assert feedback.status == "wrong" and "did not finish within 0.3 s" in feedback.message
    assert sys.gettrace() is before  # the tracer used to stop it is gone again
    assert gradlab.check("02.1", 80.0).solved  # and the next check runs normally
