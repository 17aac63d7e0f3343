"""A static HTML site of the notebooks, with their saved outputs: `make site` → build/site/.

One page per notebook (nbconvert's lab template, with each figure's alt text, from
tools/site_template) and an index page. Readable offline, from file:// with no server:
every figure is embedded in its page, and the browser explorers (gradlab.widgets.browser)
work there with no kernel. Kernel-backed widgets appear as the picture of their default
state that each saved output carries.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def title_and_summary(nb: nbformat.NotebookNode) -> tuple[str, str]:
    lines = [ln.strip() for ln in nb.cells[0].source.splitlines() if ln.strip()]
    title = lines[0].lstrip("# ").strip()
    summary = next((ln for ln in lines[1:] if not ln.startswith("[![")), "")
    return title, summary


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Show a kernel-backed widget's saved PNG: with no kernel its view would draw nothing."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and "image/png" in data:
                del data[WIDGET_VIEW]
    return nb


def build(out: Path, notebooks: list[Path]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(extra_template_basedirs=[str(ROOT / "tools" / "site_template")],
                            template_name="gradlab")
    entries, pages = [], []
    for path in notebooks:
        nb = static_widgets(nbformat.read(path, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        title, summary = title_and_summary(nb)
        entries.append(f"<li><a href='{page.name}'>{html.escape(title)}</a><br><small>{html.escape(summary)}"
                       "</small></li>")
    index = out / "index.html"
    index.write_text(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>gradlab notebooks</title>"
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}"
        "li{margin-bottom:1em}</style>"
        "<main><h1>gradlab: derivatives and gradients with TensorFlow</h1>"
        f"<ol>{''.join(entries)}</ol></main></html>", encoding="utf-8")
    return [index, *pages]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "site"
    written = build(target, sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    print(f"wrote {len(written)} pages to {target} (open {target / 'index.html'})")
