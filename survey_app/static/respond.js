/* survey_app group page: autosave, live conditions, ratio percentages, table rows.
   The page works without this file; it only makes it nicer. */
(function () {
  "use strict";
  var form = document.getElementById("group-form");
  if (!form) { return; }
  var line = document.getElementById("saved-line");
  var timer = null, saving = false, pending = false, stopped = false;
  var vi = document.documentElement.lang !== "en";

  function valueOf(name) {
    var inputs = form.querySelectorAll('[name="' + name + '-answer"]');
    if (!inputs.length) { return null; }
    if (inputs[0].type === "radio") {
      var picked = form.querySelector('[name="' + name + '-answer"]:checked');
      return picked ? picked.value : null;
    }
    if (inputs[0].type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    return inputs[0].value;
  }

  function number(text) {
    if (text === null || text === "") { return null; }
    var t = String(text).replace(/\s/g, "");
    t = vi ? t.replace(/\./g, "").replace(",", ".") : t.replace(/,/g, "");
    var n = Number(t);
    return isNaN(n) ? null : n;
  }

  function holds(cond, value) {
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) { return false; }
    if (cond.equals !== null && cond.equals !== undefined) {
      if (typeof cond.equals === "string") { return Array.isArray(value) ? value.indexOf(cond.equals) >= 0 : value === cond.equals; }
      return number(value) === cond.equals;
    }
    if (cond.any_of && cond.any_of.length) {
      var picked = Array.isArray(value) ? value : [value];
      return picked.some(function (v) { return cond.any_of.indexOf(v) >= 0; });
    }
    if (cond.at_least !== null && cond.at_least !== undefined) { var n = number(value); return n !== null && n >= cond.at_least; }
    return false;
  }

  function applyConditions() {
    form.querySelectorAll("[data-cond-field]").forEach(function (q) {
      var source = document.getElementById("q-" + q.dataset.condField.slice(2).replace(/_/g, "-"));
      var sourceHidden = source && source.hidden;
      q.hidden = sourceHidden || !holds(JSON.parse(q.dataset.cond), valueOf(q.dataset.condField));
    });
  }

  function updateRatios() {
    form.querySelectorAll(".ratio").forEach(function (box) {
      var nums = box.querySelectorAll("input"), out = box.querySelector("output");
      var a = number(nums[0].value), b = number(nums[1].value);
      out.textContent = (a !== null && b) ? (100 * a / b).toFixed(1).replace(".", vi ? "," : ".") + "%" : "";
    });
  }

  function show(text, isError) {
    if (!line) { return; }
    line.textContent = text;
    line.classList.toggle("error", !!isError);
  }

  function autosave() {
    if (stopped) { return; }
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    form.querySelectorAll('input[type="file"]').forEach(function (f) { data.delete(f.name); });
    fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin",
                                   headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (res) {
        var b = res.body;
        if (b.ok) {
          form.querySelector('[name="base_version"]').value = b.version;
          show(b.message || "", Object.keys(b.errors || {}).length > 0);
        } else {
          show(b.message || "", true);
          if (res.status === 409) { stopped = true; }
        }
      })
      .catch(function () { show(vi ? "Chưa lưu được: mất kết nối." : "Not saved: connection lost.", true); })
      .then(function () { saving = false; if (pending) { pending = false; schedule(); } });
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(autosave, 3000); }

  form.addEventListener("input", function (e) {
    applyConditions(); updateRatios();
    if (e.target.type !== "file") { schedule(); }
  });
  form.addEventListener("change", function (e) { applyConditions(); if (e.target.type !== "file") { schedule(); } });
  form.addEventListener("submit", function () { clearTimeout(timer); stopped = true; });

  // "Add a row" without a round trip: copy the last row with empty inputs and the next index.
  form.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function (e) {
      var table = button.previousElementSibling.querySelector("table.rows tbody");
      var last = table && table.querySelector("tr:last-child");
      if (!last) { return; }
      e.preventDefault();
      var index = table.querySelectorAll("tr").length;
      var row = last.cloneNode(true);
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        ["name", "id"].forEach(function (attr) {
          if (el[attr]) { el[attr] = el[attr].replace(/-rows-\d+-/, "-rows-" + index + "-"); }
        });
        if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
        el.removeAttribute("aria-invalid");
      });
      row.querySelectorAll(".error").forEach(function (p) { p.remove(); });
      table.appendChild(row);
      row.querySelector("input, select, textarea").focus();
    });
  });

  applyConditions(); updateRatios();
})();
