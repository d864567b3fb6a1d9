// Each highlight is described (aria-describedby) by its spans' items in the
// side list: label, quote and who labelled it, for screen readers (aria-label
// is not allowed on <mark>). The ids are those of data-spans, so the server
// does not send them: on a 5,000-span article the attribute was 40 % of the
// page's bytes and a share of the time until it answered a selection. The
// page's highlights are described in idle time once it has loaded; those
// swapped in later (a label written, a colleague's change) at once.
window.SourcemarkDescribe = (function () {
  "use strict";

  var SLICE = 500;  // highlights per idle callback: a few milliseconds

  function describe(mark) {
    mark.setAttribute("aria-describedby",
      "span-item-" + mark.getAttribute("data-spans").split(" ").join(" span-item-"));
  }

  // Every highlight under ``root`` (an element or a fragment), at once.
  function describeAll(root) {
    var marks = root.querySelectorAll("mark[data-spans]");
    for (var i = 0; i < marks.length; i++) describe(marks[i]);
  }

  var body = document.querySelector("[data-annotate] [data-article-body]");
  if (!body) return describeAll;

  var later = window.requestIdleCallback
    ? function (fn) { return window.requestIdleCallback(fn, { timeout: 500 }); }
    : function (fn) { return window.setTimeout(fn, 1); };
  var pending = body.querySelectorAll("mark[data-spans]");
  var next = 0;
  function slice() {
    var stop = Math.min(pending.length, next + SLICE);
    for (; next < stop; next++) {
      // A paragraph swapped in since is described already; one swapped out no longer matters.
      if (!pending[next].hasAttribute("aria-describedby")) describe(pending[next]);
    }
    if (next < pending.length) later(slice);
  }
  later(slice);

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      Array.prototype.forEach.call(record.addedNodes, function (node) {
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        if (node.matches("mark[data-spans]")) describe(node);
        describeAll(node);
      });
    });
  }).observe(body, { childList: true, subtree: true });

  return describeAll;
})();
