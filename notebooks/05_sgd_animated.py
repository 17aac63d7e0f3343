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
# # 05 · Gradient descent, step by step and animated
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/05_sgd_animated.ipynb)
#
# The gradient points uphill, so a small step against it goes downhill. Repeat, and you
# have the algorithm that trains neural networks. Here we watch it walk over the
# egg-crate landscape of notebook 03, and compare step sizes and optimisers.

# %%
# Set-up: installs gradlab on Colab (which already has TensorFlow); does nothing elsewhere.
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up log stays out of outputs
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "gradlab @ git+https://github.com/gradlab-edu/gradlab"], check=True)

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gradlab


# %%
def f(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


start = (0.25, -0.50)

# %% [markdown]
# ## The old way no longer exists
#
# Tutorials from the TensorFlow 2.0 days called `optimizer.minimize(loss_fn, var_list)`.
# In Keras 3, which TensorFlow uses since 2.16, optimisers have no `minimize`:

# %%
x, y = tf.Variable(start[0]), tf.Variable(start[1])
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
try:
    optimizer.minimize(lambda: f(x, y), var_list=[x, y])
except AttributeError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# ## The way that works: a tape, then `apply_gradients`
#
# Record the loss on a tape, ask for the gradient with respect to the variables, and hand
# (gradient, variable) pairs to the optimiser, which moves each variable by
# −learning_rate × gradient.

# %%
def sgd_step(optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = f(x, y)
    grads = tape.gradient(loss, [x, y])
    optimizer.apply_gradients(zip(grads, [x, y]))
    return loss


sgd_step(optimizer, x, y)
print(f"after one step: (x, y) = ({x.numpy():.8f}, {y.numpy():.8f})")

# %% [markdown]
# Check it by hand: ∇f = (0.8 cos 4x, sin 5y), and at (0.25, −0.5) one step of 0.01
# against it lands exactly there:

# %%
gx, gy = 0.8 * np.cos(4 * 0.25), np.sin(5 * -0.5)
print(f"by hand:        (x, y) = ({0.25 - 0.01 * gx:.8f}, {-0.5 - 0.01 * gy:.8f})")

# %% [markdown]
# ## 120 steps
#
# We keep every point, one per step, for the picture and the animation.

# %%
x, y = tf.Variable(start[0]), tf.Variable(start[1])
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
path = [(x.numpy(), y.numpy())]
for _ in range(120):
    sgd_step(optimizer, x, y)
    path.append((x.numpy(), y.numpy()))
path = np.array(path)
print(f"after 120 steps: (x, y) = ({path[-1, 0]:.4f}, {path[-1, 1]:.4f}), f = {f(x, y).numpy():.4f}")

# %% [markdown]
# The minimum of this landscape is −0.4 (sin 4x = −1 and cos 5y = 1): the walk is nearly
# there. Drawn over 10 labelled contour levels, then animated. Press ▶ play, or drag the
# slider. The animation is plain HTML and JavaScript, so it needs no video encoder and
# plays in Colab too.

# %%
X, Y = gradlab.grid((-1, 1), (-1, 1), 100)
Z, _, _ = gradlab.partials(f, X, Y)
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="SGD, learning rate 0.01, 120 steps")
gradlab.path_player(ax, {"SGD 0.01": path}, interval_ms=20)

# %% [markdown]
# `gradlab.descend` runs the same update rules (Keras 3's, checked against the Keras
# optimisers in gradlab's tests) inside one compiled `tf.function`, fast enough for
# sliders. Same path:

# %%
fast = gradlab.descend(f, start, "sgd", learning_rate=0.01, steps=120)
print(f"largest difference from the Keras loop: {np.max(np.abs(fast.points - path)):.1e}")

# %% [markdown]
# ## How big a step?
#
# Too small and the walk crawls. Too large and it overshoots: across y the valley curves
# with 5 (f_yy = 5 cos 5y at the bottom), and SGD is stable only for steps below 2/5 = 0.4.
# At 0.45 it bounces from wall to wall forever and never settles.

# %%
rates = [0.005, 0.01, 0.05, 0.45]
runs = {f"SGD {lr}": gradlab.descend(f, start, "sgd", lr, 120) for lr in rates}
for name, run in runs.items():
    print(f"{name:>9}: final (x, y) = ({run.points[-1, 0]:7.4f}, {run.points[-1, 1]:7.4f}), f = {run.losses[-1]:.4f}")

# %%
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="four learning rates")
gradlab.path_player(ax, {name: run.points for name, run in runs.items()}, interval_ms=40)

# %% [markdown]
# ## Other optimisers
#
# **Momentum** keeps a running velocity, so it speeds up along a steady slope and rolls
# through small bumps. **RMSprop** divides each step by a running size of recent
# gradients, so flat and steep directions both get sensible steps. **Adam** combines the
# two. Same start, same learning rate 0.05:

# %%
methods = ["sgd", "momentum", "rmsprop", "adam"]
runs = {m: gradlab.descend(f, start, m, 0.05, 120) for m in methods}
for name, run in runs.items():
    print(f"{name:>9}: final f = {run.losses[-1]:.4f}, first below -0.39 at step "
          f"{int(np.argmax(run.losses < -0.39)) if np.any(run.losses < -0.39) else 'never'}")

# %%
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="four optimisers, learning rate 0.05")
gradlab.path_player(ax, {name: run.points for name, run in runs.items()}, interval_ms=40)

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.5))
for name, run in runs.items():
    ax.plot(run.losses, label=name)
ax.set(xlabel="step", ylabel="$f(x, y)$", title="loss per step")
ax.legend()
plt.show()

# %% [markdown]
# ## Try it: the descent explorer
#
# Pick an optimiser, drag the learning rate (a log scale: each notch multiplies it), the
# number of steps, or the start. Push the learning rate to the far right to see a walk
# thrown off the map.

# %%
gradlab.descent_explorer(f, start=start, learning_rate=0.01, steps=120)

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Without an optimiser: compute the first SGD step from (0.25, −0.5) with
# learning rate 0.01, using a tape for the gradient. Store the new point as `(x, y)`.

# %% tags=["solution"]
### BEGIN SOLUTION
p = tf.constant([0.25, -0.5])
with tf.GradientTape() as tape:
    tape.watch(p)
    loss = f(p[0], p[1])
answer = p - 0.01 * tape.gradient(loss, p)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("05.1", answer)

# %% [markdown]
# **Exercise 2.** On the bowl q(x, y) = x² + 10y², SGD from (1, 1) converges for small
# learning rates and blows up for large ones. Find the threshold, to two decimals.
# (`gradlab.descend(q, (1, 1), "sgd", lr, 200).diverged` tells you; so does the
# descent explorer.)

# %% tags=["solution"]
### BEGIN SOLUTION
def q(x, y):
    return x**2 + 10 * y**2


def settles(lr):
    run = gradlab.descend(q, (1.0, 1.0), "sgd", lr, 400)
    return not run.diverged and abs(run.points[-1, 1]) < 1e-3


lo, hi = 0.01, 1.0  # settles at lo, not at hi
for _ in range(30):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if settles(mid) else (lo, mid)
answer = round(hi, 2)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("05.2", answer)

# %% [markdown]
# **Exercise 3.** Write one step of SGD with momentum 0.9 the way Keras does it:
# velocity ← 0.9·velocity − lr·gradient, then point ← point + velocity. Return
# `(new_point, new_velocity)` (NumPy arrays are fine).

# %% tags=["solution"]
def momentum_step(point, velocity, gradient, lr):
    ### BEGIN SOLUTION
    velocity = 0.9 * velocity - lr * gradient
    return point + velocity, velocity
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("05.3", momentum_step)
