// Draws the dashboard charts from the JSON the page embeds (no inline script,
// so the page works under a strict Content-Security-Policy). Each chart has its
// figures in a table beside it (the template's); money charts come one per currency.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var lang = document.documentElement.lang;
  // Latin digits, grouped as the page's tables are (Arabic included).
  var locale = lang === "ar" ? "ar-u-nu-latn" : lang;
  var blue = "#00689d", teal = "#4fa3a5", grey = "#9aa5b1", dark = "#1f3a5f";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = locale;
  Chart.defaults.animation = false;  // instant on slow machines, and stable screenshots
  Chart.defaults.maintainAspectRatio = false;  // the box's CSS height decides

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  // Long labels ("Information and knowledge management") wrap onto lines instead of being cut.
  function wrap(label, width) {
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return lines;
  }

  draw("chart-workplans", {
    type: "doughnut",
    data: {
      labels: data.workplans.labels,
      // draft, submitted, endorsed, then the teams with no workplan (a light tint)
      datasets: [{ data: data.workplans.values, backgroundColor: [grey, teal, blue, "#e4e7eb"], borderColor: "#ffffff" }]
    },
    options: { plugins: { legend: { position: "bottom", rtl: rtl, textDirection: rtl ? "rtl" : "ltr" } } }
  });

  function moneyChart(id, series) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    // Room for every bar: the box grows with the number of rows.
    canvas.parentNode.style.height = Math.max(200, 60 + series.labels.length * 44) + "px";
    draw(id, {
      type: "bar",
      data: {
        labels: series.labels.map(function (label) { return wrap(label, 18); }),
        datasets: [
          { label: series.legend.required, data: series.required, backgroundColor: dark },
          { label: series.legend.available, data: series.available, backgroundColor: teal }
        ]
      },
      options: {
        indexAxis: "y",
        // Right to left: bars grow from the right, where their labels are.
        scales: {
          x: { reverse: rtl, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 5,
               callback: function (v) { return Number(v).toLocaleString(locale, { notation: "compact" }); } } },
          y: { position: rtl ? "right" : "left", ticks: { autoSkip: false } }
        },
        plugins: {
          legend: { position: "bottom", rtl: rtl, textDirection: rtl ? "rtl" : "ltr" },
          tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr",
                     callbacks: { label: function (item) {
                       return item.dataset.label + ": " + Number(item.raw).toLocaleString(locale); } } }
        }
      }
    });
  }
  data.regions.forEach(function (series, index) { moneyChart("chart-regions-" + index, series); });
  data.areas.forEach(function (series, index) { moneyChart("chart-areas-" + index, series); });
})();
