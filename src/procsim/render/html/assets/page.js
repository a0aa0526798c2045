/* procsim: the case page. Steps, the step panel, options, what-if branches, the
 * classroom quiz, the timeline and printing, all drawn from the page's data
 * (see page.py) and the evaluator (evaluate.js). No framework, no network. */
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("procsim-data").textContent);
  var P = D.process, C = D.case, SC = D.scenario, LINKS = D.basis_links || {};
  var TOTAL = C.steps.length;
  var S = { mode: "case", pos: 0, branch: null, quiz: { right: 0, asked: 0, answers: {} } };
  var panel = document.getElementById("panel");
  var svg = document.getElementById("map-svg");
  var view = document.getElementById("map-view");
  var zoom = PanZoom(svg, view);
  var follow = true;

  /* ------------------------------------------------------------ small helpers */
  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else node.setAttribute(key, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(node, c); }); return; }
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  function state(name) { return P.states[name]; }
  function trans(i) { return P.transitions[i]; }
  function forumLabel(name) { return P.forums[state(name).forum]; }
  function actorLabel(name) { return P.actors[name] || name; }
  /* A fact and its value, or a change of it, in the terminal's words (evaluate.js). */
  function factValue(name, value) { return Procsim.factWords(P, name) + ": " + Procsim.valueWords(P, name, value); }
  function factChange(c) {
    return Procsim.factWords(P, c[0]) + ": " + Procsim.valueWords(P, c[0], c[1]) + " \u2192 " + Procsim.valueWords(P, c[0], c[2]);
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* A legal basis with each instrument it names linked to its published text. */
  var LINK_KEYS = Object.keys(LINKS).sort(function (a, b) { return b.length - a.length; });
  function basis(text) {
    var span = h("span", { class: "basis" });
    var rest = text || "";
    while (rest) {
      var best = -1, key = null;
      LINK_KEYS.forEach(function (k) {
        var at = rest.indexOf(k);
        if (at >= 0 && (best < 0 || at < best)) { best = at; key = k; }
      });
      if (key === null) { add(span, rest); break; }
      add(span, rest.slice(0, best));
      add(span, h("a", { href: LINKS[key][1], title: LINKS[key][0], target: "_blank", rel: "noopener", text: key }));
      rest = rest.slice(best + key.length);
    }
    return span;
  }
  function row(label, content, cls) {
    return h("div", { class: "row " + (cls || "") }, h("span", { class: "key", text: label }), " ", content);
  }
  function section(title, cls) { return h("section", { class: "block " + (cls || "") }, h("h3", { text: title })); }

  function sourceItem(id) {
    var source = SC && SC.sources[id];
    if (id === "what-if") return h("li", { text: "Hypothetical: the process model's legal basis for the step" });
    if (!source) return h("li", { text: id });
    var link = source.url ? h("a", { href: source.url, target: "_blank", rel: "noopener", text: "read" }) : null;
    var where = source.seed ? " (seed article " + source.seed + ")" : source.model ? " (model " + source.model + ")" : "";
    return h("li", {}, h("span", { class: "src-id", text: "[" + id + "] " }),
      h("b", { text: source.publisher }), ", \u201c" + source.title + "\u201d, " + source.date_text + where + " ", link,
      source.note ? h("div", { class: "muted", text: source.note }) : null);
  }

  function discrepancy(item) {
    var box = h("div", { class: "discrepancy" },
      h("h4", {}, "Sources disagree: ", item.topic, h("span", { class: "muted", text: " (" + item.id + ")" })));
    var list = h("ul");
    item.accounts.forEach(function (account) {
      var follows = account.sources.some(function (s) { return item.follows.indexOf(s) >= 0; });
      list.appendChild(h("li", { class: follows ? "followed" : "" },
        h("b", { text: account.sources.join(", ") + ": " }), account.says, follows ? h("span", { class: "tag", text: " followed" }) : null));
    });
    add(box, [list, h("p", {}, h("b", { text: "The case follows " + item.follows.join(", ") + ": " }), item.why)]);
    return box;
  }

  /* ------------------------------------------------------------ options */
  function keyOf(t) { return t.trigger + "\u0000" + t.dest; }

  /* The options as the terminal stepper lists them: one per (trigger, destination), the one
   * taken marked, the open ones numbered, the blocked ones grouped under their reasons. */
  function optionsBlock(choices, opts) {
    var open = Procsim.numbered(P, choices, !opts.markTaken);
    var openKeys = open.map(keyOf);
    var list = h("ol", { class: "options" });
    var blocked = {}, order = [], shown = {};
    choices.forEach(function (choice) {
      var t = trans(choice.t), key = keyOf(t);
      if (shown[key]) return;
      shown[key] = true;
      var text = [h("b", { text: t.label }), " \u2192 " + state(t.dest).label];
      if (choice.taken && opts.markTaken) {
        list.appendChild(h("li", { class: "taken", "data-t": t.i }, h("span", { class: "mark", "aria-hidden": "true", text: "\u2713 " }),
          text, h("span", { class: "tag", text: opts.takenLabel || " what happened" }), h("div", { class: "muted" }, basis(t.basis))));
      } else if (openKeys.indexOf(key) >= 0) {
        var item = h("li", { class: "open", "data-t": t.i }, h("span", { class: "num", text: "[" + (openKeys.indexOf(key) + 1) + "] " }), text,
          h("div", { class: "muted" }, basis(t.basis)));
        if (t.time_limit) add(item, h("div", { class: "muted" }, "Time limit: " + t.time_limit.text + " (" + t.time_limit.basis + ")"));
        if (opts.action) add(item, opts.action(t));
        list.appendChild(item);
      } else {
        var reasons = choice.blocked.map(function (b) { return b.text; }).join("; ") || "another route applies";
        if (!blocked[reasons]) { blocked[reasons] = { labels: [], failures: choice.blocked }; order.push(reasons); }
        blocked[reasons].labels.push(t.label);
      }
    });
    var out = [list];
    if (order.length) {
      var groups = h("div", { class: "blocked" }, h("h4", { text: "Not open here" }));
      order.forEach(function (reasons) {
        var group = blocked[reasons];
        var box = h("div", { class: "blocked-group" }, h("p", {}, h("span", { class: "mark", "aria-hidden": "true", text: "\u2717 " }), h("b", { text: group.labels.join(", ") })));
        group.failures.forEach(function (failure) {
          var guard = P.guards[failure.guard];
          var facts = failure.facts.map(function (pair) { return factValue(pair[0], pair[1]); }).join("; ");
          add(box, h("div", { class: "reason" }, h("b", { text: guard.label + ": " }), guard.reason, " ",
            h("span", { class: "cite" }, "[", basis(guard.basis), "]"),
            h("div", { class: "facts" }, "Facts read: " + facts)));
        });
        if (!group.failures.length) add(box, h("div", { class: "reason", text: "another route applies" }));
        groups.appendChild(box);
      });
      out.push(groups);
    }
    return out;
  }

  /* ------------------------------------------------------------ the real case */
  function stepHeader(step) {
    return h("div", { class: "step-head" },
      h("h2", {}, "Step " + step.number + " of " + TOTAL + " ", h("span", { class: "date", text: step.date_text })),
      h("span", { class: "muted", text: " date known to the " + step.precision + (step.gap ? "; +" + step.gap + " since the previous step" : "") }));
  }

  function runsBlock(runs, title) {
    var box = section(title, "limits");
    if (!runs.length) { add(box, h("p", { class: "muted", text: "none" })); return box; }
    var list = h("ul");
    runs.forEach(function (run) {
      list.appendChild(h("li", { class: run.verdict === "late" ? "late" : "" }, h("b", { text: run.label + ": " }), run.text));
    });
    add(box, list);
    return box;
  }

  function realView(p) {
    var out = [];
    var title = SC ? SC.title : "The bare process: " + P.title;
    out.push(h("p", { class: "case-title", text: title }));
    var here = C.positions[p];
    if (p === 0) {
      var first = state(here.state);
      out.push(h("h2", { text: "Start (0 of " + TOTAL + " steps)" }));
      if (SC) out.push(h("p", { class: "summary", text: SC.summary }));
      out.push(row("State:", h("span", {}, h("b", { text: first.label }), " (" + here.state + ") \u2013 " + first.description)));
      out.push(row("Basis:", basis(first.basis)));
      var initial = SC ? Object.keys(SC.initial_facts) : [];
      if (initial.length) out.push(row("Facts at the start:", initial.map(function (k) { return factValue(k, SC.initial_facts[k]); }).join("; ")));
    } else {
      var step = C.steps[p - 1];
      var after = state(step.after);
      out.push(stepHeader(step));
      out.push(h("h3", { class: "what" }, step.label, h("span", { class: "muted", text: " \u2013 by " + step.actor_label })));
      out.push(h("p", { class: "summary", text: step.summary }));
      if (step.moved) {
        out.push(row("State:", h("span", {}, state(step.before).label + " \u2192 ", h("b", { text: after.label }),
          " (" + step.after + ", " + P.status_words[after.status] + ")")));
      } else {
        out.push(row("State:", "stays in " + after.label + " (" + step.after + ")"));
      }
      out.push(h("p", { class: "muted", text: after.description }));
      out.push(row("Basis of this step:", basis(step.basis)));
      out.push(row("Basis of the state:", basis(after.basis)));
      step.unverified.forEach(function (u) { out.push(row("Unverified:", u, "warn")); });
      step.changes.forEach(function (c) { out.push(row("Fact:", factChange(c))); });
      var sources = section("Sources");
      add(sources, h("ul", { class: "sources" }, step.sources.map(sourceItem)));
      step.notes.forEach(function (n) { add(sources, h("p", { class: "muted", text: "Note: " + n })); });
      out.push(sources);
      step.discrepancies.forEach(function (d) { out.push(discrepancy(d)); });
      if (step.limits_closed.length) out.push(runsBlock(step.limits_closed, "Time limits this step answered"));
    }
    out.push(runsBlock(here.running, "Time limits running now"));
    var step2 = p > 0 ? C.steps[p - 1] : null;
    if (step2 && step2.moved) {
      var alt = section("At this point the process allowed (from " + state(step2.before).label + ")", "choices");
      add(alt, optionsBlock(C.positions[p - 1].options, { markTaken: true, action: whatIfButton(p - 1) }));
      out.push(alt);
    }
    if (!step2 || !step2.moved || p === TOTAL) {
      var next = section("What can happen next (from " + state(here.state).label + ")", "choices");
      var choices = here.options;
      var lines = optionsBlock(choices, { markTaken: false, action: whatIfButton(p) });
      add(next, choices.length ? lines : h("p", { text: "nothing: this state is terminal" }));
      out.push(next);
    }
    if (p === TOTAL && SC) {
      out.push(h("p", { class: "end" }, h("b", { text: "End of the scenario: " }), state(SC.end.state).label + " \u2013 " + SC.end.text));
    }
    return out;
  }

  /* A "what if?" button for an option the evaluator allows after `at` real events. */
  function whatIfButton(at) {
    var facts = C.positions[at].facts, here = C.positions[at].state;
    var open = Procsim.numbered(P, Procsim.options(P, here, facts), true).map(keyOf);
    var taken = at < TOTAL && C.steps[at].t !== null ? keyOf(trans(C.steps[at].t)) : null;
    return function (t) {
      if (keyOf(t) === taken) return null;
      if (open.indexOf(keyOf(t)) < 0) return h("div", { class: "muted", text: "(open only with this step's own facts: not offered as a what-if)" });
      return h("button", { type: "button", class: "whatif", "data-t": t.i,
        "aria-label": "What if: " + t.label + " to " + state(t.dest).label,
        on: { click: function () { startBranch(at, t); } } }, "What if?");
    };
  }

  /* ------------------------------------------------------------ what-if branches */
  function lineDate(index) {
    /* the date of the event before position `index` of the branch line (real events, then chosen) */
    var b = S.branch;
    if (index > 0) return b.steps[index - 1].date;
    return b.at > 0 ? C.steps[b.at - 1].date : null;
  }

  function startBranch(at, t) {
    S.branch = { at: at, steps: [], pos: 0, message: "" };
    take(t, null);
  }

  /* Take transition t after the branch's current position (later chosen steps are dropped). */
  function take(t, typed) {
    var b = S.branch;
    b.steps = b.steps.slice(0, b.pos);
    var before = b.pos ? b.steps[b.pos - 1] : { state: C.positions[b.at].state, facts: C.positions[b.at].facts };
    var previous = lineDate(b.pos);
    var date = previous || "2000";
    if (typed) {
      date = Procsim.parseDate(typed);
      if (!date) { b.message = "'" + typed + "' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"; render(); return; }
      if (previous && Procsim.bounds(date)[1] < Procsim.bounds(previous)[0]) {
        b.message = date + " is before the previous event (" + previous + ")"; render(); return;
      }
    }
    var actor = t.actors[0];
    var move = Procsim.fire(P, before.state, before.facts, t.trigger, actor, date);
    if (!move) { b.message = "'" + t.trigger + "' is not open here"; render(); return; }
    var fired = trans(move.t);
    b.steps.push({ t: move.t, trigger: t.trigger, actor: actor, date: date, dateChosen: !!typed, before: before.state,
      state: move.state, facts: move.facts, changes: move.changes, id: newId(t.trigger) });
    b.pos = b.steps.length;
    b.message = "What if: the case goes \u201c" + fired.label + "\u201d.";
    render();
  }

  function newId(trigger) {
    var b = S.branch, taken = {};
    for (var i = 0; i < b.at; i++) taken[C.steps[i].id] = true;
    b.steps.forEach(function (s) { taken[s.id] = true; });
    var n = b.at + b.steps.length + 1, id = "whatif-" + n + "-" + trigger;
    while (taken[id]) { n += 1; id = "whatif-" + n + "-" + trigger; }
    return id.replace(/_/g, "-");
  }

  function branchView() {
    var b = S.branch, out = [];
    out.push(h("p", { class: "case-title" }, SC ? SC.title : "The bare process: " + P.title, h("span", { class: "tag whatif-tag", text: " what-if branch" })));
    var bar = h("div", { class: "branch-bar" },
      h("button", { type: "button", id: "back-to-case", on: { click: backToCase } }, "\u21A9 Back to the real case"),
      h("button", { type: "button", id: "export", on: { click: exportBranch } }, "Export as scenario YAML"));
    out.push(bar);
    var from = b.at > 0 ? "after step " + b.at + " (" + C.steps[b.at - 1].label + ", " + C.steps[b.at - 1].date_text + ")" : "from the start";
    out.push(h("p", { class: "muted", text: "Branch " + from + ": " + plural(b.steps.length, "hypothetical step") + "." }));
    if (b.message) out.push(h("p", { class: "message", role: "status", text: b.message }));
    var here, facts;
    if (b.pos > 0) {
      var s = b.steps[b.pos - 1], t = trans(s.t), after = state(s.state);
      out.push(h("div", { class: "step-head" }, h("h2", {}, "What-if step " + b.pos + " of " + b.steps.length + " ",
        h("span", { class: "date", text: s.date }))));
      out.push(h("h3", { class: "what" }, t.label, h("span", { class: "muted", text: " \u2013 by " + actorLabel(s.actor) })));
      if (!s.dateChosen) out.push(h("p", { class: "muted", text: "Date not chosen in the what-if: the previous event's date is used." }));
      out.push(row("State:", h("span", {}, state(s.before).label + " \u2192 ", h("b", { text: after.label }), " (" + s.state + ", " + P.status_words[after.status] + ")")));
      out.push(h("p", { class: "muted", text: after.description }));
      out.push(row("Basis of this step:", basis(t.basis)));
      out.push(row("Basis of the state:", basis(after.basis)));
      if (t.unverified) out.push(row("Unverified in the model:", t.unverified, "warn"));
      s.changes.forEach(function (c) { out.push(row("Fact:", factChange(c))); });
      out.push(row("Sources:", "hypothetical: the process model's legal basis for the step"));
      here = s.state; facts = s.facts;
    } else {
      here = C.positions[b.at].state; facts = C.positions[b.at].facts;
    }
    var choices = Procsim.options(P, here, facts);
    var next = section("What can happen next (from " + state(here).label + ")", "choices");
    if (!choices.length) add(next, h("p", { text: "nothing: this state is terminal" }));
    else {
      var dateBox = h("input", { id: "whatif-date", type: "text", inputmode: "numeric", placeholder: lineDate(b.pos) || "2000", size: 12, "aria-describedby": "whatif-date-help" });
      add(next, h("p", {}, h("label", { for: "whatif-date", text: "Date of the next step: " }), dateBox,
        h("span", { id: "whatif-date-help", class: "muted", text: " YYYY, YYYY-MM or YYYY-MM-DD; empty: the previous event's date" })));
      add(next, optionsBlock(choices, { markTaken: false, action: function (t) {
        return h("button", { type: "button", class: "take", "data-t": t.i, "aria-label": "Take: " + t.label + " to " + state(t.dest).label,
          on: { click: function () { take(t, dateBox.value.trim() || null); } } }, "Take this");
      } }));
    }
    out.push(next);
    var limits = section("Time limits that would run from here", "limits");
    var texts = choices.filter(function (c) { return !c.blocked.length && trans(c.t).time_limit; }).map(function (c) {
      var t = trans(c.t);
      return h("li", {}, h("b", { text: t.label + ": " }), t.time_limit.text + " (" + t.time_limit.basis + ")");
    });
    add(limits, texts.length ? h("ul", {}, texts) : h("p", { class: "muted", text: "none" }));
    add(limits, h("p", { class: "muted", text: "Due dates are computed for saved scenarios: export the branch and run procsim deadlines on it." }));
    out.push(limits);
    out.push(h("pre", { id: "yaml", class: "yaml", hidden: !b.showYaml, tabindex: "0", "aria-label": "The branch as a scenario file", text: b.showYaml ? branchYaml() : "" }));
    return out;
  }

  function backToCase() { var at = S.branch.at; S.branch = null; go(Math.min(at + 1, TOTAL)); }

  function exportBranch() {
    var b = S.branch;
    b.showYaml = true;
    var text = branchYaml();
    render();
    var name = (SC ? SC.id + "-" : "") + "whatif-" + (b.at + 1) + ".yaml";
    var link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/yaml" })), download: name, id: "download", text: "Save " + name });
    var yaml = document.getElementById("yaml");
    yaml.parentNode.insertBefore(h("p", {}, link, h("span", { class: "muted", text: " then: procsim check " + name + " (beside the scenario it extends)" })), yaml);
  }

  /* The branch as a scenario file procsim check accepts (as procsim.io.scenario_writer). */
  function branchYaml() {
    var b = S.branch, chosen = b.steps;
    var final = state(chosen[chosen.length - 1].state);
    var finalName = chosen[chosen.length - 1].state;
    var route = chosen.map(function (s) { return trans(s.t).label; });
    var data = { process: P.id };
    var extendsBase = SC && b.at > 0;
    var text;
    if (extendsBase) {
      var point = C.steps[b.at - 1];
      data.extends = SC.id;
      data.diverges_after = point.id;
      data.title = SC.title + " - what if: " + route[0];
      text = "Hypothetical, explored in the procsim page. It follows '" + SC.id + "' to '" + point.id + "' (" + point.date_text +
        "); then " + route.join(", then ") + "; it ends in '" + final.label + "'.";
    } else {
      data.title = "What if: " + route[0];
      text = "Hypothetical, explored in the procsim page from the start of the process: " + route.join(", then ") + "; it ends in '" + final.label + "'.";
    }
    data.kind = "hypothetical";
    data.summary = text;
    data.sources = [{ id: "what-if", publisher: "procsim", model: P.id,
      title: "Hypothetical steps chosen in the procsim page; each rests on the legal basis the " + P.id + " model gives for it",
      date: chosen[0].date }];
    if (!extendsBase && SC && Object.keys(SC.initial_facts).length) data.initial_facts = SC.initial_facts;
    data.events = chosen.map(function (s) {
      var t = trans(s.t);
      var event = { id: s.id, date: s.date, trigger: s.trigger, actor: s.actor,
        summary: "What if: " + t.label + " (" + state(s.state).label + ").", sources: ["what-if"] };
      if (!s.dateChosen) event.notes = ["Date not chosen in the what-if: the previous event's date is used."];
      return event;
    });
    var last = chosen[chosen.length - 1].date;
    data.end = final.status === "ongoing" ? { state: finalName, status: "pending", as_of: last } : { state: finalName, status: "concluded" };
    var head = "# Saved from the procsim page: a hypothetical branch" + (extendsBase ? " of " + SC.id : "") + ".\n";
    return head + yaml(data, "") + "\n";
  }

  function scalar(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean" || typeof v === "number") return String(v);
    return JSON.stringify(String(v));
  }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function yaml(value, indent) {
    if (Array.isArray(value)) {
      return value.map(function (item) {
        if (isObject(item)) return indent + "- " + yaml(item, indent + "  ").slice(indent.length + 2);
        return indent + "- " + scalar(item);
      }).join("\n");
    }
    return Object.keys(value).map(function (key) {
      var v = value[key];
      if (isObject(v) || (Array.isArray(v) && v.length)) return indent + key + ":\n" + yaml(v, indent + "  ");
      if (Array.isArray(v)) return indent + key + ": []";
      return indent + key + ": " + scalar(v);
    }).join("\n");
  }

  /* ------------------------------------------------------------ classroom mode */
  function quizView() {
    var out = [];
    var p = S.pos;
    while (p < TOTAL && !C.steps[p].moved) p += 1; // side events are not choices: revealed at once
    if (p !== S.pos) { S.pos = p; setHash(); }
    var q = S.quiz, answer = q.answers[p];
    out.push(h("p", { class: "case-title", text: SC ? SC.title : P.title }));
    out.push(h("p", { class: "score", role: "status", id: "score" }, "Score: " + q.right + " of " + q.asked,
      h("span", { class: "muted", text: " (only real choices count: a step with one way open is not a question)" })));
    if (p >= TOTAL) {
      out.push(h("h2", { text: "The end of the case" }));
      out.push(h("p", { text: "Final score: " + q.right + " of " + q.asked + "." }));
      return out;
    }
    var here = C.positions[p], current = state(here.state);
    var actual = C.steps[p], taken = trans(actual.t);
    out.push(h("h2", { text: "Before step " + (p + 1) + " of " + TOTAL }));
    out.push(row("The case is in:", h("span", {}, h("b", { text: current.label }), " \u2013 " + current.description)));
    if (p > 0) out.push(h("p", { class: "muted", text: "Last step: " + C.steps[p - 1].label + " (" + C.steps[p - 1].date_text + ")" }));
    var options = Procsim.numbered(P, here.options, true);
    var question = options.length > 1;
    var box = section(question ? "What happens next? (" + options.length + " ways are open)" : "Only one way is open", "quiz");
    var list = h("ol", { class: "quiz-options" });
    options.forEach(function (t, index) {
      var right = keyOf(t) === keyOf(taken);
      var cls = answer ? (right ? "right" : answer.key === keyOf(t) ? "wrong" : "") : "";
      list.appendChild(h("li", { class: cls }, h("button", { type: "button", class: "guess", "data-t": t.i, disabled: !!answer,
        "aria-label": "Option " + (index + 1) + ": " + t.label + " to " + state(t.dest).label,
        on: { click: function () { guess(p, t, question); } } }, "[" + (index + 1) + "] ", h("b", { text: t.label }), " \u2192 " + state(t.dest).label)));
    });
    add(box, list);
    if (!question && !answer) add(box, h("button", { type: "button", id: "reveal", on: { click: function () { guess(p, options[0] || taken, false); } } }, "Reveal"));
    out.push(box);
    if (answer) out.push(revealView(p, answer, options));
    return out;
  }

  function guess(p, t, scored) {
    var q = S.quiz;
    if (q.answers[p]) return;
    var right = keyOf(t) === keyOf(trans(C.steps[p].t));
    q.answers[p] = { key: keyOf(t), right: right, scored: scored };
    if (scored) { q.asked += 1; if (right) q.right += 1; }
    render();
  }

  function revealView(p, answer, options) {
    var step = C.steps[p], t = trans(step.t);
    var box = section(answer.scored ? (answer.right ? "Right!" : "Not what happened") : "What happened", "reveal " + (answer.right ? "right" : "wrong"));
    add(box, h("p", {}, h("b", { text: step.label }), " \u2192 " + state(step.after).label + " (" + step.date_text + ", by " + step.actor_label + ")"));
    add(box, h("p", { text: step.summary }));
    var why = h("div", { class: "why" });
    add(why, h("p", {}, h("b", { text: options.length > 1 ? "Why the law allowed it: " : "Why the law required it: " }),
      options.length > 1 ? "it was one of " + options.length + " ways open; " : "no other way was open; ", basis(t.basis)));
    t.guards.forEach(function (name) {
      var g = P.guards[name];
      add(why, h("p", { class: "muted" }, "It needed \u201c" + g.label + "\u201d: " + g.reason + " [", basis(g.basis), "]"));
    });
    add(box, why);
    add(box, h("button", { type: "button", id: "next-question", on: { click: function () { S.pos = p + 1; setHash(); render(); } } },
      p + 1 < TOTAL ? "Next question \u25B6" : "See the score"));
    return box;
  }

  /* ------------------------------------------------------------ timeline */
  function timelineView() {
    var T = D.timeline, out = [];
    out.push(h("p", { class: "case-title", text: SC.title }));
    out.push(h("h2", { text: "Timeline" }));
    out.push(h("p", { class: "muted", text: T.subtitle }));
    var first = Date.parse(T.stages[0].start), last = Date.parse(T.stages[T.stages.length - 1].end);
    var span = Math.max(last - first, 1);
    var bar = h("div", { class: "tl-bar", role: "img", "aria-label": "The stages of the case on a time axis" });
    T.stages.forEach(function (stage) {
      var left = (Date.parse(stage.start) - first) / span * 100, width = Math.max((Date.parse(stage.end) - Date.parse(stage.start)) / span * 100, 0.6);
      bar.appendChild(h("span", { class: "tl-stage forum-" + stage.index + (stage.waiting ? " waiting" : ""),
        style: "left:" + left.toFixed(2) + "%;width:" + width.toFixed(2) + "%", title: stage.label + ": " + stage.start_text + " \u2013 " + stage.end_text }));
    });
    out.push(bar);
    var list = h("ol", { class: "timeline" });
    T.stages.forEach(function (stage) {
      var events = T.events.filter(function (e) { return e.when >= stage.start && e.when <= stage.end && stage.states.indexOf(e.state) >= 0; });
      list.appendChild(h("li", { class: "tl-row forum-" + stage.index },
        h("div", { class: "tl-head" }, h("b", { text: stage.label }), " " + stage.start_text + " \u2013 " + stage.end_text,
          h("span", { class: "muted", text: " (" + stage.duration + (stage.waiting ? "; the decision stood unless challenged" : "") + (stage.open_ended ? "; still running" : "") + ")" })),
        h("ul", {}, events.map(function (e) {
          return h("li", {}, h("a", { href: "#step-" + e.number, on: { click: function (ev) { ev.preventDefault(); setMode("case"); go(e.number); } } },
            e.number + ". " + e.date_text + " \u2013 " + e.label));
        }))));
    });
    out.push(list);
    if (T.gaps.length) {
      var gaps = section("Long gaps");
      add(gaps, h("ul", {}, T.gaps.map(function (g) { return h("li", { text: g.from_label + " \u2192 " + g.to_label + ": " + g.text }); })));
      out.push(gaps);
    }
    out.push(h("p", { class: "end", text: T.final_note }));
    return out;
  }

  /* ------------------------------------------------------------ the map */
  function byId(id) { return document.getElementById(id); }
  function safe(name) { return String(name).replace(/[^A-Za-z0-9_-]/g, "_"); }
  function clearMap() {
    ["current", "done", "now", "open", "branch", "visited"].forEach(function (cls) {
      Array.prototype.forEach.call(svg.querySelectorAll("." + cls), function (n) { n.classList.remove(cls); });
    });
  }
  /* The drawing of a state: its own box, else a 'way not taken' cell (under `near` first). */
  function stateShape(name, near) {
    return byId("st-" + safe(name)) || (near && byId("way-" + safe(near) + "--" + safe(name))) ||
      svg.querySelector('.way[data-state="' + name + '"]');
  }
  function updateMap() {
    clearMap();
    var note = [], current, near, openDests = [];
    if (S.branch) {
      var b = S.branch, at = b.at;
      svg.querySelectorAll("[data-steps]").forEach(function (n) {
        if (n.getAttribute("data-steps").split(" ").some(function (x) { return +x <= at; })) n.classList.add("done");
      });
      var prev = C.positions[at].state;
      b.steps.slice(0, b.pos - 1).forEach(function (s) { var shape = stateShape(s.state, prev); if (shape) shape.classList.add("branch"); prev = s.state; });
      current = b.pos ? b.steps[b.pos - 1].state : C.positions[at].state;
      near = b.pos > 1 ? b.steps[b.pos - 2].state : C.positions[at].state;
      var facts = b.pos ? b.steps[b.pos - 1].facts : C.positions[at].facts;
      openDests = Procsim.numbered(P, Procsim.options(P, current, facts), true).map(function (t) { return t.dest; });
    } else {
      var p = S.pos;
      svg.querySelectorAll("[data-steps]").forEach(function (n) {
        var numbers = n.getAttribute("data-steps").split(" ").map(Number);
        if (numbers.some(function (x) { return x <= p; })) n.classList.add("done");
        if (numbers.indexOf(p) >= 0) n.classList.add("now");
      });
      current = C.positions[p].state;
      near = p > 0 ? C.steps[p - 1].before : null;
      for (var k = 0; k <= p; k++) { var seen = byId("st-" + safe(C.positions[k].state)); if (seen) seen.classList.add("visited"); }
      openDests = Procsim.numbered(P, C.positions[p].options, true).map(function (t) { return t.dest; });
    }
    var shape = stateShape(current, near);
    if (shape) shape.classList.add("current");
    openDests.forEach(function (dest) {
      var s = byId("st-" + safe(dest)) || byId("way-" + safe(current) + "--" + safe(dest));
      if (s && s !== shape) s.classList.add("open");
    });
    note.push("Now: " + state(current).label + " (" + forumLabel(current) + ")");
    if (!shape) note.push("\u2013 not drawn on this map (it shows the case's own path and the ways one step from it)");
    byId("map-note").textContent = note.join(" ");
    if (follow && shape) {
      var r = zoom.region(shape), full = svg.viewBox.baseVal;
      var base = PanZoom.full || (PanZoom.full = { w: full.width, h: full.height });
      var w = Math.max(r.w, base.w * 0.5), hgt = Math.max(r.h, base.h * 0.5);
      zoom.showWithin({ x: r.x + r.w / 2 - w / 2, y: r.y + r.h / 2 - hgt / 2, w: w, h: hgt }, 0);
    }
  }

  /* ------------------------------------------------------------ moving */
  function setHash() {
    var hash = "#step-" + S.pos;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
  function go(p) {
    S.pos = Math.max(0, Math.min(TOTAL, p));
    setHash();
    render();
  }
  function move(delta) {
    if (S.branch) {
      var b = S.branch, target = b.pos + delta;
      if (target >= 1 && target <= b.steps.length) { b.pos = target; b.message = ""; render(); }
      return;
    }
    if (S.mode === "quiz") {
      if (delta < 0) { var p = S.pos - 1; while (p > 0 && !C.steps[p].moved) p -= 1; go(Math.max(p, 0)); }
      else if (S.quiz.answers[S.pos] || S.pos >= TOTAL) go(S.pos + 1);
      return;
    }
    go(S.pos + delta);
  }
  function setMode(mode) {
    if (mode === "timeline" && !D.timeline) return;
    S.mode = mode;
    if (mode !== "case") S.branch = null;
    Array.prototype.forEach.call(document.querySelectorAll("#modes [data-mode]"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-mode") === mode));
    });
    render();
  }

  function fillJump() {
    var select = byId("jump");
    select.textContent = "";
    if (S.branch) {
      select.appendChild(h("option", { value: "real", text: "Real case, step " + S.branch.at }));
      S.branch.steps.forEach(function (s, i) {
        select.appendChild(h("option", { value: "b" + (i + 1), text: "What-if " + (i + 1) + ". " + s.date + " \u2013 " + trans(s.t).label }));
      });
      select.value = "b" + S.branch.pos;
      return;
    }
    select.appendChild(h("option", { value: "0", text: "0. Start" }));
    C.steps.forEach(function (s) {
      select.appendChild(h("option", { value: String(s.number), text: s.number + ". " + s.date_text + " \u2013 " + s.label }));
    });
    select.value = String(S.pos);
  }

  var shown = null;
  function render() {
    var key = [S.mode, S.pos, S.branch ? S.branch.pos + "/" + S.branch.steps.length : ""].join(" ");
    var top = key === shown ? panel.scrollTop : 0;
    shown = key;
    panel.textContent = "";
    document.body.classList.toggle("branching", !!S.branch);
    document.body.setAttribute("data-mode", S.mode);
    var parts = S.branch ? branchView() : S.mode === "quiz" ? quizView() : S.mode === "timeline" ? timelineView() : realView(S.pos);
    add(panel, parts);
    panel.scrollTop = top;
    fillJump();
    byId("prev").disabled = S.branch ? S.branch.pos <= 1 : S.pos <= 0;
    byId("next").disabled = S.branch ? S.branch.pos >= S.branch.steps.length : S.pos >= TOTAL || (S.mode === "quiz" && !S.quiz.answers[S.pos]);
    updateMap();
  }

  /* ------------------------------------------------------------ printing */
  function handout() {
    var box = byId("handout-view");
    box.textContent = "";
    var saved = { pos: S.pos, branch: S.branch };
    S.branch = null;
    for (var p = 0; p <= TOTAL; p++) box.appendChild(h("article", { class: "handout-step" }, realView(p)));
    S.pos = saved.pos; S.branch = saved.branch;
    document.body.classList.add("printing-handout");
    window.print();
  }
  window.addEventListener("afterprint", function () { document.body.classList.remove("printing-handout"); });

  /* ------------------------------------------------------------ wiring */
  byId("prev").addEventListener("click", function () { move(-1); });
  byId("next").addEventListener("click", function () { move(1); });
  byId("jump").addEventListener("change", function (e) {
    var v = e.target.value;
    if (v === "real") backToCase();
    else if (v.charAt(0) === "b") { S.branch.pos = +v.slice(1); render(); }
    else go(+v);
  });
  Array.prototype.forEach.call(document.querySelectorAll("#modes [data-mode]"), function (b) {
    b.addEventListener("click", function () { setMode(b.getAttribute("data-mode")); });
  });
  byId("print").addEventListener("click", function () { window.print(); });
  byId("handout").addEventListener("click", handout);
  byId("one-per-page").addEventListener("change", function (e) { document.body.classList.toggle("one-per-page", e.target.checked); });
  byId("zoom-in").addEventListener("click", function () { follow = false; zoom.zoom(1 / 1.25); });
  byId("zoom-out").addEventListener("click", function () { follow = false; zoom.zoom(1.25); });
  byId("zoom-fit").addEventListener("click", function () { follow = false; zoom.fit(); });
  byId("zoom-here").addEventListener("click", function () { follow = true; updateMap(); });
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.key === "ArrowRight" || e.key === "ArrowDown" && e.target === document.body) { move(1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp" && e.target === document.body) { move(-1); e.preventDefault(); }
  });
  window.addEventListener("hashchange", function () { fromHash(); });
  window.addEventListener("resize", function () { updateMap(); });
  function fromHash() {
    var match = /^#step-(\d+)$/.exec(location.hash);
    if (match) { S.branch = null; S.pos = Math.min(+match[1], TOTAL); render(); }
  }
  if (!D.timeline) byId("modes").querySelector('[data-mode="timeline"]').hidden = true;
  window.procsimPage = { state: S, go: go, setMode: setMode, take: function (i, date) { take(trans(i), date || null); },
    startBranch: function (at, i) { startBranch(at, trans(i)); }, branchYaml: function () { return branchYaml(); }, backToCase: backToCase };
  if (!/^#step-\d+$/.test(location.hash)) setHash();
  fromHash();
  render();
})();
