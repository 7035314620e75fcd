/* Live Markdown preview for help articles in the back office.
   Each body textarea gets a pane beside it; typing posts the text to the staff-only
   preview endpoint (the same renderer as the public page) after a short pause. */
(function () {
  "use strict";
  var PREVIEW_URL = "/help/preview/";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(textarea) {
    var pane = document.createElement("div");
    pane.className = "md-preview md-live";
    pane.setAttribute("aria-live", "polite");
    var wrap = document.createElement("div");
    wrap.className = "md-editor";
    textarea.parentNode.insertBefore(wrap, textarea);
    wrap.appendChild(textarea);
    wrap.appendChild(pane);
    var timer = null;
    var seq = 0;
    function refresh() {
      var mine = ++seq;
      var body = new URLSearchParams();
      body.append("body", textarea.value);
      fetch(PREVIEW_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      }).then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { if (mine === seq) { pane.innerHTML = html; } })
        .catch(function () { pane.textContent = "Preview unavailable"; });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 350);
    });
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["id_body_zh", "id_body_en"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { attach(el); }
    });
  });
})();
