// The reports page's charts, drawn by Chart.js (static/vendor) from the JSON block the server wrote into the
// page (#report-data: {canvas id: {title, labels, values}}). The same numbers are in the page's tables, which
// is what screen readers read; no inline script (the CSP forbids it), no HTML built from the data.
"use strict";
(function () {
  // Colour-blind-safe (Okabe-Ito), dark enough to read against white.
  const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6b6b6b"];

  const block = document.getElementById("agent-strings");  // the console's words (agent_base.html)
  const none = (block && JSON.parse(block.textContent).none) || "none in this period";

  function draw(canvas, series) {
    const empty = series.values.length === 0;
    // eslint-disable-next-line no-undef
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: empty ? [none] : series.labels,
        datasets: [{
          label: series.title,
          data: empty ? [0] : series.values,
          backgroundColor: series.labels.map(function (_, i) { return COLOURS[i % COLOURS.length]; }),
        }],
      },
      options: {
        indexAxis: "y",  // long labels (hand-off reasons) read better on the side
        animation: false,  // drawn at once: nothing moves for people who asked for less motion
        responsive: true,
        plugins: { legend: { display: false }, title: { display: true, text: series.title } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function start() {
    const data = document.getElementById("report-data");
    if (!data || typeof window.Chart === "undefined") return;
    const charts = JSON.parse(data.textContent);
    Object.keys(charts).forEach(function (id) {
      const canvas = document.getElementById(id);
      if (canvas) draw(canvas, charts[id]);
    });
    document.body.dataset.chartsReady = "true";  // for tests and monitoring: every chart was drawn
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
