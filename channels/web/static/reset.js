// Reset page: show/hide, and a live strength meter whose verdict comes from the server's policy.
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
  const words = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
  let timer = null;
  let latest = 0;

  const problems = document.getElementById("problems");
  if (problems) problems.focus();

  toggle.addEventListener("click", function () {
    const show = password.type === "password";
    password.type = confirmation.type = show ? "text" : "password";
    toggle.textContent = show ? "Hide" : "Show";
    toggle.setAttribute("aria-pressed", String(show));
  });

  function render(result) {
    bar.dataset.score = String(result.score);
    meterText.textContent = (result.ok ? "Good: " : "Not yet: ") + words[result.score];
    liveProblems.replaceChildren(...result.problems.map(function (text) {
      const item = document.createElement("li");
      item.textContent = text;  // server text is never parsed as HTML
      return item;
    }));
  }

  async function check() {
    const ticket = ++latest;
    if (!password.value) { bar.dataset.score = "-1"; meterText.textContent = ""; liveProblems.replaceChildren(); return; }
    try {
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ password: password.value }),
        credentials: "same-origin",
      });
      if (ticket === latest && response.ok) render(await response.json());
    } catch (error) {
      // The meter is a help, not a gate: the server checks again on submit.
    }
  }

  password.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
})();
