// Progressive enhancement only: every page works without this file.
// After a form is sent back with errors, the error summary takes the focus so a
// screen reader announces it (the autofocus attribute does it in recent browsers).
const summary = document.getElementById('resume-erreurs');
if (summary && document.activeElement !== summary) {
  summary.focus();
}
