"""Slider-driven explorers: move a value, watch the tangent, arrow or path follow.

Each explorer is an :class:`~gradlab.widgets.base.Explorer`: display it in a notebook, or
drive it from code through ``explorer.controls["name"].value = ...``.
"""

from gradlab.widgets.base import Explorer
from gradlab.widgets.descent import descent_explorer
from gradlab.widgets.gradient import gradient_explorer
from gradlab.widgets.power import power_rule_explorer
from gradlab.widgets.tangent import tangent_explorer

__all__ = [
    "Explorer",
    "descent_explorer",
    "gradient_explorer",
    "power_rule_explorer",
    "tangent_explorer",
]
