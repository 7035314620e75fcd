// The one inbox, live: listens on the agents' WebSocket and re-reads the rows from the
// server whenever something changes (a new chat, a callback request, an SLA warning…).
// The server stays the source of truth; events only say "look again". The list also
// refreshes every minute, socket or not: events published by the background worker reach
// the web processes only through a shared channel layer (Redis).
(function () {
  "use strict";
  var rows = document.getElementById("inbox-rows");
  if (!rows) return;
  var status = document.querySelector("[data-live-status]");
  var toasts = document.querySelector("[data-toasts]");
  var texts = document.getElementById("inbox-messages");
  var refreshTimer = null;
  var pollTimer = null;
  var retry = 1000;

  function partialUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    return url.toString();
  }

  function refresh() {
    var before = {};
    rows.querySelectorAll("tr[data-ref]").forEach(function (tr) { before[tr.dataset.ref] = true; });
    fetch(partialUrl(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        rows.innerHTML = html;
        rows.querySelectorAll("tr[data-ref]").forEach(function (tr) {
          if (!before[tr.dataset.ref]) tr.classList.add("is-new");
        });
      })
      .catch(function () { /* the next event or poll tries again */ });
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 250);
  }

  function toast(text) {
    if (!toasts || !text) return;
    var li = document.createElement("li");
    li.textContent = text;
    toasts.appendChild(li);
    setTimeout(function () { li.remove(); }, 6000);
  }

  function showTyping(ref) {
    var tr = rows.querySelector('tr[data-kind="chat"][data-ref="' + CSS.escape(ref) + '"]');
    if (!tr) return;
    var hint = tr.querySelector(".typing-hint");
    tr.classList.add("is-typing");
    if (hint) hint.hidden = false;
    clearTimeout(tr._typingTimer);
    tr._typingTimer = setTimeout(function () {
      tr.classList.remove("is-typing");
      if (hint) hint.hidden = true;
    }, 4000);
  }

  function onEvent(event) {
    var type = event.type || "";
    if (type === "chat.typing") { showTyping(event.chat || ""); return; }
    if (type === "chat.queued") toast(texts && texts.dataset.chatQueued);
    if (type === "callback.requested") toast(texts && texts.dataset.callbackRequested);
    if (type === "sla.warning") {
      toast(texts && (event.breached ? texts.dataset.slaBreached : texts.dataset.slaWarning) +
        (event.ticket ? " " + event.ticket : ""));
    }
    refreshSoon();
  }

  function setLive(on) {
    if (!status) return;
    status.textContent = on ? status.dataset.connected : status.dataset.offline;
    status.classList.toggle("is-live", on);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + rows.dataset.socket);
    } catch (e) {
      setLive(false);
      return;
    }
    socket.onopen = function () { retry = 1000; setLive(true); refreshSoon(); };
    socket.onmessage = function (message) {
      try { onEvent(JSON.parse(message.data)); } catch (e) { /* not an event */ }
    };
    socket.onclose = function (close) {
      setLive(false);
      if (close.code === 4403 || close.code === 4401) return;  // not staff / signed out
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  setLive(false);
  pollTimer = setInterval(refresh, 60000);
  connect();
})();
