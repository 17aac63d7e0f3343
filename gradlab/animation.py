"""Animated descent paths as a small self-contained HTML player (no ffmpeg, no video).

Matplotlib's ``FuncAnimation.to_jshtml`` embeds one full PNG per frame: 120 frames of a
contour plot are megabytes. Here the background figure is sent once as a PNG and the paths
as numbers in an SVG; a few lines of plain JavaScript reveal them point by point. Where
JavaScript does not run (GitHub, an untrusted notebook, print) the full paths show.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import json
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from gradlab import style
from gradlab._slider_keys import SLIDER_KEYS_JS, SUPPRESS_SHORTCUTS
from gradlab.accessibility import describe
from gradlab.widgets.scene import dasharray

__all__ = ["PathPlayer", "path_colors", "path_player"]

_SCRIPT = """
(function () {
  var root = document.getElementById("%(id)s");
  if (!root) return;
  var paths = %(paths)s, frames = %(frames)d, interval = %(interval)d;
  var lines = root.querySelectorAll("polyline"), dots = root.querySelectorAll("circle.end");
  var slider = root.querySelector("input"), label = root.querySelector(".frame");
  var button = root.querySelector("button"), timer = null;
  var icon = button.querySelector(".icon"), word = button.querySelector(".word");
  function show(k) {
    for (var i = 0; i < paths.length; i++) {
      var n = Math.min(k + 1, paths[i].length), pts = paths[i].slice(0, n);
      lines[i].setAttribute("points", pts.map(function (p) { return p.join(","); }).join(" "));
      dots[i].setAttribute("cx", pts[n - 1][0]); dots[i].setAttribute("cy", pts[n - 1][1]);
    }
    slider.value = k; label.textContent = "step " + k + " / " + (frames - 1);
  }
  // The marks are drawn with CSS borders: a pause glyph needs an emoji font many systems lack.
  function face(playing) {
    icon.setAttribute("style", playing ? "%(pause)s" : "%(play)s");
    word.textContent = playing ? "pause" : "play";
  }
  function stop() { clearInterval(timer); timer = null; face(false); }
  button.onclick = function () {
    if (timer) { stop(); return; }
    var k = +slider.value >= frames - 1 ? 0 : +slider.value;
    face(true);
    timer = setInterval(function () { show(k); if (++k >= frames) stop(); }, interval);
  };
  slider.oninput = function () { stop(); show(+slider.value); };
""" + SLIDER_KEYS_JS + """
  sliderKeys(slider, function (k) { stop(); show(k); });
  show(frames - 1);
})();
"""


_MARK = "display:inline-block;box-sizing:content-box;vertical-align:-0.05em;border-style:solid;"
#: A right-pointing triangle and two bars, drawn with borders in the button's text colour.
_PLAY_MARK = _MARK + ("width:0;height:0;border-width:.4em 0 .4em .65em;"
                      "border-color:transparent transparent transparent currentColor")
_PAUSE_MARK = _MARK + "width:.21em;height:.8em;border-width:0 .22em;border-color:currentColor"


class PathPlayer:
    """An HTML animation of paths over a picture; displays itself in a notebook."""

    def __init__(self, html: str, frames: int, n_paths: int, notes: tuple[str, ...] = ()):
        self.html = html
        self.frames = frames
        self.n_paths = n_paths
        self.notes = tuple(notes)  # paths cut at a non-finite point, as shown under the player

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"PathPlayer({self.frames} frames, {self.n_paths} path(s))"

    def save(self, path: str) -> None:
        """Write a standalone HTML page with the animation."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(f"<!doctype html><meta charset='utf-8'><body>{self.html}</body>")


def path_colors(n: int) -> list[str]:
    """The first ``n`` path colours as ``#rrggbb``, the form both SVG and matplotlib accept.

    Matplotlib's own names ("C1", "tab:green") mean nothing to a browser, which then draws
    no stroke at all; every colour that leaves for HTML goes through this.

    >>> path_colors(1)[0].startswith("#")
    True
    """
    return [to_hex(style.PATH_COLORS[i % len(style.PATH_COLORS)]) for i in range(n)]


def path_linestyles(n: int) -> list:
    """The first ``n`` path line styles (matplotlib form), one per path like the colours."""
    return [style.PATH_LINESTYLES[i % len(style.PATH_LINESTYLES)] for i in range(n)]


def path_player(
    ax: Axes, paths: Mapping[str, np.ndarray], interval_ms: int = 20, max_frames: int | None = None,
    legend_outside: bool = False,
) -> PathPlayer:
    """Animate ``paths`` (label → array of (x, y) points) over the figure that holds ``ax``.

    Draw the background (contours, labels, a legend) on ``ax`` first; the figure is rendered
    once at its current size and dpi, then closed from pyplot so it is not shown twice.
    Frame k shows every path up to its k-th point, ``interval_ms`` apart.
    ``legend_outside=True`` puts the legend right of the axes, where it hides no contour.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> player = path_player(ax, {"sgd": np.array([[0, 0], [1, 1]])})
    >>> player.frames
    2
    """
    paths, notes = _checked_paths(paths)
    if max_frames is not None:
        if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 1:
            raise ValueError(f"max_frames must be a whole number of at least 1 (or None for every point); "
                             f"got {max_frames!r}")
    fig = ax.figure
    colors = path_colors(len(paths))
    linestyles = path_linestyles(len(paths))
    for i, label in enumerate(paths):
        # Invisible placeholders give the legend an entry in each path's colour and line style;
        # the SVG polyline draws the same dashes (paths that overlap are still told apart).
        ax.plot([], [], color=colors[i], linestyle=linestyles[i], lw=style.LINEWIDTH, label=label)
    if legend_outside:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8, handlelength=4)
    else:
        ax.legend(loc="upper right", fontsize=8, handlelength=4)
    fig.canvas.draw()
    alt = describe(fig).rstrip(".") + ", with " + ", ".join(
        f"the path of {label} drawn over it" for label in paths) + " (step slider below)." + "".join(
        f" {note}." for note in notes)
    width, height = (int(round(v)) for v in fig.canvas.get_width_height())
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=2 * fig.dpi)  # twice the pixels, shown at its size: sharp on 2x screens
    plt.close(fig)  # shown through the player only, not again as a static figure
    pixel_paths = []
    for label, points in paths.items():
        with np.errstate(over="ignore", invalid="ignore"):
            xy = ax.transData.transform(points)
        xy[:, 1] = height - xy[:, 1]  # SVG's y axis points down
        good = _finite_prefix(xy)  # 1e308 is finite in data but not in pixels
        if good == 0:
            raise ValueError(f"path {label!r} starts at {points[0].tolist()}, too far out to draw on these axes")
        if good < len(xy):
            notes.append(f"{label} stops after {good} point(s): point {good + 1} is too large to draw")
        pixel_paths.append(np.round(xy[:good], 1).tolist())
    frames = max(len(p) for p in pixel_paths)
    if max_frames is not None:
        frames = min(frames, max_frames)
        pixel_paths = [p[:frames] for p in pixel_paths]
    payload = json.dumps(pixel_paths, separators=(",", ":"))
    image = base64.b64encode(png.getvalue()).decode("ascii")
    uid = "gradlab-player-" + hashlib.sha1((payload + image).encode()).hexdigest()[:12]
    dashes = [dasharray(ls, style.LINEWIDTH, fig.dpi) for ls in linestyles]  # as the explorers draw dashes
    (left, bottom), (right, top) = ax.get_window_extent().get_points()
    clip = (f"<clipPath id='{uid}-clip'><rect x='{left:.1f}' y='{height - top:.1f}' "
            f"width='{right - left:.1f}' height='{top - bottom:.1f}'/></clipPath>")
    # Clipped to the axes: a path that leaves them is not drawn over the labels and legend.
    shapes = "".join(
        f"<polyline clip-path='url(#{uid}-clip)' fill='none' stroke='{colors[i]}' "
        + (f"stroke-dasharray='{dashes[i]}' " if dashes[i] else "")
        + f"stroke-width='{style.LINEWIDTH * fig.dpi / 72:.1f}' points='{' '.join(f'{x},{y}' for x, y in path)}'/>"
        f"<circle class='end' clip-path='url(#{uid}-clip)' r='4' fill='{colors[i]}' "
        f"cx='{path[-1][0]}' cy='{path[-1][1]}'/>"
        for i, path in enumerate(pixel_paths)
    )
    script_values = {"id": uid, "paths": payload, "frames": frames, "interval": interval_ms,
                     "play": _PLAY_MARK, "pause": _PAUSE_MARK}
    html = (
        f"<div id='{uid}' style='font-family:sans-serif;font-size:13px'>"
        f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' "
        f"aria-labelledby='{uid}-alt' style='max-width:100%;height:auto'>"
        f"<title id='{uid}-alt'>{html_lib.escape(alt)}</title>"
        f"<defs>{clip}</defs>"
        f"<image width='{width}' height='{height}' href='data:image/png;base64,{image}'/>"
        f"{shapes}</svg><div><button type='button' style='min-width:5.5em'><span class='icon' aria-hidden='true' "
        f"style='{_PLAY_MARK}'></span> <span class='word'>play</span></button> "
        f"<input type='range' aria-label='animation step' min='0' max='{frames - 1}' value='{frames - 1}' "
        f"{SUPPRESS_SHORTCUTS} style='width:50%;vertical-align:middle'> "
        f"<span class='frame'>step {frames - 1} / {frames - 1}</span></div>"
        + "".join(f"<p class='note' style='margin:2px 0;color:#b00'>{html_lib.escape(n)}.</p>" for n in notes)
        +
        f"<script>{_SCRIPT % script_values}"
        "</script></div>"
    )
    return PathPlayer(html, frames, len(pixel_paths), notes)


def _finite_prefix(points: np.ndarray) -> int:
    """How many leading rows of ``points`` are all finite."""
    bad = ~np.isfinite(points).all(axis=1)
    return int(bad.argmax()) if bad.any() else len(points)


def _checked_paths(paths: Mapping[str, object]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Each path as a float (n, 2) array cut before its first non-finite point, and notes on the cuts.

    A NaN written into SVG makes the browser drop the whole line: cut it where it stops being
    a number (as :func:`gradlab.descend` does) and say so; refuse what has nothing to draw.
    """
    if not paths:
        raise ValueError("paths is empty: pass at least one label → (n, 2) array of points")
    checked, notes = {}, []
    for label, points in paths.items():
        try:
            array = np.asarray(points, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"path {label!r} must be an (n, 2) array of (x, y) numbers") from None
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(f"path {label!r} must be an (n, 2) array of (x, y) points; got shape {array.shape}")
        if len(array) == 0:
            raise ValueError(f"path {label!r} has no points: give at least its start (x, y)")
        good = _finite_prefix(array)
        if good == 0:
            raise ValueError(f"path {label!r} starts with a non-finite point {array[0].tolist()}: "
                             "nothing to draw; check how the path was computed")
        if good < len(array):
            notes.append(f"{label} stops after {good} point(s): point {good + 1} is not finite "
                         "(NaN or infinite), so the rest is not drawn")
        checked[label] = array[:good]
    return checked, notes
