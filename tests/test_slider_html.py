"""Issue 22: the HTML of the browser explorers and path players, for every front end and screen.

The sliders carry what keeps the keys on them in JupyterLab and Notebook 7 (the
``data-lm-suppress-shortcuts`` attribute and the shared keydown handler, gradlab._slider_keys;
tests/e2e/test_keyboard.py presses the keys); the pictures have twice the pixels they are
shown at; the player's play and pause marks need no emoji font.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

import gradlab
from gradlab._slider_keys import SLIDER_KEYS_JS, SUPPRESS_SHORTCUTS


@pytest.fixture(scope="module")
def player_html() -> str:
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.set(xlim=(-1, 1), ylim=(-1, 1))
    points = np.column_stack([np.linspace(-1, 1, 50), np.linspace(1, -1, 50)])
    return gradlab.path_player(ax, {"sgd": points})._repr_html_()


@pytest.fixture(scope="module")
def explorer_html() -> str:
    import tensorflow as tf

    explorer = gradlab.browser_tangent_explorer(tf.sin, (0.0, 6.0), n=100, steps=40)
    return explorer._repr_mimebundle_()[0]["text/html"]


def range_inputs(page: str) -> list[str]:
    return re.findall(r"<input type='range'[^>]*>", page)


@pytest.mark.parametrize("which", ["player_html", "explorer_html"])
def test_every_slider_keeps_its_keys_from_the_notebook(request, which):
    page = request.getfixturevalue(which)
    inputs = range_inputs(page)
    assert inputs and all(SUPPRESS_SHORTCUTS in tag for tag in inputs)
    script = re.search(r"<script>(.*)</script>", page, re.S).group(1)
    assert SLIDER_KEYS_JS.strip() in script and "sliderKeys(" in script.replace("function sliderKeys(", "")


def _pictures(page: str) -> list[tuple[float, float, int, int]]:
    """(shown width, shown height, PNG width, PNG height) of each SVG <image>."""
    found = []
    for width, height, data in re.findall(
            r"<image width='([\d.]+)' height='([\d.]+)' href='data:image/png;base64,([^']+)'/>", page):
        png = Image.open(io.BytesIO(base64.b64decode(data)))
        found.append((float(width), float(height), *png.size))
    return found


@pytest.mark.parametrize("which", ["player_html", "explorer_html"])
def test_pictures_have_twice_the_pixels_they_are_shown_at(request, which):
    pictures = _pictures(request.getfixturevalue(which))
    assert pictures
    for shown_w, shown_h, png_w, png_h in pictures:
        assert (png_w, png_h) == (pytest.approx(2 * shown_w, abs=2), pytest.approx(2 * shown_h, abs=2))


def test_player_marks_need_no_emoji_font(player_html):
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    covered = set(TTFont(fonts / "DejaVuSans.ttf").getBestCmap())
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", player_html)
    text = html.unescape(re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text))
    assert {c for c in text if ord(c) > 127 and ord(c) not in covered} == set()
    # the button's face is a CSS-drawn mark and a word of fixed-width room, for both states
    assert re.search(r"<button type='button' class='play' style='min-width:[\d.]+em'><span class='icon'", player_html)
    assert '"pause"' in player_html and '"play"' in player_html


def test_a_readout_wraps_between_its_terms_never_inside_one():
    # At 390 px "∂f/∂x =" ended one line and its number began the next.
    from gradlab.widgets.readout import TERM_GAP

    explorer = gradlab.browser_power_rule_explorer(n=3, x=2.0, steps=10)
    shown = re.search(r"<output[^>]*>(.*?)</output>", explorer.html, flags=re.S).group(1)
    terms = shown.split(TERM_GAP)
    assert len(terms) >= 3
    for term in terms:
        assert term.startswith("<span style='white-space:nowrap'>") and term.endswith("</span>"), term
