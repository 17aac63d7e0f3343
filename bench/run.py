"""`make bench`: every benchmark, one after the other, each printing its own table.

Measured in one run on this machine; the figures are for comparison within the run
(ratios), not targets for tests, which never assert timings.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import animation  # noqa: E402
import client  # noqa: E402
import derivative  # noqa: E402
import imports  # noqa: E402
import latency  # noqa: E402
import widgets  # noqa: E402

import notebooks  # noqa: E402

if __name__ == "__main__":
    print(f"gradlab benchmarks on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for bench in (widgets, client, derivative, animation, imports, notebooks):
        bench.main()
    if Path(latency.CHROMIUM).exists():
        latency.main()
    else:
        print(f"\n(latency bench skipped: no Chromium at {latency.CHROMIUM})")
