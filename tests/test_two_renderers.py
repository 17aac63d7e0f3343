"""The kernel and browser renderers draw the same description: same panels, limits, styles and geometry.

Each browser explorer's ``.kernel()`` renders the very description it was built from. At
sampled slider positions the kernel's matplotlib artists, mapped to pixels by the kernel's own
axes, must be where the browser's SVG puts them (within rounding), in the same colour, width
and dashes, and the readouts must read the same.
"""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.colors import to_hex

import gradlab
from gradlab.widgets import scene
from gradlab.widgets.readout import fill_template

PX_TOL = 0.2


def saddle(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5


def player():
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    ax.set(xlim=(-1, 3), ylim=(-1, 3), title="two paths")
    t = np.linspace(0, 1, 25)
    paths = {"sgd": np.column_stack([2 * t, 2 * t ** 2]), "adam": np.column_stack([2 - 3 * t[:15], t[:15]])}
    return gradlab.path_player(ax, paths, legend_outside=True)


BUILDERS = {
    "tangent": lambda: gradlab.browser_tangent_explorer(lambda x: tf.sin(x) * x, (-3, 3), x0=1.0, steps=40),
    "power": lambda: gradlab.browser_power_rule_explorer(n=3, x=2.0, steps=40),
    "gradient": lambda: gradlab.browser_gradient_explorer(saddle, point=(0.25, -0.5), steps=10),
    "descent": lambda: gradlab.browser_descent_explorer(saddle, start=(0.25, -0.5), steps=30),
    "player": player,
}


def svg_attrs(html: str, cls: str) -> dict[str, str]:
    tag = re.search(rf"<(line|circle|path|polygon|polyline) class='{cls}'([^>]*)/>", html).group(2)
    return dict(re.findall(r" ([\w-]+)='([^']*)'", tag))


def clip_box(html: str, panel: str) -> np.ndarray:
    return np.array([float(v) for v in re.search(
        rf"<clipPath id='[^']*-clip-{panel}'><rect x='([^']+)' y='([^']+)' width='([^']+)' height='([^']+)'",
        html).groups()])


def to_pixels(ax, x, y, height):
    px = ax.transData.transform(np.column_stack([np.ravel(x), np.ravel(y)]).astype(float))
    return px[:, 0], height - px[:, 1]


def on_polyline(points: np.ndarray, line: np.ndarray) -> float:
    """Largest pixel distance from ``points`` to the polyline ``line``."""
    a, b, p = line[:-1][None], line[1:][None], points[:, None]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
    return float(np.sqrt(((p - (a + t[..., None] * ab)) ** 2).sum(-1)).min(axis=1).max())


def positions(explorer) -> list[tuple[int, ...]]:
    sizes = [s["n"] for s in explorer.spec["sliders"]]
    rng = np.random.default_rng(0)
    picks = {tuple(s - 1 for s in sizes), tuple(0 for _ in sizes)}
    picks |= {tuple(int(rng.integers(n)) for n in sizes) for _ in range(4)}
    return sorted(picks)


def at(explorer, name: str, index: tuple[int, ...]):
    entry = explorer.spec["arrays"][explorer.aliases.get(name, name)]  # (a dot's x shared with another's)
    return explorer.array(name)[tuple(index[d] for d in entry["dims"])]


def check_element(element, kernel, browser, index, height):
    artist, ax = kernel.artists[element.name], kernel.panels[element.panel]
    html, name = browser.html, element.name
    attrs = svg_attrs(html, name)
    look, dpi = element.look, kernel.figure.dpi
    # Style: the same colour, width and dashes as the kernel's artist.
    lines = (scene.Line, scene.Path, scene.Trail)
    colour = attrs.get("stroke") if isinstance(element, (*lines, scene.Arrow)) else attrs["fill"]
    assert colour == to_hex(look.color)
    if isinstance(element, lines):
        assert to_hex(artist.get_color()) == colour and artist.get_linewidth() == pytest.approx(look.lw)
        assert float(attrs["stroke-width"]) == pytest.approx(artist.get_linewidth() * dpi / 72, abs=0.01)
        assert attrs.get("stroke-dasharray", "") == scene.dasharray(artist.get_linestyle(), artist.get_linewidth(), dpi)
    if isinstance(element, scene.Dot):
        assert to_hex(artist.get_markerfacecolor()) == colour
        assert float(attrs["r"]) == pytest.approx(artist.get_markersize() / 2 * dpi / 72, abs=0.01)
    shown = artist.get_visible()
    # Geometry, in pixels of each renderer's own axes.
    if isinstance(element, scene.Line):
        ends = [at(browser, f"{name}-{k}", index) for k in ("x1", "y1", "x2", "y2")]
        if not shown:
            assert np.isnan(ends[0])
            return
        line = np.column_stack(to_pixels(ax, *artist.get_data(), height))
        if np.isfinite(ends[0]):
            assert on_polyline(np.array([ends[:2], ends[2:]]), line) <= PX_TOL
    elif isinstance(element, scene.Dot):
        cx, cy = at(browser, f"{name}-cx", index), at(browser, f"{name}-cy", index)
        assert shown == bool(np.isfinite(cy)), name
        if shown:
            kx, ky = to_pixels(ax, *artist.get_data(), height)
            if abs(ky[0] - cy) > PX_TOL:  # clamped far off the axes in SVG: then off in both
                left, top, width, tall = clip_box(html, element.panel)
                assert not top <= ky[0] <= top + tall and not top <= cy <= top + tall
            else:
                assert (kx[0], ky[0]) == pytest.approx((cx, cy), abs=PX_TOL)
    elif isinstance(element, scene.Path):
        d = at(browser, f"{name}-d", index)
        drawn = re.findall(r"([-0-9.]+),([-0-9.]+)", d or "")
        assert shown or not drawn
        if drawn:
            line = np.column_stack(to_pixels(ax, *artist.get_data(), height))
            line = line[np.isfinite(line).all(axis=1)]
            assert on_polyline(np.array(drawn, dtype=float), line) <= PX_TOL + 2e-7 * np.abs(line).max()
    elif isinstance(element, scene.Trail):  # the script shows the first k + 1 of the points sent once
        trail = next(e["trail"] for e in browser.spec["els"] if e["sel"] == f".{name}")
        drawn = np.array([p.split(",") for p in trail["pts"][: index[trail["axis"]] + 1]], dtype=float)
        kernel_line = np.column_stack(to_pixels(ax, *artist.get_data(), height))
        assert shown and kernel_line.shape == drawn.shape
        assert kernel_line == pytest.approx(drawn, abs=PX_TOL)
    elif isinstance(element, scene.Arrow):
        ends = [at(browser, f"{name}-{k}", index) for k in ("x1", "y1", "x2", "y2")]
        assert shown == bool(np.isfinite(ends[2]))
        if shown:
            (a, b), (c, d) = artist._posA_posB
            kx, ky = to_pixels(ax, [a, c], [b, d], height)
            assert [kx[0], ky[0], kx[1], ky[1]] == pytest.approx(ends, abs=PX_TOL)


@pytest.mark.parametrize("name", BUILDERS)
def test_kernel_and_browser_draw_the_same_description(name):
    browser = BUILDERS[name]()
    kernel = browser.kernel()
    desc = browser.description
    assert kernel.description is desc
    height = kernel.figure.canvas.get_width_height()[1]
    # The same panels at the same pixels, with the same limits.
    for panel, ax in kernel.panels.items():
        (x0, y0), (x1, y1) = ax.get_window_extent().get_points()
        assert clip_box(browser.html, panel) == pytest.approx([x0, height - y1, x1 - x0, y1 - y0], abs=0.1)
    browser_controls = [c for c in desc.controls if c.in_browser]
    for index in positions(browser):
        for control, i in zip(browser_controls, index, strict=True):
            kernel.controls[control.name].value = (str(control.values[i]) if control.kind == "choice"
                                                   else control.values[i].item())
        for element in desc.elements:
            if not isinstance(element, (scene.Text, scene.Polygon3D, scene.Dot3D)):
                check_element(element, kernel, browser, index, height)
        # The same readout (the browser's is filled from its arrays, as its script does).
        names = set(re.findall(r"\{(\w+)", desc.readout + desc.undefined))
        values = {k: at(browser, k, index) for k in names}
        bad: list = []
        text = fill_template(desc.readout, values, bad)
        expected = fill_template(desc.undefined, values) if bad else text
        if name == "descent":  # float32 paths from two loops: compare the words, numbers to 3 decimals
            expected, got = (re.sub(r"(\d\.\d{3})\d+", r"\1", t) for t in (expected, kernel.readout.value))
        else:
            got = kernel.readout.value
        assert got == expected, (name, index)


def test_the_fallback_png_is_the_kernel_frame_of_the_default_state():
    from io import BytesIO

    from PIL import Image

    browser = BUILDERS["tangent"]()
    kernel = browser.kernel()
    fallback = np.asarray(Image.open(BytesIO(browser.png)).convert("RGB"), dtype=float)
    frame = np.asarray(Image.open(BytesIO(kernel.image.value)).convert("RGB"), dtype=float)
    assert fallback.shape == frame.shape
    assert np.abs(fallback - frame).mean() < 2.0  # the same picture (palette quantisation aside)
