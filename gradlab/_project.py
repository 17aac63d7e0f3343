"""Where gradlab lives: its name on PyPI, its repository, and the links and set-up cell made from them.

This is the one place to change when the project moves. ``tools/colab.py`` stamps what is
derived here into every notebook (the Colab badge, the set-up cell) and into the README's
Binder badge, and checks that they agree; ``pyproject.toml`` has to repeat the distribution
name and the repository URL as static metadata, and ``tests/test_package.py`` fails when they
differ from the values here.

The module imports nothing beyond the standard library (no TensorFlow, no gradlab module), so
tools and ``python -m gradlab`` can use it anywhere.

>>> from gradlab import _project
>>> _project.install_spec("0.1.0")
'gradlab-tf==0.1.0'
"""

from __future__ import annotations

from pathlib import PurePosixPath

#: The distribution name on PyPI. `gradlab` there is an unrelated reinforcement-learning package
#: (import name `gradlab` too, Requires-Python ==3.14.*), so this one is published as gradlab-tf;
#: its import name stays `gradlab` (see the comment at [project] in pyproject.toml for why).
DISTRIBUTION = "gradlab-tf"

#: PLACEHOLDER: the project has no public repository yet, and nothing answers at this address.
#: When it has one, put its URL here and in pyproject.toml ([project.urls] Repository), then run
#: `python tools/colab.py --fix` to re-stamp the badges. Colab installs gradlab-tf from PyPI by
#: name, so only the badges (Open in Colab, Binder) depend on this URL.
REPOSITORY = "https://github.com/gradlab-edu/gradlab"

#: The branch the badges open.
BRANCH = "main"


def _github_slug(repository: str = REPOSITORY) -> str:
    """``owner/name`` of a GitHub repository URL; a clear error for any other host."""
    prefix = "https://github.com/"
    if not repository.startswith(prefix) or repository.rstrip("/").count("/") != 4:
        raise ValueError(f"the repository must be https://github.com/OWNER/NAME (Colab and Binder open GitHub "
                         f"repositories), not {repository!r}: fix REPOSITORY in gradlab/_project.py")
    return repository.removeprefix(prefix).rstrip("/")


def install_spec(version: str) -> str:
    """What the set-up cell installs on Colab: the published package, pinned to one version.

    Parameters
    ----------
    version : str
        gradlab's version, e.g. ``gradlab.__version__`` (the notebooks' own version).

    Returns
    -------
    str
        A pip requirement such as ``"gradlab-tf==0.1.0"``. It never names TensorFlow, which
        Colab ships.

    Examples
    --------
    >>> install_spec("0.1.0")
    'gradlab-tf==0.1.0'
    """
    if not version or any(ch.isspace() for ch in version):
        raise ValueError(f"version must be a version string such as '0.1.0', not {version!r}")
    return f"{DISTRIBUTION}=={version}"


def colab_url(notebook: str) -> str:
    """The Open-in-Colab address of a notebook of the repository.

    Parameters
    ----------
    notebook : str
        Its path inside the repository, e.g. ``"notebooks/01_gradienttape_basics.ipynb"``.

    Returns
    -------
    str
        ``https://colab.research.google.com/github/OWNER/NAME/blob/BRANCH/<notebook>``.

    Examples
    --------
    >>> colab_url("notebooks/01_gradienttape_basics.ipynb").startswith("https://colab.research.google.com/github/")
    True
    """
    path = PurePosixPath(notebook)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"notebook must be a path inside the repository such as 'notebooks/01_x.ipynb', "
                         f"not {notebook!r}")
    return f"https://colab.research.google.com/github/{_github_slug()}/blob/{BRANCH}/{path.as_posix()}"


def binder_url(folder: str = "notebooks") -> str:
    """The mybinder.org address that builds the repository's ``binder/`` image and opens `folder` in JupyterLab.

    Examples
    --------
    >>> binder_url().endswith("?urlpath=lab/tree/notebooks")
    True
    """
    return f"https://mybinder.org/v2/gh/{_github_slug()}/{BRANCH}?urlpath=lab/tree/{folder}"


#: The first code cell of every notebook. Colab starts without gradlab, so this cell cannot call
#: into gradlab to install it: the install is plain Python, the rest is gradlab's. It prints
#: nothing unless the install fails (nbval and the saved notebooks see no output), and then
#: pip's own explanation (its first ERROR line, and the WARNING lines before it that name a
#: network cause) and the command to run. It is plain Python, no ``%pip``, so the py:percent
#: twins stay valid Python and the cell runs the same in a kernel and under ``python -c``.
SETUP_CELL = """\
# Set-up. On Colab: install gradlab-tf, the package of these notebooks (Colab has TensorFlow).
import subprocess
import sys

if "google.colab" in sys.modules:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{spec}"], capture_output=True, text=True)
    if pip.returncode:  # what pip says is wrong, then what to run once it is fixed
        print(pip.stderr.strip() + '\\nThen run this cell again, or: pip install "{spec}"')
import gradlab

tensorflow = gradlab.import_tensorflow()  # loaded once, without its C++ start-up log"""


def setup_cell(spec: str) -> str:
    """The set-up cell's source, installing `spec` on Colab.

    Parameters
    ----------
    spec : str
        A pip requirement, normally :func:`install_spec` of the notebooks' version; a test may
        pass a wheel's path or URL instead. It must not contain a double quote.

    Returns
    -------
    str
        The cell's source, without a trailing newline.

    Examples
    --------
    >>> 'pip", "install", "-q", "gradlab-tf==0.1.0"' in setup_cell(install_spec("0.1.0"))
    True
    """
    if not spec or '"' in spec or "\n" in spec:
        raise ValueError(f"spec must be one pip requirement without double quotes or newlines, not {spec!r}")
    return SETUP_CELL.format(spec=spec)


def binder_badge(folder: str = "notebooks") -> str:
    """The README's Binder badge (markdown)."""
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(folder)})"


def colab_badge(notebook: str) -> str:
    """A notebook's Open-in-Colab badge (markdown)."""
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)})"
