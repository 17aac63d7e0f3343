"""What gets published: `python -m build` makes an sdist and a wheel that install and run in a clean venv.

The wheel is built the way a release is (``python -m build``: the sdist first, the wheel from
the unpacked sdist, so a file the sdist forgets breaks the wheel), from a copy of the working
tree so the checkout is left alone. It must carry every module of the package and the
JupyterLab settings override (installed as data-files under ``share/jupyter``), and nothing
from ``tests/``. Installed in a fresh venv it must import, answer ``python -m gradlab --help``,
make a student copy, and be installable by the notebooks' own set-up cell, by name and pinned.

Slow (a build and a venv: about a minute); ``make test-all`` runs it.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import gradlab
from gradlab import _project

pytest.importorskip("build", reason="python -m build comes with the dev extra (make test installs it)")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

SETTINGS = "share/jupyter/lab/settings/overrides.d/gradlab-widgets.json"
#: What a copy of the tree leaves out: nothing a build reads (pyproject.toml, README.md, gradlab/,
#: jupyter-config/) lives there, and the notebooks and caches would only slow the copy down.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "notebooks", "node_modules", "*.egg-info",
                                    "__pycache__", ".pytest_cache", "bench")
VERSION = gradlab.__version__
STEM = f"{_project.DISTRIBUTION.replace('-', '_')}-{VERSION}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and wheel `python -m build` makes from a copy of the working tree."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    out = work / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return out


def wheel_of(dist: Path) -> Path:
    wheels = sorted(dist.glob("*.whl"))
    assert [w.name for w in wheels] == [f"{STEM}-py3-none-any.whl"]
    return wheels[0]


def test_build_makes_one_sdist_and_one_wheel_named_for_pypi(dist):
    assert sorted(p.name for p in dist.iterdir()) == [f"{STEM}-py3-none-any.whl", f"{STEM}.tar.gz"]
    with tarfile.open(dist / f"{STEM}.tar.gz") as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "gradlab/__init__.py", "jupyter-config/gradlab-widgets.json"} <= names


def test_wheel_holds_the_package_and_the_settings_override_and_no_tests(dist):
    with zipfile.ZipFile(wheel_of(dist)) as wheel:
        names = wheel.namelist()
        settings = wheel.read(f"{STEM}.data/data/{SETTINGS}")
        metadata = email.message_from_bytes(wheel.read(f"{STEM}.dist-info/METADATA"))
        top_level = wheel.read(f"{STEM}.dist-info/top_level.txt").decode().split()
    assert settings == (ROOT / "jupyter-config" / "gradlab-widgets.json").read_bytes()
    assert {name.split("/")[0] for name in names} == {"gradlab", f"{STEM}.dist-info", f"{STEM}.data"}
    assert not [name for name in names if "test" in name.split("/")[-1] or "/tests/" in f"/{name}"]
    # every module of the package (a subpackage missing from pyproject's list would be left out)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gradlab").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules <= set(names), sorted(modules - set(names))
    assert (metadata["Name"], metadata["Version"]) == (_project.DISTRIBUTION, VERSION)
    assert metadata["Requires-Python"] and top_level == ["gradlab"]
    assert f"Repository, {_project.REPOSITORY}" in metadata.get_all("Project-URL")


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(python: Path, *args: str, env: dict | None = None, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), *args], capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


def install(python: Path, requirement: str, cwd: Path) -> None:
    """Install with uv when the dev extra brought it (fast, cached), else with pip."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    command = ([uv, "pip", "install", "--quiet", "--python", str(python), requirement] if uv
               else [str(python), "-m", "pip", "install", "--quiet", requirement])
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=cwd)
    assert done.returncode == 0, f"installing {requirement} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_wheel_installs_in_a_clean_venv_and_runs_there(dist, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv_python(venv)
    install(python, str(wheel_of(dist)), cwd=tmp_path)

    where = run(python, "-c", "import gradlab, importlib.metadata as m; print(gradlab.__file__, "
                "m.version('gradlab-tf'))", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    path, version = where.stdout.split()
    assert Path(path).is_relative_to(venv) and version == VERSION
    assert (venv / SETTINGS).read_bytes() == (ROOT / "jupyter-config" / "gradlab-widgets.json").read_bytes()

    usage = run(python, "-m", "gradlab", "--help", cwd=tmp_path)
    assert usage.returncode == 0 and "student-copy" in usage.stdout

    # a real command, without TensorFlow: a student copy of a notebook with a solution cell
    source, target = tmp_path / "source", tmp_path / "student"
    source.mkdir()
    shutil.copy(ROOT / "notebooks" / "02_power_rule.ipynb", source)
    copied = run(python, "-m", "gradlab", "student-copy", str(source), str(target), cwd=tmp_path)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    text = (target / "02_power_rule.ipynb").read_text(encoding="utf-8")
    assert "YOUR CODE HERE" in text and "BEGIN SOLUTION" not in text


def test_the_setup_cell_installs_the_wheel_by_name_as_on_colab(dist, tmp_path):
    """The notebooks' set-up cell, on a runtime without gradlab: it installs gradlab-tf==VERSION quietly."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv_python(venv)
    # gradlab's dependencies first (Colab has them all), so the cell's pip can work offline
    install(python, str(wheel_of(dist)), cwd=tmp_path)
    assert run(python, "-m", "pip", "uninstall", "-q", "-y", _project.DISTRIBUTION, cwd=tmp_path).returncode == 0
    # Colab's modules: google.colab marks the runtime, and Colab brings its own TensorFlow
    # (a stand-in here: this venv has none, and the cell must not install one)
    stub = ("import sys, types\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
            "sys.modules['tensorflow'] = types.ModuleType('tensorflow')\n")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(dist), PIP_CONFIG_FILE=os.devnull)
    done = run(python, "-c", stub + colab.setup_cell() + "\nprint(gradlab.__file__)", env=env, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stdout + done.stderr
    assert Path(done.stdout.strip()).is_relative_to(venv)  # installed into this runtime, and said nothing else
    shown = run(python, "-m", "pip", "show", _project.DISTRIBUTION, cwd=tmp_path)
    assert f"Version: {VERSION}" in shown.stdout
