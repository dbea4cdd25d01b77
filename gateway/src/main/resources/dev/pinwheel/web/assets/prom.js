// A parser for the Prometheus text exposition format (what /metrics serves) and a few helpers to read
// gauges, counter rates and histogram percentiles out of successive scrapes.

/** Parses exposition text into {samples: Map name → [{labels, value}], types: Map family → type}. */
export function parsePrometheus(text) {
  const samples = new Map();
  const types = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = line.match(/^# TYPE (\S+) (\S+)/);
      if (m) types.set(m[1], m[2]);
      continue;
    }
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let lm;
      while ((lm = re.exec(m[3])) !== null) {
        labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (!samples.has(m[1])) samples.set(m[1], []);
    samples.get(m[1]).push({ labels, value });
  }
  return { samples, types };
}

function matches(labels, want) {
  for (const [k, v] of Object.entries(want)) if (labels[k] !== v) return false;
  return true;
}

/** The value of the first sample of `name` whose labels include `want` (NaN if none). */
export function value(scrape, name, want = {}) {
  const list = scrape?.samples.get(name);
  if (!list) return NaN;
  const s = list.find((x) => matches(x.labels, want));
  return s ? s.value : NaN;
}

/** Every sample of `name` whose labels include `want`. */
export function series(scrape, name, want = {}) {
  return (scrape?.samples.get(name) || []).filter((x) => matches(x.labels, want));
}

/** Distinct values of one label over a metric's samples, e.g. labelValues(s, 'pinwheel_shard_sessions', 'shard'). */
export function labelValues(scrape, name, label) {
  return [...new Set(series(scrape, name).map((x) => x.labels[label]).filter((v) => v !== undefined))];
}

/** Per-second rate of a counter between two scrapes {t (ms), data}. */
export function rate(prev, curr, name, want = {}) {
  if (!prev || !curr) return NaN;
  const dt = (curr.t - prev.t) / 1000;
  const d = value(curr.data, name, want) - value(prev.data, name, want);
  return dt > 0 && d >= 0 ? d / dt : NaN;
}

/**
 * Histogram buckets (non-cumulative counts per upper bound) of `name` over the scrapes' interval, summed over
 * every label set that includes `want`. With prev null: since the start.
 */
export function histogramDelta(prev, curr, name, want = {}) {
  const sum = new Map();
  const add = (scrape, sign) => {
    for (const s of series(scrape, `${name}_bucket`, want)) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      sum.set(le, (sum.get(le) || 0) + sign * s.value);
    }
  };
  add(curr.data, 1);
  if (prev) add(prev.data, -1);
  const les = [...sum.keys()].sort((a, b) => a - b);
  const out = [];
  let before = 0;
  for (const le of les) {
    const cumulative = Math.max(0, sum.get(le));
    out.push({ le, count: Math.max(0, cumulative - before) });
    before = Math.max(before, cumulative);
  }
  return out;
}

/** The upper bound of the bucket that holds quantile q (0..1) of a bucket list from histogramDelta. */
export function quantile(buckets, q) {
  const total = buckets.reduce((a, b) => a + b.count, 0);
  if (total === 0) return NaN;
  const rank = q * total;
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= rank) return b.le;
  }
  return buckets.at(-1).le;
}
