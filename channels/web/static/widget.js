/* ResetDesk embeddable widget.
 * Usage on any page: <script src="https://resetdesk.example/widget.js" defer></script>
 * Adds a chat bubble (bottom-right) that opens a panel holding <iframe src="<our origin>/chat?embed=1">.
 * Everything lives in a shadow root on one host element, so the host page's CSS cannot reach in and ours
 * cannot leak out; no globals are defined. */
(function () {
  "use strict";

  var HOST_ID = "resetdesk-widget-host";
  var PANEL_ID = "resetdesk-widget-panel";

  // Work out our own origin from the <script> tag (currentScript is only set while the script first runs).
  var script = document.currentScript ||
    document.querySelector('script[src$="/widget.js"], script[src*="/widget.js?"]');
  if (!script || !script.src) return;
  var ORIGIN = new URL(script.src, window.location.href).origin;
  // Each configured language's words, written in by GET /widget.js from the catalogs (with "default").
  var STRINGS = {"default": "en", "en": {}} /* RESETDESK_WIDGET_STRINGS */;
  // The language: the script's lang (or data-lang) attribute, the page's <html lang>, then the browser's
  // (the chat page negotiates Accept-Language the same way when no hint is passed).
  function chooseLanguage() {
    var tags = [script.getAttribute("lang"), script.getAttribute("data-lang"), document.documentElement.lang];
    tags = tags.concat(Array.prototype.slice.call(navigator.languages || []));
    for (var i = 0; i < tags.length; i++) {
      var tag = String(tags[i] || "").toLowerCase().replace("_", "-");
      if (tag && STRINGS[tag] && tag !== "default") return { lang: tag, hinted: i < 3 };
      var primary = tag.split("-")[0];
      if (primary && STRINGS[primary] && primary !== "default") return { lang: primary, hinted: i < 3 };
    }
    return { lang: STRINGS["default"], hinted: false };
  }
  var CHOSEN = chooseLanguage();
  var WORDS = STRINGS[CHOSEN.lang] || {};
  function word(key, english) { return WORDS[key] || english; }
  var OPEN_LABEL = word("open", "Open password help chat");
  var CLOSE_LABEL = word("close", "Close password help chat");
  var CHAT_URL = ORIGIN + "/chat?embed=1" + (CHOSEN.hinted ? "&lang=" + encodeURIComponent(CHOSEN.lang) : "");

  var CSS = [
    ":host { all: initial; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".rd-root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;",
    "  font: 16px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1b1f24; }",
    ".rd-bubble { display: flex; align-items: center; justify-content: center; width: 60px; height: 60px;",
    "  margin: 0; padding: 0; border: 2px solid #ffffff; border-radius: 50%; background: #0b57d0; color: #ffffff;",
    "  cursor: pointer; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.3); }",
    ".rd-bubble:hover { background: #0842a0; }",
    ".rd-bubble:focus-visible, .rd-close:focus-visible { outline: 3px solid #0b1f44; outline-offset: 3px; }",
    ".rd-bubble svg { width: 28px; height: 28px; fill: currentColor; }",
    ".rd-panel { position: fixed; right: 20px; bottom: 92px; display: flex; flex-direction: column;",
    "  width: 380px; height: 600px; max-height: calc(100vh - 112px); background: #ffffff; border-radius: 14px;",
    "  overflow: hidden; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3); border: 1px solid #8a94a3; }",
    ".rd-panel-header { flex: 0 0 auto; display: flex; align-items: center; justify-content: space-between;",
    "  gap: 8px; padding: 8px 8px 8px 14px; background: #0b57d0; color: #ffffff; }",
    ".rd-panel-title { margin: 0; font-size: 1rem; font-weight: 700; }",
    ".rd-close { min-width: 44px; min-height: 44px; border: 0; border-radius: 8px; background: transparent;",
    "  color: #ffffff; font: inherit; font-size: 1.5rem; line-height: 1; cursor: pointer; }",
    ".rd-close:hover { background: rgba(255, 255, 255, 0.15); }",
    ".rd-close:focus-visible { outline-color: #ffffff; outline-offset: -4px; }",
    ".rd-frame { flex: 1 1 auto; width: 100%; min-height: 0; border: 0; display: block; background: #ffffff; }",
    "@media (prefers-reduced-motion: no-preference) {",
    "  .rd-panel { animation: rd-pop 0.15s ease-out; }",
    "  @keyframes rd-pop { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }",
    "}",
    // Phone-sized: the panel fills the screen and its own close button replaces the bubble.
    "@media (max-width: 480px) {",
    "  .rd-panel { inset: 0; width: 100%; height: 100%; max-height: none; border-radius: 0; border: 0; }",
    "  .rd-root.rd-open .rd-bubble { display: none; }",
    "}",
    "@media (forced-colors: active) { .rd-bubble, .rd-panel { border: 2px solid ButtonText; } }"
  ].join("\n");

  function el(tag, className, attrs) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    return n;
  }

  // Prefer a constructable stylesheet (not subject to the host page's style-src); fall back to <style>.
  function addStyles(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = CSS;
      shadow.appendChild(style);
    }
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 " +
      "1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    if (document.getElementById(HOST_ID)) return;  // the script was included twice

    var host = el("div", null, { id: HOST_ID });
    var shadow = host.attachShadow({ mode: "open" });
    addStyles(shadow);

    var root = el("div", "rd-root");
    var panel = el("div", "rd-panel", { id: PANEL_ID, role: "dialog", "aria-label": word("panel", "ResetDesk password help") });
    panel.hidden = true;
    var header = el("div", "rd-panel-header");
    var title = el("h2", "rd-panel-title");
    title.textContent = word("title", "Password help");
    var close = el("button", "rd-close", { type: "button", "aria-label": CLOSE_LABEL });
    close.textContent = "×";
    header.appendChild(title);
    header.appendChild(close);
    panel.appendChild(header);

    var bubble = el("button", "rd-bubble", {
      type: "button", "aria-label": OPEN_LABEL, "aria-expanded": "false", "aria-controls": PANEL_ID
    });
    bubble.appendChild(chatIcon());

    // The bubble comes first so Tab from the page reaches it, then the open panel.
    root.appendChild(bubble);
    root.appendChild(panel);
    shadow.appendChild(root);
    document.body.appendChild(host);

    var frame = null;

    // The iframe is made on first open only, so pages that never open the chat start no session.
    function ensureFrame() {
      if (frame) return frame;
      frame = el("iframe", "rd-frame", { src: CHAT_URL, title: word("frame", "ResetDesk chat") });
      panel.appendChild(frame);
      return frame;
    }

    function isOpen() { return !panel.hidden; }

    function open() {
      var f = ensureFrame();
      panel.hidden = false;
      root.classList.add("rd-open");
      bubble.setAttribute("aria-expanded", "true");
      bubble.setAttribute("aria-label", CLOSE_LABEL);
      f.focus();
      // If the chat page is already loaded, ask it to put focus on its input (it also does so on load).
      try { f.contentWindow.postMessage({ type: "resetdesk:focus" }, ORIGIN); } catch (e) { /* not loaded yet */ }
    }

    function closePanel() {
      panel.hidden = true;
      root.classList.remove("rd-open");
      bubble.setAttribute("aria-expanded", "false");
      bubble.setAttribute("aria-label", OPEN_LABEL);
      bubble.focus();
    }

    bubble.addEventListener("click", function () { if (isOpen()) closePanel(); else open(); });
    close.addEventListener("click", closePanel);

    // Escape while focus is on our elements in this page (bubble, close button).
    host.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) { event.stopPropagation(); closePanel(); }
    });

    // Escape inside the iframe never reaches this page; the chat page posts a close request instead.
    window.addEventListener("message", function (event) {
      if (!frame || event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      if (event.data && event.data.type === "resetdesk:close" && isOpen()) closePanel();
    });
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
