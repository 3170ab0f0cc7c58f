// Lobby display in a browser: follows the site stream, shows calls, says them aloud.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("display-config").textContent);
  var API = "/api/v1";
  var auth = { Authorization: "Bearer " + cfg.token };
  var MAX_CALLS = 8;
  var st = { seq: -1, calls: [], queues: [], notice: "" };
  var socket = null, backoff = 1000, refreshTimer = null, lastMessage = Date.now();
  var voiceQueue = [], speaking = false, unlocked = false, phraseCache = {};

  function $(sel) { return document.querySelector(sel); }
  function all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  function text(el, value) { if (el) { el.textContent = value == null ? "" : String(value); } }
  function h(tag, cls, value) { var el = document.createElement(tag); if (cls) { el.className = cls; } text(el, value); return el; }

  // ---- clock (the site's time zone, whatever the TV's own setting) ----
  var DAYS = { Sun: "Chủ nhật", Mon: "Thứ hai", Tue: "Thứ ba", Wed: "Thứ tư", Thu: "Thứ năm", Fri: "Thứ sáu", Sat: "Thứ bảy" };
  var clockFormat = null;
  try {
    clockFormat = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.time_zone, hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", weekday: "short", day: "2-digit", month: "2-digit", year: "numeric" });
  } catch (e) { clockFormat = null; }
  function tick() {
    var parts = {};
    if (clockFormat) {
      clockFormat.formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    } else {
      var d = new Date(), pad = function (n) { return n < 10 ? "0" + n : String(n); };
      parts = { hour: pad(d.getHours()), minute: pad(d.getMinutes()), weekday: Object.keys(DAYS)[d.getDay()],
        day: pad(d.getDate()), month: pad(d.getMonth() + 1), year: String(d.getFullYear()) };
    }
    text($("[data-clock]"), parts.hour + ":" + parts.minute);
    text($("[data-date]"), (DAYS[parts.weekday] || "") + ", " + parts.day + "/" + parts.month + "/" + parts.year);
  }

  // ---- drawing ----
  function draw() {
    var current = st.calls[0];
    $("[data-now-body]").hidden = !current;
    $("[data-idle]").hidden = !!current;
    if (current) {
      text($("[data-now-label]"), current.label);
      all("[data-now-counter]").forEach(function (el) { text(el, current.counter_number); });
    }
    var body = $("[data-calls]");
    body.textContent = "";
    st.calls.slice(1, MAX_CALLS + 1).forEach(function (c) {
      var tr = document.createElement("tr");
      tr.appendChild(h("td", "", c.label));
      tr.appendChild(h("td", "", c.counter_number));
      body.appendChild(tr);
    });
    var list = $("[data-queues]");
    list.textContent = "";
    st.queues.forEach(function (q) {
      var li = h("li", q.waiting ? "" : "empty");
      li.appendChild(h("b", "q-code", q.service_code));
      var names = h("span", "q-name");
      names.appendChild(h("span", "", q.service_name_vi));
      names.appendChild(h("small", "", q.service_name_en));
      li.appendChild(names);
      var right = h("span", "q-right");
      right.appendChild(h("b", "q-count", q.waiting));
      // the server's one wait figure, in its words (never a number of our own)
      right.appendChild(h("small", "q-wait", !q.waiting || !q.wait ? "người" : q.wait.text_vi));
      li.appendChild(right);
      list.appendChild(li);
    });
    var notice = $("[data-notice]"), box = $("[data-notice-box]");
    if (notice.textContent !== st.notice) {
      text(notice, st.notice);
      box.hidden = !st.notice;
      // Scroll only a notice too long for the screen: there and back, pausing at each end.
      var shift = notice.scrollWidth - box.clientWidth + 40;
      box.classList.toggle("long", shift > 40);
      box.style.setProperty("--ticker-shift", -shift + "px");
      box.style.setProperty("--ticker-seconds", Math.max(8, shift / 60) + "s");
    }
  }

  function flash() {
    var box = $("[data-now]");
    box.classList.remove("flash");
    void box.offsetWidth; // restart the animation
    box.classList.add("flash");
  }

  // ---- state ----
  function applySnapshot(snap) {
    st.seq = snap.seq;
    st.queues = snap.queues;
    st.notice = snap.site.notice || "";
    if (!st.calls.length || st.resyncCalls) {
      st.calls = snap.recent_calls.map(function (c) { return { label: c.label, counter_number: c.counter_number }; });
      st.resyncCalls = false;
    }
    draw();
  }

  function loadSnapshot() {
    return fetch(API + "/sites/" + encodeURIComponent(cfg.site_code) + "/snapshot", { headers: auth, cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("snapshot " + r.status); } return r.json(); })
      .then(applySnapshot);
  }

  function refreshSoon() {
    // Estimates move with every event; one snapshot a couple of seconds later covers a burst.
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () { refreshTimer = null; loadSnapshot().catch(function () {}); }, 2000);
  }

  function applyEvent(ev) {
    if (ev.site_id !== cfg.site_id || ev.seq <= st.seq) { return; }
    if (ev.seq !== st.seq + 1) { st.resyncCalls = true; loadSnapshot().catch(function () {}); return; }
    st.seq = ev.seq;
    var ticket = ev.ticket || {};
    if ((ev.type === "TicketCalled" || ev.type === "TicketRecalled") && ticket.label) {
      var number = (ev.counter && ev.counter.number) || ticket.counter_number;
      st.calls = st.calls.filter(function (c) { return c.label !== ticket.label; });
      st.calls.unshift({ label: ticket.label, counter_number: number });
      st.calls = st.calls.slice(0, MAX_CALLS + 1);
      flash();
      announce(ticket.label, number);
    }
    if (ev.type === "NoticePosted") { st.notice = (ev.data && ev.data.notice) || ""; }
    Object.keys(ev.waiting || {}).forEach(function (sid) {
      st.queues.forEach(function (q) {
        if (String(q.service_id) === sid) { q.waiting = ev.waiting[sid]; q.wait = (ev.waits || {})[sid] || q.wait; }
      });
    });
    draw();
    refreshSoon();
  }

  // ---- stream ----
  function link(mode) {
    var el = $("[data-link]");
    el.setAttribute("data-link", mode);
    text($("[data-link-text]"), mode === "live" ? "" : mode === "connecting" ? "Đang kết nối… · Connecting…" : "Mất kết nối, đang thử lại… · Reconnecting…");
  }

  function connect() {
    if (socket) { return; }
    link("connecting");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + API + "/ws/sites/" +
      encodeURIComponent(cfg.site_code) + "?token=" + encodeURIComponent(cfg.token);
    socket = new WebSocket(url);
    socket.onmessage = function (msg) {
      lastMessage = Date.now();
      var m = JSON.parse(msg.data);
      if (m.kind === "hello") {
        // Subscribed first, snapshot second: nothing in between is lost.
        st.resyncCalls = true;
        loadSnapshot().then(function () { backoff = 1000; link("live"); }).catch(function () { socket.close(); });
      } else if (m.kind === "event") {
        applyEvent(m);
      } else if (m.kind === "heartbeat" && (m.seqs || {})[String(cfg.site_id)] > st.seq) {
        loadSnapshot().catch(function () {});
      }
    };
    socket.onclose = function () {
      socket = null;
      link("offline");
      setTimeout(connect, backoff * (0.75 + Math.random() / 2));
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  setInterval(function () {
    if (socket && Date.now() - lastMessage > 60000) { socket.close(); } // a silent stream is dead
  }, 10000);

  // ---- voice: chime, then the call twice; never two calls at once ----
  function announce(label, counter) {
    if (!cfg.voice || !window.speechSynthesis) { return; }
    voiceQueue.push({ label: label, counter: counter });
    if (!speaking) { nextCall(); }
  }

  function phrases(label, counter) {
    var key = label + "@" + counter;
    if (phraseCache[key]) { return Promise.resolve(phraseCache[key]); }
    var url = "/display/" + encodeURIComponent(cfg.site_code) + "/phrase?label=" + encodeURIComponent(label) +
      "&counter=" + encodeURIComponent(counter) + "&token=" + encodeURIComponent(cfg.token);
    return fetch(url).then(function (r) { return r.json(); }).then(function (p) { phraseCache[key] = p; return p; })
      .catch(function () {
        return { vi: "Mời công dân có số thứ tự " + label + " đến quầy số " + counter,
                 en: "Ticket number " + label + ", please go to counter " + counter };
      });
  }

  function say(textToSay, lang) {
    return new Promise(function (resolve) {
      var u = new SpeechSynthesisUtterance(textToSay);
      u.lang = lang;
      var voices = window.speechSynthesis.getVoices() || [];
      var voice = voices.filter(function (v) { return v.lang && v.lang.toLowerCase().indexOf(lang.slice(0, 2)) === 0; })[0];
      if (voice) { u.voice = voice; }
      u.rate = 0.9;
      var done = false;
      function finish() { if (!done) { done = true; resolve(); } }
      u.onend = finish; u.onerror = finish;
      setTimeout(finish, 15000); // some engines never say they finished
      window.speechSynthesis.speak(u);
    });
  }

  function chime() {
    return new Promise(function (resolve) {
      try {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        var ctx = new Ctx();
        [[784, 0], [659, 0.45], [523, 0.9]].forEach(function (n) {
          var osc = ctx.createOscillator(), gain = ctx.createGain();
          osc.frequency.value = n[0];
          gain.gain.setValueAtTime(0.25, ctx.currentTime + n[1]);
          gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + n[1] + 0.6);
          osc.connect(gain); gain.connect(ctx.destination);
          osc.start(ctx.currentTime + n[1]); osc.stop(ctx.currentTime + n[1] + 0.62);
        });
        setTimeout(resolve, 1500);
      } catch (e) { resolve(); }
    });
  }

  function nextCall() {
    var call = voiceQueue.shift();
    if (!call) { speaking = false; return; }
    speaking = true;
    phrases(call.label, call.counter).then(function (p) {
      return chime()
        .then(function () { return say(p.vi, "vi-VN"); })
        .then(function () { return say(p.vi, "vi-VN"); })
        .then(function () { return cfg.voice_en ? say(p.en, "en-US") : null; });
    }).then(nextCall, nextCall);
  }

  // Browsers speak only after a first tap on the page; a TV launched with an autoplay
  // policy flag can skip it with ?kiosk=1.
  var unlock = $("[data-unlock]");
  if (cfg.voice && !/[?&]kiosk=1\b/.test(location.search)) {
    unlock.hidden = false;
    $("[data-unlock-button]").addEventListener("click", function () {
      unlocked = true;
      unlock.hidden = true;
      try { window.speechSynthesis.speak(new SpeechSynthesisUtterance(" ")); } catch (e) { /* ignore */ }
    });
  }

  tick();
  setInterval(tick, 1000);
  draw();
  connect();
})();
