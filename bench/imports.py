"""Import time of gradlab (lazy: no TensorFlow), of TensorFlow, and of the student-copy CLI."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

CASES = {
    "import gradlab (lazy, no TensorFlow)": "import gradlab",
    "import tensorflow": "import tensorflow",
    "gradlab.derivative ready (gradlab + TF)": "import gradlab; gradlab.derivative",
    "python -m gradlab --help (CLI)": "import runpy, sys; sys.argv=['gradlab','--help'];\n"
                                      "try: runpy.run_module('gradlab', run_name='__main__')\nexcept SystemExit: pass",
}


def seconds(code: str, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                       env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""})
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> dict:
    baseline = seconds("pass")
    print("\nImport times (median of 3 fresh interpreters, minus an empty interpreter's start-up)")
    results = {}
    for name, code in CASES.items():
        results[name] = seconds(code) - baseline
        print(f"{name:<44}{results[name]:8.2f} s")
    from report import table, write_section

    write_section("imports", table(["", "seconds"], [[f"`{name}`" if not name.startswith("`") else name,
                                                      f"{seconds:.2f}"] for name, seconds in results.items()]))
    return results


if __name__ == "__main__":
    main()
