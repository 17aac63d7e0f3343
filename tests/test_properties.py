"""Random compositions of elementary functions: the tape against sympy's exact derivatives.

Each example builds one expression twice, as a sympy expression and as a TensorFlow
function, from the same random tree, then compares first, second (and mixed partial)
derivatives at random points. float64 throughout; tolerance rtol 1e-7, atol 1e-9 (several
orders looser than float64's 1e-16, to allow for cancellation in long products).
"""

import numpy as np
import sympy as sp
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlab import derivative, nth_derivative, partials

X, Y = sp.symbols("x y")
EXAMPLES = 60

# Safe on the sampled domain x, y ∈ [0.5, 2]: log and sqrt get positive arguments,
# the quotient's denominator is ≥ 1.
UNARY = {
    "sin": (sp.sin, tf.sin), "cos": (sp.cos, tf.cos), "exp": (lambda e: sp.exp(e / 4), lambda t: tf.exp(t / 4)),
    "log": (lambda e: sp.log(1 + e**2), lambda t: tf.math.log(1 + t**2)),
    "sq": (lambda e: e**2, lambda t: t**2), "cube": (lambda e: e**3, lambda t: t**3),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b), "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (1 + b**2), lambda a, b: a / (1 + b**2)),
}


def trees(variables):
    leaves = st.sampled_from(variables) | st.integers(1, 3).map(lambda c: ("const", c))
    return st.recursive(
        leaves,
        lambda kids: st.tuples(st.sampled_from(sorted(UNARY)), kids)
        | st.tuples(st.sampled_from(sorted(BINARY)), kids, kids),
        max_leaves=5,
    )


def build(tree, env_sym, env_tf):
    """The same tree as (sympy expression, TensorFlow callable on the env)."""
    if isinstance(tree, str):
        return env_sym[tree], lambda env: env[tree]
    if tree[0] == "const":
        return sp.Integer(tree[1]), lambda env, c=tree[1]: tf.constant(float(c), tf.float64) + 0 * env["x"]
    if tree[0] in UNARY:
        s, t = UNARY[tree[0]]
        e, f = build(tree[1], env_sym, env_tf)
        return s(e), lambda env: t(f(env))
    s, t = BINARY[tree[0]]
    (e1, f1), (e2, f2) = build(tree[1], env_sym, env_tf), build(tree[2], env_sym, env_tf)
    return s(e1, e2), lambda env: t(f1(env), f2(env))


def close(got, want):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-7, atol=1e-9)


points = st.lists(st.floats(0.5, 2.0), min_size=1, max_size=4)
fast = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(trees(["x"]), points)
def test_derivative_and_second_derivative_match_sympy(tree, xs):
    expr, fn = build(tree, {"x": X}, None)
    f = lambda x: fn({"x": x})  # noqa: E731
    x = np.array(xs, dtype=np.float64)
    d1, d2 = sp.lambdify(X, sp.diff(expr, X)), sp.lambdify(X, sp.diff(expr, X, 2))
    _, got = derivative(f, x)
    close(got, np.broadcast_to(d1(x), x.shape))
    close(nth_derivative(f, x, 2), np.broadcast_to(d2(x), x.shape))


@fast
@given(trees(["x", "y"]), st.floats(0.5, 2.0), st.floats(0.5, 2.0))
def test_partials_match_sympy(tree, x0, y0):
    expr, fn = build(tree, {"x": X, "y": Y}, None)
    f = lambda x, y: fn({"x": x, "y": y}) + 0 * y  # noqa: E731  (keep y connected if unused)
    z, zx, zy = partials(f, np.float64(x0), np.float64(y0))
    at = {X: x0, Y: y0}
    close(z, float(expr.subs(at)))
    close(zx, float(sp.diff(expr, X).subs(at)))
    close(zy, float(sp.diff(expr, Y).subs(at)))

