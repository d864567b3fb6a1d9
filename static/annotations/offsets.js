// Code point offsets into the article body, to and from DOM points: what
// live.js needs to keep a selection across a swap and keyboard.js to select a
// sentence. Each <p data-start data-end> of the body holds its own range of
// the canonical text (see annotate.js, which reads selections the same way).
window.SourcemarkOffsets = (function () {
  "use strict";

  function body() {
    return document.querySelector("[data-article-body]");
  }

  function paragraphs() {
    var element = body();
    return element ? Array.prototype.slice.call(element.querySelectorAll("p[data-start]")) : [];
  }

  function length(text) {
    return Array.from(text).length;
  }

  // The offset of a DOM point inside a paragraph, or null.
  function offsetOf(node, offset) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    var p = element && element.closest("p[data-start]");
    if (!p || !body() || !body().contains(p)) return null;
    var range = document.createRange();
    range.setStart(p, 0);
    range.setEnd(node, offset);
    return Number(p.dataset.start) + length(range.toString());
  }

  // The DOM point at a code point offset: an end stays in the paragraph before a boundary.
  function pointAt(offset, isEnd) {
    var all = paragraphs();
    for (var i = 0; i < all.length; i++) {
      var p = all[i];
      var lo = Number(p.dataset.start);
      var hi = Number(p.dataset.end);
      if (offset < lo || offset > hi || (!isEnd && offset === hi && i + 1 < all.length)) continue;
      var left = offset - lo;
      var walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      var last = null;
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var chars = Array.from(node.data);
        if (left < chars.length || (isEnd && left === chars.length)) {
          return { node: node, offset: chars.slice(0, left).join("").length };
        }
        left -= chars.length;
        last = node;
      }
      return last ? { node: last, offset: last.data.length } : { node: p, offset: 0 };
    }
    return null;
  }

  function rangeFor(start, end) {
    var from = pointAt(start, false);
    var to = pointAt(end, true);
    if (!from || !to) return null;
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  // The current selection's offsets when both its ends are in the body, else null.
  function selectionOffsets() {
    var selection = window.getSelection();
    if (!selection || !selection.rangeCount || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    return start === null || end === null ? null : { start: start, end: end };
  }

  function select(start, end) {
    var range = rangeFor(start, end);
    if (!range) return null;
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return range;
  }

  return {
    paragraphs: paragraphs,
    offsetOf: offsetOf,
    pointAt: pointAt,
    rangeFor: rangeFor,
    selectionOffsets: selectionOffsets,
    select: select,
  };
})();
