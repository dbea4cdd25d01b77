// Presence and the lazy member list (op 14) of the web client.
//
// The guild's presences come from GUILD_CREATE (`presences`), PRESENCE_UPDATE and the member list's items; the
// member list itself is the server's GUILD_MEMBER_LIST_UPDATE for the open channel: a SYNC of rows 0-99, then
// INSERT/UPDATE/DELETE/INVALIDATE as members come and go online. Rows are {group: {id, count}} headers and
// {member: {..., presence}} entries, in the server's order (hoisted roles, online, then offline, each by name).
import { h } from './dom.js';

export const STATUSES = [
  ['online', 'Online'],
  ['idle', 'Idle'],
  ['dnd', 'Do Not Disturb'],
  ['invisible', 'Invisible'],
];
const STATUS_KEY = 'pinwheel.status';
const GROUP_NAMES = { online: 'Online', offline: 'Offline' };

/** The status the user picked last (kept across reloads), 'online' by default. */
export function savedStatus() {
  const s = localStorage.getItem(STATUS_KEY);
  return STATUSES.some(([v]) => v === s) ? s : 'online';
}

/** Sends op 3 with a status and remembers it. */
export function setStatus(gateway, status) {
  localStorage.setItem(STATUS_KEY, status);
  gateway.send(3, { since: null, activities: [], status, afk: false });
}

/** The status picker beside the user's name. */
export function statusPicker(app) {
  const select = h('select', { class: 'status-picker', 'aria-label': 'Status' },
    ...STATUSES.map(([value, label]) => h('option', { value }, label)));
  select.value = savedStatus();
  select.addEventListener('change', () => {
    if (app.gateway) setStatus(app.gateway, select.value);
  });
  return select;
}

/** A presence dot: online, idle, dnd or offline. */
export function presenceDot(status) {
  const s = status || 'offline';
  return h('span', { class: 'presence-dot', dataset: { status: s }, title: s, 'aria-label': s });
}

/** Applies a GUILD_MEMBER_LIST_UPDATE to the guild's copy of the list; returns true if it changed what is shown. */
export function applyListUpdate(g, d) {
  if (!g.list || g.list.id !== d.id) g.list = { id: d.id, rows: [] };
  const rows = g.list.rows;
  for (const op of d.ops || []) {
    switch (op.op) {
      case 'SYNC': {
        const [from, to] = op.range;
        const items = op.items || [];
        items.forEach((item, i) => { rows[from + i] = item; });
        if (items.length < to - from + 1) rows.length = from + items.length; // the list ends inside the range
        break;
      }
      case 'INSERT': rows.splice(op.index, 0, op.item); break;
      case 'UPDATE': rows[op.index] = op.item; break;
      case 'DELETE': rows.splice(op.index, 1); break;
      case 'INVALIDATE': break; // rows we no longer look at: kept until the next SYNC replaces them
      default: break;
    }
  }
  g.list.groups = new Map((d.groups || []).map((x) => [x.id, x.count]));
  g.list.memberCount = d.member_count;
  g.list.onlineCount = d.online_count;
  for (const item of rows) {
    const m = item?.member;
    if (m?.user) {
      g.members.set(m.user.id, { ...(g.members.get(m.user.id) || {}), ...m });
      g.presences.set(m.user.id, m.presence?.status || 'offline');
    }
  }
  return true;
}

/** A group header's name: Online, Offline, or the hoisted role's name. */
function groupName(g, id) {
  return GROUP_NAMES[id] || g.roles?.get(id)?.name || id;
}

/** The rows to draw: group headers (with the groups' current counts) and members. */
export function listRows(g) {
  return (g.list?.rows || []).filter(Boolean).map((item) => (item.group
    ? { group: item.group.id, label: `${groupName(g, item.group.id)} — ${g.list.groups.get(item.group.id) ?? item.group.count}` }
    : { member: g.members.get(item.member.user.id) || item.member }));
}

/** op 14 for rows 0-99 of a channel's member list. */
export function subscribeList(gateway, guildId, channelId) {
  gateway.send(14, { guild_id: guildId, typing: true, activities: true, threads: true,
    channels: { [channelId]: [[0, 99]] } });
}
