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
# # 07 · When gradients go wrong
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/07_when_gradients_go_wrong.ipynb)
#
# A missing gradient does not raise an error: `tape.gradient` quietly returns `None`, and
# the trouble shows up three cells later. This notebook collects the usual causes, the
# tape's finer controls (persistent tapes, pausing, Jacobians, Hessians), and a
# comparison of three ways to get a derivative: the tape, finite differences and
# symbolic algebra.

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
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
import tensorflow as tf

import gradlab

# %% [markdown]
# ## Four ways to get `None`
#
# ### 1. A constant nobody watched

# %%
x = tf.constant(2.0)
with tf.GradientTape() as tape:
    y = x**2
print(tape.gradient(y, x))

# %% [markdown]
# The fix is `tape.watch(x)`, or making x a `tf.Variable`.
#
# ### 2. An integer input
#
# Gradients are only defined for floating-point tensors. TensorFlow warns, then returns
# `None`:

# %%
x = tf.constant(3)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * x
print(tape.gradient(y, x))

# %% [markdown]
# The fix is `tf.constant(3.0)`. Watch out for `tf.linspace(-5, 5, 100)`, which is
# float64, and `tf.range(5)`, which is int32.
#
# ### 3. Leaving TensorFlow through NumPy

# %%
x = tf.constant(2.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.constant(np.sin(x.numpy()))  # the tape sees a brand-new constant
print(tape.gradient(y, x))

# %% [markdown]
# The tape records TensorFlow operations only. `np.sin`, `math.sin`, `.numpy()` and
# `float()` all cut the thread.
#
# ### 4. An operation with no gradient

# %%
x = tf.constant(2.3)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.round(x)
print(tape.gradient(y, x))

# %% [markdown]
# Rounding is flat almost everywhere, with jumps in between; TensorFlow registers no
# gradient for it at all (nor for `tf.floor`, `tf.argmax` or casts to integers).
#
# ### gradlab names the cause
#
# `gradlab.derivative` raises a `GradientError` that says which of these it probably is:

# %%
for broken in [lambda t: tf.constant(np.sin(t.numpy())), lambda t: tf.cast(t, tf.int32) ** 2,
               lambda t: np.sin(t)]:
    try:
        gradlab.derivative(broken, 2.0)
    except gradlab.GradientError as error:
        print("GradientError:", str(error)[:110], "...")

# %% [markdown]
# ## Controlling the tape
#
# ### Persistent tapes answer more than once
#
# A tape frees its record after the first `gradient` call. `persistent=True` keeps it,
# until you delete the tape:

# %%
x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = x**2
    z = y**2
print("dy/dx =", tape.gradient(y, x).numpy(), "  dz/dx =", tape.gradient(z, x).numpy())
del tape

# %% [markdown]
# ### Pausing the record
#
# Inside `tape.stop_recording()`, operations happen but are not recorded. Whatever is
# computed there counts as a constant:

# %%
x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x**2
    with tape.stop_recording():
        scale = x * 10  # not recorded: treated as the constant 30
    z = y * scale
print("dz/dx =", tape.gradient(z, x).numpy(), " (= 30 · 2x; recording it would add x² · 10 = 90)")

# %% [markdown]
# `tf.stop_gradient(t)` does the same for a single tensor, inside recorded code.
#
# ### Non-scalar targets are summed
#
# `tape.gradient(y, x)` for a vector y gives the gradient of **sum(y)**. For one row per
# output, ask for the Jacobian:

# %%
x = tf.constant([1.0, 2.0])
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.stack([x[0] ** 2, x[0] * x[1]])  # (x², x·y)
print("gradient (of the sum):", tape.gradient(y, x).numpy())
print("jacobian:\n", tape.jacobian(y, x).numpy())
del tape

# %% [markdown]
# Row i holds the partials of output i: (2x, 0) and (y, x) at (1, 2).
#
# ### Hessians: a Jacobian of a gradient
#
# For h(x, y) = x²y + y³, nest two tapes: the inner one's gradient, then the outer one's
# Jacobian of it. By hand the Hessian is [[2y, 2x], [2x, 6y]] = [[4, 2], [2, 12]] at (1, 2).

# %%
x = tf.constant([1.0, 2.0])
with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        h = x[0] ** 2 * x[1] + x[1] ** 3
    grad = inner.gradient(h, x)
print("gradient:", grad.numpy())
print("hessian:\n", outer.jacobian(grad, x).numpy())

# %% [markdown]
# ## Three ways to a derivative
#
# Take f(x) = exp(sin x) · x² at x = 1, and compare:
#
# 1. **symbolic** (sympy): the exact formula, evaluated to 30 digits;
# 2. **automatic** (the tape): exact rules, float64 arithmetic;
# 3. **finite differences** (f(x + h) − f(x − h)) / 2h: an estimate that depends on h.

# %%
s = sp.Symbol("x")
f_sym = sp.exp(sp.sin(s)) * s**2
df_sym = sp.diff(f_sym, s)
exact = sp.N(df_sym.subs(s, 1), 30)
print("symbolic derivative:", df_sym)
print("exact value at 1   :", exact)

# %%
def f(x):
    return tf.exp(tf.sin(x)) * x**2


_, tape_value = gradlab.derivative(f, tf.constant(1.0, tf.float64))
print(f"tape (float64)     : {float(tape_value):.16f}")
print(f"error              : {abs(float(tape_value) - float(exact)):.1e}")

# %% [markdown]
# The tape agrees with the exact value to about 1e-16, as close as float64 gets. Finite
# differences depend on h: too large and the curve's bend (truncation error, ~h²) spoils
# them, too small and cancellation in f(x + h) − f(x − h) (rounding error, ~ε/h) does.

# %%
hs = np.logspace(-13, -1, 49)
fd_errors = [abs(float(gradlab.finite_difference(f, 1.0, h)) - float(exact)) for h in hs]
best = int(np.argmin(fd_errors))
print(f"best h ≈ {hs[best]:.0e}, where finite differences are off by ≈ {fd_errors[best]:.0e}")

# %%
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.loglog(hs, fd_errors, "o-", ms=3, label="finite differences")
ax.axhline(max(abs(float(tape_value) - float(exact)), 1e-17), color="r", ls="--",
           label="tape (autodiff)")
ax.loglog(hs, 0.5 * hs**2, ":", color="0.5", label=r"$\sim h^2$ (truncation)")
ax.loglog(hs, 1e-16 / hs, "-.", color="0.5", label=r"$\sim \varepsilon / h$ (rounding)")
ax.set(xlabel="step $h$", ylabel="absolute error", ylim=(1e-18, 1), title="error against step size")
ax.legend()
plt.show()

# %% [markdown]
# The V shape is the classic trade-off. Its best point is still millions of times worse
# than the tape, which has no h to choose. Finite differences remain the best *check*: a
# bug in a gradient shows up as a disagreement far bigger than 1e-6.

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Which of these give a `None` gradient at x = 2.0 (with x watched)?
# Answer with a set of letters, e.g. `{"a", "b"}`.

# %% tags=["exercise"]
candidates = {
    "a": lambda x: tf.sign(x) * x,
    "b": lambda x: tf.constant(np.exp(x.numpy())),
    "c": lambda x: tf.round(x) * 2.0,
    "d": lambda x: 3.0 * tf.ones_like(x),
}

# %% tags=["solution"]
### BEGIN SOLUTION
answer = set()
for letter, fn in candidates.items():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    if tape.gradient(y, x) is None:
        answer.add(letter)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.1", answer)

# %% [markdown]
# **Exercise 2.** Compute the Jacobian of (x², x·y) at (x, y) = (1, 2) with a tape, as a
# 2 × 2 array.

# %% tags=["solution"]
### BEGIN SOLUTION
v = tf.constant([1.0, 2.0])
with tf.GradientTape() as tape:
    tape.watch(v)
    out = tf.stack([v[0] ** 2, v[0] * v[1]])
answer = tape.jacobian(out, v)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.2", answer)

# %% [markdown]
# **Exercise 3.** In float32 the best step is much larger than in float64. Find a step `h`
# for which the central difference of sin in **float32** is about as accurate as it can
# be (measure it the way the plot above does, with `np.float32` values).

# %% tags=["solution"]
### BEGIN SOLUTION
x32 = np.linspace(0.5, 2.5, 21, dtype=np.float32)
candidates_h = np.logspace(-6, -1, 51)
errors = [np.median(np.abs((np.sin(x32 + np.float32(h)) - np.sin(x32 - np.float32(h))) / np.float32(2 * h)
                            - np.cos(x32.astype(float)))) for h in candidates_h]
answer = float(candidates_h[int(np.argmin(errors))])
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.3", answer)
