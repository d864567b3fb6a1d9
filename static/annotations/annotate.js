// Annotating an article: turn a text selection into code point offsets and
// show the label toolbar; open a highlight's panel on click. htmx sends the
// requests and swaps the server-rendered answer; nothing is rendered here.
// A failed request is errors.js's (every page's): it says why in the toolbar
// or the panel, and the toolbar stays open with what was typed.
//
// Offsets are Unicode code points into the canonical body. The DOM counts
// UTF-16 units, so every length below goes through codePoints(). Each <p> of
// the body carries its own code point range in data-start / data-end.
(function () {
  "use strict";

  var root = document.querySelector("[data-annotate]");
  if (!root) return;
  var body = root.querySelector("[data-article-body]");
  var toolbar = document.getElementById("label-toolbar");

  function codePoints(text) {
    return Array.from(text);
  }

  function paragraphs() {
    return Array.prototype.slice.call(body.querySelectorAll("p[data-start]"));
  }

  // The code point offset of a DOM boundary point, or null outside the body.
  // A point between paragraphs snaps forward (a start) or back (an end).
  function offsetOf(node, offset, isEnd) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    var p = element && element.closest("p[data-start]");
    if (p && body.contains(p)) {
      var range = document.createRange();
      range.setStart(p, 0);
      range.setEnd(node, offset);
      return Number(p.dataset.start) + codePoints(range.toString()).length;
    }
    var all = paragraphs();
    if (!all.length) return null;
    var point = document.createRange();
    point.setStart(node, offset);
    for (var i = 0; i < all.length; i++) {
      // 1: the paragraph starts after the point.
      if (point.comparePoint(all[i], 0) === 1) {
        if (!isEnd) return Number(all[i].dataset.start);
        return i === 0 ? Number(all[0].dataset.start) : Number(all[i - 1].dataset.end);
      }
    }
    return Number(all[all.length - 1].dataset.end);
  }

  // The canonical text between two offsets, read back from the paragraphs
  // (paragraphs are joined by a blank line in the canonical text).
  function textBetween(start, end) {
    var pieces = [];
    paragraphs().forEach(function (p) {
      var lo = Number(p.dataset.start);
      var hi = Number(p.dataset.end);
      if (hi <= start || lo >= end) return;
      var chars = codePoints(p.textContent);
      pieces.push(chars.slice(Math.max(start, lo) - lo, Math.min(end, hi) - lo).join(""));
    });
    return pieces.join("\n\n");
  }

  // The selection as {start, end, quote}, trimmed of white space; null when
  // it is empty or lies outside the article body.
  function currentSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    if (!range.intersectsNode(body)) return null;
    var inside = function (node) { return body.contains(node); };
    var start = inside(range.startContainer)
      ? offsetOf(range.startContainer, range.startOffset, false)
      : offsetOf(body, 0, false);
    var end = inside(range.endContainer)
      ? offsetOf(range.endContainer, range.endOffset, true)
      : offsetOf(body, body.childNodes.length, true);
    if (start === null || end === null || start >= end) return null;
    var chars = codePoints(textBetween(start, end));
    var head = 0;
    var tail = chars.length;
    while (head < tail && /\s/.test(chars[head])) head++;
    while (tail > head && /\s/.test(chars[tail - 1])) tail--;
    if (head === tail) return null;
    var edges = snapToGraphemes.apply(null, snapToWords(start + head, start + tail));
    return {
      start: edges[0],
      end: edges[1],
      quote: textBetween(edges[0], edges[1]),
      rect: range.getBoundingClientRect(),
    };
  }

  // --- Grapheme clusters ----------------------------------------------------
  // A span's edges fall between grapheme clusters: never half a flag, a skin
  // tone without its emoji, an accent without its letter. The rule of
  // annotations/graphemes.py, which the server applies again: widen each edge
  // to the nearest cluster boundary found within WINDOW code points of it.

  var WINDOW = 32;
  var segmenter = null;  // Intl.Segmenter (or false without it): made by segmenters() below

  // The canonical text from lo to hi, the blank lines between paragraphs included.
  function canonicalText(lo, hi) {
    var out = "";
    var at = lo;
    paragraphs().forEach(function (p) {
      var plo = Number(p.dataset.start);
      var phi = Number(p.dataset.end);
      if (phi <= lo || plo >= hi) return;
      for (; at < plo; at++) out += "\n";
      var chars = codePoints(p.textContent).slice(Math.max(lo, plo) - plo, Math.min(hi, phi) - plo);
      out += chars.join("");
      at += chars.length;
    });
    return out;
  }

  // Code point offsets where segments (clusters, or words) start near offset, and the window's ends.
  function clusterStarts(offset, by, width) {
    by = by || segmenters().grapheme;
    width = width || WINDOW;
    var lo = Math.max(0, offset - width);
    var starts = [];
    var at = lo;
    Array.from(by.segment(canonicalText(lo, offset + width))).forEach(function (part) {
      starts.push(at);
      at += codePoints(part.segment).length;
    });
    return { lo: lo, hi: at, starts: starts.concat([at]) };
  }

  function snapToGraphemes(start, end) {
    if (!segmenters().grapheme) return [start, end];  // the server snaps anyway
    var before = clusterStarts(start);
    var after = clusterStarts(end);
    var left = before.starts.filter(function (s) { return s <= start; });
    var right = after.starts.filter(function (s) { return s >= end; });
    return [
      left.length ? left[left.length - 1] : before.lo,
      right.length ? right[0] : after.hi,
    ];
  }

  // --- Whole words ----------------------------------------------------------
  // The rule of annotations/selection.py, which the server applies again: an
  // edge inside a word moves out to the word's edge (Unicode word boundaries,
  // found within WORD_WINDOW code points); punctuation and spaces are words of
  // their own, so an edge next to them stays.

  var WORD_WINDOW = 64;
  var words = null;

  // The first Intl.Segmenter of a page costs 10-60 ms (ICU's break rules are loaded): made
  // when the page is first idle, not while it loads, or at the first selection if sooner.
  function segmenters() {
    if (segmenter === null) {
      var can = Boolean(window.Intl && Intl.Segmenter);
      segmenter = can && new Intl.Segmenter(undefined, { granularity: "grapheme" });
      words = can && new Intl.Segmenter(undefined, { granularity: "word" });
    }
    return { grapheme: segmenter, word: words };
  }
  if (window.requestIdleCallback) window.requestIdleCallback(segmenters);
  else window.setTimeout(segmenters, 0);

  function snapToWords(start, end) {
    if (!segmenters().word) return [start, end];  // the server snaps anyway
    var before = clusterStarts(start, words, WORD_WINDOW);
    var after = clusterStarts(end, words, WORD_WINDOW);
    var left = before.starts.filter(function (s) { return s <= start; });
    var right = after.starts.filter(function (s) { return s >= end; });
    return [
      left.length ? left[left.length - 1] : before.lo,
      right.length ? right[0] : after.hi,
    ];
  }

  // --- The toolbar --------------------------------------------------------

  function toolbarOpen() {
    return toolbar && !toolbar.hidden;
  }

  function hideToolbar() {
    if (toolbar) toolbar.hidden = true;
  }

  function showToolbar(picked) {
    toolbar.elements.start.value = picked.start;
    toolbar.elements.end.value = picked.end;
    toolbar.elements.quote.value = picked.quote;
    var error = document.getElementById("annotate-error");
    if (error) error.textContent = "";
    toolbar.hidden = false;
    // CSSOM, not an inline style attribute: allowed by the page's CSP.
    var top = picked.rect.bottom + window.scrollY + 8;
    var left = Math.max(8, Math.min(picked.rect.left + window.scrollX,
      window.scrollX + document.documentElement.clientWidth - toolbar.offsetWidth - 8));
    toolbar.style.top = top + "px";
    toolbar.style.left = left + "px";
    // selection.js asks the server whether this selection means a span already there.
    toolbar.dispatchEvent(new CustomEvent("sourcemark:selection", {
      bubbles: true, detail: { start: picked.start, end: picked.end },
    }));
  }

  function update() {
    if (!toolbar) return;
    var picked = currentSelection();
    if (picked) showToolbar(picked);
    else hideToolbar();
  }

  function fromControls(target) {
    return (toolbar && toolbar.contains(target)) ||
      target.closest && target.closest("#span-panel, input, textarea, select, button, a");
  }

  document.addEventListener("mouseup", function (event) {
    if (fromControls(event.target)) return;
    // The selection settles after mouseup (a plain click collapses it).
    window.setTimeout(update, 0);
  });

  document.addEventListener("keyup", function (event) {
    if (fromControls(event.target)) return;
    if (event.key === "Escape" || /^[0-9]$/.test(event.key)) return;
    update();
  });

  document.addEventListener("keydown", function (event) {
    // Enter in the panel's note or source of one's own label presses its Save
    // (same label); Shift+Enter is a new line in the note.
    var save = event.key === "Enter" && !event.shiftKey && event.target.form &&
      event.target.form.querySelector("[data-save]");
    if (save) {
      event.preventDefault();
      save.click();
      return;
    }
    // Elsewhere, Enter in a note or source field would submit with the first button,
    // silently choosing "Verified fact": the label must be chosen explicitly.
    if (event.key === "Enter" && event.target.matches &&
        event.target.matches("#label-toolbar input, .label-form input")) {
      event.preventDefault();
      return;
    }
    if (event.key === "Escape") {
      if (toolbarOpen()) hideToolbar();
      else closePanel();
      return;
    }
    if (!toolbarOpen() || event.ctrlKey || event.metaKey || event.altKey) return;
    var typing = event.target.closest && event.target.closest("input, textarea, select");
    if (typing) return;
    var button = toolbar.querySelector('[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  if (toolbar) {
    toolbar.addEventListener("click", function (event) {
      if (event.target.closest("[data-toolbar-close]")) hideToolbar();
    });
    toolbar.addEventListener("htmx:afterRequest", function (event) {
      // The toolbar's own label request (a POST) only, not the offer selection.js fetches into it.
      if (event.detail.requestConfig && event.detail.requestConfig.verb !== "post") return;
      // Not detail.successful: a refusal we swapped into the toolbar counts as "successful".
      if (event.detail.xhr.status >= 300) return;
      hideToolbar();
      toolbar.reset();
      window.getSelection().removeAllRanges();
    });
  }

  // --- The span panel -----------------------------------------------------

  // ``source``: the highlight or link clicked, so a failure is shown where errors.js looks for it.
  function openPanel(spanId, source) {
    window.htmx.ajax("GET", root.dataset.spanUrl + spanId + "/", {
      source: source,
      target: "#span-panel",
      swap: "outerHTML",
    });
  }

  function closePanel() {
    var panel = document.getElementById("span-panel");
    if (panel) panel.hidden = true;
  }

  root.addEventListener("click", function (event) {
    if (event.target.closest("[data-panel-close]")) {
      event.preventDefault();
      closePanel();
      return;
    }
    var link = event.target.closest("a[data-span-link]");
    if (link) {
      event.preventDefault();
      var id = link.dataset.spanLink;
      var mark = body.querySelector('mark[data-spans~="' + id + '"]');
      if (mark) mark.scrollIntoView({ block: "center" });
      openPanel(id, link);
      return;
    }
    var highlight = event.target.closest("mark[data-spans]");
    if (highlight && body.contains(highlight) && window.getSelection().isCollapsed) {
      // The innermost span is listed last: it is the one a click means.
      var ids = highlight.dataset.spans.split(" ");
      openPanel(ids[ids.length - 1], highlight);
    }
  });

  // A panel swapped in takes the focus, so keyboard and screen reader users land in it.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "span-panel") {
      var heading = document.getElementById("span-panel-title");
      if (heading) heading.focus();
    }
  });
})();
