"""Explorers driven from code: set a control, read the drawn artists (numbers, not pictures)."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

import gradlab


def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


def slope_of(line):
    xs, ys = line.get_data()
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


def test_tangent_explorer_follows_the_slider():
    explorer = gradlab.tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=4.1)
    _, start = gradlab.derivative(tangent_f, np.float64(4.1))
    assert explorer.slope == pytest.approx(-0.19582547, abs=1e-6)
    assert f"f'(x0) = {float(start):.6f}" in explorer.summary()
    for x0 in (1.0, 2.5, 5.0):
        explorer.controls["x0"].value = x0
        _, expected = gradlab.derivative(tangent_f, x0)
        assert slope_of(explorer.artists["tangent"]) == pytest.approx(float(expected), abs=1e-5)
        assert explorer.artists["point"].get_data()[0][0] == pytest.approx(x0)
        assert f"{x0:.3f}" in explorer.readout.value


def test_moving_the_slider_changes_the_picture_and_leaks_no_figures():
    figures_before = plt.get_fignums()
    explorer = gradlab.tangent_explorer(lambda x: x**2, (-2, 2), x0=0.0)
    first = explorer.image.value
    explorer.controls["x0"].value = 1.5
    assert explorer.image.value != first
    for v in np.linspace(-2, 2, 15):
        explorer.controls["x0"].value = float(v)
    assert plt.get_fignums() == figures_before  # explorers never register with pyplot


def test_undefined_point_shows_a_message_not_a_traceback():
    explorer = gradlab.tangent_explorer(lambda x: 1 / x, (-1, 1), x0=0.5)
    explorer.controls["x0"].value = 0.0
    assert "undefined" in explorer.readout.value
    assert explorer.image.value  # still a picture


def test_mimebundle_has_a_static_png_and_a_stable_text():
    explorer = gradlab.tangent_explorer(lambda x: x**2, (-2, 2), x0=1.0)
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/png", "application/vnd.jupyter.widget-view+json"}
    assert bundle["text/plain"] == "tangent_explorer: x0 = 1.000, f(x0) = 1.000000, f'(x0) = 2.000000"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_gradient_explorer_arrow_and_plane_follow_the_point():
    f = lambda x, y: x**2 + 3 * y**2  # noqa: E731
    explorer = gradlab.gradient_explorer(f, (-1, 1), (-1, 1), point=(0.5, 0.0))
    explorer.controls["x0"].value = 0.25
    explorer.controls["y0"].value = -0.5
    assert (explorer.dz_dx, explorer.dz_dy) == (pytest.approx(0.5), pytest.approx(-3.0))
    arrow = explorer.artists["arrow"]
    (x0, y0), (x1, y1) = arrow._posA_posB
    assert (x0, y0) == (pytest.approx(0.25), pytest.approx(-0.5))
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-3.0 / 0.5)  # arrow along the gradient
    assert arrow.axes.get_aspect() == 1.0  # equal units: the arrow meets contours at 90°
    verts = np.asarray(explorer.fields["plane"])  # 3-D corners of the tangent plane
    z_expected = explorer.z + 0.5 * (verts[:, 0] - 0.25) - 3.0 * (verts[:, 1] + 0.5)
    np.testing.assert_allclose(verts[:, 2], z_expected, atol=1e-9)


def test_gradient_explorer_on_the_gap_of_x_over_y():
    explorer = gradlab.gradient_explorer(lambda x, y: tf.cos(x) * tf.sin(y) + x / y, (-1, 1), (-1, 1),
                                         point=(0.5, 0.5), n=21)
    explorer.controls["y0"].value = 0.0
    assert "undefined" in explorer.readout.value


def test_power_rule_explorer_compares_tape_and_rule():
    explorer = gradlab.power_rule_explorer(n=3, x=2.0)
    assert (explorer.tape_slope, explorer.rule_slope) == (pytest.approx(12.0), pytest.approx(12.0))
    explorer.controls["n"].value = -2
    explorer.controls["x"].value = 1.5
    assert explorer.tape_slope == pytest.approx(-2 * 1.5**-3, rel=1e-6)
    assert explorer.rule_slope == pytest.approx(-2 * 1.5**-3)
    assert explorer.artists["title"].get_text() == "d/dx x⁻² = -2·x⁻³"
    xs, ys = explorer.artists["curve"].get_data()  # the curve is x⁻² now
    finite = np.isfinite(ys)
    np.testing.assert_allclose(ys[finite], xs[finite] ** -2.0)
    explorer.controls["x"].value = 0.0
    assert "undefined" in explorer.readout.value


def test_power_rule_explorer_slider_ends():
    explorer = gradlab.power_rule_explorer()
    n_slider, x_slider = explorer.controls["n"], explorer.controls["x"]
    for n in (n_slider.min, n_slider.max):
        for x in (x_slider.min, x_slider.max):
            n_slider.value, x_slider.value = n, x
            assert explorer.tape_slope == pytest.approx(n * x ** (n - 1), rel=1e-5)


def test_descent_explorer_redraws_the_path_and_reports_divergence():
    q = lambda x, y: x**2 + 10 * y**2  # noqa: E731
    explorer = gradlab.descent_explorer(q, start=(0.5, 0.5), steps=20, learning_rate=0.01)
    path, loss = explorer.artists["path"], explorer.artists["loss"]
    xs, ys = path.get_data()
    assert len(xs) == 21
    rate = nearest_rate(explorer, 0.09)
    explorer.controls["lr"].value = rate
    expected = gradlab.descend(q, (0.5, 0.5), "sgd", rate, 20)
    np.testing.assert_allclose(np.column_stack(path.get_data()), expected.points)
    np.testing.assert_allclose(loss.get_data()[1], expected.losses)
    explorer.controls["steps"].value = 300
    explorer.controls["lr"].value = nearest_rate(explorer, 3.0)
    assert "Diverged" in explorer.readout.value
    assert np.all(np.isfinite(path.get_data()[0]))
    explorer.controls["method"].value = "adam"
    explorer.controls["lr"].value = nearest_rate(explorer, 0.05)
    assert "adam" in explorer.readout.value


def nearest_rate(explorer, rate: float) -> float:
    """The kernel's learning-rate slider takes the browser's grid of rates: the one nearest ``rate``."""
    rates = np.array([value for _, value in explorer.controls["lr"].options])
    return float(rates[np.argmin(np.abs(np.log(rates / rate)))])


def test_descent_explorer_rejects_an_unknown_optimiser():
    with pytest.raises(ValueError, match="method must be one of"):
        gradlab.descent_explorer(lambda x, y: x * y, method="lbfgs")


def test_encode_png_is_a_lossless_standard_png():
    import io

    from PIL import Image

    from gradlab.widgets.base import encode_png

    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_png(rgba)))
    assert decoded.format == "PNG" and decoded.mode == "RGBA" and decoded.size == (11, 7)
    np.testing.assert_array_equal(np.asarray(decoded), rgba)
    rgb = Image.open(io.BytesIO(encode_png(rgba[..., :3])))  # the frames: opaque, RGB
    assert rgb.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(rgb), rgba[..., :3])


@pytest.mark.parametrize("make", [
    lambda: gradlab.tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=4.1),
    lambda: gradlab.gradient_explorer(lambda x, y: tf.cos(x) * tf.sin(y) + x / y, (-1, 1), (-1, 1), n=21),
    lambda: gradlab.descent_explorer(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5, steps=30),
], ids=["tangent", "gradient", "descent"])
def test_every_slider_driven_to_both_ends_gives_a_picture_and_a_readout(make):
    explorer = make()
    for name, control in explorer.controls.items():
        if isinstance(control, widgets.Dropdown):
            continue
        ends = (control.min, control.max) if hasattr(control, "min") else (
            control.options[0][1], control.options[-1][1])  # the learning rate's SelectionSlider
        for end in ends:
            control.value = end
            assert explorer.readout.value, f"{name} = {end}: empty readout"
            assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_tangent_explorer_draws_no_slope_where_f_is_undefined():
    # TensorFlow's gradient of log at x < 0 is 1/x, a number, while log itself is NaN.
    explorer = gradlab.tangent_explorer(tf.math.log, (-2, 5), x0=1.0)
    xs, slopes = explorer.panels["ax"].get_lines()[1].get_data()  # f′, drawn once
    slopes = np.ma.filled(np.ma.asarray(slopes, dtype=float), np.nan)
    assert np.isnan(slopes[np.asarray(xs) < 0]).all() and np.isfinite(slopes[np.asarray(xs) > 0.01]).all()
    explorer.controls["x0"].value = -1.0
    assert "undefined" in explorer.readout.value
    assert not explorer.artists["slope_point"].get_visible()  # no f'(x0) dot either
    assert not explorer.artists["tangent"].get_visible()
    with pytest.raises(ValueError, match="not finite anywhere on x_range = \\(-3, -1\\)"):
        gradlab.tangent_explorer(tf.math.log, (-3, -1))


@pytest.mark.parametrize("f, x_range", [(lambda x: 1 / x, (-1, 1)), (tf.tan, (-3, 3))])
def test_tangent_explorer_fits_typical_values_near_a_pole_and_says_so(f, x_range):
    explorer = gradlab.tangent_explorer(f, x_range, x0=0.5)
    low, high = explorer.panels["ax"].get_ylim()
    assert 5 < high - low < 200  # 1/x reaches -1.6e5, tan 2.5e6: every curve was a flat line
    assert note_of(explorer).startswith("y-axis cut to typical values")
    quiet = gradlab.tangent_explorer(lambda x: x**2, (-3, 3))
    assert note_of(quiet) == "" and quiet.panels["ax"].get_ylim()[1] >= 9  # nothing cut


def note_of(explorer) -> str:
    """The note that says the y-axis is cut ("" when there is none)."""
    from gradlab.accessibility import NOTE_GID

    return "".join(t.get_text() for t in explorer.panels["ax"].texts if t.get_gid() == NOTE_GID)


def test_tangent_explorer_refuses_a_huge_n_before_allocating():
    with pytest.raises(ValueError, match="above the limit of 100,000"):
        gradlab.tangent_explorer(tf.sin, (0, 6), n=2_000_000_000)


def test_power_rule_explorer_fits_a_range_away_from_zero():
    # The fixed ±20 window left nothing to show here: "Axis limits cannot be NaN or Inf".
    explorer = gradlab.power_rule_explorer(n=3, x=7.0, x_range=(5, 10))
    low, high = explorer.panels["ax"].get_ylim()
    assert low <= 125 and high >= 1000
    assert explorer.tape_slope == pytest.approx(147.0)
    assert "undefined" not in explorer.readout.value
    assert explorer.artists["point"].get_visible() and not explorer.artists["point_off"].get_visible()
    explorer.controls["n"].value = -3  # the axes stay (as in the browser): 7⁻³ is below them
    assert explorer.panels["ax"].get_ylim() == (low, high)
    assert explorer.artists["point_off"].get_visible() and not explorer.artists["point"].get_visible()
    edge = explorer.artists["point_off"].get_data()[1][0]
    assert low < edge < low + 0.1 * (high - low)  # a hollow dot on the bottom edge
    assert explorer.tape_slope == pytest.approx(-3 * 7.0**-4)


def test_descent_explorer_refuses_a_huge_max_steps():
    with pytest.raises(ValueError, match="max_steps .* above the limit of 10,000"):
        gradlab.descent_explorer(lambda x, y: x**2 + y**2, max_steps=10**9)


def test_kernel_curves_are_broken_at_a_pole_not_joined_through_the_plot():
    # (f' = -1/x² stays below the plot on both sides: that segment is never visible.)
    explorer = gradlab.tangent_explorer(lambda x: 1 / x, (-1, 1), x0=0.5)
    xs, ys = (np.asarray(v, dtype=float) for v in explorer.panels["ax"].get_lines()[0].get_data())
    left, right = int(np.flatnonzero(xs < 0)[-1]), int(np.flatnonzero(xs > 0)[0])
    assert right - left == 2 and np.isnan(ys[left + 1])


def test_power_rule_explorers_refuse_a_range_where_xn_overflows():
    for build in (gradlab.power_rule_explorer, gradlab.browser_power_rule_explorer):
        with pytest.raises(ValueError, match="x\\^3 is not a finite number anywhere .* nearer 0"):
            build(n=3, x=1e300, x_range=(1e299, 1e301))


def test_cells_without_a_cell_id_keep_only_a_few_explorers_alive(monkeypatch):
    # Classic Notebook and VS Code send no cellId: an edited cell compiles under a new file
    # name, so "the same cell" cannot be known. 42 edits kept 41 explorers (+121 MB) alive.
    from gradlab.widgets import base

    monkeypatch.setattr(base, "_UNNAMED", [])
    runs = iter(range(1000))
    monkeypatch.setattr(base, "_cell_key", lambda: (("file", f"<ipython-input-{next(runs)}>"), 0))
    built = [gradlab.power_rule_explorer(steps=20) for _ in range(base.MAX_UNNAMED_LIVE + 4)]
    assert [e.closed for e in built] == [True] * 4 + [False] * base.MAX_UNNAMED_LIVE
    assert all(e.figure.axes == [] for e in built[:4])  # their figures are released
    # With a cellId (JupyterLab, Notebook 7), no cap: each cell's explorers live until it re-runs.
    monkeypatch.setattr(base, "_cell_key", lambda: (f"cell-{next(runs)}", 0))
    named = [gradlab.power_rule_explorer(steps=20) for _ in range(base.MAX_UNNAMED_LIVE + 2)]
    assert not any(e.closed for e in named)


def test_a_cached_still_layer_draws_the_same_frame_as_drawing_everything():
    # While only x moves, the power rule's curve and title are cached with the background.
    explorer = gradlab.power_rule_explorer(n=3, x=2.0)
    for n, x in ((3, 1.0), (3, -1.5), (-2, -1.5), (-2, 2.5), (-2, 0.5)):
        explorer.controls["n"].value, explorer.controls["x"].value = n, x
        cached = explorer.blit.render().copy()
        assert explorer.blit.still or (n, x) == (-2, -1.5)  # the move of n redraws the curve
        explorer.blit.still = []
        np.testing.assert_array_equal(explorer.blit.render(), cached)
