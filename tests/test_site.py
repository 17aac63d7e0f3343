"""`make site`: every notebook gets a page with its figures embedded (with alt text), and the index links them."""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def test_site_has_a_page_with_figures_per_notebook(tmp_path):
    index, *pages = build_site.build(tmp_path, NOTEBOOKS)
    assert [p.stem for p in pages] == [p.stem for p in NOTEBOOKS]
    links = re.findall(r"href='([^']+)'", index.read_text())
    assert links == [p.name for p in pages]
    for notebook, page in zip(NOTEBOOKS, pages, strict=True):
        text = page.read_text()
        outputs = [o for c in nbformat.read(notebook, 4).cells if c.cell_type == "code" for o in c.outputs]
        # every saved picture is on the page; an output that also has HTML (a browser explorer,
        # the path player) shows its HTML instead, with the picture inside its SVG
        pictures = [o for o in outputs if "image/png" in o.get("data", {}) and "text/html" not in o["data"]]
        embedded = re.findall(r"<img[^>]+src=\"data:image/png;base64,", text)
        assert len(embedded) == len(pictures)
        explorers = [o for o in outputs if "gradlab-explorer" in o.get("data", {}).get("text/html", "")]
        assert len(re.findall(r"class=[\"']gradlab-explorer[\"']", text)) == len(explorers)
        assert len(pictures) + len(explorers) >= 1
        assert "Traceback" not in text


def test_every_picture_on_the_site_has_alt_text(tmp_path):
    _, *pages = build_site.build(tmp_path, NOTEBOOKS)
    for page in pages:
        for img in re.findall(r"<img\b[^>]*>", page.read_text()):
            alt = re.search(r'\balt="([^"]*)"', img)
            assert alt and alt.group(1).strip(), f"{page.name}: <img> without alt text: {img[:120]}"
        for svg in re.findall(r"<svg\b[^>]*role=[\"']img[^>]*>", page.read_text()):
            assert "aria-labelledby=" in svg
