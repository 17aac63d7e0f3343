"""Rebuild notebooks from their py:percent twins and execute them in place.

    python tools/build_notebooks.py notebooks/01_gradienttape_basics.py [...]

The .py twin is the source of truth; the .ipynb gets fresh outputs from a fresh kernel in
the notebook's folder. Each explorer's saved output carries a widget view and, beside it,
a PNG of its default state (what GitHub and nbconvert show). The widgets' state is stored
in the notebook's metadata too: JupyterLab and Notebook 7 render the widget view rather
than the PNG once a notebook is trusted, and a view whose model is not in the metadata
shows "Error displaying widget: model not found". With the state, they show the explorer
as it was left (sliders and last picture), with or without a kernel.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("MPLBACKEND", None)  # kernels must use the inline backend, as in Jupyter


def build(py_path: Path) -> float:
    nb = jupytext.read(py_path)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(py_path.parent)}},
        store_widget_state=True,
    ).execute()
    if not nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state"):
        nb.metadata.pop("widgets", None)  # no widgets displayed: no empty state block
    nbformat.write(nb, py_path.with_suffix(".ipynb"))
    return time.perf_counter() - start


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"{arg}: executed in {build(Path(arg)):.1f} s", flush=True)
