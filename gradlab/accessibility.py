"""Alt text for every matplotlib figure a notebook shows.

A figure displayed in IPython becomes an ``image/png`` output; here its metadata also gets
``{"alt": ...}``, a sentence built from the figure's titles, axis labels and legend entries
(or the text given to :func:`set_alt`). nbconvert keeps output metadata, and the site's
template (tools/site_template) writes it into the ``<img alt>`` attribute.

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([0, 1], [0, 1], label="f(x)"); _ = ax.set(xlabel="x", title="a line"); _ = ax.legend()
>>> describe(fig)
'Figure: a line; horizontal axis x; curves: f(x).'
"""

from __future__ import annotations

import re

from matplotlib.figure import Figure

from gradlab import style

__all__ = ["describe", "install", "set_alt"]

_ALT = "_gradlab_alt"
#: The gid of notes that say what a figure leaves out (set by gradlab.plots.note_view).
NOTE_GID = "gradlab-note"


_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(table, body: str, mark: str) -> str:
    """``body`` in super/subscript characters if each has one, else ``mark`` + body ("^(k+1)")."""
    converted = body.translate(table)
    if all(c != o or c.isspace() for c, o in zip(converted, body, strict=True)):
        return converted
    return mark + (body if len(body) == 1 else f"({body})")


def _plain(text: str) -> str:
    """Mathtext to plain words: "$\\partial f / \\partial x$" → "∂f / ∂x", "$\\sim h^2$" → "~ h²"."""
    text = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\(([∂A-Za-z0-9\\ ]+)\)/", r"\1/", text)  # (d)/(dx) → d/(dx): single terms lose brackets
    text = re.sub(r"/\(([∂A-Za-z0-9\\ ]+)\)", r"/\1", text)
    words = {r"\partial": "∂", r"\nabla": "∇", r"\sqrt": "√", r"\cdot": "·", r"\times": "×",
             r"\,": " ", r"\;": " ", r"\!": "", r"\sim": "~", r"\approx": "≈", r"\leq": "≤",
             r"\geq": "≥", r"\le ": "≤ ", r"\ge ": "≥ ", r"\neq": "≠", r"\infty": "∞", r"\to": "→",
             r"\varepsilon": "ε", r"\epsilon": "ε", r"\alpha": "α", r"\eta": "η", r"\theta": "θ",
             r"\lambda": "λ", r"\mu": "μ", r"\sigma": "σ", r"\pi": "π", r"\Delta": "Δ", r"\delta": "δ",
             r"\left": "", r"\right": "", r"\big": "", r"\Big": "", r"\mathrm": "", r"\mathbf": "",
             r"\operatorname": "", r"\quad": " ", r"\prime": "′"}
    for tex, word in sorted(words.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(tex, word)
    for fn in ("sin", "cos", "tan", "exp", "log", "ln", "tanh", "max", "min"):
        text = re.sub(rf"\\{fn}(?![A-Za-z])\s*", f" {fn} ", text)
    if "$" in text:  # exponents and indices only in maths: "learning_rate" stays as written
        text = re.sub(r"\^\{([^{}]*)\}", lambda m: _script(_SUPERSCRIPT, m.group(1), "^"), text)
        text = re.sub(r"\^([A-Za-z0-9])", lambda m: _script(_SUPERSCRIPT, m.group(1), "^"), text)
        text = re.sub(r"_\{([^{}]*)\}", lambda m: _script(_SUBSCRIPT, m.group(1), "_"), text)
        text = re.sub(r"_([A-Za-z0-9])", lambda m: _script(_SUBSCRIPT, m.group(1), "_"), text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = re.sub(r"\s+", " ", text.replace("$", "").replace("{", "").replace("}", "")).strip()
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"([∂∇√])\s+", r"\1", text)


def set_alt(fig: Figure, text: str) -> Figure:
    """Give ``fig`` an explicit alt text (used instead of the generated one); returns ``fig``."""
    setattr(fig, _ALT, str(text))
    return fig


def describe(fig: Figure) -> str:
    """A one-sentence description of ``fig``: titles, axis labels and legend entries per panel."""
    explicit = getattr(fig, _ALT, None)
    if explicit:
        return explicit
    panels = []
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        parts = []
        title = " ".join(_plain(ax.get_title(loc)) for loc in ("left", "center", "right") if ax.get_title(loc))
        if title:
            parts.append(title)
        labels = [("horizontal axis", ax.get_xlabel()), ("vertical axis", ax.get_ylabel())]
        if hasattr(ax, "get_zlabel"):
            labels.append(("height", ax.get_zlabel()))
            parts.insert(0, "3-D surface")
        parts += [f"{name} {_plain(text)}" for name, text in labels if text]
        legend = ax.get_legend()
        if legend is not None:
            entries = [_plain(t.get_text()) for t in legend.get_texts() if t.get_text()]
            if entries:
                parts.append("curves: " + ", ".join(entries))
        # What the figure says it cut (a pole's values beyond the axes): the alt text says it too.
        parts += [t.get_text() for t in getattr(ax, "texts", []) if t.get_gid() == NOTE_GID and t.get_text()]
        if not parts:
            kinds = sorted({type(a).__name__ for a in ax.get_children() if type(a).__name__ in
                            ("Line2D", "QuadContourSet", "PathCollection", "Poly3DCollection")})
            parts.append("unlabelled plot" + (f" ({', '.join(kinds)})" if kinds else ""))
        panels.append("; ".join(parts))
    head = _plain(fig._suptitle.get_text()) + ". " if getattr(fig, "_suptitle", None) else ""
    if not panels:
        return f"Figure: {head}empty".strip(". ") + "."
    if len(panels) == 1:
        return f"Figure: {head}{panels[0]}."
    return f"Figure with {len(panels)} panels: {head}" + " | ".join(
        f"panel {i}: {p}" for i, p in enumerate(panels, 1)) + "."


def install(ip=None) -> bool:
    """Make IPython attach alt text to every Figure's PNG. Returns False outside IPython.

    Also sets matplotlib's property cycle to :func:`gradlab.style.cycler` (each colour with
    its own line style), so curves stay distinct without colour.

    The inline backend registers its own PNG formatter for figures when pyplot first
    draws, so the wrapper is (re)applied before and after every cell.
    """
    if ip is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False

    def wrap() -> None:
        formatter = ip.display_formatter.formatters["image/png"]
        try:
            current = formatter.lookup_by_type(Figure)
        except KeyError:
            return
        if getattr(current, _ALT, False):
            return

        def with_alt(fig):
            data = current(fig)
            if data is None or isinstance(data, tuple):
                return data
            return data, {"alt": describe(fig)}

        setattr(with_alt, _ALT, True)
        formatter.for_type(Figure, with_alt)

    import matplotlib

    # Curves told apart by line style as well as colour (colour-blind-safe palette).
    matplotlib.rcParams["axes.prop_cycle"] = style.cycler()
    if "inline" in str(matplotlib.rcParams._get("backend")):
        # Load the inline backend now (pyplot would on its first figure), so the formatter
        # it registers exists before the first cell that shows a figure, and can be wrapped.
        import matplotlib.pyplot as plt

        plt.switch_backend(matplotlib.rcParams._get("backend"))
    if not getattr(ip, _ALT, False):
        ip.events.register("pre_execute", wrap)
        ip.events.register("post_execute", wrap)
        setattr(ip, _ALT, True)
    wrap()
    return True
