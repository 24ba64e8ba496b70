/* The page of `kg serve`: a vis-timeline of events and a vis-network of organizations.
 *
 * Data comes from the JSON API of the same server: /api/timeline (filters: org, type, from,
 * to, international), /api/network (since, international) and /api/entity/<local id>.
 * Everything shown that comes from the graph is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var ID_PREFIX = "https://w3id.org/ipkg/id/";
  var TYPES = ["Meeting", "Signing", "Issuance", "Visit", "Launch", "PressConference", "Other"];
  var DAY = 24 * 3600 * 1000;

  var state = {
    timeline: null,
    network: null,
    events: new Map(),      // local id -> timeline item (every event loaded so far)
    organizations: new Map(), // local id -> {id, name, name_en, count}
    edges: new Map(),       // network edge id -> edge record
    networkKey: null,
    networkStable: false,
    shownEvents: [],
    lastQuery: null,
    loads: 0
  };
  window.kgApp = state;

  function $(id) { return document.getElementById(id); }

  function localId(iri) {
    return iri && iri.indexOf(ID_PREFIX) === 0 ? iri.slice(ID_PREFIX.length) : iri;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function shorten(text, n) {
    text = String(text || "");
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  /* el("p", {className: "x", onclick: f}, "text", child, ...) */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null) return;
      if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
      else if (key === "className") node.className = value;
      else if (key === "dataset") Object.keys(value).forEach(function (k) { node.dataset[k] = value[k]; });
      else node.setAttribute(key, value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        if (!response.ok) {
          throw new Error(body && body.error ? body.error : response.status + " " + response.statusText);
        }
        return body;
      });
    });
  }

  function showError(message) {
    var box = $("error");
    if (message) {
      box.textContent = message;
      box.hidden = false;
    } else {
      box.textContent = "";
      box.hidden = true;
    }
  }

  /* "2023", "2023-04", "2023-04-26" -> Date; with end=true, the first moment after the period. */
  function toDate(value, end) {
    var parts = String(value).split("-").map(Number);
    var y = parts[0], m = parts[1], d = parts[2];
    if (!end) return new Date(y, (m || 1) - 1, d || 1);
    if (d) return new Date(y, m - 1, d + 1);
    if (m) return new Date(y, m, 1);
    return new Date(y + 1, 0, 1);
  }

  function precision(value) {
    return { 4: "year", 7: "month", 10: "day" }[String(value).length] || "day";
  }

  function dateText(ev) {
    return ev.date_end && ev.date_end !== ev.date_start ? ev.date_start + " – " + ev.date_end : ev.date_start;
  }

  // -- filters -----------------------------------------------------------------------------

  function filters() {
    var orgId = $("f-org").value;
    var org = orgId && state.organizations.has(orgId) ? state.organizations.get(orgId).name : "";
    return {
      org: org,
      orgId: orgId,
      type: $("f-type").value,
      from: $("f-from").value.trim(),
      to: $("f-to").value.trim(),
      international: $("f-intl").checked
    };
  }

  function timelineUrl(f) {
    var q = new URLSearchParams();
    if (f.org) q.set("org", f.org);
    if (f.type) q.set("type", f.type);
    if (f.from) q.set("from", f.from);
    if (f.to) q.set("to", f.to);
    if (f.international) q.set("international", "true");
    var s = q.toString();
    return "api/timeline" + (s ? "?" + s : "");
  }

  function networkUrl(f) {
    var q = new URLSearchParams();
    if (f.from) q.set("since", f.from);
    if (f.international) q.set("international", "true");
    var s = q.toString();
    return "api/network" + (s ? "?" + s : "");
  }

  function fillOrganizations(events) {
    events.forEach(function (ev) {
      ev.organizations.forEach(function (o) {
        var id = localId(o.id);
        var known = state.organizations.get(id);
        if (known) known.count += 1;
        else state.organizations.set(id, { id: id, name: o.name, name_en: o.name_en, count: 1 });
      });
    });
    var select = $("f-org");
    var orgs = Array.from(state.organizations.values()).sort(function (a, b) {
      return b.count - a.count || a.name.localeCompare(b.name);
    });
    orgs.forEach(function (o) {
      var text = o.name + (o.name_en ? " · " + o.name_en : "") + " (" + o.count + ")";
      select.appendChild(el("option", { value: o.id }, text));
    });
  }

  // -- the timeline ------------------------------------------------------------------------

  function itemFor(ev) {
    var id = localId(ev.id);
    var classes = ["type-" + ev.type];
    if (ev.international) classes.push("intl");
    if (precision(ev.date_start) !== "day") classes.push("imprecise");
    var orgs = ev.organizations.map(function (o) { return o.name; }).join("、");
    var item = {
      id: id,
      group: ev.type,
      start: toDate(ev.date_start),
      content: escapeHtml(shorten(ev.label, 26)),
      title: escapeHtml(dateText(ev) + " · " + ev.type + "\n" + ev.label + (orgs ? "\n" + orgs : "")),
      className: classes.join(" ")
    };
    if (ev.date_end && ev.date_end !== ev.date_start) {
      item.end = toDate(ev.date_end, true);
      item.type = "range";
    } else {
      item.type = "point";
    }
    return item;
  }

  function renderTimeline(events) {
    var items = events.map(itemFor);
    var counts = {};
    events.forEach(function (ev) { counts[ev.type] = (counts[ev.type] || 0) + 1; });
    var groups = TYPES.filter(function (t) { return counts[t]; }).map(function (t, i) {
      return { id: t, content: escapeHtml(t) + " <small>" + counts[t] + "</small>", className: "group-" + t, order: i };
    });
    if (!state.timeline) {
      state.timeline = new vis.Timeline($("timeline"), items, groups, {
        stack: true,
        orientation: "top",
        zoomable: true,
        moveable: true,
        verticalScroll: true,
        maxHeight: 420,
        minHeight: 200,
        zoomMin: 7 * DAY,
        zoomMax: 30 * 365 * DAY,
        showCurrentTime: false,
        selectable: true,
        multiselect: false,
        margin: { item: { horizontal: 4, vertical: 3 } },
        tooltip: { followMouse: true, overflowMethod: "cap" },
        groupOrder: "order"
      });
      state.timeline.on("select", function (props) {
        if (props.items && props.items.length) showEvent(props.items[0]);
      });
    } else {
      state.timeline.setSelection([]);
      state.timeline.setGroups(groups);
      state.timeline.setItems(items);
    }
    state.shownEvents = events;
    if (items.length) state.timeline.fit({ animation: false });
    $("timeline").dataset.count = String(items.length);
  }

  // -- the network -------------------------------------------------------------------------

  function renderNetwork(data, f) {
    var linked = new Set();
    data.edges.forEach(function (e) { linked.add(e.source); linked.add(e.target); });
    var nodes = data.nodes.filter(function (n) { return linked.has(n.id); }).map(function (n) {
      return {
        id: n.id,
        label: shorten(n.label, 14),
        title: n.label + (n.label_en ? "\n" + n.label_en : "") + "\n" + n.degree + " partners, " + n.weight + " shared",
        value: n.weight,
        group: n.id.indexOf("org/") === 0 ? "org" : "other"
      };
    });
    state.edges = new Map();
    var edges = data.edges.map(function (e) {
      var id = e.source + "|" + e.target;
      state.edges.set(id, e);
      return {
        id: id, from: e.source, to: e.target, value: e.weight,
        title: e.weight + " shared event(s) " + (e.first ? e.first + " – " + e.last : "")
      };
    });
    if (!state.network) {
      state.network = new vis.Network($("network"), { nodes: nodes, edges: edges }, {
        nodes: {
          shape: "dot",
          scaling: { min: 6, max: 28, label: { enabled: true, min: 11, max: 16, drawThreshold: 6 } },
          font: { size: 12, face: "sans-serif" },
          color: { background: "#7aa6d8", border: "#2f5f98", highlight: { background: "#f5b041", border: "#b9770e" } }
        },
        edges: {
          scaling: { min: 1, max: 8 },
          color: { color: "#b7c4d3", highlight: "#b9770e", hover: "#5d6d7e" },
          smooth: false
        },
        physics: {
          solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -40, springLength: 90 },
          stabilization: { enabled: true, iterations: 300, fit: true }
        },
        interaction: { hover: true, tooltipDelay: 120, multiselect: false }
      });
      state.network.on("stabilizationIterationsDone", function () {
        state.network.setOptions({ physics: false });
        state.networkStable = true;
      });
      state.network.on("click", function (params) {
        if (params.nodes.length) showEntity(params.nodes[0]);
        else if (params.edges.length) showEdge(params.edges[0]);
      });
    } else {
      state.networkStable = false;
      state.network.setOptions({ physics: { enabled: true } });
      state.network.setData({ nodes: nodes, edges: edges });
    }
    $("network").dataset.nodes = String(nodes.length);
    $("network").dataset.edges = String(edges.length);
    state.networkNodes = nodes.length;
    highlightOrganization(f.orgId);
  }

  function highlightOrganization(id) {
    if (!state.network) return;
    if (id && state.network.body.data.nodes.get(id)) {
      state.network.selectNodes([id]);
      state.network.focus(id, { scale: 1.1, animation: false });
    } else {
      state.network.unselectAll();
    }
  }

  // -- loading -----------------------------------------------------------------------------

  function load() {
    var f = filters();
    var url = timelineUrl(f);
    var nurl = networkUrl(f);
    document.body.dataset.state = "loading";
    $("status").textContent = "Loading…";
    showError(null);
    var networkError = null;
    var jobs = [getJSON(url)];
    jobs.push(nurl !== state.networkKey
      ? getJSON(nurl).catch(function (err) { networkError = err; return null; })
      : Promise.resolve(null));
    return Promise.all(jobs).then(function (results) {
      if (networkError) throw networkError;
      var events = results[0];
      events.forEach(function (ev) { state.events.set(localId(ev.id), ev); });
      if (!state.organizations.size) fillOrganizations(events);
      renderTimeline(events);
      if (results[1]) {
        renderNetwork(results[1], f);
        state.networkKey = nurl;
      } else {
        highlightOrganization(f.orgId);
      }
      state.lastQuery = url;
      state.loads += 1;
      var parts = [events.length + " events"];
      if (state.networkNodes !== undefined) parts.push(state.networkNodes + " linked organizations");
      var active = [];
      if (f.org) active.push(f.org);
      if (f.type) active.push(f.type);
      if (f.from || f.to) active.push((f.from || "…") + " – " + (f.to || "…"));
      if (f.international) active.push("international");
      $("status").textContent = parts.join(" · ") + (active.length ? " (filter: " + active.join(", ") + ")" : "");
      document.body.dataset.state = "ready";
    }).catch(function (err) {
      state.lastQuery = url;
      state.loads += 1;
      showError(err.message);
      $("status").textContent = "";
      document.body.dataset.state = "error";
    });
  }

  // -- details -----------------------------------------------------------------------------

  function details() {
    var body = $("details-body");
    body.textContent = "";
    for (var i = 0; i < arguments.length; i++) if (arguments[i]) body.appendChild(arguments[i]);
    body.scrollTop = 0;
  }

  function sourceBlock(source) {
    if (!source) return null;
    return el("div", { className: "source" },
      el("div", { className: "source-ref" },
        "Source: ", el("span", { className: "source-doc" }, source.doc),
        ", line ", el("span", { className: "source-line" }, String(source.line))),
      el("blockquote", { className: "source-text", lang: "zh" }, source.text));
  }

  function entityLink(id, text) {
    return el("button", { type: "button", className: "link", dataset: { entity: id },
      onclick: function () { showEntity(id); } }, text);
  }

  function eventLink(ev) {
    var id = ev.id.indexOf("http") === 0 ? localId(ev.id) : ev.id;
    return el("button", { type: "button", className: "link", dataset: { event: id },
      onclick: function () { selectEvent(id, ev); } }, ev.label);
  }

  function listOf(title, items, render) {
    if (!items || !items.length) return null;
    return el("div", { className: "block" }, el("h4", {}, title),
      el("ul", {}, ...items.map(function (x) { return el("li", {}, render(x)); })));
  }

  function selectEvent(id, fallback) {
    if (state.timeline && state.timeline.itemsData.get(id)) {
      state.timeline.setSelection([id], { focus: true, animation: false });
    }
    showEvent(id, fallback);
  }

  function showEvent(id, fallback) {
    var ev = state.events.get(id) || fallback;
    if (!ev) return;
    details(
      el("div", { className: "kind type-" + ev.type }, ev.type + (ev.international ? " · international" : "")),
      el("h3", { className: "event-label" }, ev.label),
      el("p", { className: "date" }, dateText(ev)),
      sourceBlock(ev.source),
      listOf("Organizations", ev.organizations, function (o) {
        return entityLink(localId(o.id), o.name + (o.name_en ? " · " + o.name_en : ""));
      }),
      listOf("People", ev.people, function (p) { return entityLink(localId(p.id), p.name); }),
      listOf("Places", ev.places, function (p) { return entityLink(localId(p.id), p.name); }),
      listOf("Documents", ev.documents, function (d) { return entityLink(localId(d.id), d.title); }),
      el("p", { className: "iri" }, id)
    );
    $("details").dataset.showing = "event:" + id;
  }

  function showEntity(id) {
    $("details").dataset.showing = "loading:" + id;
    return getJSON("api/entity/" + id).then(function (e) {
      var labels = e.labels.map(function (l) { return l.value + (l.lang ? " @" + l.lang : ""); });
      var props = Object.keys(e.properties).map(function (k) { return k + ": " + e.properties[k].join(", "); });
      var onTimeline = state.organizations.has(e.id)
        ? el("button", { type: "button", id: "show-org-events", onclick: function () {
            $("f-org").value = e.id;
            load();
          } }, "Show its events on the timeline")
        : null;
      details(
        el("div", { className: "kind" }, e.types.join(", ")),
        el("h3", { className: "entity-label" }, e.label),
        listOf("Names", labels, function (x) { return x; }),
        listOf("Aliases", e.aliases, function (a) { return a.value; }),
        listOf("Properties", props, function (x) { return x; }),
        sourceBlock(e.source),
        onTimeline,
        listOf("Events (" + e.events.length + ")", e.events, function (ev) {
          return el("div", { className: "entity-event" },
            el("span", { className: "date" }, dateText(ev)), " ",
            el("span", { className: "tag type-" + ev.type }, ev.type), " ",
            eventLink(ev),
            ev.source ? el("div", { className: "source-ref" }, ev.source.doc + ":" + ev.source.line) : null,
            ev.source ? el("blockquote", { className: "source-text", lang: "zh" }, ev.source.text) : null);
        }),
        listOf("Links", e.links, function (l) { return el("span", {}, l.relation + ": ", entityLink(l.id, l.label)); }),
        listOf("Mentions (" + e.mention_count + ")", e.mentions.slice(0, 10), function (m) {
          return el("div", {}, el("div", { className: "source-ref" }, m.doc + ":" + m.line),
            el("blockquote", { className: "source-text", lang: "zh" }, m.text));
        }),
        el("p", { className: "iri" }, e.iri)
      );
      $("details").dataset.showing = "entity:" + e.id;
    }).catch(function (err) {
      details(el("p", { className: "error" }, err.message));
      $("details").dataset.showing = "error:" + id;
    });
  }

  function showEdge(edgeId) {
    var e = state.edges.get(edgeId);
    if (!e) return;
    var nodes = state.network.body.data.nodes;
    var a = nodes.get(e.source), b = nodes.get(e.target);
    details(
      el("div", { className: "kind" }, "Cooperation"),
      el("h3", {}, (a ? a.title.split("\n")[0] : e.source) + " — " + (b ? b.title.split("\n")[0] : e.target)),
      el("p", { className: "date" }, e.weight + " shared event(s) or agreement(s)" +
        (e.first ? ", " + e.first + " – " + e.last : "")),
      el("p", {}, entityLink(e.source, a ? a.title.split("\n")[0] : e.source), " ",
        entityLink(e.target, b ? b.title.split("\n")[0] : e.target)),
      listOf("Shared", e.events, function (id) {
        var ev = state.events.get(id);
        if (ev) {
          return el("div", { className: "entity-event" }, el("span", { className: "date" }, dateText(ev)), " ",
            eventLink(ev));
        }
        return entityLink(id, id);
      })
    );
    $("details").dataset.showing = "edge:" + edgeId;
  }

  // -- start -------------------------------------------------------------------------------

  $("filters").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  $("f-reset").addEventListener("click", function () {
    $("filters").reset();
    load();
  });

  if (typeof vis === "undefined" || !vis.Timeline || !vis.Network) {
    showError("the timeline and network libraries did not load (kg/web/vendor)");
    document.body.dataset.state = "error";
    return;
  }
  load();
})();
