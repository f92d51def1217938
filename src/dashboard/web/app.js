// flotilla dashboard: polls /api/v1/dashboard (points of the last minutes + the status
// document) and renders cards, Chart.js charts and tables. Read-only; text goes in through
// textContent only, never as HTML.
"use strict";

(function () {
  const params = new URLSearchParams(window.location.search);
  const refreshMs = Math.max(250, Number(params.get("refresh")) || 2000);
  const windowMs = 10 * 60 * 1000;  // what the charts show
  const classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];

  const state = {
    since: 0,         // time of the newest point held
    points: [],       // oldest first
    lastCounts: null, // {at, requests: {endpointKey: n}} for per-instance rates
    endpointRates: {},
    updates: 0,
    charts: {},
  };

  // ---- formatting ----
  const $ = (id) => document.getElementById(id);
  function fmtRate(v) {
    if (v == null || !isFinite(v)) return "–";
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  function fmtMs(seconds) {
    if (seconds == null) return "–";
    const ms = seconds * 1000;
    return ms >= 100 ? ms.toFixed(0) + " ms" : ms.toFixed(1) + " ms";
  }
  function fmtBytes(n) {
    if (n == null) return "–";
    const units = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
  }
  function fmtDuration(seconds) {
    if (seconds == null) return "–";
    seconds = Math.floor(seconds);
    if (seconds < 60) return seconds + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m" + String(seconds % 60).padStart(2, "0") + "s";
    if (seconds < 86400) return Math.floor(seconds / 3600) + "h" + String(Math.floor(seconds / 60) % 60).padStart(2, "0") + "m";
    return Math.floor(seconds / 86400) + "d" + Math.floor(seconds / 3600) % 24 + "h";
  }
  function fmtClock(ms) {
    const d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  }
  function fmtSince(text) {
    if (!text) return "–";
    const at = Date.parse(text);
    return isNaN(at) ? text : fmtDuration(Math.max(0, (Date.now() - at) / 1000)) + " ago";
  }
  // How the supervisor's states read on the page: a killed instance is "restarting".
  const stateText = {
    backoff: "restarting", crash_loop: "crash loop", starting: "starting", running: "not ready",
    ready: "ready", stopping: "stopping", exited: "exited", stopped: "stopped", drained: "drained",
  };

  // ---- DOM helpers ----
  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    return node;
  }
  function badge(stateName, text) {
    return el("span", text || stateName, { class: "badge", "data-state": stateName });
  }
  function row(cells, attrs) {
    const tr = el("tr", null, attrs);
    for (const cell of cells) {
      const td = el("td");
      if (cell instanceof Node) td.appendChild(cell);
      else td.textContent = cell == null ? "–" : String(cell);
      tr.appendChild(td);
    }
    return tr;
  }
  function fill(tableId, rows, emptyId) {
    const table = $(tableId);
    const body = table.tBodies[0];
    body.replaceChildren(...rows);
    if (emptyId) {
      $(emptyId).hidden = rows.length > 0;
      table.parentElement.hidden = rows.length === 0;  // the .scroll frame around it
    }
  }

  // ---- charts ----
  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  function palette() {
    return { text: css("--muted"), grid: css("--line"), series: ["--c1", "--c2", "--c3", "--c4", "--c5"].map(css), accent: css("--accent") };
  }
  function chartOptions(yTitle, pal) {
    return {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
      plugins: { legend: { labels: { color: pal.text, boxWidth: 12 } }, tooltip: { callbacks: { title: (items) => items.length ? fmtClock(items[0].parsed.x) : "" } } },
      scales: {
        x: { type: "linear", ticks: { color: pal.text, maxTicksLimit: 6, callback: (v) => fmtClock(v) }, grid: { color: pal.grid } },
        y: { beginAtZero: true, title: { display: !!yTitle, text: yTitle, color: pal.text }, ticks: { color: pal.text }, grid: { color: pal.grid } },
      },
    };
  }
  function makeChart(id, datasets, yTitle) {
    const pal = palette();
    return new Chart($(id), { type: "line", data: { datasets }, options: chartOptions(yTitle, pal) });
  }
  // `color`: an index into the palette's series colours (kept, so a scheme change recolours).
  function dataset(label, color, dashed) {
    const value = palette().series[color];
    return { label, data: [], colorIndex: color, borderColor: value, backgroundColor: value, spanGaps: false, borderDash: dashed ? [4, 3] : [] };
  }
  function setupCharts() {
    if (typeof Chart === "undefined") return;
    state.charts.rate = makeChart("chart-rate", classes.map((c, i) => dataset(c, i)), "req/s");
    state.charts.latency = makeChart("chart-latency", [dataset("p50", 1), dataset("p95", 3), dataset("p99", 4)], "ms");
    state.charts.errors = makeChart("chart-errors", [dataset("5xx %", 4)], "%");
    state.charts.instances = makeChart("chart-instances", [], "instances");
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolor);
  }
  function recolor() {
    const pal = palette();
    for (const chart of Object.values(state.charts)) {
      const opts = chartOptions(chart.options.scales.y.title.text, pal);
      chart.options.plugins.legend.labels.color = pal.text;
      chart.options.scales.x.ticks.color = opts.scales.x.ticks.color;
      chart.options.scales.x.grid.color = pal.grid;
      chart.options.scales.y.ticks.color = pal.text;
      chart.options.scales.y.grid.color = pal.grid;
      chart.options.scales.y.title.color = pal.text;
    }
    for (const chart of Object.values(state.charts)) {
      for (const d of chart.data.datasets) d.borderColor = d.backgroundColor = pal.series[d.colorIndex];
    }
    updateCharts();
  }
  function updateCharts() {
    const c = state.charts;
    if (!c.rate) return;
    const pts = state.points;
    // The last ten minutes, or since the start (at least a minute) when flotilla is younger.
    const now = pts.length ? pts[pts.length - 1].t : Date.now();
    const first = pts.length ? pts[0].t : now;
    const xmin = Math.min(now - 60 * 1000, Math.max(first, now - windowMs));
    classes.forEach((_, i) => { c.rate.data.datasets[i].data = pts.map((p) => ({ x: p.t, y: p.rate[i] })); });
    ["p50", "p95", "p99"].forEach((q, i) => {
      c.latency.data.datasets[i].data = pts.map((p) => ({ x: p.t, y: p[q] == null ? null : p[q] * 1000 }));
    });
    c.errors.data.datasets[0].data = pts.map((p) => ({ x: p.t, y: p.errors == null ? null : p.errors * 100 }));
    // One ready line per service, plus a dashed desired line for autoscaled ones.
    const names = [...new Set(pts.flatMap((p) => Object.keys(p.services || {})))].sort();
    const sets = [];
    names.forEach((name, i) => {
      const color = (i + 2) % 5;
      const ready = dataset(name + " ready", color);
      ready.stepped = true;
      ready.data = pts.map((p) => ({ x: p.t, y: p.services[name] ? p.services[name].ready : null }));
      sets.push(ready);
      if (pts.some((p) => p.services[name] && p.services[name].desired != null)) {
        const desired = dataset(name + " desired", color, true);
        desired.stepped = true;
        desired.data = pts.map((p) => ({ x: p.t, y: p.services[name] && p.services[name].desired != null ? p.services[name].desired : null }));
        sets.push(desired);
      }
    });
    c.instances.data.datasets = sets;
    for (const chart of Object.values(c)) {
      chart.options.scales.x.min = xmin;
      chart.options.scales.x.max = now;
      chart.update("none");
    }
  }

  // ---- tables ----
  function renderSummary(status) {
    const last = state.points.length ? state.points[state.points.length - 1] : null;
    const total = last ? last.rate.reduce((a, b) => a + b, 0) : null;
    $("rps").textContent = fmtRate(total);
    $("error-rate").textContent = last && last.errors != null ? (last.errors * 100).toFixed(1) + " %" : "–";
    $("p95").textContent = last ? fmtMs(last.p95) : "–";
    let ready = 0, all = 0;
    for (const s of status.services) for (const i of s.instances) { all++; if (i.ready) ready++; }
    $("ready").textContent = ready + " / " + all;
    const firing = status.alerts.filter((a) => a.state === "firing").length;
    $("alerts-count").textContent = String(firing);
    $("version").textContent = "v" + status.version + " · up " + fmtDuration(status.uptime_seconds);
    $("config").textContent = status.config || "";
  }

  function endpointRates(status, at) {
    const counts = {};
    for (const u of status.upstreams) for (const e of u.endpoints) counts[e.key] = (counts[e.key] || 0) + e.requests;
    const prev = state.lastCounts;
    if (prev && at > prev.at) {
      const rates = {};
      for (const [key, n] of Object.entries(counts)) {
        if (key in prev.requests && n >= prev.requests[key]) rates[key] = (n - prev.requests[key]) / ((at - prev.at) / 1000);
      }
      state.endpointRates = rates;
    }
    state.lastCounts = { at, requests: counts };
  }

  function renderInstances(status) {
    const rows = [];
    for (const s of status.services) {
      for (const i of s.instances) {
        const memory = i.memory_limit_bytes ? fmtBytes(i.memory_bytes) + " / " + fmtBytes(i.memory_limit_bytes) : fmtBytes(i.memory_bytes);
        rows.push(row([
          el("strong", i.key), badge(i.state, stateText[i.state] || i.state), i.pid, i.revision,
          fmtDuration(i.uptime_seconds), i.restarts, i.cpu_percent.toFixed(1) + " %", memory,
          s.worker ? "–" : fmtRate(state.endpointRates[i.key] || 0),
          i.last_exit ? i.last_exit.reason : "–",
        ], { "data-instance": i.key, "data-state": i.state }));
      }
    }
    fill("instances", rows);
  }

  function metricText(m) {
    const percent = m.name === "cpu" || m.name === "memory";
    const v = (x) => x == null ? "–" : percent ? x.toFixed(0) + "%" : x.toFixed(1);
    return m.name + " " + v(m.value) + " / " + v(m.target);
  }

  function renderAutoscaler(status) {
    const rows = [];
    const decisions = [];
    for (const s of status.services) {
      const a = s.autoscale;
      if (!a) continue;
      const condition = el("td", null, { class: "wrap" });
      condition.append(badge(a.condition === "DesiredWithinRange" ? "ready" : "pending", a.condition), " ", a.reason);
      const tr = row([el("strong", s.name), a.current, a.desired, a.min, a.max, a.metrics.map(metricText).join(", ")], { "data-service": s.name });
      tr.appendChild(condition);
      rows.push(tr);
      for (const d of a.decisions) decisions.push({ service: s.name, ...d });
    }
    fill("autoscaler", rows, "autoscaler-empty");
    decisions.sort((x, y) => (x.time < y.time ? 1 : -1));
    $("decisions").replaceChildren(...decisions.slice(0, 10).map((d) => {
      const li = el("li");
      li.append(el("time", fmtSince(d.time)), d.service + ": " + d.from + " → " + d.to + " — " + d.reason);
      return li;
    }));
  }

  function renderRollouts(status) {
    const blocks = [];
    for (const s of status.services) {
      const r = s.rollout;
      if (!r) continue;
      const box = el("div", null, { class: "rollout", "data-service": s.name, "data-state": r.state });
      const title = el("div");
      title.append(el("strong", s.name), " revision " + r.from_revision + " → " + r.revision + " ", badge(r.state), " " + r.phase);
      const bar = el("div", null, { class: "progress" });
      const pct = r.desired ? Math.min(100, Math.round((100 * r.updated) / r.desired)) : 0;
      const fillBar = el("div");
      fillBar.style.width = pct + "%";
      bar.appendChild(fillBar);
      const detail = el("div", r.updated + " of " + r.desired + " updated, " + r.ready + " ready" + (r.message ? " — " + r.message : "") +
        (r.finished ? " · finished " + fmtSince(r.finished) : " · started " + fmtSince(r.started)), { class: "muted" });
      box.append(title, bar, detail);
      blocks.push(box);
    }
    $("rollouts").replaceChildren(...blocks);
    $("rollouts-empty").hidden = blocks.length > 0;
  }

  function renderEndpoints(status) {
    const rows = [];
    for (const u of status.upstreams) {
      for (const e of u.endpoints) {
        const health = e.up ? "up" : "down";
        rows.push(row([u.name, el("strong", e.key), e.address, badge(health, e.backup ? health + " (backup)" : health),
          e.in_flight, fmtRate(state.endpointRates[e.key] || 0), e.requests, e.errors], { "data-endpoint": e.key }));
      }
    }
    fill("endpoints", rows);
  }

  function renderAlerts(status) {
    const rows = status.alerts.filter((a) => a.state !== "inactive").map((a) => row([
      el("strong", a.name), badge(a.state), fmtSince(a.since), a.value == null ? "–" : Number(a.value).toFixed(2),
      Object.entries(a.labels || {}).map(([k, v]) => k + "=" + v).join(" "),
    ], { "data-alert": a.name, "data-state": a.state }));
    fill("alerts", rows, "alerts-empty");
  }

  // ---- the loop ----
  function setConnection(ok, text) {
    const c = $("connection");
    c.dataset.state = ok ? "live" : "disconnected";
    c.textContent = text;
  }

  async function poll() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(5000, refreshMs * 2));
    try {
      const response = await fetch("api/v1/dashboard?since=" + state.since, { cache: "no-store", signal: controller.signal });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const doc = await response.json();
      for (const p of doc.points) state.points.push(p);
      if (doc.points.length) state.since = doc.points[doc.points.length - 1].t;
      const cutoff = doc.now - windowMs;
      while (state.points.length && state.points[0].t < cutoff) state.points.shift();
      endpointRates(doc.status, doc.now);
      renderSummary(doc.status);
      renderInstances(doc.status);
      renderAutoscaler(doc.status);
      renderRollouts(doc.status);
      renderEndpoints(doc.status);
      renderAlerts(doc.status);
      updateCharts();
      state.updates++;
      document.body.dataset.updates = String(state.updates);
      $("updated").textContent = fmtClock(doc.now);
      setConnection(true, "live");
    } catch (e) {
      setConnection(false, "disconnected — retrying");
    } finally {
      clearTimeout(timer);
      setTimeout(poll, refreshMs);
    }
  }

  setupCharts();
  poll();
})();
