"""Dual numbers: forward-mode differentiation in a few lines of plain Python.

A dual number ``a + b·ε`` with ``ε² = 0`` carries a value ``a`` and a derivative ``b``.
Push ``Dual(x, 1)`` through a function built from the operations below and the result's
``derivative`` is f'(x): each operation applies its own rule from calculus, in the same
order as the forward pass.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["Dual", "cos", "exp", "log", "sin", "sqrt"]


class Dual:
    """A value and its derivative with respect to one chosen input.

    Examples
    --------
    >>> x = Dual(2.0, 1.0)          # seed: dx/dx = 1
    >>> y = x * x * x
    >>> y.value, y.derivative
    (8.0, 12.0)
    """

    __slots__ = ("value", "derivative")

    def __init__(self, value: float, derivative: float = 0.0):
        for name, v in (("value", value), ("derivative", derivative)):
            if isinstance(v, bool) or not isinstance(v, Real):
                raise TypeError(f"Dual {name} must be a real number; got {v!r} ({type(v).__name__})")
        self.value = float(value)
        self.derivative = float(derivative)

    @staticmethod
    def lift(other: object) -> Dual:
        """A plain number as a constant (derivative 0); anything else is a clear TypeError."""
        if isinstance(other, Dual):
            return other
        if isinstance(other, Real) and not isinstance(other, bool):
            return Dual(float(other), 0.0)
        raise TypeError(
            f"cannot combine a Dual with {other!r} ({type(other).__name__}); "
            "use plain numbers or Dual values"
        )

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, derivative={self.derivative:.6g})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dual) and (self.value, self.derivative) == (
            other.value, other.derivative)

    __hash__ = None  # mutable-looking numbers should not be dict keys

    def __add__(self, other: object) -> Dual:
        o = Dual.lift(other)
        return Dual(self.value + o.value, self.derivative + o.derivative)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.derivative)

    def __sub__(self, other: object) -> Dual:
        return self + (-Dual.lift(other))

    def __rsub__(self, other: object) -> Dual:
        return Dual.lift(other) - self

    def __mul__(self, other: object) -> Dual:
        o = Dual.lift(other)  # product rule
        return Dual(self.value * o.value, self.derivative * o.value + self.value * o.derivative)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Dual:
        o = Dual.lift(other)  # quotient rule
        if o.value == 0:
            raise ZeroDivisionError("Dual division by a value of 0: f is undefined here")
        return Dual(self.value / o.value,
                    (self.derivative * o.value - self.value * o.derivative) / o.value**2)

    def __rtruediv__(self, other: object) -> Dual:
        return Dual.lift(other) / self

    def __pow__(self, power: object) -> Dual:
        if isinstance(power, Dual) and not (power.derivative == 0 and float(power.value).is_integer()):
            if self.value <= 0:
                raise ValueError(
                    f"Dual({self.value:g}, ...) ** a Dual exponent with a derivative: a^b is computed "
                    f"as exp(b·log a), and log needs a > 0; got a = {self.value:g}")
            return exp(power * log(self))  # a^b = exp(b log a)
        p = Dual.lift(power).value
        if p == 0:
            return Dual(1.0, 0.0)
        if self.value == 0 and p < 1:
            raise ValueError(f"x ** {p:g} has no finite derivative at x = 0 ({p:g}·0^{p - 1:g} is "
                             "infinite or undefined): choose another point")
        if self.value < 0 and not float(p).is_integer():
            raise ValueError(f"({self.value:g}) ** {p:g} is not a real number (a negative base with "
                             "a fractional power); use a positive value")
        try:
            return Dual(self.value**p, p * self.value ** (p - 1) * self.derivative)
        except OverflowError:
            raise OverflowError(f"{self.value:g} ** {p:g} is too large for a float (above 1.8e308): "
                                "use a smaller value or power") from None

    def __rpow__(self, base: object) -> Dual:
        return Dual.lift(base) ** self


def _unary(x: object, value: float, slope: float) -> Dual:
    d = Dual.lift(x)
    return Dual(value, slope * d.derivative)


def sin(x: Dual | float) -> Dual:
    """sin with d/dx sin = cos."""
    v = Dual.lift(x).value
    return _unary(x, math.sin(v), math.cos(v))


def cos(x: Dual | float) -> Dual:
    """cos with d/dx cos = −sin."""
    v = Dual.lift(x).value
    return _unary(x, math.cos(v), -math.sin(v))


def exp(x: Dual | float) -> Dual:
    """exp, its own derivative."""
    e = math.exp(Dual.lift(x).value)
    return _unary(x, e, e)


def log(x: Dual | float) -> Dual:
    """Natural log, d/dx log = 1/x (x > 0)."""
    v = Dual.lift(x).value
    if v <= 0:
        raise ValueError(f"log is only defined for positive values; got {v}")
    return _unary(x, math.log(v), 1.0 / v)


def sqrt(x: Dual | float) -> Dual:
    """Square root, d/dx √x = 1 / (2√x) (x > 0 for a finite derivative)."""
    v = Dual.lift(x).value
    if v <= 0:
        raise ValueError(f"sqrt needs a positive value for a finite derivative; got {v}")
    r = math.sqrt(v)
    return _unary(x, r, 0.5 / r)
