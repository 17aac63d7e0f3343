"""A two-panel explorer stacks its panels when a notebook's output is narrow, in the notebook too.

The site stacked 03's and 05's side-by-side panels at phone width, but in JupyterLab and
Notebook 7 at 390 px the same 1000-px picture shrank to a third (3.5-4.6 px text): the
stacking now lives in the explorer's own script and follows the output's width.
"""

from __future__ import annotations

from test_keyboard import open_notebook

PANELS = """() => {
  const root = document.querySelector('.gradlab-explorer[data-stacked]');
  if (!root) return null;
  return Array.from(root.querySelectorAll(':scope > svg')).map(svg => {
    const r = svg.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, scale: r.width / svg.viewBox.baseVal.width};
  });
}"""


def test_a_two_panel_explorer_stacks_in_a_narrow_notebook_and_unstacks_when_wide(request, browser):
    server = request.getfixturevalue("notebook7")
    page = open_notebook(browser, server, "03_multivariable_partials.ipynb")
    try:
        explorer = page.locator(".gradlab-explorer").first
        assert explorer.get_attribute("data-stacked") is None  # 1400 px: side by side
        page.set_viewport_size({"width": 390, "height": 900})
        page.wait_for_function("() => !!document.querySelector('.gradlab-explorer[data-stacked]')")
        panels = page.evaluate(PANELS)
        assert len(panels) == 2
        assert all(p["scale"] >= 0.5 for p in panels), panels  # was ~0.33 side by side
        assert panels[1]["top"] >= panels[0]["bottom"] - 1  # one above the other
        plane = explorer.locator("polygon.plane")  # drawn in the second panel through its <use>
        before = plane.get_attribute("points")
        explorer.locator("input[name='x0']").focus()
        page.keyboard.press("ArrowRight")
        assert plane.get_attribute("points") != before
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.wait_for_function("() => !document.querySelector('.gradlab-explorer[data-stacked]')")
        assert explorer.locator(":scope > svg").count() == 1
    finally:
        page.close()
