// Lobby display in a browser: follows the site stream, shows calls, says them aloud.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("display-config").textContent);
  // Paired by an HttpOnly cookie (web/display.py): this script holds no credential.
  var HOME = "/display/" + encodeURIComponent(cfg.site_code);
  var MAX_CALLS = 8;
  var st = { seq: -1, calls: [], queues: [], counters: [], notice: "" };
  var socket = null, backoff = 1000, refreshTimer = null, lastMessage = Date.now();
  var voiceQueue = [], speaking = false, unlocked = false, phraseCache = {};

  function $(sel) { return document.querySelector(sel); }
  function all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  function text(el, value) { if (el) { el.textContent = value == null ? "" : String(value); } }
  function h(tag, cls, value) { var el = document.createElement(tag); if (cls) { el.className = cls; } text(el, value); return el; }

  // ---- clock (the site's time zone, whatever the TV's own setting) ----
  // The glossary's weekday names (Monday first), as the Kivy display writes them.
  var DAYS = {};
  ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].forEach(function (d, i) { DAYS[d] = cfg.words.weekdays[i]; });
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
      parts = { hour: pad(d.getHours()), minute: pad(d.getMinutes()), weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getDay()],
        day: pad(d.getDate()), month: pad(d.getMonth() + 1), year: String(d.getFullYear()) };
    }
    text($("[data-clock]"), parts.hour + ":" + parts.minute);
    text($("[data-date]"), (DAYS[parts.weekday] || "") + ", " + parts.day + "/" + parts.month + "/" + parts.year);
  }

  // ---- drawing (the layout of shared/lobby_layout.py; words from the server) ----
  var W = cfg.words;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? "" : String(values[k]); });
  }
  function shortName(code) { return (cfg.short_names || {})[code] || code; }
  function offline(c) { return c.state === "closed" || c.state === "paused"; }

  function waitWords(q) {
    // The server's own figure when the snapshot has one, else the words for its estimate.
    if (q.wait && q.wait.text_vi) { return q.wait.text_vi; }
    var open = st.counters.some(function (c) {
      return c.state === "open" && (c.services || []).some(function (s) { return s.service_code === q.service_code; });
    });
    if (!open) { return W.wait.no_counter_open; }
    if (!q.waiting) { return ""; }
    var m = q.estimated_wait_minutes;
    if (m == null) { return W.wait.no_counter_open; }
    if (m < 3) { return W.wait.soon; }
    m = m <= 10 ? Math.round(m) : m <= 60 ? 5 * Math.round(m / 5) : 15 * Math.round(m / 15);
    return fill(W.wait.minutes, { n: m });
  }

  function drawCall() {
    var current = st.calls[0];
    $("[data-now-body]").hidden = !current;
    $("[data-idle]").hidden = !!current;
    $("[data-now]").classList.toggle("calling", !!current);
    if (!current) { return; }
    text($("[data-now-label]"), current.label);
    text($("[data-now-counter]"), current.counter_number);
    text($("[data-now-counter-text]"), fill(W.to_counter_vi, { counter: current.counter_number }));
    text($("[data-now-en]"), fill(W.call_sentence_en, { label: current.label, counter: current.counter_number }));
  }

  function drawCounters() {
    var open = st.counters.filter(function (c) { return !offline(c); });
    var tiles = $("[data-tiles]");
    tiles.textContent = "";
    tiles.classList.toggle("compact", open.length > cfg.tile_columns);
    open.forEach(function (c) {
      var t = c.current_ticket;
      var status = !t ? "idle" : t.status === "called" ? "called" : "serving";
      var tile = h("div", "l-tile " + status);
      tile.setAttribute("data-counter", c.number);
      var number = h("b", "", open.length > cfg.tile_columns ? c.number : W.counter + " " + c.number);
      number.setAttribute("data-role", "counter_number");
      tile.appendChild(number);
      var ticket = h("span", "l-ticket", t ? t.label : W.ready);
      ticket.setAttribute("data-role", "counter_ticket");
      tile.appendChild(ticket);
      var services = (c.services || []).slice().sort(function (a, b) { return (b.weight || 1) - (a.weight || 1) || (a.service_code < b.service_code ? -1 : 1); });
      var names = h("small", "", services.map(function (s) { return shortName(s.service_code); }).join(", "));
      names.setAttribute("data-role", "counter_services");
      tile.appendChild(names);
      tiles.appendChild(tile);
    });
    var numbers = function (state) {
      return st.counters.filter(function (c) { return c.state === state; }).map(function (c) { return c.number; })
        .sort(function (a, b) { return a - b; }).join(", ");
    };
    var vi = [], en = [];
    [["paused", W.paused], ["closed", W.closed]].forEach(function (p) {
      var list = numbers(p[0]);
      if (list) { vi.push(fill(p[1][0], { numbers: list })); en.push(p[1][1]); }
    });
    text($("[data-closed]"), !open.length && st.counters.length ? W.all_closed : vi.length ? vi.concat([en.join(" / ")]).join("  ·  ") : "");
  }

  function drawRecent() {
    var chips = $("[data-calls]");
    chips.textContent = "";
    var recent = st.calls.slice(1, cfg.recent_slots + 1);
    recent.forEach(function (c) {
      var chip = h("div", "l-chip");
      var label = h("b", "", c.label);
      label.setAttribute("data-role", "recent_label");
      chip.appendChild(label);
      var where = h("span", "", W.counter + " " + c.counter_number);
      where.setAttribute("data-role", "recent_counter");
      chip.appendChild(where);
      chips.appendChild(chip);
    });
    $("[data-no-calls]").hidden = recent.length > 0;
  }

  function drawQueues() {
    var list = $("[data-queues]");
    list.textContent = "";
    st.queues.forEach(function (q) {
      var li = h("li", "l-line");
      li.setAttribute("data-service", q.service_code);
      var code = h("b", "l-code", q.service_code);
      code.setAttribute("data-role", "service_code");
      li.appendChild(code);
      var names = h("span", "l-names");
      var vi = h("b", "", q.service_name_vi);
      vi.setAttribute("data-role", "service_name");
      names.appendChild(vi);
      var en = h("span", "", q.service_name_en);
      en.setAttribute("data-role", "service_name_en");
      names.appendChild(en);
      li.appendChild(names);
      var right = h("span", "l-count");
      var count = h("b", "q-count", q.waiting);
      count.setAttribute("data-role", "service_count");
      right.appendChild(count);
      var wait = h("span", "q-wait", waitWords(q));
      wait.setAttribute("data-role", "service_wait");
      right.appendChild(wait);
      li.appendChild(right);
      list.appendChild(li);
    });
  }

  function draw() {
    drawCall();
    drawCounters();
    drawRecent();
    drawQueues();
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
    st.counters = snap.counters || [];
    st.notice = snap.site.notice || "";
    if (!st.calls.length || st.resyncCalls) {
      st.calls = snap.recent_calls.map(function (c) { return { label: c.label, counter_number: c.counter_number }; });
      st.resyncCalls = false;
    }
    draw();
  }

  function loadSnapshot() {
    return fetch(HOME + "/snapshot", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("snapshot " + r.status); } return r.json(); })
      .then(applySnapshot);
  }

  function refreshSoon() {
    // Estimates move with every event; one snapshot a couple of seconds later covers a burst.
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () { refreshTimer = null; loadSnapshot().catch(function () {}); }, 2000);
  }

  function applyCounter(brief, ticket) {
    st.counters.forEach(function (c) {
      if (c.id !== brief.id) { return; }
      if (brief.state) { c.state = brief.state; }
      if (brief.current_ticket_id == null) { c.current_ticket = null; }
      else if (ticket && ticket.id === brief.current_ticket_id) { c.current_ticket = { id: ticket.id, label: ticket.label, status: ticket.status }; }
    });
  }

  function applyEvent(ev) {
    if (ev.site_id !== cfg.site_id || ev.seq <= st.seq) { return; }
    if (ev.seq !== st.seq + 1) { st.resyncCalls = true; loadSnapshot().catch(function () {}); return; }
    st.seq = ev.seq;
    var ticket = ev.ticket || {};
    if (ev.counter) { applyCounter(ev.counter, ev.ticket); }
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
    text($("[data-link-text]"), mode === "live" ? "" : mode === "connecting" ? "Đang kết nối… · Connecting…" : "• " + cfg.words.reconnecting);
  }

  function connect() {
    if (socket) { return; }
    link("connecting");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + HOME + "/ws";
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
    var url = HOME + "/phrase?label=" + encodeURIComponent(label) + "&counter=" + encodeURIComponent(counter);
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
        var ctx = audio || new Ctx();
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

  // ---- sound: a TV started with --autoplay-policy=no-user-gesture-required speaks at once;
  // a browser that still wants a touch first shows "sound off — tap to enable" until then.
  var soundOff = $("[data-sound-off]");
  var audio = null;
  try { var Ctx = window.AudioContext || window.webkitAudioContext; audio = Ctx ? new Ctx() : null; } catch (e) { audio = null; }
  function soundBlocked() { return !!audio && audio.state !== "running"; }
  function showSoundState() { soundOff.hidden = !cfg.voice || !soundBlocked(); }
  function unlockSound() {
    unlocked = true;
    try { window.speechSynthesis.speak(new SpeechSynthesisUtterance(" ")); } catch (e) { /* ignore */ }
    if (audio) { audio.resume().then(showSoundState, showSoundState); }
    soundOff.hidden = true;
  }
  if (cfg.voice) {
    showSoundState();
    if (audio) { audio.onstatechange = showSoundState; }
    soundOff.addEventListener("click", unlockSound);
    document.addEventListener("keydown", unlockSound, { once: true });
  }

  tick();
  setInterval(tick, 1000);
  draw();
  connect();
})();
