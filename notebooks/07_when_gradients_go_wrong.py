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
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
import tensorflow as tf

import gradlab

# %% [markdown]
# ## Five ways to get `None`
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
# The fix is `tf.constant(3.0)`. Watch out for `tf.range(5)`, which is int32. (A related
# trap that is *not* a `None`: `tf.linspace(-5, 5, 100)` is float64. float64 gets gradients
# like float32, but TensorFlow never mixes the two: `x64 * tf.Variable(1.0)` raises
# `InvalidArgumentError`. Keep one float type, or `tf.cast` on purpose.)
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
# Rounding is flat almost everywhere, with jumps in between, so TensorFlow registers its
# gradient as `None`: declared not differentiable. The same holds for `tf.floor`,
# `tf.argmax` and casts to integers. (An operation with no gradient registered at all is
# another matter: there `tape.gradient` raises `LookupError` instead of returning `None`.)
#
# ### 5. A variable replaced by a tensor: `x = x - ...`
#
# The most common one in students' training loops. `x - 0.1 * grad` is a new *tensor*, and
# `x = ...` rebinds the name to it. The variable is gone; the next tape does not watch a
# plain tensor, so the second gradient is `None`:

# %%
x = tf.Variable(3.0)
for step in range(2):
    with tf.GradientTape() as tape:
        loss = (x - 1.0) ** 2
    grad = tape.gradient(loss, x)
    print(f"step {step}: x is {type(x).__name__}, gradient {grad}")
    if grad is not None:
        x = x - 0.1 * grad  # the bug: x is now an EagerTensor, not a Variable

# %% [markdown]
# The fix is to update the variable in place, `x.assign_sub(0.1 * grad)`, or to let an
# optimiser do it (`apply_gradients`, notebook 05). Both keep the same `tf.Variable`.
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
        print("GradientError:", textwrap.fill(str(error), 88, subsequent_indent="    "))

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
# ### Zeros instead of `None` for unused variables
#
# A variable the loss does not depend on gets `None`, which breaks code that adds or
# averages gradients. `unconnected_gradients=tf.UnconnectedGradients.ZERO` returns a zero
# tensor of the variable's shape instead:

# %%
used, unused = tf.Variable(2.0), tf.Variable([1.0, 1.0])
with tf.GradientTape(persistent=True) as tape:
    loss = used**2
print("default:", tape.gradient(loss, [used, unused]))
print("ZERO   :", tape.gradient(loss, [used, unused], unconnected_gradients=tf.UnconnectedGradients.ZERO))
del tape

# %% [markdown]
# Use it when "no path" really means "no effect" (a frozen branch, an unused head). Keep
# the default while debugging: a `None` is a useful alarm that a path is cut by accident.
#
# ### Non-scalar targets are summed
#
# `tape.gradient(y, x)` for a vector y gives the gradient of **sum(y)**. For one row per
# output, ask for the Jacobian:

# %%
x = tf.constant([1.0, 2.0])
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.stack([x[0] ** 2, x[0] * x[1]])  # (x₀², x₀·x₁)
print("gradient (of the sum):", tape.gradient(y, x).numpy())
print("jacobian:\n", tape.jacobian(y, x).numpy())
del tape

# %% [markdown]
# Row i holds the partials of output i: (2x₀, 0) and (x₁, x₀), that is (2, 0) and (2, 1)
# at x = (1, 2).
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
# ## Choosing a gradient yourself: `tf.custom_gradient`
#
# Notebook 03 met a NaN at the origin: its ripple sin(√(x² + y²)) goes through the length
# r = √(x² + y²), which has no gradient there, and the chain rule computes inf · 0.
# `tf.norm` does the same:

# %%
origin = tf.Variable([0.0, 0.0])
with tf.GradientTape() as tape:
    r = tf.norm(origin)
print("tf.norm at the origin:", tape.gradient(r, origin).numpy())

# %% [markdown]
# The cone's tip has no slope, but an optimiser needs *some* finite number; 0 is the usual
# choice (a subgradient). `@tf.custom_gradient` lets a function return its value *and* its
# own backward rule: a function `grad(upstream)` that maps the incoming gradient to the
# gradient with respect to each input. The tape then uses that rule instead of
# differentiating the operations inside.

# %%
@tf.custom_gradient
def safe_norm(v):
    r = tf.norm(v)

    def grad(upstream):  # d r / d v = v / r, chosen as 0 at r = 0
        return upstream * tf.where(r > 0, v / tf.where(r > 0, r, 1.0), tf.zeros_like(v))

    return r, grad


for point in ([0.0, 0.0], [3.0, 4.0]):
    v = tf.Variable(point)
    with tf.GradientTape() as tape:
        r = safe_norm(v)
    print(f"safe_norm at {point}: value {float(r)}, gradient {tape.gradient(r, v).numpy()}")

# %% [markdown]
# Away from the origin it agrees with the true gradient, v/r = (0.6, 0.8) at (3, 4). The
# same tool can make a backward pass cheaper or more stable (the log-sum-exp trick); the
# price is that you are now responsible for the rule being right, so test it against
# finite differences (`gradlab.check_gradient`).

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
print(f"float64 spacing    : {np.spacing(float(exact)):.1e}  (the gap between neighbouring float64 numbers here)")

# %% [markdown]
# The tape's error is one step between neighbouring float64 numbers near 5.89 (the two
# printed numbers match): the last digit, after rounding at every operation. Finite
# differences depend on h: too large and the curve's bend (truncation error, ~h²) spoils
# them, too small and cancellation in f(x + h) − f(x − h) (rounding error, ~ε/h) does.

# %%
hs = np.logspace(-13, -1, 49)
fd_errors = [abs(float(gradlab.finite_difference(f, 1.0, h)) - float(exact)) for h in hs]
best = int(np.argmin(fd_errors))
tape_error = abs(float(tape_value) - float(exact))
print(f"best h ≈ {hs[best]:.0e}, where finite differences are off by ≈ {fd_errors[best]:.0e}")
print(f"that is about {fd_errors[best] / tape_error:.0e} times the tape's error of {tape_error:.1e}")

# %%
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.loglog(hs, fd_errors, "o-", ms=3, label="finite differences")
ax.axhline(max(tape_error, 1e-17), color="r", ls="--",
           label="tape (autodiff)")
ax.loglog(hs, 0.5 * hs**2, ":", color="0.5", label=r"$\sim h^2$ (truncation)")
ax.loglog(hs, 1e-16 / hs, "-.", color="0.5", label=r"$\sim \varepsilon / h$ (rounding)")
ax.set(xlabel="step $h$", ylabel="absolute error", ylim=(1e-18, 1), title="error against step size")
ax.legend()
plt.show()

# %% [markdown]
# The V shape is the classic trade-off. Even its best point is about 2 × 10⁴ times worse
# than the tape (the ratio printed above), and the tape has no h to choose. Finite differences remain the best *check*: a
# bug in a gradient shows up as a disagreement far bigger than 1e-6.

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Which of these give a `None` gradient at x = 2.0 (with x watched)?
# Answer with a set of letters, e.g. `{"a", "b"}`. **Predict first**: write down your
# set and a reason for each letter *before* running anything, using the five causes above.
# Then test your prediction on a tape if you like; the check explains each letter.

# %% tags=["exercise"]
candidates = {
    "a": lambda x: tf.sign(x) * x,
    "b": lambda x: tf.constant(np.exp(x.numpy())),
    "c": lambda x: tf.round(x) * 2.0,
    "d": lambda x: 3.0 * tf.ones_like(x),
}

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
# a: tf.sign has a registered gradient (0), so the product rule gives sign(x) = 1: not None.
# b: .numpy() and np.exp leave TensorFlow (cause 3): None.
# c: tf.round's gradient is registered as None (cause 4): None.
# d: ones_like uses only x's shape, not its value: no path from x, None.
answer = {"b", "c", "d"}
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.1", answer)

# %% nbgrader={"grade": true, "grade_id": "test_07_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.1", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("07.1", answer, seed=45584)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** For the function F(v) = (v₀·v₁·v₂, v₀ + v₁², sin v₂) from R³ to R³,
# compute the 3 × 3 Jacobian at v = (1, 2, 3) with a tape. Predict one row by hand first.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
v = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as tape:
    tape.watch(v)
    F = tf.stack([v[0] * v[1] * v[2], v[0] + v[1] ** 2, tf.sin(v[2])])
answer = tape.jacobian(F, v)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.2", answer)

# %% nbgrader={"grade": true, "grade_id": "test_07_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.2", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("07.2", answer, seed=78206)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Two losses share three variables: L₀ = a²·b, which does not use c, and
# L₁ = b + sin c, which does not use a. Write `gradient_table(a, b, c)` returning a 2 × 3
# tensor whose row k holds (∂Lₖ/∂a, ∂Lₖ/∂b, ∂Lₖ/∂c), with 0 where a loss does not use a
# variable. Take the numbers from a tape; the check passes its own `tf.Variable`s.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gradient_table(a, b, c):
    ### BEGIN SOLUTION
    with tf.GradientTape(persistent=True) as tape:
        L0, L1 = a**2 * b, b + tf.sin(c)
    # one row per loss; ZERO: a variable a loss never touches gets 0, which tf.stack accepts
    return tf.stack([tf.stack(tape.gradient(L, [a, b, c], unconnected_gradients=tf.UnconnectedGradients.ZERO))
                     for L in (L0, L1)])
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("07.3", gradient_table)

# %% nbgrader={"grade": true, "grade_id": "test_07_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.3", gradient_table)
### BEGIN HIDDEN TESTS
gradlab.grade("07.3", gradient_table, seed=33541)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 4.** `fit_broken` should fit a line y ≈ w·x + b by gradient descent on the
# mean squared error. It runs without an error, yet it returns w = 0 and b = 0 whatever
# the data. Find out why (print something inside its loop), then write
# `fit(x, y, steps, lr)` that does what it meant, starting from (0, 0), and returns
# (w, b). The check passes float32 tensors x and y of its own.

# %% tags=["exercise"]
def fit_broken(x, y, steps, lr):
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        grads = tape.gradient(loss, [w, b])
        for p, g in zip([w, b], grads):
            p = p - lr * g
    return w, b


# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fit(x, y, steps, lr):
    ### BEGIN SOLUTION
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        for p, g in zip([w, b], tape.gradient(loss, [w, b])):
            p.assign_sub(lr * g)  # `p = p - ...` only rebound the name p; this changes the variable
    return w, b
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("07.4", fit)

# %% nbgrader={"grade": true, "grade_id": "test_07_4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.4", fit)
### BEGIN HIDDEN TESTS
gradlab.grade("07.4", fit, seed=22344)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5.** In float32 the best finite-difference step is much larger than in
# float64. The check measures a step `h` like this: at the 21 points
# `x = np.linspace(0.5, 2.5, 21, dtype=np.float32)`, compute the central difference
# (sin(x + h) − sin(x − h)) / 2h **in float32**, and take the median of its absolute error
# against cos x. Find an `h` whose median error is at most 3 times that of a band of steps
# around the best one: the median of the errors of steps from 1e-3 to 2e-2 (the check
# prints it: about 6e-6; steps close to the best do better, about 1e-6 to 5e-6). Reason
# from the two error terms of the V-shaped plot, with float32's spacing near 1 (about
# 1.2e-7) in place of float64's, or measure. A single lucky `h` can do better by
# cancellation, which is why the check compares with a whole band, not with its best step.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_5", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
# float32's ε ≈ 1.2e-7. Rounding error grows like ε/h, truncation error like h²/6 (times
# |sin‴| ≤ 1): they balance near h ≈ ε^(1/3) ≈ 5e-3.
answer = 5e-3
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("07.5", answer)

# %% nbgrader={"grade": true, "grade_id": "test_07_5", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.5", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("07.5", answer, seed=22609)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 6.** log(1 + eˣ) overflows for large x: `tf.exp(100.0)` is inf in float32,
# and the tape's gradient of the naive formula at x = 100 is NaN. Write `softplus(x)` with
# `@tf.custom_gradient`: its value must be finite for large x (use
# `tf.math.softplus`, or max(x, 0) + log(1 + e^(−|x|))), and its backward rule must return
# upstream × the logistic function 1 / (1 + e⁻ˣ), written so that it stays finite too.
# Return the value and the rule, as `safe_norm` does above.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_07_6", "locked": false, "schema_version": 3, "solution": true, "task": false}
@tf.custom_gradient
def softplus(x):
    def grad(upstream):
        ### BEGIN SOLUTION
        return upstream * tf.math.sigmoid(x)  # 1 / (1 + e^(−x)), finite for every x
        ### END SOLUTION

    ### BEGIN SOLUTION
    return tf.math.softplus(x), grad
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("07.6", softplus)

# %% nbgrader={"grade": true, "grade_id": "test_07_6", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("07.6", softplus)
### BEGIN HIDDEN TESTS
gradlab.grade("07.6", softplus, seed=25311)
### END HIDDEN TESTS
