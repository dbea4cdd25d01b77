// REST calls the browser tests make beside the browser (setup, checks): the node from PINWHEEL_URL, a token or none.
import assert from 'node:assert/strict';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');

/** One REST call: its status and parsed body, whatever the status. */
export async function call(method, p, token, body) {
  const res = await fetch(`${BASE}/api/v10${p}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** One REST call that must succeed (2xx): its parsed body. */
export async function rest(method, p, token, body) {
  const r = await call(method, p, token, body);
  assert.ok(r.status < 300, `${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
