"""Lean mode: under an autograder, explorers and animations are not built, figures not drawn.

A lesson cell that builds a browser explorer or a path player precomputes every frame
(seconds in notebooks 02-05), and every figure is rendered to a PNG at the end of its cell.
An autograder only needs the answers and the checks, so when the kernel runs with
``GRADLAB_AUTOGRADING=1`` in its environment (``gradlab.autograde_execute.ResilientExecute``
sets it, see ``lean``):

* the explorer and animation functions listed in :data:`LEAN` return a small
  :class:`Placeholder` that says what would be shown, without computing it (they are looked
  up through ``gradlab.<name>``, see :func:`lean_entry`);
* matplotlib draws nothing (:func:`quiet_figures`): figures are still built, so a lesson
  cell that reads an axis limit or a line's data works as before, but no PNG is rendered.

Checks and grades do not depend on either: ``bench/autograde.py`` and
``tests/test_grade_class.py`` compare the scores with and without lean mode.

>>> import os
>>> saved = os.environ.pop(ENV, None)
>>> active()
False
>>> os.environ.update({} if saved is None else {ENV: saved})
"""

from __future__ import annotations

import functools
import html
import os
from typing import Any

__all__ = ["ENV", "LEAN", "Placeholder", "active", "lean_entry", "quiet_figures"]

ENV = "GRADLAB_AUTOGRADING"

# gradlab.<name> entry points that only draw or precompute something to look at
LEAN = frozenset({
    "browser_descent_explorer", "browser_gradient_explorer", "browser_power_rule_explorer",
    "browser_tangent_explorer", "descent_explorer", "gradient_explorer", "power_rule_explorer",
    "tangent_explorer", "path_player",
})


def active() -> bool:
    """Whether this process runs under an autograder in lean mode (``GRADLAB_AUTOGRADING`` set, not ``0``).

    Returns
    -------
    bool
        True when the environment variable is set to anything but ``""`` or ``"0"``.

    Examples
    --------
    >>> saved = os.environ.get(ENV)
    >>> os.environ[ENV] = "1"; active()
    True
    >>> os.environ[ENV] = "0"; active()
    False
    >>> _ = os.environ.pop(ENV) if saved is None else os.environ.update({ENV: saved})
    """
    return os.environ.get(ENV, "") not in ("", "0")


class Placeholder:
    """What an explorer or a player call returns under the autograder: one line, no computation.

    Parameters
    ----------
    name : str
        The gradlab function that was called, e.g. ``"path_player"``.

    Examples
    --------
    >>> Placeholder("path_player")
    (path_player: not built while autograding)
    """

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"({self.name}: not built while autograding)"

    def _repr_html_(self) -> str:
        return f"<p><em>{html.escape(repr(self))}</em></p>"


def lean_entry(name: str, value: Any) -> Any:
    """``value`` (the function ``gradlab.<name>`` stands for), or a stand-in for it in lean mode.

    Outside lean mode, or for a name not in :data:`LEAN`, ``value`` itself is returned, so
    nothing changes for students and teachers.

    Parameters
    ----------
    name : str
        The public name looked up on ``gradlab``.
    value : object
        What the name stands for.

    Returns
    -------
    object
        ``value``, or a function with the same signature that returns a :class:`Placeholder`.

    Examples
    --------
    >>> saved = os.environ.get(ENV)
    >>> os.environ[ENV] = "1"
    >>> lean_entry("path_player", print)(None, {})
    (path_player: not built while autograding)
    >>> lean_entry("derivative", print) is print
    True
    >>> _ = os.environ.pop(ENV) if saved is None else os.environ.update({ENV: saved})
    """
    if name not in LEAN or not active() or not callable(value):
        return value

    @functools.wraps(value)
    def stand_in(*_args: Any, **_kwargs: Any) -> Placeholder:
        return Placeholder(name)

    return stand_in


def quiet_figures() -> None:
    """In lean mode, make matplotlib build figures without rendering them (the Agg backend).

    Called when gradlab is imported in IPython, after the alt-text hook; ``plt.show()``
    says nothing and no "more than 20 figures" warning is printed, as figures stay open.
    """
    if not active():
        return
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    plt.switch_backend("agg")
    matplotlib.rcParams["figure.max_open_warning"] = 0
    warnings.filterwarnings("ignore", message=".*non-interactive, and thus cannot be shown")
