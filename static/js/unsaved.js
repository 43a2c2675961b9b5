// Leaving a form with changes that are not saved asks first (the browser's own question).
// A form shown again after an error (data-warn-unsaved="unsaved") holds typed values that
// are not saved yet; any other form warns once its values differ from those it loaded with.
(function () {
  "use strict";
  function snapshot(form) {
    return JSON.stringify(Array.from(new FormData(form).entries()).filter(function (pair) {
      return pair[0] !== "csrfmiddlewaretoken";
    }));
  }
  var forms = Array.from(document.querySelectorAll("form[data-warn-unsaved]")).map(function (form) {
    var entry = { form: form, initial: snapshot(form), submitting: false };
    form.addEventListener("submit", function () { entry.submitting = true; });
    return entry;
  });
  if (!forms.length) return;
  window.addEventListener("beforeunload", function (event) {
    var unsaved = forms.some(function (entry) {
      if (entry.submitting) return false;
      return entry.form.dataset.warnUnsaved === "unsaved" || snapshot(entry.form) !== entry.initial;
    });
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });
  // Coming back through the browser's cache: the form is as it was; start afresh.
  window.addEventListener("pageshow", function () {
    forms.forEach(function (entry) { entry.submitting = false; });
  });
})();
