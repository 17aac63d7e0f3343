"""repo2docker (Binder, a JupyterHub's single-user image) can plan the build from the repository.

repo2docker comes from its own virtual environment, build/tools-venv, which `make binder`
(and so `make test-all`) creates; without it these tests skip and say so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "build" / "tools-venv" / "bin" / "repo2docker"


@pytest.fixture(scope="module")
def plan() -> str:
    """The Dockerfile repo2docker would build, and its log, without Docker."""
    tool = str(TOOL) if TOOL.exists() else shutil.which("repo2docker")
    if tool is None:
        pytest.skip("repo2docker is not installed: `make binder` installs it into build/tools-venv")
    result = subprocess.run(
        [tool, "--no-build", "--no-run", "--debug", str(ROOT)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


@pytest.mark.slow  # repo2docker from build/tools-venv, which `make test-all` builds
def test_plan_uses_the_binder_folder_with_a_supported_python(plan):
    version = re.search(r"Building conda environment for python=(3\.\d+)", plan)
    assert version and version.group(1) in {"3.10", "3.11", "3.12", "3.13"}
    assert '--file "binder/environment.yml"' in plan
    assert "Python version unspecified" not in plan


@pytest.mark.slow  # repo2docker from build/tools-venv, which `make test-all` builds
def test_plan_installs_gradlab_and_starts_quiet(plan):
    assert "RUN ./binder/postBuild" in plan
    assert re.search(r"R2D_ENTRYPOINT=\S*binder/start", plan)
    assert "'.[cpu]'" in (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")


def test_start_script_sets_the_tensorflow_log_level_for_what_it_starts():
    env = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
    result = subprocess.run(
        [str(ROOT / "binder" / "start"), "env"], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0 and "TF_CPP_MIN_LOG_LEVEL=3" in result.stdout.splitlines()
