"""The browser renderer: a :class:`~gradlab.widgets.scene.Description` as SVG + JavaScript, no kernel.

``compute`` runs once over every slider position (the browser controls' grid); each moving
element becomes one SVG element whose attributes, in pixels, are precomputed for every
position (:mod:`gradlab.widgets.client` assembles the page and its script). A line is cut
to its panel as a line (:func:`~gradlab.widgets.client.line_in_axes`), so its slope
survives leaving the axes. The fallback PNG of the default state is drawn with the kernel
renderer's own artists (:func:`gradlab.widgets.kernel.make_artist`).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping

import numpy as np

from gradlab.widgets import scene
from gradlab.widgets.client import (
    Array,
    ClientExplorer,
    Slider,
    _png,
    axes_clip,
    axes_map,
    build,
    line_in_axes,
    path_in_axes,
    pixels,
)
from gradlab.widgets.readout import fill_template, plain

__all__ = ["render_browser", "state_grid"]


def state_grid(desc: scene.Description) -> tuple[dict[str, object], tuple[int, ...]]:
    """Every browser control's positions, each along its own axis; kernel-only ones at their start."""
    browser = [c for c in desc.controls if c.in_browser]
    shape = tuple(len(c.values) for c in browser)
    state: dict[str, object] = {}
    for control in desc.controls:
        if control.in_browser:
            axis = browser.index(control)
            index = [1] * len(shape)
            index[axis] = len(control.values)
            state[control.name] = np.asarray(control.values).reshape(index)
        else:
            state[control.name] = control.value if control.kind == "choice" else np.float64(control.value)
    return state, shape


def _broadcast(value: object, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(value)
    return np.broadcast_to(array, shape + array.shape[len(shape):] if array.ndim > len(shape) else shape)


def compact(values: np.ndarray, kind: str = "data") -> Array:
    """An :class:`Array` over only the slider axes along which ``values`` changes."""
    values = np.asarray(values)
    dims = []
    for d in range(values.ndim):
        first = np.take(values, [0], axis=d)
        if values.dtype == object:
            same = np.all(values == first)
        else:
            with np.errstate(invalid="ignore"):
                same = np.all((values == first) | (np.isnan(values) & np.isnan(first)))
        if same:
            values = first
        else:
            dims.append(d)
    keep = tuple(d for d in range(values.ndim) if d not in dims)
    return Array(tuple(dims), np.squeeze(values, axis=keep), kind)


def _project(ax, xs, ys, zs, height):
    from mpl_toolkits.mplot3d import proj3d

    shape = np.shape(xs)
    with np.errstate(invalid="ignore"):
        u, v, _ = proj3d.proj_transform(np.ravel(xs), np.ravel(ys), np.ravel(zs), ax.get_proj())
    px, py = pixels(ax, u, v, height)
    return px.reshape(shape), py.reshape(shape)


def _geometry(element: scene.Element, ax, value, shape, height, dpi) -> tuple[str, dict, dict[str, Array]]:
    """SVG tag, static attributes and precomputed pixel arrays of one moving element."""
    look, name = element.look, element.name
    px_w = look.lw * dpi / 72
    if isinstance(element, (scene.Line, scene.Arrow)):
        ends = [_broadcast(v, shape) for v in value]
        if isinstance(element, scene.Line):
            x1, y1, x2, y2 = line_in_axes(ax, *ends, height)
        else:
            (x1, y1), (x2, y2) = pixels(ax, ends[0], ends[1], height), pixels(ax, ends[2], ends[3], height)
        attrs = {"stroke": look.hex(), "stroke-width": round(px_w, 2)}
        dash = scene.dasharray(look.ls, look.lw, dpi)
        if dash:
            attrs["stroke-dasharray"] = dash
        if isinstance(element, scene.Arrow):
            attrs["marker-end"] = f"url(#ARROW-{name})"
        return "line", attrs, {f"{name}-{k}": compact(v, "px") for k, v in
                               zip(("x1", "y1", "x2", "y2"), (x1, y1, x2, y2), strict=True)}
    if isinstance(element, (scene.Dot, scene.Dot3D)):
        if isinstance(element, scene.Dot3D):
            cx, cy = _project(ax, *(_broadcast(v, shape) for v in value), height)
        else:
            cx, cy = pixels(ax, _broadcast(value[0], shape), _broadcast(value[1], shape), height)
        attrs = {"r": round(look.ms / 2 * dpi / 72, 2), "fill": look.hex()}
        if look.edge:
            attrs.update({"stroke": scene.Look(look.edge).hex(), "stroke-width": round(dpi / 72, 2)})
        return "circle", attrs, {f"{name}-cx": compact(cx, "px"), f"{name}-cy": compact(cy, "px")}
    if isinstance(element, scene.Path):
        items = np.asarray(value, dtype=object)  # over the sliders it depends on: each path drawn once
        d = np.empty(items.shape, dtype=object)
        for index in np.ndindex(items.shape):
            points = np.asarray(items[index], dtype=float).reshape(-1, 2)
            d[index] = path_in_axes(ax, points[:, 0], points[:, 1], height) or None
        d = _broadcast(d, shape)
        attrs = {"fill": "none", "stroke": look.hex(), "stroke-width": round(px_w, 2)}
        dash = scene.dasharray(look.ls, look.lw, dpi)
        if dash:
            attrs["stroke-dasharray"] = dash
        return "path", attrs, {f"{name}-d": compact(d, "str")}
    if isinstance(element, scene.Trail):  # the points once; the script shows a prefix
        points = np.asarray(value, dtype=float).reshape(-1, 2)
        px, py = pixels(ax, points[:, 0], points[:, 1], height, clamp=False)
        attrs = {"fill": "none", "stroke": look.hex(), "stroke-width": round(px_w, 2),
                 "trail": [f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)]}
        dash = scene.dasharray(look.ls, look.lw, dpi)
        if dash:
            attrs["stroke-dasharray"] = dash
        return "polyline", attrs, {}
    if isinstance(element, scene.Polygon3D):
        corners = _broadcast(value, shape)
        qx, qy = _project(ax, corners[..., 0], corners[..., 1], corners[..., 2], height)
        points = np.empty(shape, dtype=object)
        for index in np.ndindex(shape):
            ok = np.isfinite(qx[index]).all() and np.isfinite(qy[index]).all()
            corners = [f"{a:.1f},{b:.1f}" for a, b in zip(qx[index], qy[index], strict=True)]
            # A cut polygon repeats its last corner to a fixed count: send each corner once.
            points[index] = " ".join(c for k, c in enumerate(corners) if k == 0 or c != corners[k - 1]) if ok else None
        attrs = {"fill": look.hex(), "fill-opacity": look.alpha, "stroke": look.hex(), "stroke-opacity": look.alpha}
        return "polygon", attrs, {f"{name}-points": compact(points, "str")}
    raise TypeError(f"no browser drawing for {type(element).__name__}")


_ATTRS = {"line": ("x1", "y1", "x2", "y2"), "circle": ("cx", "cy"), "path": ("d",), "polygon": ("points",),
          "polyline": ()}


def _text_element(element: scene.Text, ax, height: float, dpi: float,
                  fields: Mapping[str, object]) -> tuple[str, list[tuple[str, str]]]:
    """An SVG ``<text>`` above ``ax`` where the kernel puts its title, with a tspan per piece.

    Each piece is written filled for the default state (``fields``): where no script runs
    the title must not read ``{n}``; the script refills it on every move."""
    x, y = ax.transAxes.transform((0.5, 1.02))
    pieces, texts = [], []
    for k, (part, sup) in enumerate(scene.superscripts(element.template)):
        cls = f"{element.name}-{k}"
        shift = " baseline-shift='super' font-size='70%'" if sup else ""
        pieces.append(f"<tspan class='{cls}'{shift}>{html_lib.escape(fill_template(part, fields))}</tspan>")
        texts.append((f".{cls}", part))
    svg = (f"<text class='{element.name}' x='{x:.1f}' y='{height - y - 4:.1f}' text-anchor='middle' "
           f"font-size='{element.size * dpi / 72:.1f}' fill='{element.look.hex()}'>{''.join(pieces)}</text>")
    return svg, texts


def _arrow_marker(element: scene.Arrow) -> str:
    return (f"<marker id='ARROW-{element.name}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='5' "
            f"markerHeight='5' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
            f"fill='{element.look.hex()}'/></marker>")


def default_frame(desc: scene.Description, fig, panels, fields: Mapping[str, object]) -> bytes:
    """The default state drawn with the kernel renderer's artists, as the fallback PNG."""
    from gradlab.widgets.kernel import make_artist, set_geometry

    artists = []
    for element in desc.elements:
        artists.append(artist := make_artist(element, panels[element.panel]))
        artist.set_visible(set_geometry(element, artist, fields.get(element.name), fields))
    png = _png(fig)
    for artist in artists:  # the figure goes back to its static parts (a player's is the reader's own)
        artist.remove()
    return png


def render_browser(desc: scene.Description) -> ClientExplorer:
    """The browser form of ``desc``: every position precomputed, SVG moved by a short script."""
    fig, panels = scene.build_figure(desc)
    width, height = fig.canvas.get_width_height()
    dpi = fig.dpi
    state, shape = state_grid(desc)
    computed = (desc.compute_grid or desc.compute)(state)
    elements_by_name = {e.name: e for e in desc.elements}
    browser = [c for c in desc.controls if c.in_browser]
    arrays: dict[str, Array] = {}
    for axis, control in enumerate(browser):
        arrays[control.name] = Array((axis,), np.asarray(control.values), "str" if control.kind == "choice" else "data")
    for key, value in computed.items():
        if key not in elements_by_name:
            array = np.asarray(value)
            kind = "str" if array.dtype.kind in "OUS" else "data"
            arrays[key] = compact(_broadcast(array.astype(object) if kind == "str" else array, shape), kind)
    start = {c.name: c.start for c in browser}
    trails = {e.name for e in desc.elements if isinstance(e, scene.Trail)}  # whole paths, not over the grid
    fields = {**{c.name: c.value for c in desc.controls},
              **{k: v if k in trails else _at(v, [start[c.name] for c in browser], shape)
                 for k, v in computed.items()}}
    svg_elements, extra, texts, defs = [], [], [], []
    for element in desc.elements:
        ax = panels[element.panel]
        if isinstance(element, scene.Text):
            svg, pieces = _text_element(element, ax, height, dpi, fields)
            extra.append(svg)
            texts += pieces
            continue
        tag, attrs, bound = _geometry(element, ax, computed[element.name], shape, height, dpi)
        arrays.update(bound)
        attrs["clip"] = element.panel
        if isinstance(element, scene.Trail):
            attrs["trail"] = (attrs["trail"], [c.name for c in browser].index(element.along))
        svg_elements.append((tag, element.name, attrs,
                             {a: f"{element.name}-{a}" for a in _ATTRS[tag]}))
        if isinstance(element, scene.Arrow):
            defs.append(_arrow_marker(element))
    arrays, aliases = _shared(arrays)
    svg_elements = [(tag, cls, attrs, {a: aliases.get(n, n) for a, n in bound.items()})
                    for tag, cls, attrs, bound in svg_elements]
    clips = {name: axes_clip(ax, height) for name, ax in panels.items()}
    maps = {name: axes_map(ax, height) for name, ax in panels.items() if ax.name != "3d"}
    sliders = [Slider(c.name, c.label, np.asarray(c.values), c.start, c.text) for c in browser]
    play = ([c.name for c in browser].index(desc.play), desc.interval_ms) if desc.play else None
    explorer = build(fig, desc.name, desc.alt, sliders, arrays, svg_elements, desc.readout, desc.undefined,
                     clips, maps, kernel=lambda: _kernel(desc), defs="".join(defs), extra="".join(extra),
                     texts=texts, play=play)
    uid = explorer.html.split("id='", 1)[1].split("'", 1)[0]
    explorer.html = explorer.html.replace("ARROW-", f"{uid}-arrow-")  # unique on a page of several
    explorer.aliases = aliases
    explorer.png = default_frame(desc, fig, panels, fields)
    explorer.text = "browser_" + plain(fill_template(desc.summary, fields))  # text/plain: no tags
    explorer.description = desc
    return explorer


def _shared(arrays: dict[str, Array]) -> tuple[dict[str, Array], dict[str, str]]:
    """Send an element's pixel array once when another holds the same (a dot's x and another's)."""
    kept: dict[str, Array] = {}
    seen: dict[tuple, str] = {}
    aliases: dict[str, str] = {}
    for name, array in arrays.items():
        signature = (array.dims, array.kind, tuple(array.json_values()))
        if array.kind == "px" and signature in seen:
            aliases[name] = seen[signature]
            continue
        seen.setdefault(signature, name)
        kept[name] = array
    return kept, aliases


def _at(value: object, index: list[int], shape: tuple[int, ...]) -> object:
    """``value`` (an array over the grid, or a tuple of them) at one grid position."""
    if isinstance(value, tuple):
        return tuple(_at(v, index, shape) for v in value)
    return _broadcast(np.asarray(value), shape)[tuple(index)]


def _kernel(desc: scene.Description):
    from gradlab.widgets.kernel import render_kernel

    return render_kernel(desc)
