"""Import TensorFlow once, quietly, with a clear message when it is missing."""

from __future__ import annotations

import os

# TensorFlow reads this when its C++ runtime loads: set it before the import so the
# start-up log (oneDNN, CPU feature notes) never reaches a notebook's outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

try:
    import tensorflow as tf
except ImportError as error:  # pragma: no cover - exercised only without TensorFlow
    raise ImportError(
        "gradlab needs TensorFlow, which is not installed in this Python environment.\n"
        "  - on your own machine: pip install 'gradlab[cpu]'  (or run `make setup` in the repo)\n"
        "  - on Colab or with a GPU build already present: TensorFlow is normally preinstalled;\n"
        "    check with `import tensorflow` and install `tensorflow` if it fails."
    ) from error

__all__ = ["tf"]
