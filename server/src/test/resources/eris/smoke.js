// Drives two unmodified Eris clients (REST and gateway of its own) against a Pinwheel node.
// Usage: node eris/smoke.js PORT
// Prints one "OK <step>" line per passed step; exits non-zero with "FAIL <why>" on the first failure.
// Eris's REST always speaks HTTPS to options.rest.domain (no port, no scheme option): its documented
// options.rest.agent is given an agent whose connections are plain TCP to the node, standing in for the TLS
// proxy a deployment would put in front. Its Host header then names no port, so the node runs with
// pinwheel.gateway.public-host for the gateway URL of GET /gateway/bot. Bots cannot DM bots (50007, as on
// Discord): the run has no DM step.
const Eris = require('eris');
const https = require('https');
const net = require('net');
const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const WAIT = 20000;
const step = (n) => console.log(`OK ${n}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail('timed out: whole run'), 120000).unref();
const within = (ms, what, p) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))]);
class PlainAgent extends https.Agent {
  createConnection(options, cb) { const s = net.connect(port, '127.0.0.1'); if (cb) s.once('connect', () => cb(null, s)); return s; }
}
async function rest(method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bot ${token}`;
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
function client(token) {
  const c = new Eris.Client(`Bot ${token}`, {
    intents: ['guilds', 'guildMessages', 'messageContent', 'guildMembers', 'guildMessageReactions', 'directMessages', 'guildMessageTyping'],
    restMode: true,
    rest: { domain: '127.0.0.1', agent: new PlainAgent({ keepAlive: true }) },
  });
  c.on('error', (err, id) => console.error(`eris error (shard ${id}):`, err));
  c.on('warn', (m, id) => console.error(`eris warn (shard ${id}): ${m}`));
  if (process.env.DEBUG) c.on('debug', (m) => console.error(`eris debug: ${m}`));
  return c;
}
(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'eris_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'eris_b', password: 'password-b', bot: true });
  const guild = await rest('POST', '/guilds', a.token, { name: 'Eris guild' });
  const channelId = guild.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, a.token, {});
  await rest('POST', `/invites/${invite.code}`, b.token, {});
  const ca = client(a.token); const cb = client(b.token);
  const readyA = new Promise((r) => ca.once('ready', r)); const readyB = new Promise((r) => cb.once('ready', r));
  await within(WAIT, 'connect', Promise.all([ca.connect(), cb.connect()]));
  await within(WAIT, 'ready', Promise.all([readyA, readyB]));
  const g = cb.guilds.get(guild.id);
  if (!g || g.name !== 'Eris guild') fail(`guild not cached: ${[...cb.guilds.keys()]}`);
  if (!g.channels.get(channelId)) fail('channel not cached');
  step('ready');
  const created = new Promise((r) => cb.on('messageCreate', (m) => m.channel.id === channelId && r(m)));
  const sent = await within(WAIT, 'send', ca.createMessage(channelId, { content: 'hello from eris' }));
  const got = await within(WAIT, 'MESSAGE_CREATE', created);
  if (got.content !== 'hello from eris' || got.author.id !== a.user.id) fail(`mismatch ${got.content}`);
  step('message');
  const updated = new Promise((r) => cb.on('messageUpdate', (m) => m.id === sent.id && r(m)));
  await within(WAIT, 'edit', ca.editMessage(channelId, sent.id, 'edited by eris'));
  if ((await within(WAIT, 'MESSAGE_UPDATE', updated)).content !== 'edited by eris') fail('edit');
  step('edit');
  const reacted = new Promise((r) => ca.on('messageReactionAdd', (m, emoji, reactor) => m.id === sent.id && r({ emoji, reactor })));
  await within(WAIT, 'react', cb.addMessageReaction(channelId, sent.id, '👍'));
  const re = await within(WAIT, 'REACTION_ADD', reacted);
  if (re.emoji.name !== '👍') fail('reaction');
  const reactions = await within(WAIT, 'getReaction', ca.getMessageReaction(channelId, sent.id, '👍'));
  if (reactions.length !== 1 || reactions[0].id !== b.user.id) fail(`reactors ${JSON.stringify(reactions)}`);
  step('reaction');
  const hist = await within(WAIT, 'history', ca.getMessages(channelId, { limit: 10 }));
  if (!hist.some((m) => m.id === sent.id)) fail('history');
  step('history');
  const pinned = await within(WAIT, 'pin', ca.pinMessage(channelId, sent.id).then(() => ca.getPins(channelId)));
  if (!pinned.some((m) => m.id === sent.id)) fail('pins');
  step('pins');
  const typing = new Promise((r) => cb.on('typingStart', (ch) => ch.id === channelId && r()));
  await ca.sendChannelTyping(channelId);
  await within(WAIT, 'TYPING_START', typing);
  step('typing');
  const roleMade = await within(WAIT, 'role', ca.createRole(guild.id, { name: 'eris role', color: 0x00ff00 }));
  await within(WAIT, 'add role', ca.addGuildMemberRole(guild.id, b.user.id, roleMade.id));
  const member = await within(WAIT, 'member', ca.getRESTGuildMember(guild.id, b.user.id));
  if (!member.roles.includes(roleMade.id)) fail('member role');
  step('roles');
  const ch2 = await within(WAIT, 'create channel', ca.createChannel(guild.id, 'eris-text', 0, { topic: 'made by eris' }));
  const edited = await within(WAIT, 'edit channel', ca.editChannel(ch2.id, { name: 'eris-renamed' }));
  if (edited.name !== 'eris-renamed') fail('channel edit');
  step('channels');
  const deleted = new Promise((r) => cb.on('messageDelete', (m) => m.id === sent.id && r()));
  await within(WAIT, 'delete', ca.deleteMessage(channelId, sent.id));
  await within(WAIT, 'MESSAGE_DELETE', deleted);
  step('delete');
  ca.disconnect({ reconnect: false }); cb.disconnect({ reconnect: false });
  step('done');
  process.exit(0);
})().catch((e) => fail(e && e.stack || e));
