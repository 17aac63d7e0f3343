"""The package's shape: every exported name resolves, and importing gradlab stays light."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import gradlab
from gradlab import _project

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_exported_name_resolves():
    for name in gradlab.__all__:
        assert getattr(gradlab, name) is not None, name


def test_unknown_names_raise_attribute_error():
    try:
        gradlab.not_a_thing  # noqa: B018
    except AttributeError as error:
        assert "not_a_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_import_gradlab_does_not_import_tensorflow_or_widgets():
    code = "import sys, gradlab; print(sorted(m for m in ('tensorflow', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_calculus_does_not_pull_in_widgets():
    # (matplotlib cannot be checked the same way: TensorFlow's Keras imports pyplot itself.)
    code = "import sys, gradlab.calculus; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"})
    assert out.stdout.strip() == "False"


# --- where the project lives: one place, and the published name -------------------------------

def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pyproject_repeats_the_name_url_and_version_of_gradlab_project():
    project = _pyproject()["project"]
    assert project["name"] == _project.DISTRIBUTION == "gradlab-tf"  # `gradlab` on PyPI is another project
    assert project["urls"]["Repository"] == _project.REPOSITORY
    assert "version" not in project and "version" in project["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gradlab.__version__"}


WRONG_INSTALL = re.compile(r"(?:pip install|uv pip install|%pip install)[^\n`]*?[\s'\"]gradlab(?:\[|[\s'\"=<>]|$)")


def test_no_install_line_names_the_unrelated_gradlab_distribution():
    """`pip install gradlab` / `gradlab[cpu]` would fetch the other project (or nothing): every line says gradlab-tf."""
    files = [ROOT / "README.md", ROOT / "environment.yml", *sorted((ROOT / "docs").glob("*.md")),
             ROOT / "gradlab" / "_tf.py", *sorted((ROOT / "notebooks").glob("[0-9]*.py"))]
    wrong = WRONG_INSTALL
    assert wrong.search("pip install 'gradlab[cpu]'") and not wrong.search("pip install 'gradlab-tf[cpu]'")
    found = [f"{path.name}: {m.group(0)}" for path in files for m in wrong.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_project_links_come_from_one_repository_url():
    slug = _project.REPOSITORY.removeprefix("https://github.com/")
    assert _project.colab_url("notebooks/01_x.ipynb") == (
        f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/01_x.ipynb")
    assert _project.binder_url() == f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/notebooks"
    assert _project.install_spec("1.2.3") == "gradlab-tf==1.2.3"


def test_project_refuses_links_it_cannot_make():
    with pytest.raises(ValueError, match="inside the repository"):
        _project.colab_url("../elsewhere.ipynb")
    with pytest.raises(ValueError, match="version string"):
        _project.install_spec("")
    with pytest.raises(ValueError, match="double quotes"):
        _project.setup_cell('x"; import os')
