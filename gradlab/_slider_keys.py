"""Keyboard for the HTML range inputs of the browser explorers and the path players.

A focused ``<input type="range">`` takes the arrows, Page Up/Down, Home and End by itself
on a plain page (the ``make site`` pages, nbconvert HTML). Inside a notebook front end the
keys first meet the front end's own shortcuts: Notebook 7 (Lumino) listens on the document
in the capture phase, so in command mode an arrow moved the active cell and scrolled the
notebook, and the slider never saw the key. Two things keep the keys on the slider:

- :data:`SUPPRESS_SHORTCUTS`, the ``data-lm-suppress-shortcuts`` attribute on the input:
  Lumino's key-binding matcher walks from the event's target up the DOM and stops at an
  element carrying it, so no notebook shortcut matches a key pressed on the slider
  (JupyterLab 4 and Notebook 7 alike; other pages ignore the attribute);
- :data:`SLIDER_KEYS_JS`, a keydown listener that moves the slider itself and stops the
  event there (``preventDefault`` so the browser does not step it a second time,
  ``stopPropagation`` so no listener further up, bubbling, scrolls or moves a cell).

Both renderers paste the same JavaScript, so every slider answers the same keys the same way.
"""

from __future__ import annotations

__all__ = ["SLIDER_KEYS_JS", "SUPPRESS_SHORTCUTS"]

#: HTML attribute for each range input: Lumino (JupyterLab, Notebook 7) skips its shortcuts there.
SUPPRESS_SHORTCUTS = "data-lm-suppress-shortcuts='true'"

#: JavaScript defining ``sliderKeys(input, moved)``: the arrows step one position, Page Up/Down
#: ten, Home and End jump to the ends; ``moved(value)`` is called after each step. Paste it
#: inside the explorer's or player's own function scope (it holds no ``%`` for %-formatting).
SLIDER_KEYS_JS = """
  function sliderKeys(el, moved) {
    var steps = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10};
    el.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var lo = +el.min || 0, hi = +el.max, v = +el.value;
      if (ev.key === "Home") v = lo; else if (ev.key === "End") v = hi;
      else if (steps[ev.key]) v = Math.min(hi, Math.max(lo, v + steps[ev.key])); else return;
      ev.preventDefault(); ev.stopPropagation();
      el.value = v; moved(v);
    });
  }
"""
