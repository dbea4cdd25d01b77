// Gateway v10 client over a browser WebSocket, the same protocol bots speak:
//   HELLO (op 10) → IDENTIFY (op 2) or RESUME (op 6) → dispatches (op 0, seq s)
//   heartbeats (op 1) every heartbeat_interval, first one jittered; no ACK (op 11) before the next beat
//   means a zombie connection: close it and RESUME. op 1 from the server: beat now. op 7: reconnect and
//   RESUME. op 9: RESUME again if d is true, else IDENTIFY anew after 1–5 s.
// RESUME goes to READY's resume_gateway_url with session_id and the last seq; close codes that forbid
// resuming start a fresh session, and the ones that forbid reconnecting (bad token, intents) stop.

export const Intents = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MODERATION: 1 << 2,
  GUILD_INVITES: 1 << 6,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_TYPING: 1 << 11,
  MESSAGE_CONTENT: 1 << 15,
};

const FATAL_CLOSES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);
const NEW_SESSION_CLOSES = new Set([4007, 4009]);

export class GatewayClient extends EventTarget {
  /**
   * @param {string} url gateway URL from GET /gateway
   * @param {string} token the user's token
   * @param {number} intents intent bits
   */
  constructor(url, token, intents) {
    super();
    this.url = url;
    this.token = token;
    this.intents = intents;
    this.sessionId = null;
    this.resumeUrl = null;
    this.seq = null;
    this.ws = null;
    this.heartbeatTimer = null;
    this.acked = true;
    this.attempt = 0;
    this.stopped = false;
    this.reconnectTimer = null;
  }

  start() {
    this.stopped = false;
    this.open(false);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    if (this.ws) this.ws.close(1000, 'bye');
    this.ws = null;
  }

  status(state, info = '') {
    this.state = state;
    this.dispatchEvent(new CustomEvent('status', { detail: { state, info } }));
  }

  open(resume) {
    const base = resume && this.resumeUrl ? this.resumeUrl : this.url;
    const url = `${base.replace(/\/$/, '')}/?v=10&encoding=json`;
    this.status(resume ? 'resuming' : 'connecting');
    const ws = new WebSocket(url);
    this.ws = ws;
    this.resuming = resume && this.sessionId !== null;
    ws.onmessage = (ev) => {
      if (ws === this.ws) this.onPayload(JSON.parse(ev.data));
    };
    ws.onclose = (ev) => {
      if (ws === this.ws) this.onClose(ev.code, ev.reason);
    };
    ws.onerror = () => { /* onclose follows with the code */ };
  }

  send(op, d) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  onPayload(p) {
    switch (p.op) {
      case 10: { // HELLO
        this.startHeartbeat(p.d.heartbeat_interval);
        if (this.resuming) {
          this.send(6, { token: this.token, session_id: this.sessionId, seq: this.seq ?? 0 });
        } else {
          this.send(2, {
            token: this.token,
            intents: this.intents,
            ...(this.presence ? { presence: this.presence() } : {}),
            properties: { os: navigator.platform || 'web', browser: 'pinwheel-web', device: 'pinwheel-web' },
          });
        }
        break;
      }
      case 11: this.acked = true; break;
      case 1: this.beat(); break;
      case 7: this.reconnect(true, 'server asked to reconnect'); break;
      case 9: {
        if (p.d) {
          this.reconnect(true, 'session invalidated, resuming');
        } else {
          this.sessionId = null;
          this.seq = null;
          this.reconnect(false, 'session invalidated, starting a new one', 1000 + Math.random() * 4000);
        }
        break;
      }
      case 0: {
        if (typeof p.s === 'number') this.seq = p.s;
        if (p.t === 'READY') {
          this.sessionId = p.d.session_id;
          this.resumeUrl = p.d.resume_gateway_url || null;
          this.attempt = 0;
          this.status('connected');
        } else if (p.t === 'RESUMED') {
          this.attempt = 0;
          this.status('connected');
        }
        this.dispatchEvent(new CustomEvent('dispatch', { detail: { t: p.t, d: p.d, resumed: this.resuming } }));
        break;
      }
      default: break;
    }
  }

  startHeartbeat(interval) {
    this.stopHeartbeat();
    this.acked = true;
    const next = (delay) => {
      this.heartbeatTimer = setTimeout(() => {
        if (!this.acked) {
          this.reconnect(true, 'no heartbeat ACK: zombie connection');
          return;
        }
        this.beat();
        next(interval);
      }, delay);
    };
    next(Math.floor(interval * Math.random()));
  }

  beat() {
    this.acked = false;
    this.send(1, this.seq);
  }

  stopHeartbeat() {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Drops the current socket and opens a new one: RESUME when possible, else IDENTIFY. */
  reconnect(resume, why, delay) {
    this.stopHeartbeat();
    const old = this.ws;
    this.ws = null;
    if (old && old.readyState <= WebSocket.OPEN) old.close(4000, 'reconnecting');
    if (this.stopped) return;
    const wait = delay ?? Math.min(30000, this.attempt === 0 ? 250 : 1000 * 2 ** Math.min(5, this.attempt - 1));
    this.attempt++;
    this.status('reconnecting', why);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.open(resume && this.sessionId !== null), wait);
  }

  onClose(code, reason) {
    this.stopHeartbeat();
    this.ws = null;
    if (this.stopped) return;
    if (FATAL_CLOSES.has(code)) {
      this.stopped = true;
      this.status('closed', `${code} ${reason}`);
      this.dispatchEvent(new CustomEvent('fatal', { detail: { code, reason } }));
      return;
    }
    if (NEW_SESSION_CLOSES.has(code)) {
      this.sessionId = null;
      this.seq = null;
    }
    // A resume URL that stopped answering (e.g. the server restarted): fall back to the main URL.
    if (this.attempt >= 3) this.resumeUrl = null;
    this.reconnect(this.sessionId !== null, `connection closed (${code}${reason ? ' ' + reason : ''})`);
  }
}
