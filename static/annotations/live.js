// Live colleagues: every two seconds, ask whether the article changed since
// the revision this page shows (views/live.py answers 204, no body, when it
// did not). When it did, swap in the paragraphs and side-list items that
// differ, and keep what the editor is doing: the selection (put back by its
// offsets), the focus in the side list, the toolbar and the panel (never
// touched). While one of the editor's own requests is on its way, or the
// mouse is down in a drag, the answer waits for the next round.
(function () {
  "use strict";

  var root = document.querySelector("[data-annotate][data-live-url]");
  if (!root || !window.fetch) return;
  var INTERVAL = 2000;
  var offsets = window.SourcemarkOffsets;
  var inFlight = 0;
  var generation = 0;  // one more each time one of our own requests ends
  var mouseDown = false;
  var stopped = false;

  document.addEventListener("htmx:beforeRequest", function () { inFlight++; });
  document.addEventListener("htmx:afterRequest", function () {
    inFlight = Math.max(0, inFlight - 1);
    generation++;
  });
  document.addEventListener("mousedown", function () { mouseDown = true; });
  document.addEventListener("mouseup", function () { mouseDown = false; });

  function sameParagraph(a, b) {
    return a.dataset.start === b.dataset.start && a.dataset.end === b.dataset.end &&
      a.innerHTML === b.innerHTML;
  }

  function swapBody(fresh) {
    var body = root.querySelector("[data-article-body]");
    // Described as the page's own highlights are (describe.js), so an unchanged paragraph compares equal.
    if (window.SourcemarkDescribe) window.SourcemarkDescribe(fresh);
    var incoming = Array.prototype.slice.call(fresh.querySelectorAll("#article-body > p"));
    var current = Array.prototype.slice.call(body.querySelectorAll(":scope > p"));
    if (incoming.length !== current.length) {
      body.replaceChildren.apply(body, incoming);
      return true;
    }
    var touched = false;
    current.forEach(function (p, i) {
      if (sameParagraph(p, incoming[i])) return;
      p.replaceWith(incoming[i]);
      touched = true;
    });
    return touched;
  }

  function swapList(fresh) {
    var list = document.getElementById("span-items");
    var incoming = fresh.querySelector("#span-items");
    if (!list || !incoming || list.innerHTML === incoming.innerHTML) return;
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("[data-span-link]");
    list.innerHTML = incoming.innerHTML;
    if (window.htmx) window.htmx.process(list);  // the "Show all" link
    if (focused) {
      var again = list.querySelector('[data-span-link="' + focused.dataset.spanLink + '"]');
      (again || document.getElementById("span-list-title")).focus();
    }
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.querySelector("[data-live-revision]");
    if (!fresh) return;
    // A correction (issue 14): the offsets now point into the new text, so the toolbar
    // sends the new revision and the old selection is not put back where it no longer fits.
    var revision = document.querySelector('input[name="revision"]');
    var corrected = revision && fresh.dataset.bodyRevision &&
      revision.value !== fresh.dataset.bodyRevision;
    var kept = corrected ? null : offsets.selectionOffsets();
    if (swapBody(fresh) && kept) offsets.select(kept.start, kept.end);
    if (corrected) {
      revision.value = fresh.dataset.bodyRevision;
      var status = document.getElementById("label-status");
      if (status) status.textContent = "This article was corrected; the highlights show its new text.";
    }
    swapList(fresh);
    var count = document.getElementById("span-count");
    var freshCount = fresh.querySelector("#span-count");
    if (count && freshCount) count.textContent = freshCount.textContent;
    root.dataset.liveRevision = fresh.dataset.liveRevision;
    root.dispatchEvent(new CustomEvent("sourcemark:live", { bubbles: true }));
  }

  function poll() {
    if (stopped) return;
    if (document.hidden || inFlight || mouseDown) {
      window.setTimeout(poll, INTERVAL);
      return;
    }
    var started = generation;
    var url = root.dataset.liveUrl + "?since=" + encodeURIComponent(root.dataset.liveRevision);
    // Not sent as htmx: logged out, the answer is login_required's redirect, which is not
    // followed (no login page fetched, no error in the console); errors.js tells the editor
    // at their next write.
    window.fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 403 ||
            response.status === 404) stopped = true;
        return response.status === 200 ? response.text() : null;
      })
      .then(function (html) {
        // An answer older than one of our own writes could undo it on screen: wait for the next.
        if (html && started === generation && !inFlight && !mouseDown) apply(html);
      })
      .catch(function () { /* offline for a moment: try again next round */ })
      .then(function () { window.setTimeout(poll, INTERVAL); });
  }

  window.setTimeout(poll, INTERVAL);
})();
