# Three commands matter: `make lab` (students: set up, open JupyterLab), `make teacher` (the same
# plus nbgrader) and `make test` (developers: set up, run the fast tests; `make test-all` runs
# every test and check, as CI does). Everything lives in .venv,
# created on first use from pyproject.toml; each installs its own extras (pyproject.toml lists
# who gets what), so `make lab` from a fresh clone has no nbgrader.

# Python: empty picks python3 when TensorFlow supports it (3.10-3.13), else the newest
# python3.13 ... python3.10 on PATH (tools/pick_python.sh); `make lab PYTHON=python3.12` forces one.
PYTHON ?=
# Installer: auto uses uv (from PATH, or installed from PyPI into the new venv) and falls back
# to pip; INSTALLER=pip or INSTALLER=uv forces one (tools/install.sh).
INSTALLER ?= auto
VENV   ?= .venv
BIN     = $(VENV)/bin
# One stamp per install set: `make lab` never installs the teachers' or developers' tools.
STUDENT = $(VENV)/.gradlab-student
TEACHER = $(VENV)/.gradlab-teacher
STAMP   = $(VENV)/.gradlab-dev
# nbgrader (the teacher extra) needs Python 3.11+: on 3.10 the developer set leaves it out and
# tests/test_nbgrader.py's round trip skips, saying so.
TEACHER_IF_SUPPORTED = $$($(BIN)/python -c 'import sys; print(",teacher" if sys.version_info >= (3, 11) else "")')

# Quiet TensorFlow's C++ start-up log for every tool run here (kernels inherit it).
export TF_CPP_MIN_LOG_LEVEL = 3
# Kernels come from the venv first, whatever else is installed for this user.
export JUPYTER_PATH = $(abspath $(VENV))/share/jupyter

# What `make test` runs besides the pytest suite (each is a target of its own too): quick, and
# offline once axe-core is downloaded.
CHECKS ?= lint axe
# What `make test-all` (and so CI, .ci/run) adds: the online resolve of every platform, the tool
# venvs the slow tests use (repo2docker, Otter) and both Colab rows (~5 min of CPU each).
SLOW_CHECKS ?= resolve binder-tools otter-tools colab-test colab-test-previous
# pytest workers; --dist loadfile keeps a notebook's cells (one kernel) and a module's shared
# fixtures on one worker.
JOBS ?= 2
# nbval's options. Its kernels may take 10 minutes to start (its default, 60 s, is not enough
# when every core is busy): a ceiling, not a wait.
NBVAL = --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-kernel-startup-timeout=600
PYTEST_ALL = $(BIN)/python -m pytest -n $(JOBS) --dist loadfile tests notebooks $(NBVAL)

.PHONY: setup student-setup teacher-setup lab teacher test test-all unit notebooks-test lint resolve binder binder-tools otter-tools axe notebooks student site bench e2e colab-check colab-test colab-test-previous clean

setup: $(STAMP)
student-setup: $(STUDENT)
teacher-setup: $(TEACHER)

# The venv itself, and what every install set ends with: the kernel and the widget settings.
define make_venv
	@test -x $(BIN)/python || { py=$$($(SHELL) tools/pick_python.sh $(PYTHON)) && echo "creating $(VENV) with $$py" \
	    && $$py -m venv $(VENV); }
endef
define finish_install
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gradlab)" >/dev/null
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d && cp jupyter-config/gradlab-widgets.json $(VENV)/share/jupyter/lab/settings/overrides.d/  # editable installs skip data-files
endef

# Students: gradlab, TensorFlow, JupyterLab.
$(STUDENT): pyproject.toml
	$(make_venv)
	@INSTALLER=$(INSTALLER) $(SHELL) tools/install.sh $(BIN)/python '.[cpu,lab]'
	$(finish_install)
	touch $(STUDENT)

# Teachers: the students' set plus nbgrader (Python 3.11+).
$(TEACHER): pyproject.toml
	$(make_venv)
	@INSTALLER=$(INSTALLER) $(SHELL) tools/install.sh $(BIN)/python '.[cpu,lab,teacher]'
	$(finish_install)
	touch $(TEACHER) $(STUDENT)

# Developers: everything the tests need (the teachers' set and the test tools).
$(STAMP): pyproject.toml
	$(make_venv)
	@INSTALLER=$(INSTALLER) $(SHELL) tools/install.sh $(BIN)/python ".[cpu,lab,dev$(TEACHER_IF_SUPPORTED)]"
	$(finish_install)
	touch $(STAMP) $(STUDENT)

# LAB_ARGS: more options for JupyterLab, e.g. make lab LAB_ARGS="--no-browser --port=8890".
lab: student-setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# The same JupyterLab with nbgrader's extensions (docs/teaching.md).
teacher: teacher-setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# `make test`: unit, property, student-copy and notebook-file tests plus every notebook under
# nbval, all but the tests marked slow (pyproject.toml's [tool.pytest] says which and why);
# the goal is under 6 minutes on an idle 2-core machine (bench/first_run.py measures it; its
# table is in bench/README.md). `make test-all` (CI) adds SLOW_CHECKS and the slow
# tests: wheel and fresh venvs, whole nbgrader and Otter courses, the browser tests. Browser
# tests skip (saying why) where /usr/bin/chromium is missing; `make e2e` runs only them.
test: setup $(CHECKS)
	$(PYTEST_ALL) -m "not slow"

test-all: setup $(CHECKS) $(SLOW_CHECKS)
	$(PYTEST_ALL)

e2e: setup
	$(BIN)/python -m pytest -v tests/e2e

unit: setup
	$(BIN)/python -m pytest tests

notebooks-test: setup
	$(BIN)/python -m pytest notebooks $(NBVAL)

lint: setup
	$(BIN)/ruff check gradlab tests bench tools notebooks/*.py

# Resolve the default install set for every platform x Python TensorFlow ships (uv, online).
resolve: setup
	$(BIN)/python tools/resolve_matrix.py

# repo2docker (Binder / JupyterHub images) lives in a venv of its own: its pins are not ours.
TOOLS = build/tools-venv
binder-tools: $(TOOLS)/bin/repo2docker
$(TOOLS)/bin/repo2docker: | setup
	$(BIN)/python -m venv $(TOOLS)
	@UV=$(BIN)/uv INSTALLER=$(INSTALLER) GRADLAB_NO_EDITABLE=1 $(SHELL) tools/install.sh $(TOOLS)/bin/python jupyter-repo2docker

# Otter-Grader (Gradescope, Canvas: docs/teaching.md) in a venv of its own, with TensorFlow and
# gradlab from this tree, and its own python3 kernel: `otter run` grades in that kernel
# (tests/test_otter.py runs it with JUPYTER_PATH=$(OTTER)/share/jupyter).
OTTER = build/otter-venv
otter-tools: $(OTTER)/.gradlab-otter
$(OTTER)/.gradlab-otter: pyproject.toml | setup
	$(BIN)/python -m venv $(OTTER)
	@UV=$(BIN)/uv INSTALLER=$(INSTALLER) $(SHELL) tools/install.sh $(OTTER)/bin/python '.[cpu]'
	@UV=$(BIN)/uv INSTALLER=$(INSTALLER) GRADLAB_NO_EDITABLE=1 $(SHELL) tools/install.sh $(OTTER)/bin/python 'otter-grader>=7,<8'
	@UV=$(BIN)/uv INSTALLER=$(INSTALLER) GRADLAB_NO_EDITABLE=1 $(SHELL) tools/install.sh $(OTTER)/bin/python 'ipykernel>=6'
	$(OTTER)/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gradlab, Otter)" >/dev/null
	touch $@

# Plan the repo2docker build (no Docker needed) and check the plan.
binder: setup binder-tools
	$(BIN)/python -m pytest -q tests/test_install_binder.py

# axe-core (npm registry) for the accessibility test over the `make site` pages (tests/e2e).
AXE = build/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	@if command -v npm >/dev/null; then npm install --silent --no-audit --no-fund --prefix build/axe axe-core@4; \
	else echo "npm not found: the axe accessibility test will be skipped (install Node.js to run it)"; fi

# Re-run every notebook in place from its py:percent twin (after editing a .py).
notebooks: setup
	$(BIN)/python tools/build_notebooks.py notebooks/*.py

site: setup
	$(BIN)/python tools/build_site.py build/site

colab-check: setup
	$(BIN)/python tools/colab.py

# Every notebook under nbval with Colab's Python and exact package versions (tools/colab/*.txt,
# from Colab's published pip-freeze): the current runtime, and the previous one as a second row.
# Each row's environment is built once under build/colab (keyed by its pin file) and reused; both
# rows are in CHECKS. `make colab-test-previous` runs the second row alone.
colab-test: setup
	$(BIN)/python tools/colab_env.py --runtime current
colab-test-previous: setup
	$(BIN)/python tools/colab_env.py --runtime previous

student: setup
	$(BIN)/python -m gradlab student-copy notebooks build/student

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache notebooks/logs
