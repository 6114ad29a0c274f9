// The error summary (or, without one, the error message) takes the focus when the page opens,
// so that a keyboard or screen reader user lands on what went wrong (autofocus does the same in
// the browsers that honour it).
(function () {
  "use strict";
  var target = document.getElementById("resume-erreurs") || document.getElementById("message-erreur");
  if (target && document.activeElement !== target) { target.focus(); }
})();
