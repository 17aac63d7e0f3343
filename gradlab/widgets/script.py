"""The script every browser explorer and player carries: it moves the SVG when a slider moves.

It reads the payload that :func:`gradlab.widgets.client.build` writes (``spec``: slider sizes,
arrays by name, which element attribute each array sets, the readout template) and, on each
``input`` event or key, sets every bound attribute to its value at the sliders' positions,
hides an element whose value is missing, fills the readout and slider texts, and shows a
trail's first k + 1 points. A player's play button steps one slider on a timer.
It is %-formatted with ``id`` and ``spec``; literal percent signs are doubled.
"""

from __future__ import annotations

from gradlab._slider_keys import SLIDER_KEYS_JS

__all__ = ["PAUSE_MARK", "PLAY_MARK", "SCRIPT", "STACK_JS"]

#: JavaScript defining ``stackWhenNarrow(root)``. Where the output is too narrow to show two
#: side-by-side panels (03's map and surface, 05's map and loss) at a readable size, in any
#: front end or the site on a phone, they show one above the other, each as wide as the column.
#: The picture is not redrawn: the first <svg> crops to the left panel and each further panel
#: is an <svg> that crops a <use> of the same drawing, so the script, which moves the original
#: elements, moves every panel. Panels are told apart by the axes boxes the explorer clips to;
#: a cut falls a quarter of the way into the gap after a box (the next panel's tick labels sit
#: at the gap's far side). Back to one picture when the output widens again.
STACK_JS = """
  function stackWhenNarrow(root) {
    var svg = root.querySelector("svg"), NS = "http://www.w3.org/2000/svg";
    var wide = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height, style = svg.getAttribute("style");
    var boxes = Array.prototype.map.call(svg.querySelectorAll("clipPath > rect"), function (r) {
      return {left: +r.getAttribute("x"), right: +r.getAttribute("x") + +r.getAttribute("width")};
    }).sort(function (a, b) { return a.left - b.left; });
    var at = [0];
    for (var i = 1; i < boxes.length; i++) {
      if (boxes[i].left > boxes[i - 1].right) at.push(boxes[i - 1].right + (boxes[i].left - boxes[i - 1].right) / 4);
    }
    at.push(wide);
    if (at.length < 3 || !window.ResizeObserver) return;
    function crop(el, left, right) {
      el.setAttribute("viewBox", left + " 0 " + (right - left) + " " + height);
      el.setAttribute("width", right - left);
      el.setAttribute("class", "gradlab-panel");
      el.setAttribute("style", "display:block;margin:0 auto 4px;max-width:100%%;height:auto");  // %% for SCRIPT
    }
    function stack() {
      if (root.getAttribute("data-stacked")) return;
      var drawing = document.createElementNS(NS, "g");
      root.setAttribute("data-stacked", svg.getAttribute("viewBox") + "|" + svg.getAttribute("width"));
      drawing.id = root.id + "-drawing";
      Array.prototype.slice.call(svg.childNodes).forEach(function (node) {
        if (node.nodeName !== "title" && node.nodeName !== "defs") drawing.appendChild(node);
      });
      svg.appendChild(drawing);
      crop(svg, at[0], at[1]);
      var after = svg;
      for (var i = 1; i < at.length - 1; i++) {
        var panel = document.createElementNS(NS, "svg"), use = document.createElementNS(NS, "use");
        panel.setAttribute("aria-hidden", "true");  // the first picture's description covers every panel
        panel.setAttribute("height", height);
        crop(panel, at[i], at[i + 1]);
        use.setAttribute("href", "#" + drawing.id);
        panel.appendChild(use);
        after.parentNode.insertBefore(panel, after.nextSibling);
        after = panel;
      }
    }
    function unstack() {
      var saved = root.getAttribute("data-stacked");
      if (!saved) return;
      var drawing = svg.querySelector("g[id$='-drawing']");
      root.querySelectorAll("svg[aria-hidden='true'].gradlab-panel").forEach(function (p) { p.remove(); });
      while (drawing.firstChild) svg.appendChild(drawing.firstChild);
      drawing.remove();
      svg.setAttribute("viewBox", saved.split("|")[0]);
      svg.setAttribute("width", saved.split("|")[1]);
      svg.removeAttribute("class");
      svg.setAttribute("style", style);
      root.removeAttribute("data-stacked");
    }
    // Side by side, each panel would show at under 0.6 of its size (10-pt ticks under ~8 px).
    // The root itself is watched (a front end may move it to another container after the script
    // ran), and its container read at each change.
    function fit() {
      var room = root.parentNode ? root.parentNode.clientWidth : 0;
      if (room > 0) (room < 0.6 * wide ? stack : unstack)();
    }
    new ResizeObserver(fit).observe(root);
    window.addEventListener("resize", fit);
  }
"""

SCRIPT = """
(function () {
  var me = document.currentScript, root = me ? me.parentNode : document.getElementById("%(id)s");
  if (!root || root.getAttribute("data-live")) return;
  root.setAttribute("data-live", "1");
  var spec = %(spec)s, A = spec.arrays, sizes = spec.sliders.map(function (s) { return s.n; });
  var inputs = spec.sliders.map(function (s) { return root.querySelector("input[name='" + s.name + "']"); });
  var els = spec.els.map(function (e) { return root.querySelector(e.sel); });
  var readout = root.querySelector("output"), shown = spec.sliders.map(function (s) {
    return root.querySelector(".value-" + s.name); });
  function at(name, idx) {
    var a = A[name], k = 0;
    for (var i = 0; i < a.dims.length; i++) k = k * sizes[a.dims[i]] + idx[a.dims[i]];
    return a.v[k];
  }
  function fill(text, idx, bad) {
    return text.replace(/\\{(\\w+)(?::(\\+?)(\\d+))?\\}/g, function (_, name, sign, digits) {
      var v = at(name, idx);
      if (v === null) { bad.push(name); return "?"; }
      if (digits === undefined) return v;
      var t = Math.abs(v).toFixed(+digits), neg = v < 0 && /[1-9]/.test(t);
      return sign ? (neg ? " \\u2212 " : " + ") + t : (neg ? "-" : "") + t;
    });
  }
  function show() {
    var idx = inputs.map(function (el) { return +el.value; }), bad = [];
    for (var i = 0; i < els.length; i++) {
      var attrs = spec.els[i].attrs, hide = false, trail = spec.els[i].trail;
      if (trail) els[i].setAttribute("points", trail.pts.slice(0, idx[trail.axis] + 1).join(" "));
      for (var a in attrs) {
        var v = at(attrs[a], idx);
        if (v === null) hide = true; else els[i].setAttribute(a, v);
      }
      els[i].setAttribute("visibility", hide ? "hidden" : "visible");
    }
    spec.texts.forEach(function (t) { root.querySelector(t.sel).textContent = fill(t.text, idx, []); });
    var text = fill(spec.readout, idx, bad);
    readout.innerHTML = bad.length ? fill(spec.undefined, idx, []) : text;
    for (var j = 0; j < inputs.length; j++) {
      var label = fill(spec.sliders[j].text, idx, []);
      inputs[j].setAttribute("aria-valuetext", label);
      if (shown[j]) shown[j].textContent = label;
    }
  }
  // Keys are handled here too: a front end's own shortcuts may swallow arrows (gradlab._slider_keys).
""" + SLIDER_KEYS_JS + STACK_JS + """
  inputs.forEach(function (el) {
    el.addEventListener("input", show);
    sliderKeys(el, show);
  });
  stackWhenNarrow(root);
  if (!spec.play) return;
  // A play button steps one slider; any move of that slider by hand stops it.
  var stepped = inputs[spec.play.axis], button = root.querySelector("button.play"), timer = null;
  var icon = button.querySelector(".icon"), word = button.querySelector(".word");
  function face(playing) {
    icon.setAttribute("style", spec.play.marks[playing ? 1 : 0]);
    word.textContent = playing ? "pause" : "play";
  }
  function stop() { clearInterval(timer); timer = null; face(false); }
  button.onclick = function () {
    if (timer) { stop(); return; }
    var last = +stepped.max, k = +stepped.value >= last ? 0 : +stepped.value;
    face(true);
    timer = setInterval(function () { stepped.value = k; show(); if (++k > last) stop(); }, spec.play.interval);
  };
  stepped.addEventListener("input", stop);
  stepped.addEventListener("keydown", function () { if (timer) stop(); }, true);
})();
"""

_MARK = "display:inline-block;box-sizing:content-box;vertical-align:-0.05em;border-style:solid;"
#: The play button's marks, a right-pointing triangle and two bars, drawn with CSS borders in the
#: button's text colour: a pause glyph needs an emoji font that many systems lack.
PLAY_MARK = _MARK + ("width:0;height:0;border-width:.4em 0 .4em .65em;"
                     "border-color:transparent transparent transparent currentColor")
PAUSE_MARK = _MARK + "width:.21em;height:.8em;border-width:0 .22em;border-color:currentColor"
