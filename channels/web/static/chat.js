/* ResetDesk web chat client (GET /chat). Talks to the JSON API (docs/architecture.md, "The HTTP surface").
 * The session token lives in an HttpOnly cookie the API sets: on the chat page this script never keeps it.
 * Inside the widget's iframe on another site the browser withholds that SameSite=Strict cookie, so there the
 * token from the response is kept in the iframe's sessionStorage and sent as "Authorization: Bearer".
 * Server strings are only ever written with textContent, never parsed as HTML.
 * The page CSP forbids inline styles, so state is shown with classes and the hidden attribute. */
(function () {
  "use strict";

  var root = document.getElementById("resetdesk-chat");
  if (!root) return;

  var SESSIONS_URL = root.getAttribute("data-api") || "/api/chat/sessions";
  var MESSAGES_URL = root.getAttribute("data-messages") || "/api/chat/messages";
  var EMBEDDED = document.body.classList.contains("rd-embedded");
  var STORE_KEY = "resetdesk.chat_started";  // "a chat was started in this tab"; the token only when embedded
  var LEGACY_KEY = "resetdesk.session_id";  // the old client kept the session id itself
  var POLL_MS = 3000;
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 10000];
  var MASK = "•••••";
  // The words the person sees come from the page (chat.html's rd-strings, in the page's language).
  var stringsNode = document.getElementById("rd-strings");
  var T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  function say(key, seconds) { return String(T[key] || key).replace("{s}", String(seconds)); }
  var LANG = document.documentElement.lang || "";  // the hint for the engine, until the person picks one
  var MODES = {  // how the input looks for each Reply.expects
    text: { label: T.message, placeholder: T.type_message, inputmode: "text", autocomplete: "off" },
    none: { label: T.message, placeholder: T.type_message, inputmode: "text", autocomplete: "off" },
    code: { label: T.code_label, placeholder: T.code_placeholder, inputmode: "numeric", autocomplete: "one-time-code" },
    secret: { label: T.answer, placeholder: T.answer, inputmode: "text", autocomplete: "off" }
  };

  function byId(id) { return document.getElementById(id); }
  var el = {
    log: byId("rd-log"), form: byId("rd-form"), input: byId("rd-input"), label: byId("rd-input-label"),
    toggle: byId("rd-toggle"), send: byId("rd-send"), status: byId("rd-status"),
    typing: byId("rd-typing"), typingText: byId("rd-typing-text")
  };

  var state = {
    started: false, token: null, lastSeq: 0, expects: "text", offline: false, pollTimer: null, statusTimer: null,
    busy: false,  // one request at a time (see run)
    next: null    // the action asked for while busy; runs when the current one ends
  };


  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // sessionStorage can throw (storage disabled, some third-party iframes); the chat still works without it.
  function storage(action, value) {
    try {
      if (action === "get") return window.sessionStorage.getItem(STORE_KEY);
      if (action === "set") window.sessionStorage.setItem(STORE_KEY, value);
      else window.sessionStorage.removeItem(STORE_KEY);
      window.sessionStorage.removeItem(LEGACY_KEY);
    } catch (e) { /* ignore */ }
    return null;
  }

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  // Only http(s) links are rendered, so a server bug can never produce a javascript: URL.
  function safeUrl(url) {
    try {
      var u = new URL(String(url), window.location.href);
      return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null;
    } catch (e) { return null; }
  }

  function retryAfterSeconds(res) {
    var n = parseInt(res.retryAfter, 10);
    return isFinite(n) && n > 0 ? Math.min(n, 3600) : 5;
  }


  function showStatus(text, clearAfterMs) {
    clearTimeout(state.statusTimer);
    el.status.hidden = false;
    el.status.textContent = text;
    if (clearAfterMs) state.statusTimer = setTimeout(hideStatus, clearAfterMs);
  }

  function hideStatus() {
    clearTimeout(state.statusTimer);
    el.status.textContent = "";
    el.status.hidden = true;
  }

  // Text is set after un-hiding so screen readers announce the change in the status region.
  function setTyping(on) {
    el.typing.hidden = !on;
    el.typingText.textContent = on ? say("typing") : "";
  }


  function call(method, url, body) {
    var init = { method: method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (state.token) init.headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data || {}, retryAfter: res.headers.get("Retry-After") };
      });
    });
  }

  // Retries network failures and 5xx with backoff, and 429 after Retry-After; returns any other response.
  // The request body is kept in this closure, so unsent text is never lost while retrying.
  async function request(method, url, body, quiet) {
    for (var attempt = 0; ; attempt++) {
      var res = null;
      try { res = await call(method, url, body); } catch (e) { res = null; }
      if (res && res.status === 429) {
        var wait = retryAfterSeconds(res);
        if (!quiet) showStatus(say("too_fast", wait));
        await sleep(wait * 1000);
        continue;
      }
      if (!res || res.status >= 500) {
        state.offline = true;
        showStatus(say("connection_lost"));
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
        continue;
      }
      if (state.offline) { state.offline = false; showStatus(say("reconnected"), 2000); }
      else if (attempt > 0) hideStatus();  // a 429 wait is over
      return res;
    }
  }

  function messagesUrl(query) {
    return MESSAGES_URL + (query || "");
  }

  function noteSeq(data) {
    if (typeof data.last_seq === "number") state.lastSeq = data.last_seq;
  }

  // Replies carry no per-message sequence number, so two overlapping requests could both return the
  // same message; running one at a time (and remembering the person's latest wish) avoids that.
  // A background action (a poll) never replaces something the person asked for.
  function run(action, background) {
    if (state.busy) { if (!background || !state.next) state.next = action; return; }
    state.busy = true;
    clearTimeout(state.pollTimer);
    Promise.resolve().then(action).catch(function (err) {
      addNotice(say("page_error"));
      if (window.console) console.error(err);
    }).then(function () {
      state.busy = false;
      var next = state.next;
      state.next = null;
      if (next) run(next); else schedulePoll();
    });
  }


  function addMessage(kind, text) {
    var speaker = say({ user: "you_said", bot: "bot_said", agent: "agent_said", notice: "notice" }[kind]);
    var li = node("div", "rd-msg rd-msg-" + kind);  // a role=log region may not own <li> items
    li.appendChild(node("span", "rd-visually-hidden", speaker));
    if (kind === "agent") {
      var name = node("span", "rd-speaker", say("it_support"));
      name.setAttribute("aria-hidden", "true");  // already said by the hidden label
      li.appendChild(name);
    }
    li.appendChild(node("p", "rd-text", text));
    el.log.appendChild(li);
    el.log.scrollTop = el.log.scrollHeight;
    return li;
  }

  function addNotice(text) { refreshChoices(); return addMessage("notice", text); }

  function addLink(li, link) {
    var href = link && safeUrl(link.url);
    if (!href) return;
    var a = node("a", "rd-link-button", link.label || say("open_link"));
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(node("span", "rd-visually-hidden", " " + say("new_tab")));
    li.appendChild(a);
  }

  function addChoices(li, choices) {
    if (!choices || !choices.length) return;
    var group = node("div", "rd-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", say("choices"));
    choices.forEach(function (choice) {
      var button = node("button", "rd-choice", choice.label);
      button.type = "button";
      button.setAttribute("data-value", String(choice.value));
      button.addEventListener("click", function () {
        if (button.disabled) return;
        var value = String(choice.value), label = String(choice.label);
        run(function () { return send(value, label); });
      });
      group.appendChild(button);
    });
    li.appendChild(group);
  }

  // A reply with wait_seconds: a countdown in the message, and its "Send again" button (value "resend") shown
  // once the wait is over. Pressed early anyway (another device, a reload), the server answers with what is left.
  // The ticking number is aria-hidden, so the log does not announce every second; its end is a new line.
  function addCountdown(li, seconds) {
    var resend = Array.prototype.filter.call(li.querySelectorAll(".rd-choice"), function (b) {
      return b.getAttribute("data-value") === "resend";
    });
    var ticking = node("p", "rd-text rd-countdown");
    ticking.setAttribute("aria-hidden", "true");
    li.appendChild(ticking);
    resend.forEach(function (b) { b.hidden = true; });
    var end = Date.now() + seconds * 1000;
    function tick() {
      var left = Math.ceil((end - Date.now()) / 1000);
      if (left > 0) {
        ticking.textContent = say("new_code_in", left);
        setTimeout(tick, 250);
        return;
      }
      ticking.remove();
      li.appendChild(node("p", "rd-text rd-countdown", say("new_code_now")));
      resend.forEach(function (b) { b.hidden = false; });
    }
    tick();
  }

  // One entry from the server: a Reply, or (in history from after=0) the person's own earlier message.
  // `replayed`: history redrawn after a reload, when a wait it mentions is most likely over (if not, pressing
  // "Send again" is answered with the seconds left).
  function renderEntry(entry, replayed) {
    var from = entry.from;
    if (from === "person" || from === "user") return addMessage("user", entry.text);
    var li = addMessage(from === "agent" ? "agent" : "bot", entry.text);
    addLink(li, entry.link);
    addChoices(li, entry.choices);
    var wait = Number(entry.wait_seconds);
    if (!replayed && isFinite(wait) && wait > 0) addCountdown(li, Math.min(wait, 3600));
    return li;
  }

  // The newest bot reply decides the input mode; a person (user or agent) does not.
  function renderBatch(messages, replayed) {
    var last = null;
    (messages || []).forEach(function (m) {
      renderEntry(m, replayed);
      if (!m.from || m.from === "bot") last = m;
    });
    refreshChoices();
    if (last) setMode(last.expects);
    el.log.scrollTop = el.log.scrollHeight;  // after the buttons and links are in, so they are in view
    return messages && messages.length > 0;
  }

  // Only the newest group of choices is active, and only until the person says something after it.
  function refreshChoices() {
    var active = true;
    for (var li = el.log.lastElementChild; li; li = li.previousElementSibling) {
      if (li.classList.contains("rd-msg-user")) active = false;
      var group = li.querySelector(".rd-choices");
      if (!group) continue;
      Array.prototype.forEach.call(group.querySelectorAll(".rd-choice"), function (b) { b.disabled = !active; });
      active = false;
    }
  }


  function setMode(expects) {
    var mode = MODES[expects] ? expects : "text";
    var m = MODES[mode];
    // Never turn a half-typed secret into visible text: drop it when the question changes.
    if (state.expects === "secret" && mode !== "secret") el.input.value = "";
    state.expects = mode;
    el.label.textContent = m.label;
    el.input.placeholder = m.placeholder;
    el.input.setAttribute("inputmode", m.inputmode);
    el.input.setAttribute("autocomplete", m.autocomplete);
    el.toggle.hidden = mode !== "secret";
    setSecretShown(false);
  }

  function setSecretShown(shown) {
    el.input.type = (state.expects === "secret" && !shown) ? "password" : "text";
    el.toggle.setAttribute("aria-pressed", shown ? "true" : "false");
    el.toggle.textContent = say(shown ? "hide_answer" : "show_answer");
  }

  function setEnabled(on) { el.input.disabled = !on; el.send.disabled = !on; }

  // Return focus to the input after a reply, unless the person has moved focus elsewhere on purpose.
  function focusInput() {
    var active = document.activeElement;
    if (!active || active === document.body || root.contains(active)) el.input.focus();
  }


  async function startSession(notice) {
    state.token = null;  // a new session is asked for without the old one's token
    setTyping(true);
    var res;
    try { res = await request("POST", SESSIONS_URL, { lang: LANG }); } finally { setTyping(false); }
    if (res.status !== 201 && res.status !== 200) {
      addNotice(say("start_failed"));  // the server's message is for API clients
      return;
    }
    state.started = true;  // the response set the session cookie
    state.token = EMBEDDED && typeof res.data.session_token === "string" ? res.data.session_token : null;
    state.lastSeq = 0;
    noteSeq(res.data);
    storage("set", state.token || "1");
    if (notice) addNotice(notice);
    setMode("text");
    renderBatch(res.data.messages);
    setEnabled(true);
  }

  // After a reload: redraw the conversation from the server (after=0 returns everything); the cookie says which.
  async function resume(saved) {
    state.started = true;
    state.token = EMBEDDED && saved !== "1" ? saved : null;
    var res = await request("GET", messagesUrl("?after=0"), undefined, true);
    if (res.status === 200) {
      noteSeq(res.data);
      renderBatch(res.data.messages, true);
      setEnabled(true);
      return;
    }
    storage("clear");
    await startSession(res.status === 401 ? say("resumed_expired") : null);
  }

  async function send(text, shown, masked) {
    var bubble = addMessage("user", shown);
    refreshChoices();
    setTyping(true);
    var res;
    try { res = await request("POST", messagesUrl(), { text: text, after: state.lastSeq, lang: LANG }); } finally { setTyping(false); }
    if (res.status === 200) {
      noteSeq(res.data);
      // Masked as typed; the server says whether it could be a secret ("help" at the code prompt is not).
      var kept = res.data.person_text;
      if (masked && typeof kept === "string" && kept !== "[redacted]") bubble.querySelector(".rd-text").textContent = kept;
      renderBatch(res.data.messages);
    } else if (res.status === 401) {
      storage("clear");
      if (!masked && !el.input.value) el.input.value = text;  // let them send it again
      await startSession(say("expired"));
    } else {
      bubble.remove();  // it was not accepted; give the text back rather than pretend it was sent
      if (!el.input.value) el.input.value = text;
      addNotice(res.status === 413 ? say("too_long") : say("send_failed"));
    }
    focusInput();
  }

  function sendFromInput() {
    var text = el.input.value;
    if (!text.trim() || !state.started) return;
    var masked = state.expects === "code" || state.expects === "secret";
    el.input.value = "";
    setSecretShown(false);
    return send(text, masked ? MASK : text, masked);
  }

  // Later replies (a live agent, or the reset page's confirmation) arrive by polling while the page is visible.
  function schedulePoll() {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(function () { run(poll, true); }, POLL_MS);
  }

  async function poll() {
    if (!state.started || document.visibilityState !== "visible") return;
    var res = await request("GET", messagesUrl("?after=" + state.lastSeq), undefined, true);
    if (res.status === 200) {
      noteSeq(res.data);
      renderBatch(res.data.messages);
    } else if (res.status === 401) {
      storage("clear");
      await startSession(say("expired"));
    }
  }


  el.form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(sendFromInput);
  });

  el.toggle.addEventListener("click", function () {
    setSecretShown(el.toggle.getAttribute("aria-pressed") !== "true");
    el.input.focus();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !state.busy) run(poll, true);
  });

  if (EMBEDDED) {
    // Inside the widget's iframe, key presses never reach the host page, so ask it to close the panel.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && window.parent !== window) {
        window.parent.postMessage({ type: "resetdesk:close" }, "*");
      }
    });
    // The widget focuses the iframe when it opens; pass that focus on to the input.
    window.addEventListener("focus", function () {
      if (document.activeElement === document.body && !el.input.disabled) el.input.focus();
    });
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.type === "resetdesk:focus") el.input.focus();
    });
  }

  run(function () {
    var saved = storage("get");
    return (saved ? resume(saved) : startSession(null)).then(function () {
      if (document.hasFocus() && (document.activeElement === document.body || !document.activeElement)) {
        el.input.focus();
      }
    });
  });
})();
