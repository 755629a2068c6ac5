/* The customer's signature on a canvas (SVC-05): pointer events (finger, pen and mouse), a clear button; on submit
   the drawing is put into the hidden input as a PNG data URL. No library, no CDN. */
(function () {
  "use strict";
  function setup(pad) {
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[type=hidden]");
    var clear = pad.querySelector("[data-sig-clear]");
    var status = pad.querySelector("[data-sig-status]");
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;

    function resize() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, rect.width, rect.height);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      drawn = false;
      update();
    }
    function point(e) {
      var rect = canvas.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    }
    function update() {
      canvas.classList.toggle("signed", drawn);
      if (status) { status.textContent = drawn ? status.dataset.signed : status.dataset.empty; }
      input.value = drawn ? canvas.toDataURL("image/png") : "";
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      drawing = true;
      last = point(e);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      e.preventDefault();
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      drawn = true;
    });
    function stop() {
      if (!drawing) { return; }
      drawing = false;
      update();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    if (clear) { clear.addEventListener("click", function () { resize(); }); }
    var form = canvas.closest("form");
    if (form) { form.addEventListener("submit", update); }
    resize();
  }
  function materials(form) {
    var add = form.querySelector("[data-add-material]");
    var body = form.querySelector("[data-materials]");
    if (!add || !body) { return; }
    add.addEventListener("click", function () {
      var row = body.querySelector(".material-row");
      var copy = row.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      body.appendChild(copy);
      copy.querySelector("input").focus();
    });
  }
  function payment(form) {
    var box = form.querySelector("[data-pay]");
    if (!box) { return; }
    var threshold = box.dataset.threshold === "" ? null : parseFloat(box.dataset.threshold);
    var onsite = box.querySelector("[data-pay-onsite]");
    var invoice = box.querySelector("[data-pay-invoice]");
    var none = box.querySelector("[data-pay-none]");
    var totalEl = box.querySelector("[data-pay-total]");
    function num(v) { var n = parseFloat(v); return isFinite(n) && n > 0 ? n : 0; }
    function recalc() {
      var total = num((form.querySelector("[name=labour_fee]") || {}).value);
      form.querySelectorAll(".material-row").forEach(function (row) {
        var name = row.querySelector("[name=mat_name]").value.trim();
        if (!name) { return; }
        var q = row.querySelector("[name=mat_qty]").value;
        total += (q === "" ? 1 : num(q)) * num(row.querySelector("[name=mat_price]").value);
      });
      totalEl.textContent = total.toFixed(2);
      var path = total <= 0 ? "none" : (threshold !== null && total <= threshold ? "onsite" : "invoice");
      none.hidden = path !== "none";
      onsite.hidden = path !== "onsite";
      invoice.hidden = path !== "invoice";
      var tick = onsite.querySelector("input[type=checkbox]");
      if (tick && path !== "onsite") { tick.checked = false; }
    }
    form.addEventListener("input", recalc);
    form.addEventListener("click", function (e) { if (e.target.closest("[data-add-material]")) { recalc(); } });
    recalc();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-pad]").forEach(setup);
    document.querySelectorAll("form[data-complete]").forEach(function (f) { materials(f); payment(f); });
    document.querySelectorAll("form[data-once]").forEach(function (f) {
      f.addEventListener("submit", function () {
        setTimeout(function () { f.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); });
      });
    });
  });
})();
