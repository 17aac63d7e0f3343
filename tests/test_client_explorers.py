"""Browser explorers: the payload's numbers are the tape's, the drawn SVG matches them, sizes fit."""

import base64
import re

import numpy as np
import pytest
import tensorflow as tf

import gradlab
from gradlab.widgets.client import ClientExplorer


def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def saddle(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


@pytest.fixture(scope="module")
def tangent():
    return gradlab.browser_tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=4.1)


@pytest.fixture(scope="module")
def gradient():
    return gradlab.browser_gradient_explorer(saddle, point=(0.25, -0.5))


@pytest.fixture(scope="module")
def power():
    return gradlab.browser_power_rule_explorer(n=3, x=2.0)


def inverse_map(explorer: ClientExplorer, key: str):
    a, b, c, d = map(float, re.search(rf"data-map-{key}='([^']+)'", explorer.html).group(1).split(","))
    return lambda px, py: ((px - a) / b, (py - c) / d)


def test_tangent_payload_is_the_tapes_derivative_at_sampled_slider_positions(tangent):
    xs, ys, slopes = tangent.array("x0"), tangent.array("y"), tangent.array("slope")
    assert len(xs) == 401 and xs[0] == pytest.approx(0.05) and xs[-1] == pytest.approx(2 * np.pi)
    for k in (0, 57, 200, 333, 400):
        y, dy = gradlab.derivative(tangent_f, float(xs[k]))
        assert ys[k] == pytest.approx(float(y), rel=1e-5, abs=1e-6)
        assert slopes[k] == pytest.approx(float(dy), rel=1e-5, abs=1e-6)


def test_tangent_starts_exactly_at_x0_and_draws_that_slope(tangent):
    start = int(re.search(r"name='x0' min='0' max='400' step='1' value='(\d+)'", tangent.html).group(1))
    assert tangent.array("x0")[start] == pytest.approx(4.1)
    _, expected = gradlab.derivative(tangent_f, 4.1)
    assert tangent.array("slope")[start] == pytest.approx(float(expected), abs=1e-6)
    shown = f"{tangent.array('slope')[start]:.6f}"
    assert f"f'(x0) = {shown}" in repr(tangent)
    # The default state's SVG line, mapped back to data coordinates, has the tape's slope.
    line = re.search(r"<line class='tangent'[^>]*>", tangent.html).group(0)
    x1, y1, x2, y2 = (float(re.search(rf" {k}='([-0-9.]+)'", line).group(1)) for k in ("x1", "y1", "x2", "y2"))
    to_data = inverse_map(tangent, "ax")
    (u1, v1), (u2, v2) = to_data(x1, y1), to_data(x2, y2)
    assert (v2 - v1) / (u2 - u1) == pytest.approx(float(expected), rel=2e-3)
    assert shown in tangent.html.split("<output", 1)[1]


def test_gradient_payload_is_the_tapes_partials(gradient):
    xs, ys = gradient.array("x0"), gradient.array("y0")
    z, zx, zy = (gradient.array(k, full=True) for k in ("z", "zx", "zy"))
    assert z.shape == (31, 31)
    for i, j in ((0, 0), (7, 22), (15, 7), (30, 30)):
        expected = gradlab.partials(saddle, float(xs[i]), float(ys[j]))
        assert [z[i, j], zx[i, j], zy[i, j]] == pytest.approx([float(e) for e in expected], rel=1e-5, abs=1e-6)
    # The arrow, mapped from pixels back to data, points along the gradient from (x0, y0).
    to_data = inverse_map(gradient, "flat")
    i, j = 7, 22
    start = to_data(gradient.array("point-cx")[i], gradient.array("point-cy")[j])
    tip = to_data(gradient.array("arrow-x2", full=True)[i, j], gradient.array("arrow-y2", full=True)[i, j])
    assert start == pytest.approx((xs[i], ys[j]), abs=0.01)
    angle = np.arctan2(tip[1] - start[1], tip[0] - start[0])
    assert angle == pytest.approx(np.arctan2(zy[i, j], zx[i, j]), abs=0.02)
    # the tangent plane: a rectangle, or one with a corner or two cut off by the box's floor or top
    assert all(3 <= len(p.split()) <= 6 for p in gradient.array("plane-points").ravel())


def test_gradient_arrow_is_at_its_true_angle_on_screen(gradient):
    # Equal units on both axes: the arrow crosses the contours at the right angle the
    # notebook promises (with x 224 px a unit and y 163 px, it visibly did not).
    zx, zy = gradient.array("zx", full=True), gradient.array("zy", full=True)
    for i, j in ((7, 22), (25, 3)):
        dx = gradient.array("arrow-x2", full=True)[i, j] - gradient.array("point-cx")[i]
        dy = gradient.array("point-cy")[j] - gradient.array("arrow-y2", full=True)[i, j]  # SVG y grows downwards
        assert np.arctan2(dy, dx) == pytest.approx(np.arctan2(zy[i, j], zx[i, j]), abs=0.02)


def test_power_rule_payload_matches_tape_and_rule(power):
    ns, xs = power.array("n"), power.array("x")
    tape, rule = power.array("tape"), power.array("rule")
    assert list(ns) == list(range(-3, 7))
    for i, k in ((0, 10), (4, 200), (6, 133), (9, 0)):
        n, x = int(ns[i]), float(xs[k])
        _, expected = gradlab.derivative(lambda t, n=n: t ** n, x)
        assert tape[i, k] == pytest.approx(float(expected), rel=1e-5, abs=1e-6)
        assert rule[i, k] == pytest.approx(n * x ** (n - 1) if n else 0.0, rel=1e-5, abs=1e-6)
    # x = 0 with a negative power: undefined, stored as null (NaN here), not a number
    zero = int(np.argmin(np.abs(xs)))
    assert xs[zero] == 0.0 and not np.isfinite(tape[0, zero])


def test_bundle_has_html_a_default_png_with_alt_text_and_no_widget_view(tangent):
    data, metadata = tangent._repr_mimebundle_()
    assert set(data) == {"text/plain", "text/html", "image/png"}
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "tangent line" in metadata["image/png"]["alt"]
    html = data["text/html"]
    # accessible names: the SVG is an image titled by the alt text; each slider has a label
    assert re.search(r"<svg[^>]+role='img'[^>]+aria-labelledby='([^']+)'", html)
    for name in re.findall(r"<input type='range' id='([^']+)'", html):
        assert f"<label for='{name}'>" in html
    assert "aria-live='polite'" in html


@pytest.mark.parametrize("name, budget", [("tangent", 100_000), ("power", 200_000), ("gradient", 400_000)])
def test_payloads_fit_their_budgets(request, name, budget):
    explorer = request.getfixturevalue(name)
    print(f"{name}: {explorer.payload_bytes / 1000:.1f} kB HTML, {len(explorer.png) / 1000:.1f} kB PNG")
    assert explorer.payload_bytes + len(explorer.png) * 4 / 3 < budget


def test_kernel_fallback_builds_the_ipywidgets_explorer_with_the_same_arguments(tangent):
    kernel = tangent.kernel()
    assert kernel.controls["x0"].value == pytest.approx(4.1)
    _, expected = gradlab.derivative(tangent_f, 4.1)
    assert kernel.slope == pytest.approx(float(expected), abs=1e-6)


def test_descent_payload_ends_where_gradlab_descend_ends():
    explorer = gradlab.browser_descent_explorer(saddle, start=(0.25, -0.5), steps=40)
    methods, rates = list(explorer.array("method")), explorer.array("lr")
    assert methods == ["sgd", "momentum", "rmsprop", "adam"]
    assert rates[0] == pytest.approx(1e-4) and rates[-1] == pytest.approx(10**0.5)
    for i, k in ((0, 0), (1, 8), (2, 10), (3, 12), (0, 12)):
        path = gradlab.descend(saddle, (0.25, -0.5), methods[i], float(rates[k]), 40)
        end = (explorer.array("xend")[i, k], explorer.array("yend")[i, k])
        assert end == pytest.approx(tuple(path.points[-1]), abs=1e-5)
        # one unbroken line (it stays inside the axes); repeated pixels are written once
        assert explorer.array("path-d")[i, k].count("M") == 1
    # the path's last point, mapped back to data, is the path's end
    to_data = inverse_map(explorer, "flat")
    last = explorer.array("path-d")[0, 8].split()[-1].lstrip("ML").split(",")
    assert to_data(float(last[0]), float(last[1])) == pytest.approx(
        (explorer.array("xend")[0, 8], explorer.array("yend")[0, 8]), abs=0.01)


def test_a_diverging_learning_rate_stops_the_path_and_says_so():
    explorer = gradlab.browser_descent_explorer(lambda x, y: x**4 + y**4, start=(0.9, 0.9), steps=30)
    messages = explorer.array("message")
    assert "Diverged" in messages[0, -1] and "smaller learning rate" in messages[0, -1]
    assert len(explorer.array("path-d")[0, -1].split()) < 31
    assert "Diverged" not in messages[0, 0]


def test_bad_arguments_say_what_to_fix():
    with pytest.raises(ValueError, match="n_range"):
        gradlab.browser_power_rule_explorer(n=9, n_range=(-3, 6))
    with pytest.raises(ValueError, match="method must be one of"):
        gradlab.browser_descent_explorer(saddle, method="lbfgs")
    with pytest.raises(ValueError, match="x_range"):
        gradlab.browser_tangent_explorer(tangent_f, (2.0, 1.0))


@pytest.mark.parametrize("x0", [2 * np.pi, 4.1, 1.0])
def test_tangent_readout_writes_the_intercept_as_a_term_and_no_negative_zero(x0):
    # at x0 = 2π, f(x0) = cos·sin/√x rounds to zero from below: "-0.000000" and "+ -0.0000" before
    explorer = gradlab.browser_tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=x0, steps=40)
    readout = re.search(r"<output[^>]*>(.*?)</output>", explorer.html, re.S).group(1)
    assert not re.search(r"-0\.0+(?!\d*[1-9])", readout), readout
    assert "+ -" not in readout and "+ −" not in readout
    y0 = float(tangent_f(tf.constant(x0, tf.float64)))
    term = re.search(r"\)\s*([+−])\s*(\d+\.\d{4})", readout)
    assert term, readout
    if abs(y0) >= 5e-5:
        assert term.group(1) == ("−" if y0 < 0 else "+")
        assert float(term.group(2)) == pytest.approx(abs(y0), abs=1e-4)


def test_readout_formats_in_the_browser_like_the_kernel():
    from gradlab.widgets.readout import fixed, signed_term

    assert fixed(-1e-9, 6) == "0.000000" and fixed(-0.5, 2) == "-0.50"
    assert signed_term(-0.25, 4) == " − 0.2500" and signed_term(-1e-9, 2) == " + 0.00"
    assert signed_term(0.25, 2) == " + 0.25"


def test_power_rule_point_is_always_shown_inside_the_axes(power):
    # x = 2, n = 6 is 64, off the plot's y range: a hollow dot on the edge stands in for it
    ys, py, ey, px = power.array("y"), power.array("point-cy"), power.array("point_off-cy"), power.array("point-cx")
    x0, y0, w, h = map(float, re.search(r"<clipPath id='[^']*-clip-ax'><rect x='([^']+)' y='([^']+)' "
                                        r"width='([^']+)' height='([^']+)'", power.html).groups())
    finite = np.isfinite(ys)
    assert (~finite).any() and (np.abs(ys[finite]) > 40).any()  # the grid has both kinds
    placed = np.isfinite(py) | np.isfinite(ey)
    assert (placed == finite).all()
    assert not (np.isfinite(py) & np.isfinite(ey)).any()
    cy = np.where(np.isfinite(py), py, ey)[finite]
    assert (cy - 5 >= y0 - 0.5).all() and (cy + 5 <= y0 + h + 0.5).all()  # r = 5: the whole dot
    px = px[np.isfinite(px)]  # (a hidden dot has no place)
    assert px.size and (px - 5 >= x0 - 0.5).all() and (px + 5 <= x0 + w + 0.5).all()
    # the readout gives the value too, on the plot or not (default: n = 3, x = 2)
    assert "x<sup>3</sup> = 8.000" in re.search(r"<output[^>]*>(.*?)</output>", power.html, re.S).group(1)


def test_gradient_arrow_and_dot_stay_inside_the_axes_at_every_slider_position(gradient):
    # at the slider's corners the arrow pointed out of the axes (clipped away), the dot was a quarter
    x0, y0, w, h = map(float, re.search(r"<clipPath id='[^']*-clip-flat'><rect x='([^']+)' y='([^']+)' "
                                        r"width='([^']+)' height='([^']+)'", gradient.html).groups())
    px, py = gradient.array("point-cx")[:, None], gradient.array("point-cy")[None, :]
    tx, ty = gradient.array("arrow-x2", full=True), gradient.array("arrow-y2", full=True)
    zx, zy = gradient.array("zx", full=True), gradient.array("zy", full=True)
    assert np.isfinite(tx).all()
    for x, y in ((tx, ty), (px - 5, py - 5), (px + 5, py + 5)):
        assert (np.asarray(x) >= x0 - 0.5).all() and (np.asarray(x) <= x0 + w + 0.5).all()
        assert (np.asarray(y) >= y0 - 0.5).all() and (np.asarray(y) <= y0 + h + 0.5).all()
    # still the gradient's direction everywhere (screen y points down)
    angle = np.arctan2(-(ty - py), tx - px)
    moving = np.hypot(tx - px, ty - py) > 3
    assert moving.mean() > 0.9
    assert np.allclose(np.cos(angle - np.arctan2(zy, zx))[moving], 1.0, atol=2e-3)


@pytest.mark.parametrize("build, limit", [
    (lambda: gradlab.browser_tangent_explorer(tf.sin, (0, 6), steps=200_000), "limit of 10,000"),
    (lambda: gradlab.browser_tangent_explorer(tf.sin, (0, 6), n=2_000_000_000), "limit of 100,000"),
    (lambda: gradlab.browser_descent_explorer(saddle, steps=20000), "limit of 100,000: .* steps ≤ 1314"),
    (lambda: gradlab.browser_descent_explorer(saddle, rates_per_decade=10**6), "limit of 100"),
    (lambda: gradlab.browser_gradient_explorer(saddle, steps=1000), "limit of 10,201: use steps ≤ 100"),
    (lambda: gradlab.browser_power_rule_explorer(n_range=(-300, 300), steps=200), "limit of 50,000"),
])
def test_sizes_are_refused_before_anything_is_computed_with_the_limit_named(build, limit, monkeypatch):
    def no_tape(*_args, **_kwargs):
        raise AssertionError("computed before the size check")

    from gradlab.widgets import descent, gradient, power, tangent

    for module in (tangent, power, gradient, descent):
        for name in ("derivative", "partials", "batched_paths", "descend", "compiled_derivative"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, no_tape)
    with pytest.raises(ValueError, match=limit):
        build()


@pytest.fixture(scope="module")
def every_browser_form(tangent, gradient, power):
    import matplotlib.pyplot as plt

    descent = gradlab.browser_descent_explorer(saddle, start=(0.25, -0.5), steps=30)
    fig, ax = plt.subplots()
    player = gradlab.path_player(ax, {"sgd": np.array([[0.0, 0.0], [0.5, 0.25], [1.0, 1.0]])})
    return {"tangent": tangent, "gradient": gradient, "power": power, "descent": descent, "player": player}


def test_the_page_before_any_script_runs_shows_no_template(every_browser_form):
    # 02's title read "d/dx x^{n} = {n}·x^{nm1}" until a slider moved: every text the script
    # fills later is written filled for the default state (GitHub and print see only that).
    for name, explorer in every_browser_form.items():
        static = re.sub(r"<script>.*?</script>", "", explorer.html, flags=re.S)
        assert not re.findall(r"\{\w+(?::\+?\d+)?\}", static), name
        assert "<" not in explorer.text and "&nbsp;" not in explorer.text, name  # text/plain is plain


def test_the_first_readout_is_what_the_script_shows_at_that_position(every_browser_form):
    # 03 read |∇f| = 0.738242 on load and 0.738243 after moving away and back: the page's own
    # first state must come from the numbers the script reads (rounded as sent), not finer ones.
    from gradlab.widgets.readout import fill_template

    for name, explorer in every_browser_form.items():
        spec = explorer.spec
        start = [int(re.search(rf"name='{s['name']}'[^>]*value='(\d+)'", explorer.html).group(1))
                 for s in spec["sliders"]]
        values = {}
        for key, entry in spec["arrays"].items():
            k = 0
            for d in entry["dims"]:
                k = k * spec["sliders"][d]["n"] + start[d]
            values[key] = np.nan if entry["v"][k] is None else entry["v"][k]
        bad: list = []
        text = fill_template(spec["readout"], values, bad)
        expected = fill_template(spec["undefined"], values) if bad else text
        shown = re.search(r"<output[^>]*>(.*?)</output>", explorer.html, flags=re.S).group(1)
        assert shown == expected, name
