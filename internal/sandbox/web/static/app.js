// The sandbox page: sends what the person does to the sandbox's /act/ endpoints
// and replaces the parts of the page that changed, on every server-sent event.
(function () {
  "use strict";
  var body = document.body;
  var as = body.dataset.as;
  if (!as) return; // the cast chooser needs no script
  var channel = body.dataset.channel;

  function toast(text) {
    var t = document.getElementById("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
  }

  function post(path, fields) {
    var data = new URLSearchParams();
    data.append("as", as);
    fields.forEach(function (kv) { data.append(kv[0], kv[1]); });
    return fetch(path, { method: "POST", body: data })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.error) toast(j.error);
        refresh();
        return j;
      }, function (err) { toast("The sandbox did not answer: " + err); return {}; });
  }

  // where tells the server which view, message or ephemeral an element is in.
  function where(el) {
    var w = el.closest("[data-where]");
    return [["where", w.dataset.where], ["view", w.dataset.view || ""],
            ["channel", w.dataset.channel || ""], ["ts", w.dataset.ts || ""]];
  }

  function elementFields(el) {
    var holder = el.closest("[data-action]");
    return where(el).concat([["block", holder.dataset.block], ["action", holder.dataset.action]]);
  }

  // Form values of the open modal, kept across a re-render of the same view.
  function modalValues() {
    var form = document.querySelector("#modal form.modal");
    if (!form) return null;
    var vals = {};
    Array.prototype.forEach.call(form.elements, function (e) {
      if (!e.name) return;
      if (e.type === "checkbox" || e.type === "radio") {
        (vals[e.name] = vals[e.name] || []);
        if (e.checked) vals[e.name].push(e.value);
      } else if (e.tagName === "SELECT" && e.multiple) {
        vals[e.name] = Array.prototype.filter.call(e.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else {
        vals[e.name] = [e.value];
      }
    });
    return { view: form.dataset.view, vals: vals };
  }

  function restore(saved) {
    var form = document.querySelector("#modal form.modal");
    if (!saved || !form || form.dataset.view !== saved.view) return;
    Array.prototype.forEach.call(form.elements, function (e) {
      var v = saved.vals[e.name];
      if (!e.name || v === undefined) return;
      if (e.type === "checkbox" || e.type === "radio") e.checked = v.indexOf(e.value) >= 0;
      else if (e.tagName === "SELECT" && e.multiple) Array.prototype.forEach.call(e.options, function (o) { o.selected = v.indexOf(o.value) >= 0; });
      else e.value = v[0];
    });
  }

  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch("/frag?" + new URLSearchParams({ as: as, c: channel }), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (f) {
        swap("nav", f.nav);
        var clock = document.getElementById("clock-now");
        if (clock.textContent !== f.clock) clock.textContent = f.clock;
        var day = document.querySelector("[data-clock-form] input[name=date]");
        if (day.min !== f.clockDate) { day.min = f.clockDate; if (day.value < f.clockDate) day.value = f.clockDate; }
        var msgs = document.getElementById("messages");
        var atBottom = !msgs || msgs.scrollHeight - msgs.scrollTop - msgs.clientHeight < 40;
        if (swap("main", f.main)) {
          msgs = document.getElementById("messages");
          if (msgs && atBottom) {
            msgs.scrollTop = msgs.scrollHeight;
            Array.prototype.forEach.call(msgs.querySelectorAll("img"), function (img) {
              img.addEventListener("load", function () { msgs.scrollTop = msgs.scrollHeight; });
            });
          }
        }
        var modal = document.getElementById("modal");
        if (modal.dataset.key !== f.modalKey) {
          var saved = modalValues();
          modal.innerHTML = f.modal;
          modal.dataset.key = f.modalKey;
          restore(saved);
        }
        if (f.title) document.title = f.title + " · mentorbot sandbox";
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function swap(id, html) {
    var el = document.getElementById(id);
    if (el.dataset.html === html) return false;
    if (el.querySelector("dialog[open]")) return false; // a confirm dialog is up: after it closes
    el.innerHTML = html;
    el.dataset.html = html;
    return true;
  }

  function showErrors(form, errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (e) { e.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll(".blk.input.has-error"), function (e) { e.classList.remove("has-error"); });
    Object.keys(errors || {}).forEach(function (block) {
      var slot = form.querySelector('.field-error[data-error-for="' + CSS.escape(block) + '"]');
      if (!slot) { showModalError(form, errors[block]); return; }
      slot.textContent = errors[block];
      slot.closest(".blk.input").classList.add("has-error");
    });
    var first = form.querySelector(".blk.input.has-error");
    if (first) first.scrollIntoView({ block: "center" });
  }

  function showModalError(form, text) {
    var box = form.querySelector(".modal-error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function click(el) {
    post("/act/click", elementFields(el));
  }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-act], [data-clock], [data-dialog]");
    if (!el) return;
    if (el.dataset.dialog) {
      el.closest("dialog").close(el.dataset.dialog);
      return;
    }
    if (el.dataset.clock) {
      post("/act/clock", [["move", el.dataset.clock]]);
      return;
    }
    switch (el.dataset.act) {
    case "click":
      if (el.tagName !== "A") ev.preventDefault();
      if (el.dataset.confirm) {
        var dlg = document.getElementById(el.dataset.confirm);
        dlg.returnValue = "";
        dlg.onclose = function () {
          if (dlg.returnValue === "confirm") click(el);
          else refresh();
        };
        dlg.showModal();
        return;
      }
      click(el);
      break;
    case "overflow":
      ev.preventDefault();
      el.closest("details").open = false;
      post("/act/change", elementFields(el).concat([["value", el.dataset.value]]));
      break;
    case "close-view":
      post("/act/close", [["view", el.closest("form.modal").dataset.view]]);
      break;
    }
  });

  document.addEventListener("change", function (ev) {
    var el = ev.target.closest("[data-act=change]");
    if (!el) return;
    var values = [];
    if (el.tagName === "FIELDSET") {
      Array.prototype.forEach.call(el.querySelectorAll("input:checked"), function (i) { values.push(i.value); });
    } else if (el.tagName === "SELECT" && el.multiple) {
      Array.prototype.forEach.call(el.options, function (o) { if (o.selected) values.push(o.value); });
    } else {
      values.push(el.value);
    }
    if (values.length === 0) values.push("");
    post("/act/change", elementFields(el).concat(values.map(function (v) { return ["value", v]; })));
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    ev.preventDefault();
    if (form.id === "composer") {
      var input = document.getElementById("composer-text");
      var text = input.value;
      if (!text.trim()) return;
      input.value = "";
      post("/act/send", [["c", channel], ["text", text]]);
      return;
    }
    if (form.hasAttribute("data-clock-form")) {
      post("/act/clock", [["move", "date"], ["date", form.elements.date.value]]);
      return;
    }
    if (form.classList.contains("modal")) {
      var fields = [["view", form.dataset.view]];
      new FormData(form).forEach(function (v, k) { fields.push([k, v]); });
      showModalError(form, "");
      var submit = form.querySelector("[data-act=submit]");
      if (submit) submit.disabled = true;
      post("/act/submit", fields).then(function (j) {
        if (submit) submit.disabled = false;
        if (j.errors) showErrors(form, j.errors);
        else showErrors(form, {});
        if (j.error) showModalError(form, j.error);
      });
    }
  });

  if (channel === "home") post("/act/home", []);
  var events = new EventSource("/events");
  events.onmessage = refresh;
  var msgs = document.getElementById("messages");
  if (msgs) msgs.scrollTop = msgs.scrollHeight;
  document.getElementById("main").dataset.html = document.getElementById("main").innerHTML;
  document.getElementById("composer-text").focus();
  body.dataset.ready = "1"; // every handler is in place (the browser test waits for it)
})();
