"""Slider-driven explorers: move a value, watch the tangent, arrow or path follow.

Each explorer is one description (:mod:`gradlab.widgets.scene`) drawn by two renderers: in the
kernel (:func:`tangent_explorer` and friends, a :class:`~gradlab.widgets.kernel.KernelExplorer`;
drive it from code through ``explorer.controls["name"].value = ...``) and in the browser
(:func:`browser_tangent_explorer` and friends, no kernel per move).

Names are imported on first use, so that :mod:`gradlab.widgets.scene` (which the path player
uses for its line styles) loads without ipywidgets or TensorFlow.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Explorer": "base", "KernelExplorer": "kernel",
    "browser_descent_explorer": "descent", "descent_explorer": "descent",
    "browser_gradient_explorer": "gradient", "gradient_explorer": "gradient",
    "browser_power_rule_explorer": "power", "power_rule_explorer": "power",
    "browser_tangent_explorer": "tangent", "tangent_explorer": "tangent",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'gradlab.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gradlab.widgets.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
