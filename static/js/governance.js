// Rule governance pages: filter the NAF families as one types; follow an impact run's progress.
(function () {
  "use strict";
  document.querySelectorAll(".naf-search").forEach(function (input) {
    var list = document.getElementById(input.dataset.target);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().trim();
      list.querySelectorAll(":scope > li").forEach(function (item) {
        item.hidden = words !== "" && item.dataset.search.indexOf(words) === -1;
      });
    });
  });
  var bar = document.getElementById("impact-progression");
  if (bar && bar.dataset.statusUrl) {
    var poll = function () {
      fetch(bar.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          bar.value = data.percent;
          bar.textContent = data.percent + " %";
          if (data.status === "done" || data.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
