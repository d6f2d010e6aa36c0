/* Pre-screen for the eligibility checklist.
 *
 * Reads the criteria and their rules from the JSON in the page head
 * (#trial-prescreen-data), builds the inputs, and shows for every criterion
 * whether the values entered meet it. Evaluation is three-valued: true, false
 * or null (unknown); missing data is never taken as met.
 *
 * Plain JavaScript on purpose: no framework, no network request, nothing
 * stored (no cookies, no local storage). Text from the data is only ever set
 * with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var ULN = "x ULN";
  var DAY = 86400000;
  // What true, false and unknown mean for each group: for an exclusion
  // criterion "true" means that it applies, so the patient is excluded.
  var WORDS = {
    inclusion: { "true": "Met", "false": "Not met", "null": "Unknown" },
    exclusion: { "true": "Applies", "false": "Does not apply", "null": "Unknown" }
  };

  // --- building elements -------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function field(id, labelText, type, extra) {
    var attrs = { id: id, type: type, name: id };
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    return el("div", { className: "trial-prescreen__input" }, [
      el("label", { "for": id, text: labelText }),
      el("input", attrs)
    ]);
  }

  function slug(value) {
    return String(value).replace(/[^A-Za-z0-9_-]+/g, "-");
  }

  // --- dates ------------------------------------------------------------------

  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!m) return null;
    return Date.UTC(+m[1], +m[2] - 1, +m[3]);
  }

  // Calendar arithmetic: "1 month before 31 March" is the last day of February.
  function shift(time, duration, sign) {
    var d = new Date(time);
    var days = (duration.days || 0) + 7 * (duration.weeks || 0);
    var months = (duration.months || 0) + 12 * (duration.years || 0);
    if (months) {
      var year = d.getUTCFullYear();
      var month = d.getUTCMonth() + sign * months;
      var last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      d = new Date(Date.UTC(year, month, Math.min(d.getUTCDate(), last)));
    }
    return d.getTime() + sign * days * DAY;
  }

  function durationText(duration) {
    var unit = Object.keys(duration)[0];
    var n = duration[unit];
    return n + " " + (n === 1 ? unit.replace(/s$/, "") : unit);
  }

  function number(id) {
    var input = document.getElementById(id);
    if (!input || input.value.trim() === "") return null;
    var value = Number(input.value);
    return isFinite(value) ? value : null;
  }

  function text(id) {
    var input = document.getElementById(id);
    return input ? input.value.trim() : "";
  }

  // "Platelet count" -> "platelet count", but "ALT" and "eGFR" stay.
  function lowerFirst(value) {
    if (value.length > 1 && value[1] === value[1].toUpperCase() && /[A-Za-z]/.test(value[1])) return value;
    return value.charAt(0).toLowerCase() + value.slice(1);
  }

  function fmt(value) {
    return String(Math.round(value * 1000) / 1000);
  }

  // --- the page ---------------------------------------------------------------

  function start() {
    var source = document.getElementById("trial-prescreen-data");
    var root = document.getElementById("trial-prescreen");
    var body = document.getElementById("trial-prescreen-body");
    if (!source || !root || !body) return;
    var data = JSON.parse(source.textContent);
    var form = el("form", { className: "trial-prescreen__form", novalidate: true });
    var summary = "";     // the overall result in a few words, for the filled form
    var built = {};       // variables and events whose inputs exist
    var rowsShown = {};   // rows of repeated measurements per variable

    form.addEventListener("submit", function (event) { event.preventDefault(); });

    if (data.needs_enrollment_date) {
      form.appendChild(el("fieldset", {}, [
        el("legend", { text: "Dates" }),
        el("div", { className: "trial-prescreen__inputs" }, [
          field("ps-enrollment", "Planned enrollment date", "date")
        ])
      ]));
    }

    data.criteria.forEach(function (criterion, index) {
      criterion.key = "c" + index;
      var set = el("fieldset", {
        className: "trial-prescreen__criterion",
        id: "ps-criterion-" + slug(criterion.id),
        "data-criterion": criterion.id
      }, [
        el("legend", {}, [
          criterion.id + " ",
          el("span", { className: "trial-prescreen__criterion-text", text: criterion.text })
        ])
      ]);
      var rule = criterion.rule || { kind: "manual", question: null };
      criterion.rule = rule;
      addInputs(set, rule, criterion, "r", {});
      set.appendChild(el("p", {
        className: "trial-prescreen__status",
        id: "ps-status-" + slug(criterion.id)
      }));
      form.appendChild(set);
    });

    // Only the one-line result is a live region: the list would be read out
    // again on every keystroke.
    var overallTitle = el("p", {
      className: "trial-prescreen__overall-title", role: "status", "aria-atomic": "true"
    });
    var overallList = el("ul");
    var overall = el("div", { className: "trial-prescreen__overall", id: "trial-prescreen-overall" }, [
      overallTitle, overallList
    ]);
    var printButton = el("button", { type: "button", id: "ps-print", text: "Print filled checklist" });
    var clearButton = el("button", {
      type: "button", id: "ps-clear", className: "trial-prescreen__secondary", text: "Clear all"
    });
    form.appendChild(overall);
    form.appendChild(el("div", { className: "trial-prescreen__actions" }, [printButton, clearButton]));
    body.appendChild(form);
    root.hidden = false;

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    clearButton.addEventListener("click", function () {
      form.reset();
      form.querySelectorAll("input[data-never-for]").forEach(syncNever);
      update();
    });
    printButton.addEventListener("click", printFilled);
    window.addEventListener("afterprint", clearFilled);
    update();

    // --- building inputs -----------------------------------------------------

    // `seen` holds what this criterion already shows, so that a variable
    // compared twice (>= 130 and < 160) is asked once.
    function addInputs(set, node, criterion, path, seen) {
      var key = node.kind === "repeated" ? node.of.variable
        : node.kind === "compare" ? node.variable
        : node.kind === "event" ? "event:" + node.event : null;
      if (key !== null) {
        if (seen[key]) return;
        seen[key] = true;
      }
      switch (node.kind) {
        case "any":
        case "all":
          node.items.forEach(function (item, i) { addInputs(set, item, criterion, path + "-" + i, seen); });
          break;
        case "unless":
          addInputs(set, node.condition, criterion, path + "-c", seen);
          addInputs(set, node.unless, criterion, path + "-u", seen);
          break;
        case "repeated":
        case "compare":
          addVariable(set, key, criterion);
          break;
        case "event":
          addEvent(set, node.event, criterion);
          break;
        case "manual":
          addManual(set, node, criterion, path);
          break;
      }
    }

    function variableLabel(v) {
      return v.label + (v.unit ? " (" + v.unit + ")" : "");
    }

    function addVariable(set, name, criterion) {
      var v = data.variables[name];
      if (built[name]) {
        set.appendChild(el("p", {
          className: "trial-prescreen__uses",
          text: "Uses the " + v.label + " entered under " + built[name] + "."
        }));
        return;
      }
      built[name] = criterion.id;
      if (v.series) {
        var list = el("div", { className: "trial-prescreen__series", id: "ps-series-" + name });
        set.appendChild(list);
        rowsShown[name] = 0;
        for (var i = 0; i < v.rows; i++) addRow(list, name);
        var more = el("button", {
          type: "button", className: "trial-prescreen__secondary",
          text: "Add another " + lowerFirst(v.label)
        });
        more.addEventListener("click", function () {
          addRow(list, name);
          update();
          document.getElementById("ps-" + name + "-" + (rowsShown[name] - 1) + "-value").focus();
        });
        set.appendChild(more);
        return;
      }
      var inputs = el("div", { className: "trial-prescreen__inputs" });
      var label = v.uln && !v.unit ? v.label + " result" : variableLabel(v);
      if (v.hint) label += ", " + v.hint;
      inputs.appendChild(field("ps-" + name + "-0-value", label, "number", { step: "any" }));
      if (v.uln) {
        inputs.appendChild(field(
          "ps-" + name + "-0-uln",
          v.label + " upper limit of normal" + (v.unit ? " (" + v.unit + ")" : " (same unit)"),
          "number", { step: "any", min: "0" }
        ));
      }
      if (v.dated) inputs.appendChild(field("ps-" + name + "-0-date", v.label + ": date of test", "date"));
      set.appendChild(inputs);
    }

    function addRow(list, name) {
      var v = data.variables[name];
      var i = rowsShown[name]++;
      list.appendChild(el("div", { className: "trial-prescreen__inputs" }, [
        field("ps-" + name + "-" + i + "-value", v.label + " " + (i + 1) + (v.unit ? " (" + v.unit + ")" : ""), "number", { step: "any" }),
        field("ps-" + name + "-" + i + "-date", v.label + " " + (i + 1) + ": date of test", "date")
      ]));
    }

    function addEvent(set, name, criterion) {
      var key = "event:" + name;
      if (built[key]) {
        set.appendChild(el("p", {
          className: "trial-prescreen__uses",
          text: "Uses the " + data.events[name].label + " date entered under " + built[key] + "."
        }));
        return;
      }
      built[key] = criterion.id;
      var label = data.events[name].label;
      var never = el("input", { type: "checkbox", id: "ps-event-" + name + "-never", "data-never-for": "ps-event-" + name + "-date" });
      never.addEventListener("change", function () { syncNever(never); });
      set.appendChild(el("div", { className: "trial-prescreen__inputs" }, [
        field("ps-event-" + name + "-date", "Date of the most recent " + label, "date"),
        el("div", { className: "trial-prescreen__choice" }, [
          never,
          el("label", { "for": never.id, text: "Never (no " + label + " at any time)" })
        ])
      ]));
    }

    function syncNever(box) {
      var date = document.getElementById(box.getAttribute("data-never-for"));
      date.disabled = box.checked;
      if (box.checked) date.value = "";
    }

    function addManual(set, node, criterion, path) {
      var name = "ps-answer-" + criterion.key + "-" + path;
      node.key = name;
      var top = path === "r";
      var words = !top ? ["Yes", "No"]
        : criterion.group === "inclusion" ? ["Met", "Not met"] : ["Applies", "Does not apply"];
      var choices = [["yes", words[0]], ["no", words[1]]].map(function (choice) {
        var id = name + "-" + choice[0];
        return el("span", { className: "trial-prescreen__choice" }, [
          el("input", { type: "radio", id: id, name: name, value: choice[0] }),
          el("label", { "for": id, text: choice[1] })
        ]);
      });
      if (top) {
        set.appendChild(el("div", { className: "trial-prescreen__inputs", role: "radiogroup", "aria-label": criterion.id + " answer" }, choices));
      } else {
        set.appendChild(el("fieldset", { className: "trial-prescreen__question" }, [
          el("legend", { text: node.question })
        ].concat(choices)));
      }
    }

    // --- reading values ------------------------------------------------------

    function enrollment() {
      return parseDate(text("ps-enrollment"));
    }

    function measurement(name, row) {
      var base = "ps-" + name + "-" + row + "-";
      return {
        value: number(base + "value"),
        uln: number(base + "uln"),
        dateText: text(base + "date"),
        date: parseDate(text(base + "date"))
      };
    }

    // The one measurement a comparison uses: the only one, or the latest dated.
    function current(name) {
      var v = data.variables[name];
      if (!v.series) return { m: measurement(name, 0), label: v.label };
      var best = null;
      for (var i = 0; i < rowsShown[name]; i++) {
        var m = measurement(name, i);
        if (m.value !== null && m.date !== null && (!best || m.date >= best.m.date)) {
          best = { m: m, label: v.label + " " + (i + 1) };
        }
      }
      return best || { m: { value: null, date: null }, label: v.label };
    }

    function answer(name) {
      var checked = form.querySelector("input[name='" + name + "']:checked");
      return checked ? checked.value === "yes" : null;
    }

    // --- evaluation: {value: true | false | null, missing: [], reasons: []} ----

    function result(value, missing, reasons) {
      return { value: value, missing: missing || [], reasons: reasons || [] };
    }

    function evaluate(node) {
      switch (node.kind) {
        case "compare": return compare(node);
        case "any": return combine(node.items.map(evaluate), true);
        case "all": return combine(node.items.map(evaluate), false);
        case "unless": return unless(node);
        case "repeated": return repeated(node);
        case "event": return event(node);
        case "manual": return manual(node);
      }
      return result(null, ["an answer"]);
    }

    function joinReasons(parts) {
      return parts.reduce(function (all, p) { return all.concat(p.reasons); }, []);
    }

    function joinMissing(parts) {
      return parts.reduce(function (all, p) { return all.concat(p.missing); }, []);
    }

    // any (Kleene or) when isAny, all (Kleene and) otherwise.
    function combine(parts, isAny) {
      var decisive = parts.filter(function (p) { return p.value === isAny; });
      if (decisive.length) return result(isAny, [], joinReasons(decisive));
      var unknown = parts.filter(function (p) { return p.value === null; });
      if (unknown.length) return result(null, joinMissing(unknown));
      return result(!isAny, [], joinReasons(parts));
    }

    function unless(node) {
      var c = evaluate(node.condition);
      var u = evaluate(node.unless);
      if (c.value === false) return c;
      if (u.value === true) return result(false, [], c.reasons.concat(["exception applies"]));
      if (c.value === true && u.value === false) return result(true, [], c.reasons.concat(["exception does not apply"]));
      return result(null, joinMissing([c, u]));
    }

    function test(x, operator, threshold) {
      switch (operator) {
        case "<": return x < threshold;
        case "<=": return x <= threshold;
        case ">": return x > threshold;
        case ">=": return x >= threshold;
        case "=": return x === threshold;
      }
      return false;
    }

    function compare(node) {
      var v = data.variables[node.variable];
      var found = current(node.variable);
      var m = found.m;
      var missing = [];
      if (m.value === null) missing.push(found.label + " value");
      if (node.unit === ULN && !(m.uln > 0)) missing.push(v.label + " upper limit of normal");
      if (node.within) {
        var start = enrollment();
        if (start === null) missing.push("planned enrollment date");
        if (m.date === null) missing.push(found.label + " date of test");
        if (start !== null && m.date !== null &&
            (m.date > start || m.date < shift(start, node.within, -1))) {
          missing.push(v.label + " test within " + durationText(node.within) + " before enrollment");
        }
      }
      if (missing.length) return result(null, missing);
      var x = node.unit === ULN ? m.value / m.uln : m.value;
      var holds = test(x, node.operator, node.threshold);
      var reason = found.label + " " + fmt(x) + " " + node.unit +
        (holds ? " is " : " is not ") + node.operator + " " + fmt(node.threshold) + " " + node.unit;
      return result(holds, [], [reason]);
    }

    function repeated(node) {
      var name = node.of.variable;
      var v = data.variables[name];
      var rows = [];
      var missing = [];
      for (var i = 0; i < rowsShown[name]; i++) {
        var m = measurement(name, i);
        var label = v.label + " " + (i + 1);
        if (m.value === null && m.dateText === "") continue;
        if (m.value === null) missing.push(label + " value");
        else if (m.date === null) missing.push(label + " date of test");
        else rows.push({ m: m, label: label });
      }
      if (missing.length) return result(null, missing);
      if (rows.length < node.at_least) {
        return result(null, ["at least " + node.at_least + " dated " + lowerFirst(v.label) + " values"]);
      }
      rows.sort(function (a, b) { return a.m.date - b.m.date; });
      // Runs of qualifying measurements: with `consecutive`, a failing one ends a run.
      var runs = [[]];
      rows.forEach(function (row) {
        if (test(row.m.value, node.of.operator, node.of.threshold)) runs[runs.length - 1].push(row);
        else if (node.consecutive) runs.push([]);
      });
      var best = [];
      runs.forEach(function (run) {
        // Taking the earliest possible next measurement each time picks the most.
        var picked = [];
        run.forEach(function (row) {
          var last = picked[picked.length - 1];
          if (!last || !node.apart || row.m.date >= shift(last.m.date, node.apart, 1)) picked.push(row);
        });
        if (picked.length > best.length) best = picked;
      });
      var what = lowerFirst(v.label) + " " + node.of.operator + " " + fmt(node.of.threshold) +
        " " + node.of.unit + (node.apart ? ", " + durationText(node.apart) + " apart" : "") +
        (node.consecutive ? ", consecutive" : "");
      if (best.length >= node.at_least) {
        return result(true, [], [best.length + " of the values entered are " + what]);
      }
      return result(false, [], ["fewer than " + node.at_least + " values entered are " + what]);
    }

    function event(node) {
      var label = data.events[node.event].label;
      var never = document.getElementById("ps-event-" + node.event + "-never");
      if (never && never.checked) return result(false, [], ["no " + label]);
      var date = parseDate(text("ps-event-" + node.event + "-date"));
      var start = enrollment();
      var missing = [];
      if (date === null) missing.push("date of the most recent " + label + " (or never)");
      if (start === null) missing.push("planned enrollment date");
      if (missing.length) return result(null, missing);
      var holds = date >= shift(start, node.within, -1);
      return result(holds, [], [
        "most recent " + label + (holds ? " is" : " is not") + " within " +
        durationText(node.within) + " before enrollment"
      ]);
    }

    function manual(node) {
      var value = answer(node.key);
      if (value === null) return result(null, [node.question ? "answer to: " + node.question : "an answer"]);
      return result(value, [], node.question ? [node.question + " " + (value ? "Yes" : "No")] : []);
    }

    // --- showing the results -------------------------------------------------

    function stateClass(criterion, value) {
      if (value === null) return "unknown";
      var good = criterion.group === "inclusion" ? value : !value;
      return good ? "ok" : "fail";
    }

    function update() {
      var failing = [];
      var unknown = [];
      data.criteria.forEach(function (criterion) {
        var r = evaluate(criterion.rule);
        criterion.result = r;
        var word = WORDS[criterion.group][String(r.value)];
        var status = document.getElementById("ps-status-" + slug(criterion.id));
        var detail = r.value === null ? "missing: " + unique(r.missing).join("; ") : r.reasons.join("; ");
        status.textContent = "";
        status.appendChild(el("span", {
          className: "trial-prescreen__state trial-prescreen__state--" + stateClass(criterion, r.value),
          "data-state": r.value === null ? "unknown" : String(r.value),
          text: word
        }));
        if (detail) status.appendChild(document.createTextNode(detail));
        var bad = criterion.group === "inclusion" ? r.value === false : r.value === true;
        if (bad) failing.push(criterion);
        else if (r.value === null) unknown.push(criterion);
      });
      var items;
      var title;
      summary = failing.length
        ? "not eligible: " + failing.map(function (c) { return c.id; }).join(", ")
        : unknown.length
          ? "incomplete, unknown: " + unknown.map(function (c) { return c.id; }).join(", ")
          : "all criteria met so far";
      if (failing.length) {
        overall.setAttribute("data-state", "not-eligible");
        title = "Pre-screen: not eligible";
        items = failing.map(function (c) {
          return c.id + " " + (c.group === "inclusion" ? "not met" : "applies") + ": " + c.text;
        });
      } else if (unknown.length) {
        overall.setAttribute("data-state", "incomplete");
        title = "Pre-screen: incomplete";
        items = unknown.map(function (c) {
          return c.id + " unknown, missing: " + unique(c.result.missing).join("; ");
        });
      } else {
        overall.setAttribute("data-state", "all-met");
        title = "Pre-screen: all criteria met so far";
        items = ["Every inclusion criterion is met and no exclusion criterion applies, on the values entered. The investigator decides eligibility."];
      }
      if (overallTitle.textContent !== title) overallTitle.textContent = title;
      overallList.textContent = "";
      items.forEach(function (t) { overallList.appendChild(el("li", { text: t })); });
    }

    function unique(list) {
      return list.filter(function (item, i) { return list.indexOf(item) === i; });
    }

    // --- the filled checklist --------------------------------------------------

    function fill(key, value) {
      document.querySelectorAll("[data-fill='" + key + "']").forEach(function (node) {
        node.textContent = value;
      });
    }

    function tick(key) {
      document.querySelectorAll("[data-box='" + key + "']").forEach(function (node) {
        node.textContent = "X";
      });
    }

    function printFilled() {
      update();
      clearFilled();
      data.criteria.forEach(function (c) {
        if (c.result.value !== null) tick(c.id + ":" + (c.result.value ? "yes" : "no"));
      });
      Object.keys(data.variables).forEach(function (name) {
        var rows = data.variables[name].series ? rowsShown[name] : 1;
        for (var i = 0; i < rows; i++) {
          var m = measurement(name, i);
          var key = "variable:" + name + ":" + i + ":";
          if (m.value !== null) fill(key + "value", fmt(m.value));
          if (m.uln !== null) fill(key + "uln", fmt(m.uln));
          if (m.dateText) fill(key + "date", m.dateText);
        }
      });
      Object.keys(data.events).forEach(function (name) {
        var never = document.getElementById("ps-event-" + name + "-never");
        if (never && never.checked) tick("event:" + name + ":never");
        var date = text("ps-event-" + name + "-date");
        if (date) fill("event:" + name + ":date", date);
      });
      var note = document.getElementById("trial-checklist-prescreen-note");
      note.textContent = "PRE-SCREEN, NOT AN ELIGIBILITY DETERMINATION. Boxes and values were " +
        "filled in on screen from the values entered (pre-screen " + summary + "). Boxes are " +
        "left empty where the values were missing. The investigator must check every " +
        "criterion against the source documents, complete the form and sign it.";
      note.hidden = false;
      document.getElementById("trial-checklist").classList.add("trial-checklist--filled");
      // The running footer says so on every page too; the text is constant.
      document.head.appendChild(el("style", {
        id: "trial-prescreen-print",
        text: "@page { @bottom-center { content: \"PRE-SCREEN \\2014  not an eligibility determination\"; font: 700 8pt/1.2 sans-serif; color: #000; } }"
      }));
      window.print();
    }

    function clearFilled() {
      document.querySelectorAll("#trial-checklist [data-fill], #trial-checklist [data-box]").forEach(function (node) {
        node.textContent = "";
      });
      var note = document.getElementById("trial-checklist-prescreen-note");
      if (note) { note.hidden = true; note.textContent = ""; }
      var checklist = document.getElementById("trial-checklist");
      if (checklist) checklist.classList.remove("trial-checklist--filled");
      var style = document.getElementById("trial-prescreen-print");
      if (style) style.remove();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
