/*
 * Sensitive-data warning for support messages.
 *
 * Mark a textarea with `data-sensitive-warning`. While the customer types, and again when
 * the form is sent, the text is checked with the rules of okpay/support/masking.py:
 *   - card numbers: 13-19 digits (spaces or dashes allowed) with a card network's prefix
 *     that pass the Luhn check;
 *   - Chinese resident ID numbers: province code, real birth date, MOD 11-2 check character;
 *   - IBANs: country letters, check digits and the ISO 7064 mod-97 check;
 *   - codes and passwords typed after words such as 密码, 验证码, password, OTP or PIN.
 * When something is found, a warning asks the customer to remove it and the first submit
 * is held back; "Send anyway" sends it (the server masks it before agents see it).
 *
 * No libraries. Texts in Chinese or English, chosen by <html lang>. The rules are exposed
 * as window.OkpaySensitive.find(text) -> [{kind, start, end}].
 */
(function () {
  "use strict";

  var TEXTS = {
    en: {
      title: "Please remove sensitive information before sending",
      intro: "This message seems to contain:",
      kinds: {
        card: "a bank card number",
        cn_id: "an ID card number",
        iban: "an IBAN (bank account number)",
        secret: "a password or verification code"
      },
      never: "OKpay staff never ask for your password, payment password or verification codes. " +
        "If you send it anyway, we hide it before anyone at OKpay reads it.",
      edit: "Edit my message",
      send: "Send anyway"
    },
    zh: {
      title: "发送前请删除敏感信息",
      intro: "这条消息似乎包含：",
      kinds: {
        card: "银行卡号",
        cn_id: "身份证号",
        iban: "IBAN（银行账号）",
        secret: "密码或验证码"
      },
      never: "OKpay 工作人员绝不会向您索要密码、支付密码或验证码。" +
        "如果仍然发送，我们会在 OKpay 任何人员看到之前将其隐藏。",
      edit: "修改消息",
      send: "仍然发送"
    }
  };

  // --- The rules (kept in step with masking.py) ------------------------------------------

  var FULLWIDTH = "０１２３４５６７８９";
  var ALNUM = /[0-9A-Za-z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/;
  var CARD_MIN = 13, CARD_MAX = 19, IBAN_MIN = 15, IBAN_MAX = 34, SECRET_MIN = 3;
  var CN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CN_ID_CHECK = "10X98765432";
  var CN_PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43,
    44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83];

  function ascii(value) {
    var out = "";
    for (var i = 0; i < value.length; i++) {
      var c = value.charAt(i);
      var w = FULLWIDTH.indexOf(c);
      if (w >= 0) out += String(w);
      else if (c === "Ｘ") out += "X";
      else if (c === "ｘ") out += "x";
      else out += c;
    }
    return out;
  }

  function isAlnumAt(text, index) {
    return index >= 0 && index < text.length && ALNUM.test(text.charAt(index));
  }

  function luhnValid(digits) {
    if (!/^[0-9]+$/.test(digits)) return false;
    var total = 0;
    for (var i = 0; i < digits.length; i++) {
      var value = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) {
        value *= 2;
        if (value > 9) value -= 9;
      }
      total += value;
    }
    return total % 10 === 0;
  }

  function cardPrefixKnown(digits) {
    var first = digits.charAt(0);
    if ("3456".indexOf(first) >= 0) return true;
    if (first === "2") {
      var four = parseInt(digits.slice(0, 4), 10);
      return four >= 2221 && four <= 2720;
    }
    return digits.slice(0, 2) === "81";
  }

  function latestToday() {
    // The latest calendar date anywhere on Earth (UTC+14), as in masking.py.
    var now = new Date(Date.now() + 14 * 3600 * 1000);
    return { y: now.getUTCFullYear(), m: now.getUTCMonth() + 1, d: now.getUTCDate() };
  }

  function cnIdValid(value) {
    value = ascii(value).toUpperCase();
    if (!/^[0-9]{17}[0-9X]$/.test(value)) return false;
    if (CN_PROVINCES.indexOf(parseInt(value.slice(0, 2), 10)) < 0) return false;
    var y = parseInt(value.slice(6, 10), 10);
    var m = parseInt(value.slice(10, 12), 10);
    var d = parseInt(value.slice(12, 14), 10);
    var born = new Date(Date.UTC(y, m - 1, d));
    if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
      return false;
    }
    var today = latestToday();
    if (y < 1900 || y * 10000 + m * 100 + d > today.y * 10000 + today.m * 100 + today.d) {
      return false;
    }
    var total = 0;
    for (var i = 0; i < 17; i++) total += (value.charCodeAt(i) - 48) * CN_ID_WEIGHTS[i];
    return CN_ID_CHECK.charAt(total % 11) === value.charAt(17);
  }

  function ibanValid(compact) {
    compact = compact.toUpperCase();
    if (compact.length < IBAN_MIN || compact.length > IBAN_MAX) return false;
    if (!/^[A-Z]{2}[0-9]{2}[0-9A-Z]+$/.test(compact)) return false;
    var moved = compact.slice(4) + compact.slice(0, 4);
    var remainder = 0;
    for (var i = 0; i < moved.length; i++) {
      var code = moved.charCodeAt(i);
      var part = code >= 65 ? String(code - 55) : moved.charAt(i);
      for (var k = 0; k < part.length; k++) {
        remainder = (remainder * 10 + (part.charCodeAt(k) - 48)) % 97;
      }
    }
    return remainder === 1;
  }

  function groupsOf(text, start, end) {
    var out = [];
    var re = /[^ \-]+/g;
    var part = text.slice(start, end);
    var m;
    while ((m = re.exec(part)) !== null) out.push([start + m.index, start + m.index + m[0].length]);
    return out;
  }

  // Whole groups inside a run that `check` accepts, longest first, left to right.
  function findGrouped(text, groups, check, maxLength, firstGroup) {
    var spans = [];
    var i = 0;
    while (i < groups.length) {
      var found = 0;
      if (!firstGroup || firstGroup.test(text.slice(groups[i][0], groups[i][1]))) {
        var last = i;
        while (last + 1 < groups.length && groups[last + 1][1] - groups[i][0] <= maxLength) last++;
        for (var j = last; j >= i; j--) {
          var s = groups[i][0], e = groups[j][1];
          if (e - s <= maxLength && check(text.slice(s, e))) {
            spans.push([s, e]);
            found = j + 1;
            break;
          }
        }
      }
      i = found || i + 1;
    }
    return spans;
  }

  // A run of groups, minus a first group glued to a word (or a "+" phone prefix) and a
  // last group glued to a word.
  function trimmedGroups(text, match, badBefore) {
    var groups = groupsOf(text, match.index, match.index + match[0].length);
    if (groups.length && badBefore(match.index - 1)) groups.shift();
    if (groups.length && isAlnumAt(text, match.index + match[0].length)) groups.pop();
    return groups;
  }

  function isCard(candidate) {
    var digits = ascii(candidate.replace(/[ \-]/g, ""));
    return digits.length >= CARD_MIN && digits.length <= CARD_MAX &&
      luhnValid(digits) && cardPrefixKnown(digits);
  }

  function insideIbanShape(text, start) {
    var before = text.slice(Math.max(0, start - 48), start);
    return /(?:^|[^0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:[ \-][0-9A-Za-z]+)*[ \-]$/.test(before);
  }

  function looksLikeCode(token) {
    if (/[0-9]/.test(token) || /[^0-9A-Za-z]/.test(token)) return true;
    return !(token === token.toLowerCase() || token === token.toUpperCase() ||
      /^[A-Z][a-z]*$/.test(token));
  }

  var SECRET = new RegExp(
    "(支付密码|密码|口令|验证码|校验码|动态码|短信码|(?:" +
      "(?:verification|security|auth(?:entication)?|sms|2fa|otp|pin|one[ -]time)[ -]?code" +
      "|pin[ -]?(?:number|no\\.?)" +
      "|pass(?:word|code|wd)|pwd|otp|2fa|pin|cvv2?|cvc2?" +
      ")(?![A-Za-z]))" +
      "([ \\t]*(?:(?:(?:is|was)(?![A-Za-z])|是|为)[ \\t]*)?([:：=][ \\t]*)?)" +
      "([!-~]+)",
    "gi"
  );

  function find(text) {
    var candidates = [];
    var m, re;

    re = /[1-9１-９][0-9０-９]{16}[0-9Xx０-９Ｘｘ]/g;
    while ((m = re.exec(text)) !== null) {
      var idEnd = m.index + m[0].length;
      if (!isAlnumAt(text, m.index - 1) && !isAlnumAt(text, idEnd) && cnIdValid(m[0])) {
        candidates.push({ kind: "cn_id", start: m.index, end: idEnd });
      }
    }

    re = /[0-9０-９]+(?:[ \-][0-9０-９]+)*/g;
    while ((m = re.exec(text)) !== null) {
      var cardGroups = trimmedGroups(text, m, function (at) {
        return isAlnumAt(text, at) || text.charAt(at) === "+";
      });
      findGrouped(text, cardGroups, isCard, CARD_MAX * 2, null).forEach(function (span) {
        if (!insideIbanShape(text, span[0])) {
          candidates.push({ kind: "card", start: span[0], end: span[1] });
        }
      });
    }

    re = /[A-Za-z]{2}[0-9]{2}[0-9A-Za-z]*(?: [0-9A-Za-z]+)*/g;
    while ((m = re.exec(text)) !== null) {
      if (/[0-9A-Za-z]/.test(text.charAt(m.index - 1))) {
        re.lastIndex = m.index + 1;
        continue;
      }
      var ibanGroups = trimmedGroups(text, m, function () { return false; });
      var check = function (candidate) { return ibanValid(candidate.replace(/ /g, "")); };
      findGrouped(text, ibanGroups, check, IBAN_MAX * 2, /^[A-Za-z]{2}[0-9]{2}/)
        .forEach(function (span) {
          candidates.push({ kind: "iban", start: span[0], end: span[1] });
        });
    }

    SECRET.lastIndex = 0;
    while ((m = SECRET.exec(text)) !== null) {
      var trigger = m[1];
      var english = /^[\x00-\x7F]+$/.test(trigger);
      if (english && /[0-9A-Za-z]/.test(text.charAt(m.index - 1))) {
        SECRET.lastIndex = m.index + 1;
        continue;
      }
      var token = m[4].replace(/[.,;]+$/, "");
      if (token.length < SECRET_MIN || /^\*+$/.test(token)) continue;
      if (english && !m[3] && !looksLikeCode(token)) continue;
      var tokenStart = m.index + m[1].length + m[2].length;
      candidates.push({ kind: "secret", start: tokenStart, end: tokenStart + token.length });
    }

    var kept = [];
    candidates.forEach(function (c) {
      var overlaps = kept.some(function (k) { return c.start < k.end && k.start < c.end; });
      if (!overlaps) kept.push(c);
    });
    return kept.sort(function (a, b) { return a.start - b.start; });
  }

  // --- The warning -----------------------------------------------------------------------

  function texts() {
    var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
    return lang.indexOf("zh") === 0 ? TEXTS.zh : TEXTS.en;
  }

  function warningFor(textarea, create) {
    var id = textarea.id ? textarea.id + "-sensitive-warning" : "";
    var box = textarea._okpaySensitiveBox || (id && document.getElementById(id));
    if (box || !create) return box || null;
    var t = texts();
    box = document.createElement("div");
    box.className = "sensitive-warning";
    box.setAttribute("role", "alert");
    if (id) box.id = id;
    box.hidden = true;

    var title = document.createElement("strong");
    title.textContent = t.title;
    var intro = document.createElement("p");
    intro.className = "sensitive-warning-found";
    var never = document.createElement("p");
    never.textContent = t.never;
    var actions = document.createElement("div");
    actions.className = "sensitive-warning-actions";
    var edit = document.createElement("button");
    edit.type = "button";
    edit.className = "button";
    edit.textContent = t.edit;
    edit.addEventListener("click", function () { textarea.focus(); });
    var send = document.createElement("button");
    send.type = "button";
    send.className = "button button-secondary";
    send.textContent = t.send;
    send.addEventListener("click", function () {
      var form = textarea.form;
      if (!form) return;
      form.setAttribute("data-sensitive-confirmed", "1");
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
    actions.appendChild(edit);
    actions.appendChild(send);
    box.appendChild(title);
    box.appendChild(intro);
    box.appendChild(never);
    box.appendChild(actions);
    textarea.insertAdjacentElement("afterend", box);
    textarea._okpaySensitiveBox = box;
    return box;
  }

  function update(textarea) {
    var findings = find(textarea.value || "");
    var box = warningFor(textarea, findings.length > 0);
    if (!box) return findings;
    if (!findings.length) {
      box.hidden = true;
      textarea.removeAttribute("aria-describedby");
      return findings;
    }
    var t = texts();
    var kinds = [];
    findings.forEach(function (f) {
      var label = t.kinds[f.kind];
      if (kinds.indexOf(label) < 0) kinds.push(label);
    });
    var zh = t === TEXTS.zh;
    box.querySelector(".sensitive-warning-found").textContent =
      t.intro + (zh ? "" : " ") + kinds.join(zh ? "、" : ", ");
    box.hidden = false;
    if (box.id) textarea.setAttribute("aria-describedby", box.id);
    return findings;
  }

  var timers = typeof WeakMap === "function" ? new WeakMap() : null;

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea || !textarea.matches || !textarea.matches("textarea[data-sensitive-warning]")) {
      return;
    }
    if (textarea.form) textarea.form.removeAttribute("data-sensitive-confirmed");
    if (!timers) { update(textarea); return; }
    clearTimeout(timers.get(textarea));
    timers.set(textarea, setTimeout(function () { update(textarea); }, 300));
  });

  // Capture phase on the document: runs before the form's own (or htmx's) submit handlers.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.querySelectorAll) return;
    if (form.getAttribute("data-sensitive-confirmed") === "1") {
      form.removeAttribute("data-sensitive-confirmed");
      return;
    }
    var fields = form.querySelectorAll("textarea[data-sensitive-warning]");
    for (var i = 0; i < fields.length; i++) {
      if (update(fields[i]).length) {
        event.preventDefault();
        event.stopPropagation();
        fields[i].focus();
        return;
      }
    }
  }, true);

  window.OkpaySensitive = { find: find, luhnValid: luhnValid, cnIdValid: cnIdValid };
})();
