"""A picture of a TensorFlow graph's operations, for when TensorBoard is not at hand."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

__all__ = ["OpGraph", "op_graph", "plot_op_graph"]

#: Bookkeeping operations that only pass values along; hidden so the maths stands out.
PLUMBING = ("NoOp", "Identity", "Const", "Shape", "Reshape", "BroadcastGradientArgs", "ZerosLike",
            "OnesLike", "Fill", "Sum")


#: The backward pass's starting value, ȳ = ∂y/∂y = 1: a constant (or OnesLike) the tape
#: creates; in a traced graph it is named "ones". Shown, so the backward pass starts somewhere.
SEED_TYPES = ("Const", "OnesLike", "Fill")

FORWARD_COLOUR, BACKWARD_COLOUR = "#e3eefc", "#fde2e2"


def _is_seed(op) -> bool:
    return op.type in SEED_TYPES and op.name.rsplit("/", 1)[-1].startswith("ones")


def bar(name: str) -> str:
    """The adjoint's symbol: ``x`` → ``x̄`` (a macron over it), longer names → ``name_bar``.

    Composed where Unicode has the letter (ȳ is one character, as the notebooks type it).
    """
    return unicodedata.normalize("NFC", f"{name}\u0304") if len(name) == 1 else f"{name}_bar"


@dataclass(frozen=True)
class OpGraph:
    """Operations (by name), the edges between them, their op types, and which are backward.

    ``sources`` lists each operation's visible inputs in argument order (hidden plumbing
    bridged over), ``adjoints`` maps the operation that returns an input's gradient to that
    input's name, and ``output`` names the differentiated value (the seed is its adjoint).
    """

    nodes: list[str]
    edges: list[tuple[str, str]]
    types: dict[str, str]
    backward: frozenset[str]
    seeds: frozenset[str] = frozenset()
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    adjoints: dict[str, str] = field(default_factory=dict)
    output: str = "f"

    def label(self, name: str) -> str:
        """What a box shows: the op type, with inputs, seed and returned adjoints named."""
        if name in self.seeds:
            return f"seed {bar(self.output)} = 1"
        if self.types[name] == "Placeholder":
            return f"{name} (input)"
        if name in self.adjoints:
            return f"{self.types[name]} = {bar(self.adjoints[name])}"
        return self.types[name]

    def expression(self, name: str) -> str:
        """The operation written out as a formula of the inputs, e.g. ``Mul(Cos(x), 1)``.

        The seed is written 1 and an input by its name; every other operation as its type
        applied to its sources. Reading a gradient's expression shows which derivative rules
        the backward pass chained together.
        """
        if name in self.seeds:
            return "1"
        if self.types[name] == "Placeholder":
            return name
        return f"{self.types[name]}({', '.join(self.expression(s) for s in self.sources.get(name, ()))})"

    def count(self, op_type: str, backward: bool) -> int:
        """How many operations of ``op_type`` sit in the backward (or forward) pass."""
        return sum(1 for n in self.nodes if self.types[n] == op_type and (n in self.backward) == backward)


def _returned_adjoints(graph, visible_sources, backward: set[str]) -> dict[str, str]:
    """Map each backward operation the function returns to the input it is the gradient of.

    A traced function that returns its value and then its gradients in the order of its
    inputs (as ``tape.gradient(f, [x, y])`` gives them) returns one backward result per
    input; anything else is left unnamed rather than guessed.
    """
    inputs = [t.op.name for t in getattr(graph, "inputs", []) if t.op.type == "Placeholder"]
    returned = [src for t in getattr(graph, "outputs", []) for src in visible_sources(t.op.name)]
    grads = [name for name in returned if name in backward]
    if len(grads) != len(inputs) or len(set(grads)) != len(grads):
        return {}
    return dict(zip(grads, inputs, strict=True))


def op_graph(graph, hide: tuple[str, ...] = PLUMBING, output: str = "f") -> OpGraph:
    """The operations of ``graph`` (a ``tf.Graph``), with hidden plumbing bridged over.

    If a → Identity → b, the edge a → b is kept. An operation belongs to the backward pass
    if the tape created it (its name says "gradients") or it consumes one that did. The
    backward pass's seed ∂output/∂output = 1 is kept even though it is a constant, and counts
    as backward.

    Parameters
    ----------
    graph : tf.Graph
        For example ``my_tf_function.get_concrete_function(...).graph``.
    hide : tuple of str
        Op types to leave out (constants and pass-through plumbing by default).
    output : str
        The name of the value that was differentiated, as the text calls it: the seed is
        labelled with its adjoint (``output="y"`` gives "seed ȳ = 1").

    Returns
    -------
    OpGraph

    Examples
    --------
    >>> import tensorflow as tf
    >>> @tf.function
    ... def value_and_slope(x):
    ...     with tf.GradientTape() as tape:
    ...         tape.watch(x)
    ...         y = tf.sin(x)
    ...     return y, tape.gradient(y, x)
    >>> ops = op_graph(value_and_slope.get_concrete_function(tf.TensorSpec([])).graph, output="y")
    >>> ops.count("Cos", backward=True)
    1
    """
    if not isinstance(output, str) or not output:
        raise ValueError(f"output must be the differentiated value's name, such as 'f' or 'y'; got {output!r}")
    ops = {op.name: op for op in graph.get_operations()}
    seeds = {name for name, op in ops.items() if _is_seed(op)}
    inputs = {name: [t.op.name for t in op.inputs] for name, op in ops.items()}

    def visible_sources(name: str, seen: frozenset = frozenset()) -> list[str]:
        if name in seen:
            return []
        if ops[name].type not in hide or name in seeds:
            return [name]
        return [s for parent in inputs[name] for s in visible_sources(parent, seen | {name})]

    backward = {name for name in ops if "gradient" in name.lower()} | seeds
    for name in ops:  # operations come in creation order, so one sweep propagates
        if any(parent in backward for parent in inputs[name]):
            backward.add(name)
    nodes = [name for name, op in ops.items() if op.type not in hide or name in seeds]
    sources = {name: tuple(s for parent in inputs[name] for s in visible_sources(parent)) for name in nodes}
    edges = sorted({(src, name) for name in nodes for src in sources[name]})
    types = {name: ops[name].type for name in nodes}
    visible_backward = {n for n in nodes if n in backward}
    return OpGraph(nodes, edges, types, frozenset(visible_backward), frozenset(seeds), sources,
                   _returned_adjoints(graph, visible_sources, visible_backward), output)


def _layers(nodes: list[str], edges: list[tuple[str, str]], seeds: frozenset = frozenset()) -> tuple[dict, dict]:
    """Each node's column (its longest path from a start), and each edge's chain of slots.

    An edge that skips columns gets one placeholder slot per column it passes, so that no
    box is ever drawn where a line runs.
    """
    depth = {n: 0 for n in nodes}
    for _ in nodes:  # longest path by relaxation: graphs here have tens of nodes
        for src, dst in edges:
            depth[dst] = max(depth[dst], depth[src] + 1)
    # Then each operation moves right to just before its first consumer (inputs stay at the
    # left edge): a rule's Cos(x) sits next to where it is used, not far away beside x.
    starts = {n for n in nodes if not any(dst == n for _, dst in edges)} - seeds
    for _ in nodes:
        for n in nodes:
            after = [depth[dst] for src, dst in edges if src == n]
            if after and n not in starts:
                depth[n] = min(after) - 1
    chains = {}
    for src, dst in edges:
        passing = [("pass", src, dst, d) for d in range(depth[src] + 1, depth[dst])]
        for slot in passing:
            depth[slot] = slot[3]
        chains[(src, dst)] = [src, *passing, dst]
    return depth, chains


def _order(depth: dict, chains: dict, sweeps: int = 8) -> dict:
    """Vertical position of every slot: barycentre sweeps, keeping the order with fewest crossings."""
    columns: dict[int, list] = {}
    for slot, d in depth.items():
        columns.setdefault(d, []).append(slot)
    links = [(a, b) for chain in chains.values() for a, b in zip(chain[:-1], chain[1:], strict=True)]
    up = {slot: [a for a, b in links if b == slot] for slot in depth}
    down = {slot: [b for a, b in links if a == slot] for slot in depth}

    by_column: dict[int, list] = {}
    for a, b in links:
        by_column.setdefault(depth[a], []).append((a, b))

    def positions(cols):
        return {s: (len(col) - 1) / 2 - i for col in cols.values() for i, s in enumerate(col)}

    def crossings_after(d, pos):  # crossings among the links leaving column d
        gap = by_column.get(d, [])
        return sum(1 for i, (a, b) in enumerate(gap) for c, e in gap[i + 1:]
                   if (pos[a] - pos[c]) * (pos[b] - pos[e]) < 0)

    def crossings(pos):
        return sum(crossings_after(d, pos) for d in by_column)

    def swap_neighbours():  # then swap neighbours in a column while that removes crossings
        pos = positions(columns)
        improved = True
        while improved:
            improved = False
            for d, col in columns.items():
                for i in range(len(col) - 1):
                    a, b = col[i], col[i + 1]
                    before = crossings_after(d - 1, pos) + crossings_after(d, pos)
                    pos[a], pos[b] = pos[b], pos[a]
                    if crossings_after(d - 1, pos) + crossings_after(d, pos) < before:
                        col[i], col[i + 1] = b, a
                        improved = True
                    else:
                        pos[a], pos[b] = pos[b], pos[a]

    best, best_pos = None, positions(columns)
    for sweep in range(sweeps):
        pos = positions(columns)
        order = range(1, len(columns)) if sweep % 2 == 0 else range(len(columns) - 2, -1, -1)
        for d in order:
            neighbours = up if sweep % 2 == 0 else down
            key = {s: sum(pos[n] for n in neighbours[s]) / len(neighbours[s]) if neighbours[s] else pos[s]
                   for s in columns[d]}
            columns[d].sort(key=lambda s: -key[s])
            pos = positions(columns)
        swap_neighbours()
        pos = positions(columns)
        score = crossings(pos)
        if best is None or score < best:
            best, best_pos = score, pos
    return best_pos


def _half_widths(ax: Axes, texts: dict) -> dict:
    """Each box's half-width in data units, measured from the drawn text boxes."""
    ax.figure.draw_without_rendering()
    to_data = ax.transData.inverted()
    half = {}
    for name, text in texts.items():
        box = text.get_bbox_patch().get_window_extent()
        (x0, _), (x1, _) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
        half[name] = (x1 - x0) / 2
    return half


def _route(chain: list, depth: dict, where: dict, half: dict, band: dict) -> list[tuple[float, float]]:
    """The edge's polyline: level across each column's band of boxes, slanted only in the gaps."""
    src, *passing, dst = chain
    x, y = where[src]
    points = [(x + half[src], y), (x + band[depth[src]], y)]
    for slot in passing:
        x, y = where[slot]
        points += [(x - band[depth[slot]], y), (x + band[depth[slot]], y)]
    x, y = where[dst]
    return points + [(x - band[depth[dst]], y), (x - half[dst], y)]


def plot_op_graph(graph, ax: Axes | None = None, hide: tuple[str, ...] = PLUMBING,
                  output: str = "f") -> tuple[Figure, Axes]:
    """Draw the operations of a graph left to right, each at its longest-path depth.

    Lines run level through each column and slant only between columns, so no line passes
    through a box it does not connect. The seed box is labelled with the adjoint of
    ``output``, and the operations that return the inputs' gradients with theirs (x̄, ȳ).

    Parameters
    ----------
    graph : tf.Graph
        For example ``my_tf_function.get_concrete_function(...).graph``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the graph by default.
    hide : tuple of str
        Op types to leave out (constants and pass-through plumbing by default).
    output : str
        The differentiated value's name, as the text calls it ("f" gives "seed f̄ = 1").

    Returns
    -------
    fig, ax : the figure and the axes drawn on. Each box's text has its operation's name as
        gid, each edge's line and arrow the gid ``"src->dst"``.

    Examples
    --------
    >>> import tensorflow as tf
    >>> @tf.function
    ... def value_and_slope(x):
    ...     with tf.GradientTape() as tape:
    ...         tape.watch(x)
    ...         y = tf.sin(x) * x
    ...     return y, tape.gradient(y, x)
    >>> fig, ax = plot_op_graph(value_and_slope.get_concrete_function(tf.TensorSpec([])).graph, output="y")
    """
    g = op_graph(graph, hide, output)
    depth, chains = _layers(g.nodes, g.edges, g.seeds)
    where = {slot: (depth[slot], y) for slot, y in _order(depth, chains).items()}
    columns = max(depth.values(), default=0) + 1
    tallest = max(sum(1 for d in depth.values() if d == c) for c in range(columns)) if depth else 1
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.7 * columns + 0.6, 0.55 * tallest + 0.9))
    ax.set_xlim(-0.6, columns - 0.4)
    ax.set_ylim(-tallest / 2, tallest / 2)
    ax.axis("off")
    texts = {n: ax.text(*where[n], g.label(n), ha="center", va="center", fontsize=8, zorder=3, gid=n,
                        bbox={"boxstyle": "round", "ec": "0.4",
                              "fc": BACKWARD_COLOUR if n in g.backward else FORWARD_COLOUR})
             for n in g.nodes}
    half = _half_widths(ax, texts)
    band = {d: max(half[n] for n in g.nodes if depth[n] == d) + 0.04 for d in range(columns)}
    for (src, dst), chain in chains.items():
        points = _route(chain, depth, where, half, band)
        xs, ys = zip(*points[:-1], strict=True)
        # Solid, whatever the style's cycle: a dash pattern here would mean nothing.
        ax.plot(xs, ys, color="0.55", linestyle="-", linewidth=1, zorder=1, gid=f"{src}->{dst}")
        ax.annotate("", xy=points[-1], xytext=points[-2], zorder=2, gid=f"{src}->{dst}",
                    arrowprops={"arrowstyle": "->", "color": "0.55", "shrinkA": 0, "shrinkB": 0})
    ax.legend(handles=[Patch(fc=FORWARD_COLOUR, ec="0.4", label="forward pass: computes the value"),
                       Patch(fc=BACKWARD_COLOUR, ec="0.4", label="backward pass: one derivative rule per forward op")],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8, frameon=False)
    return ax.figure, ax
