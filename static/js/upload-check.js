// Checks a chosen file in the browser before it is sent: size (per file, and what is left for
// the dossier) and type, with the limits the server rendered in data- attributes from its own
// settings (applications.uploads.browser_check_attrs). Progressive enhancement: without
// JavaScript the form works the same and the server refuses what it must; with it, a 40 Mo file
// is refused at once instead of after minutes of upload. The server always checks again.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  if (!inputs.length) { return; }

  function bytesFr(n) {
    var units = [["Go", 1073741824], ["Mo", 1048576], ["Ko", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (n >= units[i][1]) {
        var value = (Math.round(n / units[i][1] * 10) / 10).toFixed(1).replace(/\.0$/, "");
        return value.replace(".", ",") + "\u00a0" + units[i][0];
      }
    }
    return n + (n > 1 ? "\u00a0octets" : "\u00a0octet");
  }

  function problem(input, file) {
    var data = input.dataset;
    var name = "« " + file.name + " »";
    var max = parseInt(data.maxBytes, 10);
    if (file.size === 0) {
      return "Le fichier " + name + " est vide : choisissez le bon fichier.";
    }
    if (file.size > max) {
      return "Le fichier " + name + " pèse " + bytesFr(file.size) + " : la taille maximale est de " +
        data.maxLabel + " par fichier. Réduisez-le (PDF compressé, photo moins lourde) ou choisissez-en un autre.";
    }
    if (data.remainingBytes && file.size > parseInt(data.remainingBytes, 10)) {
      return "Le fichier " + name + " pèse " + bytesFr(file.size) + " : il ne reste que " +
        data.remainingLabel + " pour ce dossier. Retirez un fichier déposé ou réduisez celui-ci.";
    }
    var dot = file.name.lastIndexOf(".");
    var extension = dot > 0 ? file.name.slice(dot).toLowerCase() : "";
    var extensions = (data.extensions || "").split(",");
    var types = (data.types || "").split(",");
    // A name without extension, or a known type, is left to the server (it reads the content).
    if (extension && extensions.indexOf(extension) === -1 && types.indexOf(file.type) === -1) {
      return "Le format du fichier " + name + " n'est pas accepté. Formats acceptés : " + data.typesLabel + ".";
    }
    return "";
  }

  function box(input) {
    var id = "verification-fichier";
    var found = document.getElementById(id);
    if (found && input.form && input.form.contains(found)) { return found; }
    found = document.createElement("div");
    found.id = input.id + "-verification";
    found.className = "invalid-feedback d-block";
    found.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", found);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + found.id).trim());
    return found;
  }

  function check(input) {
    var message = "";
    for (var i = 0; i < input.files.length && !message; i++) {
      message = problem(input, input.files[i]);
    }
    box(input).textContent = message;
    input.classList.toggle("is-invalid", !!message);
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return message;
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
