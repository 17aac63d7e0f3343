"""Saved notebooks reopen cleanly: run, save, close, reopen, trusted or not, with or without a kernel.

A widget view whose model is in neither the kernel nor the notebook's metadata renders as
"Error displaying widget: model not found". These tests fail on that text and on any stderr
box (TensorFlow's start-up log included), not only on tracebacks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SCREENSHOTS, WAIT_MS
from test_jupyterlab import KERNEL_IDLE, run_all_cells

sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402
import colab  # noqa: E402

STDERR = ".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']"
# The widget manager has settled: no widget output still reads "Loading widget..." (what
# @jupyter-widgets/jupyterlab-manager shows until the model is found, or found missing).
WIDGETS_SETTLED = """() => !Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .some(o => o.textContent.trim() === 'Loading widget...')"""
EXPLORER = f"""# %%
{colab.setup_cell()}

# %%
import tensorflow as tf

import gradlab

gradlab.tangent_explorer(lambda x: tf.sin(x) * x, x_range=(-3.0, 3.0), x0=1.0)
"""


@pytest.fixture(scope="module", params=["jupyterlab", "notebook7"])
def server(request):
    """Each front end in turn: JupyterLab 4, then Notebook 7."""
    return request.getfixturevalue("lab" if request.param == "jupyterlab" else "notebook7")


@pytest.fixture(scope="module")
def explorer(server):
    """An explorer notebook built the way tools/build_notebooks.py builds the lessons."""
    lab = server
    twin = lab["root"] / "explorer.py"
    twin.write_text(EXPLORER, encoding="utf-8")
    build_notebooks.build(twin)
    twin.unlink()
    return twin.with_suffix(".ipynb")


def trust(lab, path: Path) -> None:
    """Sign `path` as the server's user would by running it (`jupyter trust`)."""
    subprocess.run([sys.executable, "-m", "nbformat.sign", str(path)], env=lab["env"], check=True,
                   capture_output=True)


def shut_down_kernels(lab) -> None:
    base = f"{lab['url']}/api/kernels"
    kernels = json.load(urllib.request.urlopen(f"{base}?token={lab['token']}"))
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/{kernel['id']}?token={lab['token']}", method="DELETE")
        urllib.request.urlopen(request)


def open_notebook(lab, browser, name: str, workspace: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    if lab["app"] == "jupyterlab":
        page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab['token']}")
    else:
        page.goto(f"{lab['url']}/notebooks/{name}?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook", state="visible", timeout=WAIT_MS)
    return page


def assert_clean(page, shot: str) -> None:
    """The explorer shows a picture; no widget error and no stderr box anywhere."""
    page.locator(".jp-OutputArea-output img").first.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_function(WIDGETS_SETTLED, timeout=WAIT_MS)
    SCREENSHOTS.mkdir(exist_ok=True)
    app = page.url.split("/")[3]  # "lab" or "notebooks"
    page.screenshot(path=str(SCREENSHOTS / f"reopen-{app}-{shot}.png"), full_page=False)
    text = page.locator(".jp-Notebook").inner_text()
    assert "model not found" not in text and "Error displaying widget" not in text, text[:2000]
    stderr = page.locator(STDERR)
    assert stderr.count() == 0, stderr.first.inner_text()[:2000]


def test_built_notebook_shows_its_saved_explorer_untrusted_and_trusted(server, browser, explorer):
    lab = server
    state = json.loads(explorer.read_text())["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert any(m["model_name"] == "ImageModel" for m in state["state"].values())
    for trusted in (False, True):
        if trusted:
            trust(lab, explorer)
        page = open_notebook(lab, browser, explorer.name, f"built-{trusted}")
        try:
            assert_clean(page, f"built-{'trusted' if trusted else 'untrusted'}")
            if trusted:  # the saved widgets themselves, restored from the metadata: slider and picture
                assert page.locator(".widget-slider").count() >= 1
                assert page.locator(".widget-image").first.is_visible()
        finally:
            page.close()
        shut_down_kernels(lab)


def test_run_save_close_reopen(server, browser, explorer):
    """What a student does: run all, save, close; reopened later, its kernel gone, and elsewhere."""
    lab = server
    page = open_notebook(lab, browser, explorer.name, "run")
    try:
        page.wait_for_function(KERNEL_IDLE, timeout=WAIT_MS)
        run_all_cells(page)
        page.locator(".widget-image").first.wait_for(state="visible", timeout=WAIT_MS)
        assert page.locator(STDERR).count() == 0, page.locator(STDERR).first.inner_text()[:2000]
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=WAIT_MS)
    finally:
        page.close()
    shut_down_kernels(lab)

    saved = json.loads(explorer.read_text())
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert views and all(view in state for view in views), "JupyterLab saved views without their state"

    page = open_notebook(lab, browser, explorer.name, "reopen-kernel")  # a fresh kernel starts
    try:
        assert_clean(page, "with-kernel")
    finally:
        page.close()
    shut_down_kernels(lab)

    # Its kernel is not available here (another machine, a hub image without it): JupyterLab falls
    # back to the default kernel, which knows none of the saved models; they come from the metadata.
    saved["metadata"]["kernelspec"]["name"] = "no-such-kernel"
    explorer.write_text(json.dumps(saved))
    trust(lab, explorer)
    page = open_notebook(lab, browser, explorer.name, "reopen-other-kernel")
    try:
        assert_clean(page, "other-kernel")
    finally:
        page.close()
    shut_down_kernels(lab)
