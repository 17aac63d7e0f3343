"""The exercises of notebooks 07 and 08 (when gradients go wrong, and forward mode), by key.

Same rules as :mod:`gradlab.exercises.catalog`, which merges :data:`EXERCISES_07_08` into
the registry: every expected answer is computed inside its check, on points drawn afresh (or
from an autograder's hidden seed), and a prescribed method is checked by its :class:`Rules`.
Size: two notebooks' exercises, each a check with the messages for its common mistakes.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.exercises._shared import f32, short_array
from gradlab.exercises.checks import (
    Feedback,
    call_attempt,
    check_choice,
    check_function,
    check_value,
    correct,
    current_rng,
    random_points,
    seen,
    unfinished,
    wrong,
)
from gradlab.exercises.kinds import TAPE, Exercise
from gradlab.exercises.observe import Rules

__all__ = ["EXERCISES_07_08"]


# --------------------------------------------------------------------------- 07 pitfalls


def _ex07_1(answer: object) -> Feedback:
    """Which of the notebook's four functions give a None gradient at x = 2 (found by a tape here)."""
    candidates = {
        "a": lambda x: tf.sign(x) * x,
        "b": lambda x: tf.constant(np.exp(x.numpy())),
        "c": lambda x: tf.round(x) * 2.0,
        "d": lambda x: 3.0 * tf.ones_like(x),
    }

    def none_gradient(f) -> bool:
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x) is None

    right = {name for name, f in candidates.items() if none_gradient(f)}
    feedback = check_choice(answer, right, sorted(candidates),
                        "b leaves TensorFlow through NumPy, c goes through tf.round, whose gradient is "
                        "registered as None (declared not differentiable), and d never uses the value "
                        "of x; a is fine: tf.sign's gradient is registered as 0, so the product rule "
                        "gives sign(x).",
                        "a gradient is None when no differentiable path of float operations leads from x "
                        "to the result")
    return _name_letters(feedback, answer, right, {
        "a": "a is fine: tf.sign's gradient is registered as 0, so the product rule still gives sign(x)",
        "b": "b gives None: .numpy() leaves TensorFlow, and the tape cannot follow NumPy",
        "c": "c gives None: tf.round's gradient is registered as None (not differentiable)",
        "d": "d gives None: it never uses the value of x",
    })


def _name_letters(feedback: Feedback, answer: object, right: set, why: dict[str, str]) -> Feedback:
    """A wrong set of letters, told which letters are missing or extra and why each is (not) in."""
    if feedback or feedback.status != "wrong" or not isinstance(answer, (set, frozenset, list, tuple, str)):
        return feedback
    given = {str(a).strip().lower() for a in ([answer] if isinstance(answer, str) else answer)}
    if not given <= set(why):
        return feedback  # not letters of the options: the generic message already says so
    missing, extra = sorted(right - given), sorted(given - right)
    notes = [f"missing {', '.join(missing)}" if missing else "", f"extra {', '.join(extra)}" if extra else ""]
    reasons = "; ".join(why[k] for k in missing + extra)
    return wrong(f"{answer!r} is not it: {' and '.join(n for n in notes if n)}. Hint: {reasons}.")


def _ex07_2(answer: object) -> Feedback:
    """The Jacobian of F(v) = (v₀v₁v₂, v₀ + v₁², sin v₂) at (1, 2, 3), rows = outputs."""
    v0, v1, v2 = 1.0, 2.0, 3.0
    rows = np.array([[v1 * v2, v0 * v2, v0 * v1], [1.0, 2 * v1, 0.0], [0.0, 0.0, math.cos(v2)]])
    return check_value(answer, rows, "the Jacobian", hints=[
        (rows.T, "transposed: row i holds the derivatives of output i")])


def _ex07_3(fn: object) -> Feedback:
    """gradient_table(a, b, c): rows ∂L₀/∂(a, b, c) and ∂L₁/∂(a, b, c), zeros where unused.

    L₀ = a²·b and L₁ = b + sin c. The lesson printed how to get a zero for one unused
    variable; here each loss misses a different one, and the rows must be stacked, which a
    None cannot be.
    """
    values = [(1.0, 2.0, 3.0), tuple(random_points(-2.0, 2.0, 3))]
    for a0, b0, c0 in values:
        a, b, c = tf.Variable(a0), tf.Variable(b0), tf.Variable(c0)
        result, problem = call_attempt(fn, a, b, c, what="gradient_table")
        if problem is not None:
            if problem.status == "wrong" and "None" in problem.message:
                return wrong("gradient_table met a None: L₀ does not use c and L₁ does not use a, so "
                             "tape.gradient gives None for them, and None cannot be stacked into a "
                             "table. Ask the tape for zeros instead.")
            return problem
        row0 = [2 * a0 * b0, a0**2, 0.0]
        row1 = [0.0, 1.0, math.cos(c0)]
        want = np.array([row0, row1])
        summed = np.array([row0, row1]).sum(axis=0)
        feedback = check_value(result, want, f"the table at (a, b, c) = ({a0:.3g}, {b0:.3g}, {c0:.3g})",
                               generic=False, hints=[
            (want.T, "transposed: row k holds loss k's derivatives, one column per variable (a, b, c)"),
            (np.array([summed, summed]), "each row is the gradient of L₀ + L₁: tape.gradient of "
                                         "several targets adds them up. Ask for one loss at a time"),
            (np.array([row1, row0]), "the rows are swapped: row 0 is L₀ = a²·b"),
        ])
        if not feedback:
            return feedback
    return correct("each loss's gradient row, with zeros (not None) where a loss does not use a variable.")


def _recording_gradients(fn: object, *args: object, what: str) -> tuple[object, Feedback | None, list, int]:
    """Call fn, noting each tape.gradient result and each tf.Variable it creates."""
    created = [0]
    before = len(seen().gradient_results)

    def creator(next_creator, **kwargs):
        created[0] += 1
        return next_creator(**kwargs)

    with tf.variable_creator_scope(creator):
        result, problem = call_attempt(fn, *args, what=what)
    return result, problem, seen().gradient_results[before:], created[0]


def _descent_line(x: np.ndarray, y: np.ndarray, steps: int, lr: float) -> np.ndarray:
    """(w, b) after `steps` gradient-descent steps on mean((w·x + b − y)²) from (0, 0), in float64."""
    w = b = 0.0
    for _ in range(steps):
        residual = w * x + b - y
        w, b = w - lr * 2 * np.mean(residual * x), b - lr * 2 * np.mean(residual)
    return np.array([w, b])


def _ex07_4(fn: object) -> Feedback:
    """fit(x, y, steps, lr): the line fit that fit_broken meant, each step's gradient from a tape."""
    rng = current_rng()
    created_by_steps: dict[int, int] = {}
    cases = [(4, 0.1), (int(rng.integers(2, 6)), round(float(rng.uniform(0.05, 0.2)), 3)), (1, 0.2)]
    for steps, lr in cases:
        x = np.round(rng.uniform(-2.0, 2.0, 6), 3)
        y = np.round(2.0 * x - 1.0 + rng.normal(0, 0.3, 6), 3)
        result, problem, grads, created = _recording_gradients(
            fn, tf.constant(x, tf.float32), tf.constant(y, tf.float32), steps, lr, what="fit")
        if problem is not None:
            if problem.status == "wrong" and grads and any(g is None for g in _flat(grads)):
                return wrong(f"fit(x, y, {steps}, {lr}) failed: a gradient became None after the first "
                             "step. Are w and b still tf.Variables on the second pass? `w = w - ...` makes "
                             "a plain tensor, which the next tape does not watch.")
            return problem
        what = f"(w, b) after fit(x, y, {steps}, {lr}) on x = {short_array(x)}"
        feedback = check_value(_numbers_of(result), _descent_line(x, y, steps, lr), what, rtol=1e-4,
                               atol=1e-5, generic=False, hints=[
            ([0.0, 0.0], "w and b never moved. `p = p - lr * g` computes a new tensor and rebinds the "
                         "name p to it; the variable p named a moment ago is untouched. Change the "
                         "variables themselves, in place"),
            (_descent_line(x, y, steps - 1, lr), "that is one step too few: run exactly `steps` updates"),
            (_descent_line(x, y, steps + 1, lr), "that is one step too many: run exactly `steps` updates"),
            # A summed loss's gradient is len(x) times the mean's: the same walk at len(x)·lr.
            (_descent_line(x, y, steps, lr * len(x)), f"that is descent on the summed squared error, "
                                                      f"{len(x)} times the mean's gradient: the loss is the "
                                                      "mean, tf.reduce_mean, as in fit_broken"),
        ])
        if not feedback:
            return feedback
        found = [g for g in _flat(grads) if g is not None]
        if len(found) < steps:
            return wrong(f"fit(x, y, {steps}, {lr}) returns the right line, but tape.gradient gave "
                         f"{len(found)} gradient(s) for {steps} step(s): take each step's gradient from "
                         "a GradientTape, as fit_broken does")
        created_by_steps[steps] = created
    observed = "the line lands where gradient descent takes it, each step's gradient taken by a tape."
    # Only a count that grows with the steps means new variables per step: a fit that makes w, b
    # and one optimiser (which has variables of its own) once creates the same number every time.
    if created_by_steps[max(created_by_steps)] > created_by_steps[min(created_by_steps)]:
        return correct(f"{observed} (fit created more tf.Variables the more steps it ran, so some are "
                       "made anew each step; assign_sub on the ones you have avoids that.)")
    return correct(observed)


def _flat(results: list) -> list:
    """tape.gradient results, lists of gradients flattened into one list."""
    return [g for found in results for g in (found if isinstance(found, (list, tuple)) else [found])]


def _numbers_of(result: object) -> object:
    """A returned (w, b) pair of variables, tensors or numbers as a list of floats, if it is one."""
    try:
        return [float(np.asarray(v)) for v in result]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return result  # check_value says what is wrong with its form


def _ex07_5(answer: object) -> Feedback:
    """A finite-difference step h whose float32 error is near the best possible."""
    def error_float32(h: float) -> float:
        # The median over many points: at a single x rounding errors can cancel by luck.
        x32, h32 = np.linspace(0.5, 2.5, 21, dtype=np.float32), np.float32(h)
        estimate = (np.sin(x32 + h32) - np.sin(x32 - h32)) / (np.float32(2) * h32)
        return float(np.median(np.abs(estimate.astype(float) - np.cos(x32.astype(float)))))

    feedback = check_value(answer, 0.0, "h", atol=1.0)  # validates the form; the test is below
    if feedback.status == "unfinished" or "should be" in feedback.message:
        return feedback
    h = float(np.asarray(answer, dtype=float).reshape(-1)[0])
    if not 0 < h < 1:
        return wrong(f"h = {h:g}: a step must be small and positive (between 0 and 1)")
    # A band of steps around the balance point eps^(1/3) ≈ 5e-3, from 1e-3 to 2e-2; its median
    # error (6.4e-6) is what "good" means here (single lucky h values can do better by
    # cancellation, which no one can count on). It is the band's median, not the best steps'
    # error: steps near 5e-3 itself do better (3e-3 to 8e-3 measured 1.4e-6 to 4.9e-6).
    low, high = 1e-3, 10**-1.7
    typical = float(np.median([error_float32(v) for v in np.logspace(math.log10(low), math.log10(high), 25)]))
    band = (f"the median error of the steps from {_short_e(low)} to {_short_e(high)} around the "
            "balance point h ≈ 5e-3")
    error = error_float32(h)
    if error <= 3 * typical:
        return correct(f"with h = {h:g} the float32 error is {error:.1e}, within 3× of {typical:.1e}, "
                       f"{band}: close enough to where rounding and truncation balance.")
    side = "too small: rounding error dominates" if h < 3e-3 else "too large: truncation error dominates"
    return wrong(f"with h = {h:g} the error is {error:.1e}, more than 3 times {typical:.1e}, {band}. "
                 f"h is {side}.")


def _short_e(value: float) -> str:
    """A power of ten for a message without the padded exponent: 0.02 → "2e-2", not "2e-02"."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _uses_custom_gradient(fn: object) -> bool:
    """True when fn (or a function it calls) has a tf.custom_gradient backward rule.

    TensorFlow's own softplus gradient is already stable, so the numbers cannot tell whether
    the student wrote the rule; the traced graph can: custom_gradient leaves an IdentityN op
    marked with a "CustomGradient-…" gradient type.
    """
    if getattr(getattr(fn, "_tf_decorator", None), "decorator_name", "") == "custom_gradient":
        return True
    try:
        graph = tf.function(fn).get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
    except Exception:  # noqa: BLE001 - an untraceable function is judged by its numbers alone
        return False
    for op in graph.get_operations():
        try:
            kind = op.get_attr("_gradient_op_type")
        except ValueError:
            continue
        if kind.startswith(b"CustomGradient"):
            return True
    return False


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _ex07_6(fn: object) -> Feedback:
    """softplus with tf.custom_gradient: finite value and gradient even at x = 100."""
    result, problem = call_attempt(fn, f32(1.0), what="softplus")
    if problem is not None and "ellipsis" in problem.message:
        # The student copy's stub returns `...`, which tf.custom_gradient cannot unpack.
        return unfinished("softplus still returns `...`: return (value, grad), the value and your "
                          "backward rule")
    if problem is not None:
        return problem
    at_100, problem = call_attempt(fn, f32(100.0), what="softplus")
    if problem is not None:
        return problem
    if not np.all(np.isfinite(np.asarray(at_100, dtype=float))):
        return wrong(f"at x = 100 softplus gives {float(at_100)}, expected 100: exp(100) overflows to inf in "
                     "float32. Use tf.math.softplus, or max(x, 0) + log(1 + e^(−|x|))")
    # Fresh points over the whole line, far left and far right included.
    points = [-3.0, 0.0, 2.0, 100.0, *random_points(-40.0, -5.0, 2), *random_points(-5.0, 5.0, 2),
              *random_points(5.0, 80.0, 2)]
    values = check_function(fn, _softplus, [(f32(p),) for p in points], what="softplus",
                            describe=lambda a: f"x = {float(a[0]):g}")
    if not values:
        return values
    x = tf.constant(points)
    try:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = call_attempt(lambda: 3.0 * fn(x), what="softplus")  # an upstream gradient of 3
        if y[1] is not None:
            return y[1]
        grad = tape.gradient(y[0], x)
    except Exception as error:  # noqa: BLE001 - report any failure of the student's rule
        return wrong(f"the backward rule failed: {type(error).__name__}: {error}")
    if grad is None:
        return wrong("the tape found no gradient: return (value, grad) from the decorated function")
    numbers = np.asarray(grad, dtype=float)
    if not np.all(np.isfinite(numbers)):
        bad = ", ".join(f"{p:g}" for p, g in zip(points, numbers, strict=True) if not np.isfinite(g))
        return wrong(f"the backward rule gives non-finite values at x = {bad}. In float32 exp(100) "
                     "overflows to inf, and e^x / (1 + e^x) becomes inf/inf = NaN: write the logistic "
                     "as 1 / (1 + e^(−x)), or use tf.math.sigmoid")
    want = [3.0 / (1.0 + math.exp(-p)) for p in points]
    feedback = check_value(grad, want, "the gradient of 3·softplus(x) at the test points", hints=[
        ([w / 3 for w in want], "your rule ignores `upstream`: multiply by it (chain rule)"),
        ([3.0 / (1.0 + math.exp(p)) for p in points],
         "your rule gives the logistic of −x, 1/(1 + eˣ), which falls from 1 to 0: softplus rises ever "
         "more steeply, and its slope is the logistic of x, 1/(1 + e⁻ˣ) (tf.math.sigmoid(x))"),
    ])
    if feedback and not _uses_custom_gradient(fn):
        return wrong("the values and gradients are right, but they are TensorFlow's own: decorate "
                     "softplus with @tf.custom_gradient and return (value, grad) with your backward rule")
    if feedback:  # said without the (random) points, so a saved notebook's output is reproducible
        return correct("softplus is finite everywhere, and its backward rule gives upstream × the "
                       "logistic at every test point, far left and far right included.")
    return feedback


# --------------------------------------------------------------------------- 08 forward mode


def _dual_class(fn: object) -> type:
    """The notebook's own Dual class (found where dual_tanh looks names up), else gradlab's."""
    from gradlab.dual import Dual

    mine = getattr(fn, "__globals__", {}).get("Dual")
    if isinstance(mine, type) and mine is not Dual:
        try:
            probe = mine(0.5, 1.0)
        except Exception:  # noqa: BLE001 - not a (value, derivative) class: use gradlab's
            return Dual
        if hasattr(probe, "value") and hasattr(probe, "derivative"):
            return mine
    return Dual


def _ex08_2(fn: object) -> Feedback:
    dual = _dual_class(fn)
    # The seed is the incoming derivative: the rule must multiply by it (chain rule).
    cases = [(0.3, 2.5), *zip(random_points(-2.0, 2.0, 2), random_points(-3.0, 3.0, 2), strict=True)]
    for x, seed in cases:
        result, problem = call_attempt(fn, dual(x, seed), what="dual_tanh")
        if problem is not None:
            return problem
        # Any object with .value and .derivative will do.
        if not (hasattr(result, "value") and hasattr(result, "derivative")):
            return wrong(f"dual_tanh should return a Dual (with .value and .derivative); "
                         f"got {type(result).__name__}")
        t = math.tanh(x)
        feedback = check_value([result.value, result.derivative], [t, seed * (1 - t * t)],
                               f"dual_tanh(Dual({x:g}, {seed:g})) as (value, derivative)", hints=[
                                   ([t, 1 - t * t], f"the derivative misses the incoming one, d.derivative = "
                                                    f"{seed:g}: multiply 1 − tanh² by it (chain rule)")])
        if not feedback:
            return feedback
    return correct("tanh carries its derivative 1 − tanh² forward, times the incoming derivative.")


def _ex08_1(answer: object) -> Feedback:
    return check_value(answer, [1, 1, 50], "the passes for (R¹⁰⁰⁰ → R, R → R³, R⁵⁰ → R²⁰⁰)", generic=False,
                       hints=[
        ([1000, 1, 50], "R¹⁰⁰⁰ → R has one output: one reverse pass gives its whole gradient"),
        ([1, 3, 50], "R → R³ has one input: one forward pass gives all three derivatives"),
        ([1, 1, 200], "R⁵⁰ → R²⁰⁰: forward mode needs one pass per input, 50, fewer than 200 outputs"),
        ([1000, 3, 200], "each of those is the larger side; the cheaper mode uses the smaller one"),
    ])


def _flight_path(angle: float, steps: int = 20, dt: float = 0.1, speed: float = 12.0,
                 drag: float = 0.05) -> np.ndarray:
    """The notebook's flight(angle), in float64 NumPy: (x, y) after each Euler step."""
    x = y = 0.0
    vx, vy = speed * math.cos(angle), speed * math.sin(angle)
    path = []
    for _ in range(steps):
        v = math.hypot(vx, vy)
        vx, vy = vx - dt * drag * v * vx, vy - dt * (9.81 + drag * v * vy)
        x, y = x + dt * vx, y + dt * vy
        path.append((x, y))
    return np.array(path)


#: A tape's reverse passes, as a message names them: an answer whose own code makes a
#: GradientTape and asks it for one of these breaks 08.3's rule (a tape alone computes nothing).
_REVERSE_NAMES = {"jacobian": "tape.jacobian", "batch_jacobian": "tape.batch_jacobian",
                  "gradient": "tape.gradient"}


def _names_in(code: object, depth: int = 0) -> set[str]:
    """The global and attribute names a code object uses, its nested functions' included."""
    names = set(getattr(code, "co_names", ()))
    for const in getattr(code, "co_consts", ()):
        if hasattr(const, "co_names") and depth < 5:
            names |= _names_in(const, depth + 1)
    return names


def _reverse_mode_message(how: str) -> Feedback:
    """08.3's rule, said as soon as a reverse pass is seen; ``how`` says where it was seen."""
    return wrong(f"path_sensitivity {how}, a reverse pass: reverse mode takes one backward pass per "
                 "output, 40 here, slow enough to run out of time. The exercise asks for forward mode: one "
                 "tf.autodiff.ForwardAccumulator pass, seeded with tangent 1, gives all 40 derivatives")


def _ex08_3(fn: object) -> Feedback:
    """path_sensitivity(angle): d(flight path)/d(angle), R → R⁴⁰, in one forward-mode pass.

    The forward-mode rule is checked before the numbers: a tape.jacobian over 40 outputs
    takes seconds per call, and the student would wait for the time limit only to read a
    guess. Named in the answer's own code, the tape is refused before anything runs; used
    deeper (a helper), the observer has counted it by the end of the first call.
    """
    names = _names_in(getattr(fn, "__code__", None))
    used = [said for name, said in _REVERSE_NAMES.items() if name in names]
    if used and "GradientTape" in names and "ForwardAccumulator" not in names:
        return _reverse_mode_message(f"uses a tf.GradientTape and {' and '.join(used)}")
    angles = [0.6, *random_points(0.2, 1.3, 2)]
    for angle in angles:
        result, problem = call_attempt(fn, f32(angle), what="path_sensitivity")
        if seen().reverse:  # the observer saw a tape.gradient/jacobian call, finished or not
            return _reverse_mode_message("runs a GradientTape's gradient or jacobian")
        if problem is not None and "returns None" in problem.message:
            return wrong(f"path_sensitivity({angle:.3g}) returns None, which is what acc.jvp gives for a "
                         "result computed outside the `with tf.autodiff.ForwardAccumulator(...)` block: "
                         "call flight inside it")
        if problem is not None and ("did not finish" in problem.message or "_TimeUp" in problem.message):
            # tape.jacobian over 40 outputs is 40 backward passes: slow enough to hit the time limit
            return wrong(f"path_sensitivity({angle:.3g}) took too long. If it uses a GradientTape "
                         "(tape.jacobian, or one tape.gradient per output), that is 40 backward passes, "
                         "one per output; one forward pass gives all 40 numbers")
        if problem is not None:
            return problem
        h = 1e-6  # a central difference in float64: accurate to ~1e-9, far inside the tolerance
        want = (_flight_path(angle + h) - _flight_path(angle - h)) / (2 * h)
        what = f"the path's derivative at angle = {angle:.3g}"
        if np.size(result) == 1:
            return wrong(f"{what} should be 40 numbers (shape (20, 2)), one per coordinate of the path; "
                         "got one. tape.gradient of a vector gives the derivative of the sum of its "
                         "entries: a forward pass gives every entry's derivative")
        feedback = check_value(result, want, what, rtol=1e-3, atol=1e-3, generic=False, hints=[
            (want * angle, f"that is the derivative times the angle: the tangent (the seed) should be "
                           f"1, d(angle)/d(angle), not the angle {angle:.3g}"),
            (_flight_path(angle), "that is the path itself: return acc.jvp(...) of it"),
            (want.T, "transposed: one row per time step, (dx/d angle, dy/d angle)"),
        ])
        if not feedback and "is not right" in feedback.message:  # not a shape problem
            first = ", ".join(f"{v:.4g}" for v in np.asarray(result, dtype=float).reshape(-1)[:2])
            return wrong(f"{what} is not right (its first row is ({first})). Seed the forward pass "
                         "with tangent 1 and run flight(angle) inside the accumulator")
        if not feedback:
            return feedback
    return correct("one forward pass, seeded with 1, gives all 40 derivatives at once; reverse mode "
                   "would need 40 passes, one per output.")


EXERCISES_07_08: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("07.1", "which functions give a None gradient", _ex07_1),
        Exercise("07.2", "the Jacobian of F: R³ → R³ at (1, 2, 3)", _ex07_2),
        Exercise("07.3", "a table of two losses' gradients, zeros where a loss skips a variable",
                 _ex07_3, TAPE),
        Exercise("07.4", "a line fit whose variables never moved, repaired", _ex07_4, TAPE),
        Exercise("07.5", "a good finite-difference step in float32", _ex07_5),
        Exercise("07.6", "softplus with its own gradient (tf.custom_gradient)", _ex07_6),
        Exercise("08.1", "how many passes the cheaper mode needs", _ex08_1),
        Exercise("08.2", "tanh for dual numbers, by hand", _ex08_2, Rules(by_hand=True)),
        Exercise("08.3", "a flight path's derivative with respect to its angle, in one forward pass", _ex08_3,
                 Rules(forward=True, helpers=False)),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
