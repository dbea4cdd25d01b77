// Live shard dashboard: reads /metrics (Prometheus text, admin only) every second with the admin's token
// and draws per-shard tables, sparklines and the probe latency histogram — SVG, no libraries.
import { h, fill, fmtNum, fmtBytes, fmtSeconds, fmtDuration } from './dom.js';
import { Api } from './api.js';
import { parsePrometheus, value, series, labelValues, rate, histogramDelta, quantile } from './prom.js';
import { showError } from './ui.js';

const KEY = 'pinwheel.dashboard.token';
const CLIENT_KEY = 'pinwheel.token';
const INTERVAL_MS = 1000;
const KEEP = 120;   // scrapes kept: two minutes of sparkline
const WINDOW = 10;  // scrapes the latency histogram and percentiles cover
const REFUSALS = ['inbox_refused', 'handoffs_dropped', 'handoffs_deferred', 'rate_limited', 'slow_consumer_closes',
  'protocol_closes', 'task_errors'];
// the edge's closes and refusals, one sample per reason: shown as "<short> <reason>"
const EDGE = [['pinwheel_edge_connections_closed_total', 'closed'], ['pinwheel_edge_connections_refused_total', 'refused'],
  ['pinwheel_gateway_identify_refused_total', 'identify'], ['pinwheel_auth_refused_total', 'auth']];
const LATENCY = 'pinwheel_shard_handoff_latency_seconds';

const main = document.getElementById('dash');
const live = document.getElementById('live');
const who = document.getElementById('who');
let token = localStorage.getItem(KEY) || localStorage.getItem(CLIENT_KEY);
const api = new Api(() => token);
const scrapes = [];
let timer = null;

function setLive(state, text) {
  live.dataset.state = state;
  fill(live, text);
}

async function poll() {
  clearTimeout(timer);
  if (!token) {
    showLogin('Log in as an admin to see the shards.');
    return;
  }
  let res;
  try {
    res = await fetch('/metrics', { headers: { Authorization: token }, cache: 'no-store' });
  } catch (e) {
    setLive('error', `cannot reach the server (${e.message}), retrying`);
    timer = setTimeout(poll, 3000);
    return;
  }
  if (res.status === 401 || res.status === 403) {
    const body = await res.json().catch(() => ({}));
    if (localStorage.getItem(KEY) === token) localStorage.removeItem(KEY);
    token = null;
    showLogin(res.status === 403
      ? `${body.message || 'Not an admin.'} Log in with an admin account.`
      : 'Your token was not accepted: log in again.');
    return;
  }
  if (!res.ok) {
    setLive('error', `/metrics answered ${res.status}, retrying`);
    timer = setTimeout(poll, 3000);
    return;
  }
  const text = await res.text();
  scrapes.push({ t: Date.now(), data: parsePrometheus(text) });
  if (scrapes.length > KEEP) scrapes.shift();
  try {
    render();
    setLive('live', `live · ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    showError(e, 'Could not draw the metrics');
  }
  timer = setTimeout(poll, INTERVAL_MS);
}

function showLogin(message) {
  setLive('idle', 'not reading');
  fill(who);
  const username = h('input', { name: 'username', autocomplete: 'username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'auth-card dash-login', novalidate: true, 'aria-label': 'Admin log in' },
    h('h2', {}, 'Admins only'),
    h('p', { class: 'sub' }, message),
    h('p', { class: 'note' }, 'The admin is the user listed in -Dpinwheel.admin.users, or else the first account registered on this node.'),
    h('label', {}, 'Username', username), h('label', {}, 'Password', password), error,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Log in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(error);
    try {
      const res = await api.post('/auth/login', { username: username.value.trim(), password: password.value });
      token = res.token;
      localStorage.setItem(KEY, token);
      scrapes.length = 0;
      fill(main, h('p', { class: 'muted' }, 'Loading…'));
      showWho();
      poll();
    } catch (e) {
      fill(error, e.message);
    }
  });
  fill(main, form);
  username.focus();
}

async function showWho() {
  try {
    const me = await api.get('/users/@me');
    fill(who, h('span', {}, `admin: ${me.username}`), h('button', {
      class: 'ghost small',
      onclick: () => {
        localStorage.removeItem(KEY);
        token = null;
        clearTimeout(timer);
        showLogin('Log in as an admin to see the shards.');
      },
    }, 'Switch account'));
  } catch (e) {
    fill(who);
  }
}

// ------------------------------------------------------------------ drawing

function sparkline(values, { w = 120, ht = 28, color = '#5865f2', floor = 1 } = {}) {
  const svg = h('svg:svg', {
    viewBox: `0 0 ${w} ${ht}`, width: w, height: ht, class: 'spark', 'aria-hidden': 'true', preserveAspectRatio: 'none',
  });
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return svg;
  const top = Math.max(floor, ...finite);
  // At least 10 slots, so a young dashboard does not stretch two points over the whole width.
  const step = w / Math.max(10, values.length - 1);
  const pts = values.map((v, i) => [w - (values.length - 1 - i) * step, ht - 1 - (Number.isFinite(v) ? v / top : 0) * (ht - 3)]);
  const line = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  svg.append(h('svg:polygon', { points: `${pts[0][0].toFixed(1)},${ht} ${line} ${w},${ht}`, fill: color, 'fill-opacity': '0.18' }));
  svg.append(h('svg:polyline', { points: line, fill: 'none', stroke: color, 'stroke-width': '1.5', 'vector-effect': 'non-scaling-stroke' }));
  return svg;
}

function leLabel(le) {
  if (le === Infinity) return '+Inf';
  if (le < 1e-3) return `${Math.round(le * 1e6)}µs`;
  if (le < 1) return `${Math.round(le * 1e3)}ms`;
  return `${le}s`;
}

function histogramChart(buckets) {
  const W = 760, H = 190, left = 40, bottom = 36, top = 12;
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'histogram', role: 'img', 'aria-label': 'Hand-off latency histogram' });
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = (W - left - 8) / Math.max(1, buckets.length);
  for (let i = 0; i <= 4; i++) {
    const y = top + (H - top - bottom) * (1 - i / 4);
    svg.append(h('svg:line', { x1: left, x2: W - 4, y1: y, y2: y, stroke: '#ffffff14' }));
    svg.append(h('svg:text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, fmtNum((max * i) / 4, 0)));
  }
  buckets.forEach((b, i) => {
    const bh = ((H - top - bottom) * b.count) / max;
    const x = left + i * bw + 2;
    const rect = h('svg:rect', { x, y: H - bottom - bh, width: Math.max(1, bw - 4), height: Math.max(0, bh), rx: 2, class: b.le > 1e-3 ? 'bar slow' : 'bar' });
    rect.append(h('svg:title', {}, `≤ ${leLabel(b.le)}: ${b.count} probes`));
    svg.append(rect);
    if (i % 2 === 0 || buckets.length < 12) {
      svg.append(h('svg:text', { x: x + (bw - 4) / 2, y: H - bottom + 16, 'text-anchor': 'middle', class: 'axis' }, leLabel(b.le)));
    }
  });
  svg.append(h('svg:text', { x: left, y: H - 4, class: 'axis' }, 'hand-off latency (upper bound of bucket) →'));
  return svg;
}

function card(id, title, big, sub, spark) {
  return h('section', { class: 'card', dataset: { card: id } },
    h('h3', {}, title), h('div', { class: 'big' }, big), sub ? h('div', { class: 'sub' }, sub) : null, spark || null);
}

/** Per-scrape series of f(prev, curr) over the kept scrapes. */
function history(f) {
  const out = [];
  for (let i = 1; i < scrapes.length; i++) out.push(f(scrapes[i - 1], scrapes[i]));
  return out;
}

function render() {
  const curr = scrapes.at(-1);
  const prev = scrapes.at(-2);
  const from = scrapes.length > 1 ? scrapes[Math.max(0, scrapes.length - 1 - WINDOW)] : null;
  const d = curr.data;
  const shards = labelValues(d, 'pinwheel_shard_sessions', 'shard').sort((a, b) => a - b);

  // Node
  const heapUsed = value(d, 'jvm_memory_used_bytes', { area: 'heap' });
  const heapMax = value(d, 'jvm_memory_max_bytes', { area: 'heap' });
  const cpu = rate(prev, curr, 'process_cpu_seconds_total') * 100;
  const gcs = labelValues(d, 'jvm_gc_collection_seconds_count', 'gc');
  const gcLines = gcs.map((gc) => {
    const n = rate(from, curr, 'jvm_gc_collection_seconds_count', { gc });
    const ms = rate(from, curr, 'jvm_gc_collection_seconds_sum', { gc }) * 1000;
    const total = value(d, 'jvm_gc_collection_seconds_count', { gc });
    return h('div', { class: 'gc' }, h('strong', {}, gc), ` ${fmtNum(total, 0)} total · ${fmtNum(n, 2)}/s · ${fmtNum(ms, 2)} ms/s`);
  });
  const nodeCards = h('div', { class: 'cards' },
    card('connections', 'Connections', fmtNum(value(d, 'pinwheel_node_connections')), `${shards.length} shards`,
      sparkline(scrapes.map((s) => value(s.data, 'pinwheel_node_connections')), { color: '#23a55a' })),
    card('sessions', 'Sessions', fmtNum(value(d, 'pinwheel_node_sessions')), 'connected or resumable',
      sparkline(scrapes.map((s) => value(s.data, 'pinwheel_node_sessions')), { color: '#23a55a' })),
    card('directory', 'Accounts · Guilds', `${fmtNum(value(d, 'pinwheel_node_accounts'))} · ${fmtNum(value(d, 'pinwheel_node_guilds'))}`,
      `uptime ${fmtDuration(value(d, 'pinwheel_node_uptime_seconds'))}`),
    card('heap', 'Heap', fmtBytes(heapUsed), `of ${fmtBytes(heapMax)} · non-heap ${fmtBytes(value(d, 'jvm_memory_used_bytes', { area: 'nonheap' }))}`,
      sparkline(scrapes.map((s) => value(s.data, 'jvm_memory_used_bytes', { area: 'heap' })), { color: '#f0b232' })),
    card('cpu', 'Process CPU', Number.isFinite(cpu) ? `${fmtNum(cpu)} %` : '–', `${fmtNum(value(d, 'jvm_threads_current'))} threads`,
      sparkline(history((a, b) => rate(a, b, 'process_cpu_seconds_total') * 100), { color: '#eb459e', floor: 5 })),
    h('section', { class: 'card wide', dataset: { card: 'gc' } }, h('h3', {}, 'GC (last 10 s)'), ...gcLines));

  // Shards
  const rows = shards.map((shard) => {
    const L = { shard };
    const depth = value(d, 'pinwheel_shard_ring_depth', L);
    const cap = value(d, 'pinwheel_shard_ring_capacity', L);
    const inRate = rate(prev, curr, 'pinwheel_shard_inbox_events_total', L);
    const outRate = rate(prev, curr, 'pinwheel_shard_deliveries_total', L);
    const hand = rate(prev, curr, 'pinwheel_shard_handoffs_out_total', L);
    const busyNs = rate(from, curr, 'pinwheel_shard_busy_nanos_total', L);
    const cycles = rate(from, curr, 'pinwheel_shard_busy_cycles_total', L);
    const lat = histogramDelta(from, curr, LATENCY, L);
    const tick = value(d, 'pinwheel_shard_tick_age_seconds', L);
    const refusals = REFUSALS.map((r) => [r, value(d, `pinwheel_shard_${r}_total`, L), rate(from, curr, `pinwheel_shard_${r}_total`, L)])
      .filter(([, v]) => v > 0);
    for (const [family, short] of EDGE) {
      for (const s of series(d, family, L)) {
        if (s.value > 0) refusals.push([`${short} ${s.labels.reason}`, s.value, rate(from, curr, family, { ...L, reason: s.labels.reason })]);
      }
    }
    const bar = h('div', { class: 'ring-bar' }, h('i'));
    bar.firstChild.style.width = `${Math.min(100, (100 * depth) / (cap || 1)).toFixed(1)}%`;
    return h('tr', { dataset: { shard } },
      h('th', { scope: 'row' }, shard),
      h('td', { dataset: { col: 'sessions' } }, fmtNum(value(d, 'pinwheel_shard_sessions', L))),
      h('td', { dataset: { col: 'connections' } }, fmtNum(value(d, 'pinwheel_shard_connections', L))),
      h('td', { dataset: { col: 'guilds' } }, `${fmtNum(value(d, 'pinwheel_shard_guilds_owned', L))} / ${fmtNum(value(d, 'pinwheel_shard_guilds_followed', L))}`),
      h('td', { dataset: { col: 'ring' } }, h('div', {}, `${fmtNum(depth)} / ${fmtNum(cap)}`), bar),
      h('td', { dataset: { col: 'in' } }, h('div', {}, fmtNum(inRate)), sparkline(history((a, b) => rate(a, b, 'pinwheel_shard_inbox_events_total', L)), { w: 70, ht: 20 })),
      h('td', { dataset: { col: 'out' } }, h('div', {}, fmtNum(outRate)), sparkline(history((a, b) => rate(a, b, 'pinwheel_shard_deliveries_total', L)), { w: 70, ht: 20, color: '#23a55a' })),
      h('td', { dataset: { col: 'handoffs' } }, fmtNum(hand)),
      h('td', { dataset: { col: 'busy' } }, Number.isFinite(busyNs) ? `${fmtNum(busyNs / 1e7)} %` : '–'),
      h('td', { dataset: { col: 'cycle' } }, cycles > 0 ? fmtSeconds(busyNs / cycles / 1e9) : '–'),
      h('td', { dataset: { col: 'latency' } }, `${fmtSeconds(quantile(lat, 0.5))} / ${fmtSeconds(quantile(lat, 0.99))}`,
        h('div', { class: 'sub' }, `max ${fmtSeconds(value(d, 'pinwheel_shard_handoff_latency_max_seconds', L))}`)),
      h('td', { dataset: { col: 'refusals' }, class: refusals.length ? 'warn' : 'muted' },
        refusals.length ? refusals.map(([r, v, per]) => h('div', {}, `${r} ${fmtNum(v)}${per > 0 ? ` (+${fmtNum(per)}/s)` : ''}`)) : 'none'),
      h('td', { dataset: { col: 'tick' }, class: tick > 1 ? 'bad' : '' }, tick > 1 ? `${fmtSeconds(tick)} stuck?` : fmtSeconds(tick)));
  });
  const table = h('table', { class: 'shards', 'aria-label': 'Shards' },
    h('thead', {}, h('tr', {}, [
      ['Shard', 'Shard index: one thread'],
      ['Sessions', 'Gateway sessions (connected or resumable)'],
      ['Conns', 'Gateway WebSocket connections'],
      ['Guilds', 'Guilds owned (single writer) / followed by local sessions'],
      ['Ring', 'Inbox ring depth / capacity'],
      ['In/s', 'Inbox events taken per second'],
      ['Out/s', 'Events delivered to local sessions per second'],
      ['Hand-offs/s', 'Fanouts and tasks published to other shards per second'],
      ['Busy', 'Share of time in duty cycles that did work (last 10 s)'],
      ['Cycle', 'Mean duration of a busy duty cycle (last 10 s)'],
      ['Hand-off p50/p99', 'Probe latency into this shard\'s inbox (last 10 s) and max of the last second'],
      ['Refusals & drops', 'Non-zero refusal and drop counters (total, rate)'],
      ['Tick', 'Age of the shard\'s last timer run: a stuck shard grows'],
    ].map(([t, title]) => h('th', { scope: 'col', title }, t)))),
    h('tbody', {}, rows));

  // Latency
  const merged = histogramDelta(from, curr, LATENCY);
  const probes = merged.reduce((a, b) => a + b.count, 0);
  const maxLat = Math.max(0, ...shards.map((shard) => value(d, 'pinwheel_shard_handoff_latency_max_seconds', { shard }))
    .filter(Number.isFinite));
  const latency = h('section', { class: 'panel' },
    h('h2', {}, 'Inbox hand-off latency ', h('span', { class: 'muted' }, '(the node’s own probes, every shard to every shard, last 10 s)')),
    h('div', { class: 'quantiles' },
      [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['p99.9', 0.999]].map(([label, q]) =>
      h('div', {}, h('span', { class: 'muted' }, label), h('strong', {}, fmtSeconds(quantile(merged, q))))),
      h('div', {}, h('span', { class: 'muted' }, 'max (1 s)'), h('strong', {}, fmtSeconds(maxLat))),
      h('div', {}, h('span', { class: 'muted' }, 'probes'), h('strong', {}, fmtNum(probes)))),
    histogramChart(merged));

  fill(main,
    h('section', { class: 'panel' }, h('h2', {}, 'Node'), nodeCards),
    h('section', { class: 'panel' }, h('h2', {}, 'Shards ', h('span', { class: 'muted' }, '(one thread each: sockets, sessions, owned guilds, inbox ring)')), h('div', { class: 'table-wrap' }, table)),
    latency,
    h('p', { class: 'muted foot' }, 'Read from /metrics every second — the same Prometheus text a scraper gets. Rates are per second between scrapes.'));
}

if (token) showWho();
poll();
