/* Pre-screen for the eligibility checklist.
 *
 * Reads the criteria and their rules from the JSON in the page head
 * (#trial-prescreen-data), builds the inputs, and shows for every criterion
 * whether the values entered meet it, naming the values in plain words.
 * Evaluation is three-valued: true, false or null (unknown); missing, refused
 * or uncounted data is never taken as met.
 *
 * Numbers are exact. Typed text is read as a decimal (digits, then a point or
 * a comma and more digits) into an integer and a scale, thresholds arrive as
 * decimal strings, and every comparison, "3 x ULN" included, is made on
 * BigInt integers: nothing is divided and no binary fraction decides.
 *
 * Plain JavaScript on purpose: no framework, no network request, nothing
 * stored (no cookies, no storage, nothing in the URL or history). The form is
 * cleared when the page is left and when it is shown again from the
 * back/forward cache. Text from the data is only ever set with textContent,
 * never parsed as HTML.
 */
(function () {
  "use strict";

  var ULN = "x ULN";
  var DAY = 86400000;
  // The badge for true, false and unknown in each group: for an exclusion
  // criterion "true" means that it applies, so the patient is excluded.
  var WORDS = {
    inclusion: { "true": "Met", "false": "Not met", "null": "Unknown" },
    exclusion: { "true": "Applies", "false": "Does not apply", "null": "Unknown" }
  };

  // --- exact decimals: {int: BigInt, scale: n} is int / 10^scale -------------

  var TEN = BigInt(10);
  var ZERO = BigInt(0);

  function pow10(n) {
    var result = BigInt(1);
    for (var i = 0; i < n; i++) result *= TEN;
    return result;
  }

  // A decimal string from the data ("1.5", "50", "-2").
  function decimal(text) {
    var m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
    if (!m) throw new Error("not a decimal: " + text);
    var int = BigInt(m[2] + (m[3] || ""));
    return { int: m[1] ? -int : int, scale: (m[3] || "").length };
  }

  // -1, 0 or 1: a / 10^p against b / 10^q, compared as a * 10^q against b * 10^p.
  function compareDecimals(a, b) {
    var x = a.int * pow10(b.scale);
    var y = b.int * pow10(a.scale);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function times(a, b) {
    return { int: a.int * b.int, scale: a.scale + b.scale };
  }

  function isWhole(d) {
    return d.int % pow10(d.scale) === ZERO;
  }

  // Shortest text of a decimal: no trailing zeros, a point before the decimals.
  function decimalText(d) {
    var negative = d.int < ZERO;
    var digits = (negative ? -d.int : d.int).toString();
    if (d.scale > 0) {
      while (digits.length <= d.scale) digits = "0" + digits;
      digits = digits.slice(0, digits.length - d.scale) + "." + digits.slice(digits.length - d.scale);
      digits = digits.replace(/0+$/, "").replace(/\.$/, "");
    }
    return (negative && digits !== "0" ? "-" : "") + digits;
  }

  // What a person typed: digits with one point or comma before the decimals.
  var TYPED = /^([+-]?)(\d*)(?:([.,])(\d*))?$/;

  function readNumber(raw) {
    var text = raw.trim();
    if (text === "") return { state: "empty" };
    var m = TYPED.exec(text);
    if (!m || m[2] + (m[4] || "") === "") {
      return { state: "invalid", raw: text, message: "\u201c" + text + "\u201d is not a number (write digits, with a point or a comma before any decimals)" };
    }
    // "1,000" is one thousand to some and 1.000 to others: ask, never guess.
    if (m[3] === "," && m[4].length === 3 && /[1-9]/.test(m[2])) {
      return { state: "invalid", raw: text, message: "\u201c" + text + "\u201d could mean " + m[2] + m[4] + " or " + m[2] + "." + m[4] + " (write it without a thousands separator)" };
    }
    var int = BigInt((m[2] || "0") + (m[4] || ""));
    var value = { int: m[1] === "-" ? -int : int, scale: (m[4] || "").length };
    return { state: "ok", raw: text, value: value, text: decimalText(value) };
  }

  // null when plausible, else why not.
  function implausible(value, plausible) {
    var wrong = plausible.whole && !isWhole(value);
    if (plausible.low !== null) {
      var low = compareDecimals(value, decimal(plausible.low));
      if (plausible.above ? low <= 0 : low < 0) wrong = true;
    }
    if (plausible.high !== null && compareDecimals(value, decimal(plausible.high)) > 0) wrong = true;
    return wrong ? decimalText(value) + " is not plausible (" + plausible.text + ")" : null;
  }

  // --- dates, as whole days since 1970-01-01 ----------------------------------

  function dayOf(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY : null;
  }

  function dayText(day) {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  // Today where the browser is, as a calendar date.
  function today() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY;
  }

  // Calendar arithmetic: "1 month before 31 March" is the last day of February.
  function shift(day, duration, sign) {
    var d = new Date(day * DAY);
    var days = (duration.days || 0) + 7 * (duration.weeks || 0);
    var months = (duration.months || 0) + 12 * (duration.years || 0);
    if (months) {
      var year = d.getUTCFullYear();
      var month = d.getUTCMonth() + sign * months;
      var last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      d = new Date(Date.UTC(year, month, Math.min(d.getUTCDate(), last)));
    }
    return Math.round(d.getTime() / DAY) + sign * days;
  }

  function durationText(duration) {
    var unit = Object.keys(duration)[0];
    var n = duration[unit];
    return n + " " + (n === 1 ? unit.replace(/s$/, "") : unit);
  }

  // --- words ------------------------------------------------------------------

  // "Platelet count" -> "platelet count", but "ALT" and "eGFR" stay.
  function lowerFirst(value) {
    if (value.length > 1 && value[1] === value[1].toUpperCase() && /[A-Za-z]/.test(value[1])) return value;
    return value.charAt(0).toLowerCase() + value.slice(1);
  }

  function upperFirst(value) {
    return value.charAt(0).toUpperCase() + value.slice(1);
  }

  // "45%", "50 x 10^9/L", "18 years"; a class or grade is named by its label.
  function quantity(number, unit) {
    if (!unit || unit === "class" || unit === "grade") return number;
    if (unit === "%") return number + "%";
    if (unit.indexOf("10^") === 0) return number + " x " + unit;
    return number + " " + unit;
  }

  // "30 on 2024-05-06, 28 on 2024-05-14 and 25 on 2024-05-21"
  function listText(items) {
    if (items.length < 2) return items.join("");
    return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }

  function unique(list) {
    return list.filter(function (item, i) { return list.indexOf(item) === i; });
  }

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

  // A labelled input with a place for its error message. Numbers are text
  // inputs: the browser's number input drops a decimal comma in some locales
  // ("30,5" becomes 305) and changes its value under the mouse wheel.
  function field(id, labelText, kind) {
    var attrs = {
      id: id, autocomplete: "off", "aria-describedby": id + "-error",
      "data-kind": kind
    };
    if (kind === "date") {
      attrs.type = "date";
    } else {
      attrs.type = "text";
      attrs.inputmode = "decimal";
      attrs.spellcheck = "false";
      attrs.maxlength = "24";
      attrs.className = "trial-prescreen__number";
    }
    return el("div", { className: "trial-prescreen__input" }, [
      el("label", { "for": id, text: labelText }),
      el("input", attrs),
      el("span", { className: "trial-prescreen__error", id: id + "-error" })
    ]);
  }

  function slug(value) {
    return String(value).replace(/[^A-Za-z0-9_-]+/g, "-");
  }

  // --- the page ---------------------------------------------------------------

  function start() {
    var source = document.getElementById("trial-prescreen-data");
    var root = document.getElementById("trial-prescreen");
    var body = document.getElementById("trial-prescreen-body");
    if (!source || !root || !body) return;
    var data = JSON.parse(source.textContent);
    var form = el("form", { className: "trial-prescreen__form", novalidate: true, autocomplete: "off" });
    var built = {};       // variables and events whose inputs exist
    var rowsShown = {};   // rows of repeated measurements per variable
    var manuals = [];     // manual parts with their answer keys, for printing
    var read = {};        // this round's reading of every input, by id
    var touched = false;  // whether the user has entered anything since the last clearing

    form.addEventListener("submit", function (event) { event.preventDefault(); });

    if (data.needs_enrollment_date) {
      form.appendChild(el("fieldset", {}, [
        el("legend", { text: "Dates" }),
        el("div", { className: "trial-prescreen__inputs" }, [
          field("ps-enrollment", "Planned enrollment date", "date")
        ])
      ]));
    }

    data.criteria.forEach(function (criterion) {
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
      if (criterion.reading) {
        set.appendChild(el("p", { className: "trial-reading", text: "Read as: " + criterion.reading }));
      }
      var rule = criterion.rule || { kind: "manual", question: null };
      criterion.rule = rule;
      addInputs(set, rule, criterion, [], {});
      set.appendChild(el("p", {
        className: "trial-prescreen__status",
        id: "ps-status-" + slug(criterion.id)
      }));
      form.appendChild(set);
    });

    // Only the one-line result is a live region, read out politely when it
    // changes: the list would be read out again on every keystroke.
    var overallTitle = el("p", {
      className: "trial-prescreen__overall-title", id: "trial-prescreen-live",
      role: "status", "aria-live": "polite", "aria-atomic": "true"
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

    function changed() {
      touched = true;
      update();
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    clearButton.addEventListener("click", clearAll);
    printButton.addEventListener("click", printFilled);
    window.addEventListener("afterprint", clearFilled);
    // Nothing survives navigation: leaving the page clears it, so the
    // back/forward cache keeps no patient values; a page shown again (from
    // that cache, or with fields a browser restored) starts empty, so the
    // fields and the results always agree.
    window.addEventListener("pagehide", clearAll);
    window.addEventListener("pageshow", function (event) {
      if (event.persisted || !touched) clearAll();
      else update();
    });
    clearAll();

    // --- building inputs -----------------------------------------------------

    // `seen` holds what this criterion already shows, so that a variable
    // compared twice (>= 130 and < 160) is asked once. `path` is the node's
    // place in the rule, as the checklist names it (["all", 0] -> "all.0").
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
          node.items.forEach(function (item, i) {
            addInputs(set, item, criterion, path.concat([node.kind, i]), seen);
          });
          break;
        case "unless":
          addInputs(set, node.condition, criterion, path.concat(["condition"]), seen);
          addInputs(set, node.unless, criterion, path.concat(["unless"]), seen);
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
      inputs.appendChild(field("ps-" + name + "-0-value", label, "number"));
      if (v.uln) {
        inputs.appendChild(field(
          "ps-" + name + "-0-uln",
          v.label + " upper limit of normal" + (v.unit ? " (" + v.unit + ")" : " (same unit)"),
          "number"
        ));
      }
      if (v.dated) inputs.appendChild(field("ps-" + name + "-0-date", v.label + ": date of test", "date"));
      set.appendChild(inputs);
    }

    function addRow(list, name) {
      var v = data.variables[name];
      var i = rowsShown[name]++;
      list.appendChild(el("div", {
        className: "trial-prescreen__inputs", "data-row": i
      }, [
        field("ps-" + name + "-" + i + "-value", v.label + " " + (i + 1) + (v.unit ? " (" + v.unit + ")" : ""), "number"),
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
      var never = el("input", {
        type: "checkbox", id: "ps-event-" + name + "-never", autocomplete: "off",
        "data-never-for": "ps-event-" + name + "-date"
      });
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
      var where = path.join(".") || "top";
      var name = "ps-answer-" + slug(criterion.id) + "-" + slug(where);
      node.key = name;
      node.answerKey = "answer:" + criterion.id + ":" + where;
      manuals.push(node);
      var top = path.length === 0;
      var words = !top ? ["Yes", "No"]
        : criterion.group === "inclusion" ? ["Met", "Not met"] : ["Applies", "Does not apply"];
      var choices = [["yes", words[0]], ["no", words[1]]].map(function (choice) {
        var id = name + "-" + choice[0];
        return el("span", { className: "trial-prescreen__choice" }, [
          el("input", { type: "radio", id: id, name: name, value: choice[0], autocomplete: "off" }),
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

    // --- reading the inputs, once per round ------------------------------------

    function input(id) {
      return document.getElementById(id);
    }

    function readDate(id) {
      var box = input(id);
      if (!box || box.disabled) return { state: "empty" };
      if (box.value === "") {
        // A date typed only in part reads as "" but is not empty.
        return box.validity && box.validity.badInput
          ? { state: "invalid", message: "the date is incomplete" }
          : { state: "empty" };
      }
      var day = dayOf(box.value);
      return day === null ? { state: "invalid", message: "not a date" } : { state: "ok", day: day, text: box.value };
    }

    // Every input read and checked: numbers parsed and held to their plausible
    // values, dates after the planned enrollment date or after today flagged.
    function readAll() {
      read = {};
      var now = today();
      var enrollment = readDate("ps-enrollment");
      read["ps-enrollment"] = enrollment;
      var limit = enrollment.state === "ok" ? enrollment.day : null;

      function dated(id) {
        var d = readDate(id);
        if (d.state === "ok" && d.day > now) {
          d.state = "flagged";
          d.message = d.text + " is after today (" + dayText(now) + ") and is not counted";
        } else if (d.state === "ok" && limit !== null && d.day > limit) {
          d.state = "flagged";
          d.message = d.text + " is after the planned enrollment date (" + dayText(limit) + ") and is not counted";
        }
        read[id] = d;
      }

      function number(id, plausible) {
        var box = input(id);
        var n = readNumber(box ? box.value : "");
        if (n.state === "ok") {
          var problem = implausible(n.value, plausible);
          if (problem) n = { state: "invalid", raw: n.raw, message: problem };
        }
        read[id] = n;
      }

      Object.keys(data.variables).forEach(function (name) {
        var v = data.variables[name];
        var rows = v.series ? rowsShown[name] : 1;
        for (var i = 0; i < rows; i++) {
          var base = "ps-" + name + "-" + i + "-";
          number(base + "value", v.plausible);
          if (v.uln && !v.series) number(base + "uln", data.uln_plausible);
          if (v.dated) dated(base + "date");
        }
      });
      Object.keys(data.events).forEach(function (name) {
        dated("ps-event-" + name + "-date");
      });
      Object.keys(read).forEach(function (id) {
        var box = input(id);
        var error = document.getElementById(id + "-error");
        if (!box || !error) return;
        var message = read[id].message ? upperFirst(read[id].message) + "." : "";
        if (message) box.setAttribute("aria-invalid", "true");
        else box.removeAttribute("aria-invalid");
        if (error.textContent !== message) error.textContent = message;
      });
    }

    function measurement(name, row) {
      var base = "ps-" + name + "-" + row + "-";
      return {
        value: read[base + "value"] || { state: "empty" },
        uln: read[base + "uln"] || { state: "empty" },
        date: read[base + "date"] || { state: "empty" }
      };
    }

    // The one measurement a comparison uses: the only one, or the latest counted.
    function current(name) {
      var v = data.variables[name];
      if (!v.series) return { m: measurement(name, 0), label: v.label };
      var best = null;
      for (var i = 0; i < rowsShown[name]; i++) {
        var m = measurement(name, i);
        if (m.value.state === "ok" && m.date.state === "ok" && (!best || m.date.day >= best.m.date.day)) {
          best = { m: m, label: v.label + " " + (i + 1) };
        }
      }
      return best || { m: measurement(name, -1), label: v.label };
    }

    function answer(name) {
      var checked = form.querySelector("input[name='" + name + "']:checked");
      return checked ? checked.value === "yes" : null;
    }

    // --- evaluation -------------------------------------------------------------
    // Each node gives {value: true | false | null, says: [what the values show],
    // needs: [what is missing], notes: [values refused or not counted],
    // refused: whether an input it reads was refused}. A criterion that reads a
    // refused value stays unknown, even where the other values would decide it:
    // the refusal is a typing error to correct first.

    function result(value, says, needs, notes, refused) {
      return { value: value, says: says || [], needs: needs || [], notes: notes || [], refused: !!refused };
    }

    function anyRefused(parts) {
      return parts.some(function (p) { return p.refused; });
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
      return result(null, [], ["an answer"]);
    }

    function gather(parts, key) {
      return parts.reduce(function (all, p) { return all.concat(p[key]); }, []);
    }

    // any (Kleene or) when isAny, all (Kleene and) otherwise.
    function combine(parts, isAny) {
      var notes = gather(parts, "notes");
      var refused = anyRefused(parts);
      var decisive = parts.filter(function (p) { return p.value === isAny; });
      if (decisive.length) return result(isAny, gather(decisive, "says"), [], notes, refused);
      var unknown = parts.filter(function (p) { return p.value === null; });
      var known = parts.filter(function (p) { return p.value !== null; });
      if (unknown.length) return result(null, gather(known, "says"), gather(unknown, "needs"), notes, refused);
      return result(!isAny, gather(parts, "says"), [], notes, refused);
    }

    function unless(node) {
      var c = evaluate(node.condition);
      var u = evaluate(node.unless);
      var notes = c.notes.concat(u.notes);
      var refused = anyRefused([c, u]);
      if (c.value === false) return result(false, c.says, [], notes, refused);
      if (u.value === true) {
        return result(false, c.says.concat(u.says.map(function (s) { return s + ", so the exception applies"; })), [], notes, refused);
      }
      if (c.value === true && u.value === false) return result(true, c.says.concat(u.says), [], notes, refused);
      var says = (c.value === null ? [] : c.says).concat(u.value === null ? [] : u.says);
      var needs = (c.value === null ? c.needs : []).concat(u.value === null ? u.needs : []);
      return result(null, says, needs, notes, refused);
    }

    function holds(operator, order) {
      switch (operator) {
        case "<": return order < 0;
        case "<=": return order <= 0;
        case ">": return order > 0;
        case ">=": return order >= 0;
        case "=": return order === 0;
      }
      return false;
    }

    // "below 18 years", "exactly 50", "above 3 x ULN"
    function orderWords(order, limit) {
      return (order < 0 ? "below " : order > 0 ? "above " : "exactly ") + limit;
    }

    // What a comparison asks for: "below 50 x 10^9/L", "18 years or more".
    function sideWords(operator, limit) {
      switch (operator) {
        case "<": return "below " + limit;
        case "<=": return limit + " or less";
        case ">": return "above " + limit;
        case ">=": return limit + " or more";
      }
      return "exactly " + limit;
    }

    // "exactly 3 x ULN, not above it", "below 18 years"
    function relation(order, operator, limit) {
      var words = orderWords(order, limit);
      if (order === 0 && operator === "<") words += ", not below it";
      if (order === 0 && operator === ">") words += ", not above it";
      if (order !== 0 && operator === "=") words += ", not exactly " + limit;
      return words;
    }

    // Why an input cannot be used, or null: "Age 200 is not plausible (0 to 120 years)".
    function problem(label, reading) {
      return reading.state === "invalid" || reading.state === "flagged" ? label + " " + reading.message : null;
    }

    function compare(node) {
      var v = data.variables[node.variable];
      var found = current(node.variable);
      var m = found.m;
      var uln = node.unit === ULN;
      var needs = [];
      var notes = [];
      [
        [found.label, m.value, lowerFirst(found.label)],
        [v.label + " upper limit of normal", uln ? m.uln : { state: "ok" }, lowerFirst(v.label) + " upper limit of normal"],
        [v.label + " date of test", v.dated ? m.date : { state: "ok" }, null]
      ].forEach(function (part) {
        var why = problem(part[0], part[1]);
        if (why) notes.push(why);
        else if (part[1].state === "empty" && part[2]) needs.push(part[2]);
      });
      var window = null;
      if (node.within) {
        var enrollment = read["ps-enrollment"];
        if (enrollment.state !== "ok") needs.push("planned enrollment date");
        if (m.date.state === "empty") needs.push(lowerFirst(v.label) + " date of test");
        if (enrollment.state === "ok" && m.date.state === "ok") {
          window = shift(enrollment.day, node.within, -1);
          if (m.date.day < window) {
            notes.push(v.label + " test of " + m.date.text + " is more than " + durationText(node.within) +
              " before the planned enrollment date, so it does not count");
            needs.push(lowerFirst(v.label) + " test dated " + dayText(window) + " or later");
          }
        }
      }
      var refused = [m.value, uln ? m.uln : m.value, v.dated ? m.date : m.value].some(function (reading) {
        return reading.state === "invalid";
      });
      if (needs.length || notes.length) return result(null, [], needs, notes, refused);
      var threshold = decimal(node.threshold);
      var value = m.value.value;
      var limit = uln ? times(threshold, m.uln.value) : threshold;
      var order = compareDecimals(value, limit);
      var unit = uln ? v.unit : node.unit;
      var said = found.label + " " + quantity(m.value.text, unit) +
        (v.dated && m.date.state === "ok" ? " on " + m.date.text : "");
      if (uln) {
        said += " with upper limit of normal " + quantity(m.uln.text, unit) + " (" + node.threshold +
          " x ULN = " + quantity(decimalText(limit), unit) + "), " + relation(order, node.operator, node.threshold + " x ULN");
      } else {
        said += ", " + relation(order, node.operator, quantity(node.threshold, node.unit));
      }
      if (window !== null) {
        said += ", within " + durationText(node.within) + " before enrollment (counted from " + dayText(window) + ")";
      }
      return result(holds(node.operator, order), [said]);
    }

    function repeated(node) {
      var name = node.of.variable;
      var v = data.variables[name];
      var threshold = decimal(node.of.threshold);
      var rows = [];
      var needs = [];
      var notes = [];
      var blocked = false;
      for (var i = 0; i < rowsShown[name]; i++) {
        var m = measurement(name, i);
        var label = v.label + " " + (i + 1);
        if (m.value.state === "empty" && m.date.state === "empty") continue;
        var bad = problem(label, m.value) || (m.date.state === "invalid" ? problem(label + " date of test", m.date) : null);
        if (bad) {
          // A refused value could be the one that decides: the criterion stays unknown.
          notes.push(bad);
          blocked = true;
        } else if (m.value.state === "empty") {
          needs.push(lowerFirst(label) + " value");
        } else if (m.date.state === "empty") {
          needs.push(lowerFirst(label) + " date of test");
        } else if (m.date.state === "flagged") {
          notes.push(label + " of " + m.date.message);
        } else {
          rows.push({ m: m, row: i, order: compareDecimals(m.value.value, threshold) });
        }
      }
      if (blocked || needs.length) return result(null, [], needs, notes, blocked);
      if (rows.length < node.at_least) {
        return result(null, [], ["at least " + node.at_least + " dated " + lowerFirst(v.label) + " results"], notes);
      }
      rows.sort(function (a, b) { return a.m.date.day - b.m.date.day || a.row - b.row; });
      // Runs of qualifying measurements: with `consecutive`, a failing one ends a run.
      var runs = [[]];
      rows.forEach(function (row) {
        if (holds(node.of.operator, row.order)) runs[runs.length - 1].push(row);
        else if (node.consecutive) runs.push([]);
      });
      var best = [];
      runs.forEach(function (run) {
        // Taking the earliest possible next measurement each time picks the most.
        var picked = [];
        run.forEach(function (row) {
          var last = picked[picked.length - 1];
          if (!last || !node.apart || row.m.date.day >= shift(last.m.date.day, node.apart, 1)) picked.push(row);
        });
        if (picked.length > best.length) best = picked;
      });
      var side = sideWords(node.of.operator, quantity(node.of.threshold, node.of.unit));
      if (best.length >= node.at_least) {
        var gaps = best.slice(1).map(function (row, k) { return row.m.date.day - best[k].m.date.day; });
        var said = v.label + " " + listText(best.map(function (row) {
          return quantity(row.m.value.text, null) + " on " + row.m.date.text;
        }));
        if (node.apart) said += ", " + listText(gaps.map(String)) + " days apart";
        said += ", " + (best.length === 2 ? "both " : "all ") + side;
        return result(true, [said], [], notes);
      }
      var all = v.label + " " + listText(rows.map(function (row) {
        var mark = holds(node.of.operator, row.order) ? "" : " (" + orderWords(row.order, node.of.threshold) + ")";
        return row.m.value.text + " on " + row.m.date.text + mark;
      }));
      var wanted = "no " + node.at_least + (node.consecutive ? " consecutive" : "") + " results " + side +
        (node.apart ? " at least " + durationText(node.apart) + " apart" : "");
      return result(false, [all + ": " + wanted], [], notes);
    }

    function event(node) {
      var label = data.events[node.event].label;
      var never = input("ps-event-" + node.event + "-never");
      if (never && never.checked) return result(false, ["no " + label + " at any time"]);
      var date = read["ps-event-" + node.event + "-date"];
      var enrollment = read["ps-enrollment"];
      var needs = [];
      var notes = [];
      var why = problem("Most recent " + label, date);
      if (why) notes.push(why);
      if (date.state === "empty") needs.push("date of the most recent " + label + " (or never)");
      if (enrollment.state !== "ok") needs.push("planned enrollment date");
      if (needs.length || notes.length) return result(null, [], needs, notes, date.state === "invalid");
      var first = shift(enrollment.day, node.within, -1);
      var inside = date.day >= first;
      return result(inside, [
        "most recent " + label + " on " + date.text + ", " + (inside ? "within " : "more than ") +
        durationText(node.within) + " before enrollment (counted from " + dayText(first) + ")"
      ]);
    }

    function manual(node) {
      var value = answer(node.key);
      if (!node.question) {
        return value === null ? result(null, [], ["an answer"]) : result(value, ["staff answer"]);
      }
      if (value === null) return result(null, [], ["an answer to \u201c" + node.question + "\u201d"]);
      return result(value, [node.question + " " + (value ? "Yes" : "No")]);
    }

    // --- showing the results -------------------------------------------------

    function verdict(criterion, value) {
      return WORDS[criterion.group][String(value)].toLowerCase();
    }

    // "Platelet count 30 on 2026-11-20 and 35 on 2026-11-28, 8 days apart, both below 50 x 10^9/L: met."
    function sentence(criterion, r) {
      var parts = r.says.concat(r.notes);
      if (r.value === null && r.needs.length) parts.push("missing " + unique(r.needs).join(", "));
      return upperFirst(unique(parts).join("; ")) + ": " + verdict(criterion, r.value) + ".";
    }

    function stateClass(criterion, value) {
      if (value === null) return "unknown";
      var good = criterion.group === "inclusion" ? value : !value;
      return good ? "ok" : "fail";
    }

    var summary = "";  // the overall result in a few words, for the filled form

    function update() {
      readAll();
      var failing = [];
      var unknown = [];
      data.criteria.forEach(function (criterion) {
        var r = evaluate(criterion.rule);
        if (r.refused) r.value = null;
        criterion.result = r;
        criterion.sentence = sentence(criterion, r);
        var status = document.getElementById("ps-status-" + slug(criterion.id));
        status.textContent = "";
        status.appendChild(el("span", {
          className: "trial-prescreen__state trial-prescreen__state--" + stateClass(criterion, r.value),
          "data-state": r.value === null ? "unknown" : String(r.value),
          text: WORDS[criterion.group][String(r.value)]
        }));
        status.appendChild(document.createTextNode(" "));
        status.appendChild(el("span", { className: "trial-prescreen__result", text: criterion.sentence }));
        var bad = criterion.group === "inclusion" ? r.value === false : r.value === true;
        if (bad) failing.push(criterion);
        else if (r.value === null) unknown.push(criterion);
      });
      var ids = function (list) { return list.map(function (c) { return c.id; }).join(", "); };
      var title;
      var items;
      if (failing.length) {
        overall.setAttribute("data-state", "not-eligible");
        summary = "not eligible: " + ids(failing);
        title = "Pre-screen: not eligible (" + ids(failing) + ")";
        items = failing.map(function (c) { return c.id + " " + verdict(c, c.result.value) + ": " + c.text; });
      } else if (unknown.length) {
        overall.setAttribute("data-state", "incomplete");
        summary = "incomplete, unknown: " + ids(unknown);
        title = "Pre-screen: incomplete, " + unknown.length + (unknown.length === 1 ? " criterion" : " criteria") + " unknown";
        items = unknown.map(function (c) { return c.id + " unknown: " + c.sentence.replace(/: unknown\.$/, "") + "."; });
      } else {
        overall.setAttribute("data-state", "all-met");
        summary = "all criteria met so far";
        title = "Pre-screen: all criteria met so far";
        items = ["Every inclusion criterion is met and no exclusion criterion applies, on the values entered. The investigator decides eligibility."];
      }
      // Set only on a change, so that a screen reader announces changes only.
      if (overallTitle.textContent !== title) overallTitle.textContent = title;
      overallList.textContent = "";
      items.forEach(function (t) { overallList.appendChild(el("li", { text: t })); });
    }

    function clearAll() {
      form.reset();
      form.querySelectorAll("input[data-never-for]").forEach(syncNever);
      // Rows added with "Add another" go too: the form starts as built.
      Object.keys(rowsShown).forEach(function (name) {
        var keep = data.variables[name].rows;
        form.querySelectorAll("#ps-series-" + name + " > [data-row]").forEach(function (row) {
          if (+row.getAttribute("data-row") >= keep) row.remove();
        });
        rowsShown[name] = keep;
      });
      clearFilled();
      touched = false;
      update();
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

    // What the form shows for an input: the number as read, a refused entry
    // as typed and marked, a date with its flag.
    function shown(reading, raw) {
      if (reading.state === "ok") return reading.text;
      if (reading.state === "invalid") return (reading.raw || raw || "") + " (refused)";
      if (reading.state === "flagged") return reading.text + " (not counted)";
      return "";
    }

    function printFilled() {
      update();
      clearFilled();
      data.criteria.forEach(function (c) {
        if (c.result.value !== null) tick(c.id + ":" + (c.result.value ? "yes" : "no"));
        fill("result:" + c.id, "Pre-screen: " + c.sentence);
      });
      manuals.forEach(function (node) {
        var value = answer(node.key);
        if (node.question && value !== null) tick(node.answerKey + ":" + (value ? "yes" : "no"));
      });
      if (read["ps-enrollment"].state === "ok") fill("enrollment", read["ps-enrollment"].text);
      Object.keys(data.variables).forEach(function (name) {
        var v = data.variables[name];
        var rows = v.series ? rowsShown[name] : 1;
        for (var i = 0; i < rows; i++) {
          var m = measurement(name, i);
          var key = "variable:" + name + ":" + i + ":";
          if (i >= v.rows) {
            if (m.value.state === "empty" && m.date.state === "empty") continue;
            addPrintedRow(name, i, m);
            continue;
          }
          fill(key + "value", shown(m.value));
          fill(key + "uln", shown(m.uln));
          fill(key + "date", shown(m.date));
        }
      });
      Object.keys(data.events).forEach(function (name) {
        var never = input("ps-event-" + name + "-never");
        if (never && never.checked) tick("event:" + name + ":never");
        fill("event:" + name + ":date", shown(read["ps-event-" + name + "-date"]));
      });
      var note = document.getElementById("trial-checklist-prescreen-note");
      note.textContent = "PRE-SCREEN, NOT AN ELIGIBILITY DETERMINATION. Boxes, values and results " +
        "were filled in on screen from the values entered (pre-screen " + summary + "). Boxes are " +
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

    // A measurement beyond the form's own lines, written like them.
    function addPrintedRow(name, i, m) {
      var v = data.variables[name];
      document.querySelectorAll("[data-series='" + name + "']").forEach(function (list) {
        list.appendChild(el("span", { className: "trial-checklist__measure trial-checklist__measure--added" }, [
          el("span", { className: "trial-checklist__measure-label", text: v.label + " " + (i + 1) }),
          el("span", { className: "trial-checklist__field" }, [
            "Value ",
            el("span", { className: "trial-checklist__blank", text: shown(m.value) }),
            v.unit ? " " + v.unit : null
          ]),
          el("span", { className: "trial-checklist__field" }, [
            "Date of test ",
            el("span", { className: "trial-checklist__blank", text: shown(m.date) })
          ])
        ]));
      });
    }

    function clearFilled() {
      document.querySelectorAll("#trial-checklist [data-fill], #trial-checklist [data-box]").forEach(function (node) {
        node.textContent = "";
      });
      document.querySelectorAll("#trial-checklist .trial-checklist__measure--added").forEach(function (node) {
        node.remove();
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
