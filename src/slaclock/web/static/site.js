// Progressive enhancement for the dashboard: tick "time left" down every second and
// reload the page every 60 s — unless static/live.js keeps the page live (it sets
// `live` and swaps the page's regions in place instead). Without JavaScript the page
// shows the same values as of when it was rendered. `duration` is exported for the
// tests (run under Node).
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

  // The queue table being ticked and its clock offset. The server's clock (data-now),
  // so a test clock or a skewed laptop clock do not matter; read again whenever the
  // table is a new one (a live update swapped it in), as a reload would.
  var shown = { table: null, offset: 0 };

  function queueTable() {
    var table = document.querySelector("table.queue");
    if (table !== shown.table) {
      shown.table = table;
      if (table) { shown.offset = Number(table.getAttribute("data-now")) - Date.now() / 1000; }
    }
    return table;
  }

  function tick() {
    var table = queueTable();
    if (!table) { return; }
    var lang = document.documentElement.lang || "en";
    var overdue = table.getAttribute("data-overdue") || "-{d}";
    var now = Date.now() / 1000 + shown.offset;
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
    return !!el && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  var api = { duration: duration, tick: tick, busy: busy, live: false };

  if (typeof document !== "undefined") {
    var queue = document.querySelector("table.queue");
    if (queue || document.querySelector("[data-live]")) {
      tick();
      setInterval(tick, 1000);
    }
    if (queue) {
      setInterval(function () { if (!api.live && !busy()) { window.location.reload(); } }, 60000);
    }
  }
  return api;
})();

if (typeof module !== "undefined" && module.exports) { module.exports = slaclockCountdown; }
