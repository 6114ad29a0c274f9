// Autosave of the filing journey's steps: the forms work without JavaScript ("Enregistrer");
// with it, a step is saved a moment after the applicant stops typing, and "last saved" updates.
(function () {
  "use strict";
  var status = document.getElementById("dernier-enregistrement");
  var forms = document.querySelectorAll("form[data-autosave]");
  if (!window.fetch || !forms.length) { return; }
  Array.prototype.forEach.call(forms, function (form) {
    var timer = null;
    function save() {
      var body = new FormData(form);
      body.append("save", "1");
      fetch(form.action || window.location.href, {
        method: "POST",
        body: body,
        headers: { "X-Requested-With": "autosave" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return { ok: false }; });
      }).then(function (data) {
        // Lines the page showed as new are stored now: the page names them, so that the next
        // save updates them instead of creating them again.
        Object.keys(data.ids || {}).forEach(function (name) {
          var input = form.elements[name];
          if (input) { input.value = data.ids[name]; }
        });
        if (!status) { return; }
        if (data.ok) {
          status.textContent = "Enregistré automatiquement à " + data.saved_at;
        } else if (data.partial) {
          // The valid fields and lines were saved; the faulty ones stay on the page as typed.
          status.textContent = "Enregistré automatiquement à " + data.saved_at +
            ", sauf un champ à corriger : cliquez sur « Enregistrer » pour le voir signalé.";
        } else {
          status.textContent = "Enregistrement automatique en attente : vérifiez les champs signalés en enregistrant.";
        }
      }).catch(function () {
        if (status) { status.textContent = "Enregistrement automatique impossible pour le moment : utilisez le bouton « Enregistrer »."; }
      });
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 2000);
    });
  });
})();
