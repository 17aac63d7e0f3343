"""`make colab-test`'s pins and interpreter choice (tools/colab_env.py), offline.

The run itself (build the pinned environment, install through the set-up cell, nbval every
notebook) is `make colab-test` / `make colab-test-previous`; here are the parts that need no
network: the committed pin files, the comparison that catches a changed pin, and how the
Python of a runtime is found or reported missing.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_env  # noqa: E402


@pytest.mark.parametrize("runtime", sorted(colab_env.RUNTIMES))
def test_pin_file_names_its_source_and_pins_every_import(runtime):
    pin_file = colab_env.RUNTIMES[runtime]
    text = pin_file.read_text(encoding="utf-8")
    assert "# source: https://github.com/googlecolab/backend-info/blob/" in text
    assert "# refresh: " in text
    major, minor, _ = colab_env.wanted_python(pin_file)
    assert (major, minor) >= (3, 10)
    pins = colab_env.read_pins(text)
    missing = [name for name in colab_env.ROOTS + colab_env.TEST_TOOLS if colab_env.canonical(name) not in pins]
    assert missing == []
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(lines) == len(pins), "every non-comment line is one exact pin, each package once"


def test_pins_are_colabs_versions_from_the_named_commit():
    """The current file agrees with Colab's list as the issue quotes it (backend-info a724079)."""
    pins = colab_env.read_pins(colab_env.RUNTIMES["current"].read_text(encoding="utf-8"))
    quoted = {"tensorflow": "2.20.0", "keras": "3.13.2", "numpy": "2.1.3", "matplotlib": "3.10.0",
              "ipython": "7.34.0", "ipykernel": "6.17.1", "ipywidgets": "7.7.1", "traitlets": "5.7.1",
              "nbformat": "5.11.1", "jupytext": "1.19.5", "sympy": "1.14.0", "autograd": "1.9.1",
              "protobuf": "5.29.6"}
    assert {name: pins[name] for name in quoted} == quoted
    assert colab_env.wanted_python(colab_env.RUNTIMES["current"])[:2] == (3, 13)
    previous = colab_env.read_pins(colab_env.RUNTIMES["previous"].read_text(encoding="utf-8"))
    assert (previous["tensorflow"], previous["numpy"]) == ("2.20.0", "2.0.2")
    assert colab_env.wanted_python(colab_env.RUNTIMES["previous"])[:2] == (3, 12)


def test_read_pins_skips_what_is_not_on_pypi():
    freeze = "# header\nJupyter_Core==5.9.1\ntorch @ https://x/torch.whl\n-e git+https://x#egg=y\nabsl-py==1.4.0\n"
    assert colab_env.read_pins(freeze) == {"jupyter-core": "5.9.1", "absl-py": "1.4.0"}


def test_a_changed_pin_or_an_extra_package_is_reported():
    pins = {"numpy": "2.1.3", "keras": "3.13.2"}
    have = {"numpy": "2.5.5", "keras": "3.13.2", "gradlab-tf": "0.1.0", "rich": "14.0"}
    assert colab_env.pin_mismatches(pins, have, extra_ok=frozenset({"gradlab-tf"})) == [
        "numpy: pinned 2.1.3, installed 2.5.5", "rich: installed 14.0, not pinned"]
    assert colab_env.pin_mismatches(pins, {"numpy": "2.1.3"}) == ["keras: pinned 3.13.2, installed nothing"]
    assert colab_env.pin_mismatches(pins, dict(pins)) == []


def test_the_environment_is_keyed_by_the_pin_files_content(tmp_path):
    pins = tmp_path / "row.txt"
    pins.write_text("# python: 3.13.15\nnumpy==2.1.3\n", encoding="utf-8")
    first = colab_env.env_dir(pins)
    pins.write_text("# python: 3.13.15\nnumpy==2.1.4\n", encoding="utf-8")
    assert colab_env.env_dir(pins) != first
    assert colab_env.env_dir(pins).name.startswith("row-")


def _fake_python(path: Path, major: int, minor: int) -> Path:
    """A script that answers the version question the way ``python -c ...`` would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {major} {minor}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_an_installed_but_inactive_pyenv_version_is_found(tmp_path, monkeypatch):
    wanted = _fake_python(tmp_path / "pyenv/versions/3.99.2/bin/python3.99", 3, 99)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("COLAB_PYTHON", raising=False)
    assert colab_env.find_python(3, 99) == str(wanted)


def test_a_missing_minor_version_is_named_with_how_to_get_it(tmp_path, monkeypatch):
    _fake_python(tmp_path / "pyenv/versions/3.98.0/bin/python3.98", 3, 98)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("COLAB_PYTHON", raising=False)
    with pytest.raises(SystemExit) as exits:
        colab_env.find_python(3, 99)
    message = str(exits.value)
    assert "needs Python 3.99" in message and "pyenv install 3.99" in message and "COLAB_PYTHON" in message


def test_colab_python_of_another_minor_version_is_refused(tmp_path, monkeypatch):
    other = _fake_python(tmp_path / "python3.98", 3, 98)
    monkeypatch.setenv("COLAB_PYTHON", str(other))
    with pytest.raises(SystemExit, match=r"not a working Python 3\.99"):
        colab_env.find_python(3, 99)


def test_a_pin_file_without_its_python_line_is_refused(tmp_path):
    pins = tmp_path / "row.txt"
    pins.write_text("numpy==2.1.3\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no '# python: X.Y.Z' header"):
        colab_env.wanted_python(pins)


def test_the_colab_python_version_comes_from_os_info():
    os_info = "# generated\nUbuntu 22.04.5 LTS\nPython 3.13.15\nR version 4.6.1\n"
    assert colab_env.colab_python(os_info) == "3.13.15"
    with pytest.raises(ValueError, match="no 'Python X.Y.Z' line"):
        colab_env.colab_python("Ubuntu 22.04.5 LTS\n")


def test_pin_text_puts_what_colab_lacks_apart():
    text = colab_env.pin_text({"numpy": "2.1.3", "nbval": "0.11.0"}, {"numpy": "2.1.3"}, ["# header"])
    colab_part, other_part = text.split("# Not in Colab's list")
    assert "numpy==2.1.3" in colab_part and "nbval" not in colab_part
    assert "nbval==0.11.0" in other_part
    assert colab_env.read_pins(text) == {"numpy": "2.1.3", "nbval": "0.11.0"}


def test_help_runs_without_building_anything():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "colab_env.py"), "--help"],
                          capture_output=True, text=True, check=True)
    assert "--runtime" in done.stdout and "--refresh" in done.stdout
