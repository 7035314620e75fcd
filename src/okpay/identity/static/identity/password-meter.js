/* Live password strength: asks the server (the policy's authority) as the user types.
   Markup: an <input data-password-meter> inside a <form> with a csrfmiddlewaretoken, and a
   sibling <div class="meter" data-url=... data-labels='["..",..]'> holding the bar, a label
   and a reasons list. Without JavaScript the form still works: the server checks on submit. */
(function () {
  "use strict";

  function setup(input) {
    var field = input.closest(".field");
    var meter = field && field.querySelector(".meter");
    var form = input.form;
    if (!meter || !form) { return; }
    var url = meter.getAttribute("data-url");
    var labels = JSON.parse(meter.getAttribute("data-labels") || "[]");
    var label = meter.querySelector(".meter-label");
    var reasons = meter.querySelector(".meter-reasons");
    var timer = null;
    var serial = 0;

    function show(result) {
      meter.hidden = false;
      meter.setAttribute("data-score", String(result.score));
      label.textContent = labels[result.score] || "";
      reasons.textContent = "";
      (result.reasons || []).forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason.message;
        reasons.appendChild(item);
      });
    }

    function check() {
      var value = input.value;
      if (!value) {
        meter.hidden = true;
        meter.setAttribute("data-score", "0");
        label.textContent = "";
        reasons.textContent = "";
        return;
      }
      var body = new FormData();
      body.append("password", value);
      ["email", "display_name"].forEach(function (name) {
        var other = form.elements.namedItem(name);
        if (other && other.value) { body.append(name, other.value); }
      });
      var token = form.elements.namedItem("csrfmiddlewaretoken");
      var mine = ++serial;
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (result && mine === serial) { show(result); }
      }).catch(function () { /* the server checks again on submit */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 250);
    });
  }

  document.querySelectorAll("input[data-password-meter]").forEach(setup);
})();
