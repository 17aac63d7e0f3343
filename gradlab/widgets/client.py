"""Explorers that run in the browser: every slider position precomputed, drawn with SVG.

The kernel-backed explorers (:mod:`gradlab.widgets.tangent` and friends) send a PNG per
slider move through the kernel: ~30 ms in JupyterLab, and nothing at all where no kernel
runs (the static site, nbconvert HTML, a notebook opened before its kernel). Here the
moving artists are computed for every slider position at once (one tape over all of
them), the static figure is sent once as a PNG, and a few lines of JavaScript move SVG
elements and rewrite the readout on each ``input`` event, with no kernel round trip.

Where scripts do not run (GitHub, an untrusted notebook) the SVG still shows the default
state over the picture, and the ``image/png`` beside the HTML is the whole default figure.
``explorer.kernel()`` builds the kernel-backed explorer with the same arguments.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from gradlab._slider_keys import SUPPRESS_SHORTCUTS
from gradlab.view import clip_segments, svg_path
from gradlab.widgets.readout import FIELD_NAMES, compact, fill_template
from gradlab.widgets.script import PAUSE_MARK, PLAY_MARK, SCRIPT

__all__ = ["ClientExplorer", "Slider", "Array", "build", "compact", "line_in_axes", "path_in_axes", "pixels"]

#: Pixel coordinates further than this outside the figure are clipped (a steep tangent's ends).
PIXEL_LIMIT = 5000.0



@dataclass
class Slider:
    """One range input over the indices ``0 .. n - 1`` of ``values``.

    ``text`` is the value as announced and shown beside the slider, e.g. ``"x₀ = {x0:3}"``
    (placeholders name arrays: ``{name:digits}``).
    """

    name: str
    label: str
    values: np.ndarray
    start: int
    text: str


@dataclass
class Array:
    """Numbers (or SVG attribute strings) for every combination of the sliders in ``dims``."""

    dims: tuple[int, ...]
    values: np.ndarray
    kind: str = "data"  # "data": 7 significant digits; "px": pixels, 1 decimal; "str": as is

    def json_values(self) -> list:
        """Every value as the page's JSON holds it (rounded by kind; None where not finite)."""
        return [self._json(v) for v in self._flat()]

    def json_value(self, k: int) -> object:
        """The ``k``-th value (flat index) as :meth:`json_values` sends it, without converting the rest."""
        return self._json(self._flat()[k])

    def _flat(self) -> np.ndarray:
        return np.asarray(self.values, dtype=object if self.kind == "str" else float).ravel()

    def _json(self, v: object) -> object:
        if self.kind == "str":
            return None if v is None else str(v)
        if self.kind == "px":
            return round(float(v), 1) if np.isfinite(v) else None
        return compact(v)


def pixels(ax: Axes, x: object, y: object, height: float, clamp: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """SVG pixel coordinates (y down) of data points ``(x, y)`` on ``ax``; non-finite stays NaN.

    With ``clamp`` (for dots) a point far off the axes is pulled in to ±PIXEL_LIMIT, which
    keeps it off the axes. Never clamp a line's ends: that bends the line. Clip lines first
    (:func:`line_in_axes`, :func:`path_in_axes`).
    """
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    with np.errstate(invalid="ignore", over="ignore"):
        px = ax.transData.transform(np.column_stack([x.ravel(), y.ravel()]))
    if clamp:
        px = np.clip(px, -PIXEL_LIMIT, PIXEL_LIMIT)
    # ±inf (1/x at 0) would clamp to a number: keep it NaN, so the element is hidden.
    px[~(np.isfinite(x.ravel()) & np.isfinite(y.ravel()))] = np.nan
    return px[:, 0].reshape(x.shape), (height - px[:, 1]).reshape(x.shape)


def line_in_axes(ax: Axes, x1, y1, x2, y2, height: float) -> tuple[np.ndarray, ...]:
    """The part of each segment (data) inside ``ax``'s limits, as SVG pixels ``x1, y1, x2, y2``.

    The segment is cut to the axes box as a line (Liang–Barsky), so its slope survives;
    NaN where no part is visible.
    """
    (x_lo, x_hi), (y_lo, y_hi) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    a, b, c, d = clip_segments(x1, y1, x2, y2, (x_lo, x_hi, y_lo, y_hi))
    (ax1, ay1), (ax2, ay2) = pixels(ax, a, b, height, clamp=False), pixels(ax, c, d, height, clamp=False)
    return ax1, ay1, ax2, ay2


def path_in_axes(ax: Axes, x: object, y: object, height: float) -> str:
    """SVG path data of the polyline through data points ``(x, y)``, cut to ``ax``'s box.

    The line breaks where it leaves the axes and where a point is not finite.
    """
    px, py = pixels(ax, x, y, height, clamp=False)
    left, top, width, tall = axes_clip(ax, height)
    return svg_path(px, py, (left, left + width, top, top + tall))


def axes_map(ax: Axes, height: float) -> str:
    """``"a,b,c,d"`` with pixel x = a + b·x and pixel y = c + d·y on ``ax`` (linear axes)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    px, py = pixels(ax, [x0, x1], [y0, y1], height)
    b, d = (px[1] - px[0]) / (x1 - x0), (py[1] - py[0]) / (y1 - y0)
    return ",".join(f"{v:.6g}" for v in (px[0] - b * x0, b, py[0] - d * y0, d))


def axes_clip(ax: Axes, height: float) -> tuple[float, float, float, float]:
    """The axes' box in SVG pixels: (x, y, width, height)."""
    (x0, y0), (x1, y1) = ax.get_window_extent().get_points()
    return round(x0, 1), round(height - y1, 1), round(x1 - x0, 1), round(y1 - y0, 1)


def color(name: str) -> str:
    """A matplotlib colour as ``#rrggbb``: SVG does not know "C1"."""
    return to_hex(name)


def _png(fig: Figure, scale: int = 1) -> bytes:
    """The figure as a 256-colour PNG: a third of the full-colour file, no visible change on plots.

    ``scale`` times the figure's pixels each way: the explorer's background is drawn at 2 and
    shown at the figure's size, so it stays sharp on 2x (phone, laptop) screens.
    """
    from PIL import Image

    dpi = fig.dpi
    try:
        fig.set_dpi(dpi * scale)
        fig.canvas.draw()
        rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    finally:
        fig.set_dpi(dpi)  # the SVG's pixel coordinates are the figure's own
    buffer = io.BytesIO()
    rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _value_at(array: Array, sizes: Sequence[int], idx: Sequence[int]) -> object:
    """The value at slider positions ``idx`` as the script sees it: rounded as sent, so the page's
    first state reads what moving a slider away and back reads (0.738242 became 0.738243)."""
    k = 0
    for d in array.dims:
        k = k * sizes[d] + idx[d]
    value = array.json_value(k)
    return value if array.kind == "str" or value is not None else np.nan


def _fill(text: str, arrays: Mapping[str, Array], sizes, idx, bad: list) -> str:
    names = set(FIELD_NAMES.findall(text))
    return fill_template(text, {k: _value_at(arrays[k], sizes, idx) for k in names if k in arrays}, bad)




@dataclass
class ClientExplorer:
    """A precomputed explorer: HTML for browsers, a PNG of the default state for everyone else.

    Attributes
    ----------
    html : str
        Self-contained HTML (picture, SVG overlay, labelled sliders, readout, script).
    png : bytes
        The whole figure at the default slider positions.
    alt : str
        What the figure shows, for screen readers and as the PNG's alt text.
    spec : dict
        The payload the script reads: slider sizes, arrays by name, element bindings.
    kernel : callable
        Builds the kernel-backed (ipywidgets) explorer with the same arguments.
    """

    html: str
    png: bytes
    alt: str
    text: str
    spec: dict
    kernel: Callable[[], object] = field(repr=False)
    #: Array names sent once under another name (same numbers): name -> the name sent.
    aliases: dict = field(default_factory=dict, repr=False)

    def array(self, name: str, full: bool = False) -> np.ndarray:
        """The payload's array ``name`` as the browser sees it (``None`` → NaN).

        It has one axis per slider it varies with (a value that does not change along a
        slider is sent once for all its positions); ``full=True`` spreads it over every slider.
        """
        entry = self.spec["arrays"][self.aliases.get(name, name)]
        sizes = [s["n"] for s in self.spec["sliders"]]
        values = entry["v"]
        if any(isinstance(v, str) for v in values):
            array = np.array(values, dtype=object)
        else:
            array = np.array([np.nan if v is None else v for v in values], dtype=float)
        array = array.reshape([sizes[d] for d in entry["dims"]])
        if not full:
            return array
        placed = array.reshape([sizes[d] if d in entry["dims"] else 1 for d in range(len(sizes))])
        return np.broadcast_to(placed, sizes)

    @property
    def payload_bytes(self) -> int:
        """Size of the HTML sent to the browser (picture, payload and script included)."""
        return len(self.html.encode("utf-8"))

    def _repr_mimebundle_(self, **_kwargs):
        data = {"text/plain": self.text, "text/html": self.html,
                "image/png": base64.b64encode(self.png).decode("ascii")}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return self.text

    def save(self, path: str) -> None:
        """Write a standalone HTML page with the explorer (it works from a file, no server)."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html_lib.escape(self.alt)}"
                       f"</title><body><main>{self.html}</main></body></html>")


def build(
    fig: Figure, name: str, alt: str, sliders: Sequence[Slider], arrays: Mapping[str, Array],
    elements: Sequence[tuple[str, str, Mapping[str, object], Mapping[str, str]]],
    readout: str, undefined: str, clips: Mapping[str, tuple[float, float, float, float]],
    maps: Mapping[str, str], kernel: Callable[[], object], defs: str = "", extra: str = "",
    texts: Sequence[tuple[str, str]] = (), play: tuple[int, int] | None = None,
) -> ClientExplorer:
    """Assemble a :class:`ClientExplorer` from a drawn figure and its precomputed arrays.

    ``elements`` are ``(tag, css class, static attributes, {attribute: array name})``; a
    static attribute ``clip`` names an entry of ``clips`` (the axes box it is clipped to).
    ``extra`` is more SVG (drawn last); ``texts`` are ``(css selector, template)`` pairs whose
    elements' text the script rewrites. A static attribute ``trail``, ``(points, slider)``,
    makes a polyline whose first k + 1 points show at position k of that slider; ``play``,
    ``(slider, interval_ms)``, puts a play button before that slider.
    The figure must hold only its static parts; the default state is drawn from the arrays.
    """
    fig.canvas.draw()
    width, height = (int(round(v)) for v in fig.canvas.get_width_height())
    background = _png(fig, scale=2)
    sizes = [len(s.values) for s in sliders]
    idx = [s.start for s in sliders]
    uid = f"gradlab-{name}-" + hashlib.sha1(background + json.dumps(
        {k: a.json_values() for k, a in arrays.items()}).encode()).hexdigest()[:12]
    spec = {
        "sliders": [{"name": s.name, "n": len(s.values), "text": s.text} for s in sliders],
        "arrays": {k: {"dims": list(a.dims), "v": a.json_values()} for k, a in arrays.items()},
        "els": [{"sel": f".{cls}", "attrs": dict(bound), **_trail(static)} for _, cls, static, bound in elements],
        "readout": readout, "undefined": undefined,
        "texts": [{"sel": sel, "text": text} for sel, text in texts],
    }
    if play:
        spec["play"] = {"axis": play[0], "interval": play[1], "marks": [PLAY_MARK, PAUSE_MARK]}
    shapes = []
    for tag, cls, static, bound in elements:
        attrs = dict(static)
        clip = attrs.pop("clip", None)
        trail = attrs.pop("trail", None)
        if trail:
            attrs["points"] = " ".join(trail[0][: idx[trail[1]] + 1])
        if clip:
            attrs["clip-path"] = f"url(#{uid}-clip-{clip})"
        hidden = False
        for attr, array in bound.items():
            value = _value_at(arrays[array], sizes, idx)
            if value is None or (not isinstance(value, str) and not np.isfinite(value)):
                hidden = True
            else:
                attrs[attr] = value if isinstance(value, str) else round(float(value), 1)
        attrs["visibility"] = "hidden" if hidden else "visible"
        text = "".join(f" {k}='{html_lib.escape(str(v), quote=True)}'" for k, v in attrs.items())
        shapes.append(f"<{tag} class='{cls}'{text}/>")
    clip_defs = "".join(
        f"<clipPath id='{uid}-clip-{key}'><rect x='{x}' y='{y}' width='{w}' height='{h}'/></clipPath>"
        for key, (x, y, w, h) in clips.items())
    map_attrs = "".join(f" data-map-{key}='{value}'" for key, value in maps.items())
    bad: list = []
    default_readout = _fill(readout, arrays, sizes, idx, bad)
    if bad:
        default_readout = _fill(undefined, arrays, sizes, idx, [])
    image = base64.b64encode(background).decode("ascii")
    controls = []
    # Labels of one width (about 0.6 em a character of their text): the sliders start under each other.
    label_width = f"{0.6 * max(len(re.sub(r'<[^>]+>', '', s.label)) for s in sliders) + 0.5:.1f}em"
    for i, s in enumerate(sliders):
        label = _fill(s.text, arrays, sizes, idx, [])
        button = (f"<button type='button' class='play' style='min-width:5.5em'><span class='icon' "
                  f"aria-hidden='true' style='{PLAY_MARK}'></span> <span class='word'>play</span></button> "
                  if play and play[0] == i else "")
        controls.append(
            f"<div style='margin:4px 0'>{button}<span style='display:inline-block;min-width:{label_width}'>"
            f"<label for='{uid}-{s.name}'>{s.label}</label></span> "
            f"<input type='range' id='{uid}-{s.name}' name='{s.name}' min='0' max='{sizes[i] - 1}' "
            f"step='1' value='{s.start}' {SUPPRESS_SHORTCUTS} aria-valuetext='{html_lib.escape(label, quote=True)}' "
            f"style='width:min(60%,360px);vertical-align:middle'> "
            f"<span class='value-{s.name}' aria-hidden='true'>{label}</span></div>")
    # The PNG of the default state (moving artists included) for alt-less front ends is the
    # image/png beside this HTML; the picture inside is the background only.
    body = (
        f"<div id='{uid}' class='{'gradlab-player' if play else 'gradlab-explorer'}' "
        f"style='font-family:sans-serif;font-size:13px;max-width:{width}px'>"
        f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' "
        f"aria-labelledby='{uid}-alt' style='max-width:100%;height:auto'{map_attrs}>"
        f"<title id='{uid}-alt'>{html_lib.escape(alt)}</title>"
        f"<defs>{clip_defs}{defs}</defs>"
        f"<image width='{width}' height='{height}' href='data:image/png;base64,{image}'/>"
        f"{''.join(shapes)}{extra}</svg>{''.join(controls)}"
        f"<output for='{' '.join(f'{uid}-{s.name}' for s in sliders)}' aria-live='polite' "
        f"style='display:block;margin:4px 0'>{default_readout}</output>"
        f"<script>{SCRIPT % {'id': uid, 'spec': json.dumps(spec, separators=(',', ':'))}}</script></div>"
    )
    return ClientExplorer(body, b"", alt, "", spec, kernel)


def _trail(static: Mapping[str, object]) -> dict:
    """The script's entry for a polyline revealed along a slider (see :func:`build`), if it is one."""
    trail = static.get("trail")
    return {"trail": {"pts": list(trail[0]), "axis": trail[1]}} if trail else {}
