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

__all__ = ["PAUSE_MARK", "PLAY_MARK", "SCRIPT"]

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
""" + SLIDER_KEYS_JS + """
  inputs.forEach(function (el) {
    el.addEventListener("input", show);
    sliderKeys(el, show);
  });
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
