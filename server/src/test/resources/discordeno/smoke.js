// Drives two unmodified Discordeno 21 bots (@discordeno/bot: its own REST manager and gateway, every payload run
// through its transformers) against a Pinwheel node. Discordeno is pointed at the node only through its documented
// option (rest.proxy.baseUrl); the gateway URL comes from GET /gateway/bot. Prints one "OK <step>" per passed step;
// exits 1 with "FAIL <why>" on the first failure, or when Discordeno logs an error.
// Usage: node discordeno/smoke.js PORT
'use strict';
const { createBot, Intents, createDesiredPropertiesObject } = require('@discordeno/bot');

const port = Number(process.argv[2]);
const api = `http://127.0.0.1:${port}/api/v10`;
const WAIT = 20000;
const errors = [];

function fail(why) {
  console.log('FAIL ' + why);
  process.exit(1);
}
setTimeout(() => fail('timed out: the whole run'), 150000).unref();

async function rest(method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = token;
  const r = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (Math.floor(r.status / 100) !== 2) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function check(ok, what) {
  if (!ok) throw new Error(what);
}

/** Resolves with the first event of a name that matches, registered before the action that causes it. */
function waiter(bot) {
  const waits = [];
  return {
    on(name, ...args) {
      for (const w of waits.slice()) {
        if (w.name === name && w.pred(...args)) {
          waits.splice(waits.indexOf(w), 1);
          clearTimeout(w.timer);
          w.resolve(args);
        }
      }
    },
    next(name, pred = () => true) {
      return new Promise((resolve, reject) => {
        const w = { name, pred, resolve };
        w.timer = setTimeout(() => {
          waits.splice(waits.indexOf(w), 1);
          reject(new Error('no ' + name + ' within ' + WAIT + ' ms'));
        }, WAIT);
        waits.push(w);
      });
    },
  };
}

const EVENTS = ['ready', 'guildCreate', 'messageCreate', 'messageUpdate', 'messageDelete', 'messageDeleteBulk',
  'reactionAdd', 'reactionRemove', 'reactionRemoveAll', 'reactionRemoveEmoji', 'interactionCreate', 'channelCreate',
  'channelUpdate', 'channelDelete', 'channelPinsUpdate', 'roleCreate', 'roleUpdate', 'roleDelete',
  'guildMemberAdd', 'guildMemberRemove', 'guildMemberUpdate', 'guildBanAdd', 'guildBanRemove', 'guildUpdate',
  'presenceUpdate', 'typingStart', 'inviteCreate', 'inviteDelete', 'webhooksUpdate'];

function makeBot(token) {
  const w = waiter();
  const events = {};
  for (const name of EVENTS) {
    events[name] = (...args) => w.on(name, ...args);
  }
  const logger = (name) => ({
    debug() {}, info() {},
    warn: (...a) => console.log(`[${name} warn]`, ...a),
    error: (...a) => { errors.push(a.join(' ')); console.log(`[${name} error]`, ...a); },
    fatal: (...a) => { errors.push(a.join(' ')); console.log(`[${name} fatal]`, ...a); },
  });
  const bot = createBot({
    token,
    intents: Intents.Guilds | Intents.GuildMembers | Intents.GuildModeration | Intents.GuildInvites
      | Intents.GuildWebhooks | Intents.GuildPresences | Intents.GuildMessages | Intents.GuildMessageReactions
      | Intents.GuildMessageTyping | Intents.DirectMessages | Intents.MessageContent,
    rest: { proxy: { baseUrl: `http://127.0.0.1:${port}/api` } },
    desiredProperties: createDesiredPropertiesObject({}, true),
    loggerFactory: logger,
    events,
  });
  return { bot, w, h: bot.helpers };
}

async function main() {
  const reg = async (name, bot) => (await rest('POST', '/auth/register', null,
    { username: name, password: 'password-' + name, bot })).token;
  const aliceToken = await reg('dd_alice', true);
  const bobToken = await reg('dd_bob', true);
  const carolToken = await reg('dd_carol', false);
  const guild = await rest('POST', '/guilds', aliceToken, { name: 'Discordeno guild' });
  const guildId = guild.id;
  const channelId = (await rest('GET', `/guilds/${guildId}/channels`, aliceToken)).find((c) => c.type === 0).id;
  const code = (await rest('POST', `/channels/${channelId}/invites`, aliceToken, {})).code;
  await rest('POST', `/invites/${code}`, bobToken, {});
  await rest('POST', `/invites/${code}`, carolToken, {});
  const carolId = (await rest('GET', '/users/@me', carolToken)).id;

  const A = makeBot(aliceToken);
  const B = makeBot(bobToken);
  for (const X of [A, B]) {
    const g = X.w.next('guildCreate', (gd) => String(gd.id) === guildId);
    await X.bot.start();
    await g;
  }
  const bobId = String(B.bot.id);
  console.log('OK ready');

  let p = B.w.next('messageCreate', (m) => m.content === 'hello from discordeno');
  const sent = await A.h.sendMessage(channelId, { content: 'hello from discordeno' });
  const [m] = await p;
  check(String(m.id) === String(sent.id) && String(m.guildId) === guildId && m.author.username === 'dd_alice',
    'create event ' + JSON.stringify(m, (k, v) => typeof v === 'bigint' ? String(v) : v));
  console.log('OK message');

  p = B.w.next('messageUpdate', (m) => String(m.id) === String(sent.id));
  await A.h.editMessage(channelId, sent.id, { content: 'edited by discordeno' });
  check((await p)[0].content === 'edited by discordeno', 'edit');
  console.log('OK edit');

  p = A.w.next('reactionAdd', (r) => String(r.messageId) === String(sent.id));
  await B.h.addReaction(channelId, sent.id, '\u{1F44D}');
  const [r] = await p;
  check(String(r.userId) === bobId && r.emoji.name === '\u{1F44D}', 'reaction');
  const reactors = await A.h.getReactions(channelId, sent.id, '\u{1F44D}');
  check(reactors.length === 1 && String(reactors[0].id) === bobId, 'reactors');
  p = A.w.next('reactionRemove', (r) => String(r.messageId) === String(sent.id));
  await B.h.deleteOwnReaction(channelId, sent.id, '\u{1F44D}');
  await p;
  console.log('OK reaction');

  const second = await A.h.sendMessage(channelId, { content: 'second' });
  const history = await B.h.getMessages(channelId, { limit: 10 });
  check(String(history[0].id) === String(second.id) && String(history[1].id) === String(sent.id), 'history');
  p = B.w.next('channelPinsUpdate', (x) => String(x.channelId) === channelId);
  await A.h.pinMessage(channelId, sent.id);
  await p;
  const pins = await B.h.getPinnedMessages(channelId);
  check((pins.items ?? pins).length === 1, 'pins ' + JSON.stringify(Object.keys(pins)));
  console.log('OK history');

  p = B.w.next('messageDelete', (x) => String(x.id) === String(second.id));
  await A.h.deleteMessage(channelId, second.id);
  await p;
  const b1 = await A.h.sendMessage(channelId, { content: 'bulk 1' });
  const b2 = await A.h.sendMessage(channelId, { content: 'bulk 2' });
  p = B.w.next('messageDeleteBulk', (x) => String(x.channelId) === channelId);
  await A.h.deleteMessages(channelId, [b1.id, b2.id]);
  check((await p)[0].ids.length === 2, 'bulk');
  console.log('OK delete');

  // a DM from carol (a person, over REST), answered by bob through Discordeno
  const dm = await rest('POST', '/users/@me/channels', carolToken, { recipient_id: bobId });
  p = B.w.next('messageCreate', (m) => String(m.channelId) === dm.id);
  await rest('POST', `/channels/${dm.id}/messages`, carolToken, { content: 'ping from carol' });
  const [dmIn] = await p;
  check(dmIn.guildId === undefined && String(dmIn.author.id) === carolId, 'dm event');
  const bobDm = await B.h.getDmChannel(carolId);
  check(String(bobDm.id) === dm.id, 'dm channel');
  await B.h.sendMessage(dm.id, { content: 'pong to carol' });
  check((await rest('GET', `/channels/${dm.id}/messages?limit=1`, carolToken))[0].content === 'pong to carol',
    'dm reply');
  console.log('OK dm');

  p = B.w.next('roleCreate', (x) => x.name === 'dd-role');
  const role = await A.h.createRole(guildId, { name: 'dd-role', hoist: true });
  await p;
  p = B.w.next('guildMemberUpdate', (mem, user) => String(user.id) === bobId);
  await A.h.addRole(guildId, bobId, role.id);
  await p;
  p = B.w.next('channelCreate', (c) => c.name === 'dd-channel');
  const made = await A.h.createChannel(guildId, { name: 'dd-channel', topic: 'made by Discordeno' });
  await p;
  p = A.w.next('guildMemberUpdate', (mem, user) => String(user.id) === bobId && mem.nick === 'bobby');
  await B.h.editBotMember(guildId, { nick: 'bobby' });
  await p;
  console.log('OK guild');

  const app = await B.h.getApplicationInfo();
  check(String(app.id) === bobId, 'application ' + app.id);
  const me = await B.h.getUser(bobId);
  check(me.username === 'dd_bob', 'self');
  console.log('OK application');

  const cmd = await B.h.createGuildApplicationCommand({ name: 'ping', description: 'Ping',
    options: [{ name: 'n', description: 'a number', type: 4, required: true }] }, guildId);
  p = B.w.next('interactionCreate', (i) => i.data?.name === 'ping');
  await rest('POST', '/interactions', carolToken, { type: 2, application_id: bobId, guild_id: guildId,
    channel_id: channelId, session_id: 'web', nonce: 'dd-1',
    data: { id: String(cmd.id), name: 'ping', type: 1, options: [{ name: 'n', type: 4, value: 7 }] } });
  const [ix] = await p;
  const pong = A.w.next('messageCreate', (m) => m.content?.startsWith('pong'));
  await B.h.sendInteractionResponse(ix.id, ix.token, { type: 4, data: { content: 'pong ' + ix.data.options[0].value } });
  check((await pong)[0].content === 'pong 7', 'interaction reply');
  console.log('OK command');

  const bytes = Buffer.alloc(70000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  p = A.w.next('messageCreate', (m) => m.content === 'a file');
  await B.h.sendMessage(channelId, { content: 'a file', files: [{ name: 'data.bin', blob: new Blob([bytes]) }] });
  const [withFile] = await p;
  const att = withFile.attachments[0];
  check(att.filename === 'data.bin' && att.size === bytes.length, 'attachment');
  const got = Buffer.from(await (await fetch(att.url)).arrayBuffer());
  check(got.equals(bytes), 'download');
  console.log('OK file');

  p = A.w.next('presenceUpdate', (x) => String(x.user.id) === bobId && x.status === 1);
  await B.bot.gateway.editBotStatus({ status: 'dnd', activities: [{ name: 'chess', type: 0 }] });
  const [pres] = await p;
  check(pres.activities.some((a) => a.name === 'chess'), 'activity');
  console.log('OK presence');

  p = B.w.next('channelUpdate', (c) => String(c.id) === String(made.id) && c.name === 'dd-renamed');
  await A.h.editChannel(made.id, { name: 'dd-renamed' });
  await p;
  p = B.w.next('roleUpdate', (x) => x.name === 'dd-role-2');
  await A.h.editRole(guildId, role.id, { name: 'dd-role-2' });
  await p;
  p = B.w.next('guildUpdate', (g) => g.name === 'Discordeno renamed');
  await A.h.editGuild(guildId, { name: 'Discordeno renamed' });
  await p;
  p = A.w.next('inviteCreate', (x) => String(x.channelId) === String(made.id));
  const invite = await A.h.createInvite(made.id, { maxAge: 3600 });
  await p;
  p = B.w.next('webhooksUpdate', (x) => String(x.channelId) === String(made.id));
  const hook = await A.h.createWebhook(made.id, { name: 'dd-hook' });
  await p;
  p = B.w.next('messageCreate', (m) => m.content === 'from the hook');
  await A.h.executeWebhook(hook.id, hook.token, { content: 'from the hook' });
  check(String((await p)[0].webhookId) === String(hook.id), 'webhook message');
  p = A.w.next('typingStart', (x) => String(x.userId) === bobId);
  await B.h.triggerTypingIndicator(channelId);
  await p;
  p = B.w.next('messageCreate', (m) => m.content === 'a reply');
  await A.h.sendMessage(channelId, { content: 'a reply', messageReference: { messageId: sent.id },
    embeds: [{ title: 't', description: 'an embed' }] });
  const [reply] = await p;
  check(String(reply.messageReference?.messageId) === String(sent.id) && reply.embeds[0].description === 'an embed',
    'reply');
  p = A.w.next('inviteDelete', (x) => x.code === invite.code);
  await A.h.deleteInvite(invite.code);
  await p;
  p = B.w.next('roleDelete', (x) => String(x.roleId) === String(role.id));
  await A.h.deleteRole(guildId, role.id);
  await p;
  p = B.w.next('channelDelete', (c) => String(c.id) === String(made.id));
  await A.h.deleteChannel(made.id);
  await p;
  console.log('OK events');

  const g = await A.h.getGuild(guildId, { counts: true });
  check(g.name === 'Discordeno renamed', 'guild');
  const members = await A.h.getMembers(guildId, { limit: 10 });
  check(members.length === 3, 'members ' + members.length);
  check((await A.h.getRoles(guildId)).length >= 1, 'roles');
  check((await A.h.getChannels(guildId)).some((c) => String(c.id) === channelId), 'channels');
  check((await A.h.getMember(guildId, bobId)).nick === 'bobby', 'member');
  check((await A.h.getAuditLog(guildId, {})).auditLogEntries.length > 0, 'audit log');
  check((await A.h.getInvites(guildId)).length >= 1, 'invites');
  check((await A.h.getInvite(code)).code === code, 'invite');
  check((await A.h.getGuildWebhooks(guildId)).length === 0, 'webhooks of a deleted channel');
  check((await A.h.getGuildApplicationCommands(guildId)).length === 0, 'alice has no commands');
  console.log('OK rest');

  p = A.w.next('guildBanAdd', (user) => String(user.id) === carolId);
  const left = A.w.next('guildMemberRemove', (user) => String(user.id) === carolId);
  await A.h.banMember(guildId, carolId, { reason: 'a test' });
  await p;
  await left;
  check((await A.h.getBans(guildId)).length === 1, 'bans');
  check((await A.h.getBan(guildId, carolId)).reason === 'a test', 'ban reason');
  p = A.w.next('guildBanRemove', (user) => String(user.id) === carolId);
  await A.h.unbanMember(guildId, carolId);
  await p;
  console.log('OK ban');

  check(errors.length === 0, 'Discordeno logged errors: ' + errors.join('\n'));
  await A.bot.shutdown();
  await B.bot.shutdown();
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
