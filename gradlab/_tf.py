"""Import TensorFlow once, without its C++ start-up log, with a clear message when it is missing.

TensorFlow 2.21 writes its start-up lines ("All log messages before absl::InitializeLog() is
called...", "oneDNN custom operations are on...", and in the full CUDA build "Could not find
cuda drivers...") from C++ straight to file descriptor 2 while its shared libraries load.
``TF_CPP_MIN_LOG_LEVEL`` does not stop them: absl prints everything logged before its own
initialisation, whatever that variable says, even when the process starts with it. A Jupyter
kernel forwards whatever reaches descriptor 2 into the running cell as a stderr box, so a
kernel that nobody prepared (VS Code, a plain ``python -m ipykernel``, a hub, Colab) shows them.

The one place to stop them is the import itself: :func:`import_tensorflow` points descriptor 2
at a temporary file while TensorFlow loads, then writes back every captured line that is not
start-up log, so a real message (a Python warning, a loader error) still reaches the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

from gradlab import _integrity

# TensorFlow's own C++ logging (after start-up) honours this when it is set before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: Lines TensorFlow prints while it loads: absl/glog records ("I0000 00:00:1795... port.cc:153] ..."),
#: the older timestamped form ("2026-11-23 20:00:00.123456: I tensorflow/..."), absl's pre-init
#: notice, and the second line of the CPU-instructions note.
STARTUP_LOG = re.compile(
    r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: .* rebuild TensorFlow)"
)

MISSING = (
    "gradlab needs TensorFlow, which is not installed in this Python environment.\n"
    "  - on your own machine: pip install 'gradlab-tf[cpu]'  (or run `make setup` in the repo)\n"
    "  - on Colab or with a GPU build already present: TensorFlow is normally preinstalled;\n"
    "    check with `import tensorflow` and install `tensorflow` if it fails."
)


def without_startup_log(text: str) -> str:
    """The lines of `text` that are not TensorFlow's start-up log, in order.

    Parameters
    ----------
    text : str
        What reached file descriptor 2 while TensorFlow loaded.

    Returns
    -------
    str
        The other lines, each ending in a newline; empty when all were start-up log.
    """
    return "".join(line for line in text.splitlines(keepends=True) if not STARTUP_LOG.match(line))


@contextlib.contextmanager
def _filtered_fd2() -> Iterator[None]:
    """Capture file descriptor 2 for the block, then pass on what is not start-up log."""
    for stream in (sys.stderr, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 at all (pythonw, some services): nothing to filter
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.__stderr__.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            rest = without_startup_log(capture.read().decode("utf-8", errors="replace"))
            if rest:
                sys.stderr.write(rest)
                sys.stderr.flush()


def import_tensorflow():
    """Import TensorFlow with its C++ start-up log filtered out; return the module.

    Call it (or ``import gradlab``'s set-up cell does) before any other
    ``import tensorflow``: once TensorFlow is loaded, a later ``import tensorflow as tf``
    only looks the module up and prints nothing. Anything else written to standard
    error during the import (a Python warning, a library that fails to load) is passed on.

    Returns
    -------
    module
        ``tensorflow``.

    Raises
    ------
    ImportError
        When TensorFlow is not installed or cannot load, saying how to install it;
        the original error is chained.

    Examples
    --------
    >>> import gradlab
    >>> tf = gradlab.import_tensorflow()
    >>> tf.__name__
    'tensorflow'
    """
    if sys.modules.get("tensorflow") is not None:
        return sys.modules["tensorflow"]
    try:
        with _filtered_fd2():
            import tensorflow

            # Device discovery logs too (the CUDA build's "failed call to cuInit" when there
            # is no GPU): do it now, inside the filter, rather than at the first operation.
            with contextlib.suppress(Exception):
                tensorflow.config.list_physical_devices()
    except ImportError as error:
        if getattr(error, "name", None) == "tensorflow":
            raise ImportError(MISSING) from error
        raise
    return tensorflow


tf = import_tensorflow()
_integrity.record()  # TensorFlow and NumPy as loaded, before any notebook cell can change them

__all__ = ["import_tensorflow", "tf", "without_startup_log"]
