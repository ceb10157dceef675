// Warns before leaving a form with changes that were not saved. Loaded from a file (the admin's
// Content-Security-Policy allows no inline script); the <script> element names the form in
// data-form, and data-unsaved="1" when the page shows a form that failed to save.
//
// Typing in the rich-text body happens in CKEditor's own frame, whose events never reach the
// form, so each editor of the form is followed through its "change" event. Another form of the
// page (a workflow button, a check's confirmation) posts without the changes: it asks first.
(function () {
  "use strict";
  var script = document.currentScript;
  var formId = script && script.dataset.form;
  var dirty = Boolean(script && script.dataset.unsaved === "1");
  var OTHER_FORM =
    "本页有尚未保存的修改，继续此操作不会保存它们（例如提交审核的是上次保存的内容）。" +
    "确定继续吗？选择“取消”可先点“保存”。";

  function markDirty() {
    dirty = true;
  }

  function followEditor(form, editor) {
    if (editor.element && editor.element.$ && editor.element.$.form === form) {
      editor.on("change", markDirty);
    }
  }

  function followEditors(form) {
    var editors = window.CKEDITOR;
    if (!editors) {
      return;
    }
    Object.keys(editors.instances).forEach(function (name) {
      followEditor(form, editors.instances[name]);
    });
    editors.on("instanceCreated", function (event) {
      followEditor(form, event.editor);
    });
  }

  function start() {
    var form = formId ? document.getElementById(formId) : null;
    if (!form) {
      return;
    }
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    followEditors(form);
    document.addEventListener("submit", function (event) {
      if (event.target === form || !dirty) {
        dirty = false;
        return;
      }
      if (window.confirm(OTHER_FORM)) {
        dirty = false;
      } else {
        event.preventDefault();
      }
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
