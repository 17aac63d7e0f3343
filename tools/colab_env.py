"""Run every notebook under nbval in a Colab-like environment (`make colab-test`).

    python tools/colab_env.py [notebooks/NN_x.ipynb ...]

1. Creates build/colab-env (once) with Python 3.12 and what Colab ships (tools/colab_env.txt:
   the full `tensorflow`, ipywidgets 7.7, NumPy 2, matplotlib 3.10, sympy, autograd).
2. Builds gradlab's wheel and installs it the way each notebook's set-up cell does on Colab:
   the set-up cell itself runs there, with ``google.colab`` stubbed and its install source
   pointed at the wheel; it must print nothing.
3. Runs the notebooks under nbval with that environment's Python, in kernels that carry
   no TensorFlow variable (as on Colab).

COLAB_PYTHON (default: python3.12 on PATH) chooses the interpreter. Colab moved to Python 3.13
in August 2026; `COLAB_PYTHON=python3.13 COLAB_ENV=build/colab-env-313` tries that one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

ENV = ROOT / os.environ.get("COLAB_ENV", "build/colab-env")
PY = ENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
REQUIREMENTS = ROOT / "tools" / "colab_env.txt"
STAMP = ENV / ".requirements"


def step(message: str) -> None:
    print(f"colab-test: {message}", flush=True)


def _runs(python: str) -> bool:
    """True when ``python`` starts (a pyenv shim for a version that is not active exits 127)."""
    try:
        return subprocess.run([python, "-c", "import sys"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python() -> str | None:
    """COLAB_PYTHON if set; else the first python3.12 that really runs: PATH, then pyenv's versions."""
    if os.environ.get("COLAB_PYTHON"):
        return os.environ["COLAB_PYTHON"]
    candidates = [shutil.which("python3.12")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/3.12*/bin/python3.12"))
    return next((c for c in candidates if c and _runs(c)), None)


def create() -> None:
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    if PY.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    python = find_python()
    if not python:
        sys.exit("colab-test: needs Python 3.12 (Colab's): install it, or run "
                 "`make colab-test COLAB_PYTHON=/path/to/python3.12`")
    step(f"creating {ENV.relative_to(ROOT)} with {python}")
    subprocess.run([python, "-m", "venv", str(ENV)], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "-r", REQUIREMENTS], check=True)
    STAMP.write_text(wanted, encoding="utf-8")


def install_gradlab() -> None:
    dist = ROOT / "build" / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, ROOT], check=True)
    wheel = next(dist.glob("gradlab-*.whl"))
    subprocess.run([PY, "-m", "pip", "uninstall", "-q", "-y", "gradlab"], check=True)
    step(f"installing {wheel.name} through the notebooks' set-up cell, as on Colab")
    stub = ("import sys, types\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n")
    cell = colab.setup_cell(spec=f"gradlab @ {wheel.resolve().as_uri()}")
    done = subprocess.run([PY, "-c", stub + cell], capture_output=True, text=True, cwd=ENV, env=kernel_env())
    if done.returncode or done.stdout or done.stderr:
        sys.exit(f"colab-test: the set-up cell did not install gradlab quietly:\n{done.stdout}{done.stderr}")


def kernel_env() -> dict[str, str]:
    """This environment minus TensorFlow's variables and a test-only backend, as on Colab."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k != "MPLBACKEND"}


def versions() -> str:
    code = ("import sys, tensorflow as tf, numpy, matplotlib, ipywidgets, gradlab; "
            "print(f'Python {sys.version.split()[0]}, tensorflow {tf.__version__}, numpy {numpy.__version__}, '"
            "f'matplotlib {matplotlib.__version__}, ipywidgets {ipywidgets.__version__}, '"
            "f'gradlab {gradlab.__version__}')")
    return subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, cwd=ENV).stdout.strip()


def main(notebooks: list[str]) -> int:
    create()
    install_gradlab()
    step(versions())
    targets = [str(Path(n).resolve()) for n in notebooks]
    targets = targets or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    command = [PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), *targets]
    # From build/: the kernels must import the installed wheel, never the source tree.
    return subprocess.run(command, cwd=ROOT / "build", env=kernel_env()).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
