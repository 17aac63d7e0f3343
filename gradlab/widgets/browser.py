"""The browser forms of the explorers (kept as an import path; each lives beside its kernel form).

Each explorer is one :class:`~gradlab.widgets.scene.Description` drawn by two renderers; see
:mod:`gradlab.widgets.scene`. ``browser_*_explorer(...).kernel()`` gives the kernel form.
"""

from gradlab.widgets.descent import browser_descent_explorer
from gradlab.widgets.gradient import browser_gradient_explorer
from gradlab.widgets.power import browser_power_rule_explorer
from gradlab.widgets.tangent import browser_tangent_explorer

__all__ = [
    "browser_descent_explorer", "browser_gradient_explorer", "browser_power_rule_explorer",
    "browser_tangent_explorer",
]
