"""Every slider position of every browser explorer: the SVG drawn, read back to numbers, is the readout.

Each test inverts the data → pixel map the explorer writes into its SVG (``data-map-KEY``)
and compares what is drawn (tangent ends, dots, arrows, path and loss vertices) with the
numbers the readout shows at that position. A line whose ends leave the axes must be cut as
a line: clamping each end separately drew the power rule's tangent at n = 6, x = 3 through
the bottom of the U.
"""

import re

import numpy as np
import pytest
import tensorflow as tf

import gradlab
from gradlab.widgets.client import ClientExplorer

#: Pixel coordinates are sent with one decimal: a drawn end is within 0.05 px of its place
#: in each direction; allow for the map's six significant digits as well.
PX_TOL = 0.15


def pixel_map(explorer: ClientExplorer, key: str):
    """(data → pixel, pixel → data) for the axes ``key``, from the SVG's own attribute."""
    a, b, c, d = map(float, re.search(rf"data-map-{key}='([^']+)'", explorer.html).group(1).split(","))
    return (lambda x, y: (a + b * np.asarray(x), c + d * np.asarray(y)),
            lambda px, py: ((np.asarray(px) - a) / b, (np.asarray(py) - c) / d))


def clip_box(explorer: ClientExplorer, key: str) -> tuple[float, float, float, float]:
    """The axes ``key`` as (left, right, top, bottom) SVG pixels."""
    x, y, w, h = map(float, re.search(rf"<clipPath id='[^']*-clip-{key}'><rect x='([^']+)' y='([^']+)' "
                                      r"width='([^']+)' height='([^']+)'", explorer.html).groups())
    return x, x + w, y, y + h


def view_limits(explorer: ClientExplorer, key: str) -> tuple[float, float]:
    """The axes' y-limits in data units, read back from the clip box and the map."""
    _, to_data = pixel_map(explorer, key)
    left, _, top, bottom = clip_box(explorer, key)
    return tuple(sorted(float(v) for v in (to_data(left, top)[1], to_data(left, bottom)[1])))


def check_tangents(explorer, key, x_lo, x_hi, xs, ys, slopes, lines):
    """Every drawn tangent lies on the readout's line; every hidden one misses the axes."""
    to_px, to_data = pixel_map(explorer, key)
    left, right, top, bottom = clip_box(explorer, key)
    y_lo, y_hi = view_limits(explorer, key)
    x1, y1, x2, y2 = lines
    b, d = to_px(1.0, 1.0)[0] - to_px(0.0, 0.0)[0], to_px(1.0, 1.0)[1] - to_px(0.0, 0.0)[1]
    checked_slopes = 0
    for k in np.ndindex(ys.shape):
        y, slope, x0 = ys[k], slopes[k], xs[k]
        if not (np.isfinite(y) and np.isfinite(slope)):
            assert np.isnan(x1[k]), f"a tangent is drawn where the readout is undefined at {k}"
            continue
        ends = [y + slope * (x_lo - x0), y + slope * (x_hi - x0)]
        if np.isnan(x1[k]):
            # Hidden: then the true segment over [x_lo, x_hi] misses the y-range of the axes.
            assert min(ends) > y_hi - 1e-6 * (y_hi - y_lo) or max(ends) < y_lo + 1e-6 * (y_hi - y_lo), (
                f"tangent at {k} (x0={x0}, y={y}, slope={slope}) crosses the axes but is not drawn")
            continue
        # Drawn: both ends inside the axes box and on the true line (pixel distance).
        for ex, ey in ((x1[k], y1[k]), (x2[k], y2[k])):
            assert left - 0.1 <= ex <= right + 0.1 and top - 0.1 <= ey <= bottom + 0.1
        px0, py0 = to_px(x0, y)
        m = slope * d / b  # the slope in pixels
        for ex, ey in ((x1[k], y1[k]), (x2[k], y2[k])):
            distance = abs(-m * (ex - px0) + (ey - py0)) / np.hypot(m, 1.0)
            assert distance <= PX_TOL, f"tangent end at {k} is {distance:.2f} px off the readout's line"
        # The slope itself, read back in data units, where rounding allows 0.5 %.
        if abs(x2[k] - x1[k]) >= 40 and abs(y2[k] - y1[k]) >= 40:
            (u1, v1), (u2, v2) = to_data(x1[k], y1[k]), to_data(x2[k], y2[k])
            assert (v2 - v1) / (u2 - u1) == pytest.approx(slope, rel=5e-3), f"slope drawn at {k}"
            checked_slopes += 1
    return checked_slopes


def check_dots(explorer, key, xs, values, cx, cy):
    """A dot is where the readout says when that is inside the axes, and off them otherwise."""
    to_px, _ = pixel_map(explorer, key)
    left, right, top, bottom = clip_box(explorer, key)
    for k in np.ndindex(values.shape):
        if not np.isfinite(values[k]):
            assert np.isnan(cy[k]), f"a dot is drawn at {k} where the readout is undefined"
            continue
        px, py = to_px(xs[k], values[k])
        if top <= py <= bottom and np.isfinite(cy[k]):
            assert abs(cx[k] - px) <= PX_TOL and abs(cy[k] - py) <= PX_TOL, f"dot at {k}"
        elif np.isfinite(cy[k]):
            assert not top <= cy[k] <= bottom, f"dot at {k} drawn inside the axes for a value outside"


def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)


TANGENT_CASES = {
    "cos sin / sqrt": (tangent_f, (0.05, 2 * np.pi)),
    "1/x, a pole": (lambda x: 1 / x, (-1.0, 1.0)),
    "tan, poles": (tf.tan, (-3.0, 3.0)),
    "log, undefined for x < 0": (tf.math.log, (-2.0, 5.0)),
    "x³": (lambda x: x**3, (-3.0, 3.0)),
}


@pytest.mark.parametrize("name", TANGENT_CASES)
def test_browser_tangent_draws_the_readout_at_every_slider_position(name):
    f, (low, high) = TANGENT_CASES[name]
    explorer = gradlab.browser_tangent_explorer(f, (low, high), steps=400)
    xs, ys, slopes = explorer.array("x0"), explorer.array("y"), explorer.array("slope")
    lines = [explorer.array(k) for k in ("tangent-x1", "tangent-y1", "tangent-x2", "tangent-y2")]
    checked = check_tangents(explorer, "ax", low, high, xs, ys, slopes, lines)
    assert checked > 20  # the slope comparison ran, not only the distance check
    check_dots(explorer, "ax", xs, ys, explorer.array("point-cx"), explorer.array("point-cy"))
    check_dots(explorer, "ax", xs, slopes, explorer.array("point-cx"), explorer.array("slope_point-cy"))


def test_browser_tangent_shows_no_slope_where_f_is_undefined():
    explorer = gradlab.browser_tangent_explorer(tf.math.log, (-2, 5), steps=70)
    xs, ys, slopes = explorer.array("x0"), explorer.array("y"), explorer.array("slope")
    negative = xs < 0
    assert np.isnan(ys[negative]).all()
    assert np.isnan(slopes[negative]).all() and np.isnan(explorer.array("slope_point-cy")[negative]).all()
    assert np.isfinite(slopes[xs > 0]).all()
    with pytest.raises(ValueError, match="not finite anywhere on x_range = \\(-3, -1\\)"):
        gradlab.browser_tangent_explorer(tf.math.log, (-3, -1))


@pytest.mark.parametrize("f, x_range, reach", [(lambda x: 1 / x, (-1, 1), 1e5), (tf.tan, (-3, 3), 1e6)])
def test_browser_tangent_fits_typical_values_near_poles_and_says_so(f, x_range, reach):
    explorer = gradlab.browser_tangent_explorer(f, x_range, steps=40)
    y_lo, y_hi = view_limits(explorer, "ax")
    assert 5 < y_hi - y_lo < 200  # not flattened by the pole's 1e5 .. 1e6
    assert "cut to typical values" in explorer.alt
    assert f"{reach:.0e}"[-2:] in explorer.alt  # says how far the values reach


@pytest.fixture(scope="module")
def power():
    return gradlab.browser_power_rule_explorer(n=6, x=3.0)


def test_browser_power_rule_draws_the_readout_at_every_slider_position(power):
    ns, xs = power.array("n"), power.array("x")
    X = np.broadcast_to(xs, (len(ns), len(xs)))
    lines = [power.array(k) for k in ("tangent-x1", "tangent-y1", "tangent-x2", "tangent-y2")]
    checked = check_tangents(power, "ax", xs[0], xs[-1], X, power.array("y"), power.array("tape"), lines)
    assert checked > 100


def test_power_rule_tangent_at_n6_x3_crosses_zero_at_two_and_a_half(power):
    # The readout: y = 729, slope 1458; the tangent meets y = 0 at x = 3 - 729/1458 = 2.5.
    ns, xs = list(power.array("n")), power.array("x")
    i, k = ns.index(6), int(np.argmin(np.abs(xs - 3.0)))
    _, to_data = pixel_map(power, "ax")
    (u1, v1), (u2, v2) = (to_data(power.array(a)[i, k], power.array(b)[i, k]) for a, b in
                          (("tangent-x1", "tangent-y1"), ("tangent-x2", "tangent-y2")))
    slope = (v2 - v1) / (u2 - u1)
    assert u1 + (0 - v1) / slope == pytest.approx(2.5, abs=0.01)
    assert min(u1, u2) > 2.4  # drawn near x = 3, not near x = 0.1


def test_browser_power_rule_on_a_range_away_from_zero_fits_its_curve():
    explorer = gradlab.browser_power_rule_explorer(n=3, x=7.0, x_range=(5, 10))
    y_lo, y_hi = view_limits(explorer, "ax")
    assert y_lo < 125 and y_hi > 1000  # x³ on (5, 10) is inside the axes
    assert explorer.array("curve-d")[3 + 3] not in ("", "M0,0")  # n = 3 is index 6 of (-3 .. 6)


def test_browser_gradient_arrow_starts_at_the_point_and_follows_the_readout():
    f = lambda x, y: tf.sqrt(x) + y**2  # noqa: E731 - undefined for x < 0
    explorer = gradlab.browser_gradient_explorer(f, (-1, 1), (-1, 1), point=(0.5, 0.0), steps=30)
    to_px, _ = pixel_map(explorer, "flat")
    xs, ys = explorer.array("x0"), explorer.array("y0")
    zx, zy, z = (explorer.array(k, full=True) for k in ("zx", "zy", "z"))
    px, py = explorer.array("point-cx"), explorer.array("point-cy")
    tx, ty = explorer.array("arrow-x2", full=True), explorer.array("arrow-y2", full=True)
    for i, j in np.ndindex(z.shape):
        assert abs(px[i] - to_px(xs[i], 0)[0]) <= PX_TOL and abs(py[j] - to_px(0, ys[j])[1]) <= PX_TOL
        defined = np.isfinite(z[i, j]) and np.isfinite(zx[i, j]) and np.isfinite(zy[i, j])
        assert np.isfinite(tx[i, j]) == defined, f"arrow drawn at {(i, j)} where f is undefined"
        if defined and np.hypot(tx[i, j] - px[i], ty[i, j] - py[j]) > 3:
            angle = np.arctan2(-(ty[i, j] - py[j]), tx[i, j] - px[i])
            assert np.cos(angle - np.arctan2(zy[i, j], zx[i, j])) == pytest.approx(1.0, abs=2e-3)


def path_vertices(d: str) -> list[np.ndarray]:
    """SVG path data → list of (n, 2) pixel arrays, one per ``M`` sub-path."""
    parts = []
    for piece in re.findall(r"M[^M]*", d):
        parts.append(np.array([[float(v) for v in p.split(",")] for p in re.findall(r"[-0-9.]+,[-0-9.]+", piece)]))
    return parts


def distance_to_polyline(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Pixel distance of each point to the polyline ``line`` (both (n, 2))."""
    a, b = line[:-1][None], line[1:][None]
    p = points[:, None]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
    nearest = a + t[..., None] * ab
    return np.sqrt(((p - nearest) ** 2).sum(-1)).min(axis=1)


def quadratic(x, y):
    return (x - 3) ** 2 + y**2


@pytest.fixture(scope="module")
def descent():
    return gradlab.browser_descent_explorer(quadratic, start=(0, 0.5), learning_rate=0.1, steps=40)


def test_descent_loss_panel_shows_every_loss_point_of_the_issue_example():
    explorer = gradlab.browser_descent_explorer(quadratic, start=(0, 0.5), learning_rate=0.1)
    k = int(np.argmin(np.abs(explorer.array("lr") - 0.1)))
    path = gradlab.descend(quadratic, (0, 0.5), "sgd", 0.1, 120)
    y_lo, y_hi = view_limits(explorer, "loss")
    assert (path.losses >= y_lo).all() and (path.losses <= y_hi).all()  # 118 of 121 were outside
    drawn = path_vertices(explorer.array("loss-d")[0, k])
    assert len(drawn) == 1  # one unbroken line: nothing left the panel


def test_browser_descent_draws_the_paths_and_losses_it_reports_at_every_position(descent):
    methods, rates = list(descent.array("method")), descent.array("lr")
    to_flat, _ = pixel_map(descent, "flat")
    to_loss, _ = pixel_map(descent, "loss")
    y_lo, y_hi = view_limits(descent, "loss")
    left, right, top, bottom = clip_box(descent, "flat")
    end_x, end_y = descent.array("end-cx", full=True), descent.array("end-cy", full=True)
    for i, k in np.ndindex(len(methods), len(rates)):
        path = gradlab.descend(quadratic, (0, 0.5), methods[i], float(rates[k]), 40)
        message = descent.array("message")[i, k]
        # The end dot is the path's end (it is off the axes when the end is).
        ex, ey = to_flat(*path.points[-1])
        if left <= ex <= right and top <= ey <= bottom:
            assert (end_x[i, k], end_y[i, k]) == pytest.approx((ex, ey), abs=PX_TOL)
        else:
            assert not (left <= end_x[i, k] <= right and top <= end_y[i, k] <= bottom)
        # Every drawn vertex of the path and of the loss curve lies on the true polyline.
        true_path = np.column_stack(to_flat(path.points[:, 0], path.points[:, 1]))
        true_loss = np.column_stack(to_loss(np.arange(len(path.losses)), path.losses))
        for d, truth in ((descent.array("path-d")[i, k], true_path), (descent.array("loss-d")[i, k], true_loss)):
            # descend and the explorer's batched loop agree to float32's ~1e-7: a segment between
            # two points 1e7 px apart (a diverging path) may then cross the axes ~1 px apart.
            tolerance = 0.2 + 2e-7 * np.abs(truth).max()
            for part in path_vertices(d):
                assert distance_to_polyline(part, truth).max() <= tolerance, (methods[i], rates[k])
        # A loss beyond the panel is said in the readout; otherwise the whole curve is drawn.
        outside = (path.losses < y_lo) | (path.losses > y_hi)
        assert outside.any() == ("leaves the panel" in message), (methods[i], rates[k], message)
        if not outside.any():
            assert len(path_vertices(descent.array("loss-d")[i, k])) == 1


def test_no_curve_is_joined_across_a_pole(power):
    # 1/x sampled at ±0.0125 is -80 and +80: one straight line joined them through the plot.
    to_px, _ = pixel_map(power, "ax")
    zero_px = float(to_px(0.0, 0.0)[0])
    ns = list(power.array("n"))
    for n in (-3, -2, -1):
        parts = path_vertices(power.array("curve-d")[ns.index(n)])
        assert len(parts) >= 2
        for part in parts:
            assert (part[:, 0] < zero_px).all() or (part[:, 0] > zero_px).all(), f"n = {n} crosses x = 0"


@pytest.mark.parametrize("name", ["cos sin / sqrt", "x³"])
def test_no_tangent_crosses_the_legend_at_any_slider_position(name):
    # Notebook 04: at small x₀ the steep tangent struck through the legend in the upper left.
    from gradlab.view import clip_segments
    from gradlab.widgets.scene import build_figure

    f, (low, high) = TANGENT_CASES[name]
    explorer = gradlab.browser_tangent_explorer(f, (low, high), steps=400)
    fig, panels = build_figure(explorer.description)  # the same figure, laid out the same way
    height = fig.canvas.get_width_height()[1]
    (lx0, ly0), (lx1, ly1) = panels["ax"].get_legend().get_window_extent().get_points()
    legend = (lx0, lx1, height - ly1, height - ly0)  # SVG pixels: y grows downwards
    ends = [explorer.array(k) for k in ("tangent-x1", "tangent-y1", "tangent-x2", "tangent-y2")]
    drawn = np.isfinite(ends[0])
    assert drawn.sum() > 300
    crossing = np.isfinite(clip_segments(*(e[drawn] for e in ends), legend)[0])
    assert not crossing.any(), f"{crossing.sum()} tangents cross the legend"
    # ...and no curve either: the legend sits outside the axes box.
    left, right, top, bottom = clip_box(explorer, "ax")
    assert lx0 >= right or lx1 <= left or legend[3] <= top or legend[2] >= bottom


def _crosses(segments: tuple[np.ndarray, ...], box: tuple[float, float, float, float]) -> np.ndarray:
    from gradlab.view import clip_segments

    return np.isfinite(clip_segments(*segments, box)[0])


@pytest.mark.parametrize("build", [
    lambda: gradlab.browser_power_rule_explorer(n=6, x=3.0),  # 02: n = 6, x = 3 struck through it
    lambda: gradlab.browser_tangent_explorer(lambda x: x**3, (-2, 2), steps=200),
], ids=["power", "tangent"])
def test_nothing_that_moves_crosses_a_legend_at_any_slider_position(build):
    # The class of 04's finding: a legend inside the axes is crossed by whatever moves there.
    # (The gradient and descent explorers have no legend; their panels are titled instead.)
    from gradlab.widgets import scene
    from gradlab.widgets.scene import build_figure

    explorer = build()
    fig, panels = build_figure(explorer.description)  # laid out as the explorer's own figure
    height = fig.canvas.get_width_height()[1]
    checked = 0
    for element in explorer.description.elements:
        legend = panels[element.panel].get_legend()
        if legend is None:
            continue
        (lx0, ly0), (lx1, ly1) = legend.get_window_extent().get_points()
        box = (lx0, lx1, height - ly1, height - ly0)
        if isinstance(element, (scene.Line, scene.Arrow)):
            ends = [explorer.array(f"{element.name}-{k}", full=True) for k in ("x1", "y1", "x2", "y2")]
            drawn = np.isfinite(ends[0])
            crossing = _crosses(tuple(e[drawn] for e in ends), box)
            checked += int(drawn.sum())
        elif isinstance(element, scene.Path):
            crossing = []
            for d in np.ravel(explorer.array(f"{element.name}-d")):
                for part in path_vertices(d or ""):
                    if len(part) > 1:
                        crossing.append(_crosses((part[:-1, 0], part[:-1, 1], part[1:, 0], part[1:, 1]), box).any())
                        checked += 1
        else:
            continue
        assert not np.any(crossing), f"{element.name} crosses the legend at {int(np.sum(crossing))} positions"
    assert checked > 0


@pytest.mark.parametrize("build", [
    lambda: gradlab.browser_tangent_explorer(lambda x: x**3, (-2, 2), steps=40),
    lambda: gradlab.browser_power_rule_explorer(n=2, x=1.0, steps=40),
    lambda: gradlab.browser_gradient_explorer(lambda x, y: (x**2 - y) / 3, point=(0.5, 0.5), steps=8),
], ids=["tangent", "power", "gradient"])
def test_a_dot_at_the_end_of_a_slider_is_whole(build):
    # 04: at Home and End the point sat on the spine, cut to a half circle by the axes' clip.
    from gradlab.widgets import scene

    explorer = build()
    shown = 0
    for element in explorer.description.elements:
        if type(element) is not scene.Dot:
            continue
        left, right, top, bottom = clip_box(explorer, element.panel)
        r = float(re.search(rf"<circle class='{element.name}'[^>]* r='([^']+)'", explorer.html).group(1))
        cx, cy = (explorer.array(f"{element.name}-{k}", full=True) for k in ("cx", "cy"))
        inside = np.isfinite(cx) & (cy - r >= top) & (cy + r <= bottom)  # vertically in view
        assert (cx[inside] - r >= left - 0.05).all() and (cx[inside] + r <= right + 0.05).all(), element.name
        shown += int(inside.sum())
    assert shown > 0


def test_an_arrow_is_drawn_to_one_scale_or_the_readout_says_it_was_shortened():
    # 03: at x₀ = −1 the arrow pointing out of the plot was cut to its head, its length
    # 0.153 per unit of |∇f| against 0.391 elsewhere, and nothing said so.
    explorer = gradlab.browser_gradient_explorer(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5,
                                                 point=(0.25, -0.5), steps=20)
    x1, y1, x2, y2 = (explorer.array(f"arrow-{k}", full=True) for k in ("x1", "y1", "x2", "y2"))
    norm, fit = explorer.array("norm", full=True), explorer.array("fit", full=True)
    drawn = np.isfinite(x2) & (norm > 0.2)  # long enough (> 10 px) for pixels rounded to 0.1
    per_unit = np.hypot(x2 - x1, y2 - y1)[drawn] / norm[drawn]  # pixels per unit of |∇f| (equal axes)
    said = fit[drawn] != ""
    assert said.any() and (~said).any()
    scale = np.median(per_unit[~said])
    assert per_unit[~said] == pytest.approx(np.full((~said).sum(), scale), rel=0.02, abs=0.3)
    assert (per_unit[said] < 0.999 * scale).all()


def test_the_tangent_plane_stays_in_the_surface_box_at_every_position():
    # 03: at the edges the plane, a square round the point, hung out of the 3-D box over the
    # tick labels and under its floor.
    from gradlab.widgets.svg import state_grid

    explorer = gradlab.browser_gradient_explorer(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5,
                                                 point=(0.25, -0.5), steps=12)
    desc = explorer.description
    state, _ = state_grid(desc)
    plane = np.asarray(desc.compute(state)["plane"])
    zlim = build_figure_panels(desc)["solid"].get_zlim()
    shown = np.isfinite(plane).all(axis=(-1, -2))
    assert shown.mean() > 0.9  # cut, not dropped
    corners = plane[shown]
    for axis, (low, high) in enumerate([(-1, 1), (-1, 1), zlim]):
        assert corners[..., axis].min() >= low - 1e-9 and corners[..., axis].max() <= high + 1e-9


def build_figure_panels(desc):
    from gradlab.widgets.scene import build_figure

    return build_figure(desc)[1]
