// Progressive enhancement of long lists: a <select multiple data-picker> becomes a
// searchable picker (Tom Select, from npm). Without JavaScript the plain list still works.
// Texts come from the page's data-* attributes (translated by Django); no inline script.
(function () {
  "use strict";
  if (typeof TomSelect === "undefined") return;
  document.querySelectorAll("select[data-picker]").forEach(function (select) {
    if (select.disabled) return;
    var max = parseInt(select.dataset.maxItems || "", 10) || null;
    var label = document.querySelector('label[for="' + select.id + '"]');  // before Tom Select moves it
    var status = document.createElement("p");
    status.className = "help picker-status";
    status.id = select.id + "-status";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(status, select.nextSibling);
    var picker = new TomSelect(select, {
      plugins: ["remove_button"],
      maxItems: max,
      maxOptions: null,  // every match, not the first 50
      closeAfterSelect: false,
      hidePlaceholder: true,
      placeholder: select.dataset.placeholder || "",
      searchField: ["text"],
      render: {
        no_results: function (data, escape) {
          return '<div class="no-results">' + escape(select.dataset.noResults || "") + "</div>";
        },
      },
    });
    function say() {
      status.textContent = max && picker.isFull() ? select.dataset.maxMessage || "" : "";
    }
    picker.on("change", say);
    say();
    // The label points at the original select; send it to the search box instead, and keep
    // naming the (visually hidden) select by it, which assistive technology still meets.
    if (label) {
      label.id = label.id || select.id + "-label";
      select.setAttribute("aria-labelledby", label.id);
      picker.control_input.setAttribute("aria-labelledby", label.id);
      if (picker.control_input.id) label.htmlFor = picker.control_input.id;
    }
  });
})();
