// 依申请公开: the guide shown follows the organ chosen, in the picker above it or in the form,
// without leaving the page or losing what was typed. Without JavaScript the picker's button
// loads the page for that organ (?organ=), which shows its guide and starts the form with it.
(function () {
  "use strict";
  var picker = document.querySelector("[data-guide-picker]");
  var guide = document.getElementById("apply-guide");
  if (!picker || !guide || !window.fetch || !window.DOMParser) {
    return;
  }
  var pickerSelect = picker.querySelector("select");
  var formOrgan = document.getElementById("id_organ");
  var latest = "";

  function show(organId) {
    var url = picker.getAttribute("action") + (organId ? "?organ=" + encodeURIComponent(organId) : "");
    latest = url;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        if (latest !== url) {
          return; // a later choice is on its way
        }
        var found = new DOMParser().parseFromString(html, "text/html").getElementById("apply-guide");
        if (found) {
          var nodes = Array.prototype.map.call(found.childNodes, function (node) {
            return document.importNode(node, true);
          });
          guide.replaceChildren.apply(guide, nodes);
          window.history.replaceState(null, "", url);
        }
      })
      .catch(function () {
        // The guide stays as it was; the picker's button still loads the organ's page.
      });
  }

  function choose(organId) {
    pickerSelect.value = organId;
    if (formOrgan) {
      formOrgan.value = organId;
    }
    show(organId);
  }

  picker.addEventListener("submit", function (event) {
    event.preventDefault();
    choose(pickerSelect.value);
  });
  pickerSelect.addEventListener("change", function () {
    choose(pickerSelect.value);
  });
  if (formOrgan) {
    formOrgan.addEventListener("change", function () {
      choose(formOrgan.value);
    });
  }
})();
