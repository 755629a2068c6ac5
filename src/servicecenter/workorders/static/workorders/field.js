/* The deadline countdowns of the phone pages tick without reloading: every element with data-due (ISO time) is
   rewritten every 30 s from its data-left / data-over templates ("{span}" is replaced) and recoloured. Time is the
   server's (data-now, at render) plus the time elapsed since the page loaded, so a phone with a wrong clock still
   counts right. */
(function () {
  "use strict";
  function span(el, minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return h ? el.dataset.hm.replace("{h}", h).replace("{m}", m) : el.dataset.m.replace("{m}", m);
  }
  var loaded = Date.now();
  function tick() {
    var elapsed = Date.now() - loaded;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var now = Date.parse(el.dataset.now) + elapsed;
      var minutes = Math.floor((Date.parse(el.dataset.due) - now) / 60000);
      var warn = Date.parse(el.dataset.warn);
      var label = el.querySelector("[data-label]") || el;
      label.textContent = (minutes < 0 ? el.dataset.over : el.dataset.left).replace("{span}", span(el, Math.abs(minutes)));
      var colour = minutes < 0 ? "danger" : (now >= warn ? "warning" : "success");
      ["danger", "warning", "success"].forEach(function (c) {
        el.classList.toggle(el.dataset.prefix + c, c === colour);
        var card = el.closest(".field-card");
        if (card) { card.classList.toggle("deadline-" + c, c === colour); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
