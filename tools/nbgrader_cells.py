"""Keep the notebooks nbgrader-ready: solution metadata and one locked test cell per check.

    python tools/nbgrader_cells.py notebooks/*.py           # update twins (and their .ipynb)
    python tools/nbgrader_cells.py --check notebooks/*.py   # exit 1 if any is out of date

The same as ``python -m gradlab nbgrader-cells``; see :mod:`gradlab.exercises.autograde`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gradlab.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["nbgrader-cells", *sys.argv[1:]]))
