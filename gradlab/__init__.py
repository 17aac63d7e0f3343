"""gradlab: helpers for teaching how TensorFlow computes derivatives and gradients.

The public names are loaded on first use, so ``python -m gradlab`` (the student-copy
command) starts without importing TensorFlow.

>>> import gradlab
>>> y, dy = gradlab.derivative(lambda x: x ** 3, 2.0)
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from gradlab import _grading_mode

# Before anything imports TensorFlow: keep its C++ start-up log out of notebook outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

_EXPORTS = {
    "calculus": [
        "FunctionError", "GradientCheck", "GradientError", "check_gradient", "compiled_derivative", "derivative",
        "finite_difference", "nonfinite_points", "nth_derivative", "partials", "tangent_line",
    ],
    "plots": [
        "grid", "plot_contour", "plot_curves", "plot_function_and_derivative", "plot_surface",
        "plot_tangent",
    ],
    "graphs": ["OpGraph", "op_graph", "plot_op_graph"],
    "descent": ["Trajectory", "descend"],
    "animation": ["path_player"],
    "widgets": [
        "descent_explorer", "gradient_explorer", "power_rule_explorer", "tangent_explorer",
    ],
    "widgets.browser": [
        "browser_descent_explorer", "browser_gradient_explorer", "browser_power_rule_explorer",
        "browser_tangent_explorer",
    ],
    "exercises": ["Feedback", "check", "exercise", "grade"],
    "dual": ["Dual"],
    "_tf": ["import_tensorflow"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


# Public submodules reached as attributes (``gradlab.dual.exp``), as ``import gradlab.dual`` would.
_SUBMODULES = frozenset({"accessibility", "animation", "calculus", "descent", "dual", "exercises", "graphs",
                         "plots", "student", "style", "view", "widgets"})


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None and name in _SUBMODULES:
        return importlib.import_module(f"gradlab.{name}")  # the import binds it in this namespace
    if module is None:
        raise AttributeError(f"module 'gradlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gradlab.{module}"), name)
    value = _grading_mode.lean_entry(name, value)  # under an autograder: explorers not built
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


if "IPython" in __import__("sys").modules:
    # In a notebook: every figure's PNG gets alt text (gradlab.accessibility).
    from gradlab.accessibility import install as _install_alt_text

    _install_alt_text()
    _grading_mode.quiet_figures()  # under an autograder: figures built, not rendered

# What grades rest on, as it was before any notebook cell ran (gradlab._integrity); and
# gradlab.check / grade / exercise cannot be reassigned.
from gradlab import _integrity  # noqa: E402

_integrity.record()
_integrity.seal(__name__)
