// Reset page: show/hide, and a live meter that shows the server's verdict (the same rules submit applies:
// length, names and IDs, the last passwords, the breached list). The page works without it: submit says it all.
"use strict";
(function () {
  const form = document.getElementById("reset-form");
  if (!form) return;
  const password = document.getElementById("password");
  const confirmation = document.getElementById("confirmation");
  const toggle = document.getElementById("toggle-password");
  const bar = document.getElementById("meter-bar");
  const meterText = document.getElementById("meter-text");
  const liveProblems = document.getElementById("live-problems");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const DEBOUNCE_MS = 300;
  let timer = null;
  let latest = 0;

  const problems = document.getElementById("problems");
  if (problems) problems.focus();

  toggle.addEventListener("click", function () {
    const show = password.type === "password";
    password.type = confirmation.type = show ? "text" : "password";
    toggle.textContent = show ? toggle.dataset.hide : toggle.dataset.show;
    toggle.setAttribute("aria-pressed", String(show));
  });

  function show(state, strength, label, texts) {
    bar.dataset.state = meterText.dataset.state = state;
    bar.dataset.score = String(strength);
    meterText.textContent = label;
    liveProblems.replaceChildren(...texts.map(function (text) {
      const item = document.createElement("li");
      item.textContent = text;  // server text is never parsed as HTML
      return item;
    }));
  }

  function render(verdict) {
    // The bar follows the verdict, never the score alone: a refused password is drawn red and short.
    const refused = !verdict.acceptable || verdict.problems.length > 0;
    show(refused ? "refused" : "accepted", verdict.strength, verdict.label, verdict.problems);
  }

  async function check() {
    const ticket = ++latest;
    if (!password.value) { show("", -1, "", []); return; }
    try {
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ password: password.value }),  // in the body: never in a URL
        credentials: "same-origin",
        cache: "no-store",
      });
      if (ticket === latest && response.ok) render(await response.json());
    } catch (error) {
      // The meter is a help, not a gate: the server checks again on submit.
    }
  }

  password.addEventListener("input", function () {
    clearTimeout(timer);
    latest++;  // an answer still on its way is for older text: drop it
    if (bar.dataset.state) bar.dataset.state = meterText.dataset.state = "pending";  // dimmed until the server answers
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  // After an error the typed password is back in the field: show its verdict at once.
  if (password.value) check();
})();
