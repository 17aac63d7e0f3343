"""Dual numbers agree with the tape, and refuse non-numbers clearly."""

import math

import pytest
import tensorflow as tf

from gradlab import derivative, dual, partials
from gradlab.dual import Dual


def test_arithmetic_rules():
    x = Dual(3.0, 1.0)
    assert (x + 2).derivative == 1 and (2 - x).derivative == -1
    assert (x * x).derivative == 6 and (1 / x).derivative == pytest.approx(-1 / 9)
    assert (x**3).derivative == 27 and (2**x).derivative == pytest.approx(8 * math.log(2))
    assert (x**x).derivative == pytest.approx(27 * (math.log(3) + 1))


@pytest.mark.parametrize("name", ["sin", "cos", "exp", "log", "sqrt"])
def test_elementary_functions_match_the_tape(name):
    for v in (0.3, 1.7):
        d = getattr(dual, name)(Dual(v, 1.0))
        y, dy = derivative(getattr(tf.math, name), tf.constant(v, tf.float64))
        assert (d.value, d.derivative) == (pytest.approx(float(y)), pytest.approx(float(dy)))


def test_source_a_function_and_tangent_function():
    f = lambda x, y, s=dual.sin, c=dual.cos: c(x) * s(y) + x / y  # noqa: E731
    _, fx, fy = partials(lambda x, y: f(x, y, tf.sin, tf.cos), tf.constant(1.0, tf.float64),
                         tf.constant(2.0, tf.float64))
    assert f(Dual(1.0, 1.0), Dual(2.0)).derivative == pytest.approx(float(fx), abs=1e-14)
    assert f(Dual(1.0), Dual(2.0, 1.0)).derivative == pytest.approx(float(fy), abs=1e-14)
    t = Dual(4.1, 1.0)
    assert (dual.cos(t) * dual.sin(t) / dual.sqrt(t)).value == pytest.approx(0.23229685332631406)


@pytest.mark.parametrize("bad", ["2", None, [1.0], True])
def test_non_numbers_give_a_clear_type_error(bad):
    with pytest.raises(TypeError, match="Dual"):
        Dual(1.0, 1.0) + bad
    with pytest.raises(TypeError, match="must be a real number"):
        Dual(bad)


def test_domain_errors():
    with pytest.raises(ZeroDivisionError, match="undefined"):
        Dual(1.0) / Dual(0.0)
    with pytest.raises(ValueError, match="positive"):
        dual.log(Dual(-1.0, 1.0))
