"""One place for how gradlab's figures look: colours, line styles, sizes and line widths.

Colours are from the Okabe–Ito palette, which stays distinct for the common forms of
colour blindness; every curve that must be told apart also has its own line style, so a
figure still reads in grey print.
"""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design".
BLUE, ORANGE, VERMILLION, GREEN, SKY, PURPLE, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#D55E00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442", "#000000")

FUNCTION = BLUE  # the function itself
DERIVATIVE = ORANGE  # its derivative
TANGENT = VERMILLION  # tangent lines and planes: the thing that moves
POINT = BLACK  # the evaluation point
PATH_COLORS = (VERMILLION, BLUE, GREEN, PURPLE, ORANGE, SKY)  # descent paths, one per run

FUNCTION_LS = "-"  # solid
DERIVATIVE_LS = "--"  # dashed
TANGENT_LS = "-."  # dash-dot
TANGENT_DASH = "8 3 2 3"  # the same dash-dot for SVG's stroke-dasharray
PATH_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))

FIGSIZE = (6.4, 4.0)  # inches; at the widgets' 100 dpi this is 640x400 pixels
FIGSIZE_WIDE = (10.0, 4.0)
FIGSIZE_3D = (7.0, 5.0)
DPI = 100
LINEWIDTH = 2.0
CMAP_SURFACE = "viridis"  # perceptually uniform and colour-blind safe
CMAP_CONTOUR = "viridis"


def cycler():
    """A property cycle pairing each palette colour with its own line style (for ``axes.prop_cycle``)."""
    from cycler import cycler as make

    colors = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY)
    return make(color=colors) + make(linestyle=["-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1))])
