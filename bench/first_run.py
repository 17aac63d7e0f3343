"""How long a new user waits: `make lab` and `make test` from a fresh clone, no .venv.

    python bench/first_run.py                     # make lab with uv, then with pip (warm caches)
    python bench/first_run.py --runs lab:uv:cold,test:uv:warm --write   # the two goals, into bench/README.md
    python bench/first_run.py --runs all --write  # every run below, table into bench/README.md

A run is TARGET:INSTALLER:CACHES; TARGET is lab, test or test-all. ``all`` is lab:uv:warm,
lab:pip:warm, lab:uv:cold, test:uv:warm. Cold caches are empty uv and pip caches: everything
is downloaded again (about 700 MB with TensorFlow).

Each run clones the repository's committed HEAD into a new temporary folder and starts the
target there as a new user would. "lab" is the time from `make lab` to JupyterLab answering
``/api/status`` (the set-up included), split into its phases by the time make's output reached
each step: venv (the venv, and uv when it is not on PATH), install (gradlab, TensorFlow,
JupyterLab), kernel (kernelspec and settings) and server (JupyterLab's start). "test" is
`make test` to its exit. The cpu column is the CPU seconds of everything the run started
(``getrusage`` of the children): on a shared machine the seconds depend on the load, the CPU
much less. The caches column says whether uv's and pip's download caches were this
machine's (warm: wheels already downloaded once) or empty ones (cold). Prints only; nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- BEGIN first-run -->", "<!-- END first-run -->"
TOKEN = "first-run-bench"
ALL = [["lab", "uv", "warm"], ["lab", "pip", "warm"], ["lab", "uv", "cold"], ["test", "uv", "warm"]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_clone(parent: Path) -> Path:
    target = parent / "gradlab"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def run_env(installer: str, cold: bool, scratch: Path) -> dict[str, str]:
    env = dict(os.environ, INSTALLER=installer)
    for key in ("VIRTUAL_ENV", "JUPYTER_PATH", "TF_CPP_MIN_LOG_LEVEL", "MPLBACKEND"):
        env.pop(key, None)
    if cold:
        env["UV_CACHE_DIR"] = str(scratch / "uv-cache")
        env["PIP_CACHE_DIR"] = str(scratch / "pip-cache")
    return env


#: make's echo of the command that starts each phase of `make lab` (Makefile), in order.
PHASES = [("venv", ""), ("install", "installing "), ("kernel", "ipykernel install"), ("server", "lab notebooks/")]


def phases(stamped: list[tuple[float, str]], end: float) -> str:
    """``stamped`` (seconds, line) of make's output as "venv 6, install 48, kernel 1, server 9 s".

    >>> phases([(0.0, "creating .venv"), (5.0, "installing .[cpu,lab] with uv"),
    ...         (50.0, "python -m ipykernel install"), (51.0, "jupyter lab notebooks/ --no-browser")], 60.0)
    'venv 5, install 45, kernel 1, server 9 s'
    """
    starts = []
    for name, marker in PHASES:
        found = next((t for t, line in stamped if marker in line), None) if marker else 0.0
        if found is not None:
            starts.append((name, found))
    ends = [t for _, t in starts[1:]] + [end]
    return ", ".join(f"{name} {stop - begin:.0f}" for (name, begin), stop in zip(starts, ends, strict=True)) + " s"


def stamp_lines(stream, log, start: float, stamped: list[tuple[float, str]]) -> None:
    """Copy ``stream`` to ``log``, noting when each line arrived (seconds after ``start``)."""
    for line in stream:
        stamped.append((time.perf_counter() - start, line))
        log.write(line)


def time_lab(clone: Path, env: dict[str, str], timeout: float, make_args: list[str]) -> tuple[float | None, str]:
    """Seconds from `make lab` to a 200 from /api/status, and its phases; the server is stopped afterwards."""
    port = free_port()
    args = f"--no-browser --port={port} --ServerApp.token={TOKEN} --ServerApp.open_browser=False"
    log = open(clone / "first-run-lab.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    stamped: list[tuple[float, str]] = []
    start = time.perf_counter()
    process = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS={args}", *make_args], cwd=clone, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    reader = threading.Thread(target=stamp_lines, args=(process.stdout, log, start, stamped), daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/api/status?token={TOKEN}"
    try:
        while time.perf_counter() - start < timeout:
            if process.poll() is not None:
                return None, f"make lab exited with {process.returncode} (see {log.name})"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        seconds = time.perf_counter() - start
                        return seconds, f"answered /api/status ({phases(stamped, seconds)})"
            except OSError:
                pass
            time.sleep(0.25)  # the poll's pace: the time is when the server first answers
        return None, f"no answer within {timeout:.0f} s"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the group of the make we started, only
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=30)
        log.close()


def time_test(clone: Path, env: dict[str, str], timeout: float, make_args: list[str],
              target: str = "test") -> tuple[float | None, str]:
    """Seconds for `make test` (or `make test-all`), and pytest's summary line."""
    start = time.perf_counter()
    result = subprocess.run(
        ["make", target, *make_args], cwd=clone, env=env, capture_output=True, text=True, timeout=timeout
    )
    elapsed = time.perf_counter() - start
    (clone / f"first-run-{target}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    summary = [line.strip("= ") for line in result.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    stops = [line for line in result.stderr.splitlines() if line.startswith("make: ***")]
    outcome = summary[-1] if summary else (stops[-1] if stops else "no pytest summary")
    if result.returncode != 0:
        return elapsed, f"FAILED (exit {result.returncode}): {outcome}"
    return elapsed, outcome


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished process this one started, and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(what: str, installer: str, cold: bool, timeout: float, keep: bool, make_args: list[str]) -> dict[str, str]:
    scratch = Path(tempfile.mkdtemp(prefix="gradlab-first-run-"))
    try:
        clone = fresh_clone(scratch)
        env = run_env(installer, cold, scratch)
        cpu = children_cpu()
        if what == "lab":
            seconds, note = time_lab(clone, env, timeout, make_args)
        else:
            seconds, note = time_test(clone, env, timeout, make_args, target=what)
        cpu = children_cpu() - cpu
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        return {
            "target": " ".join(["make", what, *make_args]), "installer": installer,
            "caches": "cold" if cold else "warm", "seconds": "—" if seconds is None else f"{seconds:.0f}",
            "cpu": f"{cpu:.0f}", "result": note, "measured": f"{datetime.date.today().isoformat()}, load {load:.1f}",
        }
    finally:
        if keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


COLUMNS = ("target", "installer", "caches", "seconds", "cpu", "result", "measured")


def previous_rows() -> list[dict[str, str]]:
    """The rows already in bench/README.md's block (a later --write keeps those it does not redo)."""
    body = README.read_text(encoding="utf-8")
    if BEGIN not in body:
        return []
    block = body.split(BEGIN, 1)[1].split(END, 1)[0]
    rows = []
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| make") and len(cells) == len(COLUMNS):
            rows.append(dict(zip(COLUMNS, cells, strict=True)))
        elif line.startswith("| make") and len(cells) == len(COLUMNS) - 1:  # a row from before the cpu column
            rows.append(dict(zip([c for c in COLUMNS if c != "cpu"], cells, strict=True), cpu="—"))
    return rows


def table(rows: list[dict[str, str]]) -> str:
    head = (
        f"Generated by `python bench/first_run.py --write` on {os.cpu_count()} cores "
        f"({platform.machine()}, {platform.system()}), Python {platform.python_version()}; "
        "the load average (shared machine) is the 1-minute one when the row finished.\n\n"
    )
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|---|---:|---:|---|---|"]
    lines += ["| " + " | ".join(row[column] for column in COLUMNS) + " |" for row in rows]
    return head + "\n".join(lines)


def write_readme(text: str) -> None:
    """Put ``text`` between bench/README.md's first-run markers (bench/report.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from report import write_section

    write_section("first-run", text, README)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="lab:uv:warm,lab:pip:warm",
                        help="comma-separated TARGET:INSTALLER:CACHES (lab|test|test-all : uv|pip : warm|cold), or all")
    parser.add_argument("--make-args", default="",
                        help="""more make arguments, split like a shell: 'CHECKS="lint resolve"'""")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run is given up")
    parser.add_argument("--keep", action="store_true", help="keep the temporary clones (and their logs)")
    parser.add_argument("--write", action="store_true", help=f"replace the table in {README.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    runs = ALL if args.runs == "all" else [run.strip().split(":") for run in args.runs.split(",") if run.strip()]
    for run in runs:
        if len(run) != 3 or run[0] not in ("lab", "test", "test-all") or run[1] not in ("uv", "pip") or run[2] not in (
            "warm", "cold"
        ):
            parser.error(f"each run is TARGET:INSTALLER:CACHES, e.g. lab:uv:warm; got {':'.join(run)!r}")
    rows = []
    for what, installer, caches in runs:
        row = measure(what, installer, caches == "cold", args.timeout, args.keep, shlex.split(args.make_args))
        print(f"make {what} ({row['installer']}, {row['caches']} caches): {row['seconds']} s, "
              f"{row['cpu']} s CPU, {row['result']}", flush=True)
        rows.append(row)
    print("\n" + table(rows))
    if args.write:
        redone = {(row["target"], row["installer"], row["caches"]) for row in rows}
        kept = [row for row in previous_rows() if (row["target"], row["installer"], row["caches"]) not in redone]
        write_readme(table(kept + rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
