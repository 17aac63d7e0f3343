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
# # 01 · GradientTape basics: derivatives TensorFlow works out for you
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/01_gradienttape_basics.ipynb)
#
# You write a function out of TensorFlow operations; TensorFlow hands back its derivative,
# exactly (up to floating-point rounding), at every point you ask for. This notebook shows how: the `tf.GradientTape` of
# TensorFlow 2, then the graph-and-session way of TensorFlow 1, which still runs today.

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
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gradlab

# %% [markdown]
# ## The idea: the chain rule, one operation at a time
#
# Every function you can write with TensorFlow is a chain of small operations (`square`,
# `sin`, `add`...), each with a derivative TensorFlow knows. The **chain rule** glues them:
#
# **d/dx f(g(x)) = f′(g(x)) · g′(x).**
#
# While your code runs, a `tf.GradientTape` records which operations touched which tensors.
# Asking the tape for a gradient replays that record backwards, multiplying local
# derivatives together. No formula for the whole derivative is ever written down, and
# nothing is approximated.

# %% [markdown]
# ## A first derivative: f(x) = x² + 1
#
# A hundred points on [-5, 5]. The ends are written `-5.0` and `5.0` on purpose: with
# integer ends `tf.linspace` returns float64. float64 tensors differentiate perfectly well,
# but an operation between two tensors never converts one float type to the other: a
# float64 tensor times a float32 `tf.Variable(1.0)` is an `InvalidArgumentError`. What is
# not yet a tensor is converted without a word: a NumPy float32 array takes the tensor's
# float64, and a Keras layer casts whatever it is given to its own float32. So a dtype
# slip can fail loudly in one place and pass silently in another:

# %%
x64 = tf.linspace(-5, 5, 3)  # integer ends
print("integer ends give", x64.dtype.name)
try:
    x64 * tf.Variable(1.0)
except tf.errors.InvalidArgumentError as error:
    print("float64 tensor × float32 variable:", type(error).__name__)
print("float64 tensor × NumPy float32 array:", (x64 * np.ones(3, np.float32)).dtype.name)
print("float64 tensor into a Keras Dense layer:", tf.keras.layers.Dense(1)(x64[:, None]).dtype.name)

# %% [markdown]
# Float ends give float32, TensorFlow's default:

# %%
x = tf.linspace(-5.0, 5.0, 100)
x.dtype

# %% [markdown]
# `x` is a constant, and a tape records only what it is told to watch, so we call
# `tape.watch(x)` before computing with it.

# %%
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x**2 + 1
dy_dx = tape.gradient(y, x)

# %% [markdown]
# `y` holds 100 values, and `tape.gradient` differentiates their *sum*. Each `y[i]` depends
# only on `x[i]`, so the derivative of the sum with respect to `x[i]` is just f′(x[i]):
# one call gives the derivative at every point. It should be 2x:

# %%
print("max |dy/dx - 2x| =", float(tf.reduce_max(tf.abs(dy_dx - 2 * x))))

# %%
_, ax = gradlab.plot_function_and_derivative(x, y, dy_dx, title="$f(x) = x^2 + 1$ and its derivative $2x$")
ax.set_ylabel("$f(x)$ and $df/dx$")
plt.show()

# %% [markdown]
# ## A wavier one: f(x) = 5·sin(2x) + x²
#
# The chain rule is at work in `sin(2x)`: its derivative is cos(2x) times the inner
# derivative 2, so f′(x) = 10·cos(2x) + 2x.

# %%
with tf.GradientTape() as tape:
    tape.watch(x)
    y = 5 * tf.sin(2 * x) + x**2
dy_dx = tape.gradient(y, x)
by_hand = 10 * tf.cos(2 * x) + 2 * x
print(f"max |tape - by hand| = {float(tf.reduce_max(tf.abs(dy_dx - by_hand))):.1e}")

# %%
_, ax = gradlab.plot_function_and_derivative(x, y, dy_dx, title=r"$f(x) = 5\sin 2x + x^2$")
ax.set_ylabel("$f(x)$ and $df/dx$")
plt.show()

# %% [markdown]
# The derivative crosses zero exactly where f has its peaks and valleys, as it must.

# %% [markdown]
# ## When does the tape need `watch`?
#
# Trainable `tf.Variable`s are watched automatically (they are what a model learns);
# constants are not. Forgetting `watch` does not raise an error, it silently gives `None`:

# %%
c = tf.constant(3.0)
v = tf.Variable(3.0)
with tf.GradientTape(persistent=True) as tape:  # persistent: we ask it for two gradients
    y_c = c**2
    y_v = v**2
print("constant, not watched:", tape.gradient(y_c, c))
print("variable, watched by itself:", tape.gradient(y_v, v).numpy())
del tape  # a persistent tape holds its record until it is deleted

# %% [markdown]
# A `tf.Variable` created with `trainable=False` is not watched automatically: the tape
# treats it like a constant.

# %%
frozen = tf.Variable(3.0, trainable=False)
with tf.GradientTape() as tape:
    y = frozen**2
print("tf.Variable(trainable=False):", tape.gradient(y, frozen))

# %% [markdown]
# A frozen Keras layer looks like the same case, and is not. In Keras 3 a layer's weight
# is a `keras.Variable`, a wrapper around a `tf.Variable` (its `.value`). Freezing the
# layer with `layer.trainable = False` clears the *wrapper's* `trainable` flag; the
# `tf.Variable` inside, the one TensorFlow operations actually read, stays trainable. The
# tape sees only that inner variable, so it still watches it, and asking for the kernel's
# gradient gives one:

# %%
layer = tf.keras.layers.Dense(1)
model = tf.keras.Sequential([tf.keras.Input((1,)), layer])
layer.trainable = False
print("layer.kernel is a keras.Variable:", isinstance(layer.kernel, tf.keras.Variable),
      " trainable:", layer.kernel.trainable)
print("layer.kernel.value is a tf.Variable:", isinstance(layer.kernel.value, tf.Variable),
      " trainable:", layer.kernel.value.trainable)
with tf.GradientTape() as tape:
    y = model(tf.ones((1, 1)))
print("gradient for the frozen layer's kernel:", tape.gradient(y, layer.kernel).numpy().ravel())
print("model.trainable_variables:", model.trainable_variables)

# %% [markdown]
# So the rule of the previous cell still holds, for the `tf.Variable` the tape sees. What
# keeps the layer frozen is Keras, not the tape: `model.trainable_variables` leaves its
# weights out, so a training step never asks for their gradient, and the optimiser never
# changes them.

# %% [markdown]
# ## Leaving TensorFlow: a NumPy function inside the tape
#
# The tape records TensorFlow operations only. A NumPy function accepts a tensor (it
# converts it to an array first), computes the right value, and hands back a NumPy number:
# the tape saw nothing. Asking for the gradient then fails with a message that does not
# say what happened:

# %%
x = tf.constant(1.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = np.sin(x)  # NumPy, not tf.sin: the value is right, the record is empty
print("y is a", f"{type(y).__module__}.{type(y).__name__}")
try:
    tape.gradient(y, x)
except AttributeError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# The tape expected a tensor it had recorded (every recorded tensor carries an id; a NumPy
# number has none). The fix is to stay inside TensorFlow: `tf.sin`, `tf.exp`, ... and no
# `.numpy()` or `float()` in the middle of the computation. `gradlab.derivative` (below)
# says this in words when it happens.

# %% [markdown]
# ## sin′ = cos: a rule applied, not a slope estimated
#
# Every TensorFlow operation comes with a registered gradient function, its derivative
# rule; the one for `Sin` multiplies by `cos`. So the tape is not discovering that sin′ =
# cos: it looks the rule up and applies it. A classic check, from the days of TensorFlow 1:
# differentiate `sin` over [0, 2π] and compare with `cos`.

# %%
xs = np.linspace(0, 2 * np.pi, 100, dtype=np.float32)
x = tf.constant(xs)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.sin(x)
d_sin = tape.gradient(y, x)
print(f"max |d sin/dx - cos x| = {np.max(np.abs(d_sin.numpy() - np.cos(xs))):.1e}")

# %%
fig, ax = gradlab.plot_curves(xs, {r"$\sin x$": y, r"tape: $\frac{d}{dx}\sin x$": d_sin})
ax.plot(xs, np.cos(xs), ":", color="black", linewidth=2.5, label=r"$\cos x$ (dotted)")
ax.legend()
ax.set_ylabel("value")
plt.show()

# %% [markdown]
# The black dots lie exactly on the tape's curve. The largest difference printed above is
# below 1e-7, the size of float32 rounding: TensorFlow does not estimate the slope from
# nearby points, it applies Sin's registered rule, sin′ = cos.

# %% [markdown]
# ## The TensorFlow 1 way: graphs, placeholders and `tf.gradients`
#
# In TensorFlow 1 (until TensorFlow 2.0, released in September 2019), code by default first
# *built a graph* with empty slots (placeholders), then *ran* it in a `Session`, feeding
# values in. (Eager execution already existed as an opt-in from TensorFlow 1.5, early 2018;
# TensorFlow 2 made it the default.) `tf.gradients(y, x)` added the derivative's
# operations to the graph. That is how `GradientDescentOptimizer(...).minimize(cost)` knew
# the gradient of any cost without being told.
#
# All of it still runs through `tf.compat.v1`. We build the graph inside its own
# `tf.Graph()`, so eager execution stays on for the rest of the notebook.

# %%
graph = tf.Graph()
with graph.as_default():
    x_slot = tf.compat.v1.placeholder(tf.float32, shape=[None], name="x")
    y_node = tf.sin(x_slot)
    grad_node = tf.gradients(y_node, x_slot)[0]  # graph-mode only: new operations, no values yet

print(grad_node)  # a symbolic tensor: it has a name and a shape, no numbers

# %%
with tf.compat.v1.Session(graph=graph) as session:
    y_tf1, grad_tf1 = session.run([y_node, grad_node], feed_dict={x_slot: xs})
print(f"TF1 vs TF2 tape: max difference {np.max(np.abs(grad_tf1 - d_sin.numpy())):.1e}")

# %% [markdown]
# Same numbers. The TensorFlow 2 version reads like ordinary Python and shows its values
# at once; the TensorFlow 1 version separates *describing* the computation from *running*
# it. `tf.function` brings that separation back when speed matters (notebook 04 draws such
# a graph).

# %% [markdown]
# ## Python control flow: the tape records the path actually taken
#
# A tape does not read your code; it records the operations that *run*. So `if`, `for` and
# `while` in plain Python work: each call records the branch it took and each pass of the
# loop it made, and the gradient is the derivative along that path.

# %%
def clipped_cube(x):
    if x > 1.0:  # a Python `if` on a tensor's value: fine in eager mode
        return 3.0 * x - 2.0  # beyond 1, a straight line meeting x³ at x = 1 with the same slope
    return x**3


for point in [0.5, 2.0]:
    x = tf.constant(point)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clipped_cube(x)
    print(f"x = {point}: branch {'line' if point > 1 else 'cube'}, dy/dx = {float(tape.gradient(y, x))}")

# %% [markdown]
# At 0.5 the tape saw `x**3` and gives 3·0.5² = 0.75; at 2 it saw `3x − 2` and gives 3.
# A loop is the same story, unrolled: this one multiplies by x three times, so the tape
# records three multiplications and the gradient is that of x³ = 3x², 12 at x = 2.

# %%
x = tf.constant(2.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.constant(1.0)
    for _ in range(3):
        y = y * x
print("d/dx of x·x·x at 2:", float(tape.gradient(y, x)))

# %% [markdown]
# Two consequences. The comparison `x > 1.0` itself has no derivative: the gradient never
# "sees" the boundary, only the branch. And a loop whose number of passes depends on x
# gives a gradient that changes with the pass count, as Exercise 4 shows.

# %% [markdown]
# ## The same in one line, with gradlab
#
# The rest of the collection often needs "f and f′ at these points".
# `gradlab.derivative` is exactly the tape code above (one tape, `watch`, `gradient`),
# with clear errors when something goes wrong:

# %%
y, dy = gradlab.derivative(lambda t: 5 * tf.sin(2 * t) + t**2, [0.0, 1.0, 2.0])
print(np.round(dy, 6))

# %% [markdown]
# And `gradlab.check_gradient` compares the tape with a finite-difference estimate, a good
# habit whenever you doubt a gradient. The estimate starts from the central difference
# D(h) = (f(x+h) − f(x−h)) / (2h), whose error shrinks like h² until rounding, which grows
# like 1/h, takes over. No single step suits every function, so it tries a ladder: from
# h = 6e-6 · max(1, |x|) halving down to 6e-6 · min(1, |x|) (not below 6e-10). Each three
# neighbouring steps h, h/2, h/4 are combined by *Richardson extrapolation*,
# D(h/4) + (D(h/4) − D(h/2)) / 3, which cancels the h² term; how far the three still
# differ, plus the rounding error, estimates what error is left. Starting from the
# smallest steps, each point moves to larger ones while that estimate falls; it stops
# before the first rise and keeps the triple whose estimate was the smallest on the way.
# The tape plays no part in this choice. The tape passes
# where it is within 1e-6 + 1e-4 · |estimate| plus the estimate's own error. Everything is
# computed in float64 where f allows it (whatever the input's type), so the errors are far
# below the float32 rounding seen above:

# %%
gradlab.check_gradient(lambda t: 5 * tf.sin(2 * t) + t**2, np.linspace(-5, 5, 11))

# %% [markdown]
# ## Exercises
#
# Write your answer where it says `...`, run the cell, then run the check below it.

# %% [markdown]
# **Exercise 1.** Write `slope_of_g(x)`: the derivative of g(x) = x³ − 2x at `x` (a
# float32 tensor), computed by a `tf.GradientTape`. The check calls it at x = 1.5 and at
# points of its own, and watches that a tape does the work (a formula typed in, or
# gradlab's helpers, do not count).

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_01_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def slope_of_g(x):
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        tape.watch(x)
        g = x**3 - 2 * x
    return tape.gradient(g, x)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("01.1", slope_of_g)

# %% nbgrader={"grade": true, "grade_id": "test_01_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("01.1", slope_of_g)
### BEGIN HIDDEN TESTS
gradlab.grade("01.1", slope_of_g, seed=33732)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Write `h(x) = sin(x²)` with TensorFlow operations, and `dh(x)`, its
# derivative worked out by hand with the chain rule (NumPy is fine for `dh`). By hand
# means a formula: `dh` may not use a tape, gradlab's helpers, or call `h` (a finite
# difference). The check compares `dh` with the true derivative at points of its own.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_01_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def h(x):
    ### BEGIN SOLUTION
    return tf.sin(x**2)
    ### END SOLUTION


def dh(x):
    ### BEGIN SOLUTION
    return 2 * x * np.cos(x**2)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("01.2", (h, dh))

# %% nbgrader={"grade": true, "grade_id": "test_01_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("01.2", (h, dh))
### BEGIN HIDDEN TESTS
gradlab.grade("01.2", (h, dh), seed=90552)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** This softplus function, log(1 + eˣ), returns a TensorFlow tensor with the
# right value, and no error anywhere; yet a tape asked for its gradient returns `None`.
# Unlike `np.sin` above, the leak is silent. Find it (record `broken_softplus` on a tape
# yourself, then try `gradlab.derivative(broken_softplus, 1.0)`), then write a `softplus`
# that the tape can differentiate. Its derivative should be the logistic function
# 1 / (1 + e⁻ˣ).

# %% tags=["exercise"]
def broken_softplus(x):
    e = np.exp(x.numpy())  # e to the x
    return tf.math.log(1 + e)


# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_01_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softplus(x):
    ### BEGIN SOLUTION
    return tf.math.log(1 + tf.exp(x))
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("01.3", softplus)

# %% nbgrader={"grade": true, "grade_id": "test_01_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("01.3", softplus)
### BEGIN HIDDEN TESTS
gradlab.grade("01.3", softplus, seed=42005)
### END HIDDEN TESTS

# %% [markdown]
# The check tries x in [−3, 3]. Try your `softplus` at x = 100: written as log(1 + eˣ), eˣ
# overflows float32 to infinity, so the value is inf and the gradient NaN. Exercise 6 of
# notebook 07 builds a softplus that stays finite.


# %% [markdown]
# **Exercise 4.** Predict, without running it, the derivative of `shrink` at x = 5 and at
# x = 0.5, then write them as a pair `(d_at_5, d_at_half)`: exact values, or at
# least 4 significant digits. Remember what the tape records when the `while` loop runs,
# and when it does not. (Check your prediction with a tape afterwards if you like.)

# %% tags=["exercise"]
def shrink(x):
    while x > 1.0:
        x = x / 2
    return x**2


# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_01_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
answer = (2 * (5 / 8) * (1 / 8), 2 * 0.5)  # 5 → 2.5 → 1.25 → 0.625: three halvings, each × 1/2
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("01.4", answer)

# %% nbgrader={"grade": true, "grade_id": "test_01_4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("01.4", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("01.4", answer, seed=22277)
### END HIDDEN TESTS
