"""Key press → redraw in Chromium against JupyterLab: browser explorers vs kernel-backed ones.

One JupyterLab, one headless Chromium, one scratch notebook holding, in this order: the
four browser explorers (gradlab.widgets.browser), the kernel-backed tangent and gradient
explorers (ipywidgets, a PNG per move through the kernel), and the "transport floor": an
ipywidgets slider that swaps in cached PNGs with no computing. For each, PRESSES arrow-key
presses on its slider, one at a time; each is timed in the page from ``performance.now()``
in a capture-phase ``keydown`` listener to the first change a ``MutationObserver`` sees on
the drawn elements (SVG attributes, or the image's ``src``). "next frame" adds the wait for
the following ``requestAnimationFrame``. Writes the table into bench/README.md.

Run: ``.venv/bin/python bench/latency.py`` (needs /usr/bin/chromium and Playwright; ~2 min).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import table, write_section  # noqa: E402

PRESSES = 60
CHROMIUM = os.environ.get("GRADLAB_CHROMIUM", "/usr/bin/chromium")

CELLS = [
    """import numpy as np, tensorflow as tf, ipywidgets as widgets, gradlab
def tangent_f(x):
    return tf.cos(x) * tf.sin(x) / tf.sqrt(x)
def crate(x, y):
    return (tf.sin(4 * x) - tf.cos(5 * y)) / 5""",
    "gradlab.browser_tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=1.0)",
    "gradlab.browser_gradient_explorer(crate, point=(0.25, -0.5))",
    "gradlab.browser_power_rule_explorer(n=3, x=-2.0)",
    "gradlab.browser_descent_explorer(crate, start=(0.25, -0.5), learning_rate=0.01, steps=120)",
    "kernel_tangent = gradlab.tangent_explorer(tangent_f, (0.05, 2 * np.pi), x0=1.0)\nkernel_tangent",
    "gradlab.gradient_explorer(crate, point=(0.25, -0.5))",
    """# transport floor: the same kind of slider and image, PNGs cached, nothing computed per move
cache = []
for v in np.linspace(1.0, 1.0 + 0.0125 * 200, 201):
    kernel_tangent.controls["x0"].value = float(v)
    cache.append(kernel_tangent.image.value)
floor_slider = widgets.IntSlider(value=0, min=0, max=200, description="floor")
floor_image = widgets.Image(value=cache[0], format="png")
floor_slider.observe(lambda change: setattr(floor_image, "value", cache[change["new"]]), names="value")
widgets.VBox([floor_slider, floor_image])""",
]

# (label, kind, index among its kind on the page, what to watch)
TARGETS = [
    ("browser tangent explorer (04)", "browser", 0, "line.tangent"),
    ("browser gradient explorer (03)", "browser", 1, "line.arrow"),
    ("browser power-rule explorer (02)", "browser", 2, "line.tangent"),
    ("browser descent explorer (05), learning rate", "browser", 3, "path.path"),
    ("kernel tangent explorer (ipywidgets)", "kernel", 0, "img"),
    ("kernel gradient explorer (ipywidgets)", "kernel", 1, "img"),
    ("transport floor: cached PNGs, no computing", "kernel", 2, "img"),
]

PROBE = """([root, selector]) => {
  const watched = root.querySelector(selector);
  window.__lat = {t0: null, done: [], frames: []};
  window.addEventListener('keydown', () => { window.__lat.t0 = performance.now(); }, {capture: true});
  if (window.__latObserver) window.__latObserver.disconnect();
  window.__latObserver = new MutationObserver(() => {
    const lat = window.__lat;
    if (lat.t0 === null) return;
    const t = performance.now() - lat.t0, start = lat.t0;
    lat.t0 = null; lat.done.push(t);
    requestAnimationFrame(() => lat.frames.push(performance.now() - start));
  });
  window.__latObserver.observe(watched, {attributes: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path):
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    env.pop("MPLBACKEND", None)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         f"--LabApp.user_settings_dir={root / 'settings'}", f"--LabApp.workspaces_dir={root / 'workspaces'}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            return server, url, token
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("JupyterLab did not start") from None
            time.sleep(0.5)


ALL_RUN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  return w.content.widgets.filter(c => c.model.type === 'code').every(c => c.model.executionCount !== null);
}"""
KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""


def measure(page, label: str, kind: str, index: int, watch: str) -> dict:
    if kind == "browser":
        root = page.locator(".gradlab-explorer").nth(index)
        handle = root.locator("input[type=range]").first
    else:
        root = page.locator(".widget-vbox").filter(has=page.locator(".widget-image")).nth(index)
        handle = root.locator(".widget-slider .noUi-handle").first
    root.scroll_into_view_if_needed()
    page.evaluate(PROBE, [root.element_handle(), watch])
    handle.focus()
    for i in range(PRESSES):
        page.keyboard.press("ArrowRight" if i < PRESSES // 2 else "ArrowLeft")
        page.wait_for_function(f"() => window.__lat.done.length >= {i + 1}", timeout=30_000, polling="raf")
        page.wait_for_timeout(40)  # quiet: one press at a time, no key-repeat coalescing
    times = page.evaluate("() => window.__lat.done")
    frames = page.evaluate("() => window.__lat.frames")
    return {"name": label, "kind": kind, "median": statistics.median(times), "p95": float(np.percentile(times, 95)),
            "frame": statistics.median(frames), "n": len(times)}


def main() -> list[dict]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, root / "latency.ipynb")
        server, url, token = start_lab(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/lab/workspaces/latency/tree/latency.ipynb?reset&token={token}")
                page.wait_for_selector(".jp-Notebook", state="visible", timeout=60_000)
                page.wait_for_function(KERNEL_IDLE, timeout=120_000)
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(ALL_RUN, timeout=300_000, polling=500)
                page.wait_for_timeout(2000)
                rows = [measure(page, *target) for target in TARGETS]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    report(rows)
    return rows


def report(rows: list[dict]) -> None:
    kernel = {r["name"]: r for r in rows if r["kind"] == "kernel"}
    k_tangent = kernel["kernel tangent explorer (ipywidgets)"]["median"]
    print(f"\nKey press → redraw in JupyterLab, Chromium headless ({PRESSES} presses each, ms)")
    body = []
    for r in rows:
        faster = f"{k_tangent / r['median']:.0f}×" if r["kind"] == "browser" else ""
        print(f"{r['name']:<44}{r['median']:8.2f}{r['p95']:8.2f}{r['frame']:8.2f} {faster}")
        body.append([r["name"], f"{r['median']:.2f}", f"{r['p95']:.2f}", f"{r['frame']:.2f}", faster])
    browser_worst = max(r["median"] for r in rows if r["kind"] == "browser")
    text = (
        f"Measured {time.strftime('%Y-%m-%d')} by `bench/latency.py`: {PRESSES} arrow-key presses per explorer, "
        "one at a time, in headless Chromium against JupyterLab; time from `performance.now()` at `keydown` "
        "(capture phase) to the first change a `MutationObserver` sees on the drawn elements; "
        "\"next frame\" is to the following `requestAnimationFrame`.\n\n"
        + table(["explorer", "median ms", "p95 ms", "next frame ms", "vs kernel tangent"], body)
        + f"\n\nSlowest browser explorer median: {browser_worst:.2f} ms (goal ≤ 16.7 ms, one 60 Hz frame); "
        f"kernel-backed tangent explorer: {k_tangent:.1f} ms, {k_tangent / browser_worst:.0f}× slower "
        "(goal ≥ 5×)."
    )
    write_section("latency", text)


if __name__ == "__main__":
    main()
