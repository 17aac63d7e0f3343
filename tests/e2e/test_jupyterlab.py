"""Every notebook in a real JupyterLab, in headless Chromium: run all, no errors, sliders move pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SCREENSHOTS

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
WITH_WIDGETS: set[str] = set()  # kernel-backed ipywidgets explorers
# Explorers drawn in the browser (gradlab.widgets.browser): their own range inputs, SVG and readout.
IN_BROWSER = {"02_power_rule.ipynb", "03_multivariable_partials.ipynb", "04_tangent_line.ipynb",
              "05_sgd_animated.ipynb"}

KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""
ALL_RUN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  return w.content.widgets.filter(c => c.model.type === 'code').every(c => c.model.executionCount !== null);
}"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, browser, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # A workspace of its own, reset, so earlier tests' notebooks are not reopened here.
        page.goto(f"{lab['url']}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={lab['token']}")
        page.wait_for_selector(".jp-Notebook", state="visible", timeout=60_000)
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_RUN, timeout=300_000, polling=500)

        # Any stderr box fails, not only tracebacks: TensorFlow's start-up log, warnings...
        errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.first.inner_text()[:2000]
        assert "model not found" not in page.locator(".jp-Notebook").inner_text()
        assert page.locator(".jp-OutputArea-output", has_text="Error").filter(
            has_text="Traceback").count() == 0

        if name in WITH_WIDGETS:
            slider = page.locator(".widget-slider .noUi-handle").first
            slider.wait_for(timeout=60_000)
            image = page.locator(".widget-image").first
            slider.scroll_into_view_if_needed()
            before = image.get_attribute("src")
            slider.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before],
                timeout=30_000)
            assert image.get_attribute("src") != before
        if name in IN_BROWSER:
            explorer = page.locator(".gradlab-explorer").first
            explorer.scroll_into_view_if_needed()
            readout = explorer.locator("output")
            before = readout.inner_text()
            explorer.locator("input[type=range]").last.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            assert readout.inner_text() != before
        if name == "05_sgd_animated.ipynb":
            # The path player's JavaScript ran: scrubbing its frame slider redraws the path.
            player = page.locator("div[id^='gradlab-player-']").first
            player.scroll_into_view_if_needed()
            line = player.locator("polyline").first
            assert len(line.get_attribute("points").split()) == 121
            player.locator("input[type=range]").fill("0")
            assert len(line.get_attribute("points").split()) == 1
            assert player.locator(".frame").inner_text() == "step 0 / 120"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"), full_page=False)
    finally:
        page.close()
