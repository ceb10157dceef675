// Every portal page's one script. Without JavaScript each page reads and works the same; this
// only helps keyboard users with what scrolls sideways on a phone.
//
// The header's navigation is one row that scrolls sideways on a phone (portal.css). Browsers
// scroll a focused link into sight only when it is wholly hidden, so Tab could stop on a link
// cut in half at the edge; this brings it fully into sight, and shows the current page's link
// when the page opens. Without JavaScript the row is scrolled by hand, and every link works.
(function () {
  "use strict";
  var nav = document.querySelector(".site-nav");
  if (!nav) {
    return;
  }
  var margin = 16;

  function reveal(link) {
    var box = link.getBoundingClientRect();
    var frame = nav.getBoundingClientRect();
    if (box.left < frame.left) {
      nav.scrollLeft -= frame.left - box.left + margin;
    } else if (box.right > frame.right) {
      nav.scrollLeft += box.right - frame.right + margin;
    }
  }

  nav.addEventListener("focusin", function (event) {
    reveal(event.target);
  });
  var current = nav.querySelector('[aria-current="page"]');
  if (current) {
    reveal(current);
  }
})();

// A table in a notice's body that is wider than the page scrolls in its own box on a phone
// (notice-body.css). A box that scrolls must take the focus, so that a keyboard can scroll it
// (WCAG 2.1.1; axe's scrollable-region-focusable). The sanitizer keeps tabindex out of stored
// bodies, so it is added here, to the tables that do scroll; each stays a table, named by its
// caption.
(function () {
  "use strict";
  var tables = document.querySelectorAll(".notice__body table");
  Array.prototype.forEach.call(tables, function (table) {
    if (table.scrollWidth > table.clientWidth && !table.hasAttribute("tabindex")) {
      table.setAttribute("tabindex", "0");
    }
  });
})();
