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
# # 02 · The power rule, checked by TensorFlow
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/02_power_rule.ipynb)
#
# No calculus needed to start: this notebook explains what a derivative is, states the
# one rule that handles every power of x, and lets TensorFlow confirm it, including
# derivatives of derivatives.

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
import tensorflow as tf

import gradlab

print("TensorFlow", tf.__version__)

# %% [markdown]
# Any TensorFlow from 2.16 on will do. On Colab we use the version Colab ships rather than
# pinning our own: installing a second TensorFlow over it costs minutes and can break the
# packages Colab built against its own.

# %% [markdown]
# ## What a derivative measures
#
# Take y = x². Move x a little, from 3 to 3.001, and y moves from 9 to 9.006001: about
# **6 times** as far. That ratio, "how fast y changes per unit of x, right here", is the
# derivative. At x = 3 it is 6; at x = 5 it would be 10. For x² it is always 2x.
#
# ## The power rule
#
# For any power n,
#
# **d/dx xⁿ = n · xⁿ⁻¹:**
#
# bring the exponent down in front, then lower it by one. So x³ has slope 3x², x¹⁰ has
# slope 10x⁹, and a constant (x⁰ = 1) has slope 0 (with one catch at x = 0, below).

# %% [markdown]
# ## A first tape: z = (sum of a 2×2 block of ones)²
#
# `y` adds up four ones, so y = 4, and z = y·y = 16. Asking for dz/dy is asking for the
# slope of y² at y = 4: by the power rule, 2y = 8.

# %%
x = tf.ones((2, 2))
with tf.GradientTape(persistent=True) as tape:  # persistent: two questions for one tape
    tape.watch(x)
    y = tf.reduce_sum(x)
    z = y * y
print("y =", y.numpy(), " z =", z.numpy())
print("dz/dy =", tape.gradient(z, y).numpy())

# %% [markdown]
# The tape can go further back, to each of the four ones. Each one adds to y with slope 1,
# so by the chain rule dz/dx = dz/dy · dy/dx = 8 · 1 for every element:

# %%
print(tape.gradient(z, x).numpy())
del tape

# %% [markdown]
# ## y = x³ at x = 2, asking inside the `with` block
#
# A `tf.Variable` needs no `watch`. Here `tape.gradient` is called *inside* the `with`
# block. That works: for an ordinary tape, asking for the gradient ends the recording.
# The power rule predicts 3x² = 12.

# %%
x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = x**3
    dy_dx = tape.gradient(y, x)
print("y =", y.numpy(), " dy/dx =", dy_dx.numpy())

# %% [markdown]
# What does it cost? A **persistent** tape keeps recording after `gradient`, so asking
# inside the block records the gradient's own operations too. TensorFlow logs a warning
# about the extra time and memory, once per place in the code: it remembers the file and
# line that made the call, and stays quiet when the same place calls again. The same call
# from another cell warns again. (Whether re-running *this* cell counts as the same place
# depends on the notebook software: Jupyter's current kernel names a cell's "file" after
# its text, so running it again unchanged gives no warning and editing it brings the
# warning back.) From here on x = 3. There x³ and its first derivative are both 27, but
# the second derivative is 18, so the second number printed shows that the tape really
# differentiated twice:

# %%
x = tf.Variable(3.0)
with tf.GradientTape(persistent=True) as tape:
    y = x**3
    dy_dx = tape.gradient(y, x)  # inside: warns, and records how dy/dx was computed
d2y_dx2 = tape.gradient(dy_dx, x)  # outside: differentiates that record
print("dy/dx =", dy_dx.numpy(), " d²y/dx² =", d2y_dx2.numpy())
del tape

# %% [markdown]
# …but that "waste" is also exactly what makes a *second* derivative possible: because the
# gradient's operations were recorded, the tape could differentiate them again
# (d/dx x³ = 3x² = 27 and d²/dx² x³ = 6x = 18 at x = 3). Nested tapes, below, do the same
# on purpose.

# %% [markdown]
# ## The rule for many powers at once
#
# Negative and fractional powers follow the same rule. At x = 1.5:

# %%
x0 = 1.5
print(f"{'n':>5} {'tape':>12} {'n·x^(n-1)':>12}")
for n in [-2, -1, 0.5, 1, 2, 3, 5]:
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**n
    print(f"{n:>5} {tape.gradient(y, x).numpy():>12.6f} {n * x0 ** (n - 1):>12.6f}")

# %% [markdown]
# The catch: n = 0 at x = 0. x⁰ is the constant 1, whose slope is 0 everywhere, but the
# tape says NaN there. TensorFlow's derivative rule for `x**n` computes n·xⁿ⁻¹ literally,
# and at x = 0 with n = 0 that is 0 · 0⁻¹ = 0 · ∞, which is NaN in floating point.
# Everywhere else the same formula gives 0:

# %%
for point in [1.5, 0.0]:
    x = tf.constant(point)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**0
    print(f"d/dx x**0 at x = {point}: {tape.gradient(y, x).numpy()}")

# %% [markdown]
# ## The chain rule joins in
#
# For (3x² + 1)⁵, the power rule gives the outer slope 5·(3x² + 1)⁴ and the chain rule
# multiplies by the inner slope 6x. At x = 1 that is 5 · 4⁴ · 6 = 7680:

# %%
x = tf.constant(1.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = (3 * x**2 + 1) ** 5
print("tape:", tape.gradient(y, x).numpy(), "  by hand:", 5 * 4**4 * 6)

# %% [markdown]
# ## Derivatives of derivatives: nested tapes
#
# Differentiate x³ three times: 3x², then 6x, then 6. At x = 3: **27, 18, 6**. Each tape
# records the work of the tape inside it, so the outer one can differentiate the inner
# one's answer.

# %%
x = tf.Variable(3.0)
with tf.GradientTape() as t3:
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x**3
        d1 = t1.gradient(y, x)
    d2 = t2.gradient(d1, x)
d3 = t3.gradient(d2, x)
print("first:", d1.numpy(), " second:", d2.numpy(), " third:", d3.numpy())

# %% [markdown]
# `gradlab.nth_derivative` nests as many tapes as you ask for. Mathematically the fourth
# derivative of x³ is 0, since the third is the constant 6, and at x = 3 TensorFlow agrees:

# %%
for n in range(5):
    print(f"d^{n}/dx^{n} x³ at 3 = {float(gradlab.nth_derivative(lambda t: t**3, 3.0, n)):g}")

# %% [markdown]
# But the tape does not simplify. Its graph for the third derivative still contains x
# (the gradient of xⁿ is built as n·xⁿ⁻¹, and the steps down to 6 keep x in them), so the
# fourth is computed as 0 times a power of x with a negative exponent. At x = 0 that power
# is infinite, and 0·∞ is NaN. That is the catch of x⁰ above again: it comes from the
# rule for `**`, not from tapes in general. Write x³ as x·x·x, whose rule is the product
# rule (no powers), and the fourth derivative at 0 comes out 0:

# %%
print("d^4/dx^4 x**3  at 0 =", float(gradlab.nth_derivative(lambda t: t**3, 0.0, 4)))
print("d^4/dx^4 x*x*x at 0 =", float(gradlab.nth_derivative(lambda t: t * t * t, 0.0, 4)))

# %% [markdown]
# ## Try it: the power rule explorer
#
# Drag **n** and **x**. The dash-dot line is the tangent, whose slope is the tape's derivative;
# the readout puts it next to n·xⁿ⁻¹. Try a negative n at x = 0, where xⁿ is undefined.

# %%
gradlab.browser_power_rule_explorer(n=3, x=2.0)

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Predict, with the power rule, the derivative of x⁵ at x = 2. Write the
# number (not code) in `answer`.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_02_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
answer = 5 * 2**4
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("02.1", answer)

# %% nbgrader={"grade": true, "grade_id": "test_02_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("02.1", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("02.1", answer, seed=96213)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Predict, by hand, the derivative of (2x + 1)⁻² at x = 1: a negative
# power of something that is not x itself, so the power rule and the chain rule both
# play a part. Write the number in `answer` (exact, e.g. as a fraction, or to at least
# 4 significant digits); then, if you like, confirm it with a tape.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_02_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
answer = -2 * (2 * 1 + 1) ** -3 * 2  # power rule on the outside, times the inner slope 2
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("02.2", answer)

# %% nbgrader={"grade": true, "grade_id": "test_02_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("02.2", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("02.2", answer, seed=45296)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Write `third_derivative(f, x)`, returning f‴(x) for a tensor `x`, with
# three `tape.gradient` calls, each differentiating the result of the one before: three
# nested tapes as above, or one persistent tape asked three times *inside* its block (both
# record each gradient's operations, so both pass). `x` arrives as a `tf.constant`, so
# remember `watch`. gradlab's helpers do not count. The check tries it on a·x⁴, b·sin x and
# c·x³ + x², with a, b, c and the points drawn afresh.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_02_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def third_derivative(f, x):
    ### BEGIN SOLUTION
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = f(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("02.3", third_derivative)

# %% nbgrader={"grade": true, "grade_id": "test_02_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("02.3", third_derivative)
### BEGIN HIDDEN TESTS
gradlab.grade("02.3", third_derivative, seed=75033)
### END HIDDEN TESTS
