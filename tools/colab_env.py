"""Run every notebook under nbval in an environment pinned to a Colab runtime (`make colab-test`).

    python tools/colab_env.py [--runtime current|previous] [notebooks/NN_x.ipynb ...]
    python tools/colab_env.py --refresh BACKEND_INFO --commit SHA --out tools/colab/NAME.txt

A run, for one runtime (a row of ``RUNTIMES``: a pin file in tools/colab/):

1. Creates build/colab/<pin file>-<hash of the pin file>/ once, with the Python minor version
   Colab runs (found on PATH or in pyenv's versions; a clear error names what is missing) and
   exactly the pinned packages from PyPI; a second run with the same pin file reuses it.
   The pin file is committed: nothing is fetched from GitHub at run time.
2. Builds gradlab's wheel and installs it the way each notebook's set-up cell does on Colab:
   the set-up cell itself runs there, with ``google.colab`` stubbed and its install source
   pointed at the wheel; it must print nothing, and it must leave every pinned package at its
   pinned version (pip adding gradlab-tf and nothing else).
3. Runs the notebooks under nbval (the same options as ``make notebooks-test``) with that
   environment's Python, in kernels that carry no TensorFlow variable (as on Colab).

``--refresh`` writes a pin file from Colab's published list (github.com/googlecolab/backend-info,
pip-freeze.txt and os-info.txt at one commit; BACKEND_INFO is a clone, or its bare git dir):
the packages the notebooks and tests import (``ROOTS``) and everything they depend on, each at
Colab's exact version, resolved for Colab's Python with uv; the test tools Colab lacks (nbval)
get the newest release that fits beside those pins. COLAB_PYTHON overrides the interpreter.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

#: The rows of `make colab-test` (current) and `make colab-test-previous`.
RUNTIMES = {
    "current": ROOT / "tools" / "colab" / "2026-08-19-py3.13.txt",
    "previous": ROOT / "tools" / "colab" / "2026-07-py3.12.txt",
}
#: What the notebooks and the tests import (with autograd, which notebook 07 compares against),
#: and the installers Colab ships; their dependencies are pinned too, at Colab's versions.
ROOTS = ["tensorflow", "keras", "numpy", "matplotlib", "ipython", "ipykernel", "ipywidgets", "traitlets",
         "nbformat", "jupytext", "sympy", "protobuf", "autograd", "pip", "setuptools", "wheel"]
#: Test tools: pinned at Colab's version when Colab has them (pytest), else resolved on refresh.
TEST_TOOLS = ["pytest", "nbval"]
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")
PYTHON_RE = re.compile(r"^# python: (\d+)\.(\d+)(\.\d+)?\s*$", re.M)
BUILD = ROOT / "build" / "colab"


START = time.monotonic()


def step(message: str) -> None:
    """Say what is happening, with the seconds since the start (for CI logs; nothing depends on it)."""
    print(f"colab-test [{time.monotonic() - START:5.0f} s]: {message}", flush=True)


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it (``Jupyter_Core`` -> ``jupyter-core``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a pin or pip-freeze file.

    Lines that are not exact pins (``name @ url``, comments, editable installs) are skipped:
    they are not on PyPI, so they cannot constrain what we install from there.

    Examples
    --------
    >>> read_pins("Jupyter_Core==5.9.1\\ntorch @ https://x/torch.whl\\n# c\\n")
    {'jupyter-core': '5.9.1'}
    """
    pins = {}
    for line in text.splitlines():
        match = PIN_RE.match(line.strip())
        if match:
            pins[canonical(match.group(1))] = match.group(2)
    return pins


def wanted_python(pin_file: Path) -> tuple[int, int, str]:
    """(major, minor, Colab's full version) from the pin file's ``# python: X.Y.Z`` header line."""
    match = PYTHON_RE.search(pin_file.read_text(encoding="utf-8"))
    if not match:
        sys.exit(f"colab-test: {pin_file} has no '# python: X.Y.Z' header line; regenerate it with --refresh")
    major, minor = int(match.group(1)), int(match.group(2))
    return major, minor, f"{major}.{minor}{match.group(3) or ''}"


def _minor_of(python: str) -> tuple[int, int] | None:
    """(major, minor) of an interpreter that really runs (a pyenv shim for an inactive one exits 127)."""
    try:
        done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode:
        return None
    major, minor = done.stdout.split()
    return int(major), int(minor)


def find_python(major: int, minor: int) -> str:
    """An interpreter of Python major.minor: COLAB_PYTHON, else pythonX.Y on PATH, else pyenv's.

    pyenv's interpreters are used directly (versions/X.Y*/bin), so one that is installed but not
    active (PYENV_VERSION, .python-version) is found too. Exits with what is missing otherwise.
    """
    name = f"python{major}.{minor}"
    if os.environ.get("COLAB_PYTHON"):
        python = os.environ["COLAB_PYTHON"]
        if _minor_of(python) != (major, minor):
            sys.exit(f"colab-test: COLAB_PYTHON={python} is not a working Python {major}.{minor} "
                     f"(it reports {_minor_of(python)}); point it at a {name}")
        return python
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(name)]
    candidates += sorted((str(p) for p in pyenv_root.glob(f"versions/{major}.{minor}.*/bin/{name}")), reverse=True)
    found = next((c for c in candidates if c and _minor_of(c) == (major, minor)), None)
    if not found:
        sys.exit(f"colab-test: needs Python {major}.{minor} (the Colab runtime's), but found no working "
                 f"{name} on PATH nor under {pyenv_root}/versions/{major}.{minor}.*: install it "
                 f"(e.g. `pyenv install {major}.{minor}`), or run with COLAB_PYTHON=/path/to/{name}")
    return found


def env_dir(pin_file: Path) -> Path:
    """Where the environment of a pin file lives: keyed by the file's content, so edits rebuild it."""
    digest = hashlib.sha256(pin_file.read_bytes()).hexdigest()[:12]
    return BUILD / f"{pin_file.stem}-{digest}"


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def installed(python: Path) -> dict[str, str]:
    """``{canonical name: version}`` of every distribution in an environment."""
    code = ("import importlib.metadata as m\n"
            "for d in m.distributions(): print(d.metadata['Name'], d.version, sep='==')")
    # Isolated (-I) and outside the checkout: a gradlab_tf.egg-info left in the source tree by
    # the wheel build would otherwise count as installed.
    done = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, check=True, cwd=python.parent)
    return read_pins(done.stdout)


def pin_mismatches(pins: dict[str, str], have: dict[str, str], extra_ok: frozenset[str] = frozenset()) -> list[str]:
    """What differs between the pins and an environment: missing, other versions, unpinned extras.

    Examples
    --------
    >>> pin_mismatches({"numpy": "2.1.3"}, {"numpy": "2.5.5", "rich": "14.0"})
    ['numpy: pinned 2.1.3, installed 2.5.5', 'rich: installed 14.0, not pinned']
    """
    problems = []
    for name, version in sorted(pins.items()):
        if have.get(name) != version:
            problems.append(f"{name}: pinned {version}, installed {have.get(name, 'nothing')}")
    problems += [f"{name}: installed {have[name]}, not pinned" for name in sorted(set(have) - set(pins) - extra_ok)]
    return problems


def _installer(python: Path, pin_file: Path) -> list[str]:
    """uv when the project's venv has it (fast, shares its cache), else the environment's own pip."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv:
        return [uv, "pip", "install", "-q", "--python", str(python), "--index-strategy", "first-index",
                "-r", str(pin_file)]
    return [str(python), "-m", "pip", "install", "-q", "--no-input", "-r", str(pin_file)]


def create(pin_file: Path) -> Path:
    """The environment of a pin file, created once (a half-made one is removed and made again)."""
    env = env_dir(pin_file)
    stamp = env / ".complete"
    if stamp.exists():
        step(f"reusing {env.relative_to(ROOT)}")
        return env
    major, minor, colab_version = wanted_python(pin_file)
    python = find_python(major, minor)
    for stale in BUILD.glob(f"{pin_file.stem}-*"):  # older versions of this pin file
        shutil.rmtree(stale)
    step(f"creating {env.relative_to(ROOT)} with {python} (Colab runs Python {colab_version})")
    subprocess.run([python, "-m", "venv", str(env)], check=True)
    subprocess.run(_installer(env_python(env), pin_file), check=True)
    problems = pin_mismatches(read_pins(pin_file.read_text(encoding="utf-8")), installed(env_python(env)))
    if problems:
        sys.exit("colab-test: the environment does not match " + str(pin_file) + ":\n  " + "\n  ".join(problems))
    stamp.touch()
    return env


def build_wheel() -> Path:
    """gradlab's wheel, built from this checkout into build/dist."""
    dist = ROOT / "build" / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, ROOT], check=True)
    return next(dist.glob("*.whl"))


def install_gradlab(env: Path, pin_file: Path) -> None:
    """Install the wheel by running the notebooks' set-up cell, and check it changed no pin."""
    python = env_python(env)
    wheel = build_wheel()
    name = canonical(wheel.name.split("-")[0])  # the distribution's name, as the wheel spells it
    pins = read_pins(pin_file.read_text(encoding="utf-8"))
    earlier = sorted(set(installed(python)) - set(pins))  # what an earlier run installed (gradlab)
    if earlier:
        subprocess.run([python, "-m", "pip", "uninstall", "-q", "-y", *earlier], check=True)
    step(f"installing {wheel.name} through the notebooks' set-up cell, as on Colab")
    stub = ("import sys, types\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n")
    cell = colab.setup_cell(spec=f"{name} @ {wheel.resolve().as_uri()}")
    done = subprocess.run([python, "-c", stub + cell], capture_output=True, text=True, cwd=env, env=kernel_env())
    if done.returncode or done.stdout or done.stderr:
        sys.exit(f"colab-test: the set-up cell did not install gradlab quietly:\n{done.stdout}{done.stderr}")
    problems = pin_mismatches(pins, installed(python), extra_ok=frozenset({name}))
    if problems:
        sys.exit("colab-test: installing gradlab changed what Colab ships:\n  " + "\n  ".join(problems))


def kernel_env() -> dict[str, str]:
    """This environment minus TensorFlow's variables and a test-only backend, as on Colab."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k != "MPLBACKEND"}


def versions(env: Path) -> str:
    code = ("import sys, tensorflow as tf, keras, numpy, matplotlib, ipywidgets, gradlab; "
            "print(f'Python {sys.version.split()[0]}, tensorflow {tf.__version__}, keras {keras.__version__}, '"
            "f'numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, '"
            "f'ipywidgets {ipywidgets.__version__}, gradlab {gradlab.__version__}')")
    done = subprocess.run([env_python(env), "-c", code], capture_output=True, text=True, check=True, cwd=env)
    return done.stdout.strip()


def run(runtime: str, notebooks: list[str]) -> int:
    """Build (or reuse) one runtime's environment, install gradlab, run the notebooks under nbval."""
    pin_file = RUNTIMES[runtime]
    env = create(pin_file)
    install_gradlab(env, pin_file)
    step(f"{runtime} runtime ({pin_file.relative_to(ROOT)}): {versions(env)}")
    targets = [str(Path(n).resolve()) for n in notebooks]
    targets = targets or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    command = [env_python(env), "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), *targets]
    # From build/: the kernels must import the installed wheel, never the source tree.
    code = subprocess.run(command, cwd=ROOT / "build", env=kernel_env()).returncode
    step(f"{runtime} runtime: nbval {'passed' if code == 0 else 'FAILED'}")
    return code


# --- --refresh: a pin file from Colab's published list -------------------------------------------

def _git(repo: Path, *args: str) -> str:
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    done = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"colab_env --refresh: `git {' '.join(args)}` failed in {repo} ({done.stderr.strip()}): "
                 "BACKEND_INFO must be a clone of https://github.com/googlecolab/backend-info and "
                 "--commit one of its commits")
    return done.stdout


def colab_python(os_info: str) -> str:
    """Colab's Python version from backend-info's os-info.txt (its ``Python X.Y.Z`` line)."""
    match = re.search(r"^Python (\d+\.\d+\.\d+)\s*$", os_info, re.M)
    if not match:
        raise ValueError("os-info.txt has no 'Python X.Y.Z' line: is this googlecolab/backend-info?")
    return match.group(1)


def resolve(freeze: dict[str, str], python_version: str) -> dict[str, str]:
    """ROOTS and TEST_TOOLS with their dependencies, resolved for Linux x86_64 within Colab's pins."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not uv:
        sys.exit("colab_env --refresh: needs uv (it is in the dev extra: `make setup`)")
    with tempfile.TemporaryDirectory() as tmp:
        constraints, roots = Path(tmp, "colab.txt"), Path(tmp, "roots.txt")
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(freeze.items())), encoding="utf-8")
        roots.write_text("\n".join(ROOTS + TEST_TOOLS) + "\n", encoding="utf-8")
        done = subprocess.run([uv, "pip", "compile", "-q", "--no-header", "--no-annotate",
                               "--python-version", ".".join(python_version.split(".")[:2]),
                               "--python-platform", "x86_64-manylinux_2_28", "-c", str(constraints), str(roots)],
                              capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"colab_env --refresh: uv could not resolve the roots within Colab's pins:\n{done.stderr}")
    return read_pins(done.stdout)


def pin_text(resolved: dict[str, str], freeze: dict[str, str], header: list[str]) -> str:
    """The pin file: Colab's versions first, then what Colab lacks (the test tools and their needs)."""
    colabs = [f"{n}=={v}" for n, v in sorted(resolved.items()) if freeze.get(n) == v]
    others = [f"{n}=={v}" for n, v in sorted(resolved.items()) if freeze.get(n) != v]
    lines = [*header,
             "", "# At Colab's exact versions (the notebooks' imports, the installers, and what they need):", *colabs,
             "", "# Not in Colab's list (test tools, and what a pin needs that the list lacks): resolved on refresh.",
             *others]
    return "\n".join(lines) + "\n"


def refresh(backend_info: Path, commit: str, out: Path, note: str = "") -> None:
    """Write `out` from backend-info's pip-freeze.txt and os-info.txt at `commit` (`note`: a header line)."""
    sha = _git(backend_info, "rev-parse", f"{commit}^{{commit}}").strip()
    date, subject = (line.strip() for line in
                     _git(backend_info, "show", "-s", "--format=%ad%n%s", "--date=short", sha).splitlines()[:2])
    freeze = read_pins(_git(backend_info, "show", f"{sha}:pip-freeze.txt"))
    python_version = colab_python(_git(backend_info, "show", f"{sha}:os-info.txt"))
    header = [
        "# A Colab runtime's Python packages, for `make colab-test` (tools/colab_env.py). Generated: do not edit.",
        f"# source: https://github.com/googlecolab/backend-info/blob/{sha}/pip-freeze.txt",
        f"# commit: {sha} ({date}, \"{subject}\")",
        f"# python: {python_version}",
        *([f"# {note}"] if note else []),
        "# Only what the notebooks and tests import and its dependencies, not all of Colab's packages.",
        "# refresh: git clone https://github.com/googlecolab/backend-info /tmp/backend-info && \\",
        f"#   .venv/bin/python tools/colab_env.py --refresh /tmp/backend-info --commit SHA --out {_shown(out)}"
        + (f" --note {shlex.quote(note)}" if note else ""),
    ]
    text = pin_text(resolve(freeze, python_version), freeze, header)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}: Python {python_version}, {len(read_pins(text))} pins from {sha[:7]} ({date})")


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--runtime", choices=sorted(RUNTIMES), default="current",
                        help="which Colab runtime's pins to run with (default: current)")
    parser.add_argument("--refresh", type=Path, metavar="BACKEND_INFO",
                        help="write a pin file from a clone of github.com/googlecolab/backend-info")
    parser.add_argument("--commit", default="HEAD", help="with --refresh: the backend-info commit (default HEAD)")
    parser.add_argument("--out", type=Path, help="with --refresh: the pin file to write")
    parser.add_argument("--note", default="", help="with --refresh: a line for the header (which runtime this is)")
    args = parser.parse_args(argv)
    if args.refresh:
        if not args.out:
            parser.error("--refresh needs --out tools/colab/NAME.txt")
        refresh(args.refresh, args.commit, args.out, args.note)
        return 0
    return run(args.runtime, args.notebooks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
