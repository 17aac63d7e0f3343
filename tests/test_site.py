"""`make site`: every notebook gets a page with its figures embedded (with alt text), and the index links them."""

import html
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
        shown = build_site.read_notebook(notebook)  # the student view: solution outputs are not shown
        outputs = [o for c in shown.cells if c.cell_type == "code" for o in c.outputs]
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


def test_site_is_the_student_view_unless_teacher(tmp_path):
    from gradlab import student

    solved = [p for p in NOTEBOOKS if any(student.SOLUTION_TAG in c.metadata.get("tags", [])
                                          for c in nbformat.read(p, 4).cells)]
    assert solved, "no notebook has a solution cell: this test checks nothing"
    _, *pages = build_site.build(tmp_path / "student", solved)
    _, *keys = build_site.build(tmp_path / "teacher", solved, teacher=True)
    for notebook, page, key in zip(solved, pages, keys, strict=True):
        text, answer_key = page.read_text(), key.read_text()
        # Feedback's HTML form (what pages show) marks right answers with a text glyph, not emoji.
        assert "✓ Correct:" not in text and ("✓ Correct:" in answer_key or "Correct" not in notebook.read_text())
        assert student.YOUR_CODE in text and student.YOUR_CODE not in answer_key
        cells = [c for c in nbformat.read(notebook, 4).cells if student.SOLUTION_TAG in c.metadata.get("tags", [])]

        def code_text(page_html):  # the code as shown, without nbconvert's highlighting tags
            return "\n".join(re.sub(r"<[^>]+>", "", html.unescape(m))
                             for m in re.findall(r"<pre[^>]*>(.*?)</pre>", page_html, re.S))

        shown, keyed = code_text(text), code_text(answer_key)
        checked = 0
        for cell in cells:
            stub = student.strip_solution(cell.source)
            for line in {ln.strip() for ln in cell.source.splitlines()}:
                if len(line) > 12 and not line.startswith("#") and line not in stub and line in keyed:
                    assert shown.count(line) < keyed.count(line), f"{page.name} shows the solution line {line!r}"
                    checked += 1
        assert checked, f"{notebook.name}: no solution line found on the teacher page"

def test_index_summaries_are_whole_paragraphs_in_plain_text(tmp_path):
    index, *_ = build_site.build(tmp_path, NOTEBOOKS[:1])
    for notebook in NOTEBOOKS:
        title, summary = build_site.title_and_summary(nbformat.read(notebook, 4))
        assert title and summary.endswith((".", "?", "!")), (notebook.name, summary)
        for markup in ("**", "`", "](", "[!["):
            assert markup not in summary and markup not in title, (notebook.name, markup)
    assert build_site.plain_markdown("the **tape** of `tf.GradientTape`, see [docs](https://x.y)") == \
        "the tape of tf.GradientTape, see docs"


def test_pages_work_offline_and_code_scrolls_sideways(tmp_path):
    _, *pages = build_site.build(tmp_path, NOTEBOOKS[:2])
    for page in pages:
        text = page.read_text()
        assert "colab-badge.svg" not in text  # a picture from the web: broken offline
        assert re.search(r"<a href=\"https://colab\.research\.google\.com/[^\"]+\">Open in Colab</a>", text)
        # long lines scroll (and the scroll region takes keyboard focus) instead of being cut off
        assert re.search(r"\.jp-InputArea-editor \.highlight pre \{ overflow-x: auto; \}", text)
        code = re.findall(r'<div class="highlight hl-ipython3"><pre([^>]*)>', text)
        assert code and all('tabindex="0"' in attrs for attrs in code)
