// GlobalDesk's small script: htmx sends the CSRF token, suggestion buttons add codes to their
// field, and the company form keeps a draft in this browser until it is saved.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });

  // Enter in a suggestion search box looks up suggestions; it must not submit (and save) the
  // whole form around it. Enter that ends an IME composition (Korean input) does nothing.
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || e.isComposing || !el.matches || !el.matches('input[type="search"][hx-get]') || !el.form) return;
    e.preventDefault();
    if (window.htmx) window.htmx.trigger(el, "search");
  });

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-add-code]");
    if (!b) return;
    var field = document.getElementById(b.getAttribute("data-target"));
    if (!field) return;
    var codes = field.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    var code = b.getAttribute("data-add-code");
    if (codes.indexOf(code) < 0) codes.push(code);
    field.value = codes.join(", ");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });

  // "Print or save as PDF" on a plan: the browser's own print dialog, with the print styles
  // that leave out forms and navigation.
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) window.print();
  });

  // Drafts: the company form's values are kept in localStorage while typing, restored on a
  // fresh visit, and dropped on submit. Nothing leaves the browser until the person saves.
  var form = document.querySelector("form[data-draft]");
  if (form && window.localStorage) {
    var key = "gd-draft:" + form.getAttribute("data-draft");
    var hasErrors = !!document.getElementById("error-summary");
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (_) { saved = null; }
    if (saved && !hasErrors && location.search.indexOf("saved=") < 0) {
      Object.keys(saved).forEach(function (name) {
        var el = form.elements[name];
        if (el && el.type !== "hidden" && el.type !== "checkbox" && el.type !== "password") el.value = saved[name];
      });
    }
    if (location.search.indexOf("saved=") >= 0) localStorage.removeItem(key);
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "hidden" && el.type !== "password" && el.type !== "checkbox" && el.type !== "search") data[el.name] = el.value;
      });
      localStorage.setItem(key, JSON.stringify(data));
    });
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  }
  // Drafts belong to whoever typed them (the key names the account); signing out forgets them
  // all, so the next person on a shared computer does not see another company's data.
  document.addEventListener("submit", function (e) {
    if (!window.localStorage || !e.target.matches('form[action="/logout"]')) return;
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var k = localStorage.key(i);
      if (k && k.indexOf("gd-draft:") === 0) localStorage.removeItem(k);
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
