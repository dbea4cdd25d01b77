// Unread markers and mention badges, kept by the server as the user's read states (Discord's user API): READY's
// read_state gives, per channel, the last message read and the mentions since; a channel is unread when its newest
// message (last_message_id of GUILD_CREATE, then each MESSAGE_CREATE) is after the last one read. Viewing a channel
// acks it (POST /channels/{c}/messages/{m}/ack), which the server keeps across reloads and restarts and tells our
// other sessions (MESSAGE_ACK).
import { cmpId } from './dom.js';

export class ReadStates {
  constructor(api) {
    this.api = api;
    this.read = new Map();     // channel id → {last: id read up to, mentions: count since}
    this.newest = new Map();   // channel id → newest message id known
    this.acking = new Map();   // channel id → the ack in flight: {wanted: newest id asked for, done: promise}
  }

  /** READY: the read states the server kept. */
  load(readState) {
    this.read.clear();
    for (const e of readState?.entries || []) {
      this.read.set(e.id, { last: e.last_message_id || '0', mentions: e.mention_count || 0 });
    }
  }

  /** A channel's newest message id, from GUILD_CREATE / CHANNEL_CREATE. */
  channel(c) {
    if (c.last_message_id) this.bump(c.id, c.last_message_id);
  }

  bump(channelId, messageId) {
    const known = this.newest.get(channelId);
    if (!known || cmpId(messageId, known) > 0) this.newest.set(channelId, messageId);
  }

  unread(channelId) {
    const newest = this.newest.get(channelId);
    if (!newest) return false;
    const r = this.read.get(channelId);
    return !r || cmpId(newest, r.last) > 0;
  }

  mentions(channelId) {
    return this.read.get(channelId)?.mentions || 0;
  }

  /**
   * MESSAGE_CREATE: the channel has a newer message; one that pings us (a user mention, @everyone/@here, a role of
   * ours) adds a mention unless it is our own.
   */
  message(m, me, myRoles) {
    this.bump(m.channel_id, m.id);
    if (m.author?.id === me.id) return;
    const pinged = (m.mentions || []).some((u) => u.id === me.id) || m.mention_everyone
      || (m.mention_roles || []).some((r) => myRoles.includes(r));
    if (pinged) {
      const r = this.read.get(m.channel_id) || { last: '0', mentions: 0 };
      r.mentions += 1;
      this.read.set(m.channel_id, r);
    }
  }

  /** MESSAGE_ACK from another session of ours (or the echo of our own). */
  acked(d) {
    const r = this.read.get(d.channel_id);
    if (r && cmpId(r.last, d.message_id) > 0) return;
    this.read.set(d.channel_id, { last: d.message_id, mentions: d.mention_count || 0 });
  }

  /**
   * Marks a channel read up to its newest message (if anything is unread). The marker clears at once; the server
   * hears of it through one ack at a time per channel, at most one every ACK_INTERVAL_MS while messages keep coming
   * (a busy channel being watched must not spend the user's request budget: Discord's client throttles its acks
   * too). Resolves once the server has the newest one asked for.
   */
  ack(channelId) {
    const newest = this.newest.get(channelId);
    if (!newest || (!this.unread(channelId) && !this.mentions(channelId))) return this.acking.get(channelId)?.done
      || Promise.resolve();
    this.read.set(channelId, { last: newest, mentions: 0 });
    let flight = this.acking.get(channelId);
    if (flight) {
      flight.wanted = newest; // the ack in flight sends this one next
      return flight.done;
    }
    flight = { wanted: newest };
    this.acking.set(channelId, flight);
    flight.done = (async () => {
      try {
        for (let sent = null; flight.wanted !== sent;) {
          if (sent !== null) await new Promise((r) => setTimeout(r, ACK_INTERVAL_MS));
          sent = flight.wanted;
          await this.api.post(`/channels/${channelId}/messages/${sent}/ack`, { token: null });
        }
      } finally {
        this.acking.delete(channelId);
      }
    })();
    return flight.done;
  }
}

/** Least time between two acks of one channel while new messages keep arriving in it. */
const ACK_INTERVAL_MS = 500;
