// Refusals are part of the page. The server answers a refused request (bad input, a stale id,
// a limit) with a status that says so and a fragment that shows the message in place, marked
// by HX-Retarget. htmx does not swap 4xx/5xx answers by default, and with DEBUG on
// django-htmx's error handler would replace the whole document with them: a marked answer is
// swapped where it says and never reaches that handler. Unmarked errors (a crash, a real 404)
// keep htmx's and django-htmx's handling.

const isDesignedRefusal = (xhr) => xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget") !== null;

// Listeners on <body> run before django-htmx's on the document.
document.body.addEventListener("htmx:beforeOnLoad", (event) => {
  if (isDesignedRefusal(event.detail.xhr)) event.stopPropagation();
});

document.body.addEventListener("htmx:beforeSwap", (event) => {
  if (!isDesignedRefusal(event.detail.xhr)) return;
  event.detail.shouldSwap = true;
  event.detail.isError = false;
});
