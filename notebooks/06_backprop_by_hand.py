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
# # 06 · Backpropagation by hand
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/06_backprop_by_hand.ipynb)
#
# What does `tape.gradient` actually do? Exactly what we do here on paper: a **forward
# pass** through named intermediate values, then a **backward pass** that carries one
# number per node, its *adjoint* ∂f/∂node, from the output back to the inputs.

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
import math

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gradlab

# %% [markdown]
# ## The function as a graph
#
# f(x, y) = cos(x)·sin(y) + x/y, broken into one operation per node:
#
# | node | definition | depends on |
# |---|---|---|
# | a | cos x | x |
# | b | sin y | y |
# | c | a · b | a, b |
# | d | x / y | x, y |
# | f | c + d | c, d |
#
# x feeds two nodes (a and d), and so does y (b and d). Their adjoints will collect a
# contribution from each path: that sum is the multivariable chain rule.
#
# Choose the point here (y ≠ 0, or d = x/y is undefined):

# %%
x0, y0 = 1.0, 2.0

# %% [markdown]
# ## Forward pass: values, node by node

# %%
a = math.cos(x0)
b = math.sin(y0)
c = a * b
d = x0 / y0
f = c + d

forward = [("x", "input", x0), ("y", "input", y0), ("a", "cos x", a), ("b", "sin y", b),
           ("c", "a · b", c), ("d", "x / y", d), ("f", "c + d", f)]
print(f"{'node':<5}{'definition':<12}{'value':>12}")
for name, definition, value in forward:
    print(f"{name:<5}{definition:<12}{value:>12.6f}")

# %% [markdown]
# ## Backward pass: adjoints, node by node
#
# Write x̄ ("x bar", `x_bar` in code) for the adjoint ∂f/∂x: how much f changes per unit
# change of x. Start from f̄ = ∂f/∂f = 1 and walk the table upwards. Each node passes its adjoint to its
# inputs, times the *local* derivative of the node with respect to that input:
#
# - f = c + d: both local derivatives are 1, so c̄ = f̄ and d̄ = f̄.
# - c = a·b: ∂c/∂a = b and ∂c/∂b = a, so ā = c̄·b and b̄ = c̄·a.
# - d = x/y: ∂d/∂x = 1/y and ∂d/∂y = −x/y².
# - a = cos x: ∂a/∂x = −sin x. b = sin y: ∂b/∂y = cos y.
#
# Notice that the local derivatives use the forward values (b, a, x, y). That is why the
# tape must remember the forward pass: the memory cost of backprop.

# %%
f_bar = 1.0
c_bar = f_bar * 1.0
d_bar = f_bar * 1.0
a_bar = c_bar * b
b_bar = c_bar * a
x_bar = a_bar * (-math.sin(x0)) + d_bar * (1 / y0)  # two paths: through a and through d
y_bar = b_bar * math.cos(y0) + d_bar * (-x0 / y0**2)  # two paths: through b and through d

backward = [("f_bar", "1", f_bar), ("c_bar", "f_bar * 1", c_bar), ("d_bar", "f_bar * 1", d_bar),
            ("a_bar", "c_bar * b", a_bar), ("b_bar", "c_bar * a", b_bar),
            ("x_bar", "a_bar * (-sin x) + d_bar / y", x_bar), ("y_bar", "b_bar * cos y - d_bar * x / y**2", y_bar)]
print(f"{'adjoint':<8}{'rule':<34}{'value':>10}")
for name, rule, value in backward:
    print(f"{name:<8}{rule:<34}{value:>10.6f}")

# %% [markdown]
# ## The tape agrees
#
# The last two adjoints are the gradient. The tape in float64 gives the same numbers:

# %%
x = tf.Variable(x0, dtype=tf.float64)
y = tf.Variable(y0, dtype=tf.float64)
with tf.GradientTape() as tape:
    f_tape = tf.cos(x) * tf.sin(y) + x / y
df_dx, df_dy = tape.gradient(f_tape, [x, y])
print(f"by hand: df/dx = {x_bar:.12f}   df/dy = {y_bar:.12f}")
print(f"tape   : df/dx = {df_dx.numpy():.12f}   df/dy = {df_dy.numpy():.12f}")

# %% [markdown]
# ## The same graph, as TensorFlow builds it
#
# Traced by `tf.function`, the computation and its gradient are one graph. The inputs x and
# y are the two boxes on the left. Blue boxes are our forward table (Cos, Sin, Mul,
# RealDiv, AddV2). Pink ones are the backward pass TensorFlow generated: starting from the
# seed box f̄ = ∂f/∂f = 1, each forward node's local-derivative rule (the gradient function
# TensorFlow keeps registered for its op type), the same rules as in the list above. The
# two boxes on the right, `AddN = x̄` and `AddN = ȳ`, are the gradients the function
# returns: each is the sum over two paths from the remark under the table, x̄ through a
# and d, ȳ through b and d. Lines run level through a column of boxes and slant only
# between columns, so a line touches only the boxes it connects.

# %%
@tf.function
def value_and_gradient(x, y):
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        f = tf.cos(x) * tf.sin(y) + x / y
    return f, tape.gradient(f, [x, y])


graph = value_and_gradient.get_concrete_function(tf.TensorSpec([], tf.float64), tf.TensorSpec([], tf.float64)).graph
gradlab.plot_op_graph(graph, output="f")
plt.show()
ops = gradlab.op_graph(graph, output="f")
print("AddN boxes in the backward pass:", ops.count("AddN", backward=True))

# %% [markdown]
# Which pink box is which rule? `ops.expression` writes an operation out as a formula of
# the inputs: each operation applied to its inputs, 1 for the seed f̄. The two returned
# gradients:

# %%
for node, name in ops.adjoints.items():
    print(f"{name}_bar = {ops.expression(node)}")

# %% [markdown]
# Match them with the table of adjoints:
#
# - The addition f = c + d has no pink box: its rule passes f̄ on unchanged, so c̄ = d̄ = 1
#   is the seed itself (the lines leaving the seed box).
# - `Mul(1, Sin(y))` is ā = c̄·b and `Mul(Cos(x), 1)` is b̄ = c̄·a: the rule of c = a·b.
# - In x_bar, `Mul(Neg(ā), Sin(x))` is ā·(−sin x), the rule of a = cos x, and
#   `RealDiv(1, y)` is d̄/y, the rule of d = x/y for x: x̄'s two paths.
# - In y_bar, `Mul(b̄, Cos(y))` is b̄·cos y, the rule of b = sin y, and
#   `Mul(1, RealDiv(RealDiv(Neg(x), y), y))` is d̄·(−x/y²), the rule of d = x/y for y.
#
# The pink `Sin` and `Cos` boxes are those rules computing sin x and cos y: the backward
# pass needs them, and the forward pass computed cos x and sin y, not these.

# %% [markdown]
# ## Why backwards?
#
# One backward pass produced *both* partial derivatives. Forward and backward passes
# together cost a small constant multiple of one forward pass, typically 2-4 times its
# work: each backward rule does about as much as its forward operation, or a little more
# (notebook 08 counts 9 operations over the weights for function and gradient against 3
# for the function alone). With a million inputs (a neural network's weights) it would
# still be one backward pass for all million partials. Going forwards instead (notebook
# 08) costs one pass per input. The backward order is what makes training large networks affordable.
#
# A finite-difference check, independent of both:

# %%
h = 1e-6
def f_plain(x, y):
    return math.cos(x) * math.sin(y) + x / y


print(f"finite differences: df/dx ≈ {(f_plain(x0 + h, y0) - f_plain(x0 - h, y0)) / (2 * h):.8f}"
      f"   df/dy ≈ {(f_plain(x0, y0 + h) - f_plain(x0, y0 - h)) / (2 * h):.8f}")

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** A node the table does not have: the sigmoid s = σ(z) = 1/(1 + e⁻ᶻ), whose
# derivative is σ′(z) = σ(z)(1 − σ(z)). Its backward rule receives the upstream adjoint s̄
# and returns z̄. TensorFlow's rule for it keeps only the node's *output* s from the forward
# pass, not z: write `sigmoid_backward(s, upstream)` from s and s̄ alone, by hand (no
# tape). The check tries (s, s̄) = (0.25, 2) and pairs of its own.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_06_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sigmoid_backward(s, upstream):
    ### BEGIN SOLUTION
    return upstream * s * (1 - s)  # s̄ times the local derivative σ′(z) = s(1 − s)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("06.1", sigmoid_backward)

# %% nbgrader={"grade": true, "grade_id": "test_06_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("06.1", sigmoid_backward)
### BEGIN HIDDEN TESTS
gradlab.grade("06.1", sigmoid_backward, seed=80033)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Backpropagate by hand through g(x, y) = exp(x·y) + y: name the nodes
# (p = x·y, q = exp p, g = q + y), write both passes as `g_gradient(x, y)` returning
# (∂g/∂x, ∂g/∂y), with no tape. Try it at (0.5, 2) against a tape yourself; the check
# tries points of its own.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_06_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def g_gradient(x, y):
    ### BEGIN SOLUTION
    q = math.exp(x * y)  # forward pass: p = x·y, q = exp p, g = q + y
    # Backward from ḡ = 1: q̄ = ḡ = 1 (g = q + y), p̄ = q̄·q (q = exp p), x̄ = p̄·y, and
    # ȳ = p̄·x through p plus ḡ·1 straight from g = q + y: y reaches g twice.
    return q * y, q * x + 1
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("06.2", g_gradient)

# %% nbgrader={"grade": true, "grade_id": "test_06_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("06.2", g_gradient)
### BEGIN HIDDEN TESTS
gradlab.grade("06.2", g_gradient, seed=58164)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** A neuron, with vectors. The weights w and the input x are NumPy vectors of
# the same length n; the bias b and the target t are numbers. Forward: z = w·x + b (a dot
# product, then an addition), s = σ(z), and the loss L = (s − t)². Write
# `neuron_gradient(w, b, x, t)` returning (w̄, b̄) = (∂L/∂w, ∂L/∂b), by hand with NumPy (no
# tape): a forward pass, then a backward pass from L̄ = 1 through the square, the sigmoid
# (Exercise 1's rule), the addition and the dot product. An adjoint has the shape of its
# node, so w̄ has n entries. Compare with a tape yourself; the check compares with one at
# vectors of several lengths.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_06_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def neuron_gradient(w, b, x, t):
    ### BEGIN SOLUTION
    s = 1 / (1 + np.exp(-(w @ x + b)))  # forward pass: z = w·x + b, s = σ(z)
    # Backward from L̄ = 1: s̄ = 2(s − t), z̄ = s̄·s(1 − s) (Exercise 1's rule); z = w·x + b
    # gives w̄ = z̄·x (entry i of w meets only x[i]) and b̄ = z̄.
    return 2 * (s - t) * s * (1 - s) * x, 2 * (s - t) * s * (1 - s)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("06.3", neuron_gradient)

# %% nbgrader={"grade": true, "grade_id": "test_06_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("06.3", neuron_gradient)
### BEGIN HIDDEN TESTS
gradlab.grade("06.3", neuron_gradient, seed=46547)
### END HIDDEN TESTS
