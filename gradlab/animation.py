"""Animated descent paths as a small self-contained HTML player (no ffmpeg, no video).

Matplotlib's ``FuncAnimation.to_jshtml`` embeds one full PNG per frame: 120 frames of a
contour plot are megabytes. A player is an explorer (:mod:`gradlab.widgets.scene`) with one
``step`` slider and a play button: the reader's figure is its static picture, each path a
:class:`~gradlab.widgets.scene.Trail` revealed point by point with a dot at its end. The
browser renderer sends the picture once as a PNG and the paths as numbers; ``.kernel()``
gives the same player as ipywidgets. Where JavaScript does not run (GitHub, an untrusted
notebook, print) the full paths show.
"""

from __future__ import annotations

import pickle
import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from gradlab import style
from gradlab.accessibility import describe
from gradlab.widgets import scene
from gradlab.widgets.client import ClientExplorer
from gradlab.widgets.readout import literal

__all__ = ["PathPlayer", "path_colors", "path_player"]

#: Pixel coordinates past this are cut with a note: browsers reject SVG numbers far beyond it.
MAX_PIXEL = 1e7


class PathPlayer(ClientExplorer):
    """An HTML animation of paths over a picture; displays itself in a notebook.

    Attributes (beside :class:`~gradlab.widgets.client.ClientExplorer`'s)
    ----------
    frames : int
        Positions of the step slider (the longest path's points, or ``max_frames``).
    n_paths : int
        Paths drawn.
    notes : tuple of str
        Paths cut at a non-finite point, as shown under the player.
    """

    frames: int = 0
    n_paths: int = 0
    notes: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"PathPlayer({self.frames} frames, {self.n_paths} path(s))"


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
    # Shifted once per round of colours: path 6 is not path 0 again (36 distinct pairs).
    colors, styles = len(style.PATH_COLORS), len(style.PATH_LINESTYLES)
    return [style.PATH_LINESTYLES[(i + i // colors) % styles] for i in range(n)]


def path_player(
    ax: Axes, paths: Mapping[str, np.ndarray], interval_ms: int = 20, max_frames: int | None = None,
    legend_outside: bool = False,
) -> PathPlayer:
    """Animate ``paths`` (label → array of (x, y) points) over the figure that holds ``ax``.

    Draw the background (contours, labels) on ``ax`` first; the figure is rendered once at
    its current size and dpi, then closed from pyplot so it is not shown twice (the reader's
    axes are left as they were: the player draws on a copy). Frame k shows every path up to
    its k-th point, ``interval_ms`` apart; a legend names the paths (``legend_outside=True``:
    right of the axes, where it hides no contour).

    Parameters
    ----------
    ax : matplotlib Axes
        2-D axes holding the background.
    paths : dict of str to array-like
        Label → (n, 2) points. A path is cut before its first point that is not finite or
        too far out to draw, with a note under the player.
    interval_ms : int
        Milliseconds between frames when playing (1 to 60000).
    max_frames : int or None
        Show only the first ``max_frames`` points of each path (a note says so); None: all.
    legend_outside : bool
        Put the legend right of the axes (the axes narrow to make room).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> player = path_player(ax, {"sgd": np.array([[0, 0], [1, 1]])})
    >>> player.frames
    2
    """
    _check_axes(ax)
    whole = isinstance(interval_ms, (int, np.integer)) and not isinstance(interval_ms, bool)
    if not whole or not 1 <= interval_ms <= 60_000:
        raise ValueError(f"interval_ms must be a whole number of milliseconds from 1 to 60000 (20 is smooth, "
                         f"200 is slow); got {interval_ms!r}")
    if not isinstance(legend_outside, bool):
        raise ValueError(f"legend_outside must be True or False; got {legend_outside!r}")
    paths, notes = _checked_paths(paths)
    if max_frames is not None:
        if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 1:
            raise ValueError(f"max_frames must be a whole number of at least 1 (or None for every point); "
                             f"got {max_frames!r}")
    fig = ax.figure
    plt.close(fig)  # shown through the player only, not again as a static figure
    if not isinstance(fig.canvas, FigureCanvasAgg):  # closing leaves a canvas that cannot render
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    notes += _cut_to_pixels(ax, paths)
    frames = max(len(p) for p in paths.values())
    if max_frames is not None and max_frames < frames:
        frames = int(max_frames)
        notes.append(f"only the first {frames} point(s) of each path are shown (max_frames = {frames})")
        paths = {label: points[:frames] for label, points in paths.items()}
    notes += [f"{label} lies outside the axes' limits" for label, points in paths.items() if not _in_view(ax, points)]
    legend = ({"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0} if legend_outside
              else {"loc": "upper right"})
    legend.update(fontsize=8, handlelength=4)
    if legend_outside:
        _make_room_for_legend(ax, [legend_label(label) for label in paths], legend)
    alt = describe(fig).rstrip(".") + ", with " + ", ".join(
        f"the path of {label} drawn over it" for label in paths) + " (step slider below)." + "".join(
        f" {note}." for note in notes)
    desc = _description(fig, fig.axes.index(ax), paths, frames, interval_ms, legend, alt, notes)
    player = scene_player(desc)
    player.frames, player.n_paths, player.notes = frames, len(paths), tuple(notes)
    player.text = repr(player)  # the plain-text form, where no HTML shows
    return player


def legend_label(label: str) -> str:
    """``label`` wrapped for the legend: a long one pushed an outside legend off the picture."""
    return textwrap.fill(label, 28)


def _check_axes(ax: object) -> None:
    """Refuse what the player cannot draw over, saying what to pass instead."""
    from matplotlib.figure import Figure

    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be matplotlib axes with the background drawn on them, e.g. from "
                         f"fig, ax = plt.subplots(); got {type(ax).__name__}")
    if ax.name != "rectilinear":
        raise ValueError(f"path_player draws on flat x-y axes; got {ax.name!r} axes: draw the background "
                         "on axes from plt.subplots()")
    if not isinstance(ax.figure, Figure):
        raise ValueError("ax is in a subfigure: give the player axes in a figure of their own")


def _in_view(ax: Axes, points: np.ndarray) -> bool:
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    return bool(((points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)).any())


def scene_player(desc: scene.Description) -> PathPlayer:
    """The browser form of a player's description, as a :class:`PathPlayer`."""
    from gradlab.widgets.svg import render_browser

    explorer = render_browser(desc)
    player = PathPlayer(**{name: getattr(explorer, name) for name in explorer.__dataclass_fields__})
    player.description = explorer.description
    return player


def _description(fig, axes_index: int, paths: Mapping[str, np.ndarray], frames: int, interval_ms: int,
                 legend: dict, alt: str, notes: list[str]) -> scene.Description:
    """The player as an explorer: the reader's figure (a copy per renderer), a step slider, trails."""
    try:  # a copy for each later renderer (.kernel()); after plt.close, a copy is not in pyplot
        blob: bytes | str = pickle.dumps(fig)
    except Exception as error:  # noqa: BLE001 - a figure holding a lambda or a local function
        blob = f"{type(error).__name__}: {error}"
    unused = [fig]

    def figure():
        if isinstance(blob, str) and unused:  # no copy possible: the browser form draws on the reader's own
            return unused.pop()
        if isinstance(blob, str):
            raise ValueError(f"this player has no kernel form: its figure cannot be copied ({blob}); "
                             "draw the background without local functions or lambdas to get one")
        copy = pickle.loads(blob)
        FigureCanvasAgg(copy)
        return copy

    colors, linestyles = path_colors(len(paths)), path_linestyles(len(paths))
    elements: list[scene.Element] = []
    for i, label in enumerate(paths):
        # Each path in its own colour and dashes (paths that overlap stay told apart), in the legend too.
        elements.append(scene.Trail(f"path-{i}", "ax", scene.Look(colors[i], ls=linestyles[i]),
                                    label=legend_label(label)))
        elements.append(scene.Dot(f"end-{i}", "ax", scene.Look(colors[i], ms=8 * 72 / fig.dpi)))
    points = list(paths.values())

    def compute(state):
        step = np.asarray(state["step"]).astype(int)
        fields: dict[str, object] = {}
        for i, path in enumerate(points):
            fields[f"path-{i}"] = path
            end = path[np.minimum(step, len(path) - 1)]
            fields[f"end-{i}"] = (end[..., 0], end[..., 1])
        return fields

    note_text = "".join(f"<p class='note' style='margin:2px 0;color:#b00'>{literal(note)}.</p>" for note in notes)
    return scene.Description(
        "player", lambda copy: {"ax": copy.axes[axes_index]},
        [scene.Control("step", "step", np.arange(frames), frames - 1, f"{{step}} / {frames - 1}", kind="int")],
        elements, compute, readout=note_text, undefined=note_text, alt=alt,
        summary=f"step {{step}} / {frames - 1}", legends={"ax": legend},
        play="step", interval_ms=interval_ms, figure=figure)


def _make_room_for_legend(ax: Axes, labels: list[str], options: dict) -> None:
    """Narrow ``ax`` until a legend right of it fits inside the figure (no layout engine does it here)."""
    fig = ax.figure
    if fig.get_layout_engine() is not None:
        return  # constrained or tight layout already makes room for an outside legend
    handles = [Line2D([], [], lw=style.LINEWIDTH, ls=ls) for ls in path_linestyles(len(labels))]
    trial = ax.legend(handles, labels, **options)
    fig.canvas.draw()
    overflow = trial.get_window_extent().x1 + 4 - fig.bbox.x1  # pixels past the right edge
    trial.remove()
    if overflow > 0:
        box = ax.get_position()
        ax.set_position([box.x0, box.y0, max(box.width - overflow / fig.bbox.width, 0.2), box.height])
        fig.canvas.draw()


def _cut_to_pixels(ax: Axes, paths: dict[str, np.ndarray]) -> list[str]:
    """Cut each path where it stops being drawable (1e308 is finite in data but not in pixels)."""
    notes = []
    for label, points in paths.items():
        with np.errstate(over="ignore", invalid="ignore"):
            xy = ax.transData.transform(points)
        xy[np.abs(xy) > MAX_PIXEL] = np.nan  # finite, but past what a browser draws (1e200 erased the line)
        good = _finite_prefix(xy)
        if good == 0:
            raise ValueError(f"path {label!r} starts at {points[0].tolist()}, too far out to draw on these axes")
        if good < len(xy):
            notes.append(f"{label} stops after {good} point(s): point {good + 1} is too large to draw")
            paths[label] = points[:good]
    return notes


def _finite_prefix(points: np.ndarray) -> int:
    """How many leading rows of ``points`` are all finite."""
    bad = ~np.isfinite(points).all(axis=1)
    return int(bad.argmax()) if bad.any() else len(points)


def _checked_paths(paths: Mapping[str, object]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Each path as a float (n, 2) array cut before its first non-finite point, and notes on the cuts.

    A NaN written into SVG makes the browser drop the whole line: cut it where it stops being
    a number (as :func:`gradlab.descend` does) and say so; refuse what has nothing to draw.
    """
    if not isinstance(paths, Mapping):
        raise ValueError(f"paths must be a dict of label → (n, 2) points, e.g. {{'sgd': points}}; "
                         f"got {type(paths).__name__}")
    if not paths:
        raise ValueError("paths is empty: pass at least one label → (n, 2) array of points")
    checked, notes = {}, []
    for label, points in paths.items():
        if not isinstance(label, str) or not label or label.startswith("_"):
            raise ValueError(f"each path's label must be text, not empty and not starting with '_' "
                             f"(the legend hides such labels); got {label!r}")
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
