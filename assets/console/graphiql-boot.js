// Starts the vendored GraphiQL against this hub: queries to /graphql, subscriptions over /graphql/ws, both on the
// page's own origin. (Was an inline script; the page's content security policy allows scripts from 'self' only.)
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  function endpoint(path, socket) {
    var url = new URL(path, window.location.origin);
    if (socket) url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }
  var fetcher = GraphiQL.createFetcher({
    url: endpoint(root.getAttribute("data-endpoint"), false),
    subscriptionUrl: endpoint(root.getAttribute("data-subscription-endpoint"), true),
    fetch: function (url, opts) { return fetch(url, Object.assign({}, opts, { credentials: "same-origin" })); },
  });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
