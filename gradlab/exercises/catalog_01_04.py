"""The exercises of notebooks 01 to 04 (tape basics, power rule, partials, tangents), by key.

Same rules as :mod:`gradlab.exercises.catalog`, which merges :data:`EXERCISES_01_04` into
the registry: every expected answer is computed inside its check, on points drawn afresh (or
from an autograder's hidden seed), and a prescribed method is checked by its :class:`Rules`.
Size: four notebooks' exercises, each a check with the messages for its common mistakes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from gradlab import _integrity
from gradlab._tf import tf
from gradlab.calculus import FunctionError, GradientError, derivative, nth_derivative, partials
from gradlab.exercises._shared import described, f32, tape_gradient_matches
from gradlab.exercises.checks import (
    Feedback,
    as_numbers,
    call_attempt,
    check_function,
    check_value,
    correct,
    random_points,
    seen,
    unfinished,
    wrong,
)
from gradlab.exercises.kinds import BY_HAND, TAPE, Exercise
from gradlab.exercises.observe import Rules

__all__ = ["EXERCISES_01_04"]


# --------------------------------------------------------------------------- 01 GradientTape


def at_x(args: tuple) -> str:
    """Where a one-argument function was tried, for a message: ``"x = 0.422"``.

    Parameters: ``args``, the argument tuple of one call. Returns the text that follows
    "at". Example: ``at_x((0.4219,))`` gives ``"x = 0.4219"``.
    """
    return f"x = {described(args)}"


def _ex01_1(fn: object) -> Feedback:
    """slope_of_g(x): d/dx (x³ − 2x) from a tape, at x = 1.5 and fresh points."""
    points = [1.5, *random_points(-2.0, 2.0, 3)]
    return check_function(fn, lambda x: 3 * float(x) ** 2 - 2, [(f32(p),) for p in points],
                          what="slope_of_g", describe=at_x, hints=[
                              (lambda x: 3 * float(x) ** 2, "you dropped the −2x term's derivative (−2)"),
                              (lambda x: float(x) ** 3 - 2 * float(x),
                               "that is g's value, not its slope: return tape.gradient(g, x)")])


def _ex01_2(answer: object) -> Feedback:
    """A pair (h, dh): h(x) = sin(x²) in TF and dh its derivative by hand (chain rule)."""
    if answer is Ellipsis or answer is None:
        return unfinished()
    try:
        h, dh = answer  # type: ignore[misc]
    except (TypeError, ValueError):
        return wrong("pass the two functions as a pair: check('01.2', (h, dh))")
    # 1.5 first: near 0 a wrong h (sin(x)², x²) agrees with sin(x²) to 4 digits, and a message
    # about a small offset there would read like an imprecise number, not a wrong function.
    points = [1.5, *random_points(-1.7, 1.7, 4)]
    values = check_function(h, lambda x: math.sin(float(x) ** 2), [(f32(p),) for p in points],
                            what="h", expect_tensor=True, describe=at_x, hints=[
                                (lambda x: math.sin(float(x)) ** 2,
                                 "that is sin(x)², the square of sin x: h is the sine of x², tf.sin(x**2)")])
    if not values:
        return values
    try:  # h must be TensorFlow all the way: the tape has to follow it
        derivative(h, np.float32(points[0]))
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate h: {error}")
    return check_function(dh, lambda x: 2 * x * math.cos(x * x), [(p,) for p in points], what="dh",
                          describe=at_x, avoid=[("h", h)], hints=[
                              (lambda x: math.cos(x * x), "dh misses the inner derivative: the chain rule "
                                                          "multiplies cos(x²) by d(x²)/dx = 2x"),
                              (lambda x: 2 * x * math.sin(x * x), "the outer derivative of sin is cos")])


def _ex01_3(fn: object) -> Feedback:
    # Fresh points on every call. The gradient is not compared at 0: a stable softplus built
    # from max(x, 0) and |x| has kinks there, where the tape picks one side's slope (1 with
    # tf.maximum, 0 with tf.nn.relu, where the true slope is 0.5). The value is compared there.
    slopes = [-2.0, 1.5, *random_points(-3.0, -0.1, 2), *random_points(0.1, 3.0, 2)]
    # Values first, one point at a time: a wrong formula is told where, and what was expected.
    values = check_function(fn, lambda x: math.log1p(math.exp(float(x))),
                            [(f32(p),) for p in [slopes[0], 0.0, *slopes[1:]]], what="softplus",
                            describe=at_x, rtol=1e-4, atol=1e-5, hints=[
                                (lambda x: math.log1p(math.exp(-float(x))),
                                 "softplus(x) is log(1 + eˣ): your exponent has the wrong sign "
                                 "(log(1 + e⁻ˣ) is softplus(−x))"),
                                (lambda x: 1 / (1 + math.exp(-float(x))),
                                 "that is the logistic 1/(1 + e⁻ˣ), softplus's derivative: return "
                                 "softplus itself, log(1 + eˣ), and let the tape find the derivative")])
    if not values:
        shifted = _same_shift(fn, [slopes[0], 0.0, *slopes[1:]])  # Feedback is falsy when wrong
        return values if shifted is None else shifted
    feedback = tape_gradient_matches(fn, lambda x: 1 / (1 + math.exp(-x)), slopes, "softplus")
    if not feedback:
        return feedback
    # Said as it is (a teacher asked what "away from 0" meant): x = 0 is a value point only.
    return correct(f"softplus has the right value at all {len(slopes) + 1} test points, and the tape "
                   f"differentiates it: its derivative is right at the {len(slopes)} of them other than "
                   "x = 0 (at 0 a softplus built from max(x, 0) or |x| gets one side's slope from the "
                   "tape, so the slope is not compared there).")


def _same_shift(fn: object, points: list) -> Feedback | None:
    """01.3's softplus plus a constant, named: point by point, one offset looks like any error.

    Parameters: the student's ``fn`` and the test ``points``. Returns feedback naming the
    constant, or None when the offsets differ (or fn fails). Example: softplus(x) + 42 gives
    "every value is off by the same 42".
    """
    offsets = []
    for p in points:
        result, problem = call_attempt(fn, f32(p), what="softplus")
        if problem is not None:
            return None
        offsets.append(float(np.asarray(result, dtype=float).ravel()[0]) - math.log1p(math.exp(p)))
    if np.allclose(offsets, offsets[0], rtol=1e-4, atol=1e-4) and abs(offsets[0]) > 1e-4:
        return wrong(f"every value is off by the same {offsets[0]:.4g}: drop the added constant")
    return None


def _ex01_4(answer: object) -> Feedback:
    """d/dx of shrink (halve while x > 1, then square) at 5 and at 0.5."""
    def shrink_slope(x: float) -> float:
        factor = 1.0
        while x > 1.0:
            x, factor = x / 2, factor / 2
        return 2 * x * factor

    want = [shrink_slope(5.0), shrink_slope(0.5)]
    hints = [
        ([2 * 0.625, 1.0], "at 5 the tape also recorded three halvings: the chain rule multiplies by (1/2)³"),
        ([2 * 5.0, 1.0], "at 5 the loop runs: x is halved three times before it is squared"),
        ([0.0, 1.0], "the comparison x > 1 has no derivative, but the divisions it lets run do"),
    ]
    # "Exact, or at least 4 significant digits" (the prompt): 0.1563 and 0.1562 pass, 0.156 not.
    feedback = check_value(answer, want, "(derivative at 5, derivative at 0.5)", rtol=5e-4, hints=hints)
    if feedback.status != "wrong" or any(feedback.message == hint for _, hint in hints):
        return feedback
    slips = _shrink_slips(answer, want)
    return wrong(f"{feedback.message} {slips}") if slips else feedback


def _shrink(x: float) -> float:
    """The notebook's shrink(x) in plain floats: halve while x > 1, then square."""
    while x > 1.0:
        x /= 2
    return x * x


def _rounded_forms(value: float) -> list[float]:
    """``value`` cut to 2 or 3 significant digits, rounded or cut off: 0.15625 → 0.16, 0.15, 0.156."""
    forms = []
    for digits in (2, 3):
        scale = 10 ** (digits - 1 - math.floor(math.log10(abs(value))))
        forms += [round(value * scale) / scale, math.trunc(value * scale) / scale]
    return forms


def _matches(got: float, value: float) -> bool:
    """``got`` is ``value``, to 4 significant digits or cut shorter (2 or 3)."""
    return math.isclose(got, value, rel_tol=5e-4) or any(
        math.isclose(got, form, rel_tol=1e-9) for form in _rounded_forms(value))


def _shrink_slips(answer: object, want: list[float]) -> str:
    """01.4's two slips a teacher saw, named per number: too few digits, and shrink's value.

    Parameters: the student's ``answer`` (already known wrong) and the right ``want`` pair.
    Returns the sentences to add to the feedback, or "" when neither slip fits. Example:
    (0.156, 1.0) gives "Your derivative at 5, 0.156, has too few digits ...".
    """
    got = as_numbers(answer)
    if got is None or got.size != 2:
        return ""
    notes = []
    for x, value, right in zip((5, 0.5), got.ravel(), want, strict=True):
        if math.isclose(value, right, rel_tol=5e-4):
            continue
        if _matches(value, _shrink(x)):
            notes.append(f"{value:g} is shrink({x:g}), the function's value at {x:g}, not its "
                         f"derivative: the exercise asks for the slope d shrink/dx at x = {x:g}.")
        elif _matches(value, right):
            notes.append(f"Your derivative at {x:g}, {value:g}, has too few digits: the exercise asks "
                         "for the exact value (a fraction, or a product such as 2 * a * b) or at least "
                         "4 significant digits.")
    return " ".join(notes)


# --------------------------------------------------------------------------- 02 power rule


def _ex02_2(answer: object) -> Feedback:
    """d/dx (2x + 1)⁻² at x = 1: a negative power and the chain rule, predicted.

    At x = 1 the base 2x + 1 is 3 and the inner slope is 2: they differ, so two slips cannot
    cancel (at x = 0.5 both were 2, and −2·(2x + 1)⁻² passed for −2·(2x + 1)⁻³·2).
    """
    x = 1.0
    inner = 2 * x + 1
    # 4 significant digits, as the prompt says (and as 01.4): −0.1481 for −4/27 passes
    return check_value(answer, -2 * inner**-3 * 2, "d/dx (2x + 1)⁻² at 1", rtol=5e-4, hints=[
        (-2 * inner**-3, "(2x + 1)⁻² is a power of 2x + 1, not of x: the chain rule multiplies by "
                         "the inner slope, 2"),
        (-2 * inner**-2 * 2, "lower the exponent: −2 becomes −3, so the slope is −2·(2x + 1)⁻³·2"),
        (-2 * inner**-2, "two slips: lower the exponent (−2 becomes −3) and multiply by the inner "
                         "slope, 2: the slope is −2·(2x + 1)⁻³·2"),
        (-(inner**-1), "that is (2x + 1)⁻¹ with a minus sign, not a slope: the power rule keeps the "
                       "power's base and lowers its exponent, −2·(2x + 1)⁻³, then the chain rule "
                       "multiplies by the inner slope, 2"),
        (inner**-2, "that is the function's value, 3⁻² = 1/9, not its slope"),
        (2 * inner**-3 * 2, "mind the sign: a negative power falls as x grows, so its slope is negative"),
    ])


def _ex02_3(fn: object) -> Feedback:
    """third_derivative(f, x) from three tape gradients, on functions and points drawn afresh.

    The rule counts three ``tape.gradient`` calls per call: nested tapes, or one persistent
    tape asked three times inside its block, both differentiate each gradient again.
    """
    a, b, c = random_points(0.5, 2.0, 3)
    x1, x2, x3 = random_points(-2.0, 2.0, 3)
    cases = [(lambda x: a * x**4, x1, 24 * a * x1, f"{a:g}·x**4 at {x1:g}"),
             (lambda x: b * tf.sin(x), x2, -b * math.cos(x2), f"{b:g}·sin(x) at {x2:g}"),
             (lambda x: c * x**3 + x**2, x3, 6 * c, f"{c:g}·x**3 + x**2 at {x3:g}")]
    for f, x, want, name in cases:
        before = len(seen().gradient_results)  # this call's gradients come after
        result, problem = call_attempt(fn, f, f32(x), what="third_derivative")
        if problem is not None:
            return _outside_the_tape(problem, seen().gradient_results[before:],
                                     partial(_passes_with_variable, fn, f, x, want))
        feedback = check_value(result, want, f"third_derivative({name})", rtol=1e-3, atol=1e-3)
        if not feedback:
            return feedback
    return correct("third_derivative gives f‴ for every test function, from three tape.gradient calls, "
                   "each differentiating the one before.")


def _passes_with_variable(fn: object, f: Callable, x: float, want: float) -> bool:
    """Whether third_derivative(f, x) is right when x is a tf.Variable (every tape watches those).

    Tells "an outer tape did not watch the constant x" (then it passes) from "a gradient was
    asked outside the tape that differentiates it" (still None). Parameters: the student's
    ``fn``, the test function ``f``, the point ``x`` and the right ``want``. Returns True if
    the re-run gives ``want``. Example: nested tapes with ``watch(x)`` on the innermost only.
    """
    result, problem = call_attempt(fn, f, tf.Variable(f32(x)), what="third_derivative")
    return problem is None and bool(check_value(result, want, rtol=1e-3, atol=1e-3))


def _outside_the_tape(problem: Feedback, results: list,
                      passes_with_variable: Callable[[], bool] = lambda: False) -> Feedback:
    """02.3's None gradient, explained: after one that found x, it was asked outside a recording tape.

    The framework's hint for a None gradient says "watch x". When an earlier gradient in the
    same call was not None, x *was* watched (that gradient found it); a later None means the
    gradient it differentiates was computed where no tape recorded it (after the `with` block,
    or on a tape that was not open then).

    Unless the same answer is right when x is a tf.Variable (``passes_with_variable()``, run
    only here, where it matters): then the later tapes did not watch the constant x (nested
    tapes, one ``watch(x)`` on the innermost only), and each tape needs its own ``watch``.

    Parameters: ``problem``, call_attempt's feedback; ``results``, what each tape.gradient of
    the failing call returned; ``passes_with_variable``, see above. Returns the feedback to
    show. Example: results ``[3.0, None]`` turn "call tape.watch(x)" into "computed outside
    the tape that differentiates it".
    """
    def missing(g: object) -> bool:  # gradient(y, [x]) returns [None]
        return g is None or (isinstance(g, (list, tuple)) and any(v is None for v in g))

    first_none = next((i for i, g in enumerate(results) if missing(g)), None)
    if problem.status != "wrong" or "tape.watch" not in problem.message or not first_none:
        return problem
    if passes_with_variable():
        return wrong("your first tape.gradient found x, but a later one returned None: that tape did not "
                     "watch x. A tape watches a constant only if told to, each tape for itself: call "
                     "tape.watch(x) on every tape, right after its `with` line (with x as a tf.Variable "
                     "your function gives the right answer).")
    return wrong("x was watched (your first tape.gradient found it), but a later tape.gradient "
                 "returned None: the gradient it differentiates was computed outside the tape that "
                 "differentiates it, so that tape never recorded it. Ask for each gradient inside the "
                 "`with` block of the tape that will differentiate it: nest the tapes, or ask one "
                 "persistent tape inside its block.")


# --------------------------------------------------------------------------- 03 partials


def _ex03_2(fn: object) -> Feedback:
    # (1, 2) first for a stable message, then fresh random points on every call.
    points = [(1.0, 2.0), *zip(random_points(-2.0, 2.0, 3), random_points(-2.0, 2.0, 3), strict=True)]
    result, problem = call_attempt(fn, f32(1.0), f32(2.0), what="f")
    if problem is not None:
        return problem
    offsets = []
    for x, y in points:
        try:
            value, fx, fy = partials(fn, x, y)
        except (GradientError, FunctionError) as error:
            return wrong(f"TensorFlow cannot differentiate your f: {error}")
        # A function whose gradient is (x, y) is not "two numbers swapped": say what it is.
        feedback = check_value([fx, fy], [y, x], f"∇f at ({x:g}, {y:g})", hints=[
            ([x, y], f"your f's gradient is (x, y) (at ({x:g}, {y:g}) it is ({x:g}, {y:g})), but the "
                     "exercise asks for (y, x): ∂f/∂x must be y and ∂f/∂y must be x")])
        if not feedback:
            return feedback
        offsets.append(float(value) - x * y)
    if not np.allclose(offsets, offsets[0], rtol=1e-4, atol=1e-4):
        worst = int(np.argmax(np.abs(np.asarray(offsets) - offsets[0])))
        (x, y), offset = points[worst], offsets[worst]
        return wrong(f"the tape's gradient is (y, x), but f's values are not x·y plus one constant "
                     f"(at ({x:g}, {y:g}) f − x·y = {offset:.4g}, at (1, 2) {offsets[0]:.4g}): part of f "
                     "is hidden from the tape (tf.stop_gradient, a custom gradient). The gradient must "
                     "be the gradient of the function itself.")
    return correct("∇f = (y, x) everywhere and f = x·y + a constant: that is the answer.")


def _bump(x: float, y: float) -> float:
    u = x * x + y * y
    return math.sin(u) / u if u else 1.0


def _zero_at_origin(x: object, y: object) -> float:
    """03.3's common slip, sin(u)/(u + ε): sin(u)/u except 0 at the origin (0/ε).

    Parameters: the test point ``x, y``. Returns that slip's value there. Example:
    ``_zero_at_origin(0.0, 0.0)`` is 0.0, where the right value is 1.
    """
    return 0.0 if float(x) == float(y) == 0.0 else _bump(float(x), float(y))


def _ex03_3(fn: object) -> Feedback:
    """sin(u)/u with u = x² + y², 1 at the origin, and a finite gradient there too."""
    _, problem = call_attempt(fn, f32(1.0), f32(0.5), what="safe_bump")
    if problem is not None:
        return problem
    fresh = list(zip(random_points(-1.5, 1.5, 3), random_points(-1.5, 1.5, 3), strict=True))
    values = check_function(
        fn, _bump,
        [(f32(a), f32(b)) for a, b in [(1.0, 0.5), (0.0, 0.0), (0.01, 0.0), *fresh]],
        what="safe_bump", rtol=1e-3, describe=lambda a: f"{float(a[0]):g}, {float(a[1]):g}",
        hints=[(_zero_at_origin, "safe_bump gives 0 at the origin, where sin(u)/u tends to 1: an ε added "
                                 "to the denominator, sin(u)/(u + ε) (or tf.math.divide_no_nan), avoids "
                                 "the division by zero, but sin(0)/ε is still 0. The origin needs its own "
                                 "value, 1: choose it with tf.where")])
    if not values:
        return values
    try:
        _, fx, fy = partials(fn, 0.0, 0.0)
        # Near the origin too: a safe_bump that stops the gradient for small u must not pass.
        # (Fresh points stay 0.05 from the axes: float32's sin(u)/u slope loses digits as u → 0.)
        away = [(1.0, 0.5), (0.3, 0.2), (-0.05, 0.1), *zip(random_points(0.05, 0.5, 2),
                                                           random_points(-0.5, -0.05, 2), strict=True)]
        grads = [partials(fn, a, b)[1:] for a, b in away]
    except (GradientError, FunctionError) as error:
        return wrong(f"TensorFlow cannot differentiate safe_bump: {error}")
    if not np.all(np.isfinite([fx, fy])):
        return wrong(f"the values are right, but the gradient at the origin is ({float(fx)}, {float(fy)}). "
                     "tf.where differentiates both branches: the one it discards must not divide by 0 either "
                     "(tf.experimental.numpy.sinc is such a tf.where inside, so it has the same NaN)")
    feedback = check_value([fx, fy], [0.0, 0.0], "∇safe_bump at the origin", atol=1e-4)
    if not feedback:
        return feedback
    for (a, b), (gx, gy) in zip(away, grads, strict=True):
        u = a * a + b * b  # d/du (sin u / u) = (u cos u − sin u) / u², times ∂u = (2x, 2y)
        du = (u * math.cos(u) - math.sin(u)) / u**2
        feedback = check_value([gx, gy], [2 * a * du, 2 * b * du], f"∇safe_bump at ({a:g}, {b:g})",
                               atol=1e-4)
        if not feedback:
            return feedback
    return correct("safe_bump is 1 at the origin and sin(u)/u elsewhere, and its gradient is finite at "
                   "the origin and right near it and away from it.")


# --------------------------------------------------------------------------- 04 tangent


def _tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def _ex04_1(fn: object) -> Feedback:
    """tangent_at(x0) -> (slope, intercept), from a tape, at x₀ = 2 and fresh points."""
    def line(x0):
        y, slope = (float(v) for v in derivative(_tangent_f, tf.constant(float(x0), tf.float64)))
        return y, slope

    # x₀ = 2 first: at x₀ = 1 forgetting the ·x₀ in the intercept would pass.
    points = [2.0, *random_points(0.6, 5.5, 3)]
    return check_function(
        fn, lambda x0: (line(x0)[1], line(x0)[0] - line(x0)[1] * float(x0)), [(f32(p),) for p in points],
        what="tangent_at", rtol=1e-3, atol=1e-4, describe=lambda a: f"x₀ = {described(a)}", hints=[
            (lambda x0: (line(x0)[1], line(x0)[0]),
             "the intercept is the line's height at x = 0, not at x₀: f(x₀) − f′(x₀)·x₀"),
            (lambda x0: (line(x0)[1], line(x0)[0] - line(x0)[1]),
             "the intercept is f(x₀) − f′(x₀)·x₀: multiply the slope by x₀"),
            (lambda x0: (line(x0)[0], line(x0)[0] - line(x0)[1] * float(x0)),
             "the slope is f′(x₀), from the tape, not f(x₀)"),
        ])


def _ex04_2(fn: object) -> Feedback:
    """newton_step(g, x) with x a float32 tensor: x − g(x)/g′(x), the derivative from a tape."""
    tests = [(lambda x: x**2 - 2, random_points(0.8, 2.5, 1)[0]),
             (lambda x: tf.cos(x) - x, random_points(0.2, 1.2, 1)[0]),
             (_tangent_f, random_points(1.0, 1.6, 1)[0])]
    for g, x in tests:
        result, problem = call_attempt(fn, g, f32(x), what="newton_step")
        if problem is not None:
            return problem
        y, slope = (float(v) for v in derivative(g, tf.constant(x, tf.float64)))
        feedback = check_value(result, x - y / slope, f"newton_step from x = {x:g}", rtol=1e-4,
                               atol=1e-5, hints=[
            (x + y / slope, "the step goes the other way: x − g(x)/g′(x), a minus where you have a plus"),
            *([(x - slope / y, "the ratio is upside down: Newton's step divides the value by the slope, "
                               "x − g(x)/g′(x), not the slope by the value")] if y != 0 else []),
        ])
        if not feedback:
            return feedback
    return correct("newton_step follows the tangent to its zero: x − g(x)/g′(x).")


def _newton_on_f_prime(x: float) -> float:
    for _ in range(30):
        x -= float(nth_derivative(_tangent_f, tf.constant(x, tf.float64), 1)) / float(
            nth_derivative(_tangent_f, tf.constant(x, tf.float64), 2))
    return x


def _make_ex04_3() -> Callable[[object], Feedback]:
    found: list[float] = []  # f's flat points, found once (outside any student's time)

    def check(answer: object) -> Feedback:
        if not found:  # Newton on f′ from the crests and troughs of the plot; the one near 4 first
            found.extend(_newton_on_f_prime(start) for start in (4.0, 0.6, 2.3, 5.5))
        crest, others = found[0], found[1:]
        # "To three decimals": within 5e-4 of the crest, so 3.8945..3.8954 pass.
        feedback = check_value(answer, crest, "x where f′(x) = 0", rtol=0, atol=5e-4)
        if feedback.status != "wrong" or np.size(answer) != 1 or isinstance(answer, (str, bytes)):
            return feedback
        try:
            value = float(np.asarray(answer, dtype=float).ravel()[0])
        except (TypeError, ValueError):
            return feedback
        if abs(value - 5 * math.pi / 4) < 4e-3:  # 3.927, 3.93: sin(2x)/2's crest, 0.032 from f's
            return wrong(f"{value:g} is 5π/4, where cos(x)·sin(x) = sin(2x)/2 peaks; the factor 1/√x "
                         "falls as x grows and moves f's crest a little to the left. Solve f′(x) = 0 "
                         "for the whole f: Newton's method on f′, or bisection on the sign of f′")
        for x in others:  # a rough reading of another crest or trough
            if abs(value - x) < 0.03:
                return wrong(f"{value:g} is near another flat point of f (x ≈ {x:.3f}, a crest or "
                             "trough): the exercise asks for the one near 4")
        return feedback

    return check


EXERCISES_01_04: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise("01.1", "slope_of_g(x): d/dx (x³ − 2x) with a tape", _ex01_1, TAPE),
        Exercise("01.2", "h(x) = sin(x²) and its derivative by the chain rule, by hand", _ex01_2, BY_HAND),
        Exercise("01.3", "a softplus the tape can differentiate", _ex01_3),
        Exercise("01.4", "the derivative through a while loop", _ex01_4),
        Exercise("02.1", "d/dx x⁵ at x = 2",
                 lambda a: check_value(a, 5 * 2**4, "d/dx x⁵ at 2",
                                       hints=[(2**5, "that is x⁵ itself; the power rule gives n·xⁿ⁻¹"),
                                              (5 * 2**5, "lower the exponent: 5·x⁴, not 5·x⁵"),
                                              (5 * 2**3, "lower the exponent by one only: 5·x⁴, not 5·x³"),
                                              (4 * 2**5, "the exponent drops by one: n·x^(n−1), not n·xⁿ"),
                                              (2**4, "bring the exponent down as a factor: n·xⁿ⁻¹ = 5·x⁴, "
                                                     "not just x⁴")])),
        Exercise("02.2", "d/dx (2x + 1)⁻² at x = 1, predicted", _ex02_2),
        Exercise("02.3", "third_derivative(f, x) from three tape gradients", _ex02_3,
                 Rules(tape=True, tape_calls=3, helpers=False)),
        Exercise("03.1", "∇(x²·y) at (3, 2), predicted",
                 lambda a: check_value(a, [2 * 3 * 2, 3**2], "(∂f/∂x, ∂f/∂y)", hints=[
                     ([2 * 3, 3**2], "∂/∂x (x²·y) = 2x·y: y stays as a factor, so 2·3·2 = 12"),
                     ([2 * 3, 2 * 3 * 2], "∂f/∂x = 2xy = 12 and ∂f/∂y = x² = 9"),
                 ])),
        Exercise("03.2", "an f whose gradient is (y, x)", _ex03_2),
        Exercise("03.3", "sin(u)/u, u = x² + y², with a finite gradient at the origin", _ex03_3),
        Exercise("04.1", "tangent_at(x0): the tangent line to cos(x)·sin(x)/√x, with a tape", _ex04_1, TAPE),
        Exercise("04.2", "one step of Newton's method, with a tape", _ex04_2, TAPE),
        Exercise("04.3", "where the tangent is flat near x = 4", _make_ex04_3()),
    ]
}

_integrity.seal(__name__)  # a notebook cell cannot replace what grades it (gradlab._integrity)
