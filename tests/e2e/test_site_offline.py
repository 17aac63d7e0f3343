"""The `make site` pages from file:// with no server and no kernel: explorers answer the keyboard, axe is clean.

The numbers are read from the drawn SVG (mapped back to data coordinates through the
``data-map-*`` attribute the explorer writes) and compared with the tape's, computed here.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, WAIT_MS

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
        assert explorer.locator("input[name='x0']").get_attribute("aria-valuetext") == f"{x0:.3f}"  # the label says x₀
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
        assert explorer.locator("text.title").text_content() == f"d/dx x{int(n)} = {int(n)}·x{int(n) - 1}"
        assert explorer.locator("text.title tspan[baseline-shift='super']").first.text_content() == str(int(n))
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
                '[id^=gradlab-player-] svg polyline, [id^=gradlab-player-] svg circle[class^=end-]'))
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


def open_offline(browser, path: Path, width: int = 1200):
    """``path`` with every request that leaves the file system refused; what failed is recorded.

    Below 600 px wide the page is opened as a phone (2x screen, touch, and the page's viewport
    tag obeyed: without one a phone lays the page out 980 px wide and shrinks it).
    """
    phone = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if width < 600 else {}
    page = browser.new_page(viewport={"width": width, "height": 900}, **phone)
    failed: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.on("requestfailed", lambda request: failed.append(f"request {request.url[:120]}"))
    page.on("console", lambda message: failed.append(f"console {message.text[:200]}") if message.type == "error"
            else None)
    page.on("pageerror", lambda error: failed.append(f"page error {error}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, failed


def test_every_page_loads_offline_with_no_failed_request(site, browser):
    """Issue 22: the pages asked the web for require.js and MathJax (two console errors offline)."""
    found = {}
    for name, path in sorted(site.items()):
        page, failed = open_offline(browser, path)
        try:
            requested = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
            failed += [f"request {url[:120]}" for url in requested if not url.startswith(("file:", "data:"))]
            if failed:
                found[name] = failed
        finally:
            page.close()
    assert not found, found


# Smallest computed font size of any text in the explorers and players, and their pictures' scale.
PHONE_LAYOUT = """() => {
  const roots = Array.from(document.querySelectorAll('.gradlab-explorer, [id^=gradlab-player-]'));
  const sizes = [];
  roots.forEach(root => root.querySelectorAll('*').forEach(el => {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (own && box.width > 0 && !el.closest('svg')) sizes.push(parseFloat(getComputedStyle(el).fontSize));
  }));
  const panels = Array.from(document.querySelectorAll('.gradlab-explorer')).map(root =>
    Array.from(root.querySelectorAll(':scope > svg')).map(svg => {
      const r = svg.getBoundingClientRect();
      return {top: r.top, bottom: r.bottom, scale: r.width / svg.viewBox.baseVal.width};
    }));
  return {page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
          window: window.innerWidth, fonts: sizes, panels: panels, count: roots.length};
}"""


def test_pages_fit_a_phone_and_explorer_text_stays_readable(site, browser):
    """Issue 22: at 390 px the 1000-px explorers shrank to a third (4 px ticks) and the index was laid out at 980."""
    for name, path in sorted(site.items()):
        page, failed = open_offline(browser, path, width=390)
        try:
            layout = page.evaluate(PHONE_LAYOUT)
            assert layout["window"] == 390, (name, layout["window"])  # laid out at the phone's width
            assert layout["page"] <= 390 and layout["body"] <= 390, (name, layout)
            assert not failed, (name, failed)
            if layout["count"]:
                assert min(layout["fonts"]) >= 11, (name, sorted(layout["fonts"])[:5])
            for panels in layout["panels"]:
                # a two-panel explorer shows its panels one above the other (a 1000-px figure side by
                # side was shown at 0.35); a 640-px figure fits at 0.55, its 10-pt ticks at ~7.5 px
                assert all(p["scale"] >= 0.5 for p in panels), (name, panels)
                assert all(b["top"] >= a["bottom"] - 1 for a, b in itertools.pairwise(panels)), (name, panels)
            if name in ("03_multivariable_partials.html", "05_sgd_animated.html"):
                assert len(layout["panels"][0]) == 2, (name, layout["panels"])
        finally:
            page.close()


def test_stacked_panels_follow_the_sliders_and_unstack_when_wide(site, browser):
    page, failed = open_offline(browser, site["03_multivariable_partials.html"], width=390)
    try:
        explorer = page.locator(".gradlab-explorer").first
        plane = explorer.locator("polygon.plane")  # drawn in the second panel, through its <use>
        before = plane.get_attribute("points")
        box = explorer.locator("input[name='x0']")
        box.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        assert plane.get_attribute("points") != before
        assert explorer.locator("svg.gradlab-panel use").count() == 1
        page.set_viewport_size({"width": 1200, "height": 900})  # a phone turned, or a window widened
        page.wait_for_function("() => !document.querySelector('.gradlab-explorer[data-stacked]')")
        assert explorer.locator(":scope > svg").count() == 1
        assert explorer.locator("svg").first.get_attribute("viewBox") == "0 0 1000 400"
        assert not failed
    finally:
        page.close()


def test_path_player_on_the_site_follows_the_keyboard(site, browser):
    page, errors = open_page(browser, site["05_sgd_animated.html"])
    try:
        player = page.locator("div[id^='gradlab-player-']").first
        slider, frame = player.locator("input[type=range]"), player.locator(".value-step")
        last = int(slider.get_attribute("max"))
        slider.focus()
        for key, times, expected in [("Home", 1, 0), ("ArrowRight", 15, 15), ("ArrowLeft", 2, 13),
                                     ("End", 1, last)]:
            for _ in range(times):
                page.keyboard.press(key)
            assert int(slider.input_value()) == expected
            assert frame.inner_text() == f"{expected} / {last}"
            assert len(player.locator("polyline").first.get_attribute("points").split()) == min(expected + 1, 121)
        assert not errors
    finally:
        page.close()


def test_path_player_plays_pauses_and_yields_to_the_keys(site, browser):
    """The play button steps the slider from 0, pauses where it is, stops at the end; a key stops it."""
    page, errors = open_page(browser, site["05_sgd_animated.html"])
    try:
        player = page.locator("div[id^='gradlab-player-']").first
        slider, button = player.locator("input[type=range]"), player.locator("button.play")
        handle, last = slider.element_handle(), int(slider.get_attribute("max"))
        assert int(slider.input_value()) == last
        button.click()  # at the last step: it starts over from step 0
        assert button.inner_text().strip() == "pause"
        page.wait_for_function("(el) => +el.value >= 5", arg=handle, timeout=WAIT_MS)
        button.click()
        assert button.inner_text().strip() == "play"
        held = int(slider.input_value())
        assert 5 <= held < last
        page.wait_for_timeout(300)  # long enough for several steps, had it not paused
        assert int(slider.input_value()) == held
        assert len(player.locator("polyline").first.get_attribute("points").split()) == held + 1
        button.click()  # on from where it paused, to the end, where it stops by itself
        page.wait_for_function("(el) => +el.value === +el.max", arg=handle, timeout=WAIT_MS)
        page.wait_for_function("(b) => b.textContent.trim() === 'play'", arg=button.element_handle(),
                               timeout=WAIT_MS)
        button.click()
        page.wait_for_function("(el) => +el.value >= 2", arg=handle, timeout=WAIT_MS)
        slider.focus()
        page.keyboard.press("Home")  # a key takes the slider back from the animation
        assert button.inner_text().strip() == "play"
        page.wait_for_timeout(300)
        assert int(slider.input_value()) == 0
        assert not errors
    finally:
        page.close()
