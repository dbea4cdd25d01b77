// Drives two unmodified Detritus clients (detritus-client: REST API v9 and gateway of its own) against a Pinwheel
// node. Usage: node detritus/smoke.js PORT
// Prints one "OK <step>" line per passed step; exits non-zero with "FAIL <why>" on the first failure. Detritus is
// pointed at the node only through its documented rest.baseUrl; the gateway URL comes from GET /gateway. Its
// warnings (at READY it loads GET /applications/detectable) are printed as "detritus warn".
const { ShardClient, Constants } = require('detritus-client');
const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v9`;
const WAIT = 20000;
const step = (n) => console.log(`OK ${n}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail('timed out: whole run'), 120000).unref();
const within = (ms, what, p) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))]);
async function rest(method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bot ${token}`;
  const res = await fetch(`http://127.0.0.1:${port}/api/v10` + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
function client(token) {
  const c = new ShardClient(token, {
    isBot: true,
    gateway: { intents: (1 << 0) | (1 << 1) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 15), loadAllMembers: false },
    rest: { baseUrl: base },
  });
  c.on('warn', (w) => console.error('detritus warn', w && (w.error || w)));
  c.gateway.on('close', (e) => console.error('detritus gateway close', e.code, e.reason));
  return c;
}
(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'det_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'det_b', password: 'password-b', bot: true });
  const guild = await rest('POST', '/guilds', a.token, { name: 'Detritus guild' });
  const channelId = guild.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, a.token, {});
  await rest('POST', `/invites/${invite.code}`, b.token, {});
  const ca = client(a.token); const cb = client(b.token);
  await within(WAIT, 'run', Promise.all([ca.run(), cb.run()]));
  await within(WAIT, 'guild cached', new Promise((r) => { const t = setInterval(() => { if (cb.guilds.get(guild.id)) { clearInterval(t); r(); } }, 50); }));
  const g = cb.guilds.get(guild.id);
  if (g.name !== 'Detritus guild') fail('guild name');
  if (!cb.channels.get(channelId)) fail('channel not cached');
  step('ready');
  const created = new Promise((r) => cb.subscribe('messageCreate', ({ message }) => message.channelId === channelId && r(message)));
  const sent = await within(WAIT, 'send', ca.rest.createMessage(channelId, { content: 'hello from detritus' }));
  const got = await within(WAIT, 'MESSAGE_CREATE', created);
  if (got.content !== 'hello from detritus' || got.author.id !== a.user.id) fail(`mismatch ${got.content}`);
  step('message');
  const updated = new Promise((r) => cb.subscribe('messageUpdate', ({ message }) => message && message.id === sent.id && r(message)));
  await within(WAIT, 'edit', ca.rest.editMessage(channelId, sent.id, { content: 'edited by detritus' }));
  if ((await within(WAIT, 'MESSAGE_UPDATE', updated)).content !== 'edited by detritus') fail('edit');
  step('edit');
  const reacted = new Promise((r) => ca.subscribe('messageReactionAdd', (p) => p.messageId === sent.id && r(p)));
  await within(WAIT, 'react', cb.rest.createReaction(channelId, sent.id, '👍'));
  const re = await within(WAIT, 'REACTION_ADD', reacted);
  if (re.reaction.emoji.name !== '👍') fail('reaction');
  const reactors = await within(WAIT, 'reactors', ca.rest.fetchReactions(channelId, sent.id, '👍'));
  if (reactors.length !== 1) fail(`reactors ${reactors.length}`);
  step('reaction');
  const hist = await within(WAIT, 'history', ca.rest.fetchMessages(channelId, { limit: 10 }));
  if (!hist.find((m) => m.id === sent.id)) fail('history');
  step('history');
  const typing = new Promise((r) => cb.subscribe('typingStart', (p) => p.channelId === channelId && r()));
  await ca.rest.triggerTyping(channelId);
  await within(WAIT, 'TYPING_START', typing);
  step('typing');
  const role = await within(WAIT, 'role', ca.rest.createGuildRole(guild.id, { name: 'det role', color: 0xff0000 }));
  await within(WAIT, 'add role', ca.rest.addGuildMemberRole(guild.id, b.user.id, role.id));
  const member = await within(WAIT, 'member', ca.rest.fetchGuildMember(guild.id, b.user.id));
  if (!member.roles.has(role.id)) fail('member role');
  step('roles');
  const ch2 = await within(WAIT, 'create channel', ca.rest.createGuildChannel(guild.id, { name: 'det-text', type: 0, topic: 'by detritus' }));
  const edited = await within(WAIT, 'edit channel', ca.rest.editChannel(ch2.id, { name: 'det-renamed' }));
  if (edited.name !== 'det-renamed') fail('channel edit');
  step('channels');
  const deleted = new Promise((r) => cb.subscribe('messageDelete', (p) => p.raw.id === sent.id && r()));
  await within(WAIT, 'delete', ca.rest.deleteMessage(channelId, sent.id));
  await within(WAIT, 'MESSAGE_DELETE', deleted);
  step('delete');
  const me = await ca.rest.fetchMe();
  if (me.id !== a.user.id) fail('me');
  step('done');
  ca.kill(); cb.kill();
  process.exit(0);
})().catch((e) => fail(e && e.stack || e));
