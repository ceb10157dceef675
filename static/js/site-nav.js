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
