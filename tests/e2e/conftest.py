"""JupyterLab and headless Chromium for the end-to-end tests; both are always stopped.

Skipped, with one line saying why, where Debian's Chromium or Playwright is missing
(run `make e2e` on a machine that has them; CI installs them in .ci/run).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GRADLAB_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Every wait here is for a condition and ends as soon as it holds; these are only its ceilings,
# generous on purpose: on a machine whose cores are all busy, what takes seconds idle can take
# minutes, and no verdict may depend on how fast the machine is.
#: A server answers, a page shows an element, a kernel connects and goes idle (Playwright's
#: default for every page, used by every locator and wait_for_* call: its own is 30 s).
WAIT_MS = 600_000
#: Every cell of a notebook has run (TensorFlow's import and a lesson's work, in a busy kernel).
RUN_S = 1800.0


def pytest_collection_modifyitems(config, items):
    # A server, a kernel per notebook and Chromium: minutes of CPU, so `make test-all` runs these.
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(pytest.mark.slow)
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium, then `make e2e`)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "Playwright for Python is not installed (pip install playwright)"
    if reason:
        for item in items:
            if "e2e" in item.nodeid:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(work: Path, app: str):
    """Start `app` (jupyterlab or notebook, i.e. Notebook 7) on a scratch copy of the notebooks."""
    shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns("logs", "*.py"))
    settings = work / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    # As a student's front end starts it: no TensorFlow variable, so the notebooks' own set-up
    # cell must keep TensorFlow's log out. Without PYTEST_CURRENT_TEST too: ipykernel does not
    # forward descriptor 2 into cells when it is set, which would hide that log from these tests.
    # Its own data dir: notebook signatures (trust) stay here.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TF_") and k not in ("MPLBACKEND", "PYTEST_CURRENT_TEST")}
    env.update(JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"), JUPYTER_DATA_DIR=str(work / "data"))
    klass = "LabApp" if app == "jupyterlab" else "JupyterNotebookApp"
    server = subprocess.Popen(
        [sys.executable, "-m", app, "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work / 'notebooks'}",
         f"--{klass}.expose_app_in_browser=True", f"--{klass}.user_settings_dir={work / 'settings'}",
         f"--{klass}.workspaces_dir={work / 'workspaces'}"],
        env=env, stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_MS / 1000
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=30)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (work / "server.log").read_text()[-2000:]
                    raise RuntimeError(f"{app} did not start:\n" + log) from None
                time.sleep(0.5)  # the poll's pace, not a wait for anything
        yield {"url": url, "token": token, "root": work / "notebooks", "env": env, "app": app}
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)  # then killed: the tests' verdicts are in by now
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a scratch copy of the notebooks."""
    yield from serve(tmp_path_factory.mktemp("lab"), "jupyterlab")


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory):
    """A Notebook 7 server (the `notebook` package), skipped where it is not installed."""
    pytest.importorskip("notebook", minversion="7", reason="Notebook 7 is not installed (pip install notebook)")
    yield from serve(tmp_path_factory.mktemp("nb7"), "notebook")


class PatientBrowser:
    """Chromium whose pages wait up to :data:`WAIT_MS` for anything (Playwright's default is 30 s).

    Parameters
    ----------
    chromium : playwright.sync_api.Browser
        The launched browser; everything but :meth:`new_page` is passed through to it.

    Example
    -------
    >>> page = PatientBrowser(chromium).new_page(viewport={"width": 1200, "height": 900})  # doctest: +SKIP
    """

    def __init__(self, chromium):
        self._chromium = chromium

    def new_page(self, **options):
        """A new page (``options`` as for Playwright's ``new_page``) with the long default timeouts."""
        page = self._chromium.new_page(**options)
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        return page

    def __getattr__(self, name):
        return getattr(self._chromium, name)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (a :class:`PatientBrowser`), closed at the end of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        try:
            yield PatientBrowser(chromium)
        finally:
            chromium.close()
