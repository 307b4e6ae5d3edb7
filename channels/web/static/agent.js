// Support console: the queue and a ticket's live chat update by polling. Server text is only ever set with
// textContent, never parsed as HTML.
"use strict";
(function () {
  const POLL_MS = 2500;
  const block = document.getElementById("agent-strings");  // the page's words, in the agent's language
  const WORDS = block ? JSON.parse(block.textContent) : {};
  function word(key, fallback) { return WORDS[key] || fallback; }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  async function refreshQueue(table) {
    const status = document.getElementById("queue-status");
    try {
      const response = await fetch(table.dataset.api, { credentials: "same-origin" });
      if (response.status === 401) { window.location.reload(); return; }
      const body = await response.json();
      const rows = body.tickets.map(function (t) {
        const row = document.createElement("tr");
        const link = document.createElement("a");
        link.href = table.dataset.ticketUrl.replace("REF", encodeURIComponent(t.reference));
        link.textContent = t.reference;
        cell(row, "").appendChild(link);
        [t.reason_text, t.channel, t.waiting_since, t.agent || "—"].forEach(function (v) { cell(row, v); });
        return row;
      });
      document.getElementById("queue-rows").replaceChildren(...rows);
      document.getElementById("queue-empty").hidden = rows.length > 0;
      status.textContent = "";
    } catch (error) {
      status.textContent = word("lost", "Connection lost — retrying…");
    }
  }

  function addLine(log, sender, text) {
    const item = document.createElement("p");  // a role=log region may not own <li> items
    item.className = "from-" + sender;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = ({ person: word("person", "Person"), agent: word("agent", "Agent"), system: "—" }[sender] || sender) + ":";
    item.append(who, " " + text);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  async function refreshLive(log) {
    try {
      const response = await fetch(log.dataset.api + "?after=" + log.dataset.last, { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      const reset = document.getElementById("reset-state");
      if (reset && body.reset && reset.textContent !== body.reset) reset.textContent = body.reset;
      body.messages.forEach(function (m) {
        addLine(log, m.sender, m.text);
        log.dataset.last = String(m.id);
      });
    } catch (error) {
      // Try again on the next tick.
    }
  }

  function wireReply(form, log) {
    const input = document.getElementById("reply");
    const status = document.getElementById("reply-status");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      const response = await fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
        body: JSON.stringify({ text: text }),
      });
      const body = await response.json().catch(function () { return {}; });
      if (response.ok) {
        input.value = "";
        status.textContent = body.delivered ? word("sent", "Sent.") : word("saved", "Saved; this person's channel shows it on their next message.");
        refreshLive(log);
      } else {
        status.textContent = body.message || word("not_sent", "Not sent.");
      }
      input.focus();
    });
  }

  const table = document.getElementById("queue");
  if (table) setInterval(function () { refreshQueue(table); }, POLL_MS);
  const log = document.getElementById("live");
  if (log) {
    log.scrollTop = log.scrollHeight;
    setInterval(function () { refreshLive(log); }, POLL_MS);
    const form = document.getElementById("reply-form");
    if (form) wireReply(form, log);
  }
})();
