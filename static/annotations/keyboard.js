// Labelling without a mouse. "Label with keyboard" (data-keyboard-toggle)
// puts the focus on the article body; there ↓/↑ select the next or previous
// sentence and Shift+↓/↑ make the selection a sentence longer or shorter.
// annotate.js then opens the toolbar as for any selection, where 1/2/3 label
// it; Enter opens the panel of the highlight under the selection, or moves
// to the toolbar's note when there is none. Sentences are the browser's
// (Intl.Segmenter, granularity "sentence"), per paragraph.
//
// For every page with highlights: the status region (role=status) says what
// was saved or removed, and when a change hides or replaces the focused
// element (the toolbar closing, the panel after a removal) the focus goes
// to the article body or the list of highlights, never to <body>.
(function () {
  "use strict";

  var root = document.querySelector("[data-annotate]");
  if (!root) return;
  var body = root.querySelector("[data-article-body]");
  var toggle = root.querySelector("[data-keyboard-toggle]");
  var status = document.getElementById("label-status");
  var offsets = window.SourcemarkOffsets;
  var on = false;
  var sentences = [];
  var first = -1;
  var last = -1;

  function say(text) {
    if (!status) return;
    // Emptied first: the same sentence twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // --- Sentences -------------------------------------------------------------

  function findSentences() {
    var segmenter = new Intl.Segmenter(document.documentElement.lang || undefined,
      { granularity: "sentence" });
    var found = [];
    offsets.paragraphs().forEach(function (p) {
      var at = Number(p.dataset.start);
      Array.from(segmenter.segment(p.textContent)).forEach(function (part) {
        var chars = Array.from(part.segment);
        var head = 0;
        var tail = chars.length;
        while (head < tail && /\s/.test(chars[head])) head++;
        while (tail > head && /\s/.test(chars[tail - 1])) tail--;
        if (head < tail) found.push([at + head, at + tail]);
        at += chars.length;
      });
    });
    return found;
  }

  function showSentences() {
    var range = offsets.select(sentences[first][0], sentences[last][1]);
    if (!range) return;
    var box = range.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      range.startContainer.parentElement.scrollIntoView({ block: "center" });
    }
  }

  // The sentence holding the selection's start, or the first one.
  function sentenceAtSelection() {
    var kept = offsets.selectionOffsets();
    if (!kept) return -1;
    for (var i = 0; i < sentences.length; i++) {
      if (sentences[i][1] > kept.start) return i;
    }
    return sentences.length - 1;
  }

  function setMode(value) {
    on = value;
    if (toggle) toggle.setAttribute("aria-pressed", on ? "true" : "false");
    root.classList.toggle("keyboard-mode", on);
    if (!on) {
      body.removeAttribute("tabindex");
      return;
    }
    sentences = findSentences();
    body.setAttribute("tabindex", "-1");
    body.focus({ preventScroll: true });
    if (!sentences.length) return;
    first = last = Math.max(0, sentenceAtSelection());
    showSentences();
    say("Sentence " + (first + 1) + " of " + sentences.length + " selected.");
  }

  function move(step, extend) {
    if (!sentences.length) return;
    if (extend) {
      last = Math.min(sentences.length - 1, Math.max(first, last + step));
    } else {
      first = last = Math.min(sentences.length - 1, Math.max(0, (step > 0 ? last : first) + step));
    }
    showSentences();
  }

  function openPanelOrNote() {
    var kept = offsets.selectionOffsets();
    var start = kept ? kept.start : (first >= 0 ? sentences[first][0] : null);
    var point = start === null ? null : offsets.pointAt(start, false);
    var mark = point && (point.node.nodeType === Node.ELEMENT_NODE ? point.node : point.node.parentElement)
      .closest("mark[data-spans]");
    if (mark && window.htmx) {
      var ids = mark.dataset.spans.split(" ");
      window.htmx.ajax("GET", root.dataset.spanUrl + ids[ids.length - 1] + "/", {
        source: mark, target: "#span-panel", swap: "outerHTML",
      });
      return;
    }
    var note = document.querySelector("#label-toolbar:not([hidden]) [name=note]");
    if (note) note.focus();
  }

  if (toggle) {
    toggle.addEventListener("click", function () { setMode(!on); });
  }

  body.addEventListener("keydown", function (event) {
    if (!on || event.target !== body || event.ctrlKey || event.metaKey || event.altKey) return;
    var step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (step) {
      event.preventDefault();
      move(step, event.shiftKey);
    } else if (event.key === "Enter") {
      event.preventDefault();
      openPanelOrNote();
    }
  });

  // --- What was saved, said aloud ----------------------------------------

  // The label's name as the button reads it aloud: without the toolbar's key
  // (an aria-hidden <kbd>), so "Official claim", not "2 Official claim".
  function kindName(form, kind) {
    var button = form.querySelector('button[name="kind"][value="' + kind + '"]');
    if (!button) return kind;
    return Array.prototype.filter.call(button.childNodes, function (node) {
      return !(node.nodeType === Node.ELEMENT_NODE && node.getAttribute("aria-hidden") === "true");
    }).map(function (node) { return node.textContent; }).join("").trim();
  }

  // Before the swap: the form that sent a removal goes with the panel it was in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    var action = (form && form.getAttribute && form.getAttribute("hx-post")) || "";
    if (!/\/labels\//.test(action) || event.detail.xhr.status >= 300) return;  // errors.js says why
    var data = event.detail.requestConfig && event.detail.requestConfig.formData;
    var kind = data && data.get ? data.get("kind") : "";
    if (/\/remove\/$/.test(action)) {
      say("Your label was removed.");
    } else if (kind) {
      var quote = (data.get("quote") || "").slice(0, 80);
      say("Saved: " + kindName(form, kind) + (quote ? " for “" + quote + "”." : "."));
    }
  });

  // --- The focus stays on the page ---------------------------------------

  // Where the focus goes when what held it was hidden or replaced.
  function landing() {
    if (on) return body;
    var panel = document.getElementById("span-panel");
    var heading = document.getElementById("span-panel-title");
    if (panel && !panel.hidden && heading) return heading;
    var list = document.getElementById("span-list-title");
    if (list) list.setAttribute("tabindex", "-1");
    return list;
  }

  function rescue() {
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    var target = landing();
    if (target) target.focus({ preventScroll: true });
  }

  document.addEventListener("focusout", function (event) {
    var leaving = event.target;
    // A click elsewhere moves the focus on purpose; only an element hidden or gone loses it.
    window.setTimeout(function () {
      if (leaving.isConnected && leaving.checkVisibility && leaving.checkVisibility()) return;
      rescue();
    }, 0);
  });
  document.addEventListener("htmx:afterSettle", function () {
    window.setTimeout(function () {
      // The cursor stays where it was, visible again once the label is on the page.
      if (on && first >= 0 && document.activeElement === body &&
          !offsets.selectionOffsets()) showSentences();
      rescue();
    }, 0);
  });
})();
