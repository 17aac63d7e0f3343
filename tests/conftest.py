"""Test-session set-up: quiet TensorFlow, headless matplotlib, inline plots in nbval kernels."""

import os

# Before anything imports TensorFlow (kernels started by nbval inherit this too).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# nbval's kernels inherit this process's environment: an inherited MPLBACKEND=Agg would stop
# them from showing figures inline, so their outputs would no longer match the saved ones.
os.environ.pop("MPLBACKEND", None)

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # this process only: unit tests draw, never show
