/*
 * The agent's chat console, live (plain JavaScript, no build step).
 *
 * Both pages listen on the agents' WebSocket /ws/support/agent/ (protocol in
 * okpay/support/consumers.py).
 * - The list (/support/agent/chats/, [data-chat-console]) reloads its board from the server
 *   whenever a chat event arrives, and shows who is typing.
 * - A chat ([data-chat-room]) watches that chat: new messages, the customer typing and the
 *   read mark appear live; the message form sends over the socket (it posts normally when
 *   the socket is down). A change of state (taken, ended, passed back) reloads the page.
 */
(function () {
  "use strict";

  var consolePage = document.querySelector("[data-chat-console]");
  var room = document.querySelector("[data-chat-room]");
  var host = consolePage || room;
  if (!host) return;

  var socket = null;
  var retry = 1000;

  function socketUrl() {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") +
      window.location.host + host.dataset.ws;
  }

  function connect(onOpen, onEvent, onClose) {
    socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () { retry = 1000; onOpen(); });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      onEvent(data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4401) { window.location.reload(); return; }  // signed out elsewhere
      onClose();
      window.setTimeout(function () { connect(onOpen, onEvent, onClose); }, retry);
      retry = Math.min(retry * 2, 15000);
    });
  }

  function send(message) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  function markTyping(container, chatId) {
    var row = container.querySelector('tr[data-chat="' + CSS.escape(chatId) + '"]');
    if (!row) return;
    var hint = row.querySelector(".typing-hint");
    row.classList.add("is-typing");
    if (hint) hint.hidden = false;
    window.clearTimeout(row._typingTimer);
    row._typingTimer = window.setTimeout(function () {
      row.classList.remove("is-typing");
      if (hint) hint.hidden = true;
    }, 4000);
  }

  // --- The list of chats ------------------------------------------------------------------

  if (consolePage) {
    var live = document.querySelector("[data-chat-live]");
    var refreshTimer = null;

    var tickWaits = function () {
      var minutes = consolePage.dataset.minutes || "%(n)s min";
      consolePage.querySelectorAll("[data-since]").forEach(function (node) {
        var since = new Date(node.getAttribute("data-since")).getTime();
        if (isNaN(since)) return;
        var n = Math.max(0, Math.floor((Date.now() - since) / 60000));
        node.textContent = minutes.replace("%(n)s", String(n));
      });
    };

    var refresh = function () {
      window.fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .querySelector("[data-chat-board]");
          var board = consolePage.querySelector("[data-chat-board]");
          if (fresh && board) board.replaceWith(fresh);
          tickWaits();
        })
        .catch(function () { /* the next event tries again */ });
    };

    connect(
      function () { if (live) live.textContent = live.dataset.connected; refresh(); },
      function (event) {
        var type = String(event.type || "");
        if (type === "chat.typing") { markTyping(consolePage, event.chat || ""); return; }
        if (type.indexOf("chat.") === 0 && type !== "chat.counts") {
          window.clearTimeout(refreshTimer);
          refreshTimer = window.setTimeout(refresh, 250);
        }
      },
      function () { if (live) live.textContent = live.dataset.offline; }
    );
    window.setInterval(tickWaits, 15000);
    return;
  }

  // --- One chat ---------------------------------------------------------------------------

  var chatId = room.dataset.chatRoom;
  var list = room.querySelector("[data-chat-messages]");
  var typingLine = room.querySelector("[data-chat-typing]");
  var note = room.querySelector("[data-chat-live-note]");
  var compose = room.querySelector("[data-chat-compose]");
  var canned = room.querySelector("[data-canned]");
  var inChat = room.dataset.inChat === "1";
  var lastId = Number(room.dataset.lastId || 0);
  var customerRead = Number(room.dataset.customerRead || 0);
  var lastCustomerMessage = 0;
  var sentRead = 0;
  var typingTimer = null;
  var lastTyping = 0;
  var pending = "";
  var reloading = false;

  function reload() {
    if (reloading) return;
    reloading = true;
    window.location.reload();
  }

  list.querySelectorAll("li[data-sender='customer']").forEach(function (li) {
    lastCustomerMessage = Math.max(lastCustomerMessage, Number(li.getAttribute("data-id")));
  });

  function when(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" :
      date.toLocaleTimeString(document.documentElement.lang || undefined,
        { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  function append(message) {
    if (list.querySelector('[data-id="' + message.id + '"]')) return;
    var item = document.createElement("li");
    item.className = "chat-message from-" + message.sender;
    item.setAttribute("data-id", message.id);
    item.setAttribute("data-sender", message.sender);
    var meta = document.createElement("span");
    meta.className = "chat-meta";
    meta.textContent = message.author + " · " + when(message.created_at);
    var body = document.createElement("span");
    body.className = "chat-text";
    body.textContent = message.body;
    item.appendChild(meta);
    item.appendChild(body);
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    lastId = Math.max(lastId, message.id);
    if (message.sender === "customer") {
      lastCustomerMessage = Math.max(lastCustomerMessage, message.id);
      typingLine.hidden = true;
    }
  }

  function renderRead() {
    list.querySelectorAll(".chat-read").forEach(function (node) { node.remove(); });
    var own = list.querySelectorAll('li[data-sender="agent"]');
    for (var i = own.length - 1; i >= 0; i--) {
      if (Number(own[i].getAttribute("data-id")) <= customerRead) {
        var mark = document.createElement("span");
        mark.className = "chat-read";
        mark.textContent = room.dataset.read;
        own[i].appendChild(mark);
        return;
      }
    }
  }

  function markRead() {
    if (!inChat || document.visibilityState !== "visible") return;
    if (lastCustomerMessage > sentRead && send({ action: "read", chat: chatId, message_id: lastCustomerMessage })) {
      sentRead = lastCustomerMessage;
    }
  }

  function showTyping() {
    typingLine.textContent = room.dataset.typing;
    typingLine.hidden = false;
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { typingLine.hidden = true; }, 4000);
  }

  function showError(event) {
    var slot = compose && compose.querySelector('[data-field-error="body"]');
    if (event.action === "send" && pending && compose) {
      compose.querySelector("textarea").value = pending;
      pending = "";
    }
    if (slot) {
      slot.textContent = event.message;
      slot.hidden = false;
    } else if (note) {
      note.textContent = event.message;
      note.hidden = false;
    }
  }

  // Times in the viewer's own time zone, like the messages that arrive live.
  list.querySelectorAll("time[datetime]").forEach(function (node) {
    var text = when(node.getAttribute("datetime"));
    if (text) node.textContent = text;
  });
  list.scrollTop = list.scrollHeight;
  renderRead();

  connect(
    function () {
      if (note) note.hidden = true;
      send({ action: "watch", chat: chatId, after: lastId });
    },
    function (event) {
      if (event.type === "error") { showError(event); return; }
      var about = event.type === "chat.state" && event.chat ? event.chat.id : event.chat;
      if (about !== chatId) return;
      if (event.type === "chat.state") {
        (event.messages || []).forEach(append);
        customerRead = Math.max(customerRead, event.chat && event.chat.customer_read_id || 0);
        if (event.chat && event.chat.status !== room.dataset.status) reload();
        renderRead();
        markRead();
      } else if (event.type === "chat.message" && event.message) {
        append(event.message);
        renderRead();
        markRead();
      } else if (event.type === "chat.typing" && event.sender !== "agent") {
        showTyping();
      } else if (event.type === "chat.read" && event.reader === "customer") {
        customerRead = Math.max(customerRead, event.message_id);
        renderRead();
      } else if (["chat.accepted", "chat.ended", "chat.missed", "chat.requeued", "chat.queued", "chat.verified"].indexOf(event.type) >= 0) {
        reload();
      }
    },
    function () {
      if (note) { note.textContent = room.dataset.reconnecting; note.hidden = false; }
    }
  );

  document.addEventListener("visibilitychange", markRead);

  if (compose) {
    var field = compose.querySelector("textarea");
    compose.addEventListener("submit", function (event) {
      var body = field.value.trim();
      if (!body) { event.preventDefault(); return; }
      if (send({ action: "send", chat: chatId, body: body })) {
        event.preventDefault();
        pending = body;
        field.value = "";
        var slot = compose.querySelector('[data-field-error="body"]');
        if (slot) slot.hidden = true;
      }
      // Without a socket the form posts to the server as a plain form.
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        if (typeof compose.requestSubmit === "function") compose.requestSubmit();
        else compose.submit();
      }
    });
    field.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 1500) {
        lastTyping = now;
        send({ action: "typing", chat: chatId });
      }
    });
    if (canned) {
      canned.addEventListener("change", function () {
        if (canned.value) { field.value = canned.value; field.focus(); }
      });
    }
  }
})();
