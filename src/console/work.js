// The console's signed-in pages, enhanced. Every page works without this script; it only adds:
// - copy buttons: <button data-copy="ID"> copies the text of the element ID;
// - live updates: <section data-refresh-url="URL" data-live-url="SSE-URL"> reloads its content from URL each time the
//   server-sent event stream at SSE-URL sends a `change` event.
// (Timed refreshes are the console's own script's: data-refresh-seconds.)
// Same origin only, no inline script: the console's content security policy allows nothing else.
(function () {
  "use strict";

  function refresh(region) {
    var url = region.getAttribute("data-refresh-url");
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        region.innerHTML = html;
        region.setAttribute("aria-busy", "false");
      })
      .catch(function () { region.setAttribute("data-stale", "true"); });
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(source.textContent).then(function () {
        var done = button.getAttribute("data-copied");
        if (done) { button.textContent = done; }
      });
    });
  });

  document.querySelectorAll("[data-refresh-url][data-live-url]").forEach(function (region) {
    if (!window.EventSource) { return; }
    var source = new EventSource(region.getAttribute("data-live-url"));
    source.addEventListener("change", function () { refresh(region); });
  });
})();
