"""One place for how gradlab's figures look: colours, sizes and line widths."""

from __future__ import annotations

FUNCTION = "C0"  # the function itself
DERIVATIVE = "C1"  # its derivative
TANGENT = "red"  # tangent lines and planes: the thing that moves
POINT = "black"  # the evaluation point
PATH_COLORS = ("red", "C2", "C4", "C1", "C5", "C9")  # descent paths, one per run

FIGSIZE = (6.4, 4.0)  # inches; at the widgets' 100 dpi this is 640x400 pixels
FIGSIZE_WIDE = (10.0, 4.0)
FIGSIZE_3D = (7.0, 5.0)
DPI = 100
LINEWIDTH = 2.0
CMAP_SURFACE = "viridis"
CMAP_CONTOUR = "viridis"
