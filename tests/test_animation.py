"""The SVG path player: small, deterministic, and its points land where the data are."""

import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab import path_player
from gradlab.widgets.scene import build_figure


def test_player_places_points_in_pixels_and_is_small():
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    points = np.column_stack([np.linspace(0, 1, 120), np.linspace(0, 1, 120)])
    player = path_player(ax, {"diagonal": points}, interval_ms=20)
    assert player.frames == 120
    assert len(player.html) < 200_000  # one background picture plus numbers
    polyline = re.search(r"<polyline[^>]*points='([^']*)'", player.html).group(1).split()
    assert len(polyline) == 120
    (x0, y0), (x1, y1) = (tuple(map(float, p.split(","))) for p in (polyline[0], polyline[-1]))
    assert x1 > x0 and y1 < y0  # up and to the right, in SVG's downward y
    assert repr(player) == "PathPlayer(120 frames, 1 path(s))"
    assert fig.number not in plt.get_fignums()  # the figure was closed: it is not shown twice


def test_player_is_deterministic_and_caps_frames():
    def build():
        fig, ax = plt.subplots()
        return path_player(ax, {"a": np.zeros((30, 2)), "b": np.ones((50, 2))}, max_frames=40)

    first, second = build(), build()
    assert first.html == second.html
    assert first.frames == 40


@pytest.mark.parametrize("paths", [{}, {"bad": np.zeros((3, 3))}])
def test_player_rejects_bad_paths(paths):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError):
        path_player(ax, paths)
    plt.close(fig)


def test_player_colours_are_css_colours_that_match_the_legend():
    # Matplotlib names such as "C2" are not CSS: a browser draws such a stroke as none.
    fig, ax = plt.subplots()
    paths = {name: np.column_stack([np.arange(5.0), np.arange(5.0) * k])
             for k, name in enumerate(["sgd", "momentum", "rmsprop", "adam"], start=1)}
    legend_colours = []
    real_plot = ax.plot

    def spy(*args, **kwargs):
        if kwargs.get("label"):  # a legend entry
            legend_colours.append(kwargs.get("color"))
        return real_plot(*args, **kwargs)

    ax.plot = spy
    player = path_player(ax, paths)
    strokes = re.findall(r"<polyline[^>]*stroke='([^']*)'", player.html)
    fills = re.findall(r"<circle class='end-\d+'[^>]*fill='([^']*)'", player.html)
    assert len(strokes) == len(fills) == 4
    for colour in strokes + fills:
        assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
    assert strokes == fills == legend_colours
    assert len(set(strokes)) == 4


@pytest.mark.parametrize("equal_aspect", [True, False])
def test_legend_outside_leaves_the_axes_free(equal_aspect):
    # Without an equal aspect the axes span the figure: the axes narrow so the legend is not cut off.
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    if equal_aspect:
        ax.set_aspect("equal")
    player = path_player(ax, {"a path with a long name": np.array([[0.0, 0.0], [1.0, 1.0]])}, legend_outside=True)
    fig, panels = build_figure(player.description)  # the player's own figure, a copy of the reader's
    ax = panels["ax"]
    legend_box, axes_box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend_box.x0 > axes_box.x1  # right of the axes: it hides no contour
    assert legend_box.x1 <= fig.bbox.x1  # and still inside the picture


def test_each_path_is_drawn_with_its_legend_line_style():
    # The legend's dashes must be the ones the SVG draws: paths that overlap stay told apart.
    fig, ax = plt.subplots()
    paths = {name: np.column_stack([np.arange(5.0), np.arange(5.0) * k])
             for k, name in enumerate(["sgd", "momentum", "adam"], start=1)}
    player = path_player(ax, paths)
    handles = build_figure(player.description)[1]["ax"].get_legend().legend_handles
    svg_dashes = [re.search(r"stroke-dasharray='([^']*)'", line) for line in
                  re.findall(r"<polyline[^>]*>", player.html)]
    assert len(handles) == len(svg_dashes) == 3
    scale = fig.dpi / 72
    for handle, svg in zip(handles, svg_dashes, strict=True):
        legend = handle._dash_pattern[1]
        if legend is None:
            assert svg is None
        else:
            assert [float(v) for v in svg.group(1).split()] == pytest.approx([d * scale for d in legend], abs=0.06)
    assert len({h.get_linestyle() for h in handles}) == 3


def test_player_svg_has_an_accessible_name():
    fig, ax = plt.subplots()
    ax.set_title("descent on a bowl")
    player = path_player(ax, {"sgd": np.array([[0.0, 0.0], [1.0, 1.0]])})
    svg = re.search(r"<svg\b[^>]*>", player.html).group(0)
    assert "role='img'" in svg
    label_id = re.search(r"aria-labelledby='([^']*)'", svg).group(1)
    title = re.search(rf"<title id='{label_id}'>([^<]*)</title>", player.html).group(1)
    assert "descent on a bowl" in title and "sgd" in title


@pytest.mark.parametrize("paths, max_frames, message", [
    ({"sgd": np.zeros((0, 2))}, None, "'sgd' has no points"),
    ({"sgd": np.zeros((5, 2))}, 0, "max_frames must be a whole number of at least 1"),
    ({"sgd": np.full((5, 2), np.nan)}, None, "starts with a non-finite point"),
])
def test_player_refuses_what_it_cannot_play_with_a_clear_message(paths, max_frames, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        path_player(ax, paths, max_frames=max_frames)
    plt.close(fig)


def test_a_path_is_cut_at_its_first_nan_and_the_player_says_so():
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 10), ylim=(0, 10))
    points = np.column_stack([np.arange(10.0), np.arange(10.0)])
    points[6] = np.nan
    player = path_player(ax, {"sgd": points, "adam": points[:3]})
    payload = json.dumps([player.spec["arrays"], player.spec["els"]])  # the numbers the script draws
    drawn = "".join(re.findall(r"(?:points|cx|cy)='([^']*)'", player.html)) + payload
    assert "nan" not in drawn.lower() and "inf" not in drawn.lower()
    polyline = re.search(r"<polyline[^>]*points='([^']*)'", player.html).group(1).split()
    assert len(polyline) == 6  # points 0..5: the line stops before the NaN
    assert player.frames == 6
    assert player.notes and "sgd stops after 6 point(s)" in player.notes[0]
    assert "sgd stops after 6 point(s)" in player.html  # shown under the player and in the alt text
    assert re.search(r"<title[^>]*>[^<]*sgd stops after 6", player.html)


def test_paths_are_clipped_to_the_axes_box():
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    player = path_player(ax, {"far": np.array([[0.5, 0.5], [50.0, 0.5]])})
    clip_id = re.search(r"<clipPath id='([^']+)'>", player.html).group(1)
    assert re.search(rf"<polyline class='path-0'[^>]* clip-path='url\(#{clip_id}\)'", player.html)
    assert re.search(rf"<circle class='end-0'[^>]* clip-path='url\(#{clip_id}\)'", player.html)


def test_the_kernel_form_is_the_same_player_with_a_play_widget():
    # One description, two renderers: .kernel() steps the same trails with an ipywidgets Play.
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 10), ylim=(0, 10))
    points = np.column_stack([np.arange(10.0), np.arange(10.0) / 2])
    player = path_player(ax, {"sgd": points, "adam": points[:4]}, interval_ms=35)
    kernel = player.kernel()
    assert (kernel.player.min, kernel.player.max, kernel.player.interval) == (0, 9, 35)
    assert kernel.player in kernel.widget.children[0].children  # shown beside the step slider
    kernel.controls["step"].value = 2
    sgd, adam = (kernel.artists[name].get_data() for name in ("path-0", "path-1"))
    assert np.array_equal(np.column_stack(sgd), points[:3]) and np.array_equal(np.column_stack(adam), points[:3])
    kernel.controls["step"].value = 7  # adam has 4 points: it stays whole, its dot at its end
    assert len(kernel.artists["path-1"].get_data()[0]) == 4
    assert [float(v[0]) for v in kernel.artists["end-1"].get_data()] == [3.0, 1.5]
    legend = [t.get_text() for t in kernel.panels["ax"].get_legend().get_texts()]
    assert legend == ["sgd", "adam"]  # once each, although both renderers drew the figure
    kernel.close()
    assert kernel.closed and kernel.player.comm is None


def test_a_second_player_on_the_same_axes_shows_only_its_own_paths():
    # The first player's legend entries stayed on the reader's axes: the second listed both.
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    path_player(ax, {"first": np.array([[0.1, 0.1], [0.5, 0.5]])})
    second = path_player(ax, {"second": np.array([[0.9, 0.1], [0.5, 0.5]])})
    for fig2 in (build_figure(second.description)[0], second.kernel().figure):
        assert [t.get_text() for t in fig2.axes[0].get_legend().get_texts()] == ["second"]
    assert ax.get_legend() is None and not ax.lines  # the reader's axes are left as they were


@pytest.mark.parametrize("label", ["</script><img src=x onerror=alert(1)>", "a<b", "rate {lr}", "step {step}"])
def test_a_label_is_shown_as_typed_in_the_notes(label):
    # A cut path's note put the label into the page and the readout template unescaped.
    from gradlab.widgets.readout import plain

    fig, ax = plt.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    player = path_player(ax, {label: [[0.1, 0.1], [0.5, 0.5], [np.nan, 0.0]]})
    static = re.sub(r"<script>.*?</script>", "", player.html, flags=re.S)
    assert "<img" not in static and "</script>" not in static.split("<output", 1)[1]
    shown = re.search(r"<output[^>]*>(.*?)</output>", player.html, flags=re.S).group(1)
    assert plain(shown).startswith(f"{label} stops after 2 point(s)")
    assert "{" not in shown and "}" not in shown  # no field for the script (or the kernel) to fill
    assert plain(player.kernel().readout.value) == plain(shown)


@pytest.mark.parametrize("kwargs, message", [
    ({"interval_ms": 0}, "interval_ms must be a whole number of milliseconds"),
    ({"interval_ms": 10**12}, "interval_ms must be a whole number of milliseconds"),
    ({"interval_ms": None}, "interval_ms must be a whole number of milliseconds"),
    ({"legend_outside": "yes"}, "legend_outside must be True or False"),
])
def test_player_options_are_checked(kwargs, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        path_player(ax, {"a": [[0, 0], [1, 1]]}, **kwargs)


def test_player_refuses_what_it_cannot_draw_over():
    fig = plt.figure()
    with pytest.raises(ValueError, match="flat x-y axes"):
        path_player(fig.add_subplot(projection="3d"), {"a": [[0, 0], [1, 1]]})
    with pytest.raises(ValueError, match="ax must be matplotlib axes"):
        path_player("ax", {"a": [[0, 0], [1, 1]]})
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="paths must be a dict"):
        path_player(ax, [np.zeros((2, 2))])
    for label in ("", "_hidden"):
        with pytest.raises(ValueError, match="label must be text"):
            path_player(ax, {label: [[0, 0], [1, 1]]})


def test_far_points_and_short_cuts_are_said_not_dropped():
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    player = path_player(ax, {"a": [[0.5, 0.5], [1e200, 0.5]], "b": [[5, 5], [6, 6]],
                              "c": np.column_stack([np.linspace(0, 1, 50)] * 2)}, max_frames=10)
    assert any(n.startswith("a stops after 1 point(s)") for n in player.notes)  # 1e200: no drawable pixel
    assert "b lies outside the axes' limits" in player.notes
    assert any("only the first 10 point(s)" in n for n in player.notes)
    assert all(abs(float(v)) < 1e7 for p in player.spec["els"] if "trail" in p
               for pt in p["trail"]["pts"] for v in pt.split(","))


def test_more_paths_than_colours_never_repeat_a_look():
    fig, ax = plt.subplots()
    paths = {f"p{i}": np.array([[0.0, i], [1.0, i]]) for i in range(12)}
    player = path_player(ax, paths)
    tags = [dict(re.findall(r" ([\w-]+)='([^']*)'", tag)) for tag in re.findall(r"<polyline[^>]*>", player.html)]
    looks = [(a["stroke"], a.get("stroke-dasharray", "")) for a in tags]
    assert len(looks) == 12 and len(set(looks)) == 12
