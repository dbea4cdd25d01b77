// Bots in the web client, spoken as Discord's own client speaks them:
//   the "/" command picker  GET /guilds/G/application-command-index, POST /interactions (type 2; 4 for autocomplete)
//   message components      buttons, selects (POST /interactions type 3), modals (INTERACTION_MODAL_CREATE → type 5)
//   interaction signals     INTERACTION_FAILURE ("did not respond"), APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE
//   pages                   /oauth2/authorize (add a bot to a guild), /developers/applications (your applications)
import { h, fill, nonce } from './dom.js';
import { toast, showError, dialog } from './ui.js';

const EPHEMERAL = 64;
const OPTION = { SUB: 1, GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7, ROLE: 8, MENTIONABLE: 9, NUMBER: 10 };

// ---------------------------------------------------------------- interactions of one ChatApp

/** Follows the interaction events of a ChatApp (failures, autocomplete answers, modals). */
class Interactions {
  constructor(app) {
    this.app = app;
    this.names = new Map();        // nonce → what was invoked (for the failure toast)
    this.autocomplete = new Map(); // nonce → resolve(choices)
    app.watch((t, d) => this.on(t, d));
  }

  on(t, d) {
    if (t === 'INTERACTION_FAILURE') {
      const what = this.names.get(d.nonce);
      this.names.delete(d.nonce);
      toast(`${what || 'The application'} did not respond.`);
    } else if (t === 'INTERACTION_SUCCESS') {
      this.names.delete(d.nonce);
    } else if (t === 'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE') {
      const done = this.autocomplete.get(d.nonce);
      this.autocomplete.delete(d.nonce);
      if (done) done(d.choices || []);
    } else if (t === 'INTERACTION_MODAL_CREATE') {
      this.showModal(d);
    }
  }

  /** POST /interactions; returns the nonce (made here unless given). */
  async send(type, guildId, channelId, applicationId, data, label, extra = {}, n = nonce()) {
    this.names.set(n, label);
    await this.app.api.post('/interactions', {
      type, application_id: applicationId, guild_id: guildId, channel_id: channelId, nonce: n,
      session_id: this.app.gateway?.sessionId || null, data, ...extra,
    });
    return n;
  }

  /** Asks the application for choices for the focused option; resolves with them (or [] after 3 s). */
  choices(guildId, channelId, command, options) {
    return new Promise((resolve) => {
      // waiting before the POST: the application's answer comes over the gateway and may arrive before the POST's reply
      const n = nonce();
      const none = () => { if (this.autocomplete.delete(n)) resolve([]); };
      this.autocomplete.set(n, resolve);
      setTimeout(none, 3000);
      this.send(4, guildId, channelId, command.application_id,
        { id: command.id, name: command.name, type: 1, options }, null, {}, n)
        .then(() => this.names.delete(n), () => { this.names.delete(n); none(); });
    });
  }

  showModal(d) {
    const inputs = [];
    const body = [];
    for (const row of d.components || []) {
      for (const c of row.components || []) {
        const input = c.style === 2
          ? h('textarea', { name: c.custom_id, rows: 3, maxlength: c.max_length || 4000, placeholder: c.placeholder || '' })
          : h('input', { name: c.custom_id, maxlength: c.max_length || 4000, placeholder: c.placeholder || '' });
        if (c.value) input.value = c.value;
        if (c.required !== false) input.required = true;
        inputs.push([c.custom_id, input]);
        body.push(h('label', {}, c.label, input));
      }
    }
    const guildId = this.app.guildId;
    const channelId = d.channel_id;
    dialog({
      title: d.title,
      body,
      actions: [
        { label: 'Cancel' },
        { label: 'Submit', kind: 'primary', submit: true, onClick: () => this.send(5, guildId, channelId, d.application.id, {
          custom_id: d.custom_id,
          components: inputs.map(([id, el]) => ({ type: 1, components: [{ type: 4, custom_id: id, value: el.value }] })),
        }, d.title) },
      ],
    });
  }
}

// ---------------------------------------------------------------- the "/" command picker

/**
 * Hooks a ChatApp's composer: typing "/" lists the guild's commands, picking one shows its options (with choices,
 * guild members, channels and roles to pick from, autocomplete as you type), Run invokes it.
 */
export function attachBots(app) {
  const ix = new Interactions(app);
  app.interactions = ix;
  const picker = h('div', { class: 'command-picker', role: 'listbox', 'aria-label': 'Commands', hidden: true });
  app.composer.before(picker);
  let index = null;          // {guildId, at, commands, apps}
  let matches = [];

  async function load(guildId) {
    if (index && index.guildId === guildId && Date.now() - index.at < 10000) return index;
    const res = await app.api.get(`/guilds/${guildId}/application-command-index`);
    index = { guildId, at: Date.now(), commands: res.application_commands.filter((c) => (c.type ?? 1) === 1),
      apps: new Map(res.applications.map((a) => [a.id, a])) };
    return index;
  }

  function close() {
    picker.hidden = true;
    fill(picker);
    matches = [];
  }

  async function onInput() {
    const text = app.input.value;
    const c = app.currentChannel();
    if (!c || !text.startsWith('/') || /\s/.test(text) || picker.dataset.mode === 'form') {
      if (picker.dataset.mode !== 'form') close();
      return;
    }
    let idx;
    try {
      idx = await load(app.guildId);
    } catch (e) {
      showError(e, 'Commands');
      return;
    }
    const prefix = text.slice(1).toLowerCase();
    matches = idx.commands.filter((cmd) => cmd.name.startsWith(prefix));
    picker.hidden = false;
    picker.dataset.mode = 'list';
    fill(picker, matches.length ? matches.map((cmd) => h('button', {
      type: 'button', class: 'command-option', role: 'option', dataset: { name: cmd.name },
      onclick: () => choose(cmd),
    }, h('strong', {}, `/${cmd.name}`), ' ', h('span', { class: 'muted' }, cmd.description || ''),
    h('span', { class: 'muted app-name' }, idx.apps.get(cmd.application_id)?.name || '')))
      : h('p', { class: 'muted' }, 'No command starts so.'));
  }

  function choose(cmd) {
    picker.dataset.mode = 'form';
    app.input.value = `/${cmd.name} `;
    const g = app.guilds.get(app.guildId);
    const fields = [];
    for (const o of cmd.options || []) {
      if (o.type === OPTION.SUB || o.type === OPTION.GROUP) continue; // sub-commands: not offered by this picker
      fields.push([o, optionInput(o, g, cmd)]);
    }
    const run = h('button', { type: 'button', class: 'primary', onclick: () => invoke(cmd, fields) }, 'Run');
    const cancel = h('button', { type: 'button', onclick: () => { picker.dataset.mode = ''; app.input.value = ''; close(); } }, 'Cancel');
    picker.hidden = false;
    fill(picker, h('div', { class: 'command-form', dataset: { command: cmd.name } },
      h('div', {}, h('strong', {}, `/${cmd.name}`), ' ', h('span', { class: 'muted' }, cmd.description || '')),
      fields.map(([o, input]) => h('label', { class: 'command-field' },
        `${o.name}${o.required ? ' *' : ''}`, input, o.description ? h('span', { class: 'muted' }, o.description) : null)),
      h('div', { class: 'row' }, cancel, run)));
    (fields[0]?.[1] || run).focus();
  }

  function optionInput(o, g, cmd) {
    const named = { name: o.name, 'aria-label': o.name };
    if (o.choices?.length) {
      return h('select', named, h('option', { value: '' }, '—'), o.choices.map((c) => h('option', { value: String(c.value) }, c.name)));
    }
    switch (o.type) {
      case OPTION.BOOLEAN:
        return h('select', named, h('option', { value: '' }, '—'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
      case OPTION.USER:
      case OPTION.MENTIONABLE:
        return h('select', named, h('option', { value: '' }, '—'),
          [...(g?.members.values() || [])].map((m) => h('option', { value: m.user.id }, m.nick || m.user.username)));
      case OPTION.ROLE:
        return h('select', named, h('option', { value: '' }, '—'),
          [...(g?.roles?.values() || [])].map((r) => h('option', { value: r.id }, r.name)));
      case OPTION.CHANNEL:
        return h('select', named, h('option', { value: '' }, '—'),
          [...(g?.channels.values() || [])].map((c) => h('option', { value: c.id }, `#${c.name}`)));
      case OPTION.INTEGER:
      case OPTION.NUMBER:
        return h('input', { ...named, type: 'number', step: o.type === OPTION.INTEGER ? 1 : 'any', min: o.min_value, max: o.max_value });
      default: {
        const input = h('input', { ...named, maxlength: o.max_length || 6000 });
        if (o.autocomplete) {
          const list = h('datalist', { id: `ac-${cmd.id}-${o.name}` });
          input.setAttribute('list', list.id);
          let timer = null;
          input.addEventListener('input', () => {
            clearTimeout(timer);
            timer = setTimeout(async () => {
              const choices = await ix.choices(app.guildId, app.channelId, cmd,
                [{ name: o.name, type: o.type, value: input.value, focused: true }]);
              fill(list, choices.map((c) => h('option', { value: String(c.value) }, c.name)));
            }, 250);
          });
          return h('span', { class: 'autocomplete' }, input, list);
        }
        return input;
      }
    }
  }

  async function invoke(cmd, fields) {
    const options = [];
    for (const [o, el] of fields) {
      const input = el.matches('input, select') ? el : el.querySelector('input');
      const raw = input.value;
      if (raw === '') continue;
      let value = raw;
      if (o.type === OPTION.INTEGER) value = parseInt(raw, 10);
      else if (o.type === OPTION.NUMBER) value = Number(raw);
      else if (o.type === OPTION.BOOLEAN) value = raw === 'true';
      else if (o.choices?.length && typeof o.choices[0].value === 'number') value = Number(raw);
      options.push({ name: o.name, type: o.type, value });
    }
    try {
      await ix.send(2, app.guildId, app.channelId, cmd.application_id, { id: cmd.id, name: cmd.name, type: 1, options },
        `/${cmd.name}`);
      picker.dataset.mode = '';
      app.input.value = '';
      close();
    } catch (e) {
      showError(e, `/${cmd.name}`);
    }
  }

  app.input.addEventListener('input', onInput);
  app.input.addEventListener('keydown', (ev) => {
    if (picker.hidden) return;
    if (ev.key === 'Escape') { ev.preventDefault(); picker.dataset.mode = ''; close(); return; }
    if (ev.key === 'Enter' && !ev.shiftKey && app.input.value.startsWith('/')) {
      // a command is never sent as text: Enter picks the first match
      ev.preventDefault();
      ev.stopImmediatePropagation();
      if (picker.dataset.mode === 'list' && matches.length) choose(matches[0]);
    }
  }, { capture: true });
}

// ---------------------------------------------------------------- components of one message

/** The buttons and selects of a message (and who invoked it, and "only you can see this"), or null. */
export function componentsEl(app, m) {
  const meta = m.interaction_metadata;
  if (!m.components?.length && !(m.flags & EPHEMERAL) && !meta) return null;
  const wrap = h('div', { class: 'components' });
  if (meta?.name) wrap.append(h('div', { class: 'interaction-note muted' }, `${meta.user?.username || 'Someone'} used /${meta.name}`));
  const guildId = m.guild_id || app.guildId;
  const appId = m.application_id || m.author?.id;
  const click = (c, values) => app.interactions.send(3, guildId, m.channel_id, appId,
    values ? { custom_id: c.custom_id, component_type: c.type, values } : { custom_id: c.custom_id, component_type: c.type },
    c.label || c.placeholder || 'The application', { message_id: m.id, message_flags: m.flags || 0 })
    .catch((e) => showError(e, 'Interaction'));
  for (const row of m.components || []) {
    const rowEl = h('div', { class: 'component-row' });
    for (const c of row.components || []) {
      if (c.type === 2 && c.style === 5) {
        rowEl.append(h('a', { class: 'component-button link', href: c.url, target: '_blank', rel: 'noopener noreferrer' },
          c.emoji?.name || null, c.label || ''));
      } else if (c.type === 2) {
        rowEl.append(h('button', { type: 'button', class: `component-button style-${c.style}`, disabled: !!c.disabled || !m.id,
          dataset: { customId: c.custom_id }, onclick: () => click(c) }, c.emoji?.name ? `${c.emoji.name} ` : null, c.label || ''));
      } else if (c.type === 3) {
        const select = h('select', { class: 'component-select', disabled: !!c.disabled, 'aria-label': c.placeholder || c.custom_id,
          dataset: { customId: c.custom_id } },
        h('option', { value: '' }, c.placeholder || 'Make a selection'),
        (c.options || []).map((o) => h('option', { value: o.value }, o.label)));
        select.addEventListener('change', () => { if (select.value) click(c, [select.value]); });
        rowEl.append(select);
      } else if (c.type >= 5 && c.type <= 8) {
        const g = app.guilds.get(guildId);
        const entries = c.type === 6 ? [...(g?.roles?.values() || [])].map((r) => [r.id, r.name])
          : c.type === 8 ? [...(g?.channels.values() || [])].map((ch) => [ch.id, `#${ch.name}`])
            : [...(g?.members.values() || [])].map((mm) => [mm.user.id, mm.nick || mm.user.username]);
        const select = h('select', { class: 'component-select', disabled: !!c.disabled, 'aria-label': c.placeholder || c.custom_id },
          h('option', { value: '' }, c.placeholder || 'Make a selection'), entries.map(([id, name]) => h('option', { value: id }, name)));
        select.addEventListener('change', () => { if (select.value) click(c, [select.value]); });
        rowEl.append(select);
      }
    }
    wrap.append(rowEl);
  }
  if (m.flags & EPHEMERAL) wrap.append(h('div', { class: 'ephemeral-note muted' }, 'Only you can see this'));
  if (m.flags & 128) wrap.append(h('div', { class: 'muted loading-note' }, `${m.author?.username || 'The application'} is thinking…`));
  return wrap;
}

// ---------------------------------------------------------------- pages

/** /oauth2/authorize?client_id=…&scope=…&permissions=…: add the application's bot to one of your guilds. */
export async function showAuthorize(root, api) {
  root.className = 'auth-page';
  const query = location.search;
  let info;
  try {
    info = await api.get(`/oauth2/authorize${query}`);
  } catch (e) {
    fill(root, h('div', { class: 'auth-card' }, h('h1', {}, 'Authorize'), h('p', { class: 'form-error' }, e.message),
      h('a', { href: '/' }, 'Back to Pinwheel')));
    return;
  }
  const guild = h('select', { name: 'guild' },
    info.guilds.map((g) => h('option', { value: g.id, disabled: g.bot_member }, `${g.name}${g.bot_member ? ' (already added)' : ''}`)));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const done = h('p', { class: 'oauth-done', role: 'status' });
  const scopes = (info.scopes || '').split(/[ +]/).filter(Boolean);
  const authorize = h('button', { type: 'submit', class: 'primary' }, 'Authorize');
  const form = h('form', { class: 'auth-card oauth-card', novalidate: true, 'aria-label': 'Authorize an application' },
    h('h1', {}, info.application.name),
    h('p', { class: 'sub' }, `${info.bot.username} wants to join a guild of yours.`),
    h('p', {}, 'Scopes: ', scopes.join(', ') || 'none'),
    h('p', {}, 'Permissions: ', info.permissions),
    h('label', {}, 'Add to guild', guild),
    error, done,
    h('div', { class: 'row' }, h('a', { href: '/', class: 'button' }, 'Cancel'), authorize));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(error);
    authorize.disabled = true;
    try {
      await api.request('POST', '/oauth2/authorize', { guild_id: guild.value, permissions: info.permissions, authorize: true },
        Object.fromEntries(new URLSearchParams(query)));
      const name = guild.selectedOptions[0]?.textContent || 'the guild';
      fill(done, `Authorized: ${info.bot.username} was added to ${name}. `, h('a', { href: '/' }, 'Open Pinwheel'));
    } catch (e) {
      fill(error, e.message);
    } finally {
      authorize.disabled = false;
    }
  });
  if (!info.guilds.length) fill(error, 'You are in no guild to add it to.');
  fill(root, form);
}

/** /developers/applications: your applications, a new one, token resets and an invite link for each. */
export async function showApplications(root, api) {
  root.className = 'auth-page';
  const list = h('ul', { class: 'app-list', 'aria-label': 'Your applications' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const name = h('input', { name: 'name', 'aria-label': 'Application name', placeholder: 'Name', maxlength: 32 });
  const description = h('input', { name: 'description', 'aria-label': 'Description', placeholder: 'Description', maxlength: 400 });
  const secret = (token) => h('p', { class: 'token-once' }, 'Bot token (shown once): ', h('code', { class: 'token' }, token));
  const item = (a, token) => {
    const out = h('div', { class: 'token-slot' }, token ? secret(token) : null);
    const invite = `/oauth2/authorize?client_id=${a.id}&scope=bot%20applications.commands&permissions=3072`;
    return h('li', { class: 'app-item', dataset: { id: a.id } },
      h('strong', {}, a.name), ' ', h('span', { class: 'muted' }, a.description || ''),
      h('div', { class: 'row' },
        h('a', { href: invite, class: 'button' }, 'Add to a guild'),
        h('button', { type: 'button', onclick: async () => {
          try {
            fill(out, secret((await api.post(`/applications/${a.id}/bot/reset`)).token));
          } catch (e) {
            showError(e, 'Reset token');
          }
        } }, 'Reset token')),
      out);
  };
  const create = h('form', { class: 'row', novalidate: true, 'aria-label': 'New application' }, name, description,
    h('button', { type: 'submit', class: 'primary' }, 'Create application'));
  create.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(error);
    try {
      const a = await api.post('/applications', { name: name.value.trim(), description: description.value.trim() });
      list.append(item(a, a.bot?.token));
      name.value = '';
      description.value = '';
    } catch (e) {
      fill(error, e.message);
    }
  });
  fill(root, h('div', { class: 'auth-card apps-card' }, h('h1', {}, 'Applications'), create, error, list,
    h('a', { href: '/' }, 'Back to Pinwheel')));
  try {
    for (const a of await api.get('/applications')) list.append(item(a));
  } catch (e) {
    fill(error, e.message);
  }
}
