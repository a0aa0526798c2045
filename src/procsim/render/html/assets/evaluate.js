/* procsim: the page's evaluator of the process data.
 *
 * The same rules as the Python engine, read from the same data: a guard's
 * declarative condition (is, in, not_in, all, any, not) as Condition.holds,
 * derived facts (the regime from a date) as DerivedFact.value_for, and a
 * transition's fact effects (sets, records date / actor / decision) as the
 * engine's after-callback. The browser tests compare it with the engine.
 */
"use strict";
var Procsim = (function () {
  function days(year, month, day) { return year * 10000 + month * 100 + day; }
  function monthEnd(year, month) { return new Date(Date.UTC(year, month, 0)).getUTCDate(); }

  /* A date as written ('2021', '2021-10', '2021-10-05'): the first and last day it may stand for. */
  function bounds(text) {
    var parts = String(text).split("-").map(Number);
    var year = parts[0], month = parts[1], day = parts[2];
    if (day) return [days(year, month, day), days(year, month, day)];
    if (month) return [days(year, month, 1), days(year, month, monthEnd(year, month))];
    return [days(year, 1, 1), days(year, 12, 31)];
  }

  function derivedValue(derived, date) {
    if (date === null || date === undefined) return null;
    var span = bounds(date);
    for (var i = 0; i < derived.ranges.length; i++) {
      var before = derived.ranges[i][0], value = derived.ranges[i][1];
      if (before === null) return value;
      var limit = bounds(before)[0];
      if (span[1] < limit) return value;
      if (span[0] < limit) return null; // the date straddles the boundary
    }
    return null;
  }

  /* The facts with the derived facts computed (Python: facts_view). */
  /* A date fact's value, or that of the date it falls back to (Python: deciding_date). */
  function decidingDate(process, name, facts) {
    var seen = {};
    while (name && !seen[name]) {
      seen[name] = true;
      var value = facts[name];
      if (value !== null && value !== undefined) return value;
      var spec = process.facts[name];
      name = spec ? spec.falls_back_to : null;
    }
    return null;
  }

  function view(process, facts) {
    var result = Object.assign({}, facts);
    Object.keys(process.derived).forEach(function (name) {
      var derived = process.derived[name];
      var value = derivedValue(derived, decidingDate(process, derived.from_date, facts));
      // a value the case stated fills a date too coarse to decide (Python: facts_view)
      result[name] = value !== null ? value : (facts[name] === undefined ? null : facts[name]);
    });
    return result;
  }

  function get(facts, name) { return facts[name] === undefined ? null : facts[name]; }

  function holds(condition, facts) {
    switch (condition.op) {
      case "is": return get(facts, condition.fact) === condition.value;
      case "in": return condition.value.indexOf(get(facts, condition.fact)) >= 0;
      case "not_in": return condition.value.indexOf(get(facts, condition.fact)) < 0;
      case "all": return condition.children.every(function (c) { return holds(c, facts); });
      case "any": return condition.children.some(function (c) { return holds(c, facts); });
      case "not": return !holds(condition.children[0], facts);
    }
    throw new Error("unknown condition operator " + condition.op);
  }

  function factsRead(condition) {
    var names = [];
    if (condition.fact !== undefined) names.push(condition.fact);
    (condition.children || []).forEach(function (child) {
      factsRead(child).forEach(function (name) { if (names.indexOf(name) < 0) names.push(name); });
    });
    return names;
  }

  function show(value) {
    if (value === true) return "true";
    if (value === false) return "false";
    return value === null || value === undefined ? "unknown" : String(value);
  }

  /* A fact in words, as the terminal names it (Python: model.fact_words). */
  function factWords(process, name) {
    return process.fact_words[name] || name.replace(/_/g, " ");
  }

  /* A fact's value in words (Python: model.value_words): yes/no, not set, a date fact's
   * date as '5 October 2021', 'October 2021' or '2021', text with spaces for underscores. */
  function valueWords(process, name, value) {
    if (value === true) return "yes";
    if (value === false) return "no";
    if (value === null || value === undefined) return "not set";
    var spec = process.facts[name];
    var date = spec && spec.type === "date" ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value) : null;
    if (date) return (date[3] ? +date[3] + " " : "") + (date[2] ? process.months[+date[2] - 1] + " " : "") + +date[1];
    return typeof value === "string" ? value.replace(/_/g, " ") : String(value);
  }

  /* The guards that do not hold, each with the facts it read (Python: Engine.guard_failures). */
  function guardFailures(process, guards, factsView) {
    var failures = [];
    guards.forEach(function (name) {
      var guard = process.guards[name];
      if (holds(guard.condition, factsView)) return;
      var read = factsRead(guard.condition).map(function (fact) { return [fact, get(factsView, fact)]; });
      var text = guard.label + ": " + guard.reason + " (facts read: " +
        read.map(function (pair) { return pair[0] + "=" + show(pair[1]); }).join(", ") + ")";
      failures.push({ guard: name, text: text, facts: read });
    });
    return failures;
  }

  function transitionsFrom(process, state) {
    return process.transitions.filter(function (t) { return t.source === state; });
  }

  /* Every transition out of the state, with the guards that block it (Python: Engine.options). */
  function options(process, state, facts) {
    var factsView = view(process, facts);
    return transitionsFrom(process, state).map(function (t) {
      return { t: t.i, blocked: guardFailures(process, t.guards, factsView) };
    });
  }

  /* The open options, one per (trigger, destination), in order (Python: stepper.numbered). */
  function numbered(process, choices, includeTaken) {
    var seen = {}, result = [];
    choices.forEach(function (choice) {
      var t = process.transitions[choice.t], key = t.trigger + "\u0000" + t.dest;
      if (choice.blocked.length || seen[key] || (choice.taken && !includeTaken)) return;
      seen[key] = true;
      result.push(t);
    });
    return result;
  }

  /* Fire a trigger as the engine does: the first transition with that trigger from the state
   * whose actor may act and whose guards hold; then its fact effects. Returns the move, or
   * null when nothing may fire. */
  function fire(process, state, facts, trigger, actor, date) {
    var factsView = view(process, facts);
    var candidates = transitionsFrom(process, state).filter(function (t) { return t.trigger === trigger; });
    for (var i = 0; i < candidates.length; i++) {
      var t = candidates[i];
      if (t.actors.indexOf(actor) < 0) continue;
      if (guardFailures(process, t.guards, factsView).length) continue;
      var after = Object.assign({}, facts);
      t.sets.forEach(function (pair) { after[pair[0]] = pair[1]; });
      if (t.records_date) after[t.records_date] = date;
      if (t.records_actor && actor) after[t.records_actor] = actor;
      var decisionBy = process.states[t.source].decision_by;
      if (t.records_decision && decisionBy) after[t.records_decision] = decisionBy;
      var changes = [];
      Object.keys(after).forEach(function (name) {
        var old = get(facts, name);
        if (old !== after[name]) changes.push([name, old, after[name]]);
      });
      return { t: t.i, state: t.dest, facts: after, changes: changes };
    }
    return null;
  }

  /* A date typed by the user: YYYY, YYYY-MM or YYYY-MM-DD, a real date; else null. */
  function parseDate(text) {
    var match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(text).trim());
    if (!match) return null;
    var year = +match[1], month = match[2] ? +match[2] : 0, day = match[3] ? +match[3] : 0;
    if (year < 1800 || year > 2200 || (match[2] && (month < 1 || month > 12))) return null;
    if (match[3] && (day < 1 || day > monthEnd(year, month))) return null;
    return match[0];
  }

  return {
    bounds: bounds, view: view, holds: holds, factsRead: factsRead, show: show,
    factWords: factWords, valueWords: valueWords,
    guardFailures: guardFailures, transitionsFrom: transitionsFrom, options: options,
    numbered: numbered, fire: fire, parseDate: parseDate, derivedValue: derivedValue
  };
})();
