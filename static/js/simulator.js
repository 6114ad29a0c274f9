// Live update of the simulator's results: the form works without JavaScript; with it, the
// results refresh as the visitor types (debounced), announced politely to screen readers.
(function () {
  "use strict";
  var form = document.getElementById("simulateur");
  var results = document.getElementById("resultats");
  if (!form || !results || !window.fetch) { return; }
  var timer = null;
  var pending = null;

  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.liveUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { results.innerHTML = html; }
    }).catch(function () { /* keep the last results; the submit button still works */ });
  }

  function schedule(event) {
    if (event.target && event.target.name === "csrfmiddlewaretoken") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
