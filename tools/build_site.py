"""A static HTML site of the notebooks, with their saved outputs: `make site` → build/site/.

One page per notebook (nbconvert's lab template, with each figure's alt text, from
tools/site_template) and an index page. Readable offline, from file:// with no server:
every figure is embedded in its page, and the browser explorers (gradlab.widgets.browser)
work there with no kernel. Kernel-backed widgets appear as the picture of their default
state that each saved output carries.

By default the pages are the student view: solution cells become the stubs
``gradlab student-copy`` writes, exercise outputs are cleared and nbgrader test cells
dropped, so the site does not publish the answer key. ``--teacher`` keeps the solutions.
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def plain_markdown(text: str) -> str:
    """Markdown inline markup to plain text: links keep their words, emphasis and code marks go."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def title_and_summary(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The first cell's heading, and its first prose paragraph as one line of plain text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", nb.cells[0].source) if p.strip()]
    title = plain_markdown(paragraphs[0].splitlines()[0].lstrip("# "))
    summary = next((p for p in paragraphs[1:] if not p.startswith(("[![", "#"))), "")
    return title, plain_markdown(summary)


# The Colab badge is a picture from the web, broken offline: the site shows a text link.
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)", re.IGNORECASE)


def offline_badges(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _BADGE.sub(r"[Open in Colab](\1)", cell.source)
    return nb


def read_notebook(path: Path, teacher: bool = False) -> nbformat.NotebookNode:
    """``path`` as the site shows it: the student copy (see ``gradlab.student``) unless ``teacher``."""
    if teacher:
        return nbformat.read(path, as_version=4)
    from gradlab import student

    return student._plan(Path(path)).notebook


def scrollable_code(body: str) -> str:
    """Code blocks scroll sideways on narrow screens; tabindex lets a keyboard scroll them too."""
    return body.replace('<div class="highlight hl-ipython3"><pre>',
                        '<div class="highlight hl-ipython3"><pre tabindex="0">')


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Show a kernel-backed widget's saved PNG: with no kernel its view would draw nothing."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and "image/png" in data:
                del data[WIDGET_VIEW]
    return nb


def build(out: Path, notebooks: list[Path], teacher: bool = False) -> list[Path]:
    """Write one page per notebook and ``index.html`` into ``out``; the student view unless ``teacher``."""
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(extra_template_basedirs=[str(ROOT / "tools" / "site_template")],
                            template_name="gradlab")
    entries, pages = [], []
    for path in notebooks:
        nb = offline_badges(static_widgets(read_notebook(path, teacher)))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        body = scrollable_code(body)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--teacher", action="store_true",
                        help="include the solutions and their outputs (the answer key); default: student view")
    args = parser.parse_args()
    target = args.target
    written = build(target, sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")), teacher=args.teacher)
    print(f"wrote {len(written)} pages to {target} (open {target / 'index.html'})")
