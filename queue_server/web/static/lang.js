// Language switch shared by every page: Vietnamese first, English on request; remembered.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "motcua.lang";
  function set(lang) {
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    try { localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ }
  }
  var fromUrl = /[?&]lang=(vi|en)\b/.exec(location.search);
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { saved = null; }
  if (fromUrl) { set(fromUrl[1]); } else if (saved === "vi" || saved === "en") { set(saved); }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-lang-switch]");
    if (button) { set(root.getAttribute("data-lang") === "en" ? "vi" : "en"); }
  });
})();
