// Every failed htmx request on every page: say why, where the editor is
// looking, and keep everything they selected and typed (nothing is swapped).
//
// Where: the element that sent the request, or its nearest ancestor, names
// its error region with data-error-region="#id" (the toolbar, the span panel,
// a report); <body> names the page's own. What: a refusal's plain-text body
// (the app answers htmx refusals with text/plain), else a sentence for its
// status. An ended session (401) also offers the login in a new tab; once the
// editor has logged in there, that tab's page hands this one its new CSRF
// token, and the same request goes through when tried again.
(function () {
  "use strict";

  var LOGGED_IN_AGAIN = "You are logged in again: try once more — your selection is kept.";
  var session = "BroadcastChannel" in window ? new BroadcastChannel("sourcemark-session") : null;
  var ended = [];  // regions showing "your session ended"

  function regionFor(element) {
    var named = element && element.closest && element.closest("[data-error-region]");
    var selector = (named || document.body).getAttribute("data-error-region");
    return selector ? document.querySelector(selector) : null;
  }

  function sentenceFor(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && xhr.responseText) return xhr.responseText;
    var status = xhr.status;
    if (status === 403) return "You may not do this here (403). If you logged in again elsewhere, reload the page.";
    if (status === 404) return "This is no longer here (404): someone may have removed it. Reload the page.";
    if (status >= 500) return "The server could not do this (" + status + "). Try again, or reload the page.";
    return "The request was not accepted (" + status + "). Reload the page and try again.";
  }

  function show(region, text) {
    region.textContent = text;
  }

  function offerLogin(region, text) {
    show(region, text + " ");
    var link = document.createElement("a");
    link.href = document.body.dataset.loginUrl + "?next=" +
      encodeURIComponent(window.location.pathname + window.location.search);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Log in (opens a new tab)";
    region.appendChild(link);
    if (ended.indexOf(region) === -1) ended.push(region);
  }

  // django-htmx's DEBUG helper replaces the whole page with any 400, 403, 404
  // or 500 body. Refusals are this page's to show: they stop here, before it
  // sees them, so DEBUG's help is left for real server errors (5xx).
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) event.stopPropagation();
  }, true);

  document.addEventListener("htmx:responseError", function (event) {
    var region = regionFor(event.detail.elt);
    if (!region) return;
    var xhr = event.detail.xhr;
    if (xhr.status === 401) offerLogin(region, sentenceFor(xhr));
    else show(region, sentenceFor(xhr));
  });

  document.addEventListener("htmx:sendError", function (event) {
    var region = regionFor(event.detail.elt);
    if (region) show(region, "The server did not answer. Check the connection and try again.");
  });

  // A request that went through clears what an earlier one said there.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status < 400) {
      var region = regionFor(event.detail.elt);
      if (region) show(region, "");
    }
  });

  // --- Logged in again in another tab -------------------------------------------------

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function adoptToken(token) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.value = token;
    });
    ended.forEach(function (region) { show(region, LOGGED_IN_AGAIN); });
    ended = [];
  }

  if (session && document.body.hasAttribute("data-logged-in")) {
    // Logging in gave the session a new CSRF token: the tabs opened before need it.
    session.postMessage({ csrfToken: csrfToken() });
  }
  if (session) {
    session.addEventListener("message", function (event) {
      var token = event.data && event.data.csrfToken;
      if (typeof token === "string" && token && token !== csrfToken()) adoptToken(token);
    });
  }
})();
