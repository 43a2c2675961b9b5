// Draws the dashboard charts from the JSON the page embeds (no inline script,
// so the page works under a strict Content-Security-Policy).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var locale = document.documentElement.lang;
  var blue = "#00689d", teal = "#4fa3a5", grey = "#9aa5b1", dark = "#1f3a5f";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = locale;
  Chart.defaults.animation = false;  // instant on slow machines, and stable screenshots
  Chart.defaults.maintainAspectRatio = false;  // the box's CSS height decides

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  draw("chart-workplans", {
    type: "doughnut",
    data: {
      labels: data.workplans.labels,
      // draft, submitted, endorsed, then the teams with no workplan (a light tint)
      datasets: [{ data: data.workplans.values, backgroundColor: [grey, teal, blue, "#e4e7eb"], borderColor: "#ffffff" }]
    },
    options: { plugins: { legend: { position: "bottom", rtl: rtl } } }
  });

  function moneyChart(id, series) {
    draw(id, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          { label: data.legend.required, data: series.required, backgroundColor: dark },
          { label: data.legend.available, data: series.available, backgroundColor: teal }
        ]
      },
      options: {
        indexAxis: "y",
        scales: { x: { ticks: { callback: function (v) { return Number(v).toLocaleString(locale, { notation: "compact" }); } } },
                  y: { position: rtl ? "right" : "left" } },
        plugins: { legend: { position: "bottom", rtl: rtl } }
      }
    });
  }
  moneyChart("chart-regions", data.regions);
  moneyChart("chart-areas", data.areas);
})();
