"""The README's teacher example does what it says: its cells run, and a student's answer gets the quoted feedback.

The test reads the README itself (the "Writing your own exercises" cells and the sentences
``A student who writes `ANSWER` reads *FEEDBACK*``), runs the cells in a fresh Python with the
student's answer in place of the solution, and compares what ``gradlab.check`` says with the
quoted text, so a change to the checks' wording shows up here until the README says the same.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("**Writing your own exercises**"):README.index("## The package")]
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)
#: "writes `answer` reads *feedback*", the feedback possibly wrapped over several lines.
PROMISES = re.findall(r"writes `([^`]+)` reads\s+\*(.+?)\*", SECTION, re.DOTALL)


def one_line(text: str) -> str:
    return " ".join(text.split())


def teachers_solution() -> str:
    return re.search(r"### BEGIN SOLUTION\n\s*return (.+)\n\s*### END SOLUTION", BLOCKS[1]).group(1)


@functools.cache
def all_feedback() -> dict[str, str]:
    """What the README's check cell says for the teacher's solution and each quoted student answer.

    One fresh Python (TensorFlow's import is most of the cost) runs the exercise cell once,
    then, as a student editing and re-running the solution cell would, for each answer: the
    solution cell returning it, then the check cell.
    """
    define, solution, check = BLOCKS
    name = re.match(r"def (\w+)\(x\):", solution).group(1)
    answers = [teachers_solution()] + [answer for answer, _ in PROMISES]
    students = [f"def {name}(x):\n    return {answer}\n" for answer in answers]
    code = textwrap.dedent(f"""\
        import json
        exec(compile({define!r}, "exercise cell", "exec"))
        said = {{}}
        for answer, student in zip({answers!r}, {students!r}):
            exec(compile(student, "solution cell", "exec"))
            said[answer] = str(eval(compile({check.strip()!r}, "check cell", "eval")))
        print(json.dumps(said))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def feedback_for(answer: str) -> str:
    """What the README's check cell says when the solution cell returns `answer`."""
    return all_feedback()[answer]


def test_the_readme_has_the_three_cells_and_the_promised_feedback():
    assert len(BLOCKS) == 3 and "gradlab.exercise(" in BLOCKS[0] and "### BEGIN SOLUTION" in BLOCKS[1]
    assert [answer for answer, _ in PROMISES] == ["math.sin(x) * math.cos(x)", "-2 * math.sin(x) * math.cos(x)"]


def test_the_teachers_own_solution_is_correct():
    assert feedback_for(teachers_solution()).startswith("✅")


def test_each_student_answer_gets_the_feedback_the_readme_quotes():
    for answer, promised in PROMISES:
        assert one_line(feedback_for(answer)) == one_line(promised), f"README's feedback for `{answer}` is stale"
