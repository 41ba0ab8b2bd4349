import { createHash } from 'node:crypto';

/**
 * The dashboard page: one HTML document with its style and script inline (no build step, no
 * framework). The script polls GET /dashboard/state every second and, when the admin API has them
 * (`berth run`), /kubernetes/status and /kubernetes/events. Every config-derived string is set with
 * textContent, never parsed as HTML, and the Content-Security-Policy allows only this script and
 * style (by hash) and same-origin fetches.
 */

const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--drain:#b35900;--bad:#c62828;--off:#57606a;--line:#8884;font:14px/1.4 system-ui,sans-serif}
body{margin:0;padding:12px;max-width:1200px;margin-inline:auto}
header{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:baseline;border-bottom:1px solid var(--line);padding-bottom:8px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:18px 0 6px}h3{font-size:15px;margin:12px 0 6px}
.meta{color:var(--off);font-size:12px;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:8px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 10px}
.card .addr{font-weight:600;word-break:break-all}.card .id{color:var(--off);font-size:12px;word-break:break-all}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:var(--off)}
.HEALTHY{background:var(--ok)}.HEALTHCHECKS_OFF{background:var(--ok)}.DRAINING{background:var(--drain)}.UNHEALTHY,.DNS_ERROR{background:var(--bad)}
.drained{background:#6a1b9a}
dl{display:grid;grid-template-columns:auto auto;gap:0 12px;margin:6px 0}dt{color:var(--off)}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
svg{width:100%;height:36px;display:block}polyline{fill:none;stroke:currentColor;stroke-width:1.5;vector-effect:non-scaling-stroke}
.spark{display:flex;justify-content:space-between;color:var(--off);font-size:11px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top}
.Warning{color:var(--bad)}#conn.down{color:var(--bad)}
#auth{border:1px solid var(--bad);border-radius:8px;padding:8px 10px;margin-top:12px}#auth input{font:inherit;max-width:100%}
`;

const SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const kid of kids) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return e;
}
function sparkline(points) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const max = Math.max(1, ...points);
  const w = 120, h = 30;
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (h + 2));
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'sticky requests per second, last ' + points.length + ' s');
  const line = document.createElementNS(ns, 'polyline');
  const step = w / Math.max(1, points.length - 1);
  line.setAttribute('points', points.map((p, i) => (i * step).toFixed(1) + ',' + (1 + h - (p / max) * h).toFixed(1)).join(' '));
  svg.append(line);
  return svg;
}
function targetCard(t) {
  const state = el('span', { class: 'badge ' + t.state, 'data-role': 'state' }, t.state);
  const head = el('div', {}, state, ' ');
  if (t.drained) head.append(el('span', { class: 'badge drained', 'data-role': 'drained' }, 'drained'));
  const stats = el('dl', {},
    el('dt', {}, 'weight'), el('dd', {}, t.weight),
    el('dt', {}, 'in flight'), el('dd', {}, t.in_flight),
    el('dt', {}, 'open connections'), el('dd', {}, t.open_connections),
    el('dt', {}, 'sticky requests, last 60 s'), el('dd', { 'data-role': 'sticky60' }, t.sticky_requests_last_60s),
    el('dt', {}, 'last sticky request'), el('dd', {}, t.last_sticky_request_at ? new Date(t.last_sticky_request_at).toLocaleTimeString() : 'never'));
  const card = el('div', { class: 'card', 'data-target': t.target, 'data-identity': t.identity, 'data-state': t.state,
    'data-drained': t.drained, 'data-sticky': t.sticky_per_second.join(',') },
    el('div', { class: 'addr' }, t.target), el('div', { class: 'id' }, t.identity), head, stats, sparkline(t.sticky_per_second),
    el('div', { class: 'spark' }, el('span', {}, 'sticky req/s, 60 s'), el('span', {}, 'now ' + t.sticky_per_second[t.sticky_per_second.length - 2] + '/s, peak ' + Math.max(...t.sticky_per_second) + '/s')));
  return card;
}
function renderUpstreams(s) {
  const box = $('upstreams');
  box.replaceChildren();
  if (s.upstreams.length === 0) box.append(el('p', { class: 'meta' }, 'no upstreams configured'));
  for (const u of s.upstreams) {
    box.append(el('section', { 'data-upstream': u.name },
      el('h3', {}, u.name + ' ', el('span', { class: 'meta' }, u.algorithm + ', ' + u.targets.length + ' targets')),
      el('div', { class: 'grid' }, ...u.targets.map(targetCard))));
  }
}
function table(headers, rows) {
  if (rows.length === 0) rows = [{ cells: ['none'] }];
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', r.attrs || {}, ...r.cells.map((c) => el('td', {}, c)))))));
}
function renderRoutes(s) {
  $('routes').replaceChildren(table(['route', 'hosts', 'paths', 'methods', 'service', 'upstream'],
    s.routes.map((r) => ({ cells: [r.name, r.hosts.join(' ') || '*', r.paths.join(' ') || '/', r.methods.join(' ') || 'any', r.service, r.upstream] }))));
}
function conditions(status) {
  const out = [];
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    if (typeof v.type === 'string' && typeof v.status === 'string') out.push(v.type + '=' + v.status + (v.reason ? ' (' + v.reason + ')' : ''));
    Object.values(v).forEach(walk);
  };
  walk(status);
  return out.join(', ');
}
function renderKube(statuses, events) {
  $('kube').hidden = false;
  const ref = (r) => r.kind + ' ' + (r.namespace ? r.namespace + '/' : '') + r.name;
  $('kube-status').replaceChildren(table(['object', 'conditions'], statuses.map((s) => ({ cells: [ref(s.ref), conditions(s.status)] }))));
  $('kube-events').replaceChildren(table(['type', 'reason', 'object', 'message', 'count', 'last seen'],
    events.slice().reverse().map((e) => ({ attrs: { class: e.type }, cells: [e.type, e.reason, ref(e.involvedObject), e.message, e.count, e.lastTimestamp] }))));
}
let kube = true;
// With --admin-token the data needs it (RFC 6750 bearer); kept for this tab only.
const TOKEN_KEY = 'berth-admin-token';
$('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('token').value = '';
  $('auth').hidden = true;
  kube = true;
});
async function getJson(path) {
  const headers = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(path, { cache: 'no-store', headers });
  if (res.status === 401) $('auth').hidden = false;
  if (!res.ok) throw Object.assign(new Error(path + ': ' + res.status), { status: res.status });
  return res.json();
}
async function tick() {
  try {
    const s = await getJson('/dashboard/state');
    $('hash').textContent = s.configuration_hash;
    $('applied').textContent = s.last_applied_at ? new Date(s.last_applied_at).toLocaleString() : 'never';
    $('updated').textContent = new Date(s.now).toLocaleTimeString();
    $('window').textContent = s.drain_window_seconds;
    renderUpstreams(s);
    renderRoutes(s);
    $('conn').textContent = 'live';
    $('conn').className = '';
  } catch (err) {
    $('conn').textContent = 'disconnected: ' + err.message;
    $('conn').className = 'down';
  }
  if (kube) {
    try {
      const [st, ev] = await Promise.all([getJson('/kubernetes/status'), getJson('/kubernetes/events')]);
      renderKube(st.data, ev.data);
    } catch (err) {
      if (err.status === 404) kube = false;
    }
  }
  setTimeout(tick, 1000);
}
tick();
`;

function sha256(text: string): string {
  return "'sha256-" + createHash('sha256').update(text).digest('base64') + "'";
}

/** DASHBOARD_CSP: only the inline script and style below, by hash, and same-origin fetches. */
export const DASHBOARD_CSP =
  `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; connect-src 'self'; ` +
  `img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>berth dashboard</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>berth</h1>
<span class="meta">config <span id="hash">-</span></span>
<span class="meta">applied <span id="applied">-</span></span>
<span class="meta">updated <span id="updated">-</span> <span id="conn">connecting</span></span>
</header>
<main>
<form id="auth" hidden>
<label for="token">This admin API needs its token (--admin-token):</label>
<input id="token" type="password" autocomplete="off" required>
<button type="submit">Use token</button>
</form>
<h2>Upstreams</h2>
<p class="meta">"drained": a DRAINING target with nothing in flight and no sticky request for <span id="window">60</span> s.</p>
<div id="upstreams"></div>
<h2>Routes</h2>
<div id="routes"></div>
<section id="kube" hidden>
<h2>Kubernetes statuses</h2>
<div id="kube-status"></div>
<h2>Kubernetes events</h2>
<div id="kube-events"></div>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
