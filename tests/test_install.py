"""The install set, the Python range and the interpreter `make` picks.

The live resolution of every platform x Python cell is `make resolve` (tools/resolve_matrix.py,
part of `make test`); here the same markers are evaluated offline, and the parts of the
resolver's verdict that need no network are tested on made-up outcomes.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import resolve_matrix  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PICK = ROOT / "tools" / "pick_python.sh"
SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]

# (sys_platform, platform_machine) as each platform reports them -> what `cpu` must install.
PLATFORMS = {
    ("linux", "x86_64"): "tensorflow-cpu",
    ("win32", "AMD64"): "tensorflow-cpu",
    ("linux", "aarch64"): "tensorflow",
    ("darwin", "arm64"): "tensorflow",
    ("darwin", "x86_64"): "tensorflow",
    ("win32", "ARM64"): "tensorflow",
    ("freebsd14", "amd64"): "tensorflow",
}


def tensorflow_requirements(extra: str, sys_platform: str, machine: str) -> list[str]:
    """The TensorFlow distributions an extra installs on one platform."""
    env = default_environment() | {"sys_platform": sys_platform, "platform_machine": machine, "extra": extra}
    names = []
    for line in PYPROJECT["project"]["optional-dependencies"][extra]:
        requirement = Requirement(line)
        if requirement.name in ("tensorflow", "tensorflow-cpu") and (
            requirement.marker is None or requirement.marker.evaluate(env)
        ):
            names.append(requirement.name)
    return names


@pytest.mark.parametrize(("platform", "expected"), PLATFORMS.items(), ids=["-".join(p) for p in PLATFORMS])
def test_cpu_extra_installs_exactly_one_tensorflow_per_platform(platform, expected):
    assert tensorflow_requirements("cpu", *platform) == [expected]


def test_tf_extra_is_plain_tensorflow_everywhere_and_core_has_none():
    for platform in PLATFORMS:
        assert tensorflow_requirements("tf", *platform) == ["tensorflow"]
    core = [Requirement(line).name for line in PYPROJECT["project"]["dependencies"]]
    assert not {"tensorflow", "tensorflow-cpu"} & set(core), "Colab must keep its own TensorFlow"


def test_python_range_is_stated_once_everywhere():
    assert resolve_matrix.supported_pythons() == SUPPORTED
    assert PYPROJECT["project"]["requires-python"] == ">=3.10,<3.14"
    script = PICK.read_text(encoding="utf-8")
    assert 'SUPPORTED="3.10 3.11 3.12 3.13"' in script
    assert 'NEWEST_FIRST="3.13 3.12 3.11 3.10"' in script
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"Python (3\.\d+)[–-](3\.\d+)", readme) and all(
        pair == ("3.10", "3.13") for pair in re.findall(r"Python (3\.\d+)[–-](3\.\d+)", readme)
    )
    assert "Python 3.11+" not in readme
    assert "3.10-3.13" in (ROOT / "Makefile").read_text(encoding="utf-8")
    conda = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*- python>=3\.10,<3\.14\s*$", conda, re.MULTILINE)


GRADERS = {"nbgrader", "otter-grader"}


def direct_names(*extras: str) -> set[str]:
    """The distributions pyproject names for the core set plus `extras` (markers ignored)."""
    lines = PYPROJECT["project"]["dependencies"] + [
        line for extra in extras for line in PYPROJECT["project"]["optional-dependencies"][extra]]
    return {Requirement(line).name for line in lines}


def test_students_get_no_grading_tools_and_teachers_get_nbgrader():
    assert not GRADERS & direct_names("cpu", "lab")  # make lab, environment.yml
    assert not GRADERS & direct_names("cpu")  # binder/postBuild
    assert not GRADERS & direct_names("dev")  # the test tools alone
    teacher = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"]["teacher"]]
    nbgrader = next(r for r in teacher if r.name == "nbgrader")
    # no marker: on Python 3.10 the install fails saying so, instead of leaving nbgrader out
    assert nbgrader.marker is None and nbgrader.specifier.contains("0.9.6")


def test_each_way_in_installs_its_own_set():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab_recipe = makefile[makefile.index("$(STUDENT): pyproject.toml"):makefile.index("$(TEACHER): pyproject.toml")]
    assert "'.[cpu,lab]'" in lab_recipe
    assert re.search(r"^lab: student-setup$", makefile, re.MULTILINE)
    assert re.search(r"^teacher: teacher-setup$", makefile, re.MULTILINE)
    assert '".[cpu,lab,dev$(TEACHER_IF_SUPPORTED)]"' in makefile  # make setup / make test
    assert "- -e .[cpu,lab]" in (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "'.[cpu]'" in (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")


# --- the interpreter `make` picks -------------------------------------------------------------


def fake_python(directory: Path, name: str, version: str) -> None:
    """An executable that answers the version query as a Python ``version`` would."""
    path = directory / name
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def pick(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(PICK), *args], capture_output=True, text=True, env={"PATH": str(directory)}, timeout=600
    )


def test_supported_python3_is_used_as_is(tmp_path):
    fake_python(tmp_path, "python3", "3.12")
    fake_python(tmp_path, "python3.13", "3.13")
    assert pick(tmp_path).stdout == "python3\n"


@pytest.mark.parametrize("too_new_or_old", ["3.14", "3.9"])
def test_unsupported_python3_falls_back_to_newest_supported_on_path(tmp_path, too_new_or_old):
    fake_python(tmp_path, "python3", too_new_or_old)
    fake_python(tmp_path, "python3.11", "3.11")
    fake_python(tmp_path, "python3.10", "3.10")
    result = pick(tmp_path)
    assert (result.returncode, result.stdout) == (0, "python3.11\n")


def test_no_usable_python_stops_with_one_line(tmp_path):
    fake_python(tmp_path, "python3", "3.14")
    fake_python(tmp_path, "python3.9", "3.9")
    result = pick(tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "3.10-3.13" in result.stderr and "python3 is 3.14" in result.stderr
    assert "make lab PYTHON=python3.12" in result.stderr


def test_explicit_unsupported_python_is_refused(tmp_path):
    fake_python(tmp_path, "python3.14", "3.14")
    fake_python(tmp_path, "python3", "3.12")
    result = pick(tmp_path, "python3.14")
    assert result.returncode == 1 and "python3.14 is 3.14" in result.stderr
    assert pick(tmp_path, "python3").stdout == "python3\n"


def test_real_interpreters_from_pyenv(tmp_path):
    """With real interpreters: a 3.14 `python3` in front, the real 3.13/3.12 behind it."""
    pyenv = Path("/root/.pyenv/versions")
    real = {"3.12": pyenv / "3.12.1/bin/python3.12", "3.13": pyenv / "3.13.0/bin/python3.13"}
    if not all(path.exists() for path in real.values()):
        pytest.skip("needs pyenv's 3.12.1 and 3.13.0 under /root/.pyenv/versions")
    fake_python(tmp_path, "python3", "3.14")
    (tmp_path / "python3.12").symlink_to(real["3.12"])
    assert pick(tmp_path).stdout == "python3.12\n"
    (tmp_path / "python3.13").symlink_to(real["3.13"])
    assert pick(tmp_path).stdout == "python3.13\n"


def pyenv_env(active: str) -> dict[str, str]:
    """PATH with pyenv's shims first and `active` as the only version pyenv activates."""
    root = Path("/root/.pyenv")
    return {"PATH": f"{root / 'shims'}:{root / 'bin'}:/usr/bin:/bin", "PYENV_ROOT": str(root),
            "PYENV_VERSION": active, "HOME": os.environ.get("HOME", "/root")}


def test_an_inactive_pyenv_python_is_explained_by_pyenv_with_a_command_that_works():
    """`make setup PYTHON=python3.13` with 3.13 installed by pyenv but not active (issue 21)."""
    versions = Path("/root/.pyenv/versions")
    if not (versions / "3.13.0/bin/python3.13").exists() or not (versions / "3.12.1/bin/python3.12").exists():
        pytest.skip("needs pyenv with 3.12.1 and 3.13.0 under /root/.pyenv")
    env = pyenv_env("3.12.1")  # python3.13 is a shim that exits 127, explaining why
    result = subprocess.run(["/bin/sh", str(PICK), "python3.13"], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1 and result.stdout == ""
    assert "pyenv: python3.13: command not found" in result.stderr  # pyenv's own explanation, passed on
    assert "exists in these Python versions" in result.stderr
    suggested = re.search(r"make lab PYTHON=(\S+)", result.stderr).group(1)
    assert suggested != "python3.12" and suggested.endswith("/3.13.0/bin/python3.13")
    # ...and the suggestion works where the shim did not
    again = subprocess.run(["/bin/sh", str(PICK), suggested], capture_output=True, text=True, env=env, timeout=600)
    assert (again.returncode, again.stdout) == (0, suggested + "\n")


def test_a_suggested_python_is_one_that_runs(tmp_path):
    """When the asked-for Python is missing, the suggestion is a supported one that works here."""
    fake_python(tmp_path, "python3", "3.14")
    fake_python(tmp_path, "python3.11", "3.11")
    result = pick(tmp_path, "python3.12")
    assert result.returncode == 1 and "python3.12 is not a working Python" in result.stderr
    assert "make lab PYTHON=python3.11" in result.stderr


def test_make_setup_stops_at_once_without_a_usable_python(tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    fake_python(tmp_path, "python3", "3.14")
    (tmp_path / "make").symlink_to(make)
    venv = tmp_path / "venv"
    result = subprocess.run(
        ["make", "-C", str(ROOT), "setup", f"VENV={venv}"],
        capture_output=True, text=True, env={"PATH": str(tmp_path), "HOME": str(tmp_path)}, timeout=600,
    )
    assert result.returncode != 0 and not venv.exists()
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert len(ours) == 1 and "PYTHON=python3.12" in ours[0]


def test_install_script_refuses_an_unknown_installer(tmp_path):
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "tools" / "install.sh"), sys.executable, ".[cpu]"],
        capture_output=True, text=True, env=dict(os.environ, INSTALLER="conda"), timeout=600,
    )
    assert result.returncode == 2 and "INSTALLER must be auto, uv or pip, not 'conda'" in result.stderr


# --- the resolver check's verdict, on made-up outcomes -----------------------------------------

LINUX = resolve_matrix.PLATFORMS[0]


@pytest.mark.parametrize(
    ("pins", "problem"),
    [
        ({"numpy": "2.3.0", "tensorflow-cpu": "2.21.0"}, ""),
        ({"tensorflow": "2.21.0", "tensorflow-cpu": "2.21.0"}, "exactly one TensorFlow distribution"),
        ({"numpy": "2.3.0"}, "exactly one TensorFlow distribution, got none"),
        ({"tensorflow": "2.21.0"}, "picked tensorflow, expected tensorflow-cpu"),
        (None, "does not resolve"),
    ],
)
def test_resolver_verdict(pins, problem):
    cell = resolve_matrix.Cell(LINUX, "3.12", pins)
    assert (cell.problem == "") if not problem else (problem in cell.problem)


def test_supported_pythons_follow_requires_python(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nrequires-python = ">=3.11,<3.15"\n')
    assert resolve_matrix.supported_pythons(pyproject) == ["3.11", "3.12", "3.13", "3.14"]
    pyproject.write_text("[project]\n")
    with pytest.raises(SystemExit, match="no requires-python"):
        resolve_matrix.supported_pythons(pyproject)
