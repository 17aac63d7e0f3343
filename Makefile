# Two commands matter: `make lab` (set up, open JupyterLab) and `make test` (set up, run every test).
# Everything lives in .venv, created on first use from pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.gradlab-installed

# Quiet TensorFlow's C++ start-up log for every tool run here (kernels inherit it).
export TF_CPP_MIN_LOG_LEVEL = 3
# Kernels come from the venv first, whatever else is installed for this user.
export JUPYTER_PATH = $(abspath $(VENV))/share/jupyter

.PHONY: setup lab test unit notebooks-test lint notebooks student site bench e2e colab-check colab-test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "gradlab needs Python 3.10 or newer; run make PYTHON=python3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e '.[cpu,dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gradlab)" >/dev/null
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d && cp jupyter-config/gradlab-widgets.json $(VENV)/share/jupyter/lab/settings/overrides.d/  # editable installs skip data-files
	touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

# Unit, property, student-copy, notebook-file and browser tests, plus every notebook under nbval.
# Browser tests skip (saying why) where /usr/bin/chromium is missing; `make e2e` runs only them.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadfile tests notebooks \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

e2e: setup
	$(BIN)/python -m pytest -v tests/e2e

unit: setup
	$(BIN)/python -m pytest tests

notebooks-test: setup
	$(BIN)/python -m pytest notebooks --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg

lint: setup
	$(BIN)/ruff check gradlab tests bench tools notebooks/*.py

# Re-run every notebook in place from its py:percent twin (after editing a .py).
notebooks: setup
	$(BIN)/python tools/build_notebooks.py notebooks/*.py

site: setup
	$(BIN)/python tools/build_site.py build/site

colab-check: setup
	$(BIN)/python tools/colab.py

# Every notebook under nbval in build/colab-env: Python 3.12 and what Colab ships (tools/colab_env.txt).
colab-test: setup
	$(BIN)/python tools/colab_env.py

student: setup
	$(BIN)/python -m gradlab student-copy notebooks build/student

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache notebooks/logs
