/* "Which version is my paper checklist?" on the checklist page.
 *
 * Looks the 8 characters printed after "Checklist version" up in the JSON in
 * the page head (#trial-versions-data, the same data as versions/index.json)
 * and says whether that checklist is current or superseded, by which version
 * and since when. No network request, nothing stored; text is only ever set
 * with textContent.
 */
(function () {
  "use strict";

  var HEX = /^[0-9a-f]{8}$/;

  function list(items) {
    if (items.length < 2) return items.join("");
    return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }

  function versionsText(entry) {
    var numbers = entry.versions.filter(function (n) { return n !== null; });
    if (!numbers.length) return "the " + entry.titles[0].charAt(0).toLowerCase() + entry.titles[0].slice(1);
    if (numbers.length === 1) return entry.titles[0].charAt(0).toLowerCase() + entry.titles[0].slice(1);
    return "protocol versions " + list(numbers);
  }

  function answer(data, typed) {
    var value = typed.replace(/\s+/g, "").toLowerCase();
    if (!value) return null;
    if (!HEX.test(value)) {
      if (value.length < 8 && /^[0-9a-f]*$/.test(value)) return null;
      return { state: "invalid", head: "Not a checklist version.",
               text: "A checklist version has 8 characters, each 0 to 9 or a to f." };
    }
    var entry = data.fingerprints[value];
    if (entry && entry.state === "current") {
      return { state: "current", head: "Current.",
               text: "Checklist version " + value + " is the one in force: " + versionsText(entry) +
                     (entry.since ? ", in force since " + entry.since : "") + "." };
    }
    if (entry) {
      return { state: "superseded", head: "Superseded.",
               text: "Checklist version " + value + " belongs to " + versionsText(entry) +
                     ". It was superseded by version " + entry.superseded_by +
                     (entry.superseded_on ? " on " + entry.superseded_on : "") +
                     ". Screen new patients with the current checklist (version " +
                     data.current.fingerprint + ")." };
    }
    var text = "No known version of this trial's checklist is " + value +
               ". Check the characters printed on the sheet.";
    if (!data.versioned) {
      text += " The trial file states no protocol version, so only the current registry " +
              "record's checklist (version " + data.current.fingerprint + ") is known.";
    } else if (!data.history_known) {
      text += " Only the current version is known here: " + data.history_note + ".";
    }
    return { state: "unknown", head: "Not found.", text: text };
  }

  function buildForm(body) {
    var form = document.createElement("form");
    form.className = "trial-version-lookup__form";
    form.id = "trial-version-lookup-form";
    var label = document.createElement("label");
    label.htmlFor = "trial-version-lookup-input";
    label.textContent = "Checklist version";
    var input = document.createElement("input");
    input.id = "trial-version-lookup-input";
    input.name = "fingerprint";
    input.type = "text";
    input.autocomplete = "off";
    input.setAttribute("autocapitalize", "off");
    input.spellcheck = false;
    input.maxLength = 12;
    input.size = 12;
    input.placeholder = "e.g. 0a1b2c3d";
    form.appendChild(label);
    form.appendChild(input);
    body.appendChild(form);
    return form;
  }

  function start() {
    var body = document.getElementById("trial-version-lookup-body");
    var output = document.getElementById("trial-version-lookup-answer");
    var source = document.getElementById("trial-versions-data");
    if (!body || !output || !source) return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var form = buildForm(body);
    var input = form.querySelector("input");

    function show() {
      var result = answer(data, input.value);
      output.textContent = "";
      if (!result) {
        output.removeAttribute("data-state");
        return;
      }
      output.setAttribute("data-state", result.state);
      var head = document.createElement("strong");
      head.textContent = result.head;
      output.appendChild(head);
      output.appendChild(document.createTextNode(" " + result.text));
    }

    input.addEventListener("input", show);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show();
    });
    show();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
