// The toolbar's offer to label the span a selection nearly matches
// (annotations/selection.py: it differs only by edge punctuation or white
// space, or shares 90 % of its characters). annotate.js announces each new
// selection with a "sourcemark:selection" event; this asks the server for the
// offer fragment (views.annotate.span_offer) and swaps its contents into the
// element marked data-span-offer. The server applies the same rule when the
// label is sent, so a slow answer changes nothing but what the toolbar says.
//
// The selection can change faster than the server answers (the keyboard's
// sentence cursor does): htmx queues the new question behind the one on its
// way, so the element stays (an inner swap: a replaced element would lose the
// queued question), and an answer to an older selection is not shown.
(function () {
  "use strict";

  var asked = "";

  document.addEventListener("sourcemark:selection", function (event) {
    var offer = event.target.querySelector("[data-span-offer]");
    if (!offer || !window.htmx) return;
    // Forget the previous selection's offer (and its "keep" tick) at once.
    offer.replaceChildren();
    asked = offer.dataset.spanOffer + "?" +
      new URLSearchParams({ start: event.detail.start, end: event.detail.end });
    window.htmx.ajax("GET", asked, {
      source: offer,
      target: offer,
      swap: "innerHTML",
      select: "[data-span-offer] > *",
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.matches || !target.matches("[data-span-offer]")) return;
    if (event.detail.pathInfo && event.detail.pathInfo.requestPath !== asked) {
      event.detail.shouldSwap = false;
    }
  });
})();
