// Live updates for the dashboard and the ticket page (docs/dashboard.md, "Live updates").
//
// The page listens to the site's server-sent events (GET /live, EventSource). When an
// event says that what the page shows may have changed — and once a minute anyway, for
// what changes with time alone — it fetches its own URL again and swaps in each live
// region (an element with `data-live` and an id), keeping the focus, the scroll
// positions and the open <details>; the countdowns of static/site.js tick on the new
// rows. Without EventSource the minute refresh still swaps; without fetch or DOMParser
// this script does nothing and site.js reloads the page every minute as before.
// Without JavaScript the page is as it was rendered.
(function () {
  "use strict";
  var MINUTE = 60000;
  // Refreshes closer together than this are run as one (a busy helpdesk writes often).
  var GAP = 2000;
  var script = document.currentScript;
  if (!script || !window.fetch || !window.DOMParser || !document.querySelector("[data-live][id]")) {
    return;
  }
  var countdown = window.slaclockCountdown || null;
  var streamPath = script.getAttribute("data-stream") || "/live";
  var known = sinceOf(streamPath);
  var source = null;
  var inflight = false;
  var again = false;
  var last = Date.now();
  var timer = null;
  // When the server last refused the stream: try again a minute later, not at once.
  var refusedAt = 0;

  if (countdown) { countdown.live = true; }

  function sinceOf(path) {
    var match = /[?&]since=([^&]*)/.exec(path || "");
    return match ? decodeURIComponent(match[1]) : "";
  }

  function busy() {
    return countdown ? countdown.busy() : false;
  }

  function reload() {
    // Signed out, the ticket gone, the page changed shape: the page itself says what.
    if (!busy()) { window.location.reload(); }
  }

  function schedule(ms) {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; refresh(); }, ms);
  }

  function refresh() {
    if (inflight) { again = true; return; }
    var wait = last + GAP - Date.now();
    if (wait > 0) { schedule(wait); return; }
    inflight = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (response.redirected || !response.ok) { reload(); return null; }
      return response.text();
    }).then(function (html) {
      if (html !== null) { swap(html); }
    }).catch(function () {
      // Offline or the server restarting: the next minute tries again.
    }).then(function () {
      inflight = false;
      last = Date.now();
      if (!source && Date.now() - refusedAt >= MINUTE && document.visibilityState !== "hidden") {
        connect();
      }
      if (again) { again = false; schedule(GAP); } else { schedule(MINUTE); }
    });
  }

  // The path of child indexes from `root` down to `node`, to find its twin after a swap.
  function pathTo(root, node) {
    var path = [];
    while (node && node !== root) {
      var parent = node.parentNode;
      if (!parent) { return null; }
      path.unshift(Array.prototype.indexOf.call(parent.children, node));
      node = parent;
    }
    return node === root ? path : null;
  }

  function follow(root, path) {
    var node = root;
    for (var i = 0; node && i < path.length; i++) { node = node.children[path[i]]; }
    return node || null;
  }

  // What a person set on a region that the server does not render: open <details>,
  // scroll positions of the scrolling table boxes.
  function keepState(old, fresh) {
    var opened = old.querySelectorAll("details");
    var twins = fresh.querySelectorAll("details");
    for (var i = 0; i < opened.length && i < twins.length; i++) { twins[i].open = opened[i].open; }
    var boxes = old.querySelectorAll(".scroll");
    var boxTwins = fresh.querySelectorAll(".scroll");
    var scrolls = [];
    for (var j = 0; j < boxes.length && j < boxTwins.length; j++) {
      scrolls.push([boxTwins[j], boxes[j].scrollLeft, boxes[j].scrollTop]);
    }
    return scrolls;
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var regions = document.querySelectorAll("[data-live][id]");
    var pairs = [];
    for (var i = 0; i < regions.length; i++) {
      var twin = doc.getElementById(regions[i].id);
      if (!twin || !twin.hasAttribute("data-live")) { reload(); return; }
      pairs.push([regions[i], twin]);
    }
    // The focused element's twin: by id, else a link by its address (rows may have
    // moved), else by its place in the region.
    var active = document.activeElement;
    var focusId = active && active.id ? active.id : null;
    var focusHref = active && active.tagName === "A" ? active.getAttribute("href") : null;
    var focusPath = null;
    var focusIn = null;
    var x = window.scrollX;
    var y = window.scrollY;
    var scrolls = [];
    pairs.forEach(function (pair) {
      if (!focusId && active && pair[0].contains(active)) {
        focusIn = pair[1];
        focusPath = pathTo(pair[0], active);
      }
      scrolls = scrolls.concat(keepState(pair[0], pair[1]));
      pair[0].replaceWith(document.adoptNode(pair[1]));
    });
    scrolls.forEach(function (s) { s[0].scrollLeft = s[1]; s[0].scrollTop = s[2]; });
    var target = focusId ? document.getElementById(focusId) : null;
    if (!target && focusIn && focusHref !== null) {
      var links = focusIn.querySelectorAll("a[href]");
      for (var k = 0; k < links.length && !target; k++) {
        if (links[k].getAttribute("href") === focusHref) { target = links[k]; }
      }
    }
    if (!target && focusIn && focusPath) { target = follow(focusIn, focusPath); }
    if (target && target !== document.activeElement && typeof target.focus === "function") {
      target.focus({ preventScroll: true });
    }
    window.scrollTo(x, y);
    var stream = doc.querySelector("script[data-stream]");
    if (stream && !source) { known = sinceOf(stream.getAttribute("data-stream")) || known; }
    if (countdown) { countdown.tick(); }
    document.dispatchEvent(new CustomEvent("slaclock:live-update"));
  }

  function connect() {
    if (!window.EventSource || source) { return; }
    var url = streamPath.split("?")[0] + (known ? "?since=" + encodeURIComponent(known) : "");
    source = new EventSource(url);
    source.addEventListener("change", function (event) {
      if (event.lastEventId) { known = event.lastEventId; }
      refresh();
    });
    source.onerror = function () {
      // CONNECTING: the browser reconnects by itself (after the server's `retry:`).
      // CLOSED: refused (signed out, too many pages); the minute refresh carries on.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        refusedAt = Date.now();
        refresh();
      }
    };
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
  }

  // A hidden tab holds no stream (a browser opens only six connections per site over
  // HTTP/1.1), and catches up when it is shown again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      disconnect();
    } else {
      connect();
      if (Date.now() - last >= MINUTE) { refresh(); }
    }
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { connect(); refresh(); }  // back from the browser's page cache
  });

  if (document.visibilityState !== "hidden") { connect(); }
  schedule(MINUTE);
})();
