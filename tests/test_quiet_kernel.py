"""TensorFlow's start-up log stays out of notebooks, whatever started the kernel.

A kernel that nobody prepared (VS Code, a hub, Colab, a plain ``python -m ipykernel``) has
no TensorFlow variable in its environment: these tests start exactly such a kernel, from a
throw-away kernelspec with no ``env``, in a process with every ``TF_*`` variable removed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gradlab._tf import MISSING, without_startup_log

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

# What TensorFlow 2.21 printed here: tensorflow-cpu, then the full (CUDA) `tensorflow` package.
STARTUP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795465624.979436    6122 port.cc:153] oneDNN custom operations are on. You may see slightly \
different numerical results.
I0000 00:00:1795465829.102602   11398 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will \
not be used.
I0000 00:00:1795465829.148517   11398 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use \
available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the \
appropriate compiler flags.
E0000 00:00:1795465831.894322   11398 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)
2024-03-01 10:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.
"""
NOISE = ("absl::InitializeLog", "oneDNN", "cuda", "cpu_feature_guard", "rebuild TensorFlow")


def test_filter_drops_each_kind_of_startup_line_and_keeps_the_rest():
    real = "UserWarning: something a student should see\nImportError: libfoo.so: cannot open shared object\n"
    assert without_startup_log(STARTUP) == ""
    assert without_startup_log(STARTUP + real) == real
    assert without_startup_log(real + STARTUP) == real


def test_fd_filter_passes_on_what_is_not_startup_log():
    """Lines written straight to descriptor 2 (as C++ does) are filtered, not swallowed."""
    code = textwrap.dedent(f"""
        import os
        from gradlab._tf import _filtered_fd2
        with _filtered_fd2():
            os.write(2, {STARTUP.encode()!r})
            os.write(2, b"a real message\\n")
        os.write(2, b"after\\n")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "a real message\nafter\n"


def test_missing_tensorflow_is_an_import_error_saying_how_to_install_it():
    code = "import sys; sys.modules['tensorflow'] = None\nimport gradlab\ngradlab.import_tensorflow()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "ImportError: " + MISSING.splitlines()[0] in done.stderr
    assert "pip install 'gradlab-tf[cpu]'" in done.stderr  # the PyPI name, not the unrelated `gradlab`


@pytest.fixture
def plain_kernel(tmp_path, monkeypatch):
    """The name of a kernelspec that runs this Python's ipykernel with no TensorFlow variables."""
    spec = tmp_path / "kernels" / "plain"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "plain ipykernel", "language": "python",
    }))
    for name in [n for n in os.environ if n.startswith("TF_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "plain"


def run(cells: list[str], kernel: str, cwd: Path) -> list[dict]:
    """The outputs of `cells` run in a fresh `kernel`, started as a front end would start it.

    ipykernel stops forwarding descriptor 2 into cells when PYTEST_CURRENT_TEST is set (a
    guard for its own test suite), which is why nbval never shows TensorFlow's log: the
    kernel gets an environment without it, and without any TF_* variable.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST" and not k.startswith("TF_")}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    # Ceilings only (a busy machine is slow): nbclient waits 60 s for a kernel to start unless told.
    client = NotebookClient(nb, kernel_name=kernel, timeout=1800, startup_timeout=600,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)
    return [cell.outputs for cell in nb.cells]


def stderr_text(cells: list[list[dict]]) -> str:
    return "".join(o.get("text", "") for outputs in cells for o in outputs if o.get("name") == "stderr")


def test_without_the_setup_cell_a_plain_kernel_shows_the_log(plain_kernel, tmp_path):
    """The control: this is what students saw, so the test below can fail."""
    found = stderr_text(run(["import tensorflow as tf"], plain_kernel, tmp_path))
    if not any(noise in found for noise in NOISE):
        pytest.skip("this TensorFlow prints no start-up log here, so the quiet-kernel test proves nothing")


#: Outputs of first cells run in a fresh plain kernel, by (cells, folder): notebooks whose first
#: cells are the same (the set-up cell and the same imports) share one kernel's run.
FIRST_CELLS: dict[tuple[tuple[str, ...], Path], list[list[dict]]] = {}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cells_print_nothing_on_stderr_in_a_plain_kernel(plain_kernel, path):
    """The set-up cell and the lesson's own `import tensorflow as tf` cell: no stderr at all."""
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert code[0] == colab.setup_cell()
    upto = next(i for i, source in enumerate(code) if "import tensorflow" in source)
    key = (tuple(code[: upto + 1]), path.parent)
    if key not in FIRST_CELLS:
        FIRST_CELLS[key] = run(list(key[0]), plain_kernel, path.parent)
    cells = FIRST_CELLS[key]
    assert stderr_text(cells) == ""
    assert [o for outputs in cells for o in outputs if o.output_type == "error"] == []
    assert cells[0] == []  # the set-up cell itself says nothing


@pytest.mark.slow  # a fresh venv: `make test-all`
def test_setup_cell_says_what_pip_said_and_what_to_run_when_the_install_fails(tmp_path):
    """On Colab, a failed install shows pip's own first error line and the exact command to run."""
    cell = colab.setup_cell()  # the real cell: gradlab-tf pinned to this version, by name
    code = ("import sys, types\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
            "sys.modules['gradlab'] = None  # as on a fresh Colab runtime: not installed\n" + cell)
    # No index and an empty find-links folder: pip fails at once, offline, as it would for a
    # version that was never published.
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(tmp_path), PIP_CONFIG_FILE=os.devnull)
    # A Python without gradlab-tf (the test's own has it, editable): pip must really look for it.
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "fresh")], check=True, timeout=300)
    python = str(tmp_path / "fresh" / "bin" / "python")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    pip = subprocess.run([python, "-m", "pip", "install", "-q", colab.install_spec()], capture_output=True,
                         text=True, timeout=300, cwd=tmp_path, env=env)
    first_error = next(line for line in pip.stderr.splitlines() if line.startswith("ERROR"))
    assert "Could not find a version" in first_error and colab.install_spec() in first_error
    lines = done.stdout.splitlines()
    assert first_error in lines, done.stdout
    assert lines[-1] == f'Then run this cell again, or: pip install "{colab.install_spec()}"'
    # and then the cell stops (Run all goes no further) at `import gradlab`
    assert done.returncode == 1 and done.stderr.rstrip().splitlines()[-1].startswith("ModuleNotFoundError")
