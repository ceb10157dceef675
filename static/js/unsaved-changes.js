// Warns before leaving a form with changes that were not saved. Loaded from a file (the admin's
// Content-Security-Policy allows no inline script); the <script> element names the form in
// data-form, and data-unsaved="1" when the page shows a form that failed to save.
(function () {
  "use strict";
  var script = document.currentScript;
  var formId = script && script.dataset.form;
  var dirty = Boolean(script && script.dataset.unsaved === "1");

  function start() {
    var form = formId ? document.getElementById(formId) : null;
    if (!form) {
      return;
    }
    var markDirty = function () {
      dirty = true;
    };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    // Leaving by saving (or by a workflow button's own form) is not losing anything.
    document.addEventListener("submit", function () {
      dirty = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) {
        return undefined;
      }
      event.preventDefault();
      // Browsers show their own wording; older ones want a returnValue.
      event.returnValue = "您有尚未保存的修改，确定要离开吗？";
      return event.returnValue;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
