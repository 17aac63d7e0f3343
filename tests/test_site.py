"""`make site`: every notebook gets a page with its figures embedded, and the index links them."""

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
        # every saved picture is on the page, explorers' default-state pictures included
        saved = [o for c in nbformat.read(notebook, 4).cells if c.cell_type == "code"
                 for o in c.outputs if "image/png" in o.get("data", {})]
        assert len(re.findall(r"<img[^>]+src=\"data:image/png;base64,", text)) == len(saved) >= 1
        assert "Traceback" not in text
