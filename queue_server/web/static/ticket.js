// The citizen's ticket page: follows /t/{token}/ws and redraws; alerts when called.
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("ticket-state").textContent);
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + location.pathname + "/ws";
  var overlay = document.querySelector("[data-overlay]");
  var dismissedCall = null;
  var backoff = 1000;
  var lastMessage = Date.now();
  var socket = null;

  function all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  function fill(name, value) {
    all('[data-f="' + name + '"]').forEach(function (el) { el.textContent = value == null ? "" : String(value); });
  }

  function render(s) {
    var moved = s.moved_from || {};
    fill("label", s.label);
    fill("service_name_vi", s.service_name_vi);
    fill("service_name_en", s.service_name_en || s.service_name_vi);
    fill("site_name_vi", s.site_name_vi);
    fill("site_name_en", s.site_name_en || s.site_name_vi);
    fill("site_address", s.site_address);
    fill("people_ahead", s.people_ahead == null ? "–" : s.people_ahead);
    var wait = s.wait || {};
    fill("wait_vi", wait.text_vi);
    fill("wait_en", wait.text_en);
    all("[data-wait-state]").forEach(function (el) { el.setAttribute("data-wait-state", wait.state || ""); });
    fill("counter_number", s.counter_number);
    fill("moved_label", moved.label);
    fill("moved_site_vi", moved.site_name_vi);
    fill("moved_site_en", moved.site_name_en || moved.site_name_vi);
    all("[data-f-href=map]").forEach(function (a) {
      a.href = "https://www.openstreetmap.org/?mlat=" + s.site_latitude + "&mlon=" + s.site_longitude +
        "#map=17/" + s.site_latitude + "/" + s.site_longitude;
    });
    all("[data-show]").forEach(function (el) {
      var keys = el.getAttribute("data-show").split(" ");
      var show = keys.indexOf(s.status) >= 0 ||
        (keys[0] === "moved" && !!s.moved_from) ||
        (keys[0] === "ahead" && !!s.people_ahead) ||
        // "next in line" only while a counter serving the line is open
        (keys[0] === "next" && s.people_ahead === 0 && wait.state !== "no_counter_open") ||
        (keys[0] === "rate" && s.status === "done" && !s.rated) ||
        (keys[0] === "rated" && !!s.rated);
      el.hidden = !show;
    });
    document.body.setAttribute("data-status", s.status);
    document.title = s.label + " · " + (document.documentElement.getAttribute("data-lang") === "en" ?
      (s.site_name_en || s.site_name_vi) : s.site_name_vi);
    var callKey = s.status === "called" ? s.label + "@" + s.called_at : null;
    if (callKey && callKey !== dismissedCall) {
      if (overlay.hidden) { alertCitizen(); }
      overlay.hidden = false;
    } else if (!callKey) {
      overlay.hidden = true;
    }
  }

  // Phones allow sound and vibration only after the citizen has tapped the page once:
  // the bell button is that tap, and keeps the audio context it unlocked.
  var audio = null;
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { audio = new Ctx(); }
    return audio;
  }
  document.querySelector("[data-bell]").addEventListener("click", function () {
    var ctx = audioContext();
    if (ctx && ctx.resume) { ctx.resume(); }
    try { if (navigator.vibrate) { navigator.vibrate(60); } } catch (e) { /* not allowed */ }
    this.hidden = true;
    document.querySelector("[data-bell-on]").hidden = false;
  });

  function alertCitizen() {
    try { if (navigator.vibrate && (!navigator.userActivation || navigator.userActivation.hasBeenActive)) {
      navigator.vibrate([400, 150, 400, 150, 800]);
    } } catch (e) { /* not allowed */ }
    try {
      var ctx = audio;  // only once unlocked by a tap: a blocked context just logs warnings
      if (!ctx) { return; }
      [0, 0.35].forEach(function (at, i) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.3, ctx.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.3);
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.32);
      });
    } catch (e) { /* no audio */ }
  }

  document.querySelector("[data-overlay-ok]").addEventListener("click", function () {
    dismissedCall = state.status === "called" ? state.label + "@" + state.called_at : null;
    overlay.hidden = true;
  });

  // ---- satisfaction rating, once the visit is finished ----
  var chosenLevel = null;
  function sendRating() {
    var reason = document.getElementById("reason").value.trim();
    var error = document.querySelector("[data-rate-error]");
    error.hidden = true;
    fetch("/api/v1/public/tickets/" + encodeURIComponent(location.pathname.split("/")[2]) + "/rating", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ level: chosenLevel, reason: reason })
    }).then(function (r) {
      if (r.status === 201 || r.status === 409) { state.rated = true; render(state); } else { error.hidden = false; }
    }).catch(function () { error.hidden = false; });
  }
  all("[data-rate]").forEach(function (button) {
    button.addEventListener("click", function () {
      chosenLevel = button.getAttribute("data-rate");
      all("[data-rate]").forEach(function (b) { b.classList.toggle("chosen", b === button); });
      if (chosenLevel === "unsatisfied") {
        document.querySelector("[data-reason]").hidden = false;
        document.getElementById("reason").focus();
      } else {
        sendRating();
      }
    });
  });
  document.querySelector("[data-rate-send]").addEventListener("click", sendRating);

  function live(mode) { all("[data-live]").forEach(function (el) { el.setAttribute("data-live", mode); }); }

  function connect() {
    if (socket || state.final) { return; }
    live("connecting");
    try { socket = new WebSocket(wsUrl); } catch (e) { socket = null; retry(); return; }
    socket.onopen = function () { backoff = 1000; live("live"); };
    socket.onmessage = function (ev) {
      lastMessage = Date.now();
      var msg = JSON.parse(ev.data);
      if (msg.kind === "ticket") { state = msg.ticket; render(state); }
      if (state.final && socket) { socket.close(); }
    };
    socket.onclose = function () {
      socket = null;
      if (state.final) { live("done"); } else { live("offline"); retry(); }
    };
  }
  function retry() {
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }
  // A connection silent for too long (phone slept, network changed) is replaced.
  setInterval(function () {
    if (socket && Date.now() - lastMessage > 60000) { socket.close(); }
  }, 10000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !socket) { backoff = 1000; connect(); }
  });

  render(state);
  if (state.final) { live("done"); }
  connect();
})();
