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
# # 03 · Partial derivatives: functions of two variables
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gradlab-edu/gradlab/blob/main/notebooks/03_multivariable_partials.ipynb)
#
# A function f(x, y) is a landscape. At each point it has two slopes: one walking east
# (∂f/∂x, y held still) and one walking north (∂f/∂y). Together they form the
# **gradient** ∇f, the arrow pointing uphill. One tape gives both.

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
# ## An egg-crate landscape: f(x, y) = (sin 4x − cos 5y) / 5
#
# We sample [-1, 1] × [-1, 1] on a 100 × 100 grid and make `x` and `y` variables, so the
# tape watches them without being asked.

# %%
X, Y = np.meshgrid(np.linspace(-1, 1, 100), np.linspace(-1, 1, 100))
x = tf.Variable(X, dtype=tf.float32)
y = tf.Variable(Y, dtype=tf.float32)

with tf.GradientTape() as tape:
    f = (tf.sin(4 * x) - tf.cos(5 * y)) / 5
df_dx, df_dy = tape.gradient(f, [x, y])  # one call, both partials

# %% [markdown]
# Passing a list `[x, y]` gets both partials from a single backward pass, so the tape
# needs no `persistent=True` (that is only for calling `gradient` more than once).
# By hand: ∂f/∂x = 0.8·cos 4x and ∂f/∂y = sin 5y.

# %%
print(f"max error in df/dx: {np.max(np.abs(df_dx - 0.8 * np.cos(4 * X))):.1e}")
print(f"max error in df/dy: {np.max(np.abs(df_dy - np.sin(5 * Y))):.1e}")

# %%
_, ax = gradlab.plot_surface(X, Y, f, title=r"$f(x, y) = (\sin 4x - \cos 5y)/5$")
ax.set_xticks([-1, 0, 1])  # fewer ticks: the default ones overlap at this angle
ax.set_yticks([-1, 0, 1])
ax.set_zlabel("$f(x, y)$")
plt.show()

# %% [markdown]
# Matplotlib's default view, from above and in front: bumps and pits in a checkerboard,
# with saddles between them. The next picture turns the camera to elevation −140°,
# azimuth 120° (the view the source tutorial used): the camera is now *below*
# the surface, so the bumps seen from underneath look like pits, and the f axis reads
# 0.4 at the bottom and −0.4 at the top. Same function, upside down.

# %%
_, ax = gradlab.plot_surface(X, Y, f, view=(-140, 120), title="the same surface from below: view (−140°, 120°)")
ax.set_xticks([-0.5, 0.5])  # from this side x = 1 and y = -1 share a corner: keep their labels apart
ax.set_yticks([-1, 0, 1])
ax.set_zticks([-0.4, 0, 0.4])
ax.set_zlabel("$f(x, y)$")
plt.show()

# %% [markdown]
# The two partials, drawn as contour maps: ∂f/∂x varies only with x, ∂f/∂y only with y.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
gradlab.plot_contour(X, Y, df_dx, ax=left, title=r"$\partial f / \partial x = 0.8 \cos 4x$")
gradlab.plot_contour(X, Y, df_dy, ax=right, title=r"$\partial f / \partial y = \sin 5y$")
plt.show()

# %% [markdown]
# The gradient field on the contours of f: every arrow crosses the contour lines at a
# right angle, pointing uphill, longest where the landscape is steepest.

# %%
gradlab.plot_contour(X, Y, f, gradient=(df_dx, df_dy), arrows=20, title=r"$\nabla f$ on the contours of $f$")
plt.show()

# %% [markdown]
# ## Try it: the gradient explorer
#
# Move the point. Left: the gradient arrow. Right: the tangent plane, the flat surface
# with the same two slopes as f at the point.

# %%
gradlab.browser_gradient_explorer(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5, point=(0.25, -0.5))

# %% [markdown]
# ## A function with a gap: f(x, y) = cos x · sin y + x / y
#
# The x / y term is undefined on the whole line y = 0. TensorFlow does not raise an
# error there; it returns IEEE infinities and NaNs, so you have to look:

# %%
def g(x, y):
    return tf.cos(x) * tf.sin(y) + x / y


for y0 in [1.0, 0.1, 0.001, 0.0]:
    value, gx, gy = gradlab.partials(g, 1.0, y0)
    print(f"y = {y0:<6}  f = {float(value):>10.6g}   df/dx = {float(gx):>10.6g}   df/dy = {float(gy):>10.6g}")

# %% [markdown]
# As y → 0 the value blows up like 1/y and ∂f/∂y like −1/y². At y = 0 exactly, IEEE
# arithmetic gives x/0 = +inf for x > 0, −inf for x < 0, and NaN for 0/0; here x = 1, so
# f = inf and the slope −x/0² = −inf.
#
# To draw it we only need values, so we call `g` directly (no tape). On a grid whose middle
# row is exactly y = 0, count what is non-finite, then hide everything with |f| > 10 as
# off the chart by setting it to NaN ourselves:

# %%
Xg, Yg = gradlab.grid((-3, 3), (-1, 1), 101)  # 101 points: the middle row is exactly y = 0
Zg = g(tf.constant(Xg), tf.constant(Yg)).numpy()
off_chart = np.where(np.abs(Zg) <= 10, Zg, np.nan)
print(f"non-finite values of f: {np.count_nonzero(~np.isfinite(Zg))} (the row y = 0: "
      f"{np.count_nonzero(np.isinf(Zg))} infinities and {np.count_nonzero(np.isnan(Zg))} NaN at x = 0)")
print(f"finite but off the chart (|f| > 10): {np.count_nonzero(np.isfinite(Zg) & (np.abs(Zg) > 10))}")

# %% [markdown]
# The plot masks every NaN and infinity instead of crashing; its note counts both kinds
# (the 101 from the division and the ones we hid).

# %%
_, ax = gradlab.plot_surface(Xg, Yg, off_chart, view=(30, -60), title=r"$\cos x \sin y + x/y$ where $|f| \leq 10$")
ax.set_yticks([-1, 0, 1])
ax.set_zlabel("$f(x, y)$")
plt.show()

# %% [markdown]
# ## sin(√(x² + y²)): ripples around the origin
#
# This one depends only on the distance r = √(x² + y²) from the origin. At (2, 0), r = 2,
# so f = sin 2 and, walking along x (straight away from the origin), ∂f/∂x = cos 2.
# Walking along y from (2, 0) moves *along* the ripple: tangent to the circle r = 2, on
# which f does not change, so to first order r stays 2 and ∂f/∂y = 0. We work in float64
# to see all the digits.

# %%
def ripple(x, y):
    return tf.sin(tf.sqrt(x**2 + y**2))


x = tf.Variable(2.0, dtype=tf.float64)
y = tf.Variable(0.0, dtype=tf.float64)
with tf.GradientTape() as tape:
    f = ripple(x, y)
fx, fy = tape.gradient(f, [x, y])
print(f"f(2, 0)     = {f.numpy():.15f}   sin 2 = {math.sin(2):.15f}")
print(f"df/dx(2, 0) = {fx.numpy():.15f}   cos 2 = {math.cos(2):.15f}")
print(f"df/dy(2, 0) = {fy.numpy() + 0.0:.15f}")  # + 0.0 turns IEEE's -0.0 into 0.0

# %% [markdown]
# ### The same numbers from HIPS autograd
#
# Before TensorFlow 2, the `autograd` library offered this style of "differentiate a
# Python function" to NumPy code. Same function, same point, same answers:

# %%
try:
    import autograd
    import autograd.numpy as anp
except ImportError:
    print("autograd is not installed here (pip install autograd) — TensorFlow's numbers stand alone")
else:
    def ripple_np(x, y):
        return anp.sin(anp.sqrt(x**2 + y**2))

    print(f"autograd: f = {ripple_np(2.0, 0.0):.15f}  "
          f"df/dx = {autograd.grad(ripple_np, 0)(2.0, 0.0):.15f}  "
          f"df/dy = {autograd.grad(ripple_np, 1)(2.0, 0.0) + 0.0:.15f}")

# %% [markdown]
# ### Four views of the ripples
#
# The source tutorial's grid: 30 × 30 points over x ∈ [0, 6], y ∈ [−6, 6]. Four panels: 50
# stacked contour lines in grey, the shaded surface, and the same surface from two higher
# viewpoints, view_init(60, 90) and view_init(90, 90).

# %%
Xr, Yr = gradlab.grid((0, 6), (-6, 6), 30)
Zr = ripple(tf.constant(Xr), tf.constant(Yr)).numpy()  # values only: no tape needed
fig = plt.figure(figsize=(9, 8))
views = [("contour3d", None, "50 contour levels"), ("surface", None, "surface"),
         ("surface", (60, 90), "view_init(60, 90): colour shows f"),
         ("surface", (90, 90), "view_init(90, 90): colour shows f")]
for i, (kind, view, title) in enumerate(views, start=1):
    _, ax = gradlab.plot_surface(Xr, Yr, Zr, kind=kind, view=view, title=title,
                                 ax=fig.add_subplot(2, 2, i, projection="3d"))
    ax.set_yticks([-5, 0, 5])
    if view is None:
        ax.set_zticks([-1, 0, 1])
        ax.set_zlabel("$f$")
    else:  # from high up the z tick labels land on top of the y ones: colour tells the height
        ax.set_zticks([])
        ax.set_title(title, pad=22 if view == (90, 90) else 6)  # seen from above, x is labelled on top
fig.subplots_adjust(hspace=0.3)  # room between the top panels' x labels and the lower titles
plt.show()

# %% [markdown]
# Read these with care. The grid covers only x ≥ 0, so the rings r = constant appear as
# half-rings. The panels are square boxes although y spans 12 units and x only 6, so every
# ring is stretched to twice its width along x. Seen from azimuth 90°, x runs from 6 on
# the left to 0 on the right; from that high up z tick labels would land on the y ones, so
# the two lower panels show the height by colour alone (yellow high, purple low). And the
# 50 grey contour lines lie so close together that they read as a shaded surface rather
# than as separate levels. Below, the same function on x ∈ [−6, 6] with equal scales on
# both axes: the level lines are whole circles around the origin, the crests at
# r = π/2 + 2kπ.

# %%
Xc, Yc = gradlab.grid((-6, 6), (-6, 6), 121)
Zc = ripple(tf.constant(Xc), tf.constant(Yc)).numpy()
gradlab.plot_contour(Xc, Yc, Zc, title=r"$\sin\sqrt{x^2 + y^2}$, equal scales: circles")
plt.show()

# %% [markdown]
# ### What goes wrong at the origin
#
# At (0, 0) the tape returns NaN for both partials:

# %%
print(gradlab.partials(ripple, 0.0, 0.0))

# %% [markdown]
# Follow the chain rule backwards. The derivative of √u is 1/(2√u), infinite at u = 0;
# the inner derivative ∂(x² + y²)/∂x = 2x is 0 there; and inf · 0 is NaN. The NaN is
# not a TensorFlow bug. Near the origin, sin r ≈ r, a cone, and a cone's tip has no
# tangent plane. (Notebook 07 shows `tf.custom_gradient`, a way to choose the gradient
# there yourself.)
#
# ### The same trap, hidden by `tf.where`
#
# A common "fix" for a bad point is `tf.where(ok, formula, fallback)`: pick the fallback
# wherever the formula breaks. The *values* come out right. But the gradient of `tf.where`
# flows into *both* branches, everywhere: the chosen branch gets the incoming gradient, the
# discarded one gets 0. Each branch then applies its own derivative rules to what it got.
# Where those local derivatives are finite, 0 times them is 0 and the discarded branch adds
# nothing. Where one is infinite or undefined, it is not: IEEE arithmetic makes 0 · ∞ and
# 0/0 NaN, and that NaN flows back to x and y like any other gradient. The branch's *value*
# was thrown away; its derivative was not. Take sin(u)/u with u = x² + y², which tends to 1
# at the origin:

# %%
def naive_bump(x, y):
    u = x**2 + y**2
    return tf.where(u > 0, tf.sin(u) / u, 1.0)


print(gradlab.partials(naive_bump, 0.0, 0.0))

# %% [markdown]
# The value at the origin is 1, as chosen; the gradient is NaN. It comes from the
# discarded branch: the rule of the division sin(u)/u divides the incoming 0 by u, and at
# u = 0 that is 0/0. The same happens with `tf.math.log(u)` (its rule is also "divide by
# u") and with `u ** 0.5` (its rule multiplies by 0.5·u^(−0.5), infinite at 0), although
# neither of those has a NaN *value* there: what matters is the derivative. (TensorFlow
# 2.21's `tf.sqrt` happens to return a zero gradient when the gradient flowing into it is
# zero, so `tf.sqrt` alone does not show the trap: do not count on it.)

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1.** Predict ∂f/∂x and ∂f/∂y of f(x, y) = x²·y at (3, 2) without a tape,
# and write them as a pair `(df_dx, df_dy)`.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_03_1", "locked": false, "schema_version": 3, "solution": true, "task": false}
answer = ...
### BEGIN SOLUTION
answer = (2 * 3 * 2, 3**2)
### END SOLUTION

# %% tags=["exercise"]
gradlab.check("03.1", answer)

# %% nbgrader={"grade": true, "grade_id": "test_03_1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("03.1", answer)
### BEGIN HIDDEN TESTS
gradlab.grade("03.1", answer, seed=85219)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Write a function `f(x, y)` whose gradient is (y, x) at every point.

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_03_2", "locked": false, "schema_version": 3, "solution": true, "task": false}
def f(x, y):
    ### BEGIN SOLUTION
    return x * y
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("03.2", f)

# %% nbgrader={"grade": true, "grade_id": "test_03_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("03.2", f)
### BEGIN HIDDEN TESTS
gradlab.grade("03.2", f, seed=37041)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Write `safe_bump(x, y)`: the same values as `naive_bump` above
# (sin(u)/u with u = x² + y², and 1 at the origin) but a finite gradient everywhere,
# including the origin. Its true gradient there is (0, 0).

# %% tags=["solution"] nbgrader={"grade": false, "grade_id": "solution_03_3", "locked": false, "schema_version": 3, "solution": true, "task": false}
def safe_bump(x, y):
    u = x**2 + y**2
    ### BEGIN SOLUTION
    return tf.where(u > 0, tf.sin(u) / tf.where(u > 0, u, 1.0), 1.0)  # no branch divides by 0
    ### END SOLUTION


# %% tags=["exercise"]
gradlab.check("03.3", safe_bump)

# %% nbgrader={"grade": true, "grade_id": "test_03_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Autograder test (locked): the check above, silent when right, its hint when not.
import gradlab
gradlab.grade("03.3", safe_bump)
### BEGIN HIDDEN TESTS
gradlab.grade("03.3", safe_bump, seed=33427)
### END HIDDEN TESTS
