// Moderation and guild administration for the chat screen, on the same REST v10 routes bots use:
//   member menu      kick (DELETE /guilds/G/members/U), ban (PUT /guilds/G/bans/U), timeout and roles
//                    (PATCH /guilds/G/members/U {communication_disabled_until | roles})
//   invites          GET /guilds/G/invites (uses / max_uses), POST /channels/C/invites, DELETE /invites/CODE
//   guild settings   PATCH /guilds/G {name, description}, bans with unban, DELETE /guilds/G (owner only)
//   channel editor   PUT|DELETE /channels/C/permissions/ID {type, allow, deny} for @everyone, roles and members
// The server decides: nothing here guesses permissions, and every refusal is shown as the server sent it.
import { h, fill, cmpId, fmtTime } from './dom.js';
import { toast, showError, dialog } from './ui.js';

/** The channel permissions the editor offers (Discord's bit numbers). */
export const CHANNEL_PERMISSIONS = [
  { bit: 10n, name: 'View channel' },
  { bit: 11n, name: 'Send messages' },
  { bit: 16n, name: 'Read message history' },
  { bit: 6n, name: 'Add reactions' },
  { bit: 13n, name: 'Manage messages' },
];

const TIMEOUTS = [[60, '60 seconds'], [300, '5 minutes'], [600, '10 minutes'], [3600, '1 hour'],
  [86400, '1 day'], [604800, '1 week']];
const BAN_DELETES = [[0, "Don't delete any"], [3600, 'Previous hour'], [86400, 'Previous 24 hours'],
  [604800, 'Previous 7 days']];
const MAX_USES = [0, 1, 5, 10, 25, 100];

export function memberName(m) {
  return m.nick || m.user.global_name || m.user.username;
}

export function timedOut(m) {
  return !!m.communication_disabled_until && Date.parse(m.communication_disabled_until) > Date.now();
}

function select(label, options, value) {
  const el = h('select', { 'aria-label': label },
    options.map(([v, text]) => h('option', { value: String(v) }, text)));
  el.value = String(value);
  return el;
}

function reasonInput() {
  return h('input', { type: 'text', name: 'reason', maxlength: 512, autocomplete: 'off', placeholder: 'Shown in the audit log' });
}

/** A row of inline errors inside a dialog's body, for buttons that are not the dialog's own actions. */
function inlineError() {
  return h('p', { class: 'form-error inline', role: 'alert' });
}

// ---------------------------------------------------------------- member menu

let openMenu = null;

function closeMenu() {
  if (openMenu) openMenu.remove();
  openMenu = null;
}

document.addEventListener('pointerdown', (ev) => {
  if (openMenu && !openMenu.contains(ev.target)) closeMenu();
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeMenu();
});

/** The context menu of a member of guild g, at (x, y). */
export function memberMenu(app, g, m, x, y) {
  closeMenu();
  const name = memberName(m);
  const self = m.user.id === app.me.id;
  const item = (label, onClick, danger) => h('button', {
    role: 'menuitem', class: `menu-item${danger ? ' danger' : ''}`,
    onclick: () => { closeMenu(); onClick(); },
  }, label);
  const items = [
    h('div', { class: 'menu-title' }, name),
    item('Roles…', () => editRoles(app, g, m)),
    self ? null : timedOut(m)
      ? item('Remove timeout', () => removeTimeout(app, g, m))
      : item('Time out…', () => timeout(app, g, m)),
    self ? null : item(`Kick ${name}…`, () => kick(app, g, m), true),
    self ? null : item(`Ban ${name}…`, () => ban(app, g, m), true),
  ];
  const menu = h('div', { class: 'menu', role: 'menu', 'aria-label': `Manage ${name}` }, items);
  document.body.append(menu);
  const r = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(4, Math.min(x, innerWidth - r.width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(y, innerHeight - r.height - 4))}px`;
  openMenu = menu;
  menu.querySelector('[role=menuitem]')?.focus();
}

function kick(app, g, m) {
  const reason = reasonInput();
  dialog({
    title: `Kick ${memberName(m)}`,
    body: [h('p', {}, `${memberName(m)} will be removed from ${g.name}. They can join again with an invite.`),
      h('label', {}, 'Reason', reason)],
    actions: [
      { label: 'Cancel' },
      { label: 'Kick', kind: 'danger', submit: true, onClick: async () => {
        await app.api.delete(`/guilds/${g.id}/members/${m.user.id}`, reason.value.trim());
        toast(`${memberName(m)} was kicked`, 'info');
      } },
    ],
  });
}

function ban(app, g, m) {
  const reason = reasonInput();
  const deletes = select('Delete message history', BAN_DELETES, 0);
  dialog({
    title: `Ban ${memberName(m)}`,
    body: [h('p', {}, `${memberName(m)} will be removed from ${g.name} and cannot join again until unbanned.`),
      h('label', {}, 'Delete message history', deletes), h('label', {}, 'Reason', reason)],
    actions: [
      { label: 'Cancel' },
      { label: 'Ban', kind: 'danger', submit: true, onClick: async () => {
        await app.api.put(`/guilds/${g.id}/bans/${m.user.id}`, { delete_message_seconds: Number(deletes.value) },
          reason.value.trim());
        toast(`${memberName(m)} was banned`, 'info');
      } },
    ],
  });
}

function timeout(app, g, m) {
  const duration = select('Duration', TIMEOUTS, 600);
  const reason = reasonInput();
  dialog({
    title: `Time out ${memberName(m)}`,
    body: [h('p', { class: 'note' }, 'A timed-out member can read but cannot post, react, type or join voice.'),
      h('label', {}, 'Duration', duration), h('label', {}, 'Reason', reason)],
    actions: [
      { label: 'Cancel' },
      { label: 'Time out', kind: 'danger', submit: true, onClick: async () => {
        const until = new Date(Date.now() + Number(duration.value) * 1000).toISOString();
        app.onMemberUpdate(await app.api.patch(`/guilds/${g.id}/members/${m.user.id}`,
          { communication_disabled_until: until }, reason.value.trim()), g.id);
      } },
    ],
  });
}

async function removeTimeout(app, g, m) {
  try {
    app.onMemberUpdate(await app.api.patch(`/guilds/${g.id}/members/${m.user.id}`,
      { communication_disabled_until: null }), g.id);
  } catch (e) {
    showError(e, `Could not remove the timeout of ${memberName(m)}`);
  }
}

function editRoles(app, g, m) {
  const roles = [...(g.roles?.values() || [])].filter((r) => r.id !== g.id)
    .sort((a, b) => (b.position - a.position) || cmpId(a.id, b.id));
  const boxes = roles.map((r) => {
    const box = h('input', { type: 'checkbox', value: r.id });
    box.checked = m.roles.includes(r.id);
    return h('label', { class: 'check' }, box, h('span', {}, r.name));
  });
  dialog({
    title: `Roles of ${memberName(m)}`,
    body: roles.length ? [h('div', { class: 'checks' }, boxes)]
      : [h('p', { class: 'note' }, `${g.name} has no roles besides @everyone yet.`)],
    actions: [
      { label: 'Cancel' },
      roles.length ? { label: 'Save', kind: 'primary', submit: true, onClick: async (dlg) => {
        const ids = [...dlg.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
        app.onMemberUpdate(await app.api.patch(`/guilds/${g.id}/members/${m.user.id}`, { roles: ids }), g.id);
      } } : null,
    ].filter(Boolean),
  });
}

// ---------------------------------------------------------------- invites

/** The guild's invites with their uses; revoke and create. Live: INVITE_CREATE / INVITE_DELETE. */
export function inviteList(app, g) {
  const rows = h('tbody');
  const error = inlineError();
  const status = h('p', { class: 'note' }, 'Loading…');
  const channel = select('Channel', [...g.channels.values()].filter((c) => c.type === 0)
    .sort((a, b) => (a.position - b.position) || cmpId(a.id, b.id)).map((c) => [c.id, `#${c.name}`]),
  app.channelId || '');
  const maxUses = select('Max uses', MAX_USES.map((n) => [n, n === 0 ? 'No limit' : String(n)]), 0);
  const load = async () => {
    fill(error);
    try {
      const list = await app.api.get(`/guilds/${g.id}/invites`);
      list.sort((a, b) => a.created_at.localeCompare(b.created_at));
      fill(rows, list.map((inv) => inviteRow(app, inv, error)));
      fill(status, list.length ? '' : 'No invites yet.');
    } catch (e) {
      fill(status);
      fill(error, e.message);
    }
  };
  const create = async () => {
    fill(error);
    try {
      await app.api.post(`/channels/${channel.value}/invites`, { max_age: 604800, max_uses: Number(maxUses.value), unique: true });
      await load();
    } catch (e) {
      fill(error, e.message);
    }
  };
  const unwatch = app.watch((t, d) => {
    if ((t === 'INVITE_CREATE' || t === 'INVITE_DELETE') && d.guild_id === g.id) load();
  });
  const dlg = dialog({
    title: `Invites of ${g.name}`,
    body: [
      h('table', { class: 'grid invites', 'aria-label': 'Invites' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Code'), h('th', {}, 'Channel'), h('th', {}, 'Inviter'),
          h('th', {}, 'Uses'), h('th', {}, 'Expires'), h('th', {}))),
        rows),
      status,
      h('div', { class: 'inline-form' }, h('label', {}, 'Channel', channel), h('label', {}, 'Max uses', maxUses),
        h('button', { type: 'button', onclick: create }, 'Create invite')),
      error,
    ],
    actions: [{ label: 'Refresh', onClick: async () => { await load(); return true; } },
      { label: 'Done', kind: 'primary', submit: true, onClick: () => undefined }],
  });
  dlg.classList.add('wide');
  dlg.addEventListener('close', unwatch);
  load();
}

function inviteRow(app, inv, error) {
  const revoke = h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke ${inv.code}` }, 'Revoke');
  const row = h('tr', { dataset: { code: inv.code } },
    h('td', {}, h('code', {}, inv.code)),
    h('td', {}, `#${inv.channel?.name || '?'}`),
    h('td', {}, inv.inviter?.username || '–'),
    h('td', { class: 'uses' }, inv.max_uses ? `${inv.uses} / ${inv.max_uses}` : String(inv.uses)),
    h('td', {}, inv.expires_at ? fmtTime(inv.expires_at) : 'Never'),
    h('td', {}, revoke));
  revoke.addEventListener('click', async () => {
    fill(error);
    revoke.disabled = true;
    try {
      await app.api.delete(`/invites/${encodeURIComponent(inv.code)}`);
      row.remove();
    } catch (e) {
      revoke.disabled = false;
      fill(error, e.message);
    }
  });
  return row;
}

// ---------------------------------------------------------------- guild settings

/** Name and description (MANAGE_GUILD), the bans with unban, and deletion for the owner. */
export function guildSettings(app, g) {
  const name = h('input', { type: 'text', name: 'name', value: g.name, maxlength: 100, autocomplete: 'off' });
  const description = h('input', { type: 'text', name: 'description', value: g.description || '', maxlength: 120, autocomplete: 'off' });
  const bans = h('ul', { class: 'bans', 'aria-label': 'Bans' });
  const banError = inlineError();
  const owner = g.owner_id === app.me.id;
  const loadBans = async () => {
    try {
      const list = await app.api.get(`/guilds/${g.id}/bans`);
      fill(bans, list.length ? list.map((b) => banRow(app, g, b, banError))
        : h('li', { class: 'note' }, 'Nobody is banned.'));
    } catch (e) {
      fill(bans);
      fill(banError, e.message);
    }
  };
  const dlg = dialog({
    title: `${g.name} settings`,
    body: [
      h('label', {}, 'Guild name', name),
      h('label', {}, 'Description', description),
      h('h3', { class: 'section' }, 'Bans'), bans, banError,
      owner ? h('div', { class: 'danger-zone' },
        h('p', { class: 'note' }, 'Deleting the guild removes its channels and messages for everyone.'),
        h('button', { type: 'button', class: 'danger', onclick: () => deleteGuild(app, g, dlg) }, 'Delete guild')) : null,
    ],
    actions: [
      { label: 'Cancel' },
      { label: 'Save', kind: 'primary', submit: true, onClick: async () => {
        const body = {};
        if (name.value.trim() !== g.name) body.name = name.value.trim();
        if (description.value.trim() !== (g.description || '')) body.description = description.value.trim() || null;
        if (Object.keys(body).length) app.onGuildUpdate(await app.api.patch(`/guilds/${g.id}`, body));
      } },
    ],
  });
  loadBans();
}

function banRow(app, g, b, error) {
  const unban = h('button', { type: 'button', class: 'small', 'aria-label': `Unban ${b.user.username}` }, 'Unban');
  const row = h('li', {}, h('span', { class: 'ban-name' }, b.user.username),
    b.reason ? h('span', { class: 'note' }, b.reason) : null, unban);
  unban.addEventListener('click', async () => {
    fill(error);
    try {
      await app.api.delete(`/guilds/${g.id}/bans/${b.user.id}`);
      row.remove();
    } catch (e) {
      fill(error, e.message);
    }
  });
  return row;
}

function deleteGuild(app, g, settings) {
  dialog({
    title: `Delete ${g.name}`,
    body: [h('p', {}, `Are you sure you want to delete ${g.name}? This cannot be undone.`)],
    actions: [
      { label: 'Cancel' },
      { label: 'Delete guild', kind: 'danger', submit: true, onClick: async () => {
        await app.api.delete(`/guilds/${g.id}`);
        settings.close();
        settings.remove();
        app.onGuildDelete({ id: g.id });
      } },
    ],
  });
}

// ---------------------------------------------------------------- channel permissions

/** @returns the overwrite of target id in channel c, as BigInts. */
function overwriteOf(c, id) {
  const ow = (c.permission_overwrites || []).find((o) => o.id === id);
  return ow ? { type: ow.type, allow: BigInt(ow.allow), deny: BigInt(ow.deny) } : null;
}

/** A channel's permission overwrites for @everyone, roles and members: allow / inherit / deny per permission. */
export function channelPermissions(app, g, c) {
  const roles = [...(g.roles?.values() || [])].sort((a, b) => (b.position - a.position) || cmpId(a.id, b.id));
  const targets = [
    ...roles.map((r) => ({ id: r.id, type: 0, label: r.id === g.id ? '@everyone' : `@${r.name}` })),
    ...[...g.members.values()].map((m) => ({ id: m.user.id, type: 1, label: memberName(m) })),
  ];
  const target = select('Role or member', targets.map((t) => [t.id, t.label]), g.id);
  const grid = h('tbody');
  const states = new Map();
  const current = () => g.channels.get(c.id) || c; // CHANNEL_UPDATE replaces the channel while the dialog is open
  const render = () => {
    const ow = overwriteOf(current(), target.value);
    fill(grid, CHANNEL_PERMISSIONS.map((p) => {
      const mask = 1n << p.bit;
      const value = ow && (ow.allow & mask) ? 'allow' : ow && (ow.deny & mask) ? 'deny' : 'inherit';
      const sel = select(`${p.name}`, [['allow', 'Allow'], ['inherit', 'Inherit'], ['deny', 'Deny']], value);
      sel.dataset.state = value;
      sel.addEventListener('change', () => { sel.dataset.state = sel.value; });
      states.set(p.bit, sel);
      return h('tr', {}, h('td', {}, p.name), h('td', {}, sel));
    }));
  };
  target.addEventListener('change', render);
  render();
  const dlg = dialog({
    title: `Permissions of #${c.name}`,
    body: [
      h('p', { class: 'note' }, 'An overwrite allows or denies a permission in this channel; Inherit keeps the guild-wide one.'),
      h('label', {}, 'Role or member', target),
      h('table', { class: 'grid perms', 'aria-label': 'Channel permissions' }, grid),
    ],
    actions: [
      { label: 'Cancel' },
      { label: 'Save', kind: 'primary', submit: true, onClick: async () => {
        const t = targets.find((x) => x.id === target.value);
        const old = overwriteOf(current(), t.id) || { allow: 0n, deny: 0n };
        let allow = old.allow;
        let deny = old.deny;
        for (const p of CHANNEL_PERMISSIONS) {
          const mask = 1n << p.bit;
          const v = states.get(p.bit).value;
          allow = v === 'allow' ? allow | mask : allow & ~mask;
          deny = v === 'deny' ? deny | mask : deny & ~mask;
        }
        if (allow === 0n && deny === 0n) {
          if (overwriteOf(current(), t.id)) await app.api.delete(`/channels/${c.id}/permissions/${t.id}`);
        } else {
          await app.api.put(`/channels/${c.id}/permissions/${t.id}`, { type: t.type, allow: String(allow), deny: String(deny) });
        }
        toast(`Saved the permissions of ${t.label} in #${c.name}`, 'info');
      } },
    ],
  });
  dlg.classList.add('wide');
}
