// The error summary takes the focus when the page opens, so that a keyboard or screen reader
// user lands on the list of errors (autofocus does the same in the browsers that honour it).
(function () {
  "use strict";
  var summary = document.getElementById("resume-erreurs");
  if (summary && document.activeElement !== summary) { summary.focus(); }
})();
