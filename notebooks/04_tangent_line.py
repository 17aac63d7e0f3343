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
# # 04 · The tangent line at a point you choose
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/04_tangent_line.ipynb)
#
# The derivative at x₀ is the slope of the line that just touches the curve there: the
# tangent, y = f′(x₀)·(x − x₀) + f(x₀). We compute it for a wiggly function at a point
# you pick with a slider, then look inside the graph TensorFlow builds for it.

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
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gradlab

# %% [markdown]
# ## The function: f(x) = cos x · sin x / √x
#
# Defined for x > 0 (√x sits in a denominator), so we stay in (0, 2π].

# %%
def f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


# %% [markdown]
# ## Choose the point
#
# The evaluation point is a plain variable, so the notebook runs on its own; the explorer
# below lets you drag it. 4.1 is a good start: just past a crest, sloping down.

# %%
x0 = 4.1

# %% [markdown]
# ## Value and slope from one tape
#
# One forward pass gives f(x₀); one backward pass over the same record gives f′(x₀).
# There is no need to build the computation twice, once for the value and once for the
# gradient.

# %%
x = tf.constant(x0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y0 = f(x)
slope = tape.gradient(y0, x)
print(f"f({x0}) = {y0.numpy():.8f}   f'({x0}) = {slope.numpy():.8f}   (float32)")

# %% [markdown]
# In float64 the value has more digits to show (float32 keeps about 7):

# %%
x64 = tf.constant(x0, tf.float64)
with tf.GradientTape() as tape:
    tape.watch(x64)
    y64 = f(x64)
print(f"f({x0}) = {y64.numpy():.15f}   f'({x0}) = {tape.gradient(y64, x64).numpy():.9f}   (float64)")

# %% [markdown]
# ## The tangent line
#
# The line through (x₀, f(x₀)) with slope f′(x₀): y = f′(x₀)·(x − x₀) + f(x₀). Drawn
# dash-dot in vermillion (red-orange), the tangent's colour and line style in every
# gradlab figure:

# %%
from gradlab import style  # gradlab's colours and line styles

xs = np.linspace(0.05, 2 * np.pi, 200, dtype=np.float32)
tangent = slope.numpy() * (xs - x0) + y0.numpy()
fig, ax = plt.subplots(figsize=(6.4, 4))
ax.plot(xs, f(tf.constant(xs)), color=style.FUNCTION, label=r"$f(x) = \cos x \sin x / \sqrt{x}$")
ax.plot(xs, tangent, color=style.TANGENT, linestyle=style.TANGENT_LS,
        label=f"tangent at $x_0 = {x0}$")
ax.plot([x0], [y0], "ko")
ax.set(ylim=(-0.8, 1.0), xlabel="$x$", ylabel="$y$")
ax.legend()
plt.show()

# %% [markdown]
# ## Try it: drag x₀
#
# Three curves, told apart by their dashes (the legend shows which is which): f solid
# blue, the tangent dash-dot in vermillion as above, and f′ itself dashed in a yellower
# orange. The tangent's slope at x₀ is the height of the dot on the dashed f′ curve;
# where the tangent is flat, the dashed curve crosses zero.

# %%
gradlab.browser_tangent_explorer(f, x_range=(0.05, 2 * np.pi), x0=x0)

# %% [markdown]
# The tangent line y = f′(x₀)·(x − x₀) + f(x₀) can also be written y = slope·x + intercept,
# with slope = f′(x₀) and intercept = f(x₀) − f′(x₀)·x₀ (its height at x = 0).
# `gradlab.tangent_line` returns that pair, from the same tape computation as above:

# %%
print("slope, intercept = ({:.6f}, {:.6f})".format(*gradlab.tangent_line(f, x0)))

# %% [markdown]
# ## The graph behind it
#
# Wrapped in `tf.function`, the Python code is traced once into a graph of operations,
# which TensorFlow can optimise and save. The gradient becomes part of the same graph:
# the tape adds the backward-pass operations next to the forward ones.

# %%
@tf.function
def value_and_slope(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return y, tape.gradient(y, x)


y_graph, slope_graph = value_and_slope(tf.constant(x0))
print(f"traced graph: f = {y_graph.numpy():.8f}, f' = {slope_graph.numpy():.8f}")

# %% [markdown]
# ### For TensorBoard (optional)
#
# TensorBoard, TensorFlow's browser dashboard, reads *event files*. Writing them needs
# only TensorFlow; three calls produce one with our graph:
#
# - `tf.summary.create_file_writer(folder)` opens an event file in that folder;
# - `tf.summary.trace_on(graph=True)` starts recording every graph traced from now on.
#   `value_and_slope` was already traced above, and a traced function is not traced
#   again, so we wrap the same Python function in a *new* `tf.function`, whose first call
#   traces;
# - `tf.summary.trace_export(name, step)` writes what was recorded through the writer
#   and stops recording.
#
# *Viewing* them needs the `tensorboard` package, which this project does not install
# (`tensorflow-cpu` does not bring it along). Colab's TensorFlow does: there, run
# `%load_ext tensorboard` and then `%tensorboard --logdir logs` in a cell. Elsewhere,
# install it first if you want to look (`pip install tensorboard` in the notebook's
# environment), then run `tensorboard --logdir notebooks/logs` in a terminal and open its
# Graphs tab. Nothing below depends on it: the next section draws the same graph here.
# The `logs/` folder is ignored by git.

# %%
log_dir = Path("logs") / "tangent"
shutil.rmtree(log_dir, ignore_errors=True)  # one clean run each time
writer = tf.summary.create_file_writer(str(log_dir))
tf.summary.trace_on(graph=True)
fresh = tf.function(value_and_slope.python_function)  # a new tf.function traces on its first call
fresh(tf.constant(x0))
with writer.as_default():
    tf.summary.trace_export(name="value_and_slope", step=0)
writer.close()
print("event files written:", len(list(log_dir.glob("events.out.tfevents.*"))))

# %% [markdown]
# ### …and drawn right here
#
# Without TensorBoard, we can list the graph's operations ourselves. A `tf.function` can
# hold several graphs, one per kind of input (shape and dtype). `get_concrete_function`
# with a `tf.TensorSpec([], tf.float32)` ("a float32 scalar") picks that one, tracing it
# if needed, and its `.graph` is a `tf.Graph` whose operations we can walk.
#
# Arrows go from an operation to the ones that use its result, so the drawing reads left
# to right in the order things are computed. Lines run level through a column of boxes
# and slant only between columns, so a line touches only the boxes it connects. Blue
# boxes compute y = f(x) from the input x (the blue `RealDiv` is y itself).
#
# The pink boxes are the backward pass: ordinary operations that the tape added to the
# graph, one small group per forward operation. Each group is that operation's
# *derivative rule*, the gradient function TensorFlow keeps registered for every op type.
# They start from the seed ȳ = ∂y/∂y = 1, meet the forward operations in *reverse* order,
# and end in the box `AddN = x̄`: the gradient returned for x, the sum of every path from
# y back to x.

# %%
graph = value_and_slope.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
gradlab.plot_op_graph(graph, output="y")
plt.show()

# %%
ops = gradlab.op_graph(graph, output="y")
print(f"{len(ops.nodes)} operations ({len(ops.backward)} for the gradient), {len(ops.edges)} connections")
print("forward :", sorted(t for n, t in ops.types.items() if n not in ops.backward))
print("backward:", sorted(t for n, t in ops.types.items() if n in ops.backward))

# %% [markdown]
# (The backward list's `Const` is the seed ȳ = 1.) What do the pink boxes compute?
# `ops.expression` writes an operation out as a formula of the input: each operation
# applied to its inputs, 1 for the seed. Here is x̄, one line per path that `AddN` adds up:

# %%
(x_bar,) = ops.adjoints  # the one operation whose result is returned as the gradient
print("x̄ = AddN of")
for path in ops.sources[x_bar]:
    print("   ", ops.expression(path))

# %% [markdown]
# Read it inside out, with u = cos x · sin x and v = √x, so that y = u / v:
#
# - `RealDiv(1, Sqrt(x))` is ū = ȳ / v, and `Mul(1, RealDiv(RealDiv(Neg(u), Sqrt(x)),
#   Sqrt(x)))` is v̄ = ȳ · (−u / v²): the quotient rule, the rule of the forward `RealDiv`.
# - `SqrtGrad(Sqrt(x), v̄)` is v̄ / (2√x), the rule of `Sqrt`: the first line, the path
#   through √x.
# - `Mul(ū, Sin(x))` and `Mul(ū, Cos(x))` are the product rule for u = cos x · sin x: the
#   adjoints of cos x and of sin x.
# - Then the rule of `Cos` multiplies its adjoint by −sin x (`Neg`, then `Mul` by
#   `Sin(x)`), the second line, and the rule of `Sin` multiplies by cos x, the third. The
#   pink `Cos` and `Sin` boxes are those rules computing cos x and sin x again; they are
#   not the forward ones.
#
# Added up: x̄ = −(u/v²)/(2√x) + (1/√x)(cos²x − sin²x) = f′(x), the number printed at the
# top of this notebook.

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Write `tangent_at(x0)`, returning the tangent line to f at `x0` (a
# float32 tensor) as the pair `(slope, intercept)`. Use a tape, not `gradlab.tangent_line`
# (that would be a one-liner with nothing learned): the slope is f′(x₀), and the intercept
# is the line's height at x = 0. The check tries x₀ = 2 and points of its own.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_04_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tangent_at(x0):
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        tape.watch(x0)
        y = f(x0)
    s = tape.gradient(y, x0)
    return float(s), float(y - s * x0)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("04.1", tangent_at)

# %% nbgrader={"grade": true, "grade_id": "test_04_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("04.1", tangent_at)
### BEGIN HIDDEN TESTS
gradlab.grade("04.1", tangent_at, seed=93540)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Newton's method finds a zero of a function by sliding down its tangent:
# from x, the tangent crosses zero at x − g(x)/g′(x). Write `newton_step(g, x)` that
# returns that number for any TensorFlow function g and a float32 tensor x, using a tape.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_04_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def newton_step(g, x):
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    return float(x - y / tape.gradient(y, x))
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("04.2", newton_step)

# %% nbgrader={"grade": true, "grade_id": "test_04_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("04.2", newton_step)
### BEGIN HIDDEN TESTS
gradlab.grade("04.2", newton_step, seed=95163)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Near x = 4 the curve f has a crest, where the tangent is flat: a zero of
# f′. Find that x to three decimals, that is within 0.0005, and put it in `answer`. The
# slider only gets you close. Two ways to finish: Newton's method on f′, which needs f″
# (nest two tapes, as in notebook 02), or bisection on the sign of f′.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_04_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
x = tf.Variable(4.0, dtype=tf.float64)  # from the slider: f' changes sign just below 4
for _ in range(20):  # Newton's method on f': x - f'(x) / f''(x)
    with tf.GradientTape() as outer:  # records how the inner tape computes f'
        with tf.GradientTape() as inner:
            y = f(x)
        slope = inner.gradient(y, x)  # f'(x), asked inside the outer block
    x.assign_sub(slope / outer.gradient(slope, x))  # f''(x) from the outer tape
answer = float(x.numpy())
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("04.3", answer)

# %% nbgrader={"grade": true, "grade_id": "test_04_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("04.3", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("04.3", answer, seed=78722)
### END HIDDEN TESTS
