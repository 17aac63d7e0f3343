"""Resolve the default install set for every platform and Python TensorFlow ships, with uv.

    python tools/resolve_matrix.py                 # extras cpu + dev, print the table
    python tools/resolve_matrix.py --extras tf     # another install set
    python tools/resolve_matrix.py --jobs 1        # one resolution at a time

Each cell runs ``uv pip compile pyproject.toml --extra ... --python-platform P --python-version V``
(a real resolver, against the package index, for a platform other than this one) and reports
which TensorFlow distribution and version it picked. Exit status 1 when a required cell does not
resolve, resolves to both ``tensorflow`` and ``tensorflow-cpu`` (two distributions over one
module), or picks another distribution than the one the platform should get. Rows marked
"informational" (Intel macOS: TensorFlow stopped publishing wheels for it after 2.16) are printed
but never fail the check.

The Pythons come from ``requires-python`` in pyproject.toml, so the range is stated once.
uv is a PyPI wheel (in the ``dev`` extra); its cache makes a second run take seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Platform:
    """A target platform: its label, uv's ``--python-platform`` name, what it should get."""

    label: str
    uv_name: str
    expected: str  # the TensorFlow distribution the default set-up should pick there
    required: bool = True
    seed: bool = False  # resolved online first; the other cells then resolve from uv's cache


PLATFORMS = (
    Platform("Linux x86_64", "x86_64-manylinux_2_28", "tensorflow-cpu", seed=True),
    Platform("Linux aarch64", "aarch64-manylinux_2_28", "tensorflow"),
    Platform("macOS arm64", "aarch64-apple-darwin", "tensorflow", seed=True),
    Platform("Windows x86_64", "x86_64-pc-windows-msvc", "tensorflow-cpu"),
    Platform("macOS x86_64 (informational)", "x86_64-apple-darwin", "tensorflow", required=False),
)
TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu")
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Cell:
    """The outcome of one resolution."""

    platform: Platform
    python: str
    pins: dict[str, str] | None  # None when the resolver failed
    error: str = ""

    @property
    def tensorflow(self) -> dict[str, str]:
        return {name: version for name, version in (self.pins or {}).items() if name in TF_DISTRIBUTIONS}

    @property
    def problem(self) -> str:
        """Why this cell fails the check ("" when it passes)."""
        if self.pins is None:
            return self.error or "does not resolve"
        found = self.tensorflow
        if len(found) != 1:
            return f"expected exactly one TensorFlow distribution, got {sorted(found) or 'none'}"
        if self.platform.expected not in found:
            return f"picked {next(iter(found))}, expected {self.platform.expected}"
        return ""

    def text(self) -> str:
        if self.pins is None:
            return "FAILS"
        found = self.tensorflow
        shown = ", ".join(f"{name} {version}" for name, version in sorted(found.items())) or "no TensorFlow"
        return shown if not self.problem else f"{shown} (WRONG)"


def supported_pythons(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The ``3.N`` versions that pyproject's ``requires-python`` admits (from 3.8 to 3.20)."""
    match = re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no requires-python in {pyproject}; add one, e.g. requires-python = \">=3.10,<3.14\"")
    spec = SpecifierSet(match.group(1))
    return [f"3.{minor}" for minor in range(8, 21) if spec.contains(f"3.{minor}.0")]


def find_uv() -> str:
    """uv on PATH, next to this Python, or the ``uv`` package's own binary."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "uv", scripts / "uv.exe", Path(sys.executable).parent / "uv"):
        if candidate.is_file():
            return str(candidate)
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except ImportError:
        pass
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    raise SystemExit("uv not found: install it with `python -m pip install uv` (it is in the dev extra)")


def resolve(uv: str, platform: Platform, python: str, extras: list[str], offline: bool = False) -> Cell:
    """Run one ``uv pip compile`` and parse the pins it prints.

    ``offline`` answers from uv's cache only; a cell the cache cannot answer is resolved online.
    """
    command = [uv, "pip", "compile", str(ROOT / "pyproject.toml"), "--quiet", "--no-header", "--no-annotate"]
    command += [arg for extra in extras for arg in ("--extra", extra)]
    command += ["--python-platform", platform.uv_name, "--python-version", python]
    command += ["--offline"] if offline else []
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if result.returncode != 0:
        if offline:
            return resolve(uv, platform, python, extras, offline=False)
        text = result.stderr.split("hint:")[0].replace("error: No solution found when resolving dependencies:", "")
        reason = " ".join(text.replace("cause:", "").split()) or "uv failed"
        return Cell(platform, python, None, reason)
    pins = {name.lower().replace("_", "-"): version for name, version in PIN_RE.findall(result.stdout)}
    return Cell(platform, python, pins)


def table(cells: list[Cell], pythons: list[str]) -> str:
    """A Markdown table: one row per platform, one column per Python."""
    by_key = {(cell.platform, cell.python): cell for cell in cells}
    lines = ["| platform | " + " | ".join(f"Python {python}" for python in pythons) + " |"]
    lines.append("|---|" + "---|" * len(pythons))
    for platform in dict.fromkeys(cell.platform for cell in cells):
        row = [by_key[platform, python].text() for python in pythons]
        lines.append(f"| {platform.label} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def run(extras: list[str], jobs: int, all_online: bool = False, platforms=PLATFORMS) -> tuple[list[Cell], list[str]]:
    """Resolve every platform x Python cell, ``jobs`` at a time.

    uv serialises concurrent runs on its cache and revalidates every index page online (about
    10 s a cell here), so by default the seed platforms (Linux x86_64 and macOS arm64, which
    between them pull both TensorFlow distributions and their dependencies) resolve online at
    the newest Python and refresh the cache, and the other cells resolve from that cache
    (falling back to online when it cannot answer). ``all_online`` resolves every cell online.
    """
    uv = find_uv()
    pythons = supported_pythons()
    seeds = [(platform, pythons[-1]) for platform in platforms if platform.seed]
    rest = [(platform, python) for platform in platforms for python in pythons if (platform, python) not in seeds]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        first = list(pool.map(lambda pair: resolve(uv, *pair, extras), seeds))
        others = list(pool.map(lambda pair: resolve(uv, *pair, extras, offline=not all_online), rest))
    done = {(cell.platform, cell.python): cell for cell in first + others}
    return [done[platform, python] for platform in platforms for python in pythons], pythons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="cpu,dev", help="comma-separated extras to resolve (default: cpu,dev)")
    parser.add_argument("--online", action="store_true", help="resolve every cell online, none from uv's cache")
    parser.add_argument("--jobs", type=int, default=4, help="resolutions run at once (default: 4)")
    args = parser.parse_args(argv)
    extras = [extra.strip() for extra in args.extras.split(",") if extra.strip()]

    cells, pythons = run(extras, args.jobs, all_online=args.online)
    print(f"gradlab[{','.join(extras)}] resolved by uv, platform x Python -> TensorFlow distribution:\n")
    print(table(cells, pythons))
    failures = [cell for cell in cells if cell.problem and cell.platform.required]
    notes = [cell for cell in cells if cell.problem and not cell.platform.required]
    for cell in notes:
        reason = cell.problem if len(cell.problem) <= 200 else cell.problem[:200] + "..."
        print(f"note: {cell.platform.label}, Python {cell.python}: {reason} (not required)")
    for cell in failures:
        print(f"FAIL: {cell.platform.label}, Python {cell.python}: {cell.problem}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} required cell(s) failed; fix the markers in pyproject.toml [cpu].", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
