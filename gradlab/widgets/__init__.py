"""Slider-driven explorers: move a value, watch the tangent, arrow or path follow.

Each explorer is one description (:mod:`gradlab.widgets.scene`) drawn by two renderers: in the
kernel (:func:`tangent_explorer` and friends, a :class:`~gradlab.widgets.kernel.KernelExplorer`;
drive it from code through ``explorer.controls["name"].value = ...``) and in the browser
(:func:`browser_tangent_explorer` and friends, no kernel per move).
"""

from gradlab.widgets.base import Explorer
from gradlab.widgets.descent import browser_descent_explorer, descent_explorer
from gradlab.widgets.gradient import browser_gradient_explorer, gradient_explorer
from gradlab.widgets.kernel import KernelExplorer
from gradlab.widgets.power import browser_power_rule_explorer, power_rule_explorer
from gradlab.widgets.tangent import browser_tangent_explorer, tangent_explorer

__all__ = [
    "Explorer",
    "KernelExplorer",
    "browser_descent_explorer",
    "browser_gradient_explorer",
    "browser_power_rule_explorer",
    "browser_tangent_explorer",
    "descent_explorer",
    "gradient_explorer",
    "power_rule_explorer",
    "tangent_explorer",
]
