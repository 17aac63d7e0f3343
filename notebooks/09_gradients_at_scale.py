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
# # 09 · Gradients at scale: matrices, deep stacks, mini-batches and the tape's API
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/09_gradients_at_scale.ipynb)
#
# Notebooks 01 to 08 differentiated functions of a few numbers. Real models have
# matrices of weights, many layers and more data than one step can look at. This notebook
# takes the same ideas to that scale: backpropagation through a dense layer written with
# matrices, what depth does to gradients (and how clipping contains it), gradient descent on
# mini-batches, and the parts of the tape's API that these need.

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
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import gradlab

# %% [markdown]
# ## Backprop with matrices
#
# ### One dense layer
#
# A dense layer maps a batch of inputs x, one row per example (shape n × i), to
# y = x·W + b, with W of shape i × o and b of length o. Suppose backpropagation has
# already brought the adjoint of the output, δ = ∂L/∂y, one row per example (n × o), as
# in notebook 06 but now a matrix. The layer's backward pass needs three products:
#
# - ∂L/∂W = xᵀ·δ: entry (j, k) adds x[e, j]·δ[e, k] over the examples e, because W[j, k]
#   multiplies input j into output k in every row;
# - ∂L/∂b = Σ over rows of δ: b is added to every row, so each row's adjoint flows into it;
# - ∂L/∂x = δ·Wᵀ: what the layer passes further back, to the layer before it.
#
# Each gradient has the shape of what it differentiates; that alone tells you where the
# transposes go. A small layer, in float64 so that by hand and tape agree to many digits:

# %%
rng = np.random.default_rng(0)
x = rng.normal(size=(5, 3))      # 5 examples, 3 inputs
W = rng.normal(size=(3, 2))      # 3 inputs -> 2 outputs
b = rng.normal(size=2)
target = rng.normal(size=(5, 2))

y = x @ W + b
loss = np.mean((y - target) ** 2)
delta = 2 * (y - target) / y.size   # ∂L/∂y for the mean of the squares
dW, db, dx = x.T @ delta, delta.sum(axis=0), delta @ W.T
for name, value, of in [("dL/dW", dW, W), ("dL/db", db, b), ("dL/dx", dx, x)]:
    print(f"{name}: shape {value.shape}  (like {of.shape})")

# %% [markdown]
# The tape, given the same numbers as tensors, returns the same three arrays:

# %%
xt, Wt, bt = (tf.Variable(v) for v in (x, W, b))
with tf.GradientTape() as tape:
    loss_t = tf.reduce_mean((xt @ Wt + bt - target) ** 2)
tape_dW, tape_db, tape_dx = tape.gradient(loss_t, [Wt, bt, xt])
worst = max(np.max(np.abs(ours - theirs)) for ours, theirs in
            [(dW, tape_dW), (db, tape_db), (dx, tape_dx)])
print(f"loss = {loss:.6f}   max |by hand − tape| = {worst:.1e}")

# %% [markdown]
# ### Two layers, by hand
#
# A small network: dense → tanh → dense, with the mean squared error as its loss:
#
# z = x·W₁ + b₁,  h = tanh z,  ŷ = h·W₂ + b₂,  L = mean((ŷ − t)²).
#
# The backward pass visits the same steps in reverse. Each line is one rule from above or
# from notebook 06; tanh acts entry by entry, so its rule is an entry-wise product with
# tanh′ z = 1 − h²:

# %%
x = rng.normal(size=(8, 3))
t = rng.normal(size=(8, 1))
W1, b1 = rng.normal(size=(3, 4)), np.zeros(4)
W2, b2 = rng.normal(size=(4, 1)), np.zeros(1)

# forward, keeping what the backward pass needs
z = x @ W1 + b1
h = np.tanh(z)
y_hat = h @ W2 + b2
L = np.mean((y_hat - t) ** 2)

# backward
d_yhat = 2 * (y_hat - t) / t.size      # mean of squares
d_W2, d_b2 = h.T @ d_yhat, d_yhat.sum(axis=0)
d_h = d_yhat @ W2.T                     # passed back through the second layer
d_z = d_h * (1 - h**2)                  # through tanh, entry by entry
d_W1, d_b1 = x.T @ d_z, d_z.sum(axis=0)
print(f"L = {L:.6f}")
for name, g in [("W1", d_W1), ("b1", d_b1), ("W2", d_W2), ("b2", d_b2)]:
    print(f"dL/d{name}: shape {g.shape}")

# %% [markdown]
# The tape on the same network, in float64 like NumPy:

# %%
params = [tf.Variable(p) for p in (W1, b1, W2, b2)]
with tf.GradientTape() as tape:
    V1, c1, V2, c2 = params
    L_tape = tf.reduce_mean((tf.tanh(x @ V1 + c1) @ V2 + c2 - t) ** 2)
tape_grads = tape.gradient(L_tape, params)
for name, ours, theirs in zip(["W1", "b1", "W2", "b2"], [d_W1, d_b1, d_W2, d_b2], tape_grads):
    print(f"dL/d{name}: max |by hand − tape| = {np.max(np.abs(ours - theirs.numpy())):.1e}")

# %% [markdown]
# That is all backpropagation is, at any size: the forward pass keeps z and h, and the
# backward pass multiplies by one local Jacobian per layer, as matrix products instead of
# scalar ones. Notice that d_h went through W₂ᵀ and then through tanh′: in a deep network
# the backward signal is multiplied by one such factor *per layer*, which is the subject
# of the next section.

# %% [markdown]
# ## Vanishing and exploding gradients
#
# ### The backward signal, layer by layer
#
# Take a stack of 20 dense layers of width 64 (no biases, to keep it short) and feed a
# batch of 128 random inputs through it. Instead of a loss, we seed the backward pass at
# the top with a fixed random adjoint u (what any loss would send back) and ask the tape
# for the adjoint of each layer's *input*, δₗ = ∂L/∂hₗ. Its size is what each layer's
# weight gradient is made from: with hₗ the input of layer l, ∂L/∂Wₗ = hₗᵀ·(δₗ₊₁ through
# the activation).
#
# The only differences between the runs are the activation and the spread of the
# starting weights, drawn from a normal distribution with standard deviation
# scale/√64; every run uses the same seed.

# %%
def backward_signal(activation, scale, depth=20, width=64, seed=0):
    """||δₗ|| / ||u|| for the input of each layer, from the first layer (0) to the last."""
    rng = np.random.default_rng(seed)
    weights = [tf.constant(rng.normal(0, scale / np.sqrt(width), (width, width))) for _ in range(depth)]
    x = tf.constant(rng.normal(size=(128, width)))
    u = tf.constant(rng.normal(size=(128, width)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        inputs = [x]
        for W in weights:
            inputs.append(activation(inputs[-1] @ W))
    # output_gradients seeds the backward pass with u instead of ones (see the tape's API below)
    deltas = tape.gradient(inputs[-1], inputs[:-1], output_gradients=u)
    return np.array([float(tf.norm(d) / tf.norm(u)) for d in deltas])


setups = {
    "sigmoid, scale 1": (tf.sigmoid, 1.0),
    "tanh, scale 0.5": (tf.tanh, 0.5),
    "tanh, scale 1 (Glorot)": (tf.tanh, 1.0),
    "tanh, scale 3": (tf.tanh, 3.0),
    "ReLU, scale √2 (He)": (tf.nn.relu, np.sqrt(2.0)),
}
signals = {name: backward_signal(*setup) for name, setup in setups.items()}
print(f"{'layer:':24}" + "".join(f"{layer:>9}" for layer in (0, 5, 10, 15, 19)))
for name, s in signals.items():
    print(f"{name:24}" + "".join(f"{s[layer]:9.1e}" for layer in (0, 5, 10, 15, 19)))

# %% [markdown]
# Read each row from the right (the last layer, where the signal starts) to the left (the
# first layer, which it reaches last):
#
# - **sigmoid**: its slope is at most 1/4, so each layer multiplies the signal by
#   something well below 1. After 20 layers almost nothing is left: the gradient
#   **vanishes**, and the first layers barely learn.
# - **tanh with small weights** (scale 0.5): tanh′ ≤ 1, and weights that shrink vectors
#   shrink the signal too. It vanishes more slowly, but it vanishes.
# - **tanh with scale 3**: weights that stretch vectors outweigh tanh′, and the signal
#   grows by a factor each layer: the gradient **explodes**. A step with it is far too
#   big for the first layers.
# - **Glorot (tanh, scale 1) and He (ReLU, scale √2)**: initialisations chosen to keep the
#   *variance* of the activations (going forward) and of the gradients (going backward)
#   about the same from one layer to the next. Glorot's variance, 2 / (inputs + outputs),
#   does that exactly for a layer with as many inputs as outputs (64 here) that acts
#   linearly, as tanh does near 0; He's,
#   2 / inputs, makes up for the half of its inputs that a ReLU sets to 0. Away from 0
#   tanh′ is below 1, so the Glorot row still shrinks, slowly: a factor of about 5 over
#   20 layers, against about 10¹² for the sigmoid. Keras' `Dense` starts from Glorot's
#   (uniform) initialisation by default for this reason.

# %%
fig, ax = plt.subplots(figsize=(6.4, 4))
for name, s in signals.items():
    ax.semilogy(np.arange(len(s)), s, marker="o", markersize=3, label=name)
ax.set_xticks(range(0, 20, 2))
ax.set(xlabel="layer (0 = first, where the backward pass ends)",
       ylabel="‖δ‖ / ‖u‖  (log scale)",
       title="The backward signal through 20 layers")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# On a log scale a constant factor per layer is a straight line: the sigmoid and the small
# tanh lines fall to the left, the scale-3 line climbs to the left. The two well-initialised runs stay
# within a factor of about 5 of 1 over all 20 layers: He's line is nearly level, Glorot's
# falls gently towards the first layer, for the tanh′ < 1 reason above.
#
# ### Gradient clipping
#
# A good initialisation avoids exploding gradients at the start; during training a rare
# batch can still send a huge gradient (recurrent networks are prone to it). *Clipping*
# caps the size of the step: if a gradient's norm exceeds a threshold c, it is scaled
# down to norm c, keeping its direction. Here are the exploding tanh stack's weight
# gradients, with a loss this time:

# %%
def tanh_stack(scale, depth=20, width=64, seed=0):
    """The weights of a deep tanh stack, and a batch of inputs and targets for it."""
    rng = np.random.default_rng(seed)
    weights = [tf.Variable(rng.normal(0, scale / np.sqrt(width), (width, width)), name=f"W{i}")
               for i in range(depth)]
    return weights, tf.constant(rng.normal(size=(128, width))), tf.constant(rng.normal(size=(128, width)))


def stack_loss(weights, x, target):
    h = x
    for W in weights:
        h = tf.tanh(h @ W)
    return tf.reduce_mean((h - target) ** 2)


weights, x_batch, t_batch = tanh_stack(scale=3.0)
with tf.GradientTape() as tape:
    loss = stack_loss(weights, x_batch, t_batch)
grads = tape.gradient(loss, weights)
norms = [float(tf.norm(g)) for g in grads]
print(f"loss {float(loss):.4f}; gradient norms: first layer {norms[0]:.2f}, last layer "
      f"{norms[-1]:.4f}, all together {float(tf.linalg.global_norm(grads)):.2f}")

# %% [markdown]
# `tf.clip_by_norm(g, c)` clips **one** tensor: each layer's gradient on its own.
# `tf.clip_by_global_norm(grads, c)` treats the whole list as one long vector: if its norm
# (the square root of the sum of all squares, `tf.linalg.global_norm`) exceeds c, every
# tensor is scaled by the *same* factor c / norm. It returns the clipped list and the norm
# before clipping, which is worth logging.

# %%
one_by_one = [tf.clip_by_norm(g, 1.0) for g in grads]
together, norm_before = tf.clip_by_global_norm(grads, 1.0)
print(f"clip_by_norm, each to 1:    first {float(tf.norm(one_by_one[0])):.4f}, "
      f"last {float(tf.norm(one_by_one[-1])):.4f}, all {float(tf.linalg.global_norm(one_by_one)):.4f}")
print(f"clip_by_global_norm to 1:   first {float(tf.norm(together[0])):.4f}, "
      f"last {float(tf.norm(together[-1])):.4f}, all {float(tf.linalg.global_norm(together)):.4f}"
      f"   (norm before: {float(norm_before):.2f})")

# %% [markdown]
# The difference matters: clipping each tensor alone changes the *direction* of the whole
# step (the last layers' small gradients keep their size while the big ones are cut),
# while global clipping only shortens it. Both leave a gradient below the threshold
# untouched.
#
# Keras' optimisers do it for you. `clipnorm=c` applies `clip_by_norm` to each variable's
# gradient; `global_clipnorm=c` applies `clip_by_global_norm` to all of them (set one, not
# both). One step of `SGD(learning_rate=0.01)` from the same weights with each, and the
# loss after it (it was 1.6423 before):

# %%
def one_step(**clipping):
    """Take one SGD step on a fresh copy of the exploding stack; return (step size, new loss)."""
    weights, x, target = tanh_stack(scale=3.0)
    before = [w.numpy() for w in weights]
    optimizer = keras.optimizers.SGD(learning_rate=0.01, **clipping)
    with tf.GradientTape() as tape:
        loss = stack_loss(weights, x, target)
    optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
    step = np.sqrt(sum(np.sum((w.numpy() - w0) ** 2) for w, w0 in zip(weights, before)))
    return step, float(stack_loss(weights, x, target))


for label, clipping in [("no clipping", {}), ("clipnorm=1", {"clipnorm": 1.0}),
                        ("global_clipnorm=1", {"global_clipnorm": 1.0})]:
    step, new_loss = one_step(**clipping)
    print(f"{label:18} step length {step:8.4f}   loss after the step {new_loss:.4f}")

# %% [markdown]
# Unclipped, the step is long (its length is 0.01 × 41.96) and the loss goes *up*: an
# exploding gradient describes the loss only very close to where it was taken, and a long
# step leaves that neighbourhood. Both clipped steps are short and lower the loss.
# `global_clipnorm` gives a step of length exactly learning_rate × c, in the gradient's
# own direction; `clipnorm` lets each of the 20 tensors have up to norm c, so its step can
# reach learning_rate × c × √20 and points elsewhere. Global clipping is the usual choice.

# %% [markdown]
# ## Stochastic and mini-batch gradient descent
#
# ### Three ways to walk the same loss
#
# Notebook 05 walked down a fixed function. Training walks down a loss that is an average
# over a data set, L(w, b) = mean over examples of (w·xₑ + b − yₑ)², and there is a choice
# of how much of the data each step looks at:
#
# - **full-batch gradient descent**: every step uses the gradient over all n examples;
# - **mini-batch (stochastic) gradient descent**: each step uses a *mini-batch* of B
#   examples, a cheap estimate of the full gradient;
# - **single-example SGD**: B = 1, the noisiest estimate.
#
# An **epoch** is one pass through the whole data set: n/B steps of size-B batches, each
# example used once. The data are shuffled at the start of every epoch so that the batches
# differ from one epoch to the next. A small linear-regression problem, y = 3x − 1 plus
# noise, with 120 examples:

# %%
data_rng = np.random.default_rng(7)
x_data = data_rng.uniform(-2, 2, 120)
y_data = 3 * x_data - 1 + data_rng.normal(0, 0.5, 120)


def full_loss(w, b):
    return float(np.mean((w * x_data + b - y_data) ** 2))


def train(batch_size, epochs=8, learning_rate=0.05, seed=0):
    """Mini-batch gradient descent from (w, b) = (0, 0); returns every (w, b) visited."""
    order_rng = np.random.default_rng(seed)
    w, b = tf.Variable(0.0, tf.float64), tf.Variable(0.0, tf.float64)
    path = [(0.0, 0.0)]
    for _ in range(epochs):
        order = order_rng.permutation(len(x_data))  # a new shuffle every epoch
        for start in range(0, len(x_data), batch_size):
            rows = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((w * x_data[rows] + b - y_data[rows]) ** 2)
            dw, db = tape.gradient(loss, [w, b])
            w.assign_sub(learning_rate * dw)
            b.assign_sub(learning_rate * db)
            path.append((float(w), float(b)))
    return np.array(path)


runs = {"full batch (B = 120)": 120, "mini-batch (B = 12)": 12, "one example (B = 1)": 1}
paths = {name: train(size) for name, size in runs.items()}
for name, path in paths.items():
    w_end, b_end = path[-1]
    print(f"{name:22} {len(path) - 1:5} steps in 8 epochs   (w, b) = ({w_end:.4f}, {b_end:.4f})"
          f"   loss {full_loss(w_end, b_end):.4f}")
w_best, b_best = np.polyfit(x_data, y_data, 1)
print(f"{'least squares':22} {'':24}(w, b) = ({w_best:.4f}, {b_best:.4f})   loss {full_loss(w_best, b_best):.4f}")

# %% [markdown]
# Per epoch, all three do the same arithmetic (each example's gradient is computed once),
# but they take very different numbers of steps: 8, 80 and 960. In 8 epochs the
# full-batch run has not arrived; the other two have, each in its own way. The picture
# shows how:

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for name, path in paths.items():
    epochs_done = np.arange(len(path)) / ((len(path) - 1) / 8)
    left.semilogy(epochs_done, [full_loss(w, b) for w, b in path], label=name, linewidth=1)
    right.plot(path[:, 0], path[:, 1], label=name, linewidth=1, zorder=2 if "one" in name else 3)
left.set(xlabel="epochs", ylabel="loss on all 120 examples (log scale)",
         title="The loss after every step")
right.plot([w_best], [b_best], "*", markersize=11, markerfacecolor="none", markeredgecolor="k",
           markeredgewidth=1.2, zorder=5, label="least-squares fit")  # hollow: the cloud under it shows
right.set(xlabel="w", ylabel="b", title="The path of (w, b) from (0, 0)")
left.legend(fontsize=8)
right.legend(fontsize=8)
plt.show()

# %% [markdown]
# The full-batch path is smooth, and its loss falls steadily, but slowly per epoch.
# The mini-batch path wobbles around the smooth route, and the single-example path
# zig-zags: each step follows one example's opinion of the slope. With a constant
# learning rate, mini-batch gradient descent does not converge to the minimum: it ends
# up hovering in a noise ball around it, because at the minimum each batch's gradient is
# not zero even though the full gradient is. Both pictures show the ball: the B = 1 run's
# loss keeps bouncing above the minimum's 0.2130 and its path fills a cloud around the
# star, while the B = 12 cloud is much tighter. The ball shrinks with a smaller learning
# rate and with larger batches; in practice the learning rate is lowered over time.
#
# ### How noisy is a mini-batch gradient?
#
# A mini-batch gradient is an average of B per-example gradients, so its spread around the
# full gradient shrinks like 1/√B. With one tape call we get all 120 per-example gradients
# of ∂L/∂w at (w, b) = (0, 0) (`tape.jacobian` of the vector of per-example losses), then
# average 2000 random batches of each size:

# %%
w0 = tf.Variable(0.0, tf.float64)
with tf.GradientTape() as tape:
    per_example_loss = (w0 * x_data + 0.0 - y_data) ** 2
per_example_dw = tape.jacobian(per_example_loss, w0).numpy()  # one ∂Lₑ/∂w per example
batch_rng = np.random.default_rng(1)
print(f"full gradient ∂L/∂w = {per_example_dw.mean():.4f}")
for size in (1, 4, 16, 64):
    estimates = [per_example_dw[batch_rng.choice(120, size, replace=False)].mean() for _ in range(2000)]
    print(f"B = {size:3}: spread (standard deviation) of the estimate {np.std(estimates):.3f}")

# %% [markdown]
# Each fourfold increase in B roughly halves the spread (ratios 2.08 and 2.12), and
# noticeably more at B = 64 (2.7×), as sampling without replacement predicts: a batch of
# 64 holds over half of these 120 examples, and the spread shrinks by the extra factor
# √((120 − B)/119), which would make the ratio 2.73. That is the batch-size trade-off:
#
# - **small B**: cheap steps, many per epoch, so progress per epoch is fast early on; but
#   the path is noisy and, with a constant learning rate, hovers in a noise ball around
#   the minimum (the noise is also thought to help training escape poor regions of
#   non-convex losses);
# - **large B**: accurate gradients and smooth paths, and on a GPU a batch of 256 costs
#   little more than a batch of 1, because the examples are computed in parallel; but
#   fewer steps per epoch, and memory limits how large B can be.
#
# Common practice lies in between, B from 32 to a few hundred. Keras' `model.fit` runs
# this loop for you: it shuffles the data every epoch (`shuffle=True`) and takes one
# optimiser step per batch of `batch_size` examples, 32 unless you say otherwise.

# %% [markdown]
# ## The tape's API beyond the basics
#
# ### Choosing what the tape watches
#
# A tape watches every trainable `tf.Variable` the code reads. With
# `watch_accessed_variables=False` it watches only what you pass to `tape.watch`, which
# saves memory when only a few of many variables need gradients (fine-tuning one layer,
# say). `tape.watched_variables()` lists what it watched:

# %%
w = tf.Variable(2.0, name="w")
v = tf.Variable(5.0, name="v")
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(w)
    y = w**2 * v
print("watched:", [var.name for var in tape.watched_variables()])
dw, dv = tape.gradient(y, [w, v])
print(f"dy/dw = {float(dw):.4f}   dy/dv = {dv}")

# %% [markdown]
# v was read but not watched, so its gradient is `None`, exactly as for an unwatched
# constant. Without the flag both would be watched:

# %%
with tf.GradientTape() as tape:
    y = w**2 * v
print("watched:", [var.name for var in tape.watched_variables()])

# %% [markdown]
# ### Starting the record again: `tape.reset()`
#
# `tape.reset()` throws away everything recorded so far, inside the `with` block; the tape
# goes on recording from there. Useful when a loop decides late which computation it wants
# the gradient of:

# %%
x = tf.Variable(3.0)
with tf.GradientTape(persistent=True) as tape:
    first_try = x**3
    tape.reset()             # forget x**3; keep recording from here
    second_try = x**2
print(f"d(x²)/dx = {float(tape.gradient(second_try, x)):.4f}")
print("d(x³)/dx after the reset:", tape.gradient(first_try, x))
del tape

# %% [markdown]
# ### `tf.stop_gradient`, run
#
# Notebook 07 paused the whole tape with `stop_recording`. `tf.stop_gradient(t)` returns t's
# value but tells the tape to treat it as a constant, inside recorded code. For
# y = x² · stop_gradient(x) the tape differentiates x² only, with the stopped factor as a
# constant 3:

# %%
x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y_stopped = x**2 * tf.stop_gradient(x)
    y_full = x**2 * x
print(f"values: {float(y_stopped):.4f} and {float(y_full):.4f}   "
      f"slopes: {float(tape.gradient(y_stopped, x)):.4f} (= 2x·3) and {float(tape.gradient(y_full, x)):.4f} (= 3x²)")
del tape

# %% [markdown]
# One common use is the *straight-through estimator*: `x + tf.stop_gradient(tf.round(x) - x)`
# has the value round(x) but the slope of x, 1, so a network can round in its forward
# pass and still learn (tf.round's own gradient is `None`, as notebook 07 showed):

# %%
x = tf.constant([0.3, 1.7, 2.4])
with tf.GradientTape() as tape:
    tape.watch(x)
    rounded = x + tf.stop_gradient(tf.round(x) - x)
print("value:", rounded.numpy(), "  slope:", tape.gradient(rounded, x).numpy())

# %% [markdown]
# ### Per-example Jacobians: `tape.batch_jacobian`
#
# For a batch of inputs x (shape batch × 3) and outputs y (batch × 2) where row e of y
# depends only on row e of x, as in any model applied example by example, `tape.jacobian`
# returns every output against every input, mostly zeros. `tape.batch_jacobian` returns one
# 2 × 3 Jacobian per example:

# %%
x = tf.constant(np.arange(12.0).reshape(4, 3) / 10)
M = tf.constant([[1.0, 0.0], [2.0, -1.0], [0.0, 3.0]], tf.float64)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.tanh(x @ M)
full = tape.jacobian(y, x)
per_example = tape.batch_jacobian(y, x)
del tape
print("jacobian      :", full.shape, "  (batch, 2, batch, 3)")
print("batch_jacobian:", per_example.shape, "  (batch, 2, 3)")
print("example 1's block of the full one is the same:",
      bool(np.allclose(full[1, :, 1, :], per_example[1])))

# %% [markdown]
# ### Gradients of nested structures
#
# `tape.gradient` accepts any nesting of lists, tuples and dicts of variables, and returns
# the gradients in the same structure: a dict in, a dict out.

# %%
params = {"w": tf.Variable([1.0, -2.0]), "b": tf.Variable(0.5)}
features = tf.constant([3.0, 4.0])
with tf.GradientTape() as tape:
    prediction = tf.reduce_sum(params["w"] * features) + params["b"]
grads = tape.gradient(prediction, params)
print({name: g.numpy().tolist() for name, g in grads.items()})

# %% [markdown]
# A `tf.Module` collects the `tf.Variable`s it owns, even in sub-modules that are
# `tf.Module`s too, in `trainable_variables` (sorted by attribute name), the list to hand to
# the tape and the optimiser:

# %%
class TinyModel(tf.Module):
    def __init__(self):
        self.w = tf.Variable([[1.0], [0.5]], name="w")
        self.b = tf.Variable([0.0], name="b")

    def __call__(self, x):
        return x @ self.w + self.b


model = TinyModel()
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((model(tf.constant([[1.0, 2.0], [3.0, 4.0]])) - 1.0) ** 2)
for var, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
    print(f"{var.name:5} shape {tuple(var.shape)}  gradient {g.numpy().ravel().tolist()}")

# %% [markdown]
# A trap: Keras 3 layers and models are *not* `tf.Module`s, so a `tf.Module` that holds a
# Keras layer does not list the layer's weights. Hand the tape its `trainable_variables` and
# the layer silently never trains:

# %%
class Holder(tf.Module):
    def __init__(self):
        self.scale = tf.Variable(1.0, name="scale")
        self.dense = keras.layers.Dense(1)


holder = Holder()
holder.dense(tf.ones([1, 2]))  # builds the layer's kernel and bias
print("isinstance(keras.layers.Dense(1), tf.Module):", isinstance(keras.layers.Dense(1), tf.Module))
print("holder.trainable_variables:      ", [v.name for v in holder.trainable_variables])
print("holder.dense.trainable_variables:", [v.name for v in holder.dense.trainable_variables])

# %% [markdown]
# With Keras, build the model from Keras parts (a `keras.Model` or `keras.layers.Layer`
# subclass tracks the layers it holds) and use its `trainable_variables`.

# %% [markdown]
# ### What one backward pass computes: a vector-Jacobian product
#
# The tape works in **reverse mode** (notebook 08 built forward mode next to it). For y =
# f(x) with a Jacobian J (one row per output), one backward pass computes uᵀJ for a vector
# u over the outputs: a *vector-Jacobian product* (VJP). `output_gradients=u` sets that
# vector; it plays the part of notebook 06's seed f̄ (1 there), one entry per output. The default, all
# ones, is why the gradient of a vector y is the gradient of sum(y) (notebook 07).

# %%
x = tf.constant([1.0, 2.0, 3.0])
u = tf.constant([1.0, 0.5, -2.0])
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.stack([x[0] * x[1], tf.sin(x[2]), x[0] + x[1] ** 2])
vjp = tape.gradient(y, x, output_gradients=u)
J = tape.jacobian(y, x)
del tape
print("tape.gradient(y, x, output_gradients=u):", np.round(vjp.numpy(), 4))
print("u @ J from the full Jacobian           :", np.round((u[None, :] @ J).numpy()[0], 4))

# %% [markdown]
# One backward pass per VJP: a scalar loss needs one pass for its whole gradient (u = 1),
# which is why reverse mode trains networks. The backward-signal table above was one VJP
# per run, with the random u as the seed.
#
# ### More ways to get `None`
#
# Notebook 07 listed five. A reminder of the one that catches people first, an integer
# input (`tf.range` and `tf.constant(3)` make integers): the tape does not differentiate
# them.

# %%
n = tf.range(3)                       # int32
with tf.GradientTape() as tape:
    tape.watch(n)
    y = tf.reduce_sum(n * n)
print("integer input:", tape.gradient(y, n))
n = tf.cast(tf.range(3), tf.float32)  # the fix: a float
with tf.GradientTape() as tape:
    tape.watch(n)
    y = tf.reduce_sum(n * n)
print("float input  :", tape.gradient(y, n).numpy())

# %% [markdown]
# Computing after the `with` block: the tape records only while the block runs. Anything
# computed later, even from recorded values, is not on it:

# %%
x = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
    y = x**2
z = 3 * y                               # after the block: not recorded
print("dz/dx:", tape.gradient(z, x), "   dy/dx:", float(tape.gradient(y, x)))
del tape

# %% [markdown]
# Slicing gives `None` for one reason, wherever the slice is taken: the tape follows paths
# from what you differentiate to the loss, and a slice the loss was not computed from has
# none, whether it was taken after the block or inside it. Two fixes work: build the loss
# from the slice, inside the block, or differentiate with respect to the whole variable and
# index the gradient:

# %%
v = tf.Variable([1.0, 2.0, 3.0])
with tf.GradientTape(persistent=True) as tape:
    first_inside = v[0]
    loss = tf.reduce_sum(v**2)                          # computed from v, not from the slice
    first = v[0]
    loss_from_slice = first**2 + tf.reduce_sum(v[1:]**2)  # the same loss, built from the slice
first_outside = v[0]                    # sliced after the block
print("w.r.t. a slice taken outside          :", tape.gradient(loss, first_outside))
print("w.r.t. a slice inside, loss from v    :", tape.gradient(loss, first_inside))
print("w.r.t. a slice the loss is built from :", float(tape.gradient(loss_from_slice, first)))
print("w.r.t. v, then indexed                :", float(tape.gradient(loss, v)[0]))
del tape

# %% [markdown]
# The first two lines are `None` for the same reason: no path leads from the slice to the
# loss. The last two give 2.0, the derivative of v₀² at v₀ = 1: the loss was built from the
# slice, or the gradient was taken for all of v and then indexed.
#
# Through `assign`: writing into a variable is not a differentiable operation. The
# variable's new value is a fresh starting point, with no memory of what it was computed
# from:

# %%
x = tf.Variable(3.0)
store = tf.Variable(0.0)
with tf.GradientTape(persistent=True) as tape:
    store.assign(x * 2)                 # not differentiable
    y = store**2
print("dy/dx through assign:", tape.gradient(y, x), "   dy/dstore:", float(tape.gradient(y, store)))
del tape

# %% [markdown]
# The tape sees y = store², with store a variable of value 6, so dy/dstore = 12; the link
# from x to store is gone. To keep it, use the tensor itself (`doubled = x * 2`, then
# `y = doubled**2`) and assign only what must be kept after the step.

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Predict, then run if you like. A model has two gradient tensors,
# g₁ = (3, 4) and g₂ = (12,). Give the three numbers of the clipped gradients, in order
# (g₁ then g₂), from `tf.clip_by_global_norm([g1, g2], 6.5)`.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_09_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
# global norm = sqrt(3² + 4² + 12²) = 13 > 6.5, so everything is scaled by 6.5/13 = 0.5
answer = [1.5, 2.0, 6.0]
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("09.1", answer)

# %% nbgrader={"grade": true, "grade_id": "test_09_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("09.1", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("09.1", answer, seed=33999)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** By hand, with NumPy (no tape): write `dense_relu_backward(x, W, b, delta)`
# for a dense layer followed by a ReLU, y = relu(x·W + b), where relu(z) = max(z, 0) entry
# by entry. Given the input batch x (n × i), the weights W (i × o), the bias b (length o)
# and the adjoint of the output δ = ∂L/∂y (n × o), return the tuple (∂L/∂W, ∂L/∂b, ∂L/∂x),
# each with the shape of what it differentiates. The check uses layers of its own sizes.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_09_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def dense_relu_backward(x, W, b, delta):
    ### BEGIN SOLUTION
    # back through the ReLU first (its slope is 1 where z = x·W + b > 0, else 0), then the dense rules
    return x.T @ (d_z := delta * (x @ W + b > 0)), d_z.sum(axis=0), d_z @ W.T
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("09.2", dense_relu_backward)

# %% nbgrader={"grade": true, "grade_id": "test_09_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("09.2", dense_relu_backward)
### BEGIN HIDDEN TESTS
gradlab.grade("09.2", dense_relu_backward, seed=96920)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Write `run_epoch(w, x, y, batch_size, learning_rate)`: one epoch of
# mini-batch gradient descent for the linear model ŷ = x @ w, with x of shape n × d, w a
# `tf.Variable` of shape d × 1 and y of shape n × 1, all float32. Take the batches in the order given (rows 0 to
# batch_size − 1, and so on; the last batch may be smaller), use the mean squared error of
# each batch as its loss, take its gradient with a tape, update w in place
# (`w.assign_sub`), and return w. No Keras optimiser: write the update yourself.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_09_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def run_epoch(w, x, y, batch_size, learning_rate):
    ### BEGIN SOLUTION
    for start in range(0, x.shape[0], batch_size):  # slices past the end stop at it: a smaller last batch
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((x[start:start + batch_size] @ w - y[start:start + batch_size]) ** 2)
        w.assign_sub(learning_rate * tape.gradient(loss, w))
    return w
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("09.3", run_epoch)

# %% nbgrader={"grade": true, "grade_id": "test_09_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("09.3", run_epoch)
### BEGIN HIDDEN TESTS
gradlab.grade("09.3", run_epoch, seed=69782)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 4.** Write `clipped_step(model, optimizer, x, y, max_norm)`: one training step
# of a Keras model on the mean squared error, with the gradients clipped *together* to
# global norm `max_norm` before the optimiser given applies them. Return the global norm
# of the gradients *before* clipping (the number worth logging). The check hands you
# models whose gradients explode and models whose gradients are small.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_09_4", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clipped_step(model, optimizer, x, y, max_norm):
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    clipped, norm = tf.clip_by_global_norm(tape.gradient(loss, model.trainable_variables), max_norm)
    optimizer.apply_gradients(zip(clipped, model.trainable_variables))
    return norm
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("09.4", clipped_step)

# %% nbgrader={"grade": true, "grade_id": "test_09_4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("09.4", clipped_step)
### BEGIN HIDDEN TESTS
gradlab.grade("09.4", clipped_step, seed=53406)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5.** By hand, with NumPy (no tape): write `two_layer_gradients(x, t, W1, b1,
# W2)` for a variant of the network of "Two layers, by hand" with a sigmoid hidden layer
# and an output layer without bias: z = x·W₁ + b₁, h = σ(z) = 1 / (1 + e^(−z)), ŷ = h·W₂,
# L = mean((ŷ − t)²), where t may have several columns (the mean is over every entry).
# Work out σ′ first. Return the tuple (∂L/∂W₁, ∂L/∂b₁, ∂L/∂W₂). The check compares with
# the tape on networks of its own sizes.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_09_5", "locked": false, "schema_version": 3, "solution": true, "task": false}
def two_layer_gradients(x, t, W1, b1, W2):
    ### BEGIN SOLUTION
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    d_yhat = 2 * (h @ W2 - t) / t.size
    d_z = (d_yhat @ W2.T) * h * (1 - h)  # σ′(z) = σ(z)(1 − σ(z)) = h(1 − h)
    return x.T @ d_z, d_z.sum(axis=0), h.T @ d_yhat
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("09.5", two_layer_gradients)

# %% nbgrader={"grade": true, "grade_id": "test_09_5", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("09.5", two_layer_gradients)
### BEGIN HIDDEN TESTS
gradlab.grade("09.5", two_layer_gradients, seed=54292)
### END HIDDEN TESTS
