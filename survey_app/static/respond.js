/* survey_app group page: autosave, live conditions, ratio percentages, table rows.
   The page works without this file; it only makes it nicer. Its rules come from the
   server (the JSON block #page-rules): number separators, which answers show which
   questions, and the messages, so the page never reads a value differently. */
(function () {
  "use strict";
  var form = document.getElementById("group-form");
  var rulesBlock = document.getElementById("page-rules");
  if (!form || !rulesBlock) { return; }
  var rules = JSON.parse(rulesBlock.textContent);
  var text = rules.messages;
  var line = document.getElementById("saved-line");
  var delay = Number(form.dataset.autosaveDelay) || 3000;
  var timer = null, saving = null, again = false, stopped = false, leaving = false;
  var dirty = false;          // typed since the last autosave was sent
  var editedInFlight = {};    // question codes typed in while an autosave was on its way
  var invalid = {};           // field id -> message the server gave (the value was not stored)

  /* Numbers: display.parse_number, step by step (the shape, then each convention in turn). */
  var SHAPE = /^-?[0-9.,]*[0-9][0-9.,]*$/;

  function group3(digits, sep) {
    var out = "";
    while (digits.length > 3) { out = sep + digits.slice(-3) + out; digits = digits.slice(0, -3); }
    return digits + out;
  }

  function readAs(t, dec, grp) {
    var plain = t.split(grp).join("").split(dec).join(".");
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(plain)) { return null; }
    if (t.indexOf(grp) >= 0) {  // separators must group by three, as the locale writes the number
      var sign = plain.charAt(0) === "-" ? "-" : "", body = sign ? plain.slice(1) : plain;
      var parts = body.split("."), whole = parts[0].replace(/^0+/, "") || "0";
      var frac = (parts[1] || "").replace(/0+$/, "");
      var proper = sign + group3(whole, grp) + (frac ? dec + frac : "");
      var cut = t.split(dec), trimmed = t;
      if (cut.length > 1 && cut[1] !== "") {
        var f = cut.slice(1).join(dec).replace(/0+$/, "");
        trimmed = f ? cut[0] + dec + f : cut[0];
      }
      if (t !== proper && trimmed !== proper) { return null; }
    }
    return Number(plain);
  }

  function number(value) {
    if (value === null || value === undefined) { return null; }
    var t = String(value).trim().replace(/[\s\u00a0]/g, "");
    if (!SHAPE.test(t)) { return null; }
    var s = rules.numbers, n = readAs(t, s.decimal, s.group);
    if (n === null) { n = readAs(t, s.alt_decimal, s.alt_group); }
    return n === null || !isFinite(n) ? null : n;
  }
  window.surveyNumber = number;  // for the tests that compare it with the server's rule

  /* display.format_fixed: the float's shortest decimal, rounded half to even, grouped. */
  function increment(digits) {
    var d = digits.split(""), i = d.length - 1;
    while (i >= 0 && d[i] === "9") { d[i] = "0"; i -= 1; }
    if (i < 0) { return "1" + d.join(""); }
    d[i] = String(Number(d[i]) + 1);
    return d.join("");
  }

  function halfEven(x, places) {
    var s = String(x);
    if (/e/i.test(s)) { return x.toFixed(places); }
    var parts = s.split("."), frac = parts[1] || "";
    if (frac.length <= places) { return parts[0] + (places ? "." + (frac + "0000000000").slice(0, places) : ""); }
    var digits = parts[0] + frac.slice(0, places), rest = frac.slice(places);
    var odd = Number(digits.charAt(digits.length - 1)) % 2 === 1;
    if (rest.charAt(0) > "5" || (rest.charAt(0) === "5" && (/[1-9]/.test(rest.slice(1)) || odd))) {
      digits = increment(digits);
    }
    var whole = digits.slice(0, digits.length - places).replace(/^0+(?=\d)/, "") || "0";
    return places ? whole + "." + digits.slice(digits.length - places) : whole;
  }

  function fixed(x, places) {
    var s = rules.numbers, parts = halfEven(Math.abs(x), places).split(".");
    return (x < 0 ? "-" : "") + group3(parts[0], s.group) + (parts[1] ? s.decimal + parts[1] : "");
  }
  window.surveyPercent = function (a, b) { return fixed(100 * a / b, 1) + "%"; };

  /* Live conditions: the server lists, for each conditional question, the answers that show it. */
  function answerOf(code) {
    var name = "q_" + code.replace(/-/g, "_") + "-answer";
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) { return null; }
    if (inputs[0].type === "radio" || inputs[0].type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    return inputs[0].value;
  }

  function holds(rule) {
    var value = answerOf(rule.source);
    if (rule.options) {
      return Array.isArray(value) && value.some(function (v) { return rule.options.indexOf(v) >= 0; });
    }
    if (rule.at_least !== undefined) { var a = number(value); return a !== null && a >= rule.at_least; }
    if (rule.equals !== undefined) { var e = number(value); return e !== null && e === rule.equals; }
    if (rule.texts) { return typeof value === "string" && rule.texts.indexOf(value.trim()) >= 0; }
    return null;  // not readable live: keep what the server rendered
  }

  function applyConditions() {
    Object.keys(rules.conditions).forEach(function (code) {  // in bank order: sources come first
      var box = document.getElementById("q-" + code), rule = rules.conditions[code];
      var source = document.getElementById("q-" + rule.source);
      if (!box || !source) { return; }
      var shown = holds(rule);
      if (shown !== null) { box.hidden = source.hidden || !shown; }
    });
  }

  function updateRatios() {
    form.querySelectorAll(".ratio").forEach(function (box) {
      var nums = box.querySelectorAll("input"), out = box.querySelector("output");
      var a = number(nums[0].value), b = number(nums[1].value);
      out.textContent = (a !== null && b) ? fixed(100 * a / b, 1) + "%" : "";
    });
  }

  /* Messages next to fields, tied to them by aria-describedby. */
  function fieldBox(id) {
    var el = document.getElementById(id);
    return el && el.parentElement && el.parentElement.tagName === "LABEL" ? el.parentElement : el;
  }

  function setError(id, messages) {
    var el = document.getElementById(id), old = document.getElementById(id + "-error");
    if (!el) { return; }
    if (!messages) {
      if (old) { old.remove(); }
      el.removeAttribute("aria-invalid");
      var rest = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id + "-error"; });
      if (rest.length) { el.setAttribute("aria-describedby", rest.join(" ")); } else { el.removeAttribute("aria-describedby"); }
      return;
    }
    var p = old || document.createElement("p");
    p.className = "error"; p.id = id + "-error"; p.textContent = messages.join(" ");
    if (!old) { fieldBox(id).insertAdjacentElement("afterend", p); }
    el.setAttribute("aria-invalid", "true");
    var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(p.id) < 0) { ids.push(p.id); el.setAttribute("aria-describedby", ids.join(" ")); }
  }

  function showErrors(errors) {
    Object.keys(invalid).forEach(function (id) { if (!errors[id]) { setError(id, null); } });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (el) { if (el.id && !errors[el.id]) { setError(el.id, null); } });
    Object.keys(errors).forEach(function (id) { setError(id, errors[id]); });
    invalid = errors;
  }

  function show(message, isError) {
    if (!line) { return; }
    line.textContent = message;
    line.classList.toggle("error", !!isError);
  }

  /* Another editor's answers merged into the group replace their blocks, so this page never
     sends their old values back. A block typed in meanwhile is left alone, and the page keeps
     its old version: the next save then shows the conflict instead of overwriting. */
  function takeTheirs(blocks) {
    var clean = true;
    Object.keys(blocks || {}).forEach(function (code) {
      var old = document.getElementById("q-" + code);
      if (!old) { return; }
      if (editedInFlight[code]) { clean = false; return; }
      var holder = document.createElement("div");
      holder.innerHTML = blocks[code];
      var fresh = holder.firstElementChild;
      if (!fresh) { return; }
      var focused = old.contains(document.activeElement) ? document.activeElement.id : null;
      old.replaceWith(fresh);
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    });
    return clean;
  }

  function questionOf(el) {
    var q = el.closest && el.closest(".question");
    return q ? q.id.slice(2) : null;
  }

  function autosave(keepalive) {
    clearTimeout(timer);
    if (stopped) { return Promise.resolve(false); }
    if (saving) { again = true; return saving; }
    var data = new FormData(form);
    form.querySelectorAll('input[type="file"]').forEach(function (f) { data.delete(f.name); });
    data.delete("action");
    dirty = false; editedInFlight = {};
    show(text.saving, false);
    saving = fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin", keepalive: !!keepalive,
                                            headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (res) {
        var b = res.body || {};
        if (b.conflict || res.status === 409 || res.status === 400 || res.status === 403) {
          stopped = true; show(b.message || text.failed, true); return false;
        }
        var clean = takeTheirs(b.theirs_html);
        if (clean && b.version !== undefined && b.version !== null) {
          form.querySelector('[name="base_version"]').value = b.version;
        }
        showErrors(b.errors || {});
        applyConditions(); updateRatios();
        var stored = b.ok === true && !Object.keys(b.errors || {}).length;
        show(stored ? (b.message || "") : text.invalid, !stored);
        return stored;
      })
      .catch(function () { dirty = true; show(text.offline, true); return false; })
      .then(function (stored) {
        saving = null;
        if (again || dirty) { again = false; schedule(); }
        return stored;
      });
    return saving;
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(autosave, delay); }

  function changed(e) {
    if (e.target.type === "file" || !e.target.name || e.target.name.indexOf("resolve__") === 0) { return; }
    dirty = true;
    var code = questionOf(e.target);
    if (saving && code) { editedInFlight[code] = true; }
    applyConditions(); updateRatios();
    if (!stopped) { schedule(); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { clearTimeout(timer); stopped = true; leaving = true; });

  function unsaved() { return !stopped && (dirty || !!saving || Object.keys(invalid).length > 0); }

  /* Leaving the page: a link waits for the last answers to be saved (and stays, with the
     messages, when one could not be); closing or reloading asks the browser to warn. */
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || a.target ||
        a.hasAttribute("download") || a.getAttribute("href").charAt(0) === "#" || !unsaved()) { return; }
    e.preventDefault();
    (dirty || saving ? autosave() : Promise.resolve(Object.keys(invalid).length === 0)).then(function (stored) {
      if (stored) { leaving = true; window.location.href = a.href; return; }
      var first = Object.keys(invalid)[0];
      if (first && document.getElementById(first)) { document.getElementById(first).focus(); }
      invalid = {};  // warned once: a second click leaves
    });
  });
  window.addEventListener("beforeunload", function (e) {
    if (leaving || !unsaved()) { return; }
    e.preventDefault();
    e.returnValue = "";
  });
  window.addEventListener("pagehide", function () {
    if (!leaving && dirty && !stopped) { autosave(true); }  // the browser finishes a keepalive request
  });

  /* "Add a row" without a round trip: copy the last row with empty inputs and the next index. */
  form.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button.add-row");
    if (!button) { return; }
    var table = button.parentElement.querySelector("table.rows tbody");
    var last = table && table.querySelector("tr:last-child");
    if (!last) { return; }
    e.preventDefault();
    var index = table.querySelectorAll("tr").length;
    var row = last.cloneNode(true);
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) { el.setAttribute(attr, v.replace(/-rows-\d+-/g, "-rows-" + index + "-")); }
      });
    });
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
      el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".error").forEach(function (p) { p.remove(); });
    var num = row.querySelector(".rownum");
    if (num) { num.textContent = String(index + 1); }
    table.appendChild(row);
    row.querySelector("input, select, textarea").focus();
  });

  /* Submitting is final: ask first (the dialog's own button submits). */
  var confirmBox = document.getElementById("confirm-submit");
  var submit = document.getElementById("submit-group");
  if (confirmBox && submit && typeof confirmBox.showModal === "function") {
    submit.addEventListener("click", function (e) { e.preventDefault(); confirmBox.showModal(); });
    confirmBox.querySelector("[data-close]").addEventListener("click", function () { confirmBox.close(); submit.focus(); });
  }

  applyConditions(); updateRatios();
})();
