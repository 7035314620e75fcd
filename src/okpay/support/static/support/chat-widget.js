/*
 * The customer's live-chat widget (plain JavaScript, no build step).
 *
 * Markup: support/chat/_widget_body.html. The conversation runs over the WebSocket
 * /ws/support/chat/ (protocol in okpay/support/consumers.py); the server is the record:
 * after a reconnect it sends the whole conversation again. Texts come from the page
 * (#chat-widget-texts) in its language. Messages go through the sensitive-data warning
 * (sensitive-warning.js) like the ticket forms: a message that looks like a card number,
 * ID number or password is held back until the customer confirms.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-chat-widget]");
  if (!root) return;

  var inline = root.hasAttribute("data-inline");
  var panel = root.querySelector("[data-chat-panel]");
  var launcher = root.querySelector("[data-chat-launcher]");
  var closeButton = root.querySelector("[data-chat-close]");
  var dot = root.querySelector("[data-chat-dot]");
  var STORE = "okpay.chat";

  function stored() {
    try { return JSON.parse(window.sessionStorage.getItem(STORE) || "{}") || {}; }
    catch (e) { return {}; }
  }

  function remember(patch) {
    var value = stored();
    Object.keys(patch).forEach(function (key) { value[key] = patch[key]; });
    try { window.sessionStorage.setItem(STORE, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  function isOpen() { return inline || !panel.hidden; }

  function openPanel() {
    panel.hidden = false;
    if (launcher) { launcher.setAttribute("aria-expanded", "true"); launcher.hidden = true; }
    if (dot) dot.hidden = true;
    remember({ open: true });
    if (typeof connect === "function" && root.dataset.ws) connect();
    markRead();
    var field = panel.querySelector("textarea:not([hidden]), select, a.button");
    if (field && !inline) field.focus();
  }

  function closePanel() {
    panel.hidden = true;
    if (launcher) { launcher.hidden = false; launcher.setAttribute("aria-expanded", "false"); launcher.focus(); }
    remember({ open: false });
  }

  if (launcher) launcher.addEventListener("click", function () { if (isOpen()) closePanel(); else openPanel(); });
  if (closeButton) closeButton.addEventListener("click", closePanel);

  if (!root.dataset.ws) {
    // A guest: the panel only says how to sign in or open a ticket.
    if (stored().open && !inline) openPanel();
    return;
  }

  if (!window.OkpaySensitive && root.dataset.sensitiveJs) {
    var script = document.createElement("script");
    script.src = root.dataset.sensitiveJs;
    document.head.appendChild(script);
  }

  var textsNode = document.getElementById("chat-widget-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};
  var lang = root.dataset.lang || "zh-hans";
  var locale = lang === "en" ? "en-GB" : "zh-CN";

  var statusLine = root.querySelector("[data-chat-status]");
  var startForm = root.querySelector("[data-chat-start]");
  var availability = root.querySelector("[data-chat-availability]");
  var suggest = root.querySelector("[data-chat-suggest]");
  var conversation = root.querySelector("[data-chat-conversation]");
  var list = root.querySelector("[data-chat-messages]");
  var typingLine = root.querySelector("[data-chat-typing]");
  var compose = root.querySelector("[data-chat-compose]");
  var endButton = root.querySelector("[data-chat-end]");
  var after = root.querySelector("[data-chat-after]");
  var result = root.querySelector("[data-chat-result]");
  var ticketLink = root.querySelector("[data-chat-ticket]");
  var newButton = root.querySelector("[data-chat-new]");

  var socket = null;
  var retry = 1000;
  var chat = null;
  var agentRead = 0;
  var lastAgentMessage = 0;
  var sentRead = 0;
  var pending = "";
  var typingTimer = null;
  var lastTyping = 0;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function when(iso, withDate) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return withDate
      ? date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" })
      : date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  // --- Socket -----------------------------------------------------------------------------

  function socketUrl() {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") +
      window.location.host + root.dataset.ws;
  }

  function connect() {
    if (socket && socket.readyState <= 1) return;
    socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      retry = 1000;
      root.classList.add("is-live");
      renderStatus();
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handle(data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      root.classList.remove("is-live");
      if (event.code === 4401) { window.location.reload(); return; }  // signed out elsewhere
      setStatus(texts.reconnecting);
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
  }

  function send(message) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify(message));
      return true;
    }
    setStatus(texts.reconnecting);
    connect();
    return false;
  }

  // --- Showing things ---------------------------------------------------------------------

  function setStatus(text) { statusLine.textContent = text || ""; }

  function renderStatus() {
    if (!chat) { setStatus(""); return; }
    if (chat.status === "queued") {
      var position = chat.queue_position || 1;
      setStatus(position <= 1 ? texts.queue_next : fmt(texts.queue, { n: position }));
    } else if (chat.status === "active") {
      setStatus(fmt(texts.active, { name: chat.agent_name || texts.agent }));
    } else {
      setStatus("");
    }
  }

  function showStart() {
    startForm.hidden = false;
    conversation.hidden = true;
  }

  function showConversation() {
    startForm.hidden = true;
    conversation.hidden = false;
    var open = chat && (chat.status === "queued" || chat.status === "active");
    compose.hidden = !open;
    after.hidden = open;
    if (!open) showResult();
  }

  function showResult() {
    var text;
    if (chat.status === "missed") {
      text = chat.ticket_due
        ? fmt(texts.missed_due, { n: chat.ticket, due: when(chat.ticket_due, true) })
        : fmt(texts.missed, { n: chat.ticket });
    } else {
      text = texts.ended + (chat.ticket ? " " + fmt(texts.saved, { n: chat.ticket }) : "");
    }
    result.textContent = text;
    if (chat.ticket_url) {
      ticketLink.href = chat.ticket_url;
      ticketLink.hidden = false;
    } else {
      ticketLink.hidden = true;
    }
    typingLine.hidden = true;
    setStatus("");
  }

  function append(message) {
    if (list.querySelector('[data-id="' + message.id + '"]')) return;
    var own = message.sender === "customer";
    var item = document.createElement("li");
    item.className = "chat-message from-" + message.sender + (own ? " is-own" : "");
    item.setAttribute("data-id", message.id);
    item.setAttribute("data-sender", message.sender);
    var meta = document.createElement("span");
    meta.className = "chat-meta";
    meta.textContent = (own ? texts.you : message.author) + " · " + when(message.created_at, false);
    var body = document.createElement("span");
    body.className = "chat-text";
    body.textContent = message.body;
    item.appendChild(meta);
    item.appendChild(body);
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    if (message.sender === "agent") {
      lastAgentMessage = Math.max(lastAgentMessage, message.id);
      typingLine.hidden = true;
    }
  }

  function renderRead() {
    list.querySelectorAll(".chat-read").forEach(function (node) { node.remove(); });
    var own = list.querySelectorAll('li[data-sender="customer"]');
    for (var i = own.length - 1; i >= 0; i--) {
      if (Number(own[i].getAttribute("data-id")) <= agentRead) {
        var mark = document.createElement("span");
        mark.className = "chat-read";
        mark.textContent = texts.read;
        own[i].appendChild(mark);
        return;
      }
    }
  }

  function markRead() {
    if (!chat || !isOpen() || document.visibilityState !== "visible") return;
    if (lastAgentMessage > sentRead && send({ action: "read", message_id: lastAgentMessage })) {
      sentRead = lastAgentMessage;
    }
  }

  function showTyping() {
    typingLine.textContent = fmt(texts.typing, { name: (chat && chat.agent_name) || texts.agent });
    typingLine.hidden = false;
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { typingLine.hidden = true; }, 4000);
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field-error]").forEach(function (node) {
      node.hidden = true;
      node.textContent = "";
    });
  }

  function showError(event) {
    if (event.action === "resume") {
      // The remembered chat is not this customer's (another account signed in): forget it.
      remember({ id: null });
      if (!chat) showStart();
      return;
    }
    if (event.code === "chat_already_open" && event.details && event.details.chat) {
      send({ action: "resume", chat: event.details.chat });
      return;
    }
    var form = !conversation.hidden && !compose.hidden ? compose : startForm;
    var slot = form.querySelector('[data-field-error="' + (event.field || "") + '"]') ||
      form.querySelector('[data-field-error="body"]');
    if (event.action === "send" && pending) {
      compose.querySelector("textarea").value = pending;
      pending = "";
    }
    if (slot) {
      slot.textContent = event.message || texts.error;
      slot.hidden = false;
    } else {
      setStatus(event.message || texts.error);
    }
  }

  function showAvailability(event) {
    var text = "";
    if (!event.available) {
      if (event.reason === "closed") {
        text = event.hours ? fmt(texts.closed_now, { hours: event.hours }) : texts.closed_now_plain;
      } else {
        text = texts.no_agents;
      }
      text += " " + texts.offline_hint;
    } else if (event.hours) {
      text = fmt(texts.hours, { hours: event.hours });
    }
    availability.textContent = text;
    availability.hidden = !text;
  }

  // --- Events from the server -------------------------------------------------------------

  function setChat(data, messages) {
    var changed = !chat || chat.id !== data.id;
    chat = data;
    remember({ id: chat.id });
    if (changed) {
      list.innerHTML = "";
      lastAgentMessage = 0;
      sentRead = 0;
    }
    agentRead = chat.agent_read_id || 0;
    (messages || []).forEach(append);
    renderRead();
    showConversation();
    renderStatus();
    markRead();
  }

  function handle(event) {
    var type = event.type;
    if (type === "error") { showError(event); return; }
    if (type === "chat.hello") {
      showAvailability(event);
      var previous = stored().id;
      if (previous && !chat) { send({ action: "resume", chat: previous }); return; }
      if (!chat) showStart();
      return;
    }
    if (type === "chat.state") { setChat(event.chat, event.messages); return; }
    if (!chat || event.chat !== chat.id) return;
    if (type === "chat.message") {
      append(event.message);
      renderRead();
      if (event.message.sender === "agent") {
        if (isOpen()) markRead();
        else if (dot) dot.hidden = false;
      }
    } else if (type === "chat.queue") {
      chat.queue_position = event.position;
      renderStatus();
    } else if (type === "chat.accepted") {
      chat.status = "active";
      chat.agent_name = event.agent_name;
      renderStatus();
    } else if (type === "chat.requeued") {
      chat.status = "queued";
      chat.agent_name = null;
      renderStatus();
    } else if (type === "chat.typing") {
      if (event.sender === "agent") showTyping();
    } else if (type === "chat.read") {
      if (event.reader === "agent") {
        agentRead = Math.max(agentRead, event.message_id);
        renderRead();
      }
    } else if (type === "chat.verified") {
      chat.verified = true;
    } else if (type === "chat.ended" || type === "chat.missed") {
      chat.status = type === "chat.ended" ? "ended" : "missed";
      chat.ticket = event.ticket;
      chat.ticket_url = event.ticket_url;
      if (event.ticket_due !== undefined) chat.ticket_due = event.ticket_due;
      showConversation();
    }
  }

  // --- What the customer does -------------------------------------------------------------

  startForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors(startForm);
    send({
      action: "start",
      topic: startForm.elements.topic.value,
      transaction: startForm.elements.transaction.value,
      body: startForm.elements.body.value
    });
  });

  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors(compose);
    var field = compose.querySelector("textarea");
    var body = field.value.trim();
    if (!body) return;
    if (send({ action: "send", body: body })) {
      pending = body;
      field.value = "";
      var warning = field._okpaySensitiveBox;
      if (warning) warning.hidden = true;
    }
  });

  compose.querySelector("textarea").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (typeof compose.requestSubmit === "function") compose.requestSubmit();
      else compose.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  compose.querySelector("textarea").addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 1500) {
      lastTyping = now;
      send({ action: "typing" });
    }
  });

  endButton.addEventListener("click", function () {
    if (window.confirm(texts.end_confirm)) send({ action: "end" });
  });

  newButton.addEventListener("click", function () {
    chat = null;
    remember({ id: null });
    list.innerHTML = "";
    startForm.reset();
    clearErrors(startForm);
    if (suggest) suggest.hidden = true;
    setStatus("");
    showStart();
  });

  // Help-center articles while the customer writes the first message.
  var suggestTimer = null;
  var lastQuery = "";
  startForm.elements.body.addEventListener("input", function () {
    window.clearTimeout(suggestTimer);
    suggestTimer = window.setTimeout(function () {
      var query = startForm.elements.body.value.trim().slice(0, 200);
      if (query.length < 2) { suggest.hidden = true; lastQuery = ""; return; }
      if (query === lastQuery) return;
      lastQuery = query;
      var url = root.dataset.articles + "?limit=3&language=" + encodeURIComponent(lang) +
        "&q=" + encodeURIComponent(query);
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (query !== lastQuery) return;
          var items = suggest.querySelector("ul");
          items.innerHTML = "";
          (data.results || []).forEach(function (article) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = article.url;
            link.target = "_blank";
            link.rel = "noopener";
            link.textContent = article.title;
            li.appendChild(link);
            items.appendChild(li);
          });
          suggest.hidden = !items.children.length;
        })
        .catch(function () { suggest.hidden = true; });
    }, 400);
  });

  document.addEventListener("visibilitychange", markRead);

  // --- Start ------------------------------------------------------------------------------

  var saved = stored();
  if (inline || saved.open) openPanel();
  else if (saved.id) connect();
})();
