// The chat screen: guild rail, channels, messages with scroll-back, composer, typing, members.
// State comes from the gateway (READY, GUILD_CREATE/UPDATE/DELETE, GUILD_MEMBER_ADD/UPDATE/REMOVE, GUILD_ROLE_*,
// CHANNEL_CREATE/UPDATE/DELETE, MESSAGE_*, TYPING_START) and from REST answers; moderation dialogs live in
// moderation.js; the DOM is updated in place so an open editor survives new events.
import { h, fill, cmpId, nonce, initials, hue, fmtTime } from './dom.js';
import { GatewayClient, Intents } from './gateway.js';
import { toast, showError, dialog, prompt } from './ui.js';
import { memberMenu, inviteList, guildSettings, channelPermissions, memberName, timedOut } from './moderation.js';
import { statusPicker, presenceDot, savedStatus, applyListUpdate, listRows, subscribeList } from './presence.js';
import { ReadStates } from './unread.js';
import { attachBots, componentsEl } from './bots.js';
import { attachFiles, attachmentsEl, channelWebhooks } from './files.js';

const INTENTS = Intents.GUILDS | Intents.GUILD_MEMBERS | Intents.GUILD_MODERATION | Intents.GUILD_INVITES
  | Intents.GUILD_MESSAGES | Intents.GUILD_MESSAGE_TYPING | Intents.MESSAGE_CONTENT | Intents.GUILD_PRESENCES;
const PAGE = 50;
const TYPING_MS = 10000;
const TYPING_RESEND_MS = 8000;
const TEXT = 0;
const LAST_KEY = 'pinwheel.last-channel';

export class ChatApp {
  constructor({ root, api, me, token, onLogout, takeInvite }) {
    this.root = root;
    this.api = api;
    this.me = me;
    this.token = token;
    this.onLogout = onLogout;
    this.takeInvite = takeInvite;
    this.guilds = new Map();      // id → {id, name, owner_id, channels: Map, members: Map, member_count, available}
    this.channels = new Map();    // channel id → {messages: Map id→msg, loaded, hasMore, loading}
    this.typing = new Map();      // channel id → Map user id → {name, until}
    this.guildId = null;
    this.channelId = null;
    this.wantGuild = null;        // a guild to open once its GUILD_CREATE arrives (after create/join)
    this.lastTypingSent = 0;
    this.readyCount = 0;
    this.gateway = null;
    this.watchers = new Set();    // (t, d) => void: open dialogs that follow events (invites, overwrites)
    this.reads = new ReadStates(api); // unread markers and mention badges (the server's read states)
    this.build();
  }

  // ---------------------------------------------------------------- lifecycle

  async start() {
    let url;
    try {
      url = (await this.api.get('/gateway')).url;
    } catch (e) {
      showError(e, 'Could not find the gateway');
      url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    }
    this.gateway = new GatewayClient(url, this.token, INTENTS);
    this.gateway.presence = () => ({ since: null, activities: [], status: savedStatus(), afk: false });
    this.gateway.addEventListener('dispatch', (ev) => this.onDispatch(ev.detail.t, ev.detail.d));
    this.gateway.addEventListener('status', (ev) => this.showStatus(ev.detail.state, ev.detail.info));
    this.gateway.addEventListener('fatal', (ev) => {
      const { code, reason } = ev.detail;
      if (code === 4004) this.onLogout('The server did not accept your token (4004): log in again.');
      else toast(`Gateway closed the connection: ${code} ${reason}`);
    });
    this.gateway.start();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.channelId) this.markRead(this.channelId);
    });
    const invite = this.takeInvite();
    if (invite) this.offerInvite(invite);
  }

  stop() {
    if (this.gateway) this.gateway.stop();
    clearInterval(this.typingTimer);
  }

  // ---------------------------------------------------------------- layout

  build() {
    this.rail = h('nav', { class: 'rail', 'aria-label': 'Guilds' });
    this.guildTitle = h('h2', { class: 'guild-title' }, 'Pinwheel');
    this.guildActions = h('div', { class: 'guild-actions' });
    this.channelList = h('ul', { class: 'channel-list', 'aria-label': 'Channels' });
    this.statusEl = h('span', { class: 'status', 'data-state': 'connecting' }, 'Connecting…');
    const me = h('div', { class: 'me' },
      this.avatar(this.me.id, this.me.username),
      h('div', { class: 'me-text' }, h('strong', { class: 'me-name' }, this.me.username), this.statusEl),
      statusPicker(this),
      h('button', { class: 'ghost small', onclick: () => this.onLogout() }, 'Log out'));
    const sidebar = h('aside', { class: 'sidebar' },
      h('header', {}, this.guildTitle, this.guildActions), this.channelList, me);

    this.chatTitle = h('h3', { class: 'chat-title' });
    this.historyEl = h('div', { class: 'history-status' });
    this.messagesEl = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite' },
      this.historyEl);
    this.messagesEl.addEventListener('scroll', () => this.onScroll());
    this.typingEl = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', { rows: 1, 'aria-label': 'Message', placeholder: 'Message', maxlength: 2000 });
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.sendFromComposer();
      }
    });
    this.input.addEventListener('input', () => this.onComposerInput());
    this.composer = h('form', { class: 'composer', novalidate: true },
      this.input, h('button', { type: 'submit', class: 'primary', 'aria-label': 'Send' }, 'Send'));
    this.composer.addEventListener('submit', (ev) => { ev.preventDefault(); this.sendFromComposer(); });
    this.emptyEl = h('div', { class: 'empty' });
    this.chat = h('main', { class: 'chat' },
      h('header', {}, this.chatTitle), this.messagesEl, this.typingEl, this.composer);

    this.membersTitle = h('h3', {}, 'Members');
    this.memberList = h('ul', { class: 'member-list' });
    this.membersEl = h('aside', { class: 'members', 'aria-label': 'Members' }, this.membersTitle, this.memberList);

    attachFiles(this);
    this.layout = h('div', { class: 'layout' }, this.rail, sidebar, this.chat, this.emptyEl, this.membersEl);
    fill(this.root, this.layout);
    this.timeoutEnds = Infinity;  // the earliest end of a timeout shown in the member list: re-render then
    this.typingTimer = setInterval(() => {
      this.renderTyping();
      if (Date.now() >= this.timeoutEnds) this.renderMembers();
    }, 1000);
    attachBots(this);
    this.renderAll();
  }

  avatar(id, name, cls = 'avatar') {
    const el = h('div', { class: cls, 'aria-hidden': 'true' }, initials(name || '?'));
    el.style.backgroundColor = `hsl(${hue(id)} 55% 45%)`;
    return el;
  }

  showStatus(state, info) {
    const text = { connected: 'Online', connecting: 'Connecting…', resuming: 'Resuming…', reconnecting: 'Reconnecting…', closed: 'Offline' }[state] || state;
    this.statusEl.dataset.state = state;
    fill(this.statusEl, text);
    this.statusEl.title = info || '';
  }

  renderAll() {
    this.renderRail();
    this.renderSidebar();
    this.renderChatHeader();
    this.renderMembers();
    const hasGuild = this.guildId !== null;
    this.layout.classList.toggle('no-guild', !hasGuild);
    if (!hasGuild) this.renderEmpty();
  }

  renderEmpty() {
    const loading = this.readyCount === 0;
    fill(this.emptyEl, h('div', { class: 'empty-card' },
      h('img', { src: '/assets/icon.svg', alt: '', width: 64, height: 64 }),
      h('h2', {}, loading ? 'Connecting…' : `Welcome, ${this.me.username}`),
      loading ? null : h('p', {}, 'Create a guild for your friends, or join one with an invite link.'),
      loading ? null : h('div', { class: 'row' },
        h('button', { class: 'primary', onclick: () => this.createGuild() }, 'Create a guild'),
        h('button', { onclick: () => this.joinByPrompt() }, 'Join with an invite'))));
  }

  renderRail() {
    const items = [...this.guilds.values()].sort((a, b) => cmpId(a.id, b.id)).map((g) => {
      const b = h('button', {
        class: `guild-pill${g.id === this.guildId ? ' active' : ''}`,
        'aria-label': g.name, title: g.name, 'aria-current': g.id === this.guildId ? 'page' : false,
        onclick: () => this.openGuild(g.id),
      }, initials(g.name));
      b.style.backgroundColor = g.id === this.guildId ? '' : `hsl(${hue(g.id)} 35% 32%)`;
      return b;
    });
    fill(this.rail,
      h('a', { class: 'home', href: '#/', 'aria-label': 'Pinwheel', title: 'Pinwheel' }, h('img', { src: '/assets/icon.svg', alt: '' })),
      h('div', { class: 'rail-sep' }),
      items,
      h('button', { class: 'guild-pill add', 'aria-label': 'Create a guild', title: 'Create a guild', onclick: () => this.createGuild() }, '+'),
      h('button', { class: 'guild-pill add', 'aria-label': 'Join a guild', title: 'Join with an invite', onclick: () => this.joinByPrompt() }, '⇥'));
  }

  renderSidebar() {
    const g = this.guilds.get(this.guildId);
    fill(this.guildTitle, g ? g.name : 'Pinwheel');
    fill(this.guildActions, g ? [
      h('button', { class: 'ghost small', onclick: () => this.invite(), 'aria-label': 'Invite people' }, 'Invite'),
      h('button', { class: 'ghost small', onclick: () => this.createChannel(), 'aria-label': 'Create a channel', title: 'Create a channel' }, '+ Channel'),
      h('button', { class: 'ghost small', onclick: () => inviteList(this, g), 'aria-label': 'Invites', title: 'Invites and their uses' }, 'Invites'),
      h('button', { class: 'ghost small', onclick: () => guildSettings(this, g), 'aria-label': 'Guild settings', title: 'Guild settings' }, 'Settings'),
    ] : []);
    if (!g) {
      fill(this.channelList);
      return;
    }
    const chans = [...g.channels.values()].filter((c) => c.type === TEXT)
      .sort((a, b) => (a.position - b.position) || cmpId(a.id, b.id));
    fill(this.channelList, chans.map((c) => h('li', { class: 'channel-item' },
      h('a', {
        href: `#/channels/${g.id}/${c.id}`,
        class: `channel${c.id === this.channelId ? ' active' : ''}${this.reads.unread(c.id) ? ' unread' : ''}`,
        'aria-current': c.id === this.channelId ? 'page' : false,
      }, h('span', { class: 'hash', 'aria-hidden': 'true' }, '#'), c.name,
      this.reads.mentions(c.id) ? h('span', { class: 'mention-badge', 'aria-label': `${this.reads.mentions(c.id)} mentions` },
        String(this.reads.mentions(c.id))) : null),
      h('button', {
        class: 'icon channel-perms', 'aria-label': `Permissions of #${c.name}`, title: 'Channel permissions',
        onclick: () => channelPermissions(this, g, c),
      }, '⚙'),
      h('button', {
        class: 'icon channel-hooks', 'aria-label': `Webhooks of #${c.name}`, title: 'Webhooks',
        onclick: () => channelWebhooks(this, c),
      }, '⚓'))));
  }

  renderChatHeader() {
    const c = this.currentChannel();
    fill(this.chatTitle, c ? [h('span', { class: 'hash', 'aria-hidden': 'true' }, '#'), c.name] : '');
    if (c?.topic) this.chatTitle.append(h('span', { class: 'topic' }, c.topic));
    this.input.placeholder = c ? `Message #${c.name}` : 'Message';
    this.input.setAttribute('aria-label', c ? `Message #${c.name}` : 'Message');
    this.input.disabled = !c;
  }

  renderMembers() {
    const g = this.guilds.get(this.guildId);
    if (!g) {
      this.timeoutEnds = Infinity;
      fill(this.memberList);
      fill(this.membersTitle, 'Members');
      return;
    }
    // the server's member list (op 14) when there is one, grouped online/offline; else every known member by name
    const rows = g.list && g.list.channelId === this.channelId ? listRows(g)
      : [...g.members.values()].sort((a, b) => memberName(a).localeCompare(memberName(b))).map((member) => ({ member }));
    const members = rows.filter((r) => r.member).map((r) => r.member);
    this.timeoutEnds = Math.min(Infinity, ...members.filter(timedOut).map((m) => Date.parse(m.communication_disabled_until)));
    fill(this.membersTitle, `Members — ${Math.max(g.list?.memberCount || g.member_count || 0, members.length)}`);
    fill(this.memberList, rows.map((r) => {
      if (r.group) return h('li', { class: 'member-group', dataset: { group: r.group } }, r.label);
      const m = r.member;
      const status = g.presences.get(m.user.id);
      const li = h('li', { class: 'member', dataset: { user: m.user.id, status: status || 'offline' } },
        h('span', { class: 'avatar-wrap' }, this.avatar(m.user.id, memberName(m), 'avatar small'), presenceDot(status)),
        h('span', { class: 'member-name' }, memberName(m)),
        m.user.id === g.owner_id ? h('span', { class: 'badge', title: 'Guild owner' }, 'owner') : null,
        m.user.bot ? h('span', { class: 'badge bot' }, 'bot') : null,
        timedOut(m) ? h('span', { class: 'badge muted-badge', title: `Timed out until ${new Date(m.communication_disabled_until).toLocaleString()}` }, 'timed out') : null,
        h('button', {
          class: 'icon member-more', 'aria-label': `Manage ${memberName(m)}`, title: 'Kick, ban, time out, roles',
          onclick: (ev) => { ev.stopPropagation(); const r = ev.currentTarget.getBoundingClientRect(); memberMenu(this, g, m, r.left, r.bottom); },
        }, '⋯'));
      li.addEventListener('contextmenu', (ev) => { ev.preventDefault(); memberMenu(this, g, m, ev.clientX, ev.clientY); });
      return li;
    }));
  }

  // ---------------------------------------------------------------- navigation

  currentChannel() {
    return this.guilds.get(this.guildId)?.channels.get(this.channelId) || null;
  }

  openGuild(guildId, channelId) {
    const g = this.guilds.get(guildId);
    if (!g) return;
    let chan = channelId && g.channels.get(channelId);
    if (!chan) {
      const last = localStorage.getItem(`${LAST_KEY}.${guildId}`);
      chan = (last && g.channels.get(last)) || [...g.channels.values()].filter((c) => c.type === TEXT)
        .sort((a, b) => (a.position - b.position) || cmpId(a.id, b.id))[0];
    }
    this.guildId = guildId;
    this.channelId = chan ? chan.id : null;
    if (chan) {
      localStorage.setItem(`${LAST_KEY}.${guildId}`, chan.id);
      localStorage.setItem(LAST_KEY, `${guildId}/${chan.id}`);
    }
    const hash = chan ? `#/channels/${guildId}/${chan.id}` : `#/channels/${guildId}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    this.renderAll();
    this.renderMessages();
    this.ensureMembers(g);
    if (chan && this.gateway) {
      subscribeList(this.gateway, guildId, chan.id);
      g.listWanted = chan.id;
    }
    if (chan) {
      this.markRead(chan.id);
      const st = this.chan(chan.id);
      if (!st.loaded && !st.loading) this.loadHistory(chan.id, false);
      if (!matchMedia('(pointer: coarse)').matches) this.input.focus();
    }
  }

  /** Opens what the address names (#/channels/G/C), if it is known. */
  followHash() {
    const m = location.hash.match(/^#\/channels\/(\d+)(?:\/(\d+))?/);
    if (m && this.guilds.has(m[1])) {
      if (m[1] !== this.guildId || (m[2] && m[2] !== this.channelId)) this.openGuild(m[1], m[2]);
      return true;
    }
    return false;
  }

  /** After READY or a new guild: pick the guild to show if none is shown yet. */
  pickGuild() {
    if (this.wantGuild && this.guilds.get(this.wantGuild)?.available) {
      const id = this.wantGuild;
      this.wantGuild = null;
      this.openGuild(id);
      return;
    }
    if (this.guildId && this.guilds.has(this.guildId)) return;
    if (this.followHash()) return;
    const last = (localStorage.getItem(LAST_KEY) || '').split('/');
    const g = this.guilds.get(last[0]);
    if (g?.available) {
      this.openGuild(g.id, last[1]);
      return;
    }
    const first = [...this.guilds.values()].filter((x) => x.available).sort((a, b) => cmpId(a.id, b.id))[0];
    if (first) this.openGuild(first.id);
    else this.renderAll();
  }

  // ---------------------------------------------------------------- gateway events

  /** Lets a dialog follow events while it is open; returns the function that stops it. */
  watch(fn) {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  onDispatch(t, d) {
    this.handle(t, d);
    for (const fn of this.watchers) fn(t, d);
  }

  handle(t, d) {
    switch (t) {
      case 'READY': return this.onReady(d);
      case 'RESUMED': return undefined;
      case 'GUILD_CREATE': return this.onGuildCreate(d);
      case 'GUILD_UPDATE': return this.onGuildUpdate(d);
      case 'GUILD_DELETE': return this.onGuildDelete(d);
      case 'GUILD_MEMBER_ADD': return this.onMemberAdd(d);
      case 'GUILD_MEMBER_UPDATE': return this.onMemberUpdate(d, d.guild_id);
      case 'GUILD_MEMBER_REMOVE': return this.onMemberRemove(d);
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': return this.onRole(d.guild_id, d.role, false);
      case 'GUILD_ROLE_DELETE': return this.onRole(d.guild_id, { id: d.role_id }, true);
      case 'CHANNEL_CREATE': return this.onChannelCreate(d);
      case 'CHANNEL_UPDATE': return this.onChannelCreate(d);
      case 'CHANNEL_DELETE': return this.onChannelDelete(d);
      case 'MESSAGE_CREATE':
        this.onNewMessage(d);
        return this.upsertMessage(d);
      case 'MESSAGE_UPDATE': return this.updateMessage(d);
      case 'MESSAGE_DELETE': return this.removeMessage(d.channel_id, d.id);
      case 'MESSAGE_DELETE_BULK': return d.ids.forEach((id) => this.removeMessage(d.channel_id, id));
      case 'TYPING_START': return this.onTyping(d);
      case 'PRESENCE_UPDATE': return this.onPresence(d);
      case 'GUILD_MEMBER_LIST_UPDATE': return this.onMemberList(d);
      case 'MESSAGE_ACK':
        this.reads.acked(d);
        return this.renderSidebar();
      default: return undefined;
    }
  }

  onReady(d) {
    this.readyCount++;
    this.me = d.user;
    this.reads.load(d.read_state);
    if (this.readyCount > 1) {
      // A new session (the old one could not be resumed): events may have been missed, reload what is shown.
      this.channels.clear();
    }
    for (const g of d.guilds) {
      if (!this.guilds.has(g.id)) this.guilds.set(g.id, { id: g.id, name: '…', channels: new Map(), members: new Map(), presences: new Map(), available: false });
    }
    this.renderAll();
    if (this.readyCount > 1 && this.channelId) this.loadHistory(this.channelId, false, true);
  }

  onGuildCreate(d) {
    const g = this.upsertGuild(d);
    g.available = true;
    if (d.members) for (const m of d.members) g.members.set(m.user.id, m);
    for (const p of d.presences || []) g.presences.set(p.user.id, p.status);
    this.renderRail();
    if (g.id === this.guildId && this.channelId && this.gateway) subscribeList(this.gateway, g.id, this.channelId);
    if (g.id === this.guildId) {
      this.renderSidebar();
      this.renderChatHeader();
      this.renderMembers();
    }
    this.pickGuild();
  }

  upsertGuild(d) {
    let g = this.guilds.get(d.id);
    if (!g) {
      g = { id: d.id, channels: new Map(), members: new Map(), available: false };
      this.guilds.set(d.id, g);
    }
    if (!g.presences) g.presences = new Map();
    g.name = d.name;
    g.owner_id = d.owner_id;
    if ('description' in d) g.description = d.description;
    if (d.roles) g.roles = new Map(d.roles.map((r) => [r.id, r]));
    if (d.member_count !== undefined) g.member_count = d.member_count;
    g.large = !!d.large;
    for (const c of d.channels || []) {
      g.channels.set(c.id, { ...c, guild_id: d.id });
      this.reads.channel(c);
    }
    return g;
  }

  async ensureMembers(g) {
    if (!g.available || g.membersFetched || (!g.large && g.members.size >= (g.member_count || 0))) return;
    g.membersFetched = true;
    try {
      const list = await this.api.get(`/guilds/${g.id}/members`, { limit: 1000 });
      for (const m of list) g.members.set(m.user.id, m);
      if (g.id === this.guildId) this.renderMembers();
    } catch (e) {
      showError(e, 'Could not load the member list');
    }
  }

  onPresence(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g) return;
    g.presences.set(d.user.id, d.status);
    if (g.id === this.guildId) this.renderMembers();
  }

  onMemberList(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g) return;
    applyListUpdate(g, d);
    g.list.channelId = g.listWanted;
    if (g.id === this.guildId) this.renderMembers();
  }

  onMemberAdd(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g) return;
    if (!g.members.has(d.user.id)) g.member_count = (g.member_count || g.members.size) + 1;
    g.members.set(d.user.id, d);
    if (g.id === this.guildId) this.renderMembers();
  }

  onChannelCreate(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g) return;
    g.channels.set(d.id, d);
    this.reads.channel(d);
    if (g.id === this.guildId) {
      this.renderSidebar();
      if (d.id === this.channelId) this.renderChatHeader();
    }
  }

  /** CHANNEL_DELETE: deleted, or no longer visible to us (an overwrite took VIEW_CHANNEL away). */
  onChannelDelete(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g || !g.channels.delete(d.id)) return;
    this.channels.delete(d.id);
    if (g.id !== this.guildId) return;
    if (d.id === this.channelId) this.openGuild(g.id);
    else this.renderSidebar();
  }

  /** GUILD_UPDATE, or our own PATCH's answer. */
  onGuildUpdate(d) {
    const g = this.guilds.get(d.id);
    if (!g) return;
    this.upsertGuild(d);
    this.renderRail();
    if (g.id === this.guildId) this.renderSidebar();
  }

  /** GUILD_DELETE: the guild is gone, or we were kicked or banned (no "unavailable"), or it is unavailable. */
  onGuildDelete(d) {
    const g = this.guilds.get(d.id);
    if (!g) return;
    if (d.unavailable) {
      g.available = false;
      return;
    }
    this.guilds.delete(d.id);
    if (this.wantGuild === d.id) this.wantGuild = null;
    toast(`You are no longer in ${g.name}`, 'info');
    if (this.guildId === d.id) {
      this.guildId = null;
      this.channelId = null;
      history.replaceState(null, '', '#/');
      this.renderMessages();
      this.pickGuild();
    }
    this.renderAll();
  }

  /** GUILD_MEMBER_UPDATE, or a REST answer with a member (roles, timeout). */
  onMemberUpdate(d, guildId) {
    const g = this.guilds.get(guildId);
    if (!g || !d.user) return;
    const known = g.members.get(d.user.id);
    g.members.set(d.user.id, known ? { ...known, ...d } : d);
    if (g.id === this.guildId) {
      this.renderMembers();
      // a new nick may move the member in the server's list: ask for a fresh SYNC of the rows shown
      if (g.list && this.channelId && this.gateway) subscribeList(this.gateway, g.id, this.channelId);
    }
  }

  onMemberRemove(d) {
    const g = this.guilds.get(d.guild_id);
    if (!g || !g.members.delete(d.user.id)) return;
    g.member_count = Math.max(0, (g.member_count || 1) - 1);
    if (g.id === this.guildId) this.renderMembers();
  }

  onRole(guildId, role, deleted) {
    const g = this.guilds.get(guildId);
    if (!g) return;
    g.roles = g.roles || new Map();
    if (deleted) g.roles.delete(role.id); else g.roles.set(role.id, role);
  }

  // ---------------------------------------------------------------- messages

  chan(channelId) {
    let st = this.channels.get(channelId);
    if (!st) {
      st = { messages: new Map(), loaded: false, hasMore: true, loading: false };
      this.channels.set(channelId, st);
    }
    return st;
  }

  async loadHistory(channelId, older, replace = false) {
    const st = this.chan(channelId);
    if (st.loading || (older && !st.hasMore)) return;
    st.loading = true;
    this.renderHistoryStatus();
    const query = { limit: PAGE };
    if (older) {
      const ids = [...st.messages.keys()].sort(cmpId);
      if (ids.length) query.before = ids[0];
    }
    try {
      const list = await this.api.get(`/channels/${channelId}/messages`, query);
      if (replace) st.messages.clear();
      for (const m of list) if (!st.messages.has(m.id)) st.messages.set(m.id, m);
      st.hasMore = list.length === PAGE;
      st.loaded = true;
      if (channelId === this.channelId) {
        const el = this.messagesEl;
        const fromBottom = el.scrollHeight - el.scrollTop;
        this.renderMessages();
        if (older) el.scrollTop = el.scrollHeight - fromBottom;
        else el.scrollTop = el.scrollHeight;
      }
    } catch (e) {
      showError(e, 'Could not load messages');
    } finally {
      st.loading = false;
      this.renderHistoryStatus();
    }
    // Fill the view: keep paging while the list does not scroll yet.
    const el = this.messagesEl;
    if (channelId === this.channelId && st.hasMore && st.loaded && el.scrollHeight <= el.clientHeight + 40) {
      this.loadHistory(channelId, true);
    }
  }

  onScroll() {
    if (this.messagesEl.scrollTop < 120 && this.channelId) {
      const st = this.chan(this.channelId);
      if (st.loaded && st.hasMore && !st.loading) this.loadHistory(this.channelId, true);
    }
  }

  renderHistoryStatus() {
    const c = this.currentChannel();
    if (!c) {
      fill(this.historyEl);
      return;
    }
    const st = this.chan(c.id);
    if (st.loading) fill(this.historyEl, h('span', { class: 'muted' }, 'Loading messages…'));
    else if (st.loaded && !st.hasMore) {
      fill(this.historyEl, h('div', { class: 'channel-start' },
        h('div', { class: 'big-hash', 'aria-hidden': 'true' }, '#'),
        h('h2', {}, `Welcome to #${c.name}!`),
        h('p', { class: 'muted' }, `This is the start of the #${c.name} channel.`)));
    } else if (st.loaded) {
      fill(this.historyEl, h('button', { class: 'ghost small', onclick: () => this.loadHistory(c.id, true) }, 'Load older messages'));
    } else fill(this.historyEl);
  }

  /** Rebuilds the message list of the shown channel from its state. */
  renderMessages() {
    const c = this.currentChannel();
    this.messagesEl.replaceChildren(this.historyEl);
    this.renderHistoryStatus();
    this.renderTyping();
    if (!c) return;
    const st = this.chan(c.id);
    const list = [...st.messages.values()].sort((a, b) => cmpId(a.id, b.id));
    for (const m of list) this.messagesEl.append(this.messageEl(m));
    for (const p of st.pending || []) this.messagesEl.append(p);
    this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
  }

  messageEl(m) {
    const own = m.author?.id === this.me.id;
    const content = h('div', { class: 'content' }, m.content);
    const edited = m.edited_timestamp ? h('span', { class: 'edited', title: fmtTime(m.edited_timestamp) }, '(edited)') : null;
    const actions = own && m.id ? h('div', { class: 'actions' },
      h('button', { class: 'icon', 'aria-label': 'Edit message', title: 'Edit', onclick: () => this.editMessage(m.channel_id, m.id) }, 'Edit'),
      h('button', { class: 'icon danger', 'aria-label': 'Delete message', title: 'Delete', onclick: () => this.deleteMessage(m.channel_id, m.id) }, 'Delete')) : null;
    return h('article', {
      class: `message${own ? ' own' : ''}`,
      dataset: { id: m.id || '', author: m.author?.username || '', nonce: m.nonce || '' },
    },
    this.avatar(m.author?.id || '0', m.author?.username || '?'),
    h('div', { class: 'body' },
      h('header', {}, h('span', { class: 'author' }, m.author?.username || 'unknown'),
        h('time', { datetime: m.timestamp }, fmtTime(m.timestamp))),
      h('div', { class: 'text' }, content, edited ? ' ' : null, edited), componentsEl(this, m), attachmentsEl(m)),
    actions);
  }

  findMessageEl(id) {
    return this.messagesEl.querySelector(`article.message[data-id="${CSS.escape(id)}"]`);
  }

  nearBottom() {
    const el = this.messagesEl;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  }

  /** MESSAGE_CREATE: the channel's unread marker and mention badge, or an ack when it is the one shown. */
  onNewMessage(m) {
    const g = this.guilds.get(m.guild_id);
    this.reads.message(m, this.me, g?.members.get(this.me.id)?.roles || []);
    if (m.channel_id === this.channelId && document.visibilityState === 'visible') this.markRead(m.channel_id);
    else if (m.guild_id === this.guildId) this.renderSidebar();
  }

  /** Acks a channel being viewed (the server keeps it: the marker stays cleared after a reload). */
  markRead(channelId) {
    const pending = this.reads.ack(channelId);
    this.renderSidebar();
    pending.then(() => this.renderSidebar(), (e) => showError(e, 'Could not mark the channel read'));
  }

  /** MESSAGE_CREATE or a REST answer: add (or replace) one message, in id order. */
  upsertMessage(m) {
    const st = this.chan(m.channel_id);
    const known = st.messages.get(m.id);
    st.messages.set(m.id, known ? { ...known, ...m } : m);
    const typing = this.typing.get(m.channel_id);
    if (typing && m.author) typing.delete(m.author.id);
    if (m.channel_id !== this.channelId) return;
    const stick = this.nearBottom();
    if (m.nonce && st.pending) {
      const i = st.pending.findIndex((p) => p.dataset.nonce === String(m.nonce));
      if (i >= 0) {
        st.pending[i].remove();
        st.pending.splice(i, 1);
      }
    }
    const el = this.messageEl(st.messages.get(m.id));
    const old = this.findMessageEl(m.id);
    if (old) {
      if (old.querySelector('textarea')) return; // being edited: the editor keeps its text
      old.replaceWith(el);
    } else {
      let before = null;
      for (const a of this.messagesEl.querySelectorAll('article.message[data-id]:not([data-id=""])')) {
        if (cmpId(a.dataset.id, m.id) > 0) { before = a; break; }
      }
      if (before) before.before(el);
      else {
        const firstPending = this.messagesEl.querySelector('article.message.pending');
        if (firstPending) firstPending.before(el); else this.messagesEl.append(el);
      }
    }
    this.renderTyping();
    if (stick) this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
  }

  updateMessage(d) {
    const st = this.chan(d.channel_id);
    const known = st.messages.get(d.id);
    if (!known) return; // outside the loaded window
    st.messages.set(d.id, { ...known, ...d });
    if (d.channel_id !== this.channelId) return;
    const old = this.findMessageEl(d.id);
    if (old) old.replaceWith(this.messageEl(st.messages.get(d.id)));
  }

  removeMessage(channelId, id) {
    this.chan(channelId).messages.delete(id);
    if (channelId === this.channelId) this.findMessageEl(id)?.remove();
  }

  async sendFromComposer() {
    const text = this.input.value.trim();
    const c = this.currentChannel();
    if (!text || !c) return;
    this.input.value = '';
    this.lastTypingSent = 0;
    const n = nonce();
    const st = this.chan(c.id);
    st.pending = st.pending || [];
    const pending = this.messageEl({ id: null, nonce: n, channel_id: c.id, content: text, author: this.me, timestamp: new Date().toISOString() });
    pending.classList.add('pending');
    st.pending.push(pending);
    this.messagesEl.append(pending);
    this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
    try {
      const m = await this.api.post(`/channels/${c.id}/messages`, { content: text, nonce: n });
      this.upsertMessage(m);
    } catch (e) {
      pending.classList.replace('pending', 'failed');
      pending.querySelector('.body').append(h('div', { class: 'send-error', role: 'alert' }, `Not sent: ${e.message}`));
      st.pending.splice(st.pending.indexOf(pending), 1);
      showError(e, 'Message not sent');
    }
  }

  editMessage(channelId, id) {
    const m = this.chan(channelId).messages.get(id);
    const el = this.findMessageEl(id);
    if (!m || !el || el.querySelector('textarea')) return;
    const text = el.querySelector('.text');
    const area = h('textarea', { class: 'editor', 'aria-label': 'Edit message', rows: 2, maxlength: 2000 });
    area.value = m.content;
    const cancel = () => {
      const latest = this.chan(channelId).messages.get(id);
      if (latest) el.replaceWith(this.messageEl(latest));
    };
    const save = async () => {
      const content = area.value.trim();
      if (content === m.content) return cancel();
      if (!content) return this.deleteMessage(channelId, id);
      area.disabled = true;
      try {
        const updated = await this.api.patch(`/channels/${channelId}/messages/${id}`, { content });
        this.chan(channelId).messages.set(id, { ...this.chan(channelId).messages.get(id), ...updated });
        cancel();
      } catch (e) {
        area.disabled = false;
        showError(e, 'Could not edit the message');
      }
      return undefined;
    };
    area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); cancel(); }
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); save(); }
    });
    fill(text, area, h('div', { class: 'hint' }, 'escape to ', h('button', { class: 'link', onclick: cancel }, 'cancel'),
      ' • enter to ', h('button', { class: 'link', onclick: save }, 'save')));
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  deleteMessage(channelId, id) {
    const m = this.chan(channelId).messages.get(id);
    dialog({
      title: 'Delete message',
      body: [h('p', {}, 'Are you sure you want to delete this message?'), h('blockquote', {}, m ? m.content : '')],
      actions: [
        { label: 'Cancel' },
        { label: 'Delete', kind: 'danger', submit: true, onClick: async () => {
          await this.api.delete(`/channels/${channelId}/messages/${id}`);
          this.removeMessage(channelId, id);
        } },
      ],
    });
  }

  // ---------------------------------------------------------------- typing

  onComposerInput() {
    const c = this.currentChannel();
    const now = Date.now();
    if (!c || !this.input.value.trim() || now - this.lastTypingSent < TYPING_RESEND_MS) return;
    this.lastTypingSent = now;
    // a refused typing notice (timed out: 50013) is not worth a toast per keystroke burst; the send will say why
    this.api.post(`/channels/${c.id}/typing`).catch((e) => {
      if (e?.code === 50013) console.info('typing indicator refused', e.message);
      else showError(e, 'Typing indicator');
    });
  }

  onTyping(d) {
    if (d.user_id === this.me.id) return;
    let map = this.typing.get(d.channel_id);
    if (!map) {
      map = new Map();
      this.typing.set(d.channel_id, map);
    }
    const g = this.guilds.get(d.guild_id);
    const member = d.member || g?.members.get(d.user_id);
    map.set(d.user_id, { name: member ? memberName(member) : 'Someone', until: Date.now() + TYPING_MS });
    if (d.channel_id === this.channelId) this.renderTyping();
  }

  renderTyping() {
    const map = this.typing.get(this.channelId);
    const now = Date.now();
    const names = [];
    if (map) {
      for (const [id, t] of map) {
        if (t.until < now) map.delete(id); else names.push(t.name);
      }
    }
    const text = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length <= 3 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`
          : 'Several people are typing…';
    if (this.typingEl.textContent !== text) {
      fill(this.typingEl, text ? [h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', { class: 'typing-text' }, text)] : []);
    }
  }

  // ---------------------------------------------------------------- guilds, channels, invites

  createGuild() {
    prompt({
      title: 'Create a guild',
      label: 'Guild name',
      placeholder: `${this.me.username}'s guild`,
      submitLabel: 'Create',
      note: 'A guild is where you and your friends hang out. It starts with a #general channel.',
      submit: async (name) => {
        const g = await this.api.post('/guilds', { name });
        this.upsertGuild(g);
        this.wantGuild = g.id;
        this.renderRail();
        this.pickGuild();
      },
    });
  }

  createChannel() {
    const g = this.guilds.get(this.guildId);
    if (!g) return;
    prompt({
      title: `Create a channel in ${g.name}`,
      label: 'Channel name',
      placeholder: 'new-channel',
      submitLabel: 'Create channel',
      submit: async (name) => {
        const c = await this.api.post(`/guilds/${g.id}/channels`, { name, type: TEXT });
        g.channels.set(c.id, c);
        this.openGuild(g.id, c.id);
      },
    });
  }

  async invite() {
    const c = this.currentChannel();
    if (!c) return;
    let code;
    try {
      code = (await this.api.post(`/channels/${c.id}/invites`, { max_age: 604800 })).code;
    } catch (e) {
      showError(e, 'Could not create an invite');
      return;
    }
    const link = `${location.origin}/#/invite/${code}`;
    const input = h('input', { type: 'text', readonly: true, value: link, 'aria-label': 'Invite link' });
    dialog({
      title: `Invite friends to ${this.guilds.get(this.guildId).name}`,
      body: [h('p', { class: 'note' }, 'Send this link: it opens Pinwheel and joins the guild after logging in. It expires in 7 days.'),
        h('label', {}, 'Invite link', input)],
      actions: [
        { label: 'Copy', onClick: async () => {
          input.select();
          try { await navigator.clipboard.writeText(link); } catch { document.execCommand('copy'); }
          toast('Invite link copied', 'info');
          return true;
        } },
        { label: 'Done', kind: 'primary', submit: true, onClick: () => undefined },
      ],
    });
  }

  joinByPrompt() {
    prompt({
      title: 'Join a guild',
      label: 'Invite link or code',
      placeholder: `${location.origin}/#/invite/AbCdEf`,
      submitLabel: 'Join',
      submit: async (value) => {
        const code = (value.match(/invite\/([A-Za-z0-9_-]+)/) || [null, value])[1];
        if (!code) throw new Error('Paste an invite link or code.');
        await this.join(code);
      },
    });
  }

  async join(code) {
    const res = await this.api.post(`/invites/${encodeURIComponent(code)}`);
    this.wantGuild = res.guild.id;
    toast(`Joined ${res.guild.name}`, 'info');
    this.pickGuild();
  }

  /** An invite from the address: show who invites to what, join on accept. */
  async offerInvite(code) {
    if (!code) return;
    history.replaceState(null, '', '#/');
    let inv;
    try {
      inv = await this.api.get(`/invites/${encodeURIComponent(code)}`);
    } catch (e) {
      showError(e, `Invite ${code}`);
      return;
    }
    if (this.guilds.get(inv.guild.id)?.available) {
      this.openGuild(inv.guild.id);
      toast(`You are already in ${inv.guild.name}`, 'info');
      return;
    }
    dialog({
      title: 'You have been invited',
      body: [h('div', { class: 'invite-card' },
        this.avatar(inv.guild.id, inv.guild.name, 'avatar big'),
        h('div', {},
          h('p', { class: 'muted' }, `${inv.inviter?.username || 'Someone'} invited you to join`),
          h('h3', { class: 'invite-guild' }, inv.guild.name),
          h('p', { class: 'muted' }, `#${inv.channel.name} • ${inv.approximate_member_count} member${inv.approximate_member_count === 1 ? '' : 's'}`)))],
      actions: [
        { label: 'No thanks' },
        { label: 'Accept invite', kind: 'primary', submit: true, onClick: () => this.join(code) },
      ],
    });
  }
}

