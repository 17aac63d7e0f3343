"""One description per explorer; two renderers draw it (kernel: :mod:`.kernel`, browser: :mod:`.client`).

An explorer is a picture in which a few things move with some sliders. Its
:class:`Description` says, once:

* ``draw_static(fig)``: everything that does not move (curves, contours, axes limits from
  :mod:`gradlab.view`, labels, notes), drawn with matplotlib; it returns the panels by name.
* ``controls``: the sliders (:class:`Control`), each with the positions it takes.
* ``elements``: what moves (:class:`Line`, :class:`Dot`, :class:`Path`, :class:`Trail`,
  :class:`Arrow`, :class:`Polygon3D`, :class:`Dot3D`, :class:`Text`), each with its panel and its
  :class:`Look` (colour, width, dashes, marker size). Give one a ``label`` and it gets a
  legend entry.
* ``compute(state)``: numbers for a state, ``{name: array}``. Slider values come in as
  arrays that broadcast together: 0-d in the kernel (one move), the whole grid of positions
  in the browser (one tape call). It returns each element's geometry in data units (NaN:
  hidden) under the element's name, and the readout's numbers under their own names.
* ``readout`` / ``undefined``: the text under the picture, ``{name:digits}`` placeholders
  (``{name:+4}`` as a signed term); ``undefined`` is shown when a placeholder is not finite.
* ``alt`` and ``summary``: the picture in words, and a one-line plain-text state.
* ``play`` (optional): a control a play button steps through, ``interval_ms`` apart (the
  path player: :func:`gradlab.path_player`).

The kernel renderer (``render_kernel``) builds ipywidgets from the controls, draws the
static figure once and blits the moving elements on each move. The browser renderer
(``render_browser``) calls ``compute`` on every slider position at once, sends the static
figure as a PNG and the elements as SVG that JavaScript updates. Both take styles, axes and
layout from the same :func:`build_figure`, so they draw the same picture: a new explorer is
one description and no renderer code.

>>> desc = Description("demo", lambda fig: {"ax": fig.add_subplot()},
...                    [Control("a", "a", np.linspace(0, 1, 11), 5, "a = {a:1}")],
...                    [Dot("dot", "ax", Look("black", ms=6))],
...                    lambda s: {"dot": (s["a"], s["a"] ** 2), "sq": s["a"] ** 2},
...                    readout="a² = {sq:2}", undefined="?", alt="a dot on y = x²", summary="a = {a:2}")
>>> float(desc.fields({"a": np.float64(0.5)})["sq"])
0.25
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from gradlab import style

__all__ = [
    "Arrow", "Control", "Description", "Dot", "Dot3D", "Line", "Look", "Path", "Polygon3D", "Text", "Trail",
    "build_figure", "dasharray", "snap", "superscripts",
]


@dataclass(frozen=True)
class Look:
    """How a moving element is drawn, in matplotlib's units (points), by both renderers.

    ``color`` is the line or the dot's fill; ``edge`` a dot's outline (None: none); ``lw``
    the line width; ``ls`` matplotlib's line style; ``ms`` a dot's diameter; ``alpha`` the
    fill opacity of a polygon.
    """

    color: str
    lw: float = style.LINEWIDTH
    ls: object = "-"
    ms: float = 0.0
    edge: str | None = None
    alpha: float = 1.0

    def hex(self) -> str:
        """The colour as ``#rrggbb``: SVG does not know matplotlib's names ("C1")."""
        return to_hex(self.color)


@dataclass(frozen=True)
class Element:
    """Something that moves: its name (the key of its geometry in ``compute``), panel and look."""

    name: str
    panel: str
    look: Look
    label: str | None = None  # a legend entry, drawn in the static figure
    #: The controls it moves with (None: every one). The kernel caches an element whose
    #: controls did not move with the background, instead of drawing it on every frame.
    depends: tuple[str, ...] | None = None


class Line(Element):
    """A straight segment ``(x1, y1, x2, y2)``, clipped to its panel as a line (its slope survives)."""


class Dot(Element):
    """A dot at ``(x, y)``."""


class Path(Element):
    """A polyline: for each state an (n, 2) array of points (an object array over the grid)."""


@dataclass(frozen=True)
class Trail(Element):
    """A path revealed point by point: ``compute`` gives the whole (n, 2) path, and at position k
    of the control ``along`` its first k + 1 points show (a descent drawn step by step).

    The browser receives the points once and shows a prefix, not a path per position."""

    along: str = "step"


class Arrow(Element):
    """An arrow from ``(x1, y1)`` to ``(x2, y2)``."""


class Polygon3D(Element):
    """A filled polygon on 3-D axes: an (..., k, 3) array of corners."""


class Dot3D(Element):
    """A dot at ``(x, y, z)`` on 3-D axes."""


@dataclass(frozen=True)
class Text(Element):
    """A line of text above the panel (a title that changes): ``template`` with ``{name}``
    fields; ``^[...]`` is a superscript in both renderers."""

    template: str = ""
    size: float = 15.0


@dataclass
class Control:
    """One slider (or picker) and the positions it takes.

    Attributes
    ----------
    name : str
        The state's key, as ``compute`` reads it.
    label : str
        Shown before the slider (plain text; the same in both forms).
    values : ndarray
        Its positions: the browser's slider runs over exactly these; the kernel's slider
        spans them with the same step (``kind="choice"``: the options).
    start : int
        Index of the starting position.
    text : str
        The value as shown beside the slider and announced, e.g. ``"{x0:3}"``.
    kind : {"float", "int", "log", "choice"}
        The kernel widget: FloatSlider, IntSlider, a SelectionSlider over ``values`` (``"log"``:
        shown as ``f"{v:g}"``) or Dropdown.
    in_browser : bool
        False: a kernel-only control (too many states to precompute); the browser form
        keeps it at its start.
    fmt : str
        The kernel slider's readout format (d3-format).
    """

    name: str
    label: str
    values: np.ndarray
    start: int
    text: str
    kind: str = "float"
    in_browser: bool = True
    fmt: str = ".3f"

    @property
    def value(self) -> object:
        """The starting value."""
        return self.values[self.start]


@dataclass
class Description:
    """Everything about an explorer that is not how it is drawn (see the module docstring)."""

    name: str
    draw_static: Callable[[Figure], Mapping[str, Axes]]
    controls: Sequence[Control]
    elements: Sequence[Element]
    compute: Callable[[Mapping[str, object]], Mapping[str, object]]
    readout: str
    undefined: str
    alt: str
    summary: str
    figsize: tuple[float, float] = style.FIGSIZE
    legends: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    #: Optional: the browser's ``compute`` over the whole grid (e.g. batched paths), same keys.
    compute_grid: Callable[[Mapping[str, np.ndarray]], Mapping[str, object]] | None = None
    #: What f reads from outside (gradlab.calculus.state_key): when it changes, rebuild.
    key: Callable[[], object] | None = None
    #: Builds the description afresh for a state (the kernel renderer calls it when ``key``
    #: changes, or a control in ``rebuild_on`` moves).
    rebuild: Callable[[Mapping[str, object]], Description] | None = None
    #: Kernel-only controls that change the static figure (descent: the steps and the start
    #: set the loss axes); moving one redraws the whole figure, any other move is a blit.
    rebuild_on: tuple[str, ...] = ()
    #: Attribute names of the kernel explorer → readout fields (``explorer.slope``).
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: The function explored (None for the power rule), kept as ``explorer.f``.
    function: Callable | None = None
    #: A control that a play button steps through, one position every ``interval_ms``.
    play: str | None = None
    interval_ms: int = 40
    #: Makes the blank figure ``draw_static`` draws on (default: a new one of ``figsize``);
    #: the path player draws over a copy of the reader's own figure.
    figure: Callable[[], Figure] | None = None

    def __post_init__(self) -> None:
        from gradlab.widgets.readout import terms_together

        self.readout = terms_together(self.readout)  # both renderers break lines between terms only

    def start_state(self) -> dict[str, object]:
        """Every control at its start position."""
        return {c.name: c.value for c in self.controls}

    def fields(self, state: Mapping[str, object]) -> dict[str, object]:
        """The state's control values and everything ``compute`` returns for it."""
        return {**state, **self.compute(state)}

    def control(self, name: str) -> Control:
        """The control called ``name``."""
        return next(c for c in self.controls if c.name == name)


def build_figure(desc: Description) -> tuple[Figure, dict[str, Axes]]:
    """The static figure both renderers start from: drawn, legends added, layout solved and frozen.

    The layout is frozen before any moving element exists, so the panels sit at the same
    pixels in both forms, whatever moves later.
    """
    from gradlab.widgets.base import new_figure

    fig = desc.figure() if desc.figure else new_figure(desc.figsize)
    panels = dict(desc.draw_static(fig))
    for element in desc.elements:
        if element.label:  # a legend entry in the element's own look
            look = element.look
            panels[element.panel].plot([], [], color=look.color, lw=look.lw, ls=look.ls, label=element.label)
    for panel, options in desc.legends.items():
        panels[panel].legend(**options)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return fig, panels


def dasharray(linestyle: object, linewidth: float, dpi: float) -> str:
    """SVG ``stroke-dasharray`` (pixels) of matplotlib's ``linestyle`` at ``dpi``; "" if solid.

    >>> dasharray("-", 2.0, 100)
    ''
    >>> dasharray("--", 2.0, 100)
    '10.3 4.4'
    """
    _, dashes = Line2D([], [], linestyle=linestyle, linewidth=linewidth)._dash_pattern
    if not dashes:
        return ""
    return " ".join(f"{d * dpi / 72:.1f}" for d in dashes)


def superscripts(text: str) -> list[tuple[str, bool]]:
    """``"x^[{n}] + 1"`` → ``[("x", False), ("{n}", True), (" + 1", False)]`` (``^[...]``: superscript).

    >>> superscripts("x^[3] + 1")
    [('x', False), ('3', True), (' + 1', False)]
    """
    parts: list[tuple[str, bool]] = []
    while "^[" in text:
        before, rest = text.split("^[", 1)
        inner, text = rest.split("]", 1)
        parts += [(before, False), (inner, True)]
    return [*parts, (text, False)]


def snap(positions: np.ndarray, value: float) -> int:
    """Index of the slider position nearest ``value``, moved onto ``value`` exactly (in range).

    >>> grid = np.linspace(0, 1, 5)
    >>> snap(grid, 0.3), float(grid[1])
    (1, 0.3)
    """
    k = int(np.argmin(np.abs(positions - value)))
    positions[k] = min(max(value, positions[0]), positions[-1])
    return k
