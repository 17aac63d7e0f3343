"""Saved notebooks carry what their widget views need, so they reopen without "model not found".

JupyterLab 4 and Notebook 7 render a saved widget view rather than the PNG beside it once a
notebook is trusted; the view's model must then be in the notebook's widget-state metadata
(tools/build_notebooks.py stores it). The browser side is tests/e2e/test_reopen.py.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_saved_widget_view_has_its_model_state_and_a_picture(path):
    nb = nbformat.read(path, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    views = [o for o in outputs if VIEW in o.get("data", {})]
    state = nb.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    missing = [o["data"][VIEW]["model_id"] for o in views if o["data"][VIEW]["model_id"] not in state]
    assert not missing, f"rebuild with tools/build_notebooks.py {path.with_suffix('.py').name}: no state for {missing}"
    assert all("image/png" in o["data"] for o in views), "each explorer needs its PNG for GitHub and nbconvert"
