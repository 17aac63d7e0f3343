"""The argument checks students meet first: ranges, counts and grid sizes."""

import numpy as np
import pytest

from gradlab import grid
from gradlab._validate import check_count, check_range, check_scalar


@pytest.mark.parametrize(
    "value, fragment",
    [((5, -5), "reversed"), ((1, 1), "zero length"), ((0, np.inf), "finite"), (5, "pair"), (("a", 1), "pair")],
)
def test_bad_ranges(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_range(value)


def test_good_range_and_count():
    assert check_range([-1, 2]) == (-1.0, 2.0)
    assert check_count(np.int64(30)) == 30
    with pytest.raises(ValueError, match="at least 2"):
        check_count(1)
    with pytest.raises(ValueError, match="whole number"):
        check_count(2.5)


def test_grid_refuses_huge_sizes_with_a_size_message():
    with pytest.raises(ValueError, match="too large.*use fewer points"):
        grid((0, 1), (0, 1), 100_000)
    X, Y = grid((0, 6), (-6, 6), 30)
    assert X.shape == Y.shape == (30, 30)
    assert (X.min(), X.max(), Y.min(), Y.max()) == (0, 6, -6, 6)


def test_check_scalar():
    assert check_scalar(np.array(2.5), "x0") == 2.5
    with pytest.raises(ValueError, match="finite"):
        check_scalar(float("nan"), "x0")
    with pytest.raises(ValueError, match="single number"):
        check_scalar("abc", "x0")
