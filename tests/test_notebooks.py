"""The notebooks as files: twins agree, outputs saved, ready for Colab, exercises complete.

nbval (in `make test`) runs them; these tests check what running cannot.
"""

import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
#: A notebook must open quickly on GitHub and in Colab: figures yes, videos no. The largest
#: today (03, with four 3-D views and an explorer's fallback PNG) is about 1.1 MB.
SIZE_BUDGET = 2_000_000


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks_with_twins():
    assert len(NOTEBOOKS) >= 8
    twins = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    assert [p.stem for p in twins] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ipynb_and_py_twin_have_the_same_cells(path):
    nb, twin = read(path), jupytext.read(path.with_suffix(".py"))
    cells = [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]
    twin_cells = [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in twin.cells]
    assert cells == twin_cells, f"run `jupytext --sync {path.with_suffix('.py')}` and rebuild"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_with_outputs_and_no_errors_or_log_noise(path):
    code = [c for c in read(path).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell must have been run"
    outputs = [o for c in code for o in c.outputs]
    assert any(o.output_type == "display_data" or "image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    for noise in ("cpu_feature_guard", "oneDNN", "absl::InitializeLog", "could not find cuda"):
        assert noise not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_ready(path):
    nb = read(path)
    first, setup = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert colab.problems(path.with_suffix(".py")) == []
    assert setup.source == colab.setup_cell()  # installs on Colab only; loads TensorFlow quietly
    assert 'if "google.colab" in sys.modules' in setup.source
    assert "tensorflow" not in colab.install_spec().lower()  # never reinstall Colab's TF
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"\binput\(", source)
    assert "%matplotlib widget" not in source and "ipympl" not in source
    assert "to_html5_video" not in source and "ffmpeg" not in source
    assert path.stat().st_size < SIZE_BUDGET


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ends_with_three_checked_exercises_with_tagged_solutions(path):
    cells = read(path).cells
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    tail = cells[start:]
    checks = re.findall(r'gradlab\.check\("(\d\d\.\d)"', "\n".join(c.source for c in tail))
    assert len(checks) >= 3
    assert all(key.startswith(path.stem[:2]) for key in checks)
    solutions = [c for c in tail if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= len(checks)
    for c in tail:
        if "gradlab.check(" in c.source:
            assert "exercise" in c.metadata.get("tags", [])


def test_every_exercise_in_the_catalog_is_used_once():
    sources = "\n".join(c.source for p in NOTEBOOKS for c in read(p).cells)
    used = re.findall(r'gradlab\.check\("(\d\d\.\d)"', sources)
    from gradlab.exercises.catalog import EXERCISES  # the built-in ones (a test may define its own)

    assert sorted(used) == sorted(EXERCISES)


def test_notebook_readme_lists_every_notebook():
    readme = (ROOT / "notebooks" / "README.md").read_text()
    for path in NOTEBOOKS:
        assert path.name in readme
