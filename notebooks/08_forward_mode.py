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
# TensorFlow's own version, and measures when each mode wins.

# %%
# Set-up. On Colab: installs gradlab (Colab already has TensorFlow). Everywhere: loads
# TensorFlow once, keeping its C++ start-up log out of this notebook.
import importlib.util
import subprocess
import sys

GRADLAB = "gradlab @ git+https://github.com/gradlab-edu/gradlab"
pip_said = ""
if "google.colab" in sys.modules and importlib.util.find_spec("gradlab") is None:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", GRADLAB], capture_output=True, text=True)
    pip_said = f" (pip: {pip.stderr.strip().splitlines()[-1]})" if pip.returncode and pip.stderr.strip() else ""
    importlib.invalidate_caches()
try:
    import gradlab
except ImportError:
    print(f'gradlab is not installed{pip_said}. Install it: pip install "{GRADLAB}", then run this cell again.')
else:
    gradlab.import_tensorflow()

# %%
import timeit

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
import tensorflow as tf

import gradlab
from gradlab import dual
from gradlab.dual import Dual

# %% [markdown]
# ## Dual numbers
#
# A dual number a + b·ε has a value a and a derivative b, with the rule ε² = 0. Then
# (a + bε)(c + dε) = ac + (ad + bc)ε: multiplying the values multiplies, and the ε part is
# exactly the product rule. Every operation can carry its derivative this way.
# `gradlab.dual.Dual` implements +, −, ×, ÷, powers, sin, cos, exp, log and sqrt, each
# in a couple of lines.

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
def f(x, y, sin=dual.sin, cos=dual.cos):
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
g = dual.cos(t) * dual.sin(t) / dual.sqrt(t)
print(f"f(4.1) = {g.value:.12f}, f'(4.1) = {g.derivative:.12f}")

# %% [markdown]
# Same digits as the tape in float64 (0.232296853326, −0.195825532...). Forward mode
# needs no record of the past: each value travels with its derivative and is done.

# %% [markdown]
# ## TensorFlow's forward mode: `ForwardAccumulator`
#
# For a function of many inputs, one forward pass pushes one *direction* v through: it
# computes the Jacobian-vector product J·v (a JVP). The tape goes the other way: one
# backward pass pulls one output weighting u back, giving the vector-Jacobian product
# uᵀ·J (a VJP).

# %%
def h(v):
    return tf.stack([v[0] * v[1], tf.sin(v[2]) + v[0], v[1] ** 2])


v = tf.constant([1.0, 2.0, 3.0], tf.float64)
direction = tf.constant([1.0, 0.0, 0.0], tf.float64)
with tf.autodiff.ForwardAccumulator(primals=v, tangents=direction) as acc:
    out = h(v)
print("JVP  J·e₀  =", acc.jvp(out).numpy())  # column 0 of the Jacobian

with tf.GradientTape() as tape:
    tape.watch(v)
    out = h(v)
print("VJP  e₀ᵀ·J =", tape.gradient(out, v, output_gradients=tf.constant([1.0, 0.0, 0.0], tf.float64)).numpy())

# %% [markdown]
# ### The whole Jacobian, both ways
#
# Forward mode builds it a column per input direction; reverse mode a row per output.

# %%
columns = []
for e in tf.eye(3, dtype=tf.float64):
    with tf.autodiff.ForwardAccumulator(v, e) as acc:
        out = h(v)
    columns.append(acc.jvp(out))
J_forward = tf.stack(columns, axis=1)

with tf.GradientTape() as tape:
    tape.watch(v)
    out = h(v)
J_reverse = tape.jacobian(out, v)
print(J_forward.numpy())
print("same as tape.jacobian:", np.allclose(J_forward, J_reverse, atol=1e-12))

# %% [markdown]
# ## When each mode wins
#
# Counting passes says it all:
#
# - f: Rⁿ → R (a loss of n weights): reverse mode needs **1** pass, forward mode **n**.
# - g: R → Rⁿ (a curve in n dimensions): forward mode needs **1**, reverse mode **n**.
#
# Let us measure it. Each pass is compiled with `tf.function`, so we time the
# differentiation and not Python's overhead. The full derivative costs n passes in the
# losing mode.

# %%
def loss(w):  # Rⁿ → R
    return tf.reduce_sum(tf.sin(w) * w)


def curve(t, ks):  # R → Rⁿ: one sine per frequency in ks = (1, 2, ..., n)
    return tf.sin(t * ks)


@tf.function(reduce_retracing=True)
def loss_vjp(w):
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = loss(w)
    return tape.gradient(y, w)


@tf.function(reduce_retracing=True)
def loss_jvp(w, e):
    with tf.autodiff.ForwardAccumulator(w, e) as acc:
        y = loss(w)
    return acc.jvp(y)


@tf.function(reduce_retracing=True)
def curve_jvp(t, ks):
    with tf.autodiff.ForwardAccumulator(t, tf.ones_like(t)) as acc:
        y = curve(t, ks)
    return acc.jvp(y)


@tf.function(reduce_retracing=True)
def curve_vjp(t, u, ks):
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = curve(t, ks)
    return tape.gradient(y, t, output_gradients=u)


def best(fn, repeat=2):
    """Fastest of a few runs: the least disturbed by whatever else the machine is doing."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


sizes = [1, 4, 16, 64, 256, 1024]
times = {"f: reverse": [], "f: forward": [], "g: forward": [], "g: reverse": []}
t0 = tf.constant(0.5)
for n in sizes:
    w = tf.random.stateless_normal([n], seed=[1, 2])
    ks = tf.range(1, n + 1, dtype=tf.float32)
    basis = tf.unstack(tf.eye(n))  # unit vectors, sliced once outside the timing
    times["f: reverse"].append(best(lambda: loss_vjp(w)))
    times["f: forward"].append(best(lambda: [loss_jvp(w, e) for e in basis]))
    times["g: forward"].append(best(lambda: curve_jvp(t0, ks)))
    times["g: reverse"].append(best(lambda: [curve_vjp(t0, u, ks) for u in basis]))

# %%
# NBVAL_IGNORE_OUTPUT
# Timings vary from machine to machine and run to run; the plot below is in the saved output.
fig, ax = plt.subplots(figsize=(6.4, 4))
for (name, ts), style in zip(times.items(), ["o-", "s--", "o-", "s--"]):
    ax.loglog(sizes, ts, style, label=name)
ax.set(xlabel="n", ylabel="seconds for the full derivative", title="forward vs reverse mode")
ax.legend()
plt.show()
for name, ts in times.items():
    print(f"{name:<11}", "  ".join(f"{t * 1e3:8.2f} ms" for t in ts))

# %% [markdown]
# The crossover is at n of about 1 to 4: with only a few inputs both modes cost a pass
# or two, and past that the winning mode's single pass beats n passes by a factor that
# grows like n. The conclusion at the largest size does not depend on the machine:

# %%
for shape, winner, loser in [("f: Rⁿ → R", "f: reverse", "f: forward"), ("g: R → Rⁿ", "g: forward", "g: reverse")]:
    faster = times[winner][-1] < times[loser][-1]
    print(f"{shape}, n = {sizes[-1]}: {winner.split(': ')[1]} mode is faster: {faster}")

# %% [markdown]
# ### What one gradient costs
#
# Reverse mode's promise: the gradient of f: Rⁿ → R costs a small constant times one
# evaluation of f, however large n is. We compare compiled f alone with f plus its full
# gradient:

# %%
value_only = tf.function(loss, reduce_retracing=True)
ratios = []
for n in [10, 1_000, 100_000, 1_000_000]:
    w = tf.random.stateless_normal([n], seed=[3, 4])
    value_only(w), loss_vjp(w)  # trace once before timing
    ratios.append(best(lambda: loss_vjp(w), 7) / best(lambda: value_only(w), 7))

# %%
# NBVAL_IGNORE_OUTPUT
print("gradient / function time:", "  ".join(f"{r:.1f}×" for r in ratios))

# %%
print("the gradient of a million-input function costs less than 10 evaluations of it:", ratios[-1] < 10)

# %% [markdown]
# ## Second order: Hessian-vector products
#
# Forward mode over reverse mode gives H·v (the Hessian times a direction) for about the
# cost of two gradients, without ever forming the n × n Hessian: run the tape inside a
# `ForwardAccumulator`.

# %%
def k(v):
    return v[0] ** 2 * v[1] + tf.sin(v[0]) * v[1] ** 3


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
# **Exercise 1.** Extend dual numbers with tanh: write `dual_tanh(d)` returning a `Dual`
# with value tanh(a) and the right derivative (d/da tanh a = 1 − tanh² a, times the
# incoming derivative).

# %% tags=["solution"]
def dual_tanh(d):
    ### BEGIN SOLUTION
    value = np.tanh(d.value)
    return Dual(float(value), float((1 - value**2) * d.derivative))
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("08.1", dual_tanh)

# %% [markdown]
# **Exercise 2.** A neural network's loss has 1000 weights and one output. Which mode
# gives its full gradient more cheaply: `"forward"` or `"reverse"`?

# %% tags=["solution"]
### BEGIN SOLUTION
answer = "reverse"
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("08.2", answer)

# %% [markdown]
# **Exercise 3.** With `tf.autodiff.ForwardAccumulator`, compute the Jacobian-vector
# product of q(x) = (x₀·x₁, sin x₀) at x = (1, 2) in the direction v = (1, 0).

# %% tags=["solution"]
### BEGIN SOLUTION
xq = tf.constant([1.0, 2.0])
with tf.autodiff.ForwardAccumulator(xq, tf.constant([1.0, 0.0])) as acc:
    q = tf.stack([xq[0] * xq[1], tf.sin(xq[0])])
answer = acc.jvp(q)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("08.3", answer)
