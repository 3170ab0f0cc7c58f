// Manager pages: follow the all-sites stream and reload the live part of the page after
// events (the server renders it; the script only swaps HTML). Ticked boxes survive reloads.
(function () {
  "use strict";
  var box = document.querySelector("[data-live-src]");
  if (!box) { return; }
  var src = box.getAttribute("data-live-src");
  var siteId = box.getAttribute("data-site-id");
  var socket = null, backoff = 1000, timer = null, lastMessage = Date.now();

  function state(mode) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-state]"), function (el) {
      el.setAttribute("data-live-state", mode);
    });
  }

  function busy() {
    var el = document.activeElement;
    return el && box.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && el.type !== "checkbox";
  }

  function refresh() {
    timer = null;
    if (busy()) { schedule(2000); return; }
    fetch(src, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.redirected || r.status === 401 || r.status === 403) { location.reload(); return null; }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html == null) { return; }
      var ticked = {};
      Array.prototype.forEach.call(box.querySelectorAll("input[type=checkbox]:checked"), function (c) {
        ticked[c.name + "=" + c.value] = true;
      });
      box.innerHTML = html;
      Array.prototype.forEach.call(box.querySelectorAll("input[type=checkbox]"), function (c) {
        if (ticked[c.name + "=" + c.value]) { c.checked = true; }
      });
      box.setAttribute("data-refreshed", String(Date.now()));
    }).catch(function () { /* next event or timer tries again */ });
  }

  function schedule(delay) { if (!timer) { timer = setTimeout(refresh, delay); } }

  function connect() {
    state("connecting");
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/manager/ws");
    socket.onmessage = function (ev) {
      lastMessage = Date.now();
      var m = JSON.parse(ev.data);
      if (m.kind === "hello") { backoff = 1000; state("live"); schedule(50); }
      if (m.kind === "event" && (!siteId || String(m.site_id) === siteId)) { schedule(300); }
    };
    socket.onclose = function () {
      socket = null;
      state("offline");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  }
  // Ages and averages move with time too: a quiet page still refreshes now and then.
  setInterval(function () { schedule(0); }, 30000);
  setInterval(function () { if (socket && Date.now() - lastMessage > 60000) { socket.close(); } }, 10000);
  connect();
})();
