"""The notebooks as Otter-Grader assignments: ``gradlab.otter_assign``, then the real Otter.

The converter is checked on all nine notebooks (Otter's v1 format, every exercise a question
with a public and a hidden test, no nbgrader markers left) and, with the real ``otter
assign`` (without running the notebooks), each one becomes a student notebook and a
Gradescope autograder zip. Notebook 02 makes the round trip: ``otter run`` (no Docker) grades
the answer key (full marks), an untouched student copy (zero, "not yet solved") and a partly
solved copy (exactly the exercise it solved); with ``--grader-check``, a student's
``grader.check`` runs the public test. Otter lives in build/otter-venv, which `make
otter-tools` (and so `make test-all`) creates; without it those tests skip and say so.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

from gradlab.exercises import autograde
from gradlab.otter_assign import OtterError, otter_master, otter_solution, otter_tests, read_notebook

ROOT = Path(__file__).resolve().parent.parent
TWINS = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
OTTER_VENV = ROOT / "build" / "otter-venv"
OTTER = OTTER_VENV / "bin" / "otter"
ROUND_TRIP = ROOT / "notebooks" / "02_power_rule.py"


def raw_config(cell, header: str) -> dict:
    assert cell.cell_type == "raw" and cell.source.startswith(header), cell.source
    return yaml.safe_load(cell.source)


def checks_in(nb) -> list[str]:
    names = autograde._names_in_notebook([c.source for c in nb.cells if c.cell_type == "code"])
    return [check.key for c in nb.cells if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("grade")
            for check in autograde.find_checks(c.source, names)]


def questions(master) -> list[list]:
    """The cells of each question, from its BEGIN QUESTION cell to its END QUESTION cell."""
    found, current = [], None
    for cell in master.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            current = [cell]
        elif current is not None:
            current.append(cell)
            if cell.cell_type == "raw" and cell.source.strip() == "# END QUESTION":
                found.append(current)
                current = None
    assert current is None, "a question without # END QUESTION"
    return found


# --------------------------------------------------------------------------- the converter


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: p.stem)
def test_every_exercise_becomes_an_otter_question_with_public_and_hidden_tests(twin):
    nb = read_notebook(twin)
    master, done = otter_master(nb, twin.stem)
    config = raw_config(master.cells[0], "# ASSIGNMENT CONFIG")
    assert config["name"] == twin.stem and config["init_cell"] is False
    assert any(r.startswith("gradlab-tf==") for r in config["requirements"])
    assert any(r.startswith("tensorflow") for r in config["requirements"])
    keys = checks_in(nb)
    assert done.questions == [f"ex_{autograde.slug(k)}" for k in keys] and len(keys) >= 3
    for key, cells in zip(keys, questions(master), strict=True):
        head = raw_config(cells[0], "# BEGIN QUESTION")
        assert head == {"name": f"ex_{autograde.slug(key)}", "points": 1, "all_or_nothing": True,
                        "check_cell": False}
        sources = [c.source.strip() for c in cells]
        begin, end = sources.index("# BEGIN SOLUTION"), sources.index("# END SOLUTION")
        solutions = cells[begin + 1:end]
        assert solutions and all("solution" in c.metadata.get("tags", []) for c in solutions)
        assert all(any(line.strip() == "# BEGIN SOLUTION" for line in c.source.splitlines()) for c in solutions)
        tests = cells[sources.index("# BEGIN TESTS") + 1:sources.index("# END TESTS")]
        public, hidden = (t.source for t in tests)
        assert f'\ngradlab.grade("{key}", ' in "\n" + public and "seed=" not in public and "HIDDEN" not in public
        assert hidden.startswith("# HIDDEN\n") and f'\ngradlab.grade("{key}", ' in hidden and "seed=" in hidden
        assert all(not t.outputs for t in tests)  # a right answer is silent: the expected output is none
    everything = "\n".join(c.source for c in master.cells)
    assert "### BEGIN" not in everything and "nbgrader" not in json.dumps([c.metadata for c in master.cells])
    nbformat.validate(master)


def test_the_notebooks_hidden_seeds_are_the_ones_otter_hides():
    nb = read_notebook(ROUND_TRIP)
    autograde.sync(nb, rng=random.Random(7))  # as nbgrader-cells leaves it: test cells with hidden blocks
    seeds = [line for c in nb.cells for line in c.source.splitlines() if "seed=" in line]
    master, done = otter_master(nb, "02")
    hidden = [c.source for c in master.cells if c.source.startswith("# HIDDEN")]
    assert len(seeds) == len(hidden) == 3
    assert all(seed in test for seed, test in zip(seeds, hidden, strict=True))
    assert not done.notes


def test_a_seed_the_notebook_does_not_hold_is_drawn_and_said():
    solution = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 80\n### END SOLUTION")
    solution.metadata["tags"] = ["solution"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import gradlab"), solution,
                                         nbformat.v4.new_code_cell('gradlab.check("02.1", answer)')])
    master, done = otter_master(nb, "x")
    (hidden,) = [c.source for c in master.cells if c.source.startswith("# HIDDEN")]
    seed = re.search(r"seed=\d+", hidden).group(0)
    assert len(done.notes) == 1 and f"{seed} drawn now" in done.notes[0]


def test_nbgrader_markers_become_otters_and_a_cell_without_markers_is_a_solution_whole():
    assert otter_solution("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION") == \
        "def f(x):\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION"
    assert otter_solution("answer = 3") == "# BEGIN SOLUTION\nanswer = 3\n# END SOLUTION"
    assert otter_tests('gradlab.grade("x", a)') == ('gradlab.grade("x", a)', None)


def test_a_written_answer_or_an_unreadable_check_is_refused_naming_the_cell():
    code = nbformat.v4.new_code_cell
    written = nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    written.metadata["tags"] = ["solution"]
    nb = nbformat.v4.new_notebook(cells=[code("import gradlab"), written])
    with pytest.raises(OtterError, match="cell 2: a written"):
        otter_master(nb, "x")
    nb = nbformat.v4.new_notebook(cells=[code("import gradlab"), code("gradlab.check(make_key(), 1)")])
    with pytest.raises(OtterError, match="cell 2"):
        otter_master(nb, "x")


def test_the_converter_imports_no_tensorflow(tmp_path):
    run = subprocess.run([sys.executable, "-c", "import sys\nfrom gradlab.otter_assign import main\n"
                          f"code = main([{str(ROUND_TRIP)!r}, {str(tmp_path)!r}, '--no-run-tests'])\n"
                          "assert 'tensorflow' not in sys.modules, 'imported TensorFlow'\nsys.exit(code)"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "3 question(s): ex_02_1 ex_02_2 ex_02_3" in run.stdout
    assert raw_config(nbformat.read(tmp_path / "02_power_rule.ipynb", 4).cells[0], "#")["run_tests"] is False


# --------------------------------------------------------------------------- the real Otter

needs_otter = pytest.mark.skipif(not OTTER.exists(), reason="otter-grader is not installed: `make otter-tools` "
                                                            "installs it into build/otter-venv")


def otter_env() -> dict:
    """Otter's venv first on PATH, and its kernel (gradlab, TensorFlow, otter) as python3."""
    env = dict(os.environ, PATH=f"{OTTER_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
               JUPYTER_PATH=str(OTTER_VENV / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    env.pop("VIRTUAL_ENV", None)
    return env


def assign(twin: Path, folder: Path, *options: str) -> Path:
    """Convert and run the real ``otter assign`` (tests not run: the round trip grades the key)."""
    subprocess.run([sys.executable, "-m", "gradlab.otter_assign", str(twin), str(folder), "--no-run-tests",
                    *options], check=True, capture_output=True, cwd=ROOT)
    master = folder / f"{twin.stem}.ipynb"
    run = subprocess.run([str(OTTER), "assign", master.name, "dist"], cwd=folder, env=otter_env(),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return folder / "dist"


@pytest.mark.slow  # the real Otter (build/otter-venv, which `make test-all` builds)
@needs_otter
def test_otter_assign_accepts_every_notebook(tmp_path):
    with ThreadPoolExecutor(max_workers=3) as pool:  # otter assign mostly waits on its own imports
        dists = list(pool.map(lambda twin: assign(twin, tmp_path / twin.stem), TWINS))
    for twin, dist in zip(TWINS, dists, strict=True):
        student = nbformat.read(dist / "student" / f"{twin.stem}.ipynb", 4)
        expected = [f"ex_{autograde.slug(k)}" for k in checks_in(read_notebook(twin))]
        marked = [t for c in student.cells for t in c.metadata.get("otter", {}).get("tests", [])]
        assert marked == expected  # the autograder runs each question's tests right after its answer
        assert sorted(student.metadata["otter"]["tests"]) == sorted(expected)
        master = nbformat.read(dist.parent / f"{twin.stem}.ipynb", 4)
        seeds = re.findall(r"seed=\d+", "\n".join(c.source for c in master.cells if c.source.startswith("# HIDDEN")))
        assert len(seeds) == len(expected)
        assert not any(seed in json.dumps(student) for seed in seeds)  # hidden tests stay in the autograder zip
        assert not any("grader.check" in c.source or "import otter" in c.source for c in student.cells)
        (archive,) = (dist / "autograder").glob("*.zip")
        with zipfile.ZipFile(archive) as zipped:
            tests = [zipped.read(n).decode() for n in zipped.namelist() if n.startswith("tests/")]
            environment = yaml.safe_load(zipped.read("environment.yml"))
        assert len(tests) == len(expected) and all("seed=" in t for t in tests)
        pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
        assert any(p.startswith("gradlab-tf==") for p in pip) and any(p.startswith("tensorflow-cpu") for p in pip)
        assert "python=3.12" in environment["dependencies"]


@pytest.mark.slow  # the real Otter (build/otter-venv, which `make test-all` builds)
@needs_otter
def test_grader_check_cells_on_request_run_the_public_tests(tmp_path):
    dist = assign(ROUND_TRIP, tmp_path, "--grader-check")
    sources = [c.source for c in nbformat.read(dist / "student" / "02_power_rule.ipynb", 4).cells]
    assert any("otter.Notebook(" in s for s in sources)
    assert [s for s in sources if s.startswith("grader.check(")] == \
        [f'grader.check("ex_02_{n}")' for n in (1, 2, 3)]
    student = ("import otter\ngrader = otter.Notebook('02_power_rule.ipynb')\nimport gradlab\n"
               "answer = 80.0\nprint(grader.check('ex_02_1'))\nanswer = 3.0\nprint(grader.check('ex_02_1'))")
    run = subprocess.run([str(OTTER_VENV / "bin" / "python"), "-c", student], cwd=dist / "student", env=otter_env(),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    right, wrong = run.stdout.split("ex_02_1 results:")[1:]
    assert "All test cases passed" in right and "❌ Not yet: d/dx x⁵ at 2 = 3 is not right" in wrong


def grade_all(autograder: Path, submissions: dict[str, Path]) -> dict[str, dict]:
    """``otter run`` each submission (side by side), returning its results.json."""
    runs = {}
    for name, notebook in submissions.items():
        runs[name] = subprocess.Popen([str(OTTER), "run", "-a", str(autograder), "-o", str(notebook.parent),
                                       "--no-logo", str(notebook)], env=otter_env(), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
    results = {}
    for name, run in runs.items():
        output = run.communicate()[0]
        assert run.returncode == 0, f"{name}: {output}"
        results[name] = json.loads((submissions[name].parent / "results.json").read_text())
    return results


def scores(result: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in result["tests"] if "score" in t}


def feedback(result: dict) -> str:
    return "\n".join(f"{t['name']}: {t['output']}" for t in result["tests"])


@pytest.mark.slow  # the real Otter (build/otter-venv, which `make test-all` builds)
@needs_otter
def test_otter_run_grades_the_key_full_an_untouched_copy_zero_and_a_partial_copy_partly(tmp_path):
    dist = assign(ROUND_TRIP, tmp_path / "assign")
    (autograder,) = (dist / "autograder").glob("*.zip")
    key = dist / "autograder" / "02_power_rule.ipynb"
    blank = nbformat.read(dist / "student" / "02_power_rule.ipynb", 4)
    partial = nbformat.read(dist / "student" / "02_power_rule.ipynb", 4)
    answer_cells = [c for c in partial.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert [c.source for c in answer_cells[:2]] == ["answer = ...\n..."] * 2  # Otter's stub, ours above it
    answer_cells[0].source = "answer = 80.0"  # exercise 02.1 right; 02.2 and 02.3 left as handed out
    submissions = {}
    for name, nb in {"key": nbformat.read(key, 4), "blank": blank, "partial": partial}.items():
        (tmp_path / name).mkdir()
        submissions[name] = tmp_path / name / "02_power_rule.ipynb"
        nbformat.write(nb, submissions[name])
    results = grade_all(autograder, submissions)
    expected = {"key": [1.0, 1.0, 1.0], "blank": [0.0, 0.0, 0.0], "partial": [1.0, 0.0, 0.0]}
    for name, points in expected.items():
        assert scores(results[name]) == dict(zip(("ex_02_1", "ex_02_2", "ex_02_3"), points, strict=True)), \
            f"{name}:\n{feedback(results[name])}"
    blank = {t["name"]: t["output"] for t in results["blank"]["tests"]}
    assert "Not yet solved: Replace the `...` with your answer" in blank["ex_02_2"]
    assert "NameError" not in json.dumps(results["blank"])
