"""A static HTML site of the notebooks, with their saved outputs: `make site` → build/site/.

One page per notebook (nbconvert's lab template, with each figure's alt text, from
tools/site_template) and an index page. Readable offline, from file:// with no server:
every figure is embedded in its page, and the browser explorers (gradlab.widgets.browser)
work there with no kernel. Kernel-backed widgets appear as the picture of their default
state that each saved output carries. A page requests nothing from the network: nbconvert's
require.js and MathJax <script>s are left out (no notebook uses either: the pictures' TeX is
drawn by matplotlib, and tests/test_site.py fails if a Markdown cell starts using $…$ math).

Each page is titled by its notebook's heading and links to the index and the previous and
next notebook; the index lists every notebook with its description. Pages and index lay
out at phone width (390 px) without sideways scrolling of the page (see site_template).

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


# A paragraph that is only a link (the Colab badge, or its offline text form) describes nothing.
_ONLY_A_LINK = re.compile(r"^!?\[.*\]\([^)]*\)$", re.DOTALL)


def title_and_summary(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The first cell's heading, and its first prose paragraph as one line of plain text.

    Parameters
    ----------
    nb : NotebookNode
        A notebook whose first cell is Markdown starting with a ``#`` heading.

    Returns
    -------
    title, summary : str
        Plain text: no Markdown marks; a badge or a paragraph that is only a link is skipped.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# 1. Tapes\\n\\n[Open in Colab](https://x.y)\\n\\nWhat a **tape** records."
    ... )])
    >>> title_and_summary(nb)
    ('1. Tapes', 'What a tape records.')
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", nb.cells[0].source) if p.strip()]
    title = plain_markdown(paragraphs[0].splitlines()[0].lstrip("# "))
    summary = next((p for p in paragraphs[1:] if not p.startswith("#") and not _ONLY_A_LINK.match(p)), "")
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


SITE_TITLE = "gradlab: derivatives and gradients with TensorFlow"


def page_links(titles: list[str], names: list[str], i: int) -> dict[str, dict[str, str] | None]:
    """The index, previous and next page of page ``i`` as {"href", "title"} (None at either end)."""
    def link(j: int) -> dict[str, str] | None:
        return {"href": names[j], "title": titles[j]} if 0 <= j < len(names) else None

    return {"index": {"href": "index.html", "title": "All notebooks"}, "prev": link(i - 1), "next": link(i + 1)}


def index_page(entries: list[tuple[str, str, str]]) -> str:
    """The index: each notebook's title linking to its page, with its description under it."""
    items = "".join(f"<li><a href='{href}'>{html.escape(title)}</a><p>{html.escape(summary)}</p></li>"
                    for href, title, summary in entries)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(SITE_TITLE)}</title>"
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.5;"
        "font-size:16px;color:#1a1a1a;overflow-wrap:break-word}ol{padding-left:1.6em}"
        "li{margin-bottom:1em}li a{font-weight:bold}li p{margin:.2em 0 0;color:#333}"
        "h1{font-size:1.5em;line-height:1.25}</style></head><body>"
        f"<main><h1>{html.escape(SITE_TITLE)}</h1><ol>{items}</ol></main></body></html>")


def build(out: Path, notebooks: list[Path], teacher: bool = False) -> list[Path]:
    """Write one page per notebook and ``index.html`` into ``out``; the student view unless ``teacher``.

    Parameters
    ----------
    out : Path
        Folder to write into (created if missing).
    notebooks : list of Path
        The ``.ipynb`` files, in reading order: each page links to its neighbours in this order.
    teacher : bool, default=False
        Keep the solutions and their outputs (the answer key).

    Returns
    -------
    list of Path
        ``index.html`` first, then one page per notebook.

    Examples
    --------
    >>> build(Path("build/site"), sorted(Path("notebooks").glob("[0-9]*.ipynb")))  # doctest: +SKIP
    """
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(extra_template_basedirs=[str(ROOT / "tools" / "site_template")],
                            template_name="gradlab")
    shown = [read_notebook(path, teacher) for path in notebooks]
    # Described before the badges become text links: a link is no description.
    described = [title_and_summary(nb) for nb in shown]
    titles, names = [title for title, _ in described], [f"{path.stem}.html" for path in notebooks]
    pages = []
    for i, (path, nb) in enumerate(zip(notebooks, shown, strict=True)):
        nb = offline_badges(static_widgets(nb))
        nb.metadata["title"] = titles[i]  # the lab template's <title>
        resources = {"metadata": {"name": path.stem}, "gradlab_links": page_links(titles, names, i)}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        page = out / names[i]
        page.write_text(scrollable_code(body), encoding="utf-8")
        pages.append(page)
    index = out / "index.html"
    index.write_text(index_page([(name, *described[i]) for i, name in enumerate(names)]), encoding="utf-8")
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
