/*
 * Countdown for the support verification code page. The server gives the seconds left
 * (data-countdown-seconds), so the visitor's clock does not matter; at zero the code is
 * struck through and the page's own "expired" text (data-expired-text) is shown.
 */
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function start(box) {
    var seconds = parseInt(box.getAttribute("data-countdown-seconds"), 10);
    if (isNaN(seconds)) return;
    var clock = box.querySelector("[data-countdown-clock]");
    var ends = Date.now() + seconds * 1000;
    var card = box.closest(".support-code-card");

    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      if (clock) clock.textContent = "(" + pad(Math.floor(left / 60)) + ":" + pad(left % 60) + ")";
      if (left > 0) {
        setTimeout(tick, 1000 - ((ends - Date.now()) % 1000 + 1000) % 1000 || 1000);
        return;
      }
      box.textContent = box.getAttribute("data-expired-text") || "";
      box.classList.add("is-expired");
      if (card) card.classList.add("is-expired");
    }
    tick();
  }

  function init() {
    var boxes = document.querySelectorAll("[data-countdown-seconds]");
    for (var i = 0; i < boxes.length; i++) start(boxes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
