"""A picture of a TensorFlow graph's operations, for when TensorBoard is not at hand."""

from __future__ import annotations

from dataclasses import dataclass

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


def _is_seed(op) -> bool:
    return op.type in SEED_TYPES and op.name.rsplit("/", 1)[-1].startswith("ones")


@dataclass(frozen=True)
class OpGraph:
    """Operations (by name), the edges between them, their op types, and which are backward."""

    nodes: list[str]
    edges: list[tuple[str, str]]
    types: dict[str, str]
    backward: frozenset[str]
    seeds: frozenset[str] = frozenset()

    def label(self, name: str) -> str:
        """What a box shows: the op type, with inputs named and the seed spelled out."""
        if name in self.seeds:
            return "seed f̄ = 1"
        if self.types[name] == "Placeholder":
            return f"{name} (input)"
        return self.types[name]

    def count(self, op_type: str, backward: bool) -> int:
        """How many operations of ``op_type`` sit in the backward (or forward) pass."""
        return sum(1 for n in self.nodes if self.types[n] == op_type and (n in self.backward) == backward)


def op_graph(graph, hide: tuple[str, ...] = PLUMBING) -> OpGraph:
    """The operations of ``graph`` (a ``tf.Graph``), with hidden plumbing bridged over.

    If a → Identity → b, the edge a → b is kept. An operation belongs to the backward pass
    if the tape created it (its name says "gradients") or it consumes one that did. The
    backward pass's seed f̄ = ∂f/∂f = 1 is kept even though it is a constant, and counts as backward.
    """
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
    edges = sorted({(src, name) for name in nodes for parent in inputs[name]
                    for src in visible_sources(parent)})
    types = {name: ops[name].type for name in nodes}
    return OpGraph(nodes, edges, types, frozenset(n for n in nodes if n in backward), frozenset(seeds))


def plot_op_graph(graph, ax: Axes | None = None, hide: tuple[str, ...] = PLUMBING) -> tuple[Figure, Axes]:
    """Draw the operations of a graph left to right, each at its longest-path depth.

    Parameters
    ----------
    graph : tf.Graph
        For example ``my_tf_function.get_concrete_function(...).graph``.
    hide : tuple of str
        Op types to leave out (constants and pass-through plumbing by default).
    """
    g = op_graph(graph, hide)
    nodes, edges = g.nodes, g.edges
    depth = {n: 0 for n in nodes}
    for _ in nodes:  # longest path by relaxation: graphs here have tens of nodes
        for src, dst in edges:
            depth[dst] = max(depth[dst], depth[src] + 1)
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(depth[n], []).append(n)
    where = {n: (d, -i + (len(col) - 1) / 2) for d, col in columns.items() for i, n in enumerate(col)}
    tallest = max((len(c) for c in columns.values()), default=1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.6 * (len(columns) + 1), 0.8 * tallest + 1.5))
    for src, dst in edges:
        ax.annotate("", xy=where[dst], xytext=where[src],
                    arrowprops={"arrowstyle": "->", "color": "0.5", "shrinkA": 18, "shrinkB": 18})
    for n, (x, y) in where.items():
        is_grad = n in g.backward
        ax.text(x, y, g.label(n), ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "fc": "#fde2e2" if is_grad else "#e3eefc", "ec": "0.4"})
    ax.legend(handles=[Patch(fc="#e3eefc", ec="0.4", label="forward pass"),
                       Patch(fc="#fde2e2", ec="0.4", label="gradient (backward pass)")],
              loc="upper left", fontsize=8)
    ax.set_xlim(-0.7, max(columns, default=0) + 0.7)
    ax.set_ylim(-tallest / 2 - 0.2, tallest / 2 + 0.2)
    ax.axis("off")
    return ax.figure, ax
