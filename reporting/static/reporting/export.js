// While an export is being written, the status block is fetched again every two seconds (the
// page itself works without JavaScript: « Actualiser la progression »).
(function () {
  "use strict";
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("export-etat");
        var current = document.getElementById("export-etat");
        if (!next || !current) { return; }
        current.replaceWith(next);
        if (next.dataset.running === "1") { window.setTimeout(refresh, 2000); }
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 2000);
})();
