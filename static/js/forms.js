// After an invalid submit the page opens on the error summary (focus moves there, so a
// screen reader reads it and a keyboard user starts from it); its links lead to the fields,
// a searchable picker's included. The "saved" message is put into its live region after the
// page has loaded, so that screen readers announce it.
(function () {
  "use strict";
  function ready() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        var control = target && document.getElementById(target.id + "-ts-control");
        if (control) {
          event.preventDefault();
          control.focus();
        }
      });
    }
    var status = document.querySelector(".messages[role=status]");
    if (status && status.children.length) {
      var content = Array.from(status.childNodes);
      status.replaceChildren();
      window.setTimeout(function () { status.replaceChildren.apply(status, content); }, 150);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
