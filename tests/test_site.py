"""`make site`: every notebook gets a page with its figures embedded (with alt text), and the index links them."""

import html
import re
import sys
from pathlib import Path

import nbformat
import pytest

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
    _, *teacher_pages = build_site.build(tmp_path / "teacher", NOTEBOOKS[:1], teacher=True)
    for page in teacher_pages:  # the answer key's pages keep their badge, as a text link
        text = page.read_text()
        assert "colab-badge.svg" not in text  # a picture from the web: broken offline
        assert re.search(r"<a href=\"https://colab\.research\.google\.com/[^\"]+\">Open in Colab</a>", text)
    for page in pages:
        text = page.read_text()
        # the student view links nowhere that opens the teacher's notebook with its solutions
        assert "colab-badge.svg" not in text and "colab.research.google.com/github" not in text
        # long lines scroll (and the scroll region takes keyboard focus) instead of being cut off
        assert re.search(r"\.jp-InputArea-editor \.highlight pre \{ overflow-x: auto; \}", text)
        code = re.findall(r'<div class="highlight hl-ipython3"><pre([^>]*)>', text)
        assert code and all('tabindex="0"' in attrs for attrs in code)


# Issue 22: the site on a phone and a plain screen, offline.

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The student site of every notebook, built once: [index, *pages]."""
    return build_site.build(tmp_path_factory.mktemp("site"), NOTEBOOKS)


def _glyph_coverage() -> set[int]:
    """Code points DejaVu Sans and DejaVu Sans Mono draw (matplotlib ships both): text fonts
    nearly every system has, so a character outside them may need an emoji font."""
    import matplotlib
    from fontTools.ttLib import TTFont

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {c for name in ("DejaVuSans.ttf", "DejaVuSansMono.ttf") for c in TTFont(fonts / name).getBestCmap()}


def shown_text(page_html: str) -> str:
    """What a page can show as text: its markup minus styles and nbconvert's own scripts, with
    the escapes in gradlab's scripts (a player's button label, an explorer's readout) decoded."""
    text = re.sub(r"<style\b.*?</style>", "", page_html, flags=re.S)
    text = re.sub(r"<script\b[^>]*>(.*?)</script>",
                  lambda m: m.group(1) if "gradlab" in m.group(1) else "", text, flags=re.S)
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", text)
    text = re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def test_no_page_needs_an_emoji_font(site):
    covered = _glyph_coverage()
    assert ord("⏸") not in covered and ord("✅") not in covered  # what issue 22 saw as empty boxes
    for page in site:
        missing = sorted({c for c in shown_text(page.read_text()) if ord(c) > 127 and ord(c) not in covered})
        assert not missing, f"{page.name}: {[f'{c} U+{ord(c):04X}' for c in missing]} need a font beyond DejaVu"


def test_index_describes_each_notebook_and_fits_a_phone(site):
    index, *pages = site
    text = index.read_text()
    assert re.search(r"<meta name='viewport' content='width=device-width, initial-scale=1'>", text)
    entries = re.findall(r"<li><a href='([^']+)'>([^<]+)</a><p>([^<]*)</p></li>", text)
    assert [href for href, _, _ in entries] == [p.name for p in pages]
    for notebook, (_, title, summary) in zip(NOTEBOOKS, entries, strict=True):
        expected = build_site.title_and_summary(nbformat.read(notebook, 4))
        assert (html.unescape(title), html.unescape(summary)) == expected
        assert "Colab" not in summary and len(summary) > 40


def test_summary_skips_a_paragraph_that_is_only_a_link():
    cell = nbformat.v4.new_markdown_cell(
        "# 01 · Tapes\n\n[Open in Colab](https://colab.research.google.com/x)\n\nA tape records operations.")
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert build_site.title_and_summary(nb) == ("01 · Tapes", "A tape records operations.")


def test_pages_are_titled_and_linked_in_order(site):
    _, *pages = site
    titles = [build_site.title_and_summary(nbformat.read(n, 4))[0] for n in NOTEBOOKS]
    for i, page in enumerate(pages):
        text = page.read_text()
        assert re.search(r'<meta content="width=device-width, initial-scale=1.0" name="viewport"/>|'
                         r'<meta name="viewport" content="width=device-width, initial-scale=1.0">', text)
        assert html.unescape(re.search(r"<title>(.*?)</title>", text).group(1)) == titles[i]
        navs = re.findall(r"<nav\b[^>]*class=\"gradlab-site-nav\"[^>]*>(.*?)</nav>", text, re.S)
        assert len(navs) == 2, page.name  # above and below the notebook
        for nav in navs:
            links = {rel or "index": href for href, rel in re.findall(r'<a href="([^"]+)"(?: rel="(\w+)")?>', nav)}
            assert links.get("index") == "index.html"
            assert links.get("prev") == (pages[i - 1].name if i else None)
            assert links.get("next") == (pages[i + 1].name if i + 1 < len(pages) else None)


def test_pages_request_nothing_from_the_network(site):
    for page in site:
        text = page.read_text()
        assert not re.search(r"<script[^>]+src=", text), page.name  # require.js, MathJax
        assert not re.search(r"<link[^>]+href=\"https?:", text), page.name
        assert "mathjax" not in text.lower() and "require.min.js" not in text, page.name
    # MathJax is not loaded, so no notebook may rely on it: TeX belongs in matplotlib labels
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(notebook, 4).cells:
            if cell.cell_type == "markdown":
                assert not re.search(r"\$[^$\s][^$]*\$|\\\(|\\\[", cell.source), (
                    f"{notebook.name} has TeX math in Markdown; the site no longer loads MathJax: "
                    "write it in Unicode, or vendor MathJax in tools/build_site.py")


def test_printed_output_keeps_its_lines(site):
    css = site[1].read_text()
    rule = re.search(r"\.jp-OutputArea-output pre \{([^}]*)\}(?![\s\S]*\.jp-OutputArea-output pre \{)", css)
    assert "white-space: pre;" in rule.group(1) and "overflow-x: auto;" in rule.group(1)
