"""The `make site` pages from file:// with no server and no kernel: explorers answer the keyboard, axe is clean.

The numbers are read from the drawn SVG (mapped back to data coordinates through the
``data-map-*`` attribute the explorer writes) and compared with the tape's, computed here.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

AXE_CANDIDATES = [os.environ.get("GRADLAB_AXE", ""),
                  ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js",
                  ROOT / "node_modules" / "axe-core" / "axe.min.js"]
AXE = next((Path(p) for p in AXE_CANDIDATES if p and Path(p).exists()), None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pages = build_site.build(out, sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    return {p.name: p for p in pages}


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def spec_of(explorer) -> dict:
    script = explorer.locator("script").first.inner_text()
    return json.loads(re.search(r"var spec = (\{.*?\}), A = spec", script).group(1))


def to_data(svg, key: str):
    a, b, c, d = map(float, svg.get_attribute(f"data-map-{key}").split(","))
    return lambda px, py: ((px - a) / b, (py - c) / d)


def attrs(element, *names) -> list[float]:
    return [float(element.get_attribute(n)) for n in names]


def press(page, explorer, slider: str, key: str, times: int) -> int:
    box = explorer.locator(f"input[name='{slider}']")
    box.focus()
    for _ in range(times):
        page.keyboard.press(key)
    return int(box.input_value())


def test_tangent_explorer_on_the_site_follows_the_keyboard(site, browser):
    import tensorflow as tf

    import gradlab

    page, errors = open_page(browser, site["04_tangent_line.html"])
    try:
        explorer = page.locator(".gradlab-explorer").first
        spec = spec_of(explorer)
        line = explorer.locator("line.tangent")
        before = attrs(line, "y1", "y2")
        k = press(page, explorer, "x0", "ArrowRight", 25)
        x0 = spec["arrays"]["x0"]["v"][k]
        mapping = to_data(explorer.locator("svg"), "ax")
        (u1, v1), (u2, v2) = (mapping(*attrs(line, f"x{i}", f"y{i}")) for i in (1, 2))
        _, slope = gradlab.derivative(lambda x: tf.cos(x) * tf.sin(x) / tf.sqrt(x), x0)
        assert attrs(line, "y1", "y2") != before
        assert (v2 - v1) / (u2 - u1) == pytest.approx(float(slope), rel=2e-3, abs=1e-3)
        assert f"{float(slope):.4f}"[:-1] in explorer.locator("output .slope-value").inner_text()
        point = explorer.locator("circle.point")
        assert mapping(*attrs(point, "cx", "cy"))[0] == pytest.approx(x0, abs=0.01)
        assert explorer.locator("input[name='x0']").get_attribute("aria-valuetext") == f"x₀ = {x0:.3f}"
        # at the right end, x0 = 2π, f(x0) rounds to zero: no "-0.000000", the intercept is a term
        press(page, explorer, "x0", "End", 1)
        readout = explorer.locator("output").inner_text()
        assert not re.search(r"-0\.0+(?!\d*[1-9])", readout), readout
        assert re.search(r"\) [+−] \d+\.\d{4}$", readout.strip()), readout
        assert not errors
    finally:
        page.close()


def test_gradient_explorer_on_the_site_follows_the_keyboard(site, browser):
    import tensorflow as tf

    import gradlab

    page, errors = open_page(browser, site["03_multivariable_partials.html"])
    try:
        explorer = page.locator(".gradlab-explorer").first
        spec = spec_of(explorer)
        arrow = explorer.locator("line.arrow")
        i = press(page, explorer, "x0", "ArrowLeft", 9)
        j = press(page, explorer, "y0", "ArrowUp", 12)
        x0, y0 = spec["arrays"]["x0"]["v"][i], spec["arrays"]["y0"]["v"][j]
        mapping = to_data(explorer.locator("svg"), "flat")
        (a, b), (c, d) = mapping(*attrs(arrow, "x1", "y1")), mapping(*attrs(arrow, "x2", "y2"))
        _, zx, zy = gradlab.partials(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5, x0, y0)
        assert (a, b) == pytest.approx((x0, y0), abs=0.01)
        assert np.arctan2(d - b, c - a) == pytest.approx(np.arctan2(float(zy), float(zx)), abs=0.03)
        assert float(explorer.locator("output .dfdx").inner_text()) == pytest.approx(float(zx), abs=2e-6)
        assert float(explorer.locator("output .dfdy").inner_text()) == pytest.approx(float(zy), abs=2e-6)
        assert len(explorer.locator("polygon.plane").get_attribute("points").split()) == 4
        assert not errors
    finally:
        page.close()


def test_power_rule_explorer_on_the_site_follows_the_keyboard(site, browser):
    page, errors = open_page(browser, site["02_power_rule.html"])
    try:
        explorer = page.locator(".gradlab-explorer").first
        spec = spec_of(explorer)
        i = press(page, explorer, "n", "ArrowLeft", 1)
        k = press(page, explorer, "x", "ArrowLeft", 30)
        n, x = spec["arrays"]["n"]["v"][i], spec["arrays"]["x"]["v"][k]
        line = explorer.locator("line.tangent")
        mapping = to_data(explorer.locator("svg"), "ax")
        (u1, v1), (u2, v2) = (mapping(*attrs(line, f"x{m}", f"y{m}")) for m in (1, 2))
        assert (v2 - v1) / (u2 - u1) == pytest.approx(n * x ** (n - 1), rel=2e-3, abs=1e-2)
        assert float(explorer.locator("output .tape").inner_text()) == pytest.approx(n * x ** (n - 1), abs=1e-4)
        assert explorer.locator(".sup-n").text_content() == str(int(n))
        # End jumps to the slider's last position, as for a native range input
        assert press(page, explorer, "x", "End", 1) == spec["sliders"][1]["n"] - 1
        assert not errors
    finally:
        page.close()


def test_descent_explorer_on_the_site_follows_the_keyboard(site, browser):
    import tensorflow as tf

    import gradlab

    page, errors = open_page(browser, site["05_sgd_animated.html"])
    try:
        explorer = page.locator(".gradlab-explorer").first
        spec = spec_of(explorer)
        i = press(page, explorer, "method", "ArrowRight", 3)
        k = press(page, explorer, "lr", "ArrowRight", 4)
        method, rate = spec["arrays"]["method"]["v"][i], spec["arrays"]["lr"]["v"][k]
        assert method == "adam"
        end = explorer.locator("circle.end")
        x, y = to_data(explorer.locator("svg"), "flat")(*attrs(end, "cx", "cy"))
        path = gradlab.descend(lambda x, y: (tf.sin(4 * x) - tf.cos(5 * y)) / 5, (0.25, -0.5), method, rate, 120)
        assert (x, y) == pytest.approx(tuple(path.points[-1]), abs=0.01)
        assert explorer.locator("output").inner_text().startswith(f"adam, learning rate {rate:g}")
        assert not errors
    finally:
        page.close()


@pytest.mark.skipif(AXE is None, reason="axe-core not installed (npm install --prefix build/axe axe-core@4)")
def test_axe_finds_no_serious_or_critical_violation_on_any_site_page(site, browser):
    found = {}
    for name, path in sorted(site.items()):
        page, _ = open_page(browser, path)
        try:
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.html.slice(0, 100)).join(' | '))")
            if violations:
                found[name] = violations
        finally:
            page.close()
    assert not found, found


def test_every_path_player_line_and_dot_is_visible_in_the_browser(site, browser):
    """Issue 13: SVG takes CSS colours only; a matplotlib name such as "C2" computes to no stroke."""
    page, errors = open_page(browser, site["05_sgd_animated.html"])
    try:
        styles = page.evaluate("""() => Array.from(document.querySelectorAll(
                '[id^=gradlab-player-] svg polyline, [id^=gradlab-player-] svg circle.end'))
            .map(e => ({tag: e.tagName, stroke: getComputedStyle(e).stroke, fill: getComputedStyle(e).fill}))""")
        lines = [s for s in styles if s["tag"] == "polyline"]
        dots = [s for s in styles if s["tag"] == "circle"]
        assert len(lines) >= 8 and len(dots) == len(lines)  # two players of four paths at least
        invisible = ("none", "rgba(0, 0, 0, 0)", "")
        assert all(s["stroke"] not in invisible for s in lines), lines
        assert all(s["fill"] not in invisible and s["fill"] != "rgb(0, 0, 0)" for s in dots), dots
        assert len({s["stroke"] for s in lines}) >= 4  # the paths of a player are told apart
        assert not errors
    finally:
        page.close()


@pytest.mark.parametrize("name", ["02_power_rule.html", "03_multivariable_partials.html", "04_tangent_line.html",
                                  "05_sgd_animated.html"])
def test_explorer_pictures_are_never_stretched_past_their_pixels(site, browser, name):
    """Issue 13: a 640 px picture shown at ~964 px is blurry; at 1200 px wide nothing is upscaled."""
    page, errors = open_page(browser, site[name])
    try:
        sizes = page.evaluate("""() => Array.from(
                document.querySelectorAll('.gradlab-explorer img, .gradlab-explorer image'))
            .map(e => { const r = e.getBoundingClientRect();
                        const natural = e.naturalWidth || (e.width && e.width.baseVal && e.width.baseVal.value) || 0;
                        return {shown: r.width, natural: natural}; })""")
        assert sizes, f"no explorer picture on {name}"
        assert all(s["shown"] <= s["natural"] * 1.01 + 1 for s in sizes if s["natural"]), sizes
        assert not errors
    finally:
        page.close()
