"""Every notebook in a real JupyterLab, in headless Chromium: run all, no errors, sliders move pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, RUN_S, SCREENSHOTS, WAIT_MS

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
RUN_STATE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = w ? w.content.widgets.filter(c => c.model.type === 'code') : [];
  const errors = [];
  cells.forEach((c, i) => c.model.outputs.toJSON().forEach(o => {
    if (o.output_type === 'error') errors.push(`code cell ${i}: ${o.ename}: ${o.evalue}`);
  }));
  return {idle: !!k && k.status === 'idle', done: cells.length > 0 && cells.every(c => c.model.executionCount !== null),
          errors: errors};
}"""


def run_all_cells(page, timeout_s: float = RUN_S) -> None:
    """Run every cell and wait until all have run. A cell error fails at once, with its message
    (run-all stops there, so waiting longer would only time out); a run-all that the kernel never
    started (issued while it was still settling) is issued again, at most twice."""
    import time

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline, idle_since, retries = time.monotonic() + timeout_s, None, 0
    while time.monotonic() < deadline:
        state = page.evaluate(RUN_STATE)
        if state["errors"]:
            pytest.fail("a cell raised in JupyterLab: " + "; ".join(state["errors"])[:2000])
        if state["idle"] and state["done"]:
            return
        idle_since = (idle_since or time.monotonic()) if state["idle"] else None
        if idle_since and time.monotonic() - idle_since > 20 and retries < 2:
            retries, idle_since = retries + 1, None
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_timeout(500)  # the poll's pace, not a wait for anything
    pytest.fail(f"not every cell ran within {timeout_s:.0f} s (run-all issued {retries + 1} time(s))")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, browser, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # A workspace of its own, reset, so earlier tests' notebooks are not reopened here.
        page.goto(f"{lab['url']}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={lab['token']}")
        page.wait_for_selector(".jp-Notebook", state="visible", timeout=WAIT_MS)
        page.wait_for_function(KERNEL_IDLE, timeout=WAIT_MS)
        run_all_cells(page)

        # Any stderr box fails, not only tracebacks: TensorFlow's start-up log, warnings...
        errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.first.inner_text()[:2000]
        assert "model not found" not in page.locator(".jp-Notebook").inner_text()
        assert page.locator(".jp-OutputArea-output", has_text="Error").filter(
            has_text="Traceback").count() == 0

        if name in WITH_WIDGETS:
            slider = page.locator(".widget-slider .noUi-handle").first
            slider.wait_for(timeout=WAIT_MS)
            image = page.locator(".widget-image").first
            slider.scroll_into_view_if_needed()
            before = image.get_attribute("src")
            slider.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before],
                timeout=WAIT_MS)
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
            assert player.locator(".value-step").inner_text() == "0 / 120"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"), full_page=False)
    finally:
        page.close()
