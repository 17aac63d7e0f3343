"""What every kernel explorer shares: a blitting Agg figure, a PNG frame in a core Image widget.

(:mod:`gradlab.widgets.kernel` fills it from a description; this module holds the parts that
do not depend on what is drawn: the blit, the PNG encoder, the widget layout and closing.)

Why not ``interact`` and a fresh ``plt.figure`` per move? That redraws everything (axes,
ticks, text, the function's curve) on every slider step, ~80 ms, and stacks figures in
Colab. Here the static parts are drawn once; a move restores the cached background, draws
only the artists that moved, and encodes a PNG (fast zlib level) into an ``ipywidgets.Image``,
which JupyterLab, Colab and ipywidgets 7 and 8 all render with no extra extension.
Measured (bench/widgets.py): ~8 ms per move for a 1-D explorer, ~6× faster than re-plotting.
"""

from __future__ import annotations

import base64
import os
import struct
import sys
import weakref
import zlib
from collections.abc import Iterable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gradlab import style

__all__ = ["BlitFigure", "Explorer", "encode_png", "new_figure"]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an (h, w, 4) RGBA or (h, w, 3) RGB uint8 image: no row filters, zlib at ``level``.

    Why not Pillow? Its encoder picks a filter per row, which costs ~12 ms for a 640×400
    frame; plots are mostly flat colour, which zlib packs well unfiltered: ~3 ms here, for
    a file of the same size. The result is a standard PNG (colour type 6 or 2, 8 bits).
    """
    height, width, channels = rgba.shape
    rows = np.empty((height, 1 + channels * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + _png_chunk(b"IEND", b""))


def new_figure(figsize: tuple[float, float] = style.FIGSIZE) -> Figure:
    """A figure outside pyplot's registry: no inline auto-display, no leak per explorer."""
    fig = Figure(figsize=figsize, dpi=style.DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


class BlitFigure:
    """Draw a figure's static parts once; redraw only its moving artists on each update."""

    def __init__(self, fig: Figure, moving: Iterable[Artist]):
        self.fig = fig
        self.canvas: FigureCanvasAgg = fig.canvas  # type: ignore[assignment]
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)
        self._background = None

    def invalidate(self) -> None:
        """Forget the cached background, e.g. after the static curve itself changed."""
        self._background = None

    def render(self) -> np.ndarray:
        """Bring the canvas up to date and return its RGBA pixels.

        Moving artists listed in ``self.still`` (with ``self.still_key`` saying what they
        show) did not move this time, e.g. the power rule's curve while only x moves: they
        are drawn into a second cached background, once per key, not on every frame.
        """
        if self._background is None:
            # Constrained layout is solved once, then frozen so a blit never shifts the axes.
            self.canvas.draw()
            self.fig.set_layout_engine("none")
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._layer = None
        still = [a for a in getattr(self, "still", ()) if a.get_visible()]
        key = (getattr(self, "still_key", None), tuple(id(a) for a in still))
        if still and self._layer is not None and self._layer[0] == key:
            self.canvas.restore_region(self._layer[1])
        else:
            self.canvas.restore_region(self._background)
            if still:
                self._draw(still)
                self._layer = (key, self.canvas.copy_from_bbox(self.fig.bbox))
        self._draw([a for a in self.moving if a not in still])
        return np.asarray(self.canvas.buffer_rgba())

    @staticmethod
    def _draw(artists) -> None:
        for artist in artists:
            if artist.get_visible():
                if hasattr(artist, "do_3d_projection"):
                    artist.do_3d_projection()
                artist.axes.draw_artist(artist)

    def png(self) -> bytes:
        """The current frame as PNG bytes (see :func:`encode_png`).

        RGB, not RGBA: the figure is opaque, and a quarter less to compress (descent's
        1000×400 frame was most of a move's time).
        """
        return encode_png(self.render()[..., :3])


class Explorer:
    """A figure, its controls and a text readout, kept in step with each other.

    Attributes
    ----------
    controls : dict of str to ipywidgets.Widget
        The sliders and pickers, by name. Setting ``controls[name].value`` from code
        updates the picture and the readout before the assignment returns.
    figure : matplotlib.figure.Figure
        The figure shown, for tests and for saving.
    readout : ipywidgets.HTML
        The numbers at the current state (or a message when they are undefined).
    widget : ipywidgets.VBox
        The whole layout; displaying the explorer displays this.
    """

    def __init__(
        self, blit: BlitFigure, controls: Mapping[str, widgets.Widget], title: str = "",
        leading: Iterable[widgets.Widget] = (),
    ):
        self.blit = blit
        self.figure = blit.fig
        self.controls = dict(controls)
        self.readout = widgets.HTML()
        # The frame's own pixel size: a box that stretches it blurs every line and label
        # (max-width still lets it shrink on a narrow screen, keeping its proportions).
        width, height = (int(round(v)) for v in self.figure.bbox.size)
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", height="auto", object_fit="contain"))
        self.title = title
        self.message = ""
        self.closed = False
        self.leading = list(leading)  # before the controls, not observed (a play button)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        items = [*self.leading, *self.controls.values()]
        rows = [widgets.HBox(items[i : i + 3]) for i in range(0, len(items), 3)]
        self.widget = widgets.VBox([*rows, self.readout, self.image])
        _replace_in_cell(self)

    # Subclasses fill these two in.
    def update_artists(self) -> str:
        """Move the artists to the current control values; return the readout text."""
        raise NotImplementedError

    def summary(self) -> str:
        """A one-line plain-text description of the current state (shown where no widget runs)."""
        raise NotImplementedError

    def values(self) -> dict[str, object]:
        """Current control values by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Recompute and redraw for the current control values."""
        if self.closed:
            return
        try:
            text = self.update_artists()
        except (ValueError, ArithmeticError) as error:
            # Points where f is undefined, or an exploding path: say so and keep the last picture.
            text = f"<b style='color:#b00'>{_escape(one_line(error))}</b>"
        except Exception as error:  # noqa: BLE001 - a slider callback must never print a traceback
            text = (f"<b style='color:#b00'>{type(error).__name__}: {_escape(one_line(error))}"
                    "</b> (f failed at this point)")
        self.readout.value = text
        self.image.value = self.blit.png()

    def close(self) -> None:
        """Release this explorer: its widgets, its figure and the function it holds.

        Re-running a notebook cell calls this for the explorers the cell built last time, so
        they do not pile up in the kernel (each holds a figure, frames and traced graphs).
        """
        if self.closed:
            return
        self.closed = True
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        for box in self.widget.children:
            if isinstance(box, widgets.Box):
                box.layout.close()
                box.close()
        for w in (*self.leading, *self.controls.values(), self.readout, self.image, self.widget):
            for part in (getattr(w, "layout", None), getattr(w, "style", None)):
                if isinstance(part, widgets.Widget):
                    part.close()
            w.close()
        self.figure.clear()
        self.blit.moving = []
        self.blit._background = None
        # What holds f, its traced graphs and the computed arrays: let them go now.
        for name in ("f", "value_and_slope", "description", "fields", "artists", "panels"):
            if name in self.__dict__:
                self.__dict__[name] = None

    def _on_change(self, _change: Mapping) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **_kwargs) -> dict[str, object]:
        # A widget view where widgets run, and a PNG of this very state everywhere else
        # (GitHub, nbconvert, print): the saved notebook keeps a picture of the default.
        return {
            "text/plain": self.summary(),
            "image/png": base64.b64encode(self.blit.png()).decode("ascii"),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": self.widget.model_id,
            },
        }


def aligned_step(value: float, low: float, high: float, steps: int) -> float:
    """A step near ``(high - low) / steps`` that puts ``value`` exactly on the slider's grid.

    A browser slider snaps to ``low + k * step``; with a plain ``(high - low) / 500`` a start
    of x0 = 4.1 on (0.05, 2π) would show and report 4.102.
    """
    nominal = (high - low) / steps
    offset = value - low
    if offset <= 0:
        return nominal
    return offset / max(1, round(offset / nominal))


def one_line(error: BaseException) -> str:
    """The first line of an error message (TensorFlow's add pages of graph context)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def finite_range(values: np.ndarray, what: str) -> tuple[float, float]:
    """Min and max of the finite values, or a ValueError when there are none."""
    array = np.asarray(values, dtype=float)
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        raise ValueError(
            f"f is not finite anywhere on {what} (every value is NaN or infinite, as for sqrt "
            "or log of negative numbers): choose a range where f is defined"
        )
    return float(finite.min()), float(finite.max())


# --------------------------------------------------------------------------- one per cell

#: Explorers built by each notebook cell at its latest run: cell -> (run number, explorers).
_BY_CELL: dict[object, tuple[object, list[weakref.ref]]] = {}

#: Where the front end sends no cellId (classic Notebook, VS Code), an edited cell compiles
#: under a new file name and cannot be told from a new cell: then only this many explorers
#: stay live, the oldest closed first (each holds a figure and traced graphs, 3-5 MB).
MAX_UNNAMED_LIVE = 8

#: Explorers built in cells without a cellId, oldest first.
_UNNAMED: list[weakref.ref] = []


def _cell_key() -> tuple[object, object] | None:
    """(the running cell, this run), or None outside IPython.

    The cell is JupyterLab/Notebook 7's ``cellId`` when the front end sends one; otherwise
    ``("file", name)`` with the file name IPython compiled the cell under (ipykernel derives
    it from the cell's text, so re-running the same cell gives the same name).
    """
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    if shell is None:
        return None
    run = getattr(shell, "execution_count", None)
    header = getattr(shell, "parent_header", None) or {}
    cell = (header.get("metadata") or {}).get("cellId")
    if cell is None:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        frame = sys._getframe(1)
        while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
            frame = frame.f_back
        if frame is None:
            return None
        cell = ("file", frame.f_code.co_filename)
    return cell, run


def _replace_in_cell(explorer: Explorer) -> None:
    """Close what this cell built on its previous run; remember this explorer for the next."""
    key = _cell_key()
    if key is None:
        return
    cell, run = key
    previous_run, built = _BY_CELL.get(cell, (None, []))
    if previous_run != run:
        for ref in built:
            old = ref()
            if old is not None and old is not explorer:
                old.close()
        built = []
    built.append(weakref.ref(explorer))
    _BY_CELL[cell] = (run, built)
    if isinstance(cell, tuple) and cell[:1] == ("file",):
        _keep_few_unnamed(explorer)


def _keep_few_unnamed(explorer: Explorer) -> None:
    """Remember an explorer of a cell without a cellId; close the oldest past MAX_UNNAMED_LIVE."""
    _UNNAMED[:] = [ref for ref in _UNNAMED if ref() is not None and not ref().closed]
    _UNNAMED.append(weakref.ref(explorer))
    while len(_UNNAMED) > MAX_UNNAMED_LIVE:
        old = _UNNAMED.pop(0)()
        if old is not None:
            old.close()
