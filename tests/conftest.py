"""Test-session set-up: quiet TensorFlow, headless matplotlib, inline plots in nbval kernels."""

import os

# Before anything imports TensorFlow (kernels started by nbval inherit this too).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# nbval's kernels inherit this process's environment: an inherited MPLBACKEND=Agg would stop
# them from showing figures inline, so their outputs would no longer match the saved ones.
os.environ.pop("MPLBACKEND", None)

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # this process only: unit tests draw, never show

# CI (CI=true) replays the same generated cases every run, so a red run can be reproduced;
# locally hypothesis keeps exploring new ones.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


#: Seconds nbval waits for a cell's next output message once the cell has replied. nbval
#: hard-codes 5 s, a limit a machine with every core busy can reach; this is only a ceiling.
NBVAL_OUTPUT_CEILING = 300


def pytest_collection_modifyitems(items):
    """Give every nbval cell (an item with nbval's ``output_timeout``) the generous ceiling.

    Parameters
    ----------
    items : list of pytest.Item
        The collected tests; only nbval's notebook cells carry ``output_timeout``.
    """
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = NBVAL_OUTPUT_CEILING
