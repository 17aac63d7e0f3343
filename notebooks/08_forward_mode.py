# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Forward mode, and what a gradient costs
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/08_forward_mode.ipynb)
#
# The tape works backwards (reverse mode). There is a second way to differentiate
# automatically: carry each derivative **forwards**, alongside the value, in the same
# pass. This notebook builds forward mode from scratch with dual numbers, meets
# TensorFlow's own version, and counts what each mode costs (a stopwatch only
# illustrates it).

# %%
# Set-up. On Colab: install gradlab-tf, the package of these notebooks (Colab has TensorFlow).
import subprocess
import sys

if "google.colab" in sys.modules:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "gradlab-tf==0.1.0"], capture_output=True, text=True)
    if pip.returncode:  # what pip says is wrong, then what to run once it is fixed
        print(pip.stderr.strip() + '\nThen run this cell again, or: pip install "gradlab-tf==0.1.0"')
import gradlab

tensorflow = gradlab.import_tensorflow()  # loaded once, without its C++ start-up log

# %%
import timeit

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
import tensorflow as tf

import gradlab

# %% [markdown]
# ## Dual numbers
#
# A dual number a + b·ε has a value a and a derivative b, with the rule ε² = 0. Then
# (a + bε)(c + dε) = ac + (ad + bc)ε: the value parts multiply (ac), and the ε part is
# exactly the product rule. Every operation can carry its derivative this way, each in a
# line or two. Here is the whole of forward-mode differentiation for +, −, ×, ÷, constant
# powers, sin, cos and sqrt:

# %%
class Dual:
    """A value and its derivative with respect to one chosen input."""

    def __init__(self, value, derivative=0.0):
        self.value, self.derivative = float(value), float(derivative)

    def __repr__(self):
        return f"Dual(value={self.value:.6g}, derivative={self.derivative:.6g})"


def lift(a):
    """A plain number is a constant: derivative 0."""
    return a if isinstance(a, Dual) else Dual(a, 0.0)


def add(a, b):
    a, b = lift(a), lift(b)
    return Dual(a.value + b.value, a.derivative + b.derivative)


def mul(a, b):  # the product rule
    a, b = lift(a), lift(b)
    return Dual(a.value * b.value, a.derivative * b.value + a.value * b.derivative)


def div(a, b):  # the quotient rule
    a, b = lift(a), lift(b)
    return Dual(a.value / b.value, (a.derivative * b.value - a.value * b.derivative) / b.value**2)


def power(a, n):  # the power rule, for a constant exponent n
    return Dual(a.value**n, n * a.value ** (n - 1) * a.derivative)


Dual.__add__ = Dual.__radd__ = add
Dual.__sub__ = lambda a, b: add(a, mul(b, -1.0))
Dual.__rsub__ = lambda a, b: add(b, mul(a, -1.0))
Dual.__mul__ = Dual.__rmul__ = mul
Dual.__truediv__ = div
Dual.__rtruediv__ = lambda a, b: div(b, a)
Dual.__pow__ = power


def sin(a):  # each function: its value, and its derivative times the inner one (chain rule)
    return Dual(np.sin(a.value), np.cos(a.value) * a.derivative)


def cos(a):
    return Dual(np.cos(a.value), -np.sin(a.value) * a.derivative)


def sqrt(a):
    return Dual(np.sqrt(a.value), a.derivative / (2 * np.sqrt(a.value)))

# %% [markdown]
# That is all: about forty lines. (`gradlab.dual.Dual` is the same idea with input checks;
# `gradlab.dual.exp` and `gradlab.dual.log` go with it.) Seed x with derivative 1, meaning
# "differentiate with respect to x":

# %%
x = Dual(2.0, 1.0)  # value 2, and dx/dx = 1: "differentiate with respect to x"
y = x**3
print(y)

# %% [markdown]
# ### Through the function of notebook 06
#
# f(x, y) = cos x · sin y + x / y. One forward pass per input: seed x with derivative 1 to
# get ∂f/∂x, then seed y for ∂f/∂y.

# %%
def f(x, y, sin=sin, cos=cos):
    return cos(x) * sin(y) + x / y


x0, y0 = 1.0, 2.0
df_dx = f(Dual(x0, 1.0), Dual(y0, 0.0)).derivative
df_dy = f(Dual(x0, 0.0), Dual(y0, 1.0)).derivative
_, tape_dx, tape_dy = gradlab.partials(lambda a, b: f(a, b, tf.sin, tf.cos), tf.constant(x0, tf.float64),
                                       tf.constant(y0, tf.float64))
print(f"dual numbers: df/dx = {df_dx:.12f}, df/dy = {df_dy:.12f}")
print(f"tape        : df/dx = {float(tape_dx):.12f}, df/dy = {float(tape_dy):.12f}")

# %% [markdown]
# ### Through the tangent-line function of notebook 04

# %%
t = Dual(4.1, 1.0)
g = cos(t) * sin(t) / sqrt(t)
tape_value, tape_slope = gradlab.derivative(lambda x: tf.cos(x) * tf.sin(x) / tf.sqrt(x),
                                            tf.constant(4.1, tf.float64))
print(f"dual numbers: f(4.1) = {g.value:.12f}, f'(4.1) = {g.derivative:.12f}")
print(f"tape, float64: f(4.1) = {float(tape_value):.12f}, f'(4.1) = {float(tape_slope):.12f}")
gap = max(abs(g.value - float(tape_value)), abs(g.derivative - float(tape_slope)))
print("they agree to 12 decimals:", gap < 5e-13)

# %% [markdown]
# Both run in float64 (Python floats are float64), where 12 decimals are well within the
# roughly 16 significant digits the format holds, and they agree to the last digit or
# so. (In float32, TensorFlow's default, only about 7 significant digits would mean
# anything: −0.1958255 and no more.) Forward mode needs no record of the past: each value
# travels with its derivative and is done.

# %% [markdown]
# ## TensorFlow's forward mode: `ForwardAccumulator`
#
# For a function of many inputs, one forward pass pushes one input *direction* u through:
# it computes the Jacobian-vector product J·u (a JVP). The tape goes the other way: one
# backward pass pulls one output weighting w back, giving the vector-Jacobian product
# wᵀ·J (a VJP). Below, `p` is the point and `u`, `w` are directions.
#
# For h(p) = (p₀·p₁, sin p₂ + 3p₀, p₁²) the Jacobian at p = (1, 2, 3) is
# [[2, 1, 0], [3, 0, cos 3], [0, 4, 0]]: its column 0 is (2, 3, 0), its row 0 is (2, 1, 0).

# %%
def h(p):
    return tf.stack([p[0] * p[1], tf.sin(p[2]) + 3 * p[0], p[1] ** 2])


p = tf.constant([1.0, 2.0, 3.0], tf.float64)
u = tf.constant([1.0, 0.0, 0.0], tf.float64)  # input direction e₀
with tf.autodiff.ForwardAccumulator(primals=p, tangents=u) as acc:
    out = h(p)
print("JVP  J·e₀  =", acc.jvp(out).numpy())  # column 0 of the Jacobian: how every output moves with p₀

w = tf.constant([1.0, 0.0, 0.0], tf.float64)  # output weighting e₀
with tf.GradientTape() as tape:
    tape.watch(p)
    out = h(p)
print("VJP  e₀ᵀ·J =", tape.gradient(out, p, output_gradients=w).numpy())  # row 0: how output 0 moves with each input

# %% [markdown]
# ### The whole Jacobian, both ways
#
# Forward mode builds it a column per input direction; reverse mode a row per output.

# %%
columns = []
for e in tf.eye(3, dtype=tf.float64):
    with tf.autodiff.ForwardAccumulator(p, e) as acc:
        out = h(p)
    columns.append(acc.jvp(out))
J_forward = tf.stack(columns, axis=1)

with tf.GradientTape() as tape:
    tape.watch(p)
    out = h(p)
J_reverse = tape.jacobian(out, p)
print(J_forward.numpy())
print(f"largest difference from tape.jacobian: {np.max(np.abs(J_forward - J_reverse)):.1e}")

# %% [markdown]
# ## When each mode wins
#
# Counting passes says it all:
#
# - f: Rⁿ → R (a loss of n weights): reverse mode needs **1** pass, forward mode **n**.
# - g: R → Rⁿ (a curve in n dimensions): forward mode needs **1**, reverse mode **n**.
#
# Let us put passes on a clock, with one warning first: the clock measures more than the
# passes. Each pass below is one call of a function compiled with `tf.function`. At these
# sizes a pass's arithmetic takes microseconds, while *calling* a compiled function costs a
# fixed amount (a fraction of a millisecond to a few milliseconds, depending on the machine
# and on how busy it is). So when the losing mode makes its n passes as n calls in a Python
# loop, its time is mostly n call costs, not n passes of arithmetic.
#
# TensorFlow can also run the n passes as one *vectorised* call (`tf.vectorized_map` for
# the forward passes, `tape.jacobian` for the backward ones): the n passes' arithmetic
# happens together, for one call's fixed cost. We time that too. The work is still n
# passes, but they are no longer n calls.
#
# The two functions: a loss of n weights, and a curve with n coordinates.

# %%
def loss(w):  # Rⁿ → R
    return tf.reduce_sum(tf.sin(w) * w)


def curve(t, ks):  # R → Rⁿ: one sine per frequency in ks = (1, 2, ..., n)
    return tf.sin(t * ks)

# %% [markdown]
# The loss's full gradient in reverse mode: one backward pass.

# %%
@tf.function(reduce_retracing=True)
def loss_vjp(w):
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = loss(w)
    return tape.gradient(y, w)

# %% [markdown]
# In forward mode, one pass per input direction e gives one partial derivative ∂loss/∂wᵢ;
# the full gradient needs n of them.

# %%
@tf.function(reduce_retracing=True)
def loss_jvp(w, e):
    with tf.autodiff.ForwardAccumulator(w, e) as acc:
        y = loss(w)
    return acc.jvp(y)

# %% [markdown]
# The curve's derivative (all n coordinates) in forward mode: one pass, seeded with dt = 1.

# %%
@tf.function(reduce_retracing=True)
def curve_jvp(t, ks):
    with tf.autodiff.ForwardAccumulator(t, tf.ones_like(t)) as acc:
        y = curve(t, ks)
    return acc.jvp(y)

# %% [markdown]
# In reverse mode, one backward pass per output weighting u gives one coordinate's
# derivative; all of them need n passes.

# %%
@tf.function(reduce_retracing=True)
def curve_vjp(t, u, ks):
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = curve(t, ks)
    return tape.gradient(y, t, output_gradients=u)

# %% [markdown]
# The same n passes of each losing mode, vectorised into one call:

# %%
@tf.function(reduce_retracing=True)
def loss_jvp_vectorised(w, basis):  # all n forward passes, one per row of basis, in one call
    def one_direction(e):
        with tf.autodiff.ForwardAccumulator(w, e) as acc:
            y = loss(w)
        return acc.jvp(y)
    return tf.vectorized_map(one_direction, basis)


@tf.function(reduce_retracing=True)
def curve_vjp_vectorised(t, ks):  # all n backward passes in one call: the Jacobian, an n-vector
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = curve(t, ks)
    return tape.jacobian(y, t)

# %%
def best(fn, repeat=5):
    """Fastest of a few runs: the least disturbed by whatever else the machine is doing."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


sizes = [1, 4, 16, 64, 256, 1024]
times = {"f: reverse": [], "f: forward": [], "f: forward, vectorised": [],
         "g: forward": [], "g: reverse": [], "g: reverse, vectorised": []}
t0 = tf.constant(0.5)
for n in sizes:
    w = tf.random.stateless_normal([n], seed=[1, 2])
    ks = tf.range(1, n + 1, dtype=tf.float32)
    eye = tf.eye(n)
    basis = tf.unstack(eye)  # unit vectors, sliced once outside the timing
    times["f: reverse"].append(best(lambda: loss_vjp(w)))
    times["f: forward"].append(best(lambda: [loss_jvp(w, e) for e in basis]))
    times["f: forward, vectorised"].append(best(lambda: loss_jvp_vectorised(w, eye)))
    times["g: forward"].append(best(lambda: curve_jvp(t0, ks)))
    times["g: reverse"].append(best(lambda: [curve_vjp(t0, u, ks) for u in basis]))
    times["g: reverse, vectorised"].append(best(lambda: curve_vjp_vectorised(t0, ks)))

# %% [markdown]
# All six compute the same derivatives; only the number of passes and calls differs:

# %%
grad_reverse = loss_vjp(w)
grad_forward = tf.stack([loss_jvp(w, e) for e in basis])
grad_vectorised = loss_jvp_vectorised(w, eye)
curve_forward = curve_jvp(t0, ks)
curve_reverse = tf.stack([curve_vjp(t0, u, ks) for u in basis])
print(f"n = {n}: f's gradient, largest difference between modes "
      f"{max(np.max(np.abs(grad_forward - grad_reverse)), np.max(np.abs(grad_vectorised - grad_reverse))):.1e}")
print(f"n = {n}: g's derivative, largest difference between modes "
      f"{max(np.max(np.abs(curve_reverse - curve_forward)), np.max(np.abs(curve_vjp_vectorised(t0, ks) - curve_forward))):.1e}")
for name, passes, calls in [("f: reverse", 1, 1), ("f: forward", n, n), ("f: forward, vectorised", n, 1),
                            ("g: forward", 1, 1), ("g: reverse", n, n), ("g: reverse, vectorised", n, 1)]:
    print(f"{name:<23} passes: {passes:>5}   calls: {calls:>5}")

# %% tags=["nbval-ignore-output"]
fig, ax = plt.subplots(figsize=(6.4, 4.4))
# each series its own marker and line style: the six stay apart in grey print and for colour-blind readers
for (name, ts), style in zip(times.items(), ["o-", "s--", "v:", "^-", "D--", "x:"]):
    ax.loglog(sizes, ts, style, label=name)
ax.set(xlabel="n", ylabel="seconds for the full derivative", title="forward vs reverse mode (times vary)")
ax.legend(handlelength=4, fontsize=8)
plt.show()
for name, ts in times.items():
    print(f"{name:<23}", "  ".join(f"{t * 1e3:8.2f} ms" for t in ts))
print(f"time per call at n = {sizes[-1]}, losing modes: "
      f"{times['f: forward'][-1] / sizes[-1] * 1e3:.2f} ms and {times['g: reverse'][-1] / sizes[-1] * 1e3:.2f} ms")
for name in ["f: forward", "g: reverse"]:
    slope = np.polyfit(np.log(sizes[2:]), np.log(times[name][2:]), 1)[0]
    print(f"{name}: log-log slope from n = {sizes[2]} to {sizes[-1]}: {slope:.2f}")

# %% [markdown]
# These timings are this run's, not a result: they depend on the machine and on what else
# it was doing, and a single point can jump when something else ran at that moment. Read
# them against the counts printed above, which do not vary:
#
# - The looped losing modes make n calls. If each call costs about the same, their time
#   grows in proportion to n, a slope of 1 on the log-log plot; the printed slopes show
#   how close this run came, and may wander from 1 when the machine is busy. Each call
#   differentiates only a handful of operations on at most 1024 numbers, so much of its
#   time can be the fixed cost of a call rather than differentiating.
# - The vectorised losing modes make one call, like the winning modes. Where a call's
#   fixed cost outweighs the arithmetic, that one call can cost about what the winning
#   mode's does, and most of the looped version's gap goes.
#
# So the clock cannot settle which mode wins: it mixes the passes with the cost of
# calling them, and that mix changes with the machine, its load and the sizes. The pass
# count is what holds everywhere: for a loss of n weights, forward mode does n times the
# passes of reverse mode, whatever the clock shows. The next section counts the work
# itself instead of timing it.

# %% [markdown]
# ### What one gradient costs
#
# Reverse mode's promise: the gradient of f: Rⁿ → R costs a small constant times one
# evaluation of f, however large n is. We compare compiled f alone with f plus its full
# gradient:

# %%
value_only = tf.function(loss, reduce_retracing=True)
sizes_cost = [10, 1_000, 100_000, 1_000_000]
ratios = []
for n in sizes_cost:
    w = tf.random.stateless_normal([n], seed=[3, 4])
    value_only(w), loss_vjp(w)  # trace once before timing
    # median of repeats: one disturbed run moves it less than it moves a single time
    ratios.append(np.median(timeit.repeat(lambda: loss_vjp(w), number=1, repeat=9))
                  / np.median(timeit.repeat(lambda: value_only(w), number=1, repeat=9)))

# %% tags=["nbval-ignore-output"]
print("gradient / function time (median of 9, illustrative only):",
      "  ".join(f"n = {n:,}: {r:.1f}×" for n, r in zip(sizes_cost, ratios)))

# %% [markdown]
# These ratios are an illustration, not a measurement to draw a conclusion from: they
# change from run to run and machine to machine, whatever values this run printed. At small
# n both calls cost mostly the fixed price of a call, so their ratio says nothing about
# gradients. At large n the arithmetic matters more, but caches, memory traffic, the
# threads TensorFlow uses and whatever else the machine is doing move each time, so any
# one value, even one below 1, is possible and proves nothing.
#
# The cost can be counted instead of timed. Every operation that reads or writes the
# whole vector of n weights costs about n steps; count them in each compiled graph:

# %%
def ops_over_weights(fn, n):
    """The operations in fn's graph that read or write a whole length-n vector."""
    graph = tf.function(fn).get_concrete_function(tf.TensorSpec([n])).graph
    return sorted(op.type for op in graph.get_operations() if op.type not in ("Placeholder", "Identity")
                  and any(t.shape == [n] for t in [*op.inputs, *op.outputs]))


for n in [1_000, 1_000_000]:
    f_ops, grad_ops = ops_over_weights(loss, n), ops_over_weights(loss_vjp.python_function, n)
    print(f"n = {n:>9,}: function {len(f_ops)} {f_ops}")
    print(f"{'':>14}function and gradient {len(grad_ops)} {grad_ops}: {len(grad_ops) / len(f_ops):.0f} times as many")

# %% [markdown]
# The same handful of operations over the weights whatever n is. Each of them costs about
# n steps, so the gradient costs about a fixed multiple of one evaluation of f (roughly the
# counts' ratio), for a million weights as for a thousand. That is reverse mode's promise;
# it is read off the graph, not the clock, so it holds on every machine.

# %% [markdown]
# ## Second order: Hessian-vector products
#
# Forward mode over reverse mode gives H·v (the Hessian times a direction) for about the
# cost of two gradients, without ever forming the n × n Hessian: run the tape inside a
# `ForwardAccumulator`.

# %%
def k(p):
    return p[0] ** 2 * p[1] + tf.sin(p[0]) * p[1] ** 3


point = tf.constant([1.0, 2.0], tf.float64)
direction = tf.constant([0.5, -1.0], tf.float64)
with tf.autodiff.ForwardAccumulator(point, direction) as acc:
    with tf.GradientTape() as tape:
        tape.watch(point)
        value = k(point)
    grad = tape.gradient(value, point)
hvp = acc.jvp(grad)

with tf.GradientTape() as outer:
    outer.watch(point)
    with tf.GradientTape() as inner:
        inner.watch(point)
        value = k(point)
    grad = inner.gradient(value, point)
hessian = outer.jacobian(grad, point)

a, b = sp.symbols("a b")
H_exact = sp.hessian(a**2 * b + sp.sin(a) * b**3, (a, b)).subs({a: 1, b: 2})
hvp_exact = np.array((H_exact * sp.Matrix([0.5, -1.0])).evalf(), dtype=float).ravel()
print("forward-over-reverse H·v:", np.round(hvp.numpy(), 10))
print("full Hessian · v        :", np.round((hessian @ direction[:, None]).numpy().ravel(), 10))
print("sympy                   :", np.round(hvp_exact, 10))

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Count passes. For each function, how many passes does the *cheaper*
# mode need to produce the full Jacobian? Answer with three whole numbers, in order.
#
# 1. a network's loss, R¹⁰⁰⁰ → R;
# 2. a robot arm's hand position over time, R → R³;
# 3. an image filter, R⁵⁰ → R²⁰⁰.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_08_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
answer = (1, 1, 50)  # reverse: one per output; forward: one per input; min(inputs, outputs)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("08.1", answer)

# %% nbgrader={"grade": true, "grade_id": "test_08_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("08.1", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("08.1", answer, seed=31985)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Extend dual numbers with tanh: write `dual_tanh(d)` returning a `Dual`
# with value tanh(a) and the right derivative (d/da tanh a = 1 − tanh² a, times the
# incoming derivative).

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_08_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def dual_tanh(d):
    ### BEGIN SOLUTION
    return Dual(float(np.tanh(d.value)), float((1 - np.tanh(d.value) ** 2) * d.derivative))
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("08.2", dual_tanh)

# %% nbgrader={"grade": true, "grade_id": "test_08_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("08.2", dual_tanh)
### BEGIN HIDDEN TESTS
gradlab.grade("08.2", dual_tanh, seed=26305)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** `flight(angle)` throws a ball with air drag at 12 m/s and follows it
# with 20 time steps; it returns the ball's (x, y) after every step, a 20 × 2 tensor. So
# it maps one number to 40. Write `path_sensitivity(angle)`: the derivative of the whole
# path with respect to the launch angle (radians), a 20 × 2 tensor, at a float32
# scalar `angle`, in the cheaper mode. The check tries angles of its own and watches that
# no reverse pass runs. How many passes would the tape need for the same numbers?

# %% tags=["exercise"]
def flight(angle, steps=20, dt=0.1, speed=12.0, drag=0.05):
    x, y = tf.zeros_like(angle), tf.zeros_like(angle)
    vx, vy = speed * tf.cos(angle), speed * tf.sin(angle)
    path = []
    for _ in range(steps):
        v = tf.sqrt(vx**2 + vy**2)
        vx, vy = vx - dt * drag * v * vx, vy - dt * (9.81 + drag * v * vy)  # drag, and gravity
        x, y = x + dt * vx, y + dt * vy
        path.append(tf.stack([x, y]))
    return tf.stack(path)


# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_08_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def path_sensitivity(angle):
    ### BEGIN SOLUTION
    # one input: one forward pass, seeded with d(angle)/d(angle) = 1 (the tape would need 40)
    with tf.autodiff.ForwardAccumulator(angle, tf.ones_like(angle)) as acc:
        return acc.jvp(flight(angle))
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("08.3", path_sensitivity)

# %% nbgrader={"grade": true, "grade_id": "test_08_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("08.3", path_sensitivity)
### BEGIN HIDDEN TESTS
gradlab.grade("08.3", path_sensitivity, seed=13289)
### END HIDDEN TESTS
