/* procsim: pan and zoom an inline SVG by its viewBox (drag, wheel, keys, buttons). */
"use strict";
var PanZoom = function (svg, container) {
  var base = svg.viewBox.baseVal;
  var full = { x: base.x, y: base.y, w: base.width, h: base.height };
  var box = Object.assign({}, full);

  function apply() { svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map(function (v) { return v.toFixed(1); }).join(" ")); }
  function aspect() { var r = container.getBoundingClientRect(); return r.height > 0 ? r.width / r.height : 16 / 9; }

  /* Show a region (in SVG units), padded, at the container's aspect ratio. */
  function show(region, pad) {
    pad = pad || 0;
    var w = region.w + 2 * pad, h = region.h + 2 * pad, a = aspect();
    if (w / h > a) h = w / a; else w = h * a;
    box = { x: region.x + region.w / 2 - w / 2, y: region.y + region.h / 2 - h / 2, w: w, h: h };
    apply();
  }
  /* As show(), then slid back inside the drawing where the view is smaller than it: a stage near
   * an edge is shown with the drawing's edge at the window's edge, not beside empty space. */
  function showWithin(region, pad) {
    show(region, pad);
    box.x = box.w <= full.w ? Math.min(Math.max(box.x, full.x), full.x + full.w - box.w) : full.x + full.w / 2 - box.w / 2;
    box.y = box.h <= full.h ? Math.min(Math.max(box.y, full.y), full.y + full.h - box.h) : full.y + full.h / 2 - box.h / 2;
    apply();
  }
  function fit() { show(full, 0); }
  function zoom(factor, cx, cy) {
    if (cx === undefined) { cx = box.x + box.w / 2; cy = box.y + box.h / 2; }
    var w = Math.min(Math.max(box.w * factor, full.w / 40), full.w * 4);
    var k = w / box.w;
    box = { x: cx - (cx - box.x) * k, y: cy - (cy - box.y) * k, w: w, h: box.h * k };
    apply();
  }
  function pan(dx, dy) { box.x += dx * box.w; box.y += dy * box.h; apply(); }
  function toSvg(clientX, clientY) {
    var r = svg.getBoundingClientRect(), s = Math.max(box.w / r.width, box.h / r.height);
    var ox = (r.width - box.w / s) / 2, oy = (r.height - box.h / s) / 2;
    return { x: box.x + (clientX - r.left - ox) * s, y: box.y + (clientY - r.top - oy) * s, s: s };
  }
  /* The element's box in the SVG's user units (the graph is translated by Graphviz).
   * Composed from the transform attributes between the element and the root, never from
   * getCTM(): Firefox returns null for an outermost <svg>'s own CTM, and
   * an element's CTM includes the viewBox, which this code changes. */
  function region(element) {
    var b = element.getBBox(), m = svg.createSVGMatrix();
    for (var node = element; node && node !== svg; node = node.parentNode) {
      var list = node.transform ? node.transform.baseVal : null;
      for (var i = list ? list.numberOfItems - 1 : -1; i >= 0; i--) m = list.getItem(i).matrix.multiply(m);
    }
    var xs = [], ys = [];
    [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].forEach(function (c) {
      xs.push(m.a * c[0] + m.c * c[1] + m.e); ys.push(m.b * c[0] + m.d * c[1] + m.f);
    });
    var x = Math.min.apply(null, xs), y = Math.min.apply(null, ys);
    return { x: x, y: y, w: Math.max.apply(null, xs) - x, h: Math.max.apply(null, ys) - y };
  }

  var drag = null;
  container.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, box: Object.assign({}, box) };
    container.setPointerCapture(e.pointerId);
  });
  container.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var s = toSvg(0, 0).s;
    box.x = drag.box.x - (e.clientX - drag.x) * s;
    box.y = drag.box.y - (e.clientY - drag.y) * s;
    apply();
  });
  container.addEventListener("pointerup", function () { drag = null; });
  container.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toSvg(e.clientX, e.clientY);
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });
  container.addEventListener("keydown", function (e) {
    var keys = { "+": function () { zoom(1 / 1.25); }, "=": function () { zoom(1 / 1.25); },
      "-": function () { zoom(1.25); }, "0": fit };
    if (keys[e.key]) { keys[e.key](); e.preventDefault(); e.stopPropagation(); return; }
    if (e.shiftKey && e.key.indexOf("Arrow") === 0) {
      var d = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] }[e.key];
      pan(d[0], d[1]); e.preventDefault(); e.stopPropagation();
    }
  });
  fit();
  return { fit: fit, zoom: zoom, show: show, showWithin: showWithin, region: region, pan: pan };
};
