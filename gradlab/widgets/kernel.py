"""The kernel renderer: a :class:`~gradlab.widgets.scene.Description` as ipywidgets + a blitted PNG.

The static figure comes from :func:`~gradlab.widgets.scene.build_figure` (the browser form's
too); each moving element becomes one animated matplotlib artist in its :class:`Look`. A
move computes the description at the new state (0-d arrays), sets the artists' data and
blits them (:class:`~gradlab.widgets.base.BlitFigure`). When what f reads changes (a global,
an attribute of f's object), the description is built afresh and the background redrawn:
the picture never shows an old f.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyArrowPatch

from gradlab.widgets import scene
from gradlab.widgets.base import BlitFigure, Explorer, aligned_step
from gradlab.widgets.readout import fill_template, plain

__all__ = ["KernelExplorer", "render_kernel"]


def make_control(control: scene.Control) -> widgets.Widget:
    """The ipywidget for ``control``, spanning its positions with the same step."""
    values, common = control.values, {"description": control.label, "style": {"description_width": "initial"}}
    if control.kind == "choice":
        return widgets.Dropdown(options=[str(v) for v in values], value=str(control.value), **common)
    if control.kind == "int":
        return widgets.IntSlider(value=int(control.value), min=int(values[0]), max=int(values[-1]), **common)
    if control.kind == "log":
        # A slider over exactly these values, each shown as the readout writes it (f"{v:g}"):
        # a FloatLogSlider's d3 format cannot drop trailing zeros, so it read "0.0100" beside "0.01".
        options = [(f"{float(v):g}", float(v)) for v in values]
        return widgets.SelectionSlider(options=options, value=float(control.value), **common)
    low, high, value = float(values[0]), float(values[-1]), float(control.value)
    step = aligned_step(value, low, high, max(1, len(values) - 1))
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, readout_format=control.fmt, **common)


def make_artist(element: scene.Element, ax) -> object:
    """An empty animated artist for ``element`` on ``ax``, in the element's look."""
    look = element.look
    if isinstance(element, scene.Text):
        return ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=element.size,
                       color=look.color)
    if isinstance(element, scene.Arrow):
        return ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=18,
                                            color=look.color, lw=look.lw, shrinkA=0, shrinkB=0))
    if isinstance(element, scene.Polygon3D):
        from mpl_toolkits.mplot3d.art3d import Poly3DCollection

        poly = Poly3DCollection([np.zeros((4, 3))], facecolor=look.color, edgecolor=look.color, alpha=look.alpha)
        ax.add_collection3d(poly)
        return poly
    dot = isinstance(element, (scene.Dot, scene.Dot3D))
    options = {"color": look.color, "lw": look.lw, "ls": look.ls}
    if dot:
        options = {"marker": "o", "ls": "none", "ms": look.ms, "color": look.color,
                   "mec": look.edge or look.color, "mew": 1.0 if look.edge else 0.0}
    if isinstance(element, scene.Dot3D):
        return ax.plot([], [], [], **options)[0]
    return ax.plot([], [], **options)[0]


def _item(value: object) -> object:
    array = np.asarray(value)
    return array.item() if array.dtype == object else array


def set_geometry(element: scene.Element, artist, geometry, fields) -> bool:
    """Put ``artist`` where ``geometry`` says; False when it is hidden (NaN or nothing)."""
    if isinstance(element, scene.Text):
        artist.set_text(superscript(fill_template(element.template, fields)))
        return True
    if isinstance(element, (scene.Path, scene.Trail)):
        points = np.asarray(_item(geometry), dtype=float).reshape(-1, 2)
        if isinstance(element, scene.Trail):
            points = points[: int(fields[element.along]) + 1]
        artist.set_data(points[:, 0], points[:, 1])
        return len(points) > 0
    if isinstance(element, scene.Polygon3D):
        corners = np.asarray(geometry, dtype=float)
        artist.set_verts([corners])
        return bool(np.isfinite(corners).all())
    numbers = [float(v) for v in geometry]
    if not np.isfinite(numbers).all():
        return False
    if isinstance(element, scene.Arrow):
        artist.set_positions(numbers[:2], numbers[2:])
    elif isinstance(element, scene.Line):
        artist.set_data(numbers[0::2], numbers[1::2])
    elif isinstance(element, scene.Dot3D):
        artist.set_data_3d(*([v] for v in numbers))
    else:
        artist.set_data([numbers[0]], [numbers[1]])
    return True


def superscript(text: str) -> str:
    """``x^[3]`` as ``x³`` (the browser draws the same superscript with a tspan).

    Plain characters, not mathtext: a blit draws the title on every move, and mathtext
    took most of the power-rule explorer's frame.

    >>> superscript("x^[-2]")
    'x⁻²'
    """
    table = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
    return re.sub(r"\^\[([^\]]*)\]", lambda m: m.group(1).translate(table), text)


class KernelExplorer(Explorer):
    """An explorer drawn in the kernel from a :class:`~gradlab.widgets.scene.Description`.

    Attributes
    ----------
    description : Description
        What it draws (rebuilt when f's outside state changes).
    panels : dict of str to Axes
        The figure's panels by name.
    artists : dict of str to Artist
        One matplotlib artist per moving element, by the element's name.
    fields : dict
        Everything computed at the current state (readout numbers and geometry).
    """

    def __init__(self, description: scene.Description):
        self.description = description
        self.f = description.function  # released by close(), with everything else that holds it
        self.fields: dict[str, object] = {}
        controls = {c.name: make_control(c) for c in description.controls}
        leading = []
        if description.play:  # steps its slider in the browser, the kernel drawing each step
            slider = controls[description.play]
            self.player = widgets.Play(value=slider.value, min=slider.min, max=slider.max,
                                       interval=description.interval_ms, description="play")
            self.link = widgets.jslink((self.player, "value"), (slider, "value"))
            leading.append(self.player)
        super().__init__(self._draw_background(), controls, leading=leading)
        self.refresh()

    def close(self) -> None:
        link = self.__dict__.pop("link", None)
        if link is not None:
            link.close()
        super().close()

    def _draw_background(self) -> BlitFigure:
        """The static figure and one empty artist per moving element (on a build or a rebuild)."""
        fig, self.panels = scene.build_figure(self.description)
        self.artists = {e.name: make_artist(e, self.panels[e.panel]) for e in self.description.elements}
        self._key = self.description.key() if self.description.key else None
        return BlitFigure(fig, self.artists.values())

    def _rebuild_if_stale(self, state) -> None:
        desc = self.description
        if desc.rebuild is None:
            return
        layout = {name: state[name] for name in desc.rebuild_on}
        moved = layout != getattr(self, "_layout", layout)
        self._layout = layout
        if not moved and (desc.key is None or desc.key() == self._key):
            return
        self.description = desc.rebuild(state)  # e.g. `p.a = 3.0` after tangent_explorer(p.f, ...)
        self.blit = self._draw_background()
        self.figure = self.blit.fig

    def state(self) -> dict[str, object]:
        """The controls' current values, as ``compute`` reads them."""
        state = {}
        for control in self.description.controls:
            value = self.controls[control.name].value
            state[control.name] = value if control.kind == "choice" else np.float64(value)
        return state

    def update_artists(self) -> str:
        state = self.state()
        self._rebuild_if_stale(state)
        for artist in self.artists.values():
            artist.set_visible(False)
        desc = self.description
        self.fields = fields = desc.fields(state)
        for element in desc.elements:
            shown = set_geometry(element, self.artists[element.name], fields.get(element.name), fields)
            self.artists[element.name].set_visible(shown)
        self._mark_still(state)
        bad: list = []
        text = fill_template(desc.readout, fields, bad)
        return fill_template(desc.undefined, fields) if bad else text

    def _mark_still(self, state) -> None:
        """Tell the blit which elements show what they showed last frame (their controls did not move)."""
        last = getattr(self, "_last_state", {})
        moved = {name for name, value in state.items() if last.get(name, object()) is not value and
                 last.get(name) != value}
        self._last_state = dict(state)
        still = [e for e in self.description.elements if e.depends is not None and not moved & set(e.depends)]
        self.blit.still = [self.artists[e.name] for e in still]
        self.blit.still_key = tuple((name, state[name]) for e in still for name in e.depends)

    def summary(self) -> str:
        return plain(fill_template(self.description.summary, self.fields)) if self.fields else self.description.name

    def __getattr__(self, name: str) -> object:
        # explorer.slope and friends: the readout's numbers at the current state.
        aliases = self.__dict__.get("description") and self.__dict__["description"].aliases
        if aliases and name in aliases:
            value = self.__dict__["fields"].get(aliases[name], np.nan)
            if isinstance(value, np.ndarray) and value.dtype == object:
                return value.item()
            number = isinstance(value, (float, np.floating, np.ndarray)) and np.ndim(value) == 0
            return float(value) if number else value
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")


def render_kernel(description: scene.Description) -> KernelExplorer:
    """The kernel form of ``description``: ipywidgets controls, a PNG frame per move."""
    return KernelExplorer(description)
