// REST v10 client: the same API bots use. Every failure becomes an ApiError carrying Discord's error body
// {code, message, errors} so that the UI can show what the server said.

export const API_BASE = '/api/v10';

export class ApiError extends Error {
  constructor(status, body, method, path) {
    super(describe(status, body));
    this.status = status;
    this.code = body?.code ?? 0;
    this.body = body;
    this.method = method;
    this.path = path;
  }
}

/** Turns {code, message, errors} into one readable line, e.g. "Invalid Form Body — username: Username is unavailable." */
export function describe(status, body) {
  if (!body || typeof body !== 'object') return `HTTP ${status}`;
  let text = body.message || `HTTP ${status}`;
  if (status === 429 && body.retry_after !== undefined) {
    text += ` Retry in ${Number(body.retry_after).toFixed(1)} s.`;
  }
  const fields = [];
  const walk = (node, path) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node._errors)) {
      for (const e of node._errors) fields.push(`${path || 'request'}: ${e.message || e.code}`);
    }
    for (const [k, v] of Object.entries(node)) if (k !== '_errors') walk(v, path ? `${path}.${k}` : k);
  };
  walk(body.errors, '');
  return fields.length ? `${text} — ${fields.join('; ')}` : text;
}

export class Api {
  /** @param {() => string|null} token supplies the current token */
  constructor(token) {
    this.token = token;
  }

  /** reason, if given, is sent as X-Audit-Log-Reason (URL-encoded, as Discord's libraries send it). */
  async request(method, path, body, query, reason) {
    const url = new URL(API_BASE + path, location.origin);
    for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null) url.searchParams.set(k, v);
    const headers = {};
    const token = this.token();
    if (token) headers.Authorization = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (reason) headers['X-Audit-Log-Reason'] = encodeURIComponent(reason);
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, { code: 0, message: `Cannot reach the server (${e.message}).` }, method, path);
    }
    const text = await res.text();
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch { json = { code: 0, message: text.slice(0, 200) }; }
    }
    if (!res.ok) throw new ApiError(res.status, json || { code: 0, message: `HTTP ${res.status}` }, method, path);
    return json;
  }

  get(path, query) { return this.request('GET', path, undefined, query); }
  post(path, body = {}) { return this.request('POST', path, body); }
  patch(path, body, reason) { return this.request('PATCH', path, body, undefined, reason); }
  put(path, body = {}, reason) { return this.request('PUT', path, body, undefined, reason); }
  delete(path, reason) { return this.request('DELETE', path, undefined, undefined, reason); }
}
