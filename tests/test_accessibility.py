"""Alt text for figures: built from what the figure says, attached by IPython as image/png metadata."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from gradlab import accessibility, style  # noqa: E402


def test_description_names_titles_axes_and_curves_of_every_panel():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], [0, 1], label=r"$f(x)$")
    left.plot([0, 1], [1, 0], label=r"$\partial f / \partial x$")
    left.legend()
    left.set(title="function", xlabel="$x$", ylabel="$y$")
    right.set_title("loss")
    text = accessibility.describe(fig)
    plt.close(fig)
    assert text.startswith("Figure with 2 panels")
    assert "function" in text and "horizontal axis x" in text and "vertical axis y" in text
    assert "curves: f(x), ∂f / ∂x" in text and "panel 2: loss" in text
    assert "$" not in text


def test_explicit_alt_wins():
    fig = accessibility.set_alt(plt.figure(), "the tangent line at x = 1")
    assert accessibility.describe(fig) == "the tangent line at x = 1"
    plt.close(fig)


def test_ipython_displays_figures_with_alt_metadata_and_styled_cycle():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    png = shell.display_formatter.formatters["image/png"]
    png.for_type(matplotlib.figure.Figure, lambda fig: b"\x89PNG fake")  # stands in for the inline backend
    assert accessibility.install(shell)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="sgd")
    ax.legend()
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"] == b"\x89PNG fake"
    assert metadata["image/png"]["alt"] == "Figure: curves: sgd."
    # the second curve differs from the first by line style, not by colour alone
    second = ax.plot([0, 1], [1, 0])[0]
    first = ax.lines[0]
    assert first.get_linestyle() != second.get_linestyle()
    assert to_rgb(first.get_color()) == pytest.approx(to_rgb(style.BLUE))
    plt.close(fig)
    matplotlib.rcdefaults()
    matplotlib.use("Agg")


@pytest.mark.parametrize(("label", "plain"), [
    (r"$\sim h^2$ (truncation)", "~ h² (truncation)"),
    (r"$\sim \varepsilon / h$ (rounding)", "~ ε / h (rounding)"),
    (r"$\cos x \sin y + x/y$ where $|f| \leq 10$", "cos x sin y + x/y where |f| ≤ 10"),
    (r"$\frac{d}{dx}\sin x$", "d/dx sin x"),
    (r"$\frac{\partial f}{\partial x}$", "∂f/∂x"),
    (r"$x^{n-1}$ and $x_0 \geq 0$", "xⁿ⁻¹ and x₀ ≥ 0"),
    (r"$e^{-x}$", "e^(-x)"),
    ("learning_rate", "learning_rate"),
])
def test_alt_text_has_no_latex_left(label, plain):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label=label)
    ax.legend()
    text = accessibility.describe(fig)
    plt.close(fig)
    assert f"curves: {plain}" in text
    assert "\\" not in text and "$" not in text
