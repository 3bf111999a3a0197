// Progressive enhancement for the dashboard: tick "time left" down every second and
// reload the page every 60 s. Without JavaScript the page shows the same values as of
// when it was rendered. `duration` is exported for the tests (run under Node).
var slaclockCountdown = (function () {
  "use strict";
  var AT_RISK = 3600;
  var UNITS = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
  var formats = {};

  function unit(count, name, lang) {
    var key = lang + " " + name;
    if (!formats[key]) {
      try {
        formats[key] = new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "short" });
      } catch (e) {
        formats[key] = { format: function (n) { return n + " " + name.charAt(0); } };
      }
    }
    return formats[key].format(count);
  }

  // The two largest units, as the server writes them (formatting.duration_parts).
  function duration(seconds, lang) {
    var rest = Math.abs(Math.trunc(seconds));
    var parts = [];
    for (var i = 0; i < UNITS.length && parts.length < 2; i++) {
      var count = Math.floor(rest / UNITS[i][0]);
      rest -= count * UNITS[i][0];
      if (count || parts.length) { parts.push([count, UNITS[i][1]]); }
    }
    parts = parts.filter(function (p) { return p[0]; });
    if (!parts.length) { parts = [[0, "second"]]; }
    return parts.map(function (p) { return unit(p[0], p[1], lang); }).join(" ");
  }

  function start(table) {
    var lang = document.documentElement.lang || "en";
    var overdue = table.getAttribute("data-overdue") || "-{d}";
    // The server's clock, so a test clock or a skewed laptop clock do not matter.
    var offset = Number(table.getAttribute("data-now")) - Date.now() / 1000;

    function tick() {
      var now = Date.now() / 1000 + offset;
      var cells = table.querySelectorAll("td[data-due]");
      for (var i = 0; i < cells.length; i++) {
        var cell = cells[i];
        var left = Number(cell.getAttribute("data-due")) - now;
        // Due in closed hours: 0 left, not overdue, until the calendar opens again.
        var from = cell.getAttribute("data-overdue-from");
        if (left < 0 && from !== null && now <= Number(from)) { left = 0; }
        var css = left < 0 ? "overdue" : left <= AT_RISK ? "at-risk" : "ok";
        var text = duration(left, lang);
        cell.textContent = left < 0 ? overdue.replace("{d}", text) : text;
        cell.className = "left " + css;
        cell.parentNode.className = css;
      }
    }

    function busy() {
      var el = document.activeElement;
      return el && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
    }

    tick();
    setInterval(tick, 1000);
    setInterval(function () { if (!busy()) { window.location.reload(); } }, 60000);
  }

  if (typeof document !== "undefined") {
    var table = document.querySelector("table.queue");
    if (table) { start(table); }
  }
  return { duration: duration };
})();

if (typeof module !== "undefined" && module.exports) { module.exports = slaclockCountdown; }
