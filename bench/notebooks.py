"""The notebook suite under nbval (seconds, total and per notebook) and each kernel's peak memory.

Times come from one `pytest --nbval` run over all notebooks, read back from its JUnit report.
Peak memory is the kernel's own maximum resident size (VmHWM), read by a cell appended
to an in-memory copy of each notebook and run with nbclient.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
# VmHWM is the kernel process's own high-water mark. ru_maxrss would not do: Linux keeps it
# across exec, so a kernel started by this (already large) process would report our peak.
PEAK = "print(next(ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM')))"


def nbval_times() -> tuple[float, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), f"--junitxml={report}",
             *map(str, NOTEBOOKS)],
            cwd=ROOT, check=True, capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        total = time.perf_counter() - start
        per_file: dict[str, float] = defaultdict(float)
        for case in ET.parse(report).iter("testcase"):
            # classname is "notebooks.<stem>.ipynb", one test case per cell
            stem = case.get("classname", "").removesuffix(".ipynb").split(".")[-1]
            per_file[stem] += float(case.get("time", 0))
    return total, dict(per_file)


def peak_memory_mb(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK))
    NotebookClient(nb, timeout=600, kernel_name="python3", extra_arguments=["--log-level=ERROR"],
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return int(nb.cells[-1].outputs[0].text) / 1024


def main() -> dict:
    total, per_file = nbval_times()
    print(f"\nNotebook suite under nbval (one run, {len(NOTEBOOKS)} notebooks, serial)")
    print(f"{'notebook':<36}{'nbval s':>9}{'peak MB':>9}")
    peaks = {}
    for path in NOTEBOOKS:
        seconds = per_file.get(path.stem, float("nan"))
        peaks[path.stem] = peak_memory_mb(path)
        print(f"{path.stem:<36}{seconds:9.1f}{peaks[path.stem]:9.0f}")
    print(f"{'total (wall clock, incl. start-up)':<36}{total:9.1f}{max(peaks.values()):9.0f}")
    print(f"targets: suite under 180 s ({'met' if total < 180 else 'MISSED'}); "
          f"kernel peak under 1536 MB ({'met' if max(peaks.values()) < 1536 else 'MISSED'})")
    from report import table, write_section

    rows = [[p.stem, f"{per_file.get(p.stem, float('nan')):.1f}", f"{peaks[p.stem]:.0f}"] for p in NOTEBOOKS]
    rows.append(["**total** (wall clock, with start-up)", f"**{total:.1f}**", f"max **{max(peaks.values()):.0f}**"])
    write_section("notebooks", table(["notebook", "nbval s", "kernel peak MB"], rows)
                  + f"\n\nTargets: the suite under 3 minutes ({total:.1f} s serial), a kernel under 1.5 GB "
                  f"({max(peaks.values()):.0f} MB at most).")
    return {"total": total, "per_file": per_file, "peaks": peaks}


if __name__ == "__main__":
    main()
