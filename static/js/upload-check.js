// Checks a chosen file in the browser before it is sent: size (per file, and what is left for
// the dossier) and type, with the limits the server rendered in data- attributes from its own
// settings (applications.uploads.browser_check_attrs). Progressive enhancement: without
// JavaScript the form works the same and the server refuses what it must; with it, a 40 Mo file
// is refused at once instead of after minutes of upload. The server always checks again.
//
// An input that takes several files (`multiple`) lists each chosen file with its result; on
// sending, the refused ones are kept back and named to the server (hidden "refus_navigateur"
// fields), so that the accepted ones go and the page that answers reports every file. Its box
// marked data-drop-zone also takes files dragged and dropped onto it (added to the input's).
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

  function problem(input, file, before) {
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
    // `before`: the bytes of the files chosen with this one and accepted before it.
    var remaining = data.remainingBytes ? parseInt(data.remainingBytes, 10) - (before || 0) : null;
    if (remaining !== null && file.size > remaining) {
      return "Le fichier " + name + " pèse " + bytesFr(file.size) + " : il ne reste que " +
        bytesFr(Math.max(remaining, 0)) + " pour ce dossier. Retirez un fichier déposé ou réduisez celui-ci.";
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

  // [{file, message}] for each chosen file, the space left counted file after file.
  function results(input) {
    var found = [], used = 0;
    for (var i = 0; i < input.files.length; i++) {
      var message = problem(input, input.files[i], used);
      if (!message) { used += input.files[i].size; }
      found.push({ file: input.files[i], message: message });
    }
    return found;
  }

  function listChosen(input, found) {
    var list = input.form && input.form.querySelector(".chosen-files");
    if (!list) { return; }
    list.textContent = "";
    if (!input.multiple || !found.length) { return; }
    found.forEach(function (result) {
      var item = document.createElement("li");
      item.className = result.message ? "refused" : "accepted";
      item.textContent = result.message
        ? "✗ « " + result.file.name + " » : ne sera pas envoyé."
        : "✓ « " + result.file.name + " » (" + bytesFr(result.file.size) + ") : prêt à être envoyé.";
      list.appendChild(item);
    });
  }

  function check(input) {
    var found = results(input);
    var refused = found.filter(function (result) { return result.message; });
    var messages = refused.map(function (result) { return result.message; });
    if (refused.length && refused.length < found.length) {
      messages.push(refused.length === 1
        ? "Ce fichier ne sera pas envoyé ; les autres le seront."
        : "Ces " + refused.length + " fichiers ne seront pas envoyés ; les autres le seront.");
    }
    var feedback = box(input);
    feedback.textContent = "";
    messages.forEach(function (text) {
      var line = document.createElement("p");
      line.className = "mb-1";
      line.textContent = text;
      feedback.appendChild(line);
    });
    listChosen(input, found);
    // Invalid only when nothing can be sent: some accepted files still go.
    var blocked = refused.length > 0 && refused.length === found.length;
    input.classList.toggle("is-invalid", blocked);
    if (blocked) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return { blocked: blocked, found: found };
  }

  // Keeps back the refused files and names them to the server with their reason.
  function keepBackRefused(input, found) {
    var form = input.form;
    Array.prototype.forEach.call(form.querySelectorAll("input[name=refus_navigateur]"), function (old) {
      old.remove();
    });
    if (!found.some(function (result) { return result.message; })) { return; }
    var kept = new DataTransfer();
    found.forEach(function (result) {
      if (!result.message) { kept.items.add(result.file); return; }
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "refus_navigateur";
      hidden.value = result.message;
      form.appendChild(hidden);
    });
    input.files = kept.files;
  }

  function dropZone(input) {
    var zone = input.closest("[data-drop-zone]");
    if (!zone || !input.multiple || typeof DataTransfer === "undefined") { return; }
    zone.classList.add("drop-zone-ready");
    var hint = zone.querySelector(".drop-zone-hint");
    if (hint) { hint.hidden = false; }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("drop-zone-over");
      });
    });
    zone.addEventListener("dragleave", function (event) {
      if (!zone.contains(event.relatedTarget)) { zone.classList.remove("drop-zone-over"); }
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("drop-zone-over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      var all = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { all.items.add(file); });
      input.files = all.files;
      check(input);
    });
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { check(input); });
    dropZone(input);
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        var result = check(input);
        if (result.blocked) {
          event.preventDefault();
          input.focus();
        } else if (input.multiple && typeof DataTransfer !== "undefined") {
          keepBackRefused(input, result.found);
        }
      });
    }
  });
})();
