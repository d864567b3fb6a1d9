// The toolbar's offer to label the span a selection nearly matches
// (annotations/selection.py: it differs only by edge punctuation or white
// space, or shares 90 % of its characters). annotate.js announces each new
// selection with a "sourcemark:selection" event; this asks the server for the
// offer fragment (views.annotate.span_offer) and swaps it into the element
// marked data-span-offer. The server applies the same rule when the label is
// sent, so a slow answer changes nothing but what the toolbar says.
(function () {
  "use strict";

  document.addEventListener("sourcemark:selection", function (event) {
    var offer = event.target.querySelector("[data-span-offer]");
    if (!offer || !window.htmx) return;
    // Forget the previous selection's offer (and its "keep" tick) at once.
    offer.replaceChildren();
    var query = new URLSearchParams({ start: event.detail.start, end: event.detail.end });
    window.htmx.ajax("GET", offer.dataset.spanOffer + "?" + query, {
      source: offer,
      target: offer,
      swap: "outerHTML",
    });
  });
})();
