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
# (gradient, variable) pairs to the optimiser. `SGD`, the one used here, moves each variable
# by −learning_rate × gradient; other optimisers use the same pairs in their own ways.

# %%
def descent_step(optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = f(x, y)
    grads = tape.gradient(loss, [x, y])
    optimizer.apply_gradients(zip(grads, [x, y]))
    return loss


descent_step(optimizer, x, y)
print(f"after one step: (x, y) = ({x.numpy():.8f}, {y.numpy():.8f})")

# %% [markdown]
# Check it by hand: ∇f = (0.8 cos 4x, sin 5y), and at (0.25, −0.5) one step of 0.01
# against it lands exactly there:

# %%
gx, gy = 0.8 * np.cos(4 * 0.25), np.sin(5 * -0.5)
print(f"by hand:        (x, y) = ({0.25 - 0.01 * gx:.8f}, {-0.5 - 0.01 * gy:.8f})")

# %% [markdown]
# ## Gradient descent, and why Keras calls its optimiser SGD
#
# Each step above used the *exact* gradient of f, the same every time from the same point:
# that is **gradient descent** (full-batch gradient descent, when f is a loss over a data
# set). Keras' plain optimiser is called `SGD`, for **stochastic** gradient descent,
# because in training it is usually handed something else: the gradient of the loss on a
# random *mini-batch* of the data (say 32 of a million examples), a cheap, noisy estimate
# of the full gradient. The update rule is the same, −learning_rate × gradient; only the
# gradient fed to it differs. One pass through all the mini-batches is an *epoch*. Here
# there is no data set and no randomness, so every walk in this notebook is plain
# gradient descent, even where the Keras class is `SGD` (and `gradlab.descend`'s method
# `"sgd"`). Stochastic gradient descent comes back with the Keras model at the end, and
# notebook 09 runs it.

# %% [markdown]
# ## 120 steps
#
# We keep every point, one per step, for the picture and the animation.

# %%
x, y = tf.Variable(start[0]), tf.Variable(start[1])
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
path = [(x.numpy(), y.numpy())]
for _ in range(120):
    descent_step(optimizer, x, y)
    path.append((x.numpy(), y.numpy()))
path = np.array(path)
print(f"after 120 steps: (x, y) = ({path[-1, 0]:.4f}, {path[-1, 1]:.4f}), f = {f(x, y).numpy():.4f}")

# %% [markdown]
# The minimum of this landscape is −0.4 (sin 4x = −1 and cos 5y = 1): the walk is nearly
# there. Drawn over contour lines every 0.08 (the levels labelled on the map are printed
# below), then animated. The map shows only the part of the landscape the walks in this
# notebook visit: x from −0.8 to 0.4, y from −0.6 to 0.4. Press ▶ play, or drag the
# slider. The animation is plain HTML and JavaScript, so it needs no video encoder and
# plays in Colab too.

# %%
def map_axes():
    """Axes for the map, with room on the right for the player's legend."""
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    fig.subplots_adjust(left=0.09, right=0.74, top=0.9, bottom=0.12)
    return ax


X, Y = gradlab.grid((-0.8, 0.4), (-0.6, 0.4), 100)
Z = f(tf.constant(X), tf.constant(Y)).numpy()  # values only: no tape needed
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="gradient descent, learning rate 0.01, 120 steps",
                               ax=map_axes())
print("labelled contour levels:", sorted({float(label.get_text()) for label in ax.texts}))
gradlab.path_player(ax, {"learning rate 0.01": path}, interval_ms=20, legend_outside=True)

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
# Too small and the walk crawls; too large and it overshoots. Near its bottom the landscape
# is a bowl that curves more steeply across y (f_yy = 5 cos 5y = 5 there) than along x
# (f_xx = −3.2 sin 4x = 3.2). On a bowl, each step multiplies the distance from the bottom
# along a direction of curvature λ by 1 − lr·λ. The walk settles only if that factor is
# smaller than 1 in size in every direction: for 0 < lr < 2/L, with L the steepest
# curvature, here 2/5 = 0.4. Four rates, the last one above 0.4:

# %%
rates = [0.005, 0.01, 0.05, 0.45]
runs = {f"learning rate {lr}": gradlab.descend(f, start, "sgd", lr, 120) for lr in rates}
for name, run in runs.items():
    print(f"{name:>19}: final (x, y) = ({run.points[-1, 0]:7.4f}, {run.points[-1, 1]:7.4f}), "
          f"f = {run.losses[-1]:.4f}")

# %% [markdown]
# In the player, the three smaller rates draw one route: small steps all follow the same
# steepest-descent curve, and the rate only decides how far along it 120 steps get. Watch
# the end dots while it plays: after 120 steps 0.05 is at the bottom (f = −0.4000), 0.01
# nearly there (−0.3979) and 0.005 still on the way (−0.3110). 0.45 leaves the route at
# once and zigzags across the valley; it ends at f = −0.3349, above the bottom.

# %%
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="gradient descent, four learning rates", ax=map_axes())
gradlab.path_player(ax, {name: run.points for name, run in runs.items()}, interval_ms=40, legend_outside=True)

# %% [markdown]
# ### Above 2/L: bouncing, not blowing up
#
# At 0.45 the factor across y is 1 − 0.45 × 5 = −1.25: near the bottom every step should
# overshoot to the other wall, 25% farther out. On a true bowl (a quadratic) that goes on
# until the numbers blow up (Exercise 3). Here it does not. Follow y step by step, x having
# settled at the bottom, −π/8:

# %%
bounce = runs["learning rate 0.45"].points
print(f"x after 120 steps: {bounce[-1, 0]:.4f}   (−π/8 = {-np.pi / 8:.4f})")
print("y, steps 0 to 9:    ", " ".join(f"{v:+.4f}" for v in bounce[:10, 1]))
print("y, steps 111 to 120:", " ".join(f"{v:+.4f}" for v in bounce[-10:, 1]))

# %% [markdown]
# Within ten steps y swaps between about +0.166 and −0.166, and by the end between
# +0.1661 and −0.1661 exactly, every step: a **2-cycle**.
# The walk neither converges nor blows up; its loss is stuck at −0.3349. Why no blow-up:
# the slope across y is sin 5y, never more than 1 in size, so no step moves y by more than
# lr = 0.45, whereas on a bowl the slope, and with it the overshoot, grows with the
# distance. The cycle sits where a step from y lands exactly on −y, a jump of
# 2y = lr·sin 5y:

# %%
y_cycle = abs(bounce[-1, 1])
print(f"2y = {2 * y_cycle:.4f}    0.45 · sin(5y) = {0.45 * np.sin(5 * y_cycle):.4f}")

# %% [markdown]
# The bottom itself is still unstable at 0.45: a walk started a hair away from it, at
# y = 0.001, is pushed out by the factor 1.25 each step, until it reaches the same 2-cycle.
# On the bowl −0.4 + 2.5y², which has the same curvature 5 at the bottom, the same factor
# never stops acting:

# %%
near = gradlab.descend(f, (-np.pi / 8, 0.001), "sgd", 0.45, 60).points[:, 1]
bowl = 0.001 * (1 - 0.45 * 5) ** np.arange(61)  # y ← y − lr·5y on the bowl, exactly
fig, ax = plt.subplots(figsize=(6.4, 3.4))
ax.semilogy(np.abs(near), color="#0072b2", label="egg-crate f, from y = 0.001")
ax.semilogy(np.abs(runs["learning rate 0.45"].points[:61, 1]), ":", color="#0072b2", lw=2,
            label="egg-crate f, from the lesson's start")
ax.semilogy(np.abs(bowl), "--", color="#d55e00", label="bowl −0.4 + 2.5y², from y = 0.001")
ax.set(xlabel="step", ylabel="|y| (log scale)",
       title="learning rate 0.45, above 2/L = 0.4", xlim=(0, 60))
ax.legend(fontsize=9)
plt.show()
print(f"|y| after 60 steps: egg-crate {abs(near[-1]):.4f}, bowl {abs(bowl[-1]):.3g}")

# %% [markdown]
# Much larger rates throw the walk out of this valley altogether: push the slider of the
# explorer at the end of this notebook to the right.

# %% [markdown]
# ## Other optimisers: Keras' own
#
# **Momentum** keeps a running velocity, so it speeds up along a steady slope and rolls
# through small bumps. **RMSprop** divides each step by a running size of recent
# gradients (a root mean square), so flat and steep directions get steps of similar
# length. **Adam** combines the two. Each is a Keras optimiser; the loop is the one above, only
# the optimiser object changes; plain gradient descent is Keras' `SGD` without momentum.
# Same start, same learning rate 0.05, 120 steps:

# %%
def keras_path(optimizer, steps=120):
    x, y = tf.Variable(start[0]), tf.Variable(start[1])
    points, losses = [start], [float(f(x, y))]
    for _ in range(steps):
        descent_step(optimizer, x, y)  # tape, gradient, apply_gradients: works for any optimiser
        points.append((float(x.numpy()), float(y.numpy())))
        losses.append(float(f(x, y)))
    return np.array(points), np.array(losses)


optimizers = {
    "gradient descent": tf.keras.optimizers.SGD(learning_rate=0.05),
    "momentum 0.9": tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "RMSprop": tf.keras.optimizers.RMSprop(learning_rate=0.05),
    "Adam": tf.keras.optimizers.Adam(learning_rate=0.05),
}
runs = {name: keras_path(opt) for name, opt in optimizers.items()}
for name, (_, losses) in runs.items():
    first = int(np.argmax(losses < -0.39)) if np.any(losses < -0.39) else "never"
    print(f"{name:>16}: final f = {losses[-1]:.4f}, first below -0.39 at step {first}, "
          f"steps that went uphill: {int(np.sum(np.diff(losses) > 0))}")
checkpoints = (5, 10, 15, 20, 40, 60, 120)
print(f"{'f after k steps, k =':>20}", "".join(f"{k:>9}" for k in checkpoints))
for name, (_, losses) in runs.items():
    print(f"{name:>20}", "".join(f"{losses[k]:9.4f}" for k in checkpoints))

# %%
fig, ax = gradlab.plot_contour(X, Y, Z, levels=10, title="four Keras optimisers, learning rate 0.05", ax=map_axes())
gradlab.path_player(ax, {name: points for name, (points, _) in runs.items()}, interval_ms=40, legend_outside=True)

# %% [markdown]
# The same losses drawn two ways: on the left the first 40 steps, where the race to −0.39
# happens; on the right how far above the minimum −0.4 each walk is, on a log scale, over
# all 120 steps (float32 tells values near 0.4 apart only to a few 10⁻⁸, so the panel
# stops at 10⁻⁷).

# %%
colors = gradlab.animation.path_colors(len(runs))  # the same colour per run as in the player
styles = ["-", "--", ":", "-."]  # and a line style each, for readers who do not see colour
fig, (early, gap) = plt.subplots(1, 2, figsize=(9.6, 3.6))
for color, style, (name, (_, losses)) in zip(colors, styles, runs.items()):
    early.plot(losses[:41], style, label=name, color=color, lw=1.8)
    gap.semilogy(np.maximum(losses + 0.4, 1e-7), style, label=name, color=color, lw=1.5)
early.axhline(-0.39, color="0.5", lw=0.8)
early.text(40, -0.385, "−0.39", ha="right", va="bottom", color="0.35", fontsize=9)
early.set(xlabel="step", ylabel="$f(x, y)$", title="the first 40 steps", xlim=(0, 40))
gap.set(xlabel="step", ylabel="$f(x, y) + 0.4$ (log scale)", title="distance above the minimum, all 120 steps",
        xlim=(0, 120))
early.legend(fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the numbers before the picture: on this landscape plain gradient descent is the
# steadiest. It never takes an uphill step and settles at −0.4. It is not the fastest:
# RMSprop gets below −0.39 first, and after 10 steps Adam is lower than gradient descent.
# To see why, look at how far each coordinate moves in the first steps:

# %%
for name in ["gradient descent", "RMSprop", "Adam"]:
    moves = np.abs(np.diff(runs[name][0], axis=0))
    print(f"{name:>16}, first 6 steps (|Δx|, |Δy|):", "  ".join(f"({dx:.3f}, {dy:.3f})" for dx, dy in moves[:6]))
    print(f"{'':>16}  last 3 steps:", "  ".join(f"({dx:.3f}, {dy:.3f})" for dx, dy in moves[-3:]))

# %% [markdown]
# - **momentum** is second only to RMSprop after 5 steps (f = −0.2857), then overshoots:
#   its velocity carries it past the bottom, it swings back and forth (the uphill steps)
#   and gets below −0.39 later than gradient descent.
# - **RMSprop** is the fastest to get close (step 6), thanks to its *first* steps being
#   too long: its running mean of squared gradients starts at 0, so after one step it
#   holds only 0.1·g² (rho = 0.9), and the step lr·g/√(0.1·g²) is √10 × 0.05 ≈ 0.158 per
#   coordinate. The steps shrink as the mean fills up, and from step 10 to step 40 it sits
#   at the bottom, f = −0.4000. But it does not stay: at the bottom the gradients shrink,
#   and so does their running mean square, while the ratio g/√(mean g²) does not. A tiny
#   gradient still gets a step of about lr per coordinate; between steps 40 and 60 one
#   such step throws it out (the spike in the right panel), and it ends jumping around the
#   minimum with steps about 0.05 long: f = −0.3991 after 60 steps, −0.3974 after 120.
# - **Adam** corrects that start-up bias (it divides its running means by 1 − βᵗ), so its
#   early steps are 0.05 per coordinate: no jump like RMSprop's, but about twice gradient
#   descent's, whose steps are 0.05 × the gradient and start near 0.02 and 0.03. So Adam
#   is ahead of gradient descent early (f after 5 and 10 steps). Its momentum then carries
#   it past the bottom: f rises again (after 15 and 20 steps it is higher than after 10),
#   and it is the last of the four to get below −0.39. At the end its steps shrink and it
#   settles.
#
# Nothing is wrong with them: near its minimum this landscape is a smooth bowl, and 0.05
# happens to be a good gradient-descent step for it. Momentum and adaptive steps pay off
# where plain gradient descent struggles: long narrow valleys, noisy gradients from
# mini-batches, millions of weights with very different scales. A lesson worth keeping:
# compare optimisers on *your* problem, each with its own tuned learning rate.
#
# `gradlab.descend` re-implements these four update rules in one compiled `tf.function`,
# fast enough for the slider explorer below. It follows Keras step for step:

# %%
for name, method in zip(runs, ["sgd", "momentum", "rmsprop", "adam"]):
    twin = gradlab.descend(f, start, method, 0.05, 120)
    print(f"{name:>16}: largest difference from Keras {np.max(np.abs(twin.points - runs[name][0])):.1e}")

# %% [markdown]
# ## A Keras model: the gradient with respect to `trainable_variables`
#
# Training a network is the same loop with more variables. A Keras model keeps its weights
# in `model.trainable_variables`: here a 1 × 1 kernel and a bias. In Keras 3 these are
# `keras.Variable`s, Keras' own type, each wrapping a `tf.Variable` (its `.value`); the
# tape watches the wrapped variables by itself, and
# `tape.gradient(loss, model.trainable_variables)` accepts the Keras ones and returns one
# gradient per variable, with the same shape. A line fit, y = 3x − 1 from noisy samples:

# %%
tf.keras.utils.set_random_seed(0)
xs = tf.random.uniform((64, 1), -1.0, 1.0)
ys = 3 * xs - 1 + 0.1 * tf.random.normal((64, 1))

model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((model(xs) - ys) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
for variable, grad in zip(model.trainable_variables, grads):
    print(f"{variable.path:>16}: shape {tuple(variable.shape)}, gradient {grad.numpy().ravel()}")
kernel = model.trainable_variables[0]
print(f"kernel is a keras.Variable: {isinstance(kernel, tf.keras.Variable)}, a tf.Variable: "
      f"{isinstance(kernel, tf.Variable)}; kernel.value is a tf.Variable: {isinstance(kernel.value, tf.Variable)}")

# %%
for _ in range(200):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(xs) - ys) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
kernel, bias = (v.numpy().item() for v in model.trainable_variables)
print(f"after 200 steps: y ≈ {kernel:.3f} x {bias:+.3f}, loss {float(loss):.4f}")

# %% [markdown]
# Close to 3 and −1; the rest is the noise we added. Every step used all 64 samples: the
# optimiser is Keras' `SGD`, but what ran is full-batch gradient descent. `model.fit` runs
# this same loop for you, compiled, but by default on shuffled mini-batches of 32 samples:
# two noisy steps per epoch, stochastic gradient descent in the proper sense. With a
# million samples that is what makes each step affordable. Notebook 09 runs mini-batch
# gradient descent and compares batch sizes.

# %% [markdown]
# ## Try it: the descent explorer
#
# Pick an optimiser and drag the learning rate (a log scale: each notch multiplies it).
# Every path was computed when the cell ran, so the picture follows the slider with no
# kernel. Push the learning rate to the far right to see a walk thrown off the map. To
# move the start or the number of steps too, call `.kernel()` on the explorer: that
# version recomputes in the running kernel on every move.

# %%
gradlab.browser_descent_explorer(f, start=start, learning_rate=0.01, steps=120)

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Without an optimiser: write `first_step(point, learning_rate)`, one step
# of gradient descent on f from `point` (a float32 tensor [x, y]), with the gradient from
# a tape. Return the new point. The check starts from (0.25, −0.5) at learning rate 0.01,
# then from points and rates of its own, and watches that no Keras optimiser is used.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_05_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
def first_step(point, learning_rate):
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        tape.watch(point)
        loss = f(point[0], point[1])
    return point - learning_rate * tape.gradient(loss, point)
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("05.1", first_step)

# %% nbgrader={"grade": true, "grade_id": "test_05_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("05.1", first_step)
### BEGIN HIDDEN TESTS
gradlab.grade("05.1", first_step, seed=75975)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Write one step of gradient descent with momentum 0.9 the way Keras'
# `SGD(momentum=0.9)` takes it: velocity ← 0.9·velocity − lr·gradient, then
# point ← point + velocity. Return `(new_point, new_velocity)` (NumPy arrays are fine).

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_05_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def momentum_step(point, velocity, gradient, lr):
    ### BEGIN SOLUTION
    velocity = 0.9 * velocity - lr * gradient
    return point + velocity, velocity
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("05.2", momentum_step)

# %% nbgrader={"grade": true, "grade_id": "test_05_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("05.2", momentum_step)
### BEGIN HIDDEN TESTS
gradlab.grade("05.2", momentum_step, seed=98980)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** In "How big a step?" gradient descent settled for rates below 2/L, L the
# steepest curvature, and above it the egg-crate's bounded slopes caught the walk in a
# 2-cycle. A quadratic bowl has no such limit. For the tilted bowl
# q(x, y) = 3x² + 2xy + 3y² the steepest direction is not along x or y: the curvatures are
# the eigenvalues of the Hessian (the matrix of second derivatives). Find the critical
# learning rate 2/L. Gradient descent on q converges for every rate *strictly* below it
# (0 < lr < 2/L, an open interval). At exactly 2/L the part of the point along the
# steepest direction flips sign at full size every step, back and forth forever, so the
# walk never converges; above 2/L that part grows every step and the walk blows up.
# Compute the Hessian with nested tapes or by hand, then `np.linalg.eigvalsh`.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_05_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
# The Hessian by hand: q_xx = 6, q_xy = q_yx = 2, q_yy = 6, the same at every point. (Nested
# tapes, outer.jacobian(inner.gradient(q, p), p), give the same matrix.) Eigenvalues 4 and 8.
answer = 2 / np.max(np.linalg.eigvalsh(np.array([[6.0, 2.0], [2.0, 6.0]])))
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("05.3", answer)

# %% nbgrader={"grade": true, "grade_id": "test_05_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("05.3", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("05.3", answer, seed=49281)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 4.** Adam's update, written out. Write `adam_step(point, m, v, gradient, t, lr)`:
# step number t (counting from 1) of Adam with Keras' defaults β₁ = 0.9, β₂ = 0.999 and
# ε = 10⁻⁷. Its two slots are running means, both zero before the first step: m of the
# gradients (the new gradient weighted 1 − β₁) and v of their squares (weighted 1 − β₂).
# The point moves by −lr × (the bias-corrected m) / (√(the bias-corrected v) + ε), with the
# start-up correction described under "Other optimisers". That is the rule of the Adam
# paper; Keras folds both corrections into the step size and puts ε next to the
# *uncorrected* √v, which differs only for gradients near ε in size, so the check accepts
# either. Return `(new_point, new_m, new_v)`, the slots as the next step needs them. No
# Keras optimiser: NumPy or tf operations. The check takes three steps from zero slots and
# one late step.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_05_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adam_step(point, m, v, gradient, t, lr):
    ### BEGIN SOLUTION
    m = 0.9 * m + 0.1 * gradient  # the running means, kept uncorrected for the next step
    v = 0.999 * v + 0.001 * gradient**2
    # Both started at 0, so early on they are too small: divide by 1 − βᵗ before the step.
    step = lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-7)
    return point - step, m, v
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("05.4", adam_step)

# %% nbgrader={"grade": true, "grade_id": "test_05_4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("05.4", adam_step)
### BEGIN HIDDEN TESTS
gradlab.grade("05.4", adam_step, seed=78371)
### END HIDDEN TESTS
