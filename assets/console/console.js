// The console's enhancements; every page works without them.
// - form[data-live-search]: search as you type. The form is a plain GET form; this fetches the same URL with
//   `fragment=1` after a pause in typing and replaces the element named by data-live-search with the answer.
// - [data-refresh-seconds][data-refresh-url]: reloads that element's content from its URL every N seconds.
(function () {
  "use strict";

  function replaceFrom(url, target) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { /* keep what is shown; the plain form still works */ });
  }

  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var target = document.getElementById(form.getAttribute("data-live-search"));
    if (!target) return;
    var timer = null;
    var last = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        params.delete("after");
        params.delete("before");
        var query = params.toString();
        if (query === last) return;
        last = query;
        var page = form.getAttribute("action") + "?" + query;
        params.set("fragment", "1");
        replaceFrom(form.getAttribute("action") + "?" + params.toString(), target).then(function () {
          history.replaceState(null, "", page);
        });
      }, 250);
    });
  });

  document.querySelectorAll("[data-refresh-seconds][data-refresh-url]").forEach(function (el) {
    var seconds = parseInt(el.getAttribute("data-refresh-seconds"), 10);
    if (!(seconds > 0)) return;
    setInterval(function () {
      if (document.hidden) return;
      replaceFrom(el.getAttribute("data-refresh-url"), el);
    }, seconds * 1000);
  });
})();
